//! The Telegram bot end to end: the real teloxide client and the real handler tree (throttled,
//! as `lendesk run` runs it) against the project's Bot API emulator over HTTP, with the real
//! desk, staff desk and sled store behind it. Users, staff and admins are played through the
//! emulator; assertions are on what Telegram would have shown them and on the store.

mod bot_api;
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bot_api::{BotApi, Sent, TOKEN, TgUser};
use lendesk::chain::markets::Markets;
use lendesk::desk::{Desk, DeskSettings};
use lendesk::knowledge::KnowledgeBase;
use lendesk::lang::Lang;
use lendesk::staff::StaffDesk;
use lendesk::store::{Store, TicketStatus};
use lendesk::telegram::{self, Receive, RunOptions};
use lendesk::tickets::{SlaConfig, Tickets};

const STAFF_CHAT: i64 = -1_001_234_567_890;
const WAIT: Duration = Duration::from_secs(30);

/// One bot over one emulator and one store on disk.
struct World {
    api: BotApi,
    desk: Arc<Desk>,
    store: Store,
    bot: tokio::task::JoinHandle<()>,
    admin: TgUser,
    agent: TgUser,
    alice: TgUser,
    bob: TgUser,
    _dir: tempfile::TempDir,
}

impl Drop for World {
    fn drop(&mut self) {
        self.bot.abort();
    }
}

fn faq() -> KnowledgeBase {
    KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).expect("faq/")
}

/// Business hours all week, all day: nothing is out of hours unless a test says so.
fn always_open() -> SlaConfig {
    SlaConfig {
        business_hours: "00:00-24:00".into(),
        business_days: (1..=7).collect(),
        ..SlaConfig::default()
    }
}

async fn world(forum: bool, sla: SlaConfig) -> World {
    world_receiving(forum, sla, Receive::Polling).await
}

async fn world_receiving(forum: bool, sla: SlaConfig, receive: Receive) -> World {
    world_full(forum, sla, receive, None).await
}

async fn world_full(
    forum: bool,
    sla: SlaConfig,
    receive: Receive,
    chain: Option<lendesk::chain::aave_v3::AaveV3Reader>,
) -> World {
    let api = BotApi::start().await;
    let admin = api.add_user(1001, "Ada", Some("ada_admin"), Some("en"));
    let agent = api.add_user(1002, "Sam", Some("sam_support"), Some("en"));
    let alice = api.add_user(2001, "Alice", Some("alice"), Some("en"));
    let bob = api.add_user(2002, "波波", Some("bobo"), Some("zh-hans"));
    api.add_group(STAFF_CHAT, "lendesk staff", forum);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let tickets = Tickets::new(store.clone(), sla);
    let desk = Arc::new(Desk::new(
        faq(),
        chain.map(Markets::single).unwrap_or_default(),
        tickets,
        store.clone(),
        DeskSettings::default(),
    ));
    let staff = StaffDesk::new(
        desk.clone(),
        store.clone(),
        faq(),
        vec![admin.id as i64],
        Lang::En,
    )
    .await
    .expect("staff desk");
    let options = RunOptions {
        token: TOKEN.to_string(),
        api_url: Some(api.url()),
        receive: receive.clone(),
        sla_check_every: Duration::from_millis(300),
        watch: None,
        messages_per_second: telegram::BOT_MESSAGES_PER_SECOND,
    };
    let running = desk.clone();
    let running_store = store.clone();
    let bot = tokio::spawn(async move {
        telegram::run(
            options,
            running,
            Arc::new(staff),
            running_store,
            Some(STAFF_CHAT),
        )
        .await
        .expect("the bot runs");
    });
    let webhook = matches!(receive, Receive::Webhook { .. });
    api.wait_for("the bot listens for updates", WAIT, |api| {
        let ready = if webhook {
            api.webhook().is_some()
        } else {
            !api.calls_to("getUpdates").is_empty()
        };
        ready.then_some(())
    })
    .await;
    World {
        api,
        desk,
        store,
        bot,
        admin,
        agent,
        alice,
        bob,
        _dir: dir,
    }
}

impl World {
    /// Sends `text` as `user` in their private chat and waits for the bot's answer there: all
    /// its messages until it has been quiet for a moment, as one `Sent` (the last message,
    /// with every message's text joined).
    async fn say(&self, user: &TgUser, text: &str) -> Sent {
        let chat = user.id as i64;
        let before = self.api.history(chat).len();
        self.api.send_text(user, chat, text);
        self.settled(chat, before, text).await
    }

    /// The bot's answer in `chat` after the first `before` messages: everything it sent until it
    /// has been quiet for a moment. An answer of several messages in one chat comes a second
    /// apart (Throttle: one message a second per chat), so "quiet for a moment" ends it after
    /// the first: wait for such answers with [`World::wait_count`] or by content instead.
    async fn settled(&self, chat: i64, before: usize, what: &str) -> Sent {
        self.next_in(chat, before, what).await;
        let mut seen = 0;
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let new: Vec<Sent> = self
                .api
                .history(chat)
                .into_iter()
                .skip(before)
                .filter(|m| m.method != "user")
                .collect();
            if new.len() == seen {
                let mut last = new.last().cloned().expect("a reply");
                last.text = new
                    .iter()
                    .map(|m| m.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                return last;
            }
            seen = new.len();
        }
    }

    async fn next_in(&self, chat: i64, before: usize, what: &str) -> Sent {
        self.api
            .wait_for(&format!("a reply to {what:?}"), WAIT, |api| {
                api.history(chat)
                    .into_iter()
                    .skip(before)
                    .find(|m| m.method != "user")
            })
            .await
    }

    /// Waits until the bot has sent `n` more messages in `chat` than `before`.
    async fn wait_count(&self, chat: i64, before: usize, n: usize, what: &str) -> Vec<Sent> {
        self.api
            .wait_for(what, WAIT, |api| {
                let new: Vec<Sent> = api
                    .history(chat)
                    .into_iter()
                    .skip(before)
                    .filter(|m| m.method != "user")
                    .collect();
                (new.len() >= n).then_some(new)
            })
            .await
    }

    /// A staff command in the staff chat (optionally in a topic); the bot's first answer.
    async fn staff_says(&self, who: &TgUser, thread: Option<i32>, text: &str) -> Sent {
        let before = self.api.history(STAFF_CHAT).len();
        match thread {
            Some(t) => self.api.send_text_in_thread(who, STAFF_CHAT, t, text),
            None => self.api.send_text(who, STAFF_CHAT, text),
        };
        self.settled(STAFF_CHAT, before, text).await
    }

    async fn escalate(&self, user: &TgUser) -> i32 {
        let reply = self.say(user, "/human").await;
        assert!(
            reply.text.contains("#1") || reply.text.contains('#'),
            "the user is told a ticket number: {}",
            reply.text
        );
        self.api
            .wait_for("a topic for the ticket", WAIT, |api| {
                api.topics(STAFF_CHAT).first().map(|(id, _)| *id)
            })
            .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_language_and_help_in_both_languages() {
    let w = world(true, always_open()).await;
    let welcome = w.say(&w.alice, "/start").await;
    assert!(
        welcome.text.contains("never DM you first"),
        "{}",
        welcome.text
    );
    let labels: Vec<String> = welcome.buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["English", "中文"]);
    let before = w.api.history(w.alice.id as i64).len();
    w.api
        .press_button(&w.alice, w.alice.id as i64, welcome.message_id, "lang:zh");
    let chosen = w.settled(w.alice.id as i64, before, "lang:zh").await;
    assert!(chosen.text.contains("中文"), "{}", chosen.text);
    let help = w.say(&w.alice, "/help").await;
    assert!(help.text.contains("/position"), "{}", help.text);
    assert!(
        help.text.chars().any(lendesk::lang::is_cjk),
        "help follows the saved choice: {}",
        help.text
    );
    // Command menus: users in both languages, staff in the staff chat.
    assert!(!w.api.commands("default", "").is_empty());
    assert!(!w.api.commands("default", "zh").is_empty());
    let staff_menu = w.api.calls_to("setMyCommands");
    assert!(
        staff_menu
            .iter()
            .any(|c| c.params.to_string().contains(&STAFF_CHAT.to_string())),
        "a command list scoped to the staff chat"
    );
    // Browsing the FAQ with buttons.
    let browse = w.say(&w.bob, "/faq").await;
    let (_, data) = browse
        .buttons()
        .into_iter()
        .find(|(_, d)| d == "faq:health-factor")
        .expect("a health factor button");
    let before = w.api.history(w.bob.id as i64).len();
    w.api
        .press_button(&w.bob, w.bob.id as i64, browse.message_id, &data);
    let answer = w.settled(w.bob.id as i64, before, "faq button").await;
    assert!(answer.text.contains("健康因子"), "{}", answer.text);
    assert!(
        w.api.unknown_methods().is_empty(),
        "{:?}",
        w.api.unknown_methods()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_secret_is_deleted_and_never_reaches_staff_or_disk() {
    let w = world(true, always_open()).await;
    w.escalate(&w.alice).await;
    let phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow";
    let before = w.api.history(w.alice.id as i64).len();
    let id = w.api.send_text(&w.alice, w.alice.id as i64, phrase);
    let warning = w.settled(w.alice.id as i64, before, "the phrase").await;
    assert!(
        warning.text.to_lowercase().contains("compromised"),
        "{}",
        warning.text
    );
    w.api
        .wait_for("the message is deleted", WAIT, |api| {
            api.deleted(w.alice.id as i64).contains(&id).then_some(())
        })
        .await;
    // Nothing of it reached staff.
    for m in w.api.history(STAFF_CHAT) {
        assert!(!m.raw.contains("sausage"), "relayed a secret: {}", m.raw);
    }
    // Statistics events are written on a thread of their own: in the store before it is read.
    w.desk.flush_events().await;
    w.store.flush().await.expect("flush");
    for entry in walkdir(w._dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("sausage worth"),
            "the phrase is on disk in {entry:?}"
        );
    }
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_goes_to_a_topic_and_is_relayed_both_ways_then_closed_and_rated() {
    let w = world(true, always_open()).await;
    let alice = w.alice.id as i64;
    w.say(&w.alice, "hello").await;
    let topic = w.escalate(&w.alice).await;
    let (_, name) = w.api.topics(STAFF_CHAT)[0].clone();
    assert!(name.contains("#1") && name.contains("Alice"), "{name}");
    let card = w
        .api
        .wait_for("the user card", WAIT, |api| {
            api.messages_in_thread(STAFF_CHAT, topic).into_iter().next()
        })
        .await;
    assert!(
        card.text.contains("2001"),
        "card has the Telegram id: {}",
        card.text
    );
    assert!(card.text.contains("@alice"), "{}", card.text);
    assert!(
        card.text.to_lowercase().contains("hello"),
        "card has the conversation: {}",
        card.text
    );

    // The user's messages are copied into the topic.
    let said = w
        .api
        .send_text(&w.alice, alice, "my withdrawal is stuck since yesterday");
    let copy = w
        .api
        .wait_for("the user's message in the topic", WAIT, |api| {
            api.messages_in_thread(STAFF_CHAT, topic)
                .into_iter()
                .find(|m| m.method == "copyMessage" && m.text.contains("stuck"))
        })
        .await;
    assert_eq!(copy.source, Some((alice, said)));
    w.api
        .send_photo(&w.alice, alice, None, Some("screenshot of the error"));
    w.api
        .wait_for("the photo in the topic", WAIT, |api| {
            api.messages_in_thread(STAFF_CHAT, topic)
                .into_iter()
                .find(|m| m.text.contains("screenshot"))
        })
        .await;

    // A staff answer reaches the user, signed as the team.
    let before = w.api.history(alice).len();
    let answer_id = w.api.send_text_in_thread(
        &w.agent_as_staff().await,
        STAFF_CHAT,
        topic,
        "Hi Alice, <b>check</b> the pending tx & retry",
    );
    let relayed = w
        .api
        .wait_for("the staff answer", WAIT, |api| {
            api.history(alice)
                .into_iter()
                .skip(before)
                .find(|m| m.text.contains("Hi Alice"))
        })
        .await;
    assert!(
        relayed
            .text
            .contains("Hi Alice, <b>check</b> the pending tx & retry"),
        "escaped: {}",
        relayed.text
    );
    assert!(relayed.text.contains("support team"), "{}", relayed.text);
    // The response is recorded right after delivery, so the user may see it a moment first.
    let ticket = w
        .api
        .wait_until("the ticket in progress", WAIT, || {
            let w = &w;
            async move {
                w.store
                    .ticket(1)
                    .await
                    .expect("store")
                    .filter(|t| t.status == TicketStatus::InProgress)
            }
        })
        .await;
    assert!(ticket.first_response_at.is_some());

    // A staff edit is synced to the user's copy; a user edit to the staff copy.
    w.api.edit_text(
        &w.agent,
        STAFF_CHAT,
        answer_id,
        "Hi Alice, please retry now",
    );
    w.api
        .wait_for("the user's copy edited", WAIT, |api| {
            api.message(alice, relayed.message_id)
                .filter(|m| m.text.contains("please retry now"))
        })
        .await;
    w.api
        .edit_text(&w.alice, alice, said, "my withdrawal of 5 ETH is stuck");
    w.api
        .wait_for("the staff copy edited", WAIT, |api| {
            api.message(STAFF_CHAT, copy.message_id)
                .filter(|m| m.text.contains("5 ETH"))
        })
        .await;

    // While a person handles the ticket the bot stays quiet on free text.
    let before = w.api.history(alice).len();
    w.api.send_text(&w.alice, alice, "what is a health factor");
    w.api
        .wait_for("relayed", WAIT, |api| {
            api.messages_in_thread(STAFF_CHAT, topic)
                .into_iter()
                .find(|m| m.text.contains("what is a health factor"))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        w.api.history(alice).len(),
        before + 1,
        "no bot answer while a person handles it"
    );

    // Support never sends a secret, even by mistake.
    let refused = w
        .staff_says(
            &w.agent,
            Some(topic),
            "legal winner thank year wave sausage worth useful legal winner thank yellow",
        )
        .await;
    assert!(refused.text.contains("Not sent"), "{}", refused.text);
    assert!(
        !w.api
            .history(alice)
            .iter()
            .any(|m| m.text.contains("sausage")),
        "a secret reached the user"
    );

    // Macros and assignment.
    w.staff_says(
        &w.agent,
        None,
        "/macros add pending A pending transaction clears once the network confirms it.",
    )
    .await;
    let before = w.api.history(alice).len();
    w.staff_says(&w.agent, Some(topic), "/macro pending").await;
    w.api
        .wait_for("the macro reaches the user", WAIT, |api| {
            api.history(alice)
                .into_iter()
                .skip(before)
                .find(|m| m.text.contains("clears once the network confirms"))
        })
        .await;
    w.staff_says(&w.agent, Some(topic), "/assign me").await;
    let assigned = w.store.ticket(1).await.expect("store").expect("ticket");
    assert_eq!(assigned.assignee, Some(w.agent.id as i64));

    // A note stays internal.
    let note = w
        .staff_says(&w.agent, Some(topic), "/note she is on mobile")
        .await;
    assert!(
        note.thread == Some(topic),
        "the confirmation is in the topic"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    for m in w.api.history(alice) {
        assert!(
            !m.text.contains("mobile"),
            "a note reached the user: {}",
            m.text
        );
    }

    // Close: thanks and a rating, then a comment.
    let before = w.api.history(alice).len();
    w.staff_says(&w.agent, Some(topic), "/close").await;
    let thanks = w.settled(alice, before, "/close").await;
    let stars: Vec<String> = thanks.buttons().into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        stars,
        (1..=5).map(|s| format!("rate:1:{s}")).collect::<Vec<_>>()
    );
    w.api
        .wait_for("the topic is closed", WAIT, |api| {
            api.topic(STAFF_CHAT, topic).filter(|t| t.closed)
        })
        .await;
    let before = w.api.history(alice).len();
    w.api
        .press_button(&w.alice, alice, thanks.message_id, "rate:1:5");
    w.settled(alice, before, "rating").await;
    // One rating per ticket: the stars are taken off the message.
    w.api
        .wait_for("the stars are removed", WAIT, |api| {
            api.message(alice, thanks.message_id)
                .filter(|m| m.buttons().is_empty())
        })
        .await;
    w.say(&w.alice, "quick and kind, thanks").await;
    // A leftover button (an older client still showing it) is refused politely.
    let before = w.api.history(alice).len();
    w.api
        .press_button_unchecked(&w.alice, alice, thanks.message_id, "rate:1:1");
    let again = w.settled(alice, before, "a second rating").await;
    assert!(again.text.contains("already rated"), "{}", again.text);
    let rated = w.store.ticket(1).await.expect("store").expect("ticket");
    assert_eq!(rated.status, TicketStatus::Closed);
    assert_eq!(rated.rating, Some(5));
    assert_eq!(rated.comment.as_deref(), Some("quick and kind, thanks"));
}

impl World {
    /// The agent as staff: the admin adds them first.
    async fn agent_as_staff(&self) -> TgUser {
        let added = self.staff_says(&self.admin, None, "/staff add 1002").await;
        assert!(!added.text.is_empty());
        self.agent.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_topics_staff_reply_to_the_card() {
    let w = world(false, always_open()).await;
    let alice = w.alice.id as i64;
    w.say(&w.alice, "/human").await;
    let card = w
        .api
        .wait_for("the card in the staff chat", WAIT, |api| {
            api.messages(STAFF_CHAT)
                .into_iter()
                .find(|m| m.text.contains("@alice"))
        })
        .await;
    assert!(w.api.topics(STAFF_CHAT).is_empty());
    // The card is mapped to its ticket just after Telegram accepted it; a reply to it before
    // that would find no ticket and be ignored.
    w.api
        .wait_until("the card mapped to the ticket", WAIT, || {
            let w = &w;
            async move {
                w.store
                    .ticket_of_staff_message(STAFF_CHAT, card.message_id)
                    .await
                    .expect("store")
            }
        })
        .await;
    let agent = w.agent_as_staff().await;
    let before = w.api.history(alice).len();
    w.api.reply_text(
        &agent,
        STAFF_CHAT,
        None,
        card.message_id,
        "Hello from the team",
    );
    let got = w.settled(alice, before, "reply-based relay").await;
    assert!(got.text.contains("Hello from the team"), "{}", got.text);
    // The user's next message is copied as a reply to the card.
    w.api.send_text(&w.alice, alice, "thanks, one more thing");
    let copy = w
        .api
        .wait_for("the copy", WAIT, |api| {
            api.messages(STAFF_CHAT)
                .into_iter()
                .find(|m| m.text.contains("one more thing"))
        })
        .await;
    assert_eq!(copy.reply_to, Some(card.message_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_work_for_staff_and_are_refused_for_everyone_else() {
    let w = world(true, always_open()).await;
    let commands = [
        "/tickets",
        "/stats",
        "/faq list",
        "/broadcast hello",
        "/maintenance on down",
        "/ban 2002",
        "/unban 2002",
        "/shadowban 2002",
        "/whois 2002",
        "/staff list",
        "/audit",
        "/macros list",
    ];
    let mallory = w.api.add_user(2666, "Mallory", Some("mallory"), Some("en"));
    for command in commands {
        let refused = w.say(&mallory, command).await;
        assert!(
            refused.text.contains("support team"),
            "{command} must be refused for a user: {}",
            refused.text
        );
    }
    let refused = w.staff_says(&w.alice, None, "/stats").await;
    assert!(refused.text.contains("support team"), "{}", refused.text);
    // Staff may not manage staff; the admin may.
    w.agent_as_staff().await;
    let refused = w.staff_says(&w.agent, None, "/staff add 2001").await;
    assert!(
        refused.text.to_lowercase().contains("admin"),
        "{}",
        refused.text
    );

    // Ban and shadowban.
    w.say(&w.bob, "你好").await;
    w.staff_says(&w.agent, None, "/ban @bobo spam").await;
    let banned = w.say(&w.bob, "健康因子是什么").await;
    assert!(!banned.text.contains("健康因子是"), "{}", banned.text);
    w.staff_says(&w.agent, None, "/shadowban @bobo").await;
    let before = w.api.history(w.bob.id as i64).len();
    w.api.send_text(&w.bob, w.bob.id as i64, "hello?");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        w.api.history(w.bob.id as i64).len(),
        before + 1,
        "shadowbanned: no answer"
    );
    w.staff_says(&w.agent, None, "/unban @bobo").await;
    let back = w.say(&w.bob, "健康因子是什么").await;
    assert!(back.text.contains("健康因子"), "{}", back.text);

    // Maintenance notice in front of answers, and gone when off.
    w.staff_says(
        &w.agent,
        None,
        "/maintenance on RPC upgrade until 14:00 UTC",
    )
    .await;
    // The notice and the answer are two messages, a second apart (one a second per chat): wait
    // for both, or the answer would arrive during the next exchange and be taken for its reply.
    let alice = w.alice.id as i64;
    let before = w.api.history(alice).len();
    w.api.send_text(&w.alice, alice, "what is a health factor");
    let answer = w
        .wait_count(alice, before, 2, "the notice and the answer")
        .await;
    assert!(answer[0].text.contains("RPC upgrade"), "{}", answer[0].text);
    assert!(
        answer[1].text.to_lowercase().contains("health factor"),
        "{}",
        answer[1].text
    );
    w.staff_says(&w.agent, None, "/maintenance off").await;
    let answer = w.say(&w.alice, "what is a health factor").await;
    assert!(!answer.text.contains("RPC upgrade"), "{}", answer.text);

    // A live FAQ edit.
    let topic = "+++\nid = \"gas-refund\"\ntags = [\"gas\", \"refund\", \"退款\"]\nrelated = []\nescalate = false\n\n[en]\ntitle = \"Can I get my gas fee refunded?\"\nquestions = [\"can I get my gas fee refunded\", \"refund gas fee\"]\n\n[zh]\ntitle = \"手续费可以退吗？\"\nquestions = [\"gas 费能退吗\", \"退还手续费\"]\n+++\n# en\nNo: gas pays the network's validators, not lendesk, so nobody can refund it.\n# zh\n不能：gas 付给网络的验证者，不是 lendesk，所以无法退还。\n";
    let added = w
        .staff_says(&w.agent, None, &format!("/faq add {topic}"))
        .await;
    assert!(added.text.contains("gas-refund"), "{}", added.text);
    let answer = w.say(&w.alice, "can I get my gas fee refunded?").await;
    assert!(answer.text.contains("validators"), "{}", answer.text);

    // Whois, stats, tickets, audit.
    let whois = w.staff_says(&w.agent, None, "/whois @alice").await;
    assert!(whois.text.contains("2001"), "{}", whois.text);
    w.say(&w.alice, "/human").await;
    // The ticket's card goes to the staff chat after Alice's answer; wait for it, or it could
    // come in during /tickets and be taken for the list.
    w.api
        .wait_for("the ticket's card", WAIT, |api| {
            api.messages(STAFF_CHAT)
                .into_iter()
                .find(|m| m.text.contains("@alice"))
        })
        .await;
    let list = w.staff_says(&w.agent, None, "/tickets open").await;
    assert!(
        !list.buttons().is_empty(),
        "tickets come with buttons: {}",
        list.text
    );
    let stats = w.staff_says(&w.agent, None, "/stats 7d").await;
    assert!(stats.text.contains('1'), "{}", stats.text);
    let audit = w.staff_says(&w.admin, None, "/audit").await;
    for action in ["ban", "shadowban", "unban", "maintenance", "faq"] {
        assert!(
            audit.text.contains(action),
            "audit lacks {action}: {}",
            audit.text
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_reaches_users_who_did_not_opt_out() {
    let w = world(true, always_open()).await;
    w.say(&w.alice, "/start").await;
    w.say(&w.bob, "/start").await;
    let carol = w.api.add_user(2003, "Carol", None, Some("en"));
    w.say(&carol, "/start").await;
    let off = w.say(&carol, "/announcements off").await;
    assert!(!off.text.is_empty());
    let dave = w.api.add_user(2004, "Dave", None, Some("en"));
    w.say(&dave, "/start").await;
    w.api.block_bot(dave.id);
    w.agent_as_staff().await;
    w.staff_says(&w.agent, None, "/broadcast Scheduled maintenance on Sunday")
        .await;
    // Each in their language: Bob never chose one, he was answered in Chinese.
    for (user, footer) in [
        (&w.alice, "To stop announcements, send /announcements off"),
        (&w.bob, "如不想再收到公告，请发送 /announcements off"),
    ] {
        let got = w
            .api
            .wait_for("the announcement", WAIT, |api| {
                api.history(user.id as i64)
                    .into_iter()
                    .find(|m| m.text.contains("Scheduled maintenance"))
            })
            .await;
        assert!(got.text.contains(footer), "{}", got.text);
    }
    let done = w
        .api
        .wait_until("the broadcast finishes", WAIT, || {
            let w = &w;
            async move {
                w.store
                    .broadcasts()
                    .await
                    .ok()
                    .and_then(|b| b.into_iter().find(|b| b.done))
            }
        })
        .await;
    assert_eq!((done.sent, done.failed), (2, 1), "{done:?}");
    // Checked once the broadcast is done: nothing can still be on its way to her.
    assert!(
        !w.api
            .history(carol.id as i64)
            .iter()
            .any(|m| m.text.contains("Scheduled maintenance")),
        "opted out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_tickets_are_flagged_and_out_of_hours_users_are_told_when() {
    let sla = SlaConfig {
        urgent_minutes: 0,
        high_minutes: 0,
        normal_minutes: 0,
        ..always_open()
    };
    let w = world(true, sla).await;
    let topic = w.escalate(&w.alice).await;
    w.api
        .wait_for("the overdue flag in the topic", WAIT, |api| {
            api.messages_in_thread(STAFF_CHAT, topic)
                .into_iter()
                .find(|m| m.text.contains("overdue"))
        })
        .await;
    // Flagged once, and the ticket remembers it (another replica, or a restart, checks the
    // same record).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let flags = w
        .api
        .messages_in_thread(STAFF_CHAT, topic)
        .into_iter()
        .filter(|m| m.text.contains("overdue"))
        .count();
    assert_eq!(flags, 1);
    let ticket = w
        .store
        .tickets_of(w.alice.id as i64)
        .await
        .expect("tickets");
    assert!(ticket[0].overdue_flagged_at.is_some(), "{ticket:?}");

    let closed = SlaConfig {
        business_hours: "00:00-00:01".into(),
        business_days: vec![1],
        ..SlaConfig::default()
    };
    let w = world(true, closed).await;
    let before = w.api.history(w.bob.id as i64).len();
    w.api.send_text(&w.bob, w.bob.id as i64, "/human");
    let replies = w
        .wait_count(w.bob.id as i64, before, 2, "ticket + out of hours")
        .await;
    assert!(
        replies.iter().any(|m| m.text.contains("非工作时间")),
        "{:?}",
        replies.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_api_errors_are_retried_or_reported_never_a_crash() {
    let w = world(true, always_open()).await;
    // A 429 with retry_after: Throttle waits and sends again; nothing is dropped.
    w.api.fail_next(
        "sendMessage",
        1,
        429,
        "Too Many Requests: retry after 1",
        Some(1),
    );
    let answer = w.say(&w.alice, "what is a health factor").await;
    assert!(
        answer.text.to_lowercase().contains("health factor"),
        "{}",
        answer.text
    );
    // A 502 on the answer (teloxide waits 10 s before it reports one): the send is tried
    // again and the answer arrives, once.
    w.api.fail_next("sendMessage", 1, 502, "Bad Gateway", None);
    let answer = w.say(&w.alice, "what is isolation mode on aave").await;
    assert!(
        answer.text.to_lowercase().contains("isolation"),
        "{}",
        answer.text
    );
    let failed = w
        .api
        .calls_to("sendMessage")
        .into_iter()
        .find(|c| c.error() == Some("Bad Gateway"))
        .expect("the 502");
    let delivered: Vec<_> = w
        .api
        .calls_to("sendMessage")
        .into_iter()
        .filter(|c| c.ok() && c.param("text") == failed.param("text"))
        .collect();
    assert_eq!(delivered.len(), 1, "{}", w.api.dump_calls(10));
    // A 400 on one reply: logged, and the bot goes on answering.
    w.api
        .fail_next("sendMessage", 1, 400, "Bad Request: chat not found", None);
    w.api.send_text(&w.alice, w.alice.id as i64, "hello");
    w.api
        .wait_for("the reply refused with a 400", WAIT, |api| {
            api.calls_to("sendMessage")
                .into_iter()
                .find(|c| c.error().is_some_and(|e| e.contains("chat not found")))
        })
        .await;
    let next = w.say(&w.alice, "/help").await;
    assert!(next.text.contains("/position"), "{}", next.text);
    assert!(!w.bot.is_finished(), "the bot is still running");
}

/// The emulator holds each long poll for its whole timeout, as Telegram does: the bot's polls
/// must end with Telegram's empty answer, not with its HTTP client giving up (each give-up was
/// an ERROR and a growing pause, so a message after a quiet minute waited for the pause).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_70_seconds_idle_a_message_is_answered_within_2_seconds() {
    let w = world(true, always_open()).await;
    let chat = w.alice.id as i64;
    // The quiet spell itself, not a wait for something.
    tokio::time::sleep(Duration::from_secs(70)).await;
    let asked_at = w.api.elapsed();
    let asked = std::time::Instant::now();
    w.api.send_text(&w.alice, chat, "what is a health factor");
    let answer = w
        .api
        .wait_for("the answer", WAIT, |api| {
            api.history(chat).into_iter().find(|m| m.method != "user")
        })
        .await;
    let latency = asked.elapsed();
    eprintln!("answered {latency:?} after the message, following 70 s idle");
    assert!(
        answer.text.to_lowercase().contains("health factor"),
        "{}",
        answer.text
    );
    let polls = w.api.calls_to("getUpdates");
    let idle: Vec<_> = polls.iter().filter(|c| c.at < asked_at).collect();
    assert!(idle.len() >= 2, "{}", w.api.dump_calls(20));
    assert!(
        idle.iter().all(|c| c.ok()),
        "a long poll was given up by the client:\n{}",
        w.api.dump_calls(20)
    );
    assert!(
        latency < Duration::from_secs(2),
        "answered after {latency:?}\n{}",
        w.api.dump_calls(20)
    );
}

/// A client that gives up on a long poll before Telegram answers it (a slow network, a proxy)
/// is not a failure: the listener polls again at once, reports no error and does not pause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_the_client_gives_up_on_is_polled_again_at_once_without_an_error() {
    use futures::StreamExt;
    use teloxide::requests::RequesterExt;
    use teloxide::update_listeners::AsUpdateStream;
    let api = BotApi::start().await;
    let alice = api.add_user(2001, "Alice", Some("alice"), Some("en"));
    // The emulator holds each 10 s poll; this client gives up after 1 s.
    let client = teloxide::net::default_reqwest_settings()
        .timeout(Duration::from_secs(1))
        .build()
        .expect("an HTTP client");
    let bot = teloxide::Bot::with_client(TOKEN, client)
        .set_api_url(api.url())
        .throttle(telegram::telegram_limits(telegram::BOT_MESSAGES_PER_SECOND))
        .cache_me();
    let mut listener = telegram::polling::TrackedPolling::new(bot, Arc::default());
    let mut updates = listener.as_stream();
    let quiet = tokio::time::timeout(Duration::from_millis(3_500), updates.next()).await;
    assert!(
        quiet.is_err(),
        "nothing, not an error, while idle: {quiet:?}"
    );
    let polls = api.calls_to("getUpdates").len();
    assert!(
        polls >= 3,
        "the polls follow each other\n{}",
        api.dump_calls(10)
    );

    api.send_text(&alice, alice.id as i64, "hello");
    let next = tokio::time::timeout(Duration::from_secs(2), updates.next())
        .await
        .expect("the message comes within the next poll");
    assert!(matches!(next, Some(Ok(_))), "{next:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_receives_updates_posted_by_telegram() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let receive = Receive::Webhook {
        url: format!("http://127.0.0.1:{port}/telegram")
            .parse()
            .expect("url"),
        listen: format!("127.0.0.1:{port}").parse().expect("addr"),
    };
    let w = world_receiving(true, always_open(), receive).await;
    assert!(
        w.api.calls_to("getUpdates").is_empty(),
        "no polling in webhook mode"
    );
    let answer = w.say(&w.alice, "what is a health factor").await;
    assert!(
        answer.text.to_lowercase().contains("health factor"),
        "{}",
        answer.text
    );
}

/// Anvil's well-known development key of account #2 (the devnet's "warning" profile).
const ANVIL_KEY_2: &str = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_verify_and_a_live_position_with_asset_and_what_if_buttons() {
    use alloy::signers::SignerSync;
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let w = world_full(true, always_open(), Receive::Polling, Some(reader)).await;
    let warning = common::account(&chain.manifest, "warning");
    let signer: alloy::signers::local::PrivateKeySigner = ANVIL_KEY_2.parse().expect("key");
    assert_eq!(
        signer.address(),
        warning,
        "account #2 is the warning profile"
    );

    let linked = w.say(&w.alice, &format!("/link {warning}")).await;
    let message = linked
        .text
        .lines()
        .find(|l| l.starts_with("lendesk: I own"))
        .expect("a message to sign")
        .to_string();
    let signature = signer.sign_message_sync(message.as_bytes()).expect("sign");
    let verified = w.say(&w.alice, &format!("/verify {signature}")).await;
    assert!(
        verified.text.contains('✅') || verified.text.to_lowercase().contains("verified"),
        "{}",
        verified.text
    );
    let record = w
        .store
        .user(w.alice.id as i64)
        .await
        .expect("store")
        .expect("alice");
    assert!(
        record
            .links
            .iter()
            .any(|l| l.address == warning && l.verified)
    );
    // Someone else's signature does not verify.
    let other: alloy::signers::local::PrivateKeySigner =
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
            .parse()
            .expect("key");
    let linked = w.say(&w.bob, &format!("/link {warning}")).await;
    let message = linked
        .text
        .lines()
        .find(|l| l.starts_with("lendesk: I own"))
        .expect("message")
        .to_string();
    let forged = other.sign_message_sync(message.as_bytes()).expect("sign");
    let refused = w.say(&w.bob, &format!("/verify {forged}")).await;
    let bob = w
        .store
        .user(w.bob.id as i64)
        .await
        .expect("store")
        .expect("bob");
    assert!(bob.links.iter().all(|l| !l.verified), "{}", refused.text);

    let position = w.say(&w.alice, "/position").await;
    assert!(position.text.contains("Health factor"), "{}", position.text);
    let buttons = position.buttons();
    let (_, asset) = buttons
        .iter()
        .find(|(_, d)| d.starts_with("asset:") && d.ends_with(":WETH"))
        .expect("a WETH detail button")
        .clone();
    let (_, what_if) = buttons
        .iter()
        .find(|(_, d)| d.starts_with("whatif:-2000"))
        .expect("a what-if button")
        .clone();
    let chat = w.alice.id as i64;
    let before = w.api.history(chat).len();
    w.api
        .press_button(&w.alice, chat, position.message_id, &asset);
    let detail = w.settled(chat, before, "asset detail").await;
    assert!(
        detail.text.contains("liquidation threshold"),
        "{}",
        detail.text
    );
    assert!(detail.text.contains("WETH"), "{}", detail.text);
    let before = w.api.history(chat).len();
    w.api
        .press_button(&w.alice, chat, position.message_id, &what_if);
    let scenario = w.settled(chat, before, "what if").await;
    assert!(scenario.text.contains("20%"), "{}", scenario.text);
    // The scenario only: not the whole position again.
    assert!(!scenario.text.contains("Collateral"), "{}", scenario.text);

    // An address that is not linked: its answer ends with the /link tip, its what-if does not.
    let safe = common::account(&chain.manifest, "safe");
    let before = w.api.history(chat).len();
    w.api.send_text(&w.alice, chat, &safe.to_string());
    let answer = w
        .wait_count(chat, before, 2, "a position and the tip")
        .await;
    assert!(answer[1].text.contains("/link"), "{}", answer[1].text);
    let (_, what_if) = answer[0]
        .buttons()
        .into_iter()
        .find(|(_, d)| d.starts_with("whatif:-1000"))
        .expect("a what-if button");
    let before = w.api.history(chat).len();
    w.api
        .press_button(&w.alice, chat, answer[0].message_id, &what_if);
    let scenario = w.settled(chat, before, "what if").await;
    assert!(scenario.text.contains("10%"), "{}", scenario.text);
    assert!(!scenario.text.contains("/link"), "{}", scenario.text);
    assert!(!scenario.text.contains("Collateral"), "{}", scenario.text);

    // Staff see the linked position on the ticket's card, each amount with one dollar sign.
    let topic = w.escalate(&w.alice).await;
    let card = w
        .api
        .wait_for("the card with the position", WAIT, |api| {
            api.messages_in_thread(STAFF_CHAT, topic)
                .into_iter()
                .find(|m| m.text.contains("collateral $"))
        })
        .await;
    assert!(!card.text.contains("$$"), "{}", card.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_the_bot_answers_only_when_addressed_and_shows_no_linked_position() {
    const GROUP: i64 = -1_005_555_555_555;
    let w = world(true, always_open()).await;
    w.api.add_group(GROUP, "Aave fans", false);
    let before = w.api.history(GROUP).len();
    w.api.send_text(&w.alice, GROUP, "what is a health factor");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        w.api.history(GROUP).len(),
        before + 1,
        "not addressed: no answer"
    );
    let before = w.api.history(GROUP).len();
    w.api
        .send_text(&w.alice, GROUP, "@lendesk_test_bot what is a health factor");
    let answer = w.settled(GROUP, before, "a mention").await;
    assert!(
        answer.text.to_lowercase().contains("health factor"),
        "{}",
        answer.text
    );
    // A linked address is never shown in a group unless named there.
    w.say(&w.alice, "/link 0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        .await;
    let before = w.api.history(GROUP).len();
    w.api
        .send_text(&w.alice, GROUP, "/position@lendesk_test_bot");
    let reply = w.settled(GROUP, before, "/position in a group").await;
    assert!(!reply.text.contains("0x7099"), "{}", reply.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_admin_bot_removes_any_pasted_secret_and_ignores_commands_for_other_bots() {
    const ADMINISTERED: i64 = -1_005_555_000_001;
    const MEMBER_ONLY: i64 = -1_005_555_000_002;
    let phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow";
    let w = world(true, always_open()).await;
    w.api.add_group(ADMINISTERED, "Aave fans", false);
    w.api.add_group(MEMBER_ONLY, "DeFi chat", false);
    w.api.set_member(MEMBER_ONLY, bot_api::BOT_ID, "member");

    // A command for this bot is answered; the same command for another bot is not. Updates of
    // a chat are handled (and answered) in order: once a later question is answered, the
    // command before it was handled.
    let before = w.api.history(ADMINISTERED).len();
    w.api
        .send_text(&w.alice, ADMINISTERED, "/help@lendesk_test_bot");
    let help = w
        .settled(ADMINISTERED, before, "/help@lendesk_test_bot")
        .await;
    assert!(help.text.contains("/position"), "{}", help.text);
    w.api.send_text(&w.alice, ADMINISTERED, "/help@other_bot");
    w.api
        .send_text(&w.alice, ADMINISTERED, "@lendesk_test_bot what are aTokens");
    w.api
        .wait_for("the answer to the question", WAIT, |api| {
            api.messages(ADMINISTERED)
                .into_iter()
                .find(|m| m.text.contains("What are aTokens?"))
        })
        .await;
    let helps = w
        .api
        .messages(ADMINISTERED)
        .into_iter()
        .filter(|m| m.text.contains("/position"))
        .count();
    assert_eq!(helps, 1, "only the command for this bot is answered");

    // Where the bot is an administrator, a secret is removed even when not addressed to it.
    let before = w.api.history(ADMINISTERED).len();
    let pasted = w.api.send_text(&w.bob, ADMINISTERED, phrase);
    let warning = w.settled(ADMINISTERED, before, "a pasted phrase").await;
    assert!(warning.text.contains("助记词"), "{}", warning.text);
    w.api
        .wait_for("the phrase is deleted", WAIT, |api| {
            api.deleted(ADMINISTERED).contains(&pasted).then_some(())
        })
        .await;

    // Where it is a plain member it cannot remove it, and it stays out of the conversation.
    let pasted = w.api.send_text(&w.bob, MEMBER_ONLY, phrase);
    let before = w.api.history(MEMBER_ONLY).len();
    w.api.send_text(
        &w.alice,
        MEMBER_ONLY,
        "@lendesk_test_bot what is a health factor",
    );
    let answer = w.settled(MEMBER_ONLY, before, "a mention").await;
    assert!(
        answer.text.to_lowercase().contains("health factor"),
        "{}",
        answer.text
    );
    assert!(w.api.message(MEMBER_ONLY, pasted).is_some(), "not deleted");
    assert_eq!(
        w.api.messages(MEMBER_ONLY).len(),
        1,
        "no warning where the bot cannot delete"
    );
}
