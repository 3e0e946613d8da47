//! A Telegram Bot API emulator for tests.
//!
//! It owns a small, stateful stand-in for `api.telegram.org`: an HTTP server on 127.0.0.1
//! (a task of the current tokio runtime) answering `/bot<TOKEN>/<method>` with the JSON
//! shapes teloxide-core 0.13 deserializes, and a world of users, chats (private chats and
//! supergroups, forum or not), forum topics and messages. Tests script what users do
//! ([`BotApi::send_text`], [`BotApi::press_button`]…, each queued as an `Update` for
//! getUpdates or a webhook) and observe what the bot did ([`BotApi::messages`],
//! [`BotApi::calls`]…). The bot under test may be a `teloxide::Bot` from [`BotApi::bot`] in the
//! same process, or another process (`lendesk run` with `TELOXIDE_API_URL=<url()>` and
//! `TELOXIDE_TOKEN=`[`TOKEN`]).
//!
//! Like Telegram it rejects what Telegram rejects: malformed HTML/MarkdownV2, text over 4096
//! characters, unknown chats and topics, blocked users, edits that change nothing, deleting
//! twice, unanswerable callback queries. Faults and latency can be injected. Telegram's flood
//! limits are off unless a test sets them ([`BotApi::set_rate_limits`]): then a message over
//! one a second to a chat, 30 a second overall or 20 a minute to a group is refused with 429
//! and `retry_after`, as Telegram does.
//!
//! Not emulated: file uploads (multipart text fields, e.g. teloxide's sendPhoto with a
//! file_id, are fine; a file part is refused), inline mode, payments, channels, basic
//! groups, file downloads, and privacy mode (the bot sees every group message).
//!
//! getUpdates holds a long poll for its whole `timeout` when there is nothing to deliver, as
//! Telegram does (an update ends it at once).
#![allow(dead_code)]

mod markup;
mod methods;
mod rate_limits;
mod server;
mod state;

pub use rate_limits::RateLimits;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use url::Url;

use state::{ApiErr, Shared};

/// The only token the emulator accepts; any other gets 401 Unauthorized.
pub const TOKEN: &str = "123456:TEST-token-for-emulator";
/// The bot's user id (getMe).
pub const BOT_ID: u64 = 777_000_111;
pub const BOT_USERNAME: &str = "lendesk_test_bot";
pub const BOT_FIRST_NAME: &str = "lendesk";

/// A Telegram user of the emulated world. Their private chat with the bot has the same id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TgUser {
    pub id: u64,
    pub first_name: String,
    pub username: Option<String>,
    pub language_code: Option<String>,
}

/// A supergroup of the emulated world (a forum when `forum`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TgChat {
    pub id: i64,
    pub title: String,
    pub forum: bool,
}

/// A forum topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub thread: i32,
    pub name: String,
    pub icon_color: u32,
    pub icon_custom_emoji_id: Option<String>,
    pub closed: bool,
    pub deleted: bool,
}

/// What a message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgKind {
    Text,
    Photo,
    Document,
    Sticker,
    /// The forum_topic_created service message (never listed by `messages`).
    TopicCreated,
}

/// A message as the emulator stored it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    pub chat: i64,
    pub message_id: i32,
    /// The forum topic (None outside forums and in the General topic).
    pub thread: Option<i32>,
    pub kind: MsgKind,
    /// The text (or caption) as the user sees it: tags stripped, entities decoded.
    pub text: String,
    /// The text (or caption) as sent, markup included. For copies and forwards: the
    /// source's visible text.
    pub raw: String,
    pub parse_mode: Option<String>,
    /// MessageEntity JSON (offsets in UTF-16 code units).
    pub entities: Vec<Value>,
    pub reply_markup: Option<Value>,
    /// The message replied to (same chat).
    pub reply_to: Option<i32>,
    /// Text or caption edited since sent.
    pub edited: bool,
    /// The method that made it ("sendMessage", "copyMessage"…; "user" for users' messages).
    pub method: String,
    pub file_id: Option<String>,
    /// For copies and forwards: (chat, message id) of the original.
    pub source: Option<(i64, i32)>,
}

impl Sent {
    /// Inline keyboard buttons in order, as (label, callback_data); a URL button gives its URL.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.button_rows().into_iter().flatten().collect()
    }

    /// Inline keyboard buttons row by row.
    pub fn button_rows(&self) -> Vec<Vec<(String, String)>> {
        let Some(rows) = self
            .reply_markup
            .as_ref()
            .and_then(|m| m.get("inline_keyboard"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        rows.iter()
            .map(|row| {
                row.as_array()
                    .map(|buttons| {
                        buttons
                            .iter()
                            .map(|b| {
                                let label = b["text"].as_str().unwrap_or_default().to_owned();
                                let data = b["callback_data"]
                                    .as_str()
                                    .or_else(|| b["url"].as_str())
                                    .unwrap_or_default()
                                    .to_owned();
                                (label, data)
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// How a request ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Still running (a long poll) or the client went away.
    Pending,
    Ok(Value),
    Err {
        code: u16,
        description: String,
    },
}

/// One request the emulator received.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The method, first letter lowercased ("sendMessage"; teloxide sends "SendMessage").
    pub method: String,
    /// All parameters as one object (form and multipart values are strings).
    pub params: Value,
    /// When it arrived, since the emulator started.
    pub at: Duration,
    pub outcome: Outcome,
}

impl Call {
    pub fn ok(&self) -> bool {
        matches!(self.outcome, Outcome::Ok(_))
    }

    pub fn error(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Err { description, .. } => Some(description),
            _ => None,
        }
    }

    pub fn result(&self) -> Option<&Value> {
        match &self.outcome {
            Outcome::Ok(v) => Some(v),
            _ => None,
        }
    }

    /// A parameter as text (numbers and booleans converted).
    pub fn param(&self, key: &str) -> Option<String> {
        match self.params.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            v => Some(v.to_string()),
        }
    }
}

/// The handle tests hold: cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct BotApi {
    shared: Arc<Shared>,
    url: Url,
}

fn auto_entities(text: &str) -> Vec<Value> {
    let command: String = text.split_whitespace().next().unwrap_or("").to_owned();
    let valid = command.len() > 1
        && command.starts_with('/')
        && command[1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@');
    if valid && text.starts_with('/') {
        vec![json!({"type": "bot_command", "offset": 0, "length": markup::utf16_len(&command)})]
    } else {
        Vec::new()
    }
}

impl BotApi {
    /// Starts an emulator on 127.0.0.1 (an ephemeral port) in the current tokio runtime.
    pub async fn start() -> BotApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the Bot API emulator on 127.0.0.1");
        let addr = listener.local_addr().expect("the emulator's address");
        let shared = Arc::new(Shared::new());
        server::spawn(shared.clone(), listener);
        let url = Url::parse(&format!("http://{addr}/")).expect("the emulator's URL");
        BotApi { shared, url }
    }

    /// The base URL for `Bot::set_api_url` and `TELOXIDE_API_URL` (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> Url {
        self.url.clone()
    }

    /// A teloxide Bot with [`TOKEN`] pointed at this emulator.
    pub fn bot(&self) -> teloxide::Bot {
        teloxide::Bot::new(TOKEN).set_api_url(self.url())
    }

    // --- world setup --------------------------------------------------------------------------

    /// Adds a user (who has started the bot: their private chat `id` exists).
    pub fn add_user(
        &self,
        id: u64,
        first_name: &str,
        username: Option<&str>,
        language_code: Option<&str>,
    ) -> TgUser {
        assert!(
            id > 0 && id != BOT_ID && id <= i64::MAX as u64,
            "bad user id {id}"
        );
        let user = TgUser {
            id,
            first_name: first_name.to_owned(),
            username: username.map(str::to_owned),
            language_code: language_code.map(str::to_owned),
        };
        self.shared.lock().users.insert(id, user.clone());
        user
    }

    /// Adds a supergroup (ids are negative, e.g. -100…) where the bot is an administrator
    /// (`set_member(chat, BOT_ID, "member")` makes it a plain member, who cannot delete
    /// others' messages).
    pub fn add_group(&self, id: i64, title: &str, forum: bool) -> TgChat {
        assert!(id < 0, "group ids are negative, got {id}");
        let chat = TgChat {
            id,
            title: title.to_owned(),
            forum,
        };
        self.shared.lock().groups.insert(id, chat.clone());
        chat
    }

    /// Adds a topic to a forum as if staff had created it; returns its thread id.
    pub fn add_topic(&self, chat: i64, name: &str) -> i32 {
        let mut st = self.shared.lock();
        assert!(st.is_forum(chat), "chat {chat} is not a registered forum");
        st.add_topic(chat, name, 7_322_096, BOT_ID)
    }

    /// From now on the user has blocked the bot: sending to them gets 403.
    pub fn block_bot(&self, user: u64) {
        self.shared.lock().blocked.insert(user);
    }

    pub fn unblock_bot(&self, user: u64) {
        self.shared.lock().blocked.remove(&user);
    }

    /// Sets a user's status in a group for getChatMember: "creator", "administrator",
    /// "member", "restricted", "left" or "kicked". Unregistered users are "left".
    pub fn set_member(&self, chat: i64, user: u64, status: &str) {
        assert!(
            [
                "creator",
                "administrator",
                "member",
                "restricted",
                "left",
                "kicked"
            ]
            .contains(&status),
            "unknown chat member status {status:?}"
        );
        self.shared
            .lock()
            .members
            .insert((chat, user), status.to_owned());
    }

    /// Registers every user as a member of `chat` with `status` (a staff roster).
    pub fn set_members(&self, chat: i64, users: &[u64], status: &str) {
        for user in users {
            self.set_member(chat, *user, status);
        }
    }

    // --- what users do ------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn user_message(
        &self,
        from: &TgUser,
        chat: i64,
        thread: Option<i32>,
        reply_to: Option<i32>,
        kind: MsgKind,
        text: &str,
        file_id: Option<String>,
    ) -> i32 {
        let id = {
            let mut st = self.shared.lock();
            assert!(
                st.users.contains_key(&from.id),
                "user {} was never added",
                from.id
            );
            assert!(st.is_known_chat(chat), "chat {chat} was never added");
            assert!(
                chat < 0 || chat as u64 == from.id,
                "a private chat's id is the user's id: {} cannot write in chat {chat}",
                from.id
            );
            if let Some(t) = thread {
                assert!(
                    st.is_forum(chat),
                    "chat {chat} is not a forum: no thread {t}"
                );
                assert!(
                    st.live_topic(chat, t).is_some(),
                    "no topic {t} in chat {chat}"
                );
            }
            let replied = reply_to.map(|r| {
                st.live_msg(chat, r)
                    .unwrap_or_else(|| panic!("no message {r} in chat {chat} to reply to"))
                    .thread
            });
            let thread = thread.or(replied.flatten()).filter(|_| st.is_forum(chat));
            let mut m = st.new_msg(chat, from.id, kind, "user");
            m.thread = thread;
            m.reply_to = reply_to.map(|r| (chat, r));
            m.text = text.to_owned();
            m.raw = text.to_owned();
            if kind == MsgKind::Text {
                m.entities = auto_entities(text);
            }
            m.file_id = file_id;
            let json = st.msg_json(&m, false);
            let id = m.id;
            st.msgs.insert((chat, id), m);
            st.enqueue("message", json);
            id
        };
        self.shared.notify.notify_waiters();
        id
    }

    /// The user sends text (a private chat when `chat == from.id`); returns its message id.
    pub fn send_text(&self, from: &TgUser, chat: i64, text: &str) -> i32 {
        self.user_message(from, chat, None, None, MsgKind::Text, text, None)
    }

    /// The user writes in a forum topic.
    pub fn send_text_in_thread(&self, from: &TgUser, chat: i64, thread: i32, text: &str) -> i32 {
        self.user_message(from, chat, Some(thread), None, MsgKind::Text, text, None)
    }

    /// The user replies to a message (in a forum, the reply lands in the replied message's
    /// topic when `thread` is None).
    pub fn reply_text(
        &self,
        from: &TgUser,
        chat: i64,
        thread: Option<i32>,
        reply_to: i32,
        text: &str,
    ) -> i32 {
        self.user_message(
            from,
            chat,
            thread,
            Some(reply_to),
            MsgKind::Text,
            text,
            None,
        )
    }

    /// The user sends a photo (file id "photo-CHAT-N").
    pub fn send_photo(
        &self,
        from: &TgUser,
        chat: i64,
        thread: Option<i32>,
        caption: Option<&str>,
    ) -> i32 {
        self.send_file(from, chat, thread, caption, MsgKind::Photo, "photo")
    }

    /// The user sends a document (file id "doc-CHAT-N").
    pub fn send_document(
        &self,
        from: &TgUser,
        chat: i64,
        thread: Option<i32>,
        caption: Option<&str>,
    ) -> i32 {
        self.send_file(from, chat, thread, caption, MsgKind::Document, "doc")
    }

    /// A captioned file message with the file id "PREFIX-CHAT-N".
    fn send_file(
        &self,
        from: &TgUser,
        chat: i64,
        thread: Option<i32>,
        caption: Option<&str>,
        kind: MsgKind,
        prefix: &str,
    ) -> i32 {
        let file = format!(
            "{prefix}-{}-{}",
            chat.unsigned_abs(),
            self.shared.lock().next_update
        );
        self.user_message(
            from,
            chat,
            thread,
            None,
            kind,
            caption.unwrap_or(""),
            Some(file),
        )
    }

    /// The user sends a sticker.
    pub fn send_sticker(&self, from: &TgUser, chat: i64) -> i32 {
        let file = format!("sticker-{}", self.shared.lock().next_update);
        self.user_message(from, chat, None, None, MsgKind::Sticker, "", Some(file))
    }

    /// The user edits their text message (an `edited_message` update).
    pub fn edit_text(&self, from: &TgUser, chat: i64, message_id: i32, new_text: &str) {
        {
            let mut st = self.shared.lock();
            let Some(m) = st.msgs.get_mut(&(chat, message_id)).filter(|m| !m.deleted) else {
                panic!("no message {message_id} in chat {chat} to edit");
            };
            assert_eq!(
                m.from, from.id,
                "message {message_id} is not from user {}",
                from.id
            );
            assert_eq!(m.kind, MsgKind::Text, "message {message_id} has no text");
            m.text = new_text.to_owned();
            m.raw = new_text.to_owned();
            m.entities = auto_entities(new_text);
            m.edit_date = Some(state::now_unix());
            let m = m.clone();
            let json = st.msg_json(&m, false);
            st.enqueue("edited_message", json);
        }
        self.shared.notify.notify_waiters();
    }

    /// The user presses an inline button; the message must currently show a button with
    /// this callback data. Returns the callback query id.
    pub fn press_button(&self, from: &TgUser, chat: i64, message_id: i32, data: &str) -> String {
        let sent = self.message(chat, message_id).unwrap_or_else(|| {
            panic!("no message {message_id} in chat {chat} to press a button on")
        });
        let buttons = sent.buttons();
        assert!(
            buttons.iter().any(|(_, d)| d == data),
            "message {message_id} in chat {chat} has no button with callback data {data:?}; \
             its buttons: {buttons:?}"
        );
        self.press_button_unchecked(from, chat, message_id, data)
    }

    /// Like `press_button` without checking the button exists (stale or forged data).
    pub fn press_button_unchecked(
        &self,
        from: &TgUser,
        chat: i64,
        message_id: i32,
        data: &str,
    ) -> String {
        let id = {
            let mut st = self.shared.lock();
            let message = match st.live_msg(chat, message_id) {
                Some(m) => st.msg_json(m, false),
                // An inaccessible message: date 0.
                None => json!({"chat": st.chat_json(chat), "message_id": message_id, "date": 0}),
            };
            let id = st.new_callback();
            let query = json!({
                "id": id,
                "from": st.user_json(from.id),
                "message": message,
                "chat_instance": format!("{}", chat.unsigned_abs() ^ 0x5eed),
                "data": data,
            });
            st.enqueue("callback_query", query);
            id
        };
        self.shared.notify.notify_waiters();
        id
    }

    // --- observing ----------------------------------------------------------------------------

    /// The time since the emulator started (the clock of [`Call::at`]).
    pub fn elapsed(&self) -> Duration {
        self.shared.started.elapsed()
    }

    /// Every request so far, in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// The requests to one method (case-insensitive).
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        let st = self.shared.lock();
        st.calls
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case(method))
            .cloned()
            .collect()
    }

    /// Methods called that the emulator does not know (each answered 404).
    pub fn unknown_methods(&self) -> Vec<String> {
        self.shared.lock().unknown.clone()
    }

    /// The bot's messages now in a chat (deleted ones excluded), by message id.
    pub fn messages(&self, chat: i64) -> Vec<Sent> {
        let st = self.shared.lock();
        st.msgs
            .range((chat, i32::MIN)..=(chat, i32::MAX))
            .map(|(_, m)| m)
            .filter(|m| m.from == BOT_ID && !m.deleted && m.kind != MsgKind::TopicCreated)
            .map(state::Msg::to_sent)
            .collect()
    }

    /// The bot's messages now in a forum topic.
    pub fn messages_in_thread(&self, chat: i64, thread: i32) -> Vec<Sent> {
        self.messages(chat)
            .into_iter()
            .filter(|m| m.thread == Some(thread))
            .collect()
    }

    /// Every message now in a chat, the users' included (no service messages).
    pub fn history(&self, chat: i64) -> Vec<Sent> {
        let st = self.shared.lock();
        st.msgs
            .range((chat, i32::MIN)..=(chat, i32::MAX))
            .map(|(_, m)| m)
            .filter(|m| !m.deleted && m.kind != MsgKind::TopicCreated)
            .map(state::Msg::to_sent)
            .collect()
    }

    /// Any message (bot's or user's) not deleted.
    pub fn message(&self, chat: i64, message_id: i32) -> Option<Sent> {
        self.shared
            .lock()
            .live_msg(chat, message_id)
            .map(state::Msg::to_sent)
    }

    /// The live topics of a forum: (thread id, name).
    pub fn topics(&self, chat: i64) -> Vec<(i32, String)> {
        let st = self.shared.lock();
        st.topics
            .range((chat, i32::MIN)..=(chat, i32::MAX))
            .filter(|(_, t)| !t.deleted)
            .map(|(_, t)| (t.thread, t.name.clone()))
            .collect()
    }

    /// One topic, with its closed/deleted flags.
    pub fn topic(&self, chat: i64, thread: i32) -> Option<Topic> {
        self.shared.lock().topics.get(&(chat, thread)).cloned()
    }

    /// Ids of deleted messages in a chat (the bot's and users').
    pub fn deleted(&self, chat: i64) -> Vec<i32> {
        let st = self.shared.lock();
        st.msgs
            .range((chat, i32::MIN)..=(chat, i32::MAX))
            .filter(|(_, m)| m.deleted)
            .map(|(_, m)| m.id)
            .collect()
    }

    /// Updates queued and not yet confirmed (getUpdates offset) or delivered (webhook).
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().updates.len()
    }

    /// getUpdates requests that got as far as waiting for updates (each one terminates the
    /// long poll before it, as on Telegram).
    pub fn long_polls(&self) -> u64 {
        self.shared.lock().poll_gen
    }

    /// Updates never queued because the bot's allowed_updates excluded their kind.
    pub fn dropped_updates(&self) -> Vec<Value> {
        self.shared.lock().dropped.clone()
    }

    /// How the bot answered a callback query (the answerCallbackQuery parameters), if it did.
    pub fn callback_answer(&self, callback_id: &str) -> Option<Value> {
        self.shared
            .lock()
            .callbacks
            .get(callback_id)
            .and_then(|c| c.answer.clone())
    }

    /// Commands set for a scope key ("default", "all_private_chats", "chat:ID",
    /// "chat_member:CHAT:USER"…) and language ("" for none), as (command, description).
    pub fn commands(&self, scope: &str, language_code: &str) -> Vec<(String, String)> {
        let st = self.shared.lock();
        st.commands
            .get(&(scope.to_owned(), language_code.to_owned()))
            .map(|list| {
                list.iter()
                    .map(|c| {
                        (
                            c["command"].as_str().unwrap_or_default().to_owned(),
                            c["description"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The webhook URL, while one is set.
    pub fn webhook(&self) -> Option<String> {
        self.shared.lock().webhook.as_ref().map(|w| w.url.clone())
    }

    /// The menu button set for a chat (None: the default one).
    pub fn menu_button(&self, chat: Option<i64>) -> Option<Value> {
        self.shared.lock().menu_buttons.get(&chat).cloned()
    }

    /// A user's status in a chat as getChatMember reports it.
    pub fn member_status(&self, chat: i64, user: u64) -> String {
        self.shared.lock().member_status(chat, user)
    }

    /// The last `n` calls, one a line, for failure messages.
    pub fn dump_calls(&self, n: usize) -> String {
        let calls = self.calls();
        let skip = calls.len().saturating_sub(n);
        let mut out = format!(
            "last {} of {} Bot API calls:\n",
            calls.len() - skip,
            calls.len()
        );
        for c in &calls[skip..] {
            let mut params = c.params.to_string();
            if params.len() > 300 {
                let cut = (0..=300)
                    .rev()
                    .find(|i| params.is_char_boundary(*i))
                    .unwrap_or(0);
                params.truncate(cut);
                params.push('…');
            }
            let outcome = match &c.outcome {
                Outcome::Pending => "pending".to_owned(),
                Outcome::Ok(_) => "ok".to_owned(),
                Outcome::Err { code, description } => format!("{code} {description}"),
            };
            out.push_str(&format!(
                "  +{:.3}s {} {params} -> {outcome}\n",
                c.at.as_secs_f64(),
                c.method
            ));
        }
        out
    }

    /// Polls `f` every 20 ms until it gives a value; on timeout panics with `what` and the
    /// last 30 calls.
    pub async fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        f: impl Fn(&BotApi) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = f(self) {
                return v;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}\n{}",
                    self.dump_calls(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// [`BotApi::wait_for`] for a condition that must be awaited (a store read).
    pub async fn wait_until<T, F: std::future::Future<Output = Option<T>>>(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut() -> F,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = f().await {
                return v;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}\n{}",
                    self.dump_calls(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // --- faults -------------------------------------------------------------------------------

    /// The next `times` calls of `method` fail with `code` and `description` (plus
    /// `parameters.retry_after` when given). A 5xx makes teloxide sleep 10 s before it
    /// reports the error.
    pub fn fail_next(
        &self,
        method: &str,
        times: usize,
        code: u16,
        description: &str,
        retry_after: Option<u32>,
    ) {
        let mut st = self.shared.lock();
        let queue = st.faults.entry(method.to_ascii_lowercase()).or_default();
        for _ in 0..times {
            queue.push_back(ApiErr {
                code,
                description: description.to_owned(),
                retry_after,
            });
        }
    }

    /// Every request waits this long before it is handled.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// Turns Telegram's flood limits on (`Some`, e.g. [`RateLimits::telegram`]) or off
    /// (`None`, the default). They apply to the methods that send a message (sendMessage,
    /// sendPhoto, sendDocument, sendSticker, copyMessage, forwardMessage): one over a limit gets
    /// 429 "Too Many Requests: retry after N" with `parameters.retry_after` N, the whole
    /// seconds until it would fit, and has no effect. Messages sent while the limits were off
    /// count in their windows too.
    pub fn set_rate_limits(&self, limits: Option<RateLimits>) {
        self.shared.lock().rate_limits = limits;
    }

    /// Requests refused so far for going over the rate limits (each is also in [`Self::calls`]
    /// as a failed call with code 429).
    pub fn rate_limited(&self) -> u64 {
        self.shared.lock().rate_limited
    }
}
