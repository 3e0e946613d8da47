//! The real `lendesk run` binary over HTTP against the Bot API emulator, killed with SIGKILL
//! in the middle of a ticket and started again: nothing acknowledged is lost, the ticket keeps
//! its topic, and the relay carries on both ways.

mod bot_api;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bot_api::{BotApi, TOKEN, TgUser};
use lendesk::store::{Store, TicketStatus};

const STAFF_CHAT: i64 = -1_009_876_543_210;
const WAIT: Duration = Duration::from_secs(20);

fn start_bot(api: &BotApi, data: &Path, admin: &TgUser) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .arg("run")
        .current_dir(data)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api.url().as_str())
        .env("LENDESK_DATA_DIR", data.join("db"))
        .env(
            "LENDESK_FAQ_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        )
        .env("LENDESK_STAFF_CHAT", STAFF_CHAT.to_string())
        .env("LENDESK_ADMINS", admin.id.to_string())
        .env("RUST_LOG", "lendesk=info")
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_RPC_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lendesk run")
}

/// SIGKILL (no shutdown code runs); returns what the process logged.
fn kill_9(child: &mut Child) -> String {
    child.kill().expect("kill -9");
    let _ = child.wait();
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut text);
    }
    text
}

async fn polls(api: &BotApi, after: usize) {
    api.wait_for("the bot polls", WAIT, |api| {
        (api.calls_to("getUpdates").len() > after).then_some(())
    })
    .await;
}

/// The shared fixture: an emulator with an admin, Alice and a staff forum, and the bot started
/// on a fresh data directory and polling.
/// Telegram delivers an unconfirmed update again to the next process, which answers it (a
/// question about the health factor) and then confirms it.
async fn answered_by_the_next_process(api: &BotApi, data: &Path, admin: &TgUser, chat: i64) {
    let mut bot = start_bot(api, data, admin);
    api.wait_for("the answer after the restart", WAIT, |api| {
        api.history(chat)
            .into_iter()
            .find(|m| m.method != "user" && m.text.to_lowercase().contains("health factor"))
    })
    .await;
    api.wait_for("the update confirmed once handled", WAIT, |api| {
        (api.pending_updates() == 0).then_some(())
    })
    .await;
    kill_9(&mut bot);
}

async fn started() -> (BotApi, TgUser, TgUser, tempfile::TempDir, Child) {
    let api = BotApi::start().await;
    let admin = api.add_user(1001, "Ada", Some("ada_admin"), Some("en"));
    let alice = api.add_user(2001, "Alice", Some("alice"), Some("en"));
    api.add_group(STAFF_CHAT, "staff", true);
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = start_bot(&api, dir.path(), &admin);
    polls(&api, 0).await;
    (api, admin, alice, dir, bot)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_ticket_loses_nothing() {
    let (api, admin, alice, dir, mut bot) = started().await;
    let alice_chat = alice.id as i64;
    api.send_text(&alice, alice_chat, "my funds were stolen from my wallet");
    let topic = api
        .wait_for("a topic for the ticket", WAIT, |api| {
            api.topics(STAFF_CHAT).first().map(|(t, _)| *t)
        })
        .await;
    api.wait_for("the card", WAIT, |api| {
        api.messages_in_thread(STAFF_CHAT, topic).into_iter().next()
    })
    .await;
    api.send_text_in_thread(&admin, STAFF_CHAT, topic, "We are on it. Which wallet app?");
    api.wait_for("the answer reaches Alice", WAIT, |api| {
        api.history(alice_chat)
            .into_iter()
            .find(|m| m.text.contains("Which wallet app?"))
    })
    .await;
    let stderr = kill_9(&mut bot);
    assert!(!stderr.contains(TOKEN), "the token reached the log");

    // Killed right after the delivery: the relay and the first response, recorded just after
    // it, may be lost with the process (the update is confirmed already); the next answer
    // records them. Messages sent while the bot is down wait in Telegram's queue.
    let said = api.send_text(&alice, alice_chat, "MetaMask on my phone");
    let mut bot = start_bot(&api, dir.path(), &admin);
    let copy = api
        .wait_for("the message is relayed into the same topic", WAIT, |api| {
            api.messages_in_thread(STAFF_CHAT, topic)
                .into_iter()
                .find(|m| m.text.contains("MetaMask"))
        })
        .await;
    assert_eq!(
        api.topics(STAFF_CHAT).len(),
        1,
        "no second topic after the restart"
    );
    let answer = api.send_text_in_thread(
        &admin,
        STAFF_CHAT,
        topic,
        "Thanks. Move what is left to a new wallet.",
    );
    let delivered = api
        .wait_for("the second answer", WAIT, |api| {
            api.history(alice_chat)
                .into_iter()
                .find(|m| m.text.contains("new wallet"))
        })
        .await;
    // Both relays are recorded just after Telegram accepted the copy: wait until they are on
    // disk before the next kill. An edit is synced only through a recorded relay, and each
    // chat's updates are handled in order, so a synced edit on each side proves it (and that
    // the answer's first response, recorded after its relay, is on disk too).
    api.edit_text(&alice, alice_chat, said, "MetaMask on my Android phone");
    api.wait_for("Alice's edit synced to the staff copy", WAIT, |api| {
        api.message(STAFF_CHAT, copy.message_id)
            .filter(|m| m.text.contains("Android"))
    })
    .await;
    api.edit_text(
        &admin,
        STAFF_CHAT,
        answer,
        "Thanks. Move what is left to a new wallet today.",
    );
    api.wait_for("the staff edit synced to Alice's copy", WAIT, |api| {
        api.message(alice_chat, delivered.message_id)
            .filter(|m| m.text.contains("new wallet today"))
    })
    .await;

    // Killed again; then closed from a fresh process.
    kill_9(&mut bot);
    let polled = api.calls_to("getUpdates").len();
    let mut bot = start_bot(&api, dir.path(), &admin);
    polls(&api, polled).await;
    api.send_text_in_thread(&admin, STAFF_CHAT, topic, "/close");
    api.wait_for("the rating request", WAIT, |api| {
        api.history(alice_chat)
            .into_iter()
            .find(|m| m.buttons().iter().any(|(_, d)| d == "rate:1:5"))
    })
    .await;
    let stderr = kill_9(&mut bot);
    assert!(!stderr.contains(TOKEN), "the token reached the log");

    let relayed_twice = api
        .messages_in_thread(STAFF_CHAT, topic)
        .iter()
        .filter(|m| m.text.contains("MetaMask"))
        .count();
    assert_eq!(
        relayed_twice, 1,
        "a redelivered update is not relayed twice"
    );
    let store = Store::open(&dir.path().join("db")).expect("reopen the store");
    let ticket = store
        .ticket(1)
        .await
        .expect("read")
        .expect("ticket 1 survived");
    assert_eq!(ticket.status, TicketStatus::Closed);
    assert!(ticket.first_response_at.is_some());
    assert_eq!(
        store
            .thread_of(1)
            .await
            .expect("read")
            .and_then(|t| t.thread),
        Some(topic)
    );
    assert!(
        store
            .relay_of_staff_message(STAFF_CHAT, copy.message_id)
            .await
            .expect("read")
            .is_some(),
        "the relay map survived"
    );
    assert!(
        store.ticket(2).await.expect("read").is_none(),
        "no duplicate ticket"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_in_hand_at_kill_9_is_answered_after_the_restart() {
    let (api, admin, alice, dir, mut bot) = started().await;
    let alice_chat = alice.id as i64;
    // Telegram tells the bot to wait a minute before it sends again: the answer is held in
    // the bot, and the update with it.
    api.fail_next(
        "sendMessage",
        1,
        429,
        "Too Many Requests: retry after 60",
        Some(60),
    );
    api.send_text(&alice, alice_chat, "what is a health factor");
    api.wait_for("the answer held back by a 429", WAIT, |api| {
        api.calls_to("sendMessage")
            .into_iter()
            .find(|c| c.error().is_some())
    })
    .await;
    // The bot keeps polling meanwhile; it must not confirm the update it has not handled.
    polls(&api, api.calls_to("getUpdates").len()).await;
    assert_eq!(
        api.pending_updates(),
        1,
        "the update in hand is not confirmed"
    );
    kill_9(&mut bot);
    assert!(
        !api.history(alice_chat)
            .iter()
            .any(|m| m.method != "user" && m.text.contains("health factor")),
        "answered before the kill"
    );

    answered_by_the_next_process(&api, dir.path(), &admin, alice_chat).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_while_a_send_waits_for_its_retry_loses_no_answer() {
    let (api, admin, alice, dir, mut bot) = started().await;
    let alice_chat = alice.id as i64;
    // A 502 on the answer: teloxide waits 10 s before it reports it and the send is retried;
    // the process dies in between.
    api.fail_next("sendMessage", 1, 502, "Bad Gateway", None);
    api.send_text(&alice, alice_chat, "what is a health factor");
    api.wait_for("the answer refused with a 502", WAIT, |api| {
        api.calls_to("sendMessage")
            .into_iter()
            .find(|c| c.error() == Some("Bad Gateway"))
    })
    .await;
    kill_9(&mut bot);
    assert_eq!(
        api.pending_updates(),
        1,
        "the update waiting for its retry is not confirmed"
    );

    answered_by_the_next_process(&api, dir.path(), &admin, alice_chat).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sigint_stop_the_bot_cleanly() {
    for (name, signal) in [("SIGTERM", libc::SIGTERM), ("SIGINT", libc::SIGINT)] {
        let (api, _admin, alice, dir, mut bot) = started().await;
        api.send_text(&alice, alice.id as i64, "/start");
        api.wait_for("the welcome", WAIT, |api| {
            api.history(alice.id as i64)
                .into_iter()
                .find(|m| m.method != "user")
        })
        .await;
        let pid = i32::try_from(bot.id()).expect("pid");
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(status) = bot.try_wait().expect("wait") {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the bot did not stop within 15 s of {name}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(status.success(), "exit status after {name}: {status:?}");
        assert_eq!(
            api.pending_updates(),
            0,
            "handled updates are confirmed before exit ({name}): a restart does not replay them"
        );
        // The store is closed cleanly and opens again.
        let store = Store::open(&dir.path().join("db")).expect("reopen the store");
        assert!(store.user(alice.id as i64).await.expect("read").is_some());
    }
}
