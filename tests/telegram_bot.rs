//! The Telegram adapter end to end: the real teloxide dispatcher and handler tree against
//! teloxide_tests' fake Bot API server, with the real desk behind it.

use std::path::Path;
use std::sync::Arc;

use lendesk::desk::{Desk, DeskSettings};
use lendesk::knowledge::KnowledgeBase;
use lendesk::store::Store;
use lendesk::telegram::handler_tree;
use lendesk::tickets::{SlaConfig, Tickets};
use teloxide::dptree::deps;
use teloxide::types::ReplyMarkup;
use teloxide_tests::{MockBot, MockCallbackQuery, MockMessageText};

fn desk() -> Arc<Desk> {
    let kb =
        KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).expect("faq");
    let store = Store::temporary().expect("store");
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    Arc::new(Desk::new(kb, None, tickets, store, DeskSettings::default()))
}

#[tokio::test]
async fn start_welcomes_with_the_safety_notice_and_language_buttons() {
    let mut bot = MockBot::new(MockMessageText::new().text("/start"), handler_tree());
    bot.dependencies(deps![desk()]);
    bot.dispatch().await;
    let responses = bot.get_responses();
    let sent = responses.sent_messages_text.last().expect("a welcome");
    let text = sent.message.text().unwrap_or_default();
    assert!(text.contains("Welcome to lendesk"), "{text}");
    assert!(text.contains("never DM you first"), "{text}");
    let Some(ReplyMarkup::InlineKeyboard(keyboard)) = &sent.bot_request.reply_markup else {
        panic!("expected an inline keyboard");
    };
    let labels: Vec<&str> = keyboard
        .inline_keyboard
        .iter()
        .flatten()
        .map(|b| b.text.as_str())
        .collect();
    assert_eq!(labels, vec!["English", "中文"]);
}

#[tokio::test]
async fn a_question_gets_the_faq_answer_in_its_language() {
    let mut bot = MockBot::new(
        MockMessageText::new().text("健康因子是什么意思"),
        handler_tree(),
    );
    bot.dependencies(deps![desk()]);
    bot.dispatch().await;
    let responses = bot.get_responses();
    let sent = responses.sent_messages_text.last().expect("an answer");
    let text = sent.message.text().unwrap_or_default();
    assert!(text.contains("健康因子"), "{text}");
    assert_eq!(
        sent.bot_request.parse_mode,
        Some(teloxide::types::ParseMode::Html)
    );
}

#[tokio::test]
async fn a_pasted_seed_phrase_is_deleted_and_answered_with_a_warning() {
    let phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow";
    let mut bot = MockBot::new(MockMessageText::new().text(phrase), handler_tree());
    bot.dependencies(deps![desk()]);
    bot.dispatch().await;
    let responses = bot.get_responses();
    assert_eq!(
        responses.deleted_messages.len(),
        1,
        "the message holding the phrase is deleted"
    );
    let text = responses
        .sent_messages_text
        .last()
        .expect("a warning")
        .message
        .text()
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("Nobody needs it"), "{text}");
    assert!(
        !text.contains("sausage"),
        "the warning must not echo the phrase"
    );
}

#[tokio::test]
async fn pressing_a_language_button_switches_the_language() {
    let mut bot = MockBot::new(MockCallbackQuery::new().data("lang:zh"), handler_tree());
    bot.dependencies(deps![desk()]);
    bot.dispatch().await;
    let responses = bot.get_responses();
    assert_eq!(responses.answered_callback_queries.len(), 1);
    let text = responses
        .sent_messages_text
        .last()
        .expect("a confirmation")
        .message
        .text()
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("中文"), "{text}");
}

#[tokio::test]
async fn in_a_group_the_bot_answers_only_when_addressed() {
    use teloxide_tests::{MockGroupChat, MockMe};
    let desk = desk();
    let group = MockGroupChat::new().id(-100_777).build();
    let mut bot = MockBot::new(
        MockMessageText::new()
            .text("what does health factor mean")
            .chat(group.clone()),
        handler_tree(),
    );
    bot.me(MockMe::new().username("lendesk_bot"));
    bot.dependencies(deps![desk.clone()]);
    bot.dispatch().await;
    assert!(
        bot.get_responses().sent_messages_text.is_empty(),
        "not addressed: silent"
    );

    bot.update(
        MockMessageText::new()
            .text("@lendesk_bot what does health factor mean")
            .chat(group),
    );
    bot.dispatch().await;
    let responses = bot.get_responses();
    let text = responses
        .sent_messages_text
        .last()
        .expect("an answer when mentioned")
        .message
        .text()
        .unwrap_or_default()
        .to_string();
    assert!(text.to_lowercase().contains("health factor"), "{text}");
}
