//! What goes into the desk and what comes out of it: the incoming message ([`Incoming`],
//! [`ChatKind`]) and the answer ([`Outcome`] with its [`Intent`], [`Reply`]s, [`Button`]s and
//! [`Action`]s). A leaf: it imports no other part of the desk, so the adapters and the staff
//! side can use these types without the [`Desk`](crate::desk::Desk) itself.

use alloy::primitives::Address;
use serde::Serialize;

use crate::lang::Lang;

/// Where a message was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChatKind {
    /// A one-to-one chat with the bot (or the console).
    #[default]
    Private,
    /// A group: positions are shown only when the message names an address itself.
    Group,
}

/// One message from a user.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Stable user id (Telegram id, or the console's).
    pub user: i64,
    /// The text as received.
    pub text: String,
    /// The client's language (Telegram `language_code`), a hint only.
    pub lang_hint: Option<Lang>,
    /// Private chat or group.
    pub chat: ChatKind,
    /// Addresses the adapter knows for this user beyond the linked ones (e.g. `ask --address`).
    pub addresses: Vec<Address>,
    /// The sender's @username, if the transport has one (kept for staff's user card).
    pub username: Option<String>,
    /// The sender's display name, if the transport has one.
    pub display_name: Option<String>,
    /// The message is media (photo, document, voice…) rather than text; `text` is its caption.
    pub media: bool,
    /// Unix seconds.
    pub now: u64,
}

/// What the desk decided a message was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Answered from the knowledge base.
    Faq,
    /// A live position answer.
    Position,
    /// Handed to people (a ticket).
    Escalate,
    /// A secret was pasted: deleted and warned.
    RefuseSecret,
    /// Greetings, thanks, out-of-scope requests.
    Smalltalk,
    /// Not confident: did you mean / offer a person.
    Clarify,
    /// A command or button.
    Command,
    /// Something failed (chain unreachable, bad address).
    Error,
    /// Copied to the person handling the user's ticket; the bot itself stays silent.
    Relayed,
    /// Flood control: too many messages in a minute (one notice, then silence).
    Throttled,
    /// A banned user: nothing processed (a shadow ban gets no reply at all).
    Dropped,
}

impl Intent {
    /// The snake_case name, as serialized (`faq`, `refuse_secret`, `relayed`…).
    pub fn name(self) -> &'static str {
        match self {
            Self::Faq => "faq",
            Self::Position => "position",
            Self::Escalate => "escalate",
            Self::RefuseSecret => "refuse_secret",
            Self::Smalltalk => "smalltalk",
            Self::Clarify => "clarify",
            Self::Command => "command",
            Self::Error => "error",
            Self::Relayed => "relayed",
            Self::Throttled => "throttled",
            Self::Dropped => "dropped",
        }
    }
}

/// Something the adapter must do besides sending replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Delete the user's message (it held a secret).
    DeleteMessage,
    /// A ticket was opened or updated: tell staff.
    NotifyStaff,
    /// The user has a ticket that is not closed: copy this message into its staff thread
    /// (`Outcome::ticket` names the ticket).
    RelayToStaff,
    /// Remove the buttons of the message whose button was pressed (a rating is given once).
    RemoveButtons,
}

/// An inline button: a label and the data the adapter sends back to [`Desk::button`](crate::desk::Desk::button).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Button {
    /// What the user sees.
    pub label: String,
    /// Callback data ("faq:<id>", "human", "whatif:-2000", "lang:zh").
    pub data: String,
}

/// One reply: light Markdown text (`**bold**`, `- ` bullets) and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Text.
    pub text: String,
    /// Button rows.
    pub buttons: Vec<Vec<Button>>,
}

impl Reply {
    pub(super) fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            buttons: Vec::new(),
        }
    }

    pub(super) fn with_buttons(mut self, rows: Vec<Vec<Button>>) -> Self {
        self.buttons = rows;
        self
    }
}

/// What the desk answers to one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The decision.
    pub intent: Intent,
    /// The language replied in.
    pub lang: Lang,
    /// Replies, in order.
    pub replies: Vec<Reply>,
    /// FAQ ids and chain reads the answer used.
    pub sources: Vec<String>,
    /// The ticket opened or updated.
    pub ticket: Option<u64>,
    /// Effects for the adapter.
    pub actions: Vec<Action>,
}

impl Outcome {
    pub(super) fn new(intent: Intent, lang: Lang, reply: Reply) -> Self {
        Self {
            intent,
            lang,
            replies: vec![reply],
            sources: Vec::new(),
            ticket: None,
            actions: Vec::new(),
        }
    }

    /// An outcome with no reply.
    pub(super) fn silent(intent: Intent, lang: Lang) -> Self {
        Self {
            intent,
            lang,
            replies: Vec::new(),
            sources: Vec::new(),
            ticket: None,
            actions: Vec::new(),
        }
    }

    /// All replies' text as the user sees it, blank-line separated.
    pub fn text(&self) -> String {
        self.replies
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}
