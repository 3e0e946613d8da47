//! The Telegram adapter: updates in, the desk's replies out. Thin by design: it turns a message
//! or a button press into a desk call and renders what comes back (HTML, inline keyboards,
//! deleting a message that held a secret). It owns no conversation logic.

pub mod render;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, ChatId, Me, ParseMode};

use crate::desk::{Action, ChatKind, Desk, Incoming, Outcome};
use crate::lang::Lang;

/// The error type handlers return; teloxide logs it (never the message text).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The handler tree: messages and button presses, with the desk injected as a dependency.
pub fn handler_tree() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_button))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// In a group the bot answers only when addressed: a command, a mention, or a reply to it.
/// Returns the text with the mention removed.
fn addressed(msg: &Message, me: &Me, text: &str) -> Option<String> {
    if msg.chat.is_private() {
        return Some(text.to_string());
    }
    let mention = format!("@{}", me.username());
    if text.starts_with('/') {
        return Some(text.replace(&mention, ""));
    }
    if text.contains(&mention) {
        return Some(text.replace(&mention, "").trim().to_string());
    }
    let replies_to_me = msg
        .reply_to_message()
        .and_then(|m| m.from.as_ref())
        .is_some_and(|u| u.id == me.id);
    replies_to_me.then(|| text.to_string())
}

async fn send(bot: &Bot, chat: ChatId, outcome: &Outcome) -> Result<(), HandlerError> {
    if let (Some(ticket), true) = (
        outcome.ticket,
        outcome.actions.contains(&Action::NotifyStaff),
    ) {
        // The staff chat relay is not built yet: the ticket is stored, but nobody is told;
        // operators should know.
        tracing::warn!(
            ticket,
            "ticket opened; no staff chat relay is configured yet"
        );
    }
    for reply in &outcome.replies {
        let mut request = bot
            .send_message(chat, render::html(&reply.text))
            .parse_mode(ParseMode::Html);
        if let Some(keyboard) = render::keyboard(&reply.buttons) {
            request = request.reply_markup(keyboard);
        }
        request.await?;
    }
    Ok(())
}

async fn on_message(bot: Bot, msg: Message, me: Me, desk: Arc<Desk>) -> Result<(), HandlerError> {
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    let lang_hint = from.language_code.as_deref().and_then(Lang::from_code);
    let user = i64::try_from(from.id.0).unwrap_or(i64::MAX);
    let Some(text) = msg.text().or(msg.caption()) else {
        if msg.chat.is_private() {
            // Stickers, photos without caption, voice: answered politely through the desk.
            let outcome = desk
                .handle(Incoming {
                    user,
                    lang_hint,
                    now: now(),
                    ..Default::default()
                })
                .await;
            send(&bot, msg.chat.id, &outcome).await?;
        }
        return Ok(());
    };
    let Some(text) = addressed(&msg, &me, text) else {
        return Ok(());
    };
    let chat = if msg.chat.is_private() {
        ChatKind::Private
    } else {
        ChatKind::Group
    };
    let outcome = desk
        .handle(Incoming {
            user,
            text,
            lang_hint,
            chat,
            now: now(),
            ..Default::default()
        })
        .await;
    if outcome.actions.contains(&Action::DeleteMessage)
        && let Err(e) = bot.delete_message(msg.chat.id, msg.id).await
    {
        // Without the right to delete in a group, the warning still goes out.
        tracing::warn!(chat = msg.chat.id.0, error = %e, "could not delete a message holding a secret");
    }
    send(&bot, msg.chat.id, &outcome).await
}

async fn on_button(bot: Bot, query: CallbackQuery, desk: Arc<Desk>) -> Result<(), HandlerError> {
    bot.answer_callback_query(query.id.clone()).await?;
    let (Some(data), Some(message)) = (query.data.as_deref(), query.message.as_ref()) else {
        return Ok(());
    };
    let user = i64::try_from(query.from.id.0).unwrap_or(i64::MAX);
    let lang_hint = query
        .from
        .language_code
        .as_deref()
        .and_then(Lang::from_code);
    let outcome = desk.button(user, data, lang_hint, now()).await;
    send(&bot, message.chat().id, &outcome).await
}

/// The user command list, in both languages (`setMyCommands` by language code).
pub fn user_commands(lang: Lang) -> Vec<BotCommand> {
    let list: [(&str, &str, &str); 8] = [
        ("start", "Welcome and safety notice", "欢迎与安全提示"),
        ("help", "What I can do", "我能做什么"),
        ("position", "Your linked positions", "已绑定地址的仓位"),
        ("link", "Link a public address", "绑定公开地址"),
        ("unlink", "Remove a linked address", "解除绑定地址"),
        ("faq", "Browse topics", "浏览常见问题"),
        ("human", "Talk to a person", "转人工客服"),
        ("lang", "Language / 语言", "语言 / Language"),
    ];
    list.iter()
        .map(|(c, en, zh)| BotCommand::new(*c, lang.pick(en, zh)))
        .collect()
}

/// Runs the bot with long polling until SIGINT. `api_url` points it at another Bot API server
/// (a local one or an emulator). The token is never logged.
pub async fn run(
    token: String,
    api_url: Option<url::Url>,
    desk: Arc<Desk>,
) -> Result<(), HandlerError> {
    let mut bot = Bot::new(token);
    if let Some(url) = api_url {
        bot = bot.set_api_url(url);
    }
    bot.set_my_commands(user_commands(Lang::En)).await?;
    bot.set_my_commands(user_commands(Lang::Zh))
        .language_code("zh")
        .await?;
    Dispatcher::builder(bot, handler_tree())
        .dependencies(dptree::deps![desk])
        .enable_ctrlc_handler()
        .build()
        .dispatch()
        .await;
    Ok(())
}
