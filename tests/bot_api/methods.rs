//! The Bot API methods the emulator implements (all but getUpdates, which waits and lives in
//! the server): validation and errors as Telegram words them, effects on the world, and the
//! result JSON.

use serde_json::{Map, Value, json};

use super::markup::{self, Formatted};
use super::state::{ApiErr, CallbackRec, Msg, State, Webhook, now_unix};
use super::{BOT_ID, MsgKind, Topic};

const MESSAGE_NOT_MODIFIED: &str = "message is not modified: specified new message content and \
     reply markup are exactly the same as a current content and reply markup of the message";
const TOPIC_COLORS: [u32; 6] = [
    7_322_096, 16_766_590, 13_338_331, 9_367_192, 16_749_490, 16_478_047,
];
const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

/// Request parameters, from a JSON body, a form, multipart text fields or the query string.
/// Values may arrive as JSON or as strings (forms): the getters accept both.
#[derive(Clone, Debug, Default)]
pub(crate) struct Params(pub Map<String, Value>);

impl Params {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn i64(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// An object or array parameter; forms carry them JSON-encoded.
    pub fn json(&self, key: &str) -> Option<Value> {
        match self.get(key)? {
            Value::String(s) => serde_json::from_str(s).ok(),
            v => Some(v.clone()),
        }
    }

    fn require_str(&self, key: &str) -> Result<String, ApiErr> {
        self.str(key)
            .ok_or_else(|| ApiErr::bad(format!("{key} is empty")))
    }

    fn require_i64(&self, key: &str) -> Result<i64, ApiErr> {
        match self.get(key) {
            None => Err(ApiErr::bad(format!("{key} is empty"))),
            Some(_) => self
                .i64(key)
                .ok_or_else(|| ApiErr::bad(format!("invalid {key} specified"))),
        }
    }
}

fn value_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Runs one method. `Err(None)`-style unknown methods are reported as 404.
pub(crate) fn call(st: &mut State, method: &str, p: &Params) -> Result<Value, ApiErr> {
    match method.to_ascii_lowercase().as_str() {
        "getme" => Ok(json!({
            "id": BOT_ID,
            "is_bot": true,
            "first_name": super::BOT_FIRST_NAME,
            "username": super::BOT_USERNAME,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })),
        "getwebhookinfo" => {
            let mut v = json!({
                "url": st.webhook.as_ref().map_or(String::new(), |w| w.url.clone()),
                "has_custom_certificate": false,
                "pending_update_count": st.updates.len(),
            });
            if let Some((date, msg)) = &st.webhook_error {
                v["last_error_date"] = json!(date);
                v["last_error_message"] = json!(msg);
            }
            if let Some(list) = &st.allowed_updates {
                v["allowed_updates"] = json!(list);
            }
            Ok(v)
        }
        "setwebhook" => set_webhook(st, p),
        "deletewebhook" => {
            st.webhook = None;
            if p.bool("drop_pending_updates") {
                st.updates.clear();
            }
            Ok(json!(true))
        }
        "setmycommands" => set_my_commands(st, p),
        "getmycommands" => {
            let key = (
                scope_key(p.json("scope").as_ref()),
                p.str("language_code").unwrap_or_default(),
            );
            Ok(json!(st.commands.get(&key).cloned().unwrap_or_default()))
        }
        "deletemycommands" => {
            let key = (
                scope_key(p.json("scope").as_ref()),
                p.str("language_code").unwrap_or_default(),
            );
            st.commands.remove(&key);
            Ok(json!(true))
        }
        "setchatmenubutton" => {
            let chat = match p.get("chat_id") {
                Some(_) => Some(chat_of(st, p, "chat_id")?),
                None => None,
            };
            let button = p
                .json("menu_button")
                .unwrap_or_else(|| json!({"type": "default"}));
            if !matches!(
                button["type"].as_str(),
                Some("default" | "commands" | "web_app")
            ) {
                return Err(ApiErr::bad("can't parse menu button: unknown type"));
            }
            st.menu_buttons.insert(chat, button);
            Ok(json!(true))
        }
        "getchatmenubutton" => {
            let chat = match p.get("chat_id") {
                Some(_) => Some(chat_of(st, p, "chat_id")?),
                None => None,
            };
            Ok(st
                .menu_buttons
                .get(&chat)
                .or_else(|| st.menu_buttons.get(&None))
                .cloned()
                .unwrap_or_else(|| json!({"type": "default"})))
        }
        "setmydescription" | "setmyshortdescription" | "setmyname" => {
            let key = format!("{method}:{}", p.str("language_code").unwrap_or_default());
            st.bot_settings.insert(key, Value::Object(p.0.clone()));
            Ok(json!(true))
        }
        "sendmessage" => send_message(st, p),
        "sendphoto" => send_media(st, p, MsgKind::Photo, "photo", "sendPhoto"),
        "senddocument" => send_media(st, p, MsgKind::Document, "document", "sendDocument"),
        "sendsticker" => send_media(st, p, MsgKind::Sticker, "sticker", "sendSticker"),
        "copymessage" => copy_or_forward(st, p, false),
        "forwardmessage" => copy_or_forward(st, p, true),
        "editmessagetext" => edit_text(st, p, false),
        "editmessagecaption" => edit_text(st, p, true),
        "editmessagereplymarkup" => edit_markup(st, p),
        "deletemessage" => {
            let chat = chat_of(st, p, "chat_id")?;
            let id = p.require_i64("message_id")? as i32;
            let may = st.bot_can_delete(chat);
            match st.msgs.get_mut(&(chat, id)).filter(|m| !m.deleted) {
                Some(m) if m.from != BOT_ID && !may => Err(ApiErr::bad("message can't be deleted")),
                Some(m) => {
                    m.deleted = true;
                    Ok(json!(true))
                }
                None => Err(ApiErr::bad("message to delete not found")),
            }
        }
        "deletemessages" => {
            let chat = chat_of(st, p, "chat_id")?;
            let ids = p
                .json("message_ids")
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            if ids.is_empty() || ids.len() > 100 {
                return Err(ApiErr::bad(
                    "message_ids must contain 1-100 message identifiers",
                ));
            }
            for id in ids.iter().filter_map(value_i64) {
                if let Some(m) = st.msgs.get_mut(&(chat, id as i32)) {
                    m.deleted = true;
                }
            }
            Ok(json!(true))
        }
        "answercallbackquery" => {
            let id = p.require_str("callback_query_id")?;
            match st.callbacks.get_mut(&id).filter(|c| c.answer.is_none()) {
                Some(rec) => {
                    let mut answer = p.0.clone();
                    answer.remove("callback_query_id");
                    rec.answer = Some(Value::Object(answer));
                    Ok(json!(true))
                }
                None => Err(ApiErr::bad(
                    "query is too old and response timeout expired or query id is invalid",
                )),
            }
        }
        "createforumtopic" => create_topic(st, p),
        "editforumtopic" => {
            let (chat, thread) = topic_of(st, p)?;
            let name = p.str("name");
            if let Some(n) = &name
                && (n.is_empty() || n.chars().count() > 128)
            {
                return Err(ApiErr::bad("TOPIC_NAME_INVALID"));
            }
            let emoji = p.str("icon_custom_emoji_id");
            let Some(topic) = st.topics.get_mut(&(chat, thread)) else {
                return Err(ApiErr::bad("message thread not found"));
            };
            let mut changed = false;
            if let Some(n) = name.filter(|n| *n != topic.name) {
                topic.name = n;
                changed = true;
            }
            if let Some(e) = emoji.filter(|e| Some(e) != topic.icon_custom_emoji_id.as_ref()) {
                topic.icon_custom_emoji_id = Some(e);
                changed = true;
            }
            if !changed {
                return Err(ApiErr::bad("TOPIC_NOT_MODIFIED"));
            }
            Ok(json!(true))
        }
        "closeforumtopic" | "reopenforumtopic" => {
            let close = method.eq_ignore_ascii_case("closeForumTopic");
            let (chat, thread) = topic_of(st, p)?;
            let Some(topic) = st.topics.get_mut(&(chat, thread)) else {
                return Err(ApiErr::bad("message thread not found"));
            };
            if topic.closed == close {
                return Err(ApiErr::bad("TOPIC_NOT_MODIFIED"));
            }
            topic.closed = close;
            Ok(json!(true))
        }
        "deleteforumtopic" => {
            let (chat, thread) = topic_of(st, p)?;
            if let Some(topic) = st.topics.get_mut(&(chat, thread)) {
                topic.deleted = true;
            }
            for m in st
                .msgs
                .values_mut()
                .filter(|m| m.chat == chat && m.thread == Some(thread))
            {
                m.deleted = true;
            }
            Ok(json!(true))
        }
        "getchat" => {
            let chat = chat_of(st, p, "chat_id")?;
            Ok(st.chat_full_json(chat))
        }
        "getchatmember" => {
            let chat = chat_of(st, p, "chat_id")?;
            let user = user_of(st, p)?;
            Ok(st.chat_member_json(chat, user))
        }
        "banchatmember" | "unbanchatmember" => {
            let ban = method.eq_ignore_ascii_case("banChatMember");
            let chat = chat_of(st, p, "chat_id")?;
            if chat > 0 {
                return Err(ApiErr::bad(
                    "method is available for supergroup and channel chats only",
                ));
            }
            let user = user_of(st, p)?;
            if user == BOT_ID {
                return Err(ApiErr::bad("can't remove chat owner"));
            }
            let status = st.member_status(chat, user);
            if status == "creator" {
                return Err(ApiErr::bad("can't remove chat owner"));
            }
            if ban {
                st.members.insert((chat, user), "kicked".into());
            } else if status == "kicked" || !p.bool("only_if_banned") {
                // Without only_if_banned, unbanning a member removes them (as Telegram does).
                st.members.insert((chat, user), "left".into());
            }
            Ok(json!(true))
        }
        "sendchataction" => {
            let chat = chat_of(st, p, "chat_id")?;
            let action = p.require_str("action")?;
            if !CHAT_ACTIONS.contains(&action.as_str()) {
                return Err(ApiErr::bad("wrong parameter action in request"));
            }
            check_blocked(st, chat)?;
            target_thread(st, chat, p, None)?;
            Ok(json!(true))
        }
        _ => {
            st.unknown.push(method.to_owned());
            Err(ApiErr::new(404, "Not Found: method not found"))
        }
    }
}

// --- helpers ----------------------------------------------------------------------------------

/// Resolves a chat parameter to a known chat.
fn chat_of(st: &State, p: &Params, key: &str) -> Result<i64, ApiErr> {
    let v = p
        .get(key)
        .ok_or_else(|| ApiErr::bad(format!("{key} is empty")))?;
    let id = value_i64(v).ok_or_else(|| ApiErr::bad("chat not found"))?;
    if st.is_known_chat(id) {
        Ok(id)
    } else {
        Err(ApiErr::bad("chat not found"))
    }
}

fn user_of(st: &State, p: &Params) -> Result<u64, ApiErr> {
    let id = p.require_i64("user_id")?;
    let id = u64::try_from(id).map_err(|_| ApiErr::bad("invalid user_id specified"))?;
    if id == BOT_ID || st.users.contains_key(&id) {
        Ok(id)
    } else {
        Err(ApiErr::bad("user not found"))
    }
}

fn check_blocked(st: &State, chat: i64) -> Result<(), ApiErr> {
    if st.is_blocked(chat) {
        Err(ApiErr::new(403, "Forbidden: bot was blocked by the user"))
    } else {
        Ok(())
    }
}

fn topic_of(st: &State, p: &Params) -> Result<(i64, i32), ApiErr> {
    let chat = chat_of(st, p, "chat_id")?;
    if !st.is_forum(chat) {
        return Err(ApiErr::bad("the chat is not a forum"));
    }
    let thread = p.require_i64("message_thread_id")? as i32;
    if st.live_topic(chat, thread).is_none() {
        return Err(ApiErr::bad("message thread not found"));
    }
    Ok((chat, thread))
}

/// The topic a new message lands in: the given one (which must exist in a forum), else the
/// topic of the message it replies to. Outside forums there are no topics.
fn target_thread(
    st: &State,
    chat: i64,
    p: &Params,
    reply_to: Option<(i64, i32)>,
) -> Result<Option<i32>, ApiErr> {
    if !st.is_forum(chat) {
        return Ok(None);
    }
    if let Some(thread) = p.i64("message_thread_id") {
        let thread = thread as i32;
        if st.live_topic(chat, thread).is_none() {
            return Err(ApiErr::bad("message thread not found"));
        }
        return Ok(Some(thread));
    }
    Ok(reply_to
        .filter(|(c, _)| *c == chat)
        .and_then(|(c, id)| st.msgs.get(&(c, id)))
        .and_then(|m| m.thread))
}

/// reply_parameters (or the legacy reply_to_message_id): the message replied to.
fn reply_target(st: &State, chat: i64, p: &Params) -> Result<Option<(i64, i32)>, ApiErr> {
    let (id, allow, rchat) = if let Some(rp) = p.json("reply_parameters") {
        let id = rp.get("message_id").and_then(value_i64);
        let allow = rp
            .get("allow_sending_without_reply")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let rchat = rp.get("chat_id").and_then(value_i64);
        match id {
            Some(id) => (id, allow, rchat),
            None => return Err(ApiErr::bad("can't parse reply parameters JSON object")),
        }
    } else if let Some(id) = p.i64("reply_to_message_id") {
        (id, p.bool("allow_sending_without_reply"), None)
    } else {
        return Ok(None);
    };
    let rchat = rchat.unwrap_or(chat);
    if st.live_msg(rchat, id as i32).is_some() {
        Ok(Some((rchat, id as i32)))
    } else if allow {
        Ok(None)
    } else {
        Err(ApiErr::bad("message to be replied not found"))
    }
}

const BUTTON_ACTIONS: &[&str] = &[
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

/// Validates reply_markup as Telegram would, returning it parsed.
fn reply_markup(p: &Params) -> Result<Option<Value>, ApiErr> {
    let Some(markup) = p.get("reply_markup") else {
        return Ok(None);
    };
    let markup = match markup {
        Value::String(s) => serde_json::from_str::<Value>(s)
            .map_err(|_| ApiErr::bad("can't parse reply keyboard markup JSON object"))?,
        v => v.clone(),
    };
    let Some(obj) = markup.as_object() else {
        return Err(ApiErr::bad("can't parse reply keyboard markup JSON object"));
    };
    if let Some(rows) = obj.get("inline_keyboard") {
        let rows = rows
            .as_array()
            .ok_or_else(|| ApiErr::bad("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays"))?;
        for row in rows {
            let row = row.as_array().ok_or_else(|| {
                ApiErr::bad("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
            })?;
            for button in row {
                if !button.get("text").is_some_and(Value::is_string) {
                    return Err(ApiErr::bad(
                        "can't parse inline keyboard button: Text is not specified",
                    ));
                }
                let actions = BUTTON_ACTIONS
                    .iter()
                    .filter(|a| button.get(**a).is_some())
                    .count();
                if actions != 1 {
                    return Err(ApiErr::bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                    ));
                }
                if let Some(data) = button.get("callback_data") {
                    let len = data.as_str().map_or(0, str::len);
                    if !(1..=64).contains(&len) {
                        return Err(ApiErr::bad("BUTTON_DATA_INVALID"));
                    }
                }
                if let Some(link) = button.get("url")
                    && link
                        .as_str()
                        .and_then(|u| url::Url::parse(u).ok())
                        .is_none()
                {
                    return Err(ApiErr::bad("BUTTON_URL_INVALID"));
                }
            }
        }
    } else if !["keyboard", "remove_keyboard", "force_reply"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        return Err(ApiErr::bad("can't parse reply keyboard markup JSON object"));
    }
    Ok(Some(markup))
}

/// Formats text or a caption: parse mode or explicit entities, emptiness and length limits.
fn format(
    st: &State,
    raw: &str,
    parse_mode: Option<&str>,
    entities: Option<Value>,
    caption: bool,
) -> Result<Formatted, ApiErr> {
    let formatted = if let Some(entities) = entities.and_then(|e| e.as_array().cloned()) {
        Formatted {
            text: raw.to_owned(),
            entities,
        }
    } else {
        let user = |id: u64| st.known_user_json(id);
        let parsed = match parse_mode.map(str::to_ascii_lowercase).as_deref() {
            None | Some("") => Ok(Formatted {
                text: raw.to_owned(),
                entities: vec![],
            }),
            Some("html") => markup::parse_html(raw, &user),
            Some("markdownv2") => markup::parse_markdown(raw, false),
            Some("markdown") => markup::parse_markdown(raw, true),
            Some(other) => return Err(ApiErr::bad(format!("unsupported parse_mode \"{other}\""))),
        };
        parsed.map_err(|e| ApiErr::bad(format!("can't parse entities: {e}")))?
    };
    let len = formatted.text.chars().count();
    if caption {
        if len > 1024 {
            return Err(ApiErr::bad("message caption is too long"));
        }
    } else {
        if formatted.text.trim().is_empty() {
            return Err(ApiErr::bad("message text is empty"));
        }
        if len > 4096 {
            return Err(ApiErr::bad("message is too long"));
        }
    }
    Ok(formatted)
}

/// Common part of every sending method: target chat, block, reply, thread, markup.
struct Target {
    chat: i64,
    thread: Option<i32>,
    reply_to: Option<(i64, i32)>,
    markup: Option<Value>,
}

fn target(st: &State, p: &Params) -> Result<Target, ApiErr> {
    let chat = chat_of(st, p, "chat_id")?;
    check_blocked(st, chat)?;
    let reply_to = reply_target(st, chat, p)?;
    let thread = target_thread(st, chat, p, reply_to)?;
    let markup = reply_markup(p)?;
    Ok(Target {
        chat,
        thread,
        reply_to,
        markup,
    })
}

fn store(st: &mut State, mut m: Msg, t: Target) -> Value {
    m.thread = t.thread;
    m.reply_to = t.reply_to;
    m.reply_markup = t.markup;
    let json = st.msg_json(&m, false);
    st.msgs.insert((m.chat, m.id), m);
    json
}

// --- methods ----------------------------------------------------------------------------------

fn set_webhook(st: &mut State, p: &Params) -> Result<Value, ApiErr> {
    let link = p.str("url").unwrap_or_default();
    if link.is_empty() {
        st.webhook = None;
        return Ok(json!(true));
    }
    if url::Url::parse(&link).is_err() {
        return Err(ApiErr::bad("bad webhook: invalid URL"));
    }
    if p.bool("drop_pending_updates") {
        st.updates.clear();
    }
    if let Some(list) = allowed_updates(p) {
        st.allowed_updates = list;
    }
    st.webhook = Some(Webhook {
        url: link,
        secret: p.str("secret_token"),
        max_connections: p
            .str("max_connections")
            .and_then(|n| n.parse().ok())
            .unwrap_or(40)
            .clamp(1, 100),
    });
    st.webhook_error = None;
    Ok(json!(true))
}

/// The storage key of a BotCommandScope: "default", "all_private_chats", "chat:ID",
/// "chat_administrators:ID", "chat_member:CHAT:USER"…
pub(crate) fn scope_key(scope: Option<&Value>) -> String {
    let Some(scope) = scope else {
        return "default".into();
    };
    let kind = scope["type"].as_str().unwrap_or("default");
    let id = |k: &str| {
        scope
            .get(k)
            .and_then(value_i64)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    match kind {
        "chat" | "chat_administrators" => format!("{kind}:{}", id("chat_id")),
        "chat_member" => format!("{kind}:{}:{}", id("chat_id"), id("user_id")),
        other => other.to_owned(),
    }
}

fn set_my_commands(st: &mut State, p: &Params) -> Result<Value, ApiErr> {
    let commands = p
        .json("commands")
        .and_then(|v| v.as_array().cloned())
        .ok_or_else(|| ApiErr::bad("commands is empty"))?;
    if commands.len() > 100 {
        return Err(ApiErr::bad("too many commands"));
    }
    for c in &commands {
        let name = c["command"].as_str().unwrap_or("");
        let ok = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            return Err(ApiErr::bad("BOT_COMMAND_INVALID"));
        }
        let description = c["description"].as_str().unwrap_or("");
        if !(1..=256).contains(&description.chars().count()) {
            return Err(ApiErr::bad("command description is empty or too long"));
        }
    }
    let lang = p.str("language_code").unwrap_or_default();
    if !(lang.is_empty() || (lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()))) {
        return Err(ApiErr::bad("invalid language code specified"));
    }
    st.commands
        .insert((scope_key(p.json("scope").as_ref()), lang), commands);
    Ok(json!(true))
}

fn send_message(st: &mut State, p: &Params) -> Result<Value, ApiErr> {
    let t = target(st, p)?;
    let raw = p.str("text").unwrap_or_default();
    let parse_mode = p.str("parse_mode");
    let formatted = format(st, &raw, parse_mode.as_deref(), p.json("entities"), false)?;
    let mut m = st.new_msg(t.chat, BOT_ID, MsgKind::Text, "sendMessage");
    m.text = formatted.text;
    m.entities = formatted.entities;
    m.raw = raw;
    m.parse_mode = parse_mode;
    Ok(store(st, m, t))
}

fn send_media(
    st: &mut State,
    p: &Params,
    kind: MsgKind,
    field: &str,
    method: &str,
) -> Result<Value, ApiErr> {
    let t = target(st, p)?;
    let file = match p.get(field) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(ApiErr::bad(format!("there is no {field} in the request"))),
    };
    let raw = if kind == MsgKind::Sticker {
        String::new()
    } else {
        p.str("caption").unwrap_or_default()
    };
    let parse_mode = p.str("parse_mode");
    let formatted = format(
        st,
        &raw,
        parse_mode.as_deref(),
        p.json("caption_entities"),
        true,
    )?;
    let mut m = st.new_msg(t.chat, BOT_ID, kind, method);
    m.file_id = Some(file);
    m.text = formatted.text;
    m.entities = formatted.entities;
    m.raw = raw;
    m.parse_mode = parse_mode;
    Ok(store(st, m, t))
}

fn copy_or_forward(st: &mut State, p: &Params, forward: bool) -> Result<Value, ApiErr> {
    let from_chat = chat_of(st, p, "from_chat_id")?;
    let source_id = p.require_i64("message_id")? as i32;
    let not_found = if forward {
        "message to forward not found"
    } else {
        "message to copy not found"
    };
    let source = st
        .live_msg(from_chat, source_id)
        .cloned()
        .ok_or_else(|| ApiErr::bad(not_found))?;
    if source.kind == MsgKind::TopicCreated {
        return Err(ApiErr::bad(if forward {
            "message can't be forwarded"
        } else {
            "message can't be copied"
        }));
    }
    let t = target(st, p)?;
    let method = if forward {
        "forwardMessage"
    } else {
        "copyMessage"
    };
    let mut m = st.new_msg(t.chat, BOT_ID, source.kind, method);
    m.file_id = source.file_id.clone();
    m.text = source.text.clone();
    m.raw = source.text.clone();
    m.entities = source.entities.clone();
    m.source = Some((from_chat, source_id));
    if forward {
        m.forward_origin = Some(json!({
            "type": "user",
            "date": source.date,
            "sender_user": st.user_json(source.from),
        }));
    } else if source.kind != MsgKind::Text
        && let Some(caption) = p.str("caption")
    {
        let parse_mode = p.str("parse_mode");
        let formatted = format(
            st,
            &caption,
            parse_mode.as_deref(),
            p.json("caption_entities"),
            true,
        )?;
        m.text = formatted.text;
        m.entities = formatted.entities;
        m.raw = caption;
        m.parse_mode = parse_mode;
    }
    let id = m.id;
    let json = store(st, m, t);
    Ok(if forward {
        json
    } else {
        json!({"message_id": id})
    })
}

/// The bot's own message that an edit targets.
fn editable(st: &State, p: &Params) -> Result<(i64, i32), ApiErr> {
    if p.get("inline_message_id").is_some() {
        return Err(ApiErr::bad(
            "inline messages are not supported by the emulator",
        ));
    }
    let chat = chat_of(st, p, "chat_id")?;
    check_blocked(st, chat)?;
    let id = p.require_i64("message_id")? as i32;
    let m = st
        .live_msg(chat, id)
        .ok_or_else(|| ApiErr::bad("message to edit not found"))?;
    if m.from != BOT_ID {
        return Err(ApiErr::bad("message can't be edited"));
    }
    Ok((chat, id))
}

fn edit_text(st: &mut State, p: &Params, caption: bool) -> Result<Value, ApiErr> {
    let key = editable(st, p)?;
    let kind = st.msgs.get(&key).map(|m| m.kind);
    match (caption, kind) {
        (false, Some(MsgKind::Text)) => {}
        (true, Some(MsgKind::Photo | MsgKind::Document)) => {}
        (false, _) => return Err(ApiErr::bad("there is no text in the message to edit")),
        (true, _) => return Err(ApiErr::bad("there is no caption in the message to edit")),
    }
    let field = if caption { "caption" } else { "text" };
    let entities_field = if caption {
        "caption_entities"
    } else {
        "entities"
    };
    let raw = p.str(field).unwrap_or_default();
    let parse_mode = p.str("parse_mode");
    let formatted = format(
        st,
        &raw,
        parse_mode.as_deref(),
        p.json(entities_field),
        caption,
    )?;
    // Omitting reply_markup removes the keyboard, as on Telegram.
    let markup = reply_markup(p)?;
    let Some(m) = st.msgs.get_mut(&key) else {
        return Err(ApiErr::bad("message to edit not found"));
    };
    if m.text == formatted.text && m.entities == formatted.entities && m.reply_markup == markup {
        return Err(ApiErr::bad(MESSAGE_NOT_MODIFIED));
    }
    m.text = formatted.text;
    m.entities = formatted.entities;
    m.raw = raw;
    m.parse_mode = parse_mode;
    m.reply_markup = markup;
    m.edit_date = Some(now_unix());
    let m = m.clone();
    Ok(st.msg_json(&m, false))
}

fn edit_markup(st: &mut State, p: &Params) -> Result<Value, ApiErr> {
    let key = editable(st, p)?;
    let markup = reply_markup(p)?;
    let Some(m) = st.msgs.get_mut(&key) else {
        return Err(ApiErr::bad("message to edit not found"));
    };
    if m.reply_markup == markup {
        return Err(ApiErr::bad(MESSAGE_NOT_MODIFIED));
    }
    m.reply_markup = markup;
    let m = m.clone();
    Ok(st.msg_json(&m, false))
}

fn create_topic(st: &mut State, p: &Params) -> Result<Value, ApiErr> {
    let chat = chat_of(st, p, "chat_id")?;
    if !st.is_forum(chat) {
        return Err(ApiErr::bad("the chat is not a forum"));
    }
    let name = p.str("name").unwrap_or_default();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(ApiErr::bad("TOPIC_NAME_INVALID"));
    }
    let color = match p.i64("icon_color") {
        None => TOPIC_COLORS[0],
        Some(c) => match u32::try_from(c).ok().filter(|c| TOPIC_COLORS.contains(c)) {
            Some(c) => c,
            None => return Err(ApiErr::bad("TOPIC_ICON_COLOR_INVALID")),
        },
    };
    let emoji = p.str("icon_custom_emoji_id");
    let thread = st.add_topic(chat, &name, color, BOT_ID);
    if let Some(t) = st.topics.get_mut(&(chat, thread)) {
        t.icon_custom_emoji_id = emoji.clone();
    }
    let mut v = json!({"message_thread_id": thread, "name": name, "icon_color": color});
    if let Some(e) = emoji {
        v["icon_custom_emoji_id"] = json!(e);
    }
    Ok(v)
}

impl State {
    /// Creates a topic: its forum_topic_created service message's id is the thread id.
    pub(crate) fn add_topic(&mut self, chat: i64, name: &str, color: u32, by: u64) -> i32 {
        let mut m = self.new_msg(chat, by, MsgKind::TopicCreated, "createForumTopic");
        let thread = m.id;
        m.thread = Some(thread);
        m.topic = Some((name.to_owned(), color));
        self.msgs.insert((chat, thread), m);
        self.topics.insert(
            (chat, thread),
            Topic {
                thread,
                name: name.to_owned(),
                icon_color: color,
                icon_custom_emoji_id: None,
                closed: false,
                deleted: false,
            },
        );
        thread
    }

    /// Records an answered callback query slot.
    pub(crate) fn new_callback(&mut self) -> String {
        let id = format!("{}", 4_000_000_000_000u64 + self.next_callback);
        self.next_callback += 1;
        self.callbacks
            .insert(id.clone(), CallbackRec { answer: None });
        id
    }
}

/// The `allowed_updates` parameter of getUpdates and setWebhook: `None` when absent,
/// `Some(None)` for an empty list (every kind), else the kinds.
pub(crate) fn allowed_updates(p: &Params) -> Option<Option<Vec<String>>> {
    let value = p.json("allowed_updates")?;
    let list = value.as_array()?;
    let list: Vec<String> = list
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    Some((!list.is_empty()).then_some(list))
}
