//! The emulated world: users, chats, topics, every message (the bot's and the users'), the
//! update queue, and what the bot configured. Also the JSON shapes teloxide-core 0.13
//! deserializes (User, Chat, Message, Update…).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use tokio::sync::Notify;

use super::rate_limits::SendLog;
use super::{
    BOT_FIRST_NAME, BOT_ID, BOT_USERNAME, Call, MsgKind, RateLimits, Sent, TgChat, TgUser, Topic,
};

/// A Bot API error: the HTTP status and `error_code`, the description, and `retry_after`.
#[derive(Clone, Debug)]
pub(crate) struct ApiErr {
    pub code: u16,
    pub description: String,
    pub retry_after: Option<u32>,
}

impl ApiErr {
    pub fn new(code: u16, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            retry_after: None,
        }
    }

    /// A 400 "Bad Request: …".
    pub fn bad(detail: impl std::fmt::Display) -> Self {
        Self::new(400, format!("Bad Request: {detail}"))
    }
}

/// One stored message, in any chat, from the bot or a user.
#[derive(Clone, Debug)]
pub(crate) struct Msg {
    pub chat: i64,
    pub id: i32,
    pub thread: Option<i32>,
    pub from: u64,
    pub date: i64,
    pub kind: MsgKind,
    /// Visible text or caption.
    pub text: String,
    /// Text or caption as the sender wrote it (with markup).
    pub raw: String,
    pub entities: Vec<Value>,
    pub parse_mode: Option<String>,
    pub file_id: Option<String>,
    pub reply_markup: Option<Value>,
    pub reply_to: Option<(i64, i32)>,
    pub edit_date: Option<i64>,
    pub deleted: bool,
    pub method: String,
    pub source: Option<(i64, i32)>,
    pub forward_origin: Option<Value>,
    /// Topic name and icon color, for the forum_topic_created service message.
    pub topic: Option<(String, u32)>,
}

impl Msg {
    pub fn to_sent(&self) -> Sent {
        Sent {
            chat: self.chat,
            message_id: self.id,
            thread: self.thread,
            kind: self.kind,
            text: self.text.clone(),
            raw: self.raw.clone(),
            parse_mode: self.parse_mode.clone(),
            entities: self.entities.clone(),
            reply_markup: self.reply_markup.clone(),
            reply_to: self.reply_to.map(|(_, id)| id),
            edited: self.edit_date.is_some(),
            method: self.method.clone(),
            file_id: self.file_id.clone(),
            source: self.source,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Webhook {
    pub url: String,
    pub secret: Option<String>,
    /// Deliveries at once (`max_connections`, Telegram's default 40); one chat's updates
    /// still go one at a time, in order.
    pub max_connections: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct CallbackRec {
    pub answer: Option<Value>,
}

#[derive(Default)]
pub(crate) struct State {
    pub users: BTreeMap<u64, TgUser>,
    pub groups: BTreeMap<i64, TgChat>,
    pub blocked: BTreeSet<u64>,
    pub next_id: HashMap<i64, i32>,
    pub msgs: BTreeMap<(i64, i32), Msg>,
    pub topics: BTreeMap<(i64, i32), Topic>,
    pub updates: VecDeque<(u32, Value)>,
    pub next_update: u32,
    pub dropped: Vec<Value>,
    pub allowed_updates: Option<Vec<String>>,
    pub poll_gen: u64,
    pub webhook: Option<Webhook>,
    pub webhook_error: Option<(i64, String)>,
    pub commands: BTreeMap<(String, String), Vec<Value>>,
    pub menu_buttons: BTreeMap<Option<i64>, Value>,
    pub bot_settings: BTreeMap<String, Value>,
    pub members: HashMap<(i64, u64), String>,
    pub calls: Vec<Call>,
    pub unknown: Vec<String>,
    pub faults: HashMap<String, VecDeque<ApiErr>>,
    pub latency: Duration,
    /// Telegram's flood limits, when a test turned them on.
    pub rate_limits: Option<RateLimits>,
    pub send_log: SendLog,
    /// Requests refused for going over `rate_limits`.
    pub rate_limited: u64,
    pub callbacks: BTreeMap<String, CallbackRec>,
    pub next_callback: u64,
}

/// Everything the server and the test handle share.
pub(crate) struct Shared {
    state: Mutex<State>,
    pub notify: Notify,
    pub started: Instant,
}

impl Shared {
    pub fn new() -> Self {
        let state = State {
            next_update: 1,
            next_callback: 1,
            ..State::default()
        };
        Self {
            state: Mutex::new(state),
            notify: Notify::new(),
            started: Instant::now(),
        }
    }

    /// The state; a panic elsewhere while it was held does not make it unusable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1_700_000_000, |d| d.as_secs() as i64)
}

/// The update kinds a bot gets when it never chose (Bot API default).
const NOT_BY_DEFAULT: &[&str] = &["chat_member", "message_reaction", "message_reaction_count"];

impl State {
    // --- the world ----------------------------------------------------------------------------

    pub fn is_known_chat(&self, chat: i64) -> bool {
        if chat > 0 {
            self.users.contains_key(&(chat as u64))
        } else {
            self.groups.contains_key(&chat)
        }
    }

    pub fn is_forum(&self, chat: i64) -> bool {
        self.groups.get(&chat).is_some_and(|g| g.forum)
    }

    pub fn is_blocked(&self, chat: i64) -> bool {
        chat > 0 && self.blocked.contains(&(chat as u64))
    }

    pub fn alloc_id(&mut self, chat: i64) -> i32 {
        let next = self.next_id.entry(chat).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }

    /// A fresh message in `chat` from `from`, not yet stored.
    pub fn new_msg(&mut self, chat: i64, from: u64, kind: MsgKind, method: &str) -> Msg {
        Msg {
            chat,
            id: self.alloc_id(chat),
            thread: None,
            from,
            date: now_unix(),
            kind,
            text: String::new(),
            raw: String::new(),
            entities: Vec::new(),
            parse_mode: None,
            file_id: None,
            reply_markup: None,
            reply_to: None,
            edit_date: None,
            deleted: false,
            method: method.to_owned(),
            source: None,
            forward_origin: None,
            topic: None,
        }
    }

    pub fn live_msg(&self, chat: i64, id: i32) -> Option<&Msg> {
        self.msgs.get(&(chat, id)).filter(|m| !m.deleted)
    }

    /// Whether the bot may delete others' messages in `chat` (an administrator or the owner).
    pub fn bot_can_delete(&self, chat: i64) -> bool {
        chat > 0
            || matches!(
                self.member_status(chat, BOT_ID).as_str(),
                "administrator" | "creator"
            )
    }

    pub fn live_topic(&self, chat: i64, thread: i32) -> Option<&Topic> {
        self.topics.get(&(chat, thread)).filter(|t| !t.deleted)
    }

    pub fn member_status(&self, chat: i64, user: u64) -> String {
        if user == BOT_ID {
            // The bot is an administrator unless a test made it something else.
            return self
                .members
                .get(&(chat, user))
                .cloned()
                .unwrap_or_else(|| "administrator".into());
        }
        if chat > 0 {
            return if chat as u64 == user {
                "member".into()
            } else {
                "left".into()
            };
        }
        self.members
            .get(&(chat, user))
            .cloned()
            .unwrap_or_else(|| "left".into())
    }

    // --- updates ------------------------------------------------------------------------------

    /// Queues an update of `kind` (e.g. "message"). The caller notifies waiters.
    pub fn enqueue(&mut self, kind: &str, payload: Value) {
        let id = self.next_update;
        self.next_update += 1;
        let mut update = Map::new();
        update.insert("update_id".into(), json!(id));
        update.insert(kind.into(), payload);
        let update = Value::Object(update);
        let allowed = match &self.allowed_updates {
            Some(list) => list.iter().any(|k| k == kind),
            None => !NOT_BY_DEFAULT.contains(&kind),
        };
        if allowed {
            self.updates.push_back((id, update));
        } else {
            self.dropped.push(update);
        }
    }

    /// getUpdates' `offset`: forget confirmed updates.
    pub fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            self.updates.retain(|(id, _)| i64::from(*id) >= offset);
        } else if offset < 0 {
            let keep = offset.unsigned_abs() as usize;
            while self.updates.len() > keep {
                self.updates.pop_front();
            }
        }
    }

    // --- JSON ---------------------------------------------------------------------------------

    pub fn bot_user_json() -> Value {
        json!({
            "id": BOT_ID,
            "is_bot": true,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        })
    }

    pub fn user_json(&self, id: u64) -> Value {
        if id == BOT_ID {
            return Self::bot_user_json();
        }
        match self.users.get(&id) {
            Some(u) => {
                let mut v = json!({"id": u.id, "is_bot": false, "first_name": u.first_name});
                if let Some(name) = &u.username {
                    v["username"] = json!(name);
                }
                if let Some(lang) = &u.language_code {
                    v["language_code"] = json!(lang);
                }
                v
            }
            None => json!({"id": id, "is_bot": false, "first_name": format!("User {id}")}),
        }
    }

    pub fn known_user_json(&self, id: u64) -> Option<Value> {
        (id == BOT_ID || self.users.contains_key(&id)).then(|| self.user_json(id))
    }

    /// `Chat` (the short form carried in messages).
    pub fn chat_json(&self, chat: i64) -> Value {
        if let Some(g) = self.groups.get(&chat) {
            let mut v = json!({"id": chat, "type": "supergroup", "title": g.title});
            if g.forum {
                v["is_forum"] = json!(true);
            }
            return v;
        }
        let mut v = json!({"id": chat, "type": "private"});
        let u = self.users.get(&(chat as u64));
        v["first_name"] = json!(u.map_or_else(|| format!("User {chat}"), |u| u.first_name.clone()));
        if let Some(name) = u.and_then(|u| u.username.clone()) {
            v["username"] = json!(name);
        }
        v
    }

    /// `ChatFullInfo` (getChat). teloxide-core 0.13 requires `accepted_gift_types` and
    /// `max_reaction_count`; `accent_color_id` is sent as Telegram does.
    pub fn chat_full_json(&self, chat: i64) -> Value {
        let mut v = self.chat_json(chat);
        v["accent_color_id"] = json!(0);
        v["max_reaction_count"] = json!(11);
        v["accepted_gift_types"] = json!({
            "unlimited_gifts": false,
            "limited_gifts": false,
            "unique_gifts": false,
            "premium_subscription": false,
        });
        if self.groups.contains_key(&chat) {
            v["permissions"] = json!({
                "can_send_messages": true,
                "can_send_audios": true,
                "can_send_documents": true,
                "can_send_photos": true,
                "can_send_videos": true,
                "can_send_video_notes": true,
                "can_send_voice_notes": true,
                "can_send_polls": true,
                "can_send_other_messages": true,
                "can_add_web_page_previews": true,
                "can_change_info": false,
                "can_invite_users": true,
                "can_pin_messages": false,
                "can_manage_topics": false,
            });
        }
        v
    }

    pub fn chat_member_json(&self, chat: i64, user: u64) -> Value {
        let status = self.member_status(chat, user);
        let mut v = json!({"user": self.user_json(user), "status": status});
        match status.as_str() {
            "creator" => v["is_anonymous"] = json!(false),
            "administrator" => {
                for (k, val) in [
                    ("can_be_edited", false),
                    ("is_anonymous", false),
                    ("can_manage_chat", true),
                    ("can_change_info", true),
                    ("can_delete_messages", true),
                    ("can_manage_video_chats", true),
                    ("can_invite_users", true),
                    ("can_restrict_members", true),
                    ("can_pin_messages", true),
                    ("can_manage_topics", true),
                    ("can_promote_members", false),
                    ("can_post_stories", false),
                    ("can_edit_stories", false),
                    ("can_delete_stories", false),
                ] {
                    v[k] = json!(val);
                }
            }
            "restricted" => {
                v["until_date"] = json!(0);
                v["is_member"] = json!(true);
                for k in [
                    "can_send_messages",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_manage_topics",
                ] {
                    v[k] = json!(false);
                }
            }
            "kicked" => v["until_date"] = json!(0),
            _ => {}
        }
        v
    }

    fn photo_json(file_id: &str) -> Value {
        json!([
            {"file_id": format!("{file_id}-s"), "file_unique_id": format!("u-{file_id}-s"),
             "file_size": 1_200, "width": 90, "height": 90},
            {"file_id": file_id, "file_unique_id": format!("u-{file_id}"),
             "file_size": 48_000, "width": 800, "height": 800},
        ])
    }

    /// A full `Message`. `nested` messages (inside reply_to_message) carry no reply of their own.
    pub fn msg_json(&self, m: &Msg, nested: bool) -> Value {
        let mut v = json!({
            "message_id": m.id,
            "date": m.date,
            "chat": self.chat_json(m.chat),
            "from": self.user_json(m.from),
        });
        let in_topic = m.thread.filter(|_| self.is_forum(m.chat));
        if let Some(thread) = in_topic {
            v["message_thread_id"] = json!(thread);
            v["is_topic_message"] = json!(true);
        }
        if !nested {
            // In a topic, a message that replies to nothing replies to the topic's creation.
            let target = m
                .reply_to
                .or_else(|| in_topic.filter(|t| *t != m.id).map(|t| (m.chat, t)));
            if let Some(target) = target.and_then(|(c, id)| self.live_msg(c, id)) {
                v["reply_to_message"] = self.msg_json(target, true);
            }
        }
        if let Some(date) = m.edit_date {
            v["edit_date"] = json!(date);
        }
        let entities = json!(m.entities);
        match m.kind {
            MsgKind::Text => {
                v["text"] = json!(m.text);
                if !m.entities.is_empty() {
                    v["entities"] = entities;
                }
            }
            MsgKind::Photo | MsgKind::Document => {
                let file_id = m.file_id.clone().unwrap_or_else(|| "file".into());
                if m.kind == MsgKind::Photo {
                    v["photo"] = Self::photo_json(&file_id);
                } else {
                    v["document"] = json!({
                        "file_id": file_id,
                        "file_unique_id": format!("u-{file_id}"),
                        "file_size": 10_000,
                    });
                }
                if !m.text.is_empty() {
                    v["caption"] = json!(m.text);
                    if !m.entities.is_empty() {
                        v["caption_entities"] = entities;
                    }
                }
            }
            MsgKind::Sticker => {
                let file_id = m.file_id.clone().unwrap_or_else(|| "sticker".into());
                v["sticker"] = json!({
                    "file_id": file_id,
                    "file_unique_id": format!("u-{file_id}"),
                    "file_size": 20_000,
                    "width": 512,
                    "height": 512,
                    "type": "regular",
                    "is_animated": false,
                    "is_video": false,
                    "emoji": "👍",
                });
            }
            MsgKind::TopicCreated => {
                let (name, color) = m.topic.clone().unwrap_or_default();
                v["forum_topic_created"] = json!({"name": name, "icon_color": color});
            }
        }
        if let Some(markup) = m
            .reply_markup
            .as_ref()
            .filter(|r| r.get("inline_keyboard").is_some())
        {
            v["reply_markup"] = markup.clone();
        }
        if let Some(origin) = &m.forward_origin {
            v["forward_origin"] = origin.clone();
        }
        v
    }
}
