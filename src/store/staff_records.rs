//! The records of the staff side: where tickets live in the staff chat, the relay's message
//! map, staff members, macros, moderators' FAQ edits, bans, the audit log, broadcasts, the
//! maintenance notice and the per-message events statistics are computed from.

use serde::{Deserialize, Serialize};

use crate::knowledge::Topic;
use crate::lang::Lang;

/// Where a ticket is discussed in the staff chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketThread {
    /// Ticket number.
    pub ticket: u64,
    /// The staff chat.
    pub chat: i64,
    /// The forum topic (`message_thread_id`); `None` in a staff chat without topics, where
    /// staff answer by replying to the ticket's messages.
    pub thread: Option<i32>,
    /// The user card message.
    pub card: Option<i32>,
}

/// One message relayed between a user and the staff chat: both copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayedMessage {
    /// Ticket number.
    pub ticket: u64,
    /// The user's private chat.
    pub user_chat: i64,
    /// The message in the user's chat (theirs, or the team's copy).
    pub user_message: i32,
    /// The staff chat.
    pub staff_chat: i64,
    /// The message in the staff chat (the relayed copy, or the staff member's original).
    pub staff_message: i32,
    /// True when staff wrote it (the user's copy is the bot's); false when the user did.
    pub from_staff: bool,
}

/// A staff member added by an admin (admins themselves come from the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Telegram id.
    pub id: i64,
    /// @username when known.
    pub username: Option<String>,
    /// Who added them.
    pub added_by: i64,
    /// Unix seconds.
    pub added_at: u64,
}

/// A canned reply staff send with `/macro <name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Macro {
    /// Name (lowercase, no spaces).
    pub name: String,
    /// English text.
    pub en: String,
    /// Chinese text (the English one is used when empty).
    pub zh: String,
    /// Who saved it.
    pub by: i64,
    /// Unix seconds.
    pub at: u64,
}

impl Macro {
    /// The text for a user's language.
    pub fn text(&self, lang: Lang) -> &str {
        if (lang == Lang::Zh && !self.zh.trim().is_empty()) || self.en.trim().is_empty() {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// A moderator's live change to the knowledge base, merged over `faq/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqEdit {
    /// Topic id.
    pub id: String,
    /// The topic as edited; `None` removes the topic.
    pub topic: Option<Topic>,
    /// Who changed it.
    pub by: i64,
    /// Unix seconds.
    pub at: u64,
}

/// How a user is banned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BanKind {
    /// Told they are banned; nothing they send is processed.
    Ban,
    /// Messages silently dropped.
    Shadow,
}

/// A ban.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BanRecord {
    /// The user.
    pub user: i64,
    /// Kind.
    pub kind: BanKind,
    /// Who banned.
    pub by: i64,
    /// Unix seconds.
    pub at: u64,
    /// Why (as the moderator wrote it).
    pub reason: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Sequence number (1, 2, 3…).
    pub seq: u64,
    /// Unix seconds.
    pub at: u64,
    /// Who acted (Telegram id).
    pub actor: i64,
    /// What (the command name, e.g. "ban", "faq edit").
    pub action: String,
    /// The arguments, redacted.
    pub detail: String,
}

/// Characters of an audit line's detail kept.
const AUDIT_DETAIL_CHARS: usize = 500;

impl AuditEntry {
    /// Line `seq` of the audit log, as either backend stores it (the detail cut to
    /// [`AUDIT_DETAIL_CHARS`] characters).
    pub(super) fn new(seq: u64, at: u64, actor: i64, action: &str, detail: &str) -> Self {
        Self {
            seq,
            at,
            actor,
            action: action.to_string(),
            detail: detail.chars().take(AUDIT_DETAIL_CHARS).collect(),
        }
    }
}

/// An announcement to users, sent in the background and resumed after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    /// Number.
    pub id: u64,
    /// The text.
    pub text: String,
    /// Only users of this language, or everyone.
    pub lang: Option<Lang>,
    /// Who sent it.
    pub by: i64,
    /// Unix seconds.
    pub created_at: u64,
    /// The last user id handled (users are visited in id order).
    pub cursor: Option<i64>,
    /// Users it reached.
    pub sent: u64,
    /// Users it could not reach (blocked the bot, deleted account).
    pub failed: u64,
    /// Users who opted out or do not match the language.
    pub skipped: u64,
    /// Finished (or cancelled).
    pub done: bool,
    /// The staff chat message that shows progress: (chat, message).
    pub progress_message: Option<(i64, i32)>,
}

/// The notice shown during incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintenance {
    /// The notice text (both languages are whatever the moderator wrote).
    pub text: String,
    /// Who turned it on.
    pub by: i64,
    /// Unix seconds.
    pub since: u64,
}

/// Answered messages, for statistics (text only for questions the bot could not answer,
/// redacted). The store collapses events of the same minute, intent and topic into one record
/// with a `count`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEvent {
    /// How many messages this record stands for.
    #[serde(default = "one")]
    pub count: u64,
    /// Unix seconds.
    pub at: u64,
    /// The user (0 in a record that collapses several messages).
    pub user: i64,
    /// The desk's intent name (`faq`, `position`, `escalate`, `clarify`…).
    pub intent: String,
    /// The FAQ topic that answered, if any.
    pub topic: Option<String>,
    /// For questions the bot could not answer: the question, redacted and trimmed.
    pub question: Option<String>,
    /// Markets where the answer showed the protocol's own figures because lendesk's
    /// recomputation disagreed with `getUserAccountData` (the guard). Empty for most answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guarded_markets: Vec<String>,
}

fn one() -> u64 {
    1
}

/// How a batch of statistics events is stored, by either backend: events
/// of the same minute, intent, topic and guarded markets without a question text become one
/// record at the minute, naming nobody, with the sum of their counts, in the place of the first
/// of them; a question stays a record of its own.
pub(super) fn collapse_events(events: &[MessageEvent]) -> Vec<MessageEvent> {
    type Key<'a> = (u64, &'a str, Option<&'a str>, &'a [String]);
    let mut collapsed: Vec<MessageEvent> = Vec::new();
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    for event in events {
        if event.question.is_some() {
            collapsed.push(event.clone());
            continue;
        }
        let minute = event.at - event.at % 60;
        let key = (
            minute,
            event.intent.as_str(),
            event.topic.as_deref(),
            event.guarded_markets.as_slice(),
        );
        match index.get(&key) {
            Some(&i) => collapsed[i].count += event.count,
            None => {
                index.insert(key, collapsed.len());
                collapsed.push(MessageEvent {
                    at: minute,
                    user: 0,
                    ..event.clone()
                });
            }
        }
    }
    collapsed
}
