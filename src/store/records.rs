//! The records lendesk keeps. Text stored here has already been through secret redaction.

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// How many conversation lines are kept per user (for staff's user card).
pub const HISTORY_LIMIT: usize = 20;

/// A public address the user linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAddress {
    /// The address.
    pub address: Address,
    /// Ownership proven by a signature.
    pub verified: bool,
}

/// Who said a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    /// The user.
    User,
    /// The bot.
    Bot,
    /// A staff member (relayed as the support team).
    Staff,
}

/// One line of conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Unix seconds.
    pub at: u64,
    /// Speaker.
    pub who: Speaker,
    /// Redacted text (trimmed to a reasonable length).
    pub text: String,
}

impl HistoryEntry {
    /// A line, trimmed to a reasonable length.
    pub fn new(at: u64, who: Speaker, text: &str) -> Self {
        const MAX_CHARS: usize = 500;
        Self {
            at,
            who,
            text: match text.char_indices().nth(MAX_CHARS) {
                Some((end, _)) => text[..end].to_string(),
                None => text.to_string(),
            },
        }
    }
}

/// What lendesk knows about a user (the conversation is kept apart, see `Store::history`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// Telegram user id (or the console's user id).
    pub id: i64,
    /// The language the user chose; wins over detection.
    pub lang: Option<Lang>,
    /// Linked public addresses.
    pub links: Vec<LinkedAddress>,
    /// FAQ topic ids answered recently, newest last (to notice a question that keeps coming).
    pub recent_topics: Vec<String>,
    /// Telegram @username, as last seen (for staff's user card and /whois).
    #[serde(default)]
    pub username: Option<String>,
    /// Display name, as last seen.
    #[serde(default)]
    pub display_name: Option<String>,
    /// When the user first talked to the bot (unix seconds); broadcasts go to these users.
    #[serde(default)]
    pub started_at: Option<u64>,
    /// The user opted out of announcements.
    #[serde(default)]
    pub broadcast_opt_out: bool,
    /// A closed ticket whose rating was given: the next message is its optional comment.
    #[serde(default)]
    pub awaiting_comment: Option<u64>,
    /// An ownership proof in progress: the address and the message to sign.
    #[serde(default)]
    pub pending_proof: Option<PendingProof>,
    /// The language the bot last answered in (chosen or detected): announcements speak it to
    /// a user who chose none.
    #[serde(default)]
    pub answered_in: Option<Lang>,
}

/// A message the user is asked to sign (EIP-191 `personal_sign`) to prove an address is theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingProof {
    /// The address to prove.
    pub address: Address,
    /// The exact message to sign.
    pub message: String,
    /// Unix seconds; a proof expires after an hour.
    pub issued_at: u64,
}

impl UserRecord {
    /// A user seen for the first time.
    pub fn new(id: i64) -> Self {
        Self {
            id,
            lang: None,
            links: Vec::new(),
            recent_topics: Vec::new(),
            username: None,
            display_name: None,
            started_at: None,
            broadcast_opt_out: false,
            awaiting_comment: None,
            pending_proof: None,
            answered_in: None,
        }
    }

    /// The language to write to this user in unprompted: the chosen one, else the one they
    /// were last answered in.
    pub fn speaks(&self) -> Lang {
        self.lang.or(self.answered_in).unwrap_or_default()
    }

    /// Links an address (idempotent).
    pub fn link(&mut self, address: Address) -> bool {
        if self.links.iter().any(|l| l.address == address) {
            return false;
        }
        self.links.push(LinkedAddress {
            address,
            verified: false,
        });
        true
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for a person.
    Open,
    /// A person is on it.
    InProgress,
    /// Resolved.
    Closed,
}

/// A request handed to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRecord {
    /// Ticket number.
    pub id: u64,
    /// The user's id.
    pub user: i64,
    /// Status.
    pub status: TicketStatus,
    /// Why it was opened (machine name, e.g. "lost_or_stolen_funds").
    pub reason: String,
    /// "urgent", "high" or "normal".
    pub priority: String,
    /// The user's language.
    pub lang: Lang,
    /// Unix seconds.
    pub created_at: u64,
    /// First staff reply, unix seconds.
    pub first_response_at: Option<u64>,
    /// Unix seconds.
    pub closed_at: Option<u64>,
    /// Staff member handling it (Telegram id).
    pub assignee: Option<i64>,
    /// The user's words that opened it (redacted).
    pub summary: String,
    /// Satisfaction 1–5 after closing.
    pub rating: Option<u8>,
    /// Optional comment with the rating (redacted).
    pub comment: Option<String>,
    /// When staff were told its first response is overdue, unix seconds (told once, whichever
    /// replica checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_flagged_at: Option<u64>,
}
