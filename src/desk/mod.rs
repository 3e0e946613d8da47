//! The desk: the transport-agnostic conversation core. An incoming message plus the user's
//! context become replies and effects. It never imports teloxide.
//!
//! This file owns the [`Desk`] itself (its state, its public API) and [`Desk::answer`]'s order
//! of stages; each stage lives in a file of its own:
//! 1. `gates`: bans (a banned user's message goes nowhere), flood control; the maintenance
//!    notice in front of every answer;
//! 2. `users`: who the user is (record, language, conversation);
//! 3. `pasted_secret`: secrets (delete, warn, keep nothing);
//! 4. `handoff`: the hand-off to a person (a user whose ticket a person is working on talks to
//!    that person, not to the bot), tickets opened;
//! 5. `commands` (with `ownership` for /link and /verify, `privacy` for /mydata and /forget,
//!    `alerts` for /alerts, /watch and /unwatch);
//! 6. `rating`: the comment after a ticket rating (and the rating buttons);
//! 7. `converse`: escalations to people, live position questions (`position`, worded by
//!    `position_answer`), out-of-scope requests, small talk, the knowledge base, and a "did you
//!    mean" when nothing is confident;
//! 8. `record`: what is kept of the message (conversation, user record, statistics event,
//!    written by `events`).
//!
//! Button presses go through `buttons` (the alerts' `alert:` buttons through `alerts`). The message and answer types are `outcome`'s, a leaf
//! the adapters and the staff side import.
//!
//! The hot path (a user asking an FAQ question) writes nothing durable: the user record, the
//! conversation, the flood window and the user's open ticket are kept in memory, the maintenance
//! notice is read from the store at most once a second, and only a statistics event (unflushed)
//! reaches sled.

mod alert_args;
mod alerts;
mod buttons;
mod commands;
mod converse;
mod events;
mod gates;
mod handoff;
pub mod intent;
pub mod outcome;
mod ownership;
mod pasted_secret;
mod position;
pub mod position_answer;
mod privacy;
mod rating;
mod record;
mod route_model;
mod routes;
pub mod texts;
mod users;

pub use outcome::{Action, Button, ChatKind, Incoming, Intent, Outcome, Reply};
pub use privacy::{FORGET_NO, FORGET_YES};

// Per-user maps, keyed by Telegram's user ids (assigned by Telegram, not chosen by users):
// a fast hash instead of SipHash, looked up four times a message.
use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use alloy::primitives::U256;

use crate::chain::markets::Markets;
use crate::knowledge::KnowledgeBase;
use crate::lang::Lang;
use crate::store::{HistoryEntry, Store, TicketStatus, UserRecord};
use crate::tickets::Tickets;
use events::EventWriter;
use gates::{FloodWindow, NoticeCache};

/// Messages longer than this are cut before processing (Telegram's own limit is 4096).
pub const MAX_PROCESSED_CHARS: usize = 4_096;

/// FAQ answers at or above this confidence are given as answers.
pub const CONFIDENT: f32 = 0.55;
/// Between this and [`CONFIDENT`] the desk asks "did you mean".
pub const UNSURE: f32 = 0.30;

/// Desk settings.
#[derive(Debug, Clone)]
pub struct DeskSettings {
    /// Minimum HF for safe withdraw / borrow amounts (wad).
    pub target_health_factor: U256,
    /// HF recommended when advising how much to repay (wad).
    pub comfort_health_factor: U256,
    /// Flood control: more than this many messages from one user within a sliding minute are
    /// not answered (one notice, then silence until the rate falls). 0 turns it off.
    pub flood_limit: u32,
    /// Days statistics events (and the questions kept with them) are kept; see `privacy`.
    pub retention_days: u64,
    /// The alerts' default levels (`/alerts on`).
    pub alerts: crate::alerts::AlertsConfig,
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            target_health_factor: crate::chain::risk::DEFAULT_TARGET_HEALTH_FACTOR,
            comfort_health_factor: crate::chain::math::WAD * U256::from(3) / U256::from(2),
            flood_limit: 20,
            retention_days: 30,
            alerts: crate::alerts::AlertsConfig::default(),
        }
    }
}

/// Failures the desk reports to the adapter (each user-visible one also has a reply).
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The conversation core.
pub struct Desk {
    /// The knowledge base and the route model trained on its questions, swapped together
    /// (a moderator's edit trains the model again, see [`Desk::set_knowledge`]).
    knowledge: RwLock<Knowledge>,
    chain: Markets,
    tickets: Tickets,
    store: Store,
    settings: DeskSettings,
    /// Users seen since start, in front of the store: a message costs no read, and a change
    /// of `recent_topics` alone (a heuristic, fine to lose on restart) costs no write.
    users: std::sync::Mutex<HashMap<i64, UserRecord>>,
    /// Each user's recent conversation (redacted), in memory; saved to the store when the
    /// user is handed to a person, so a message costs no write.
    conversations: std::sync::Mutex<HashMap<i64, std::collections::VecDeque<HistoryEntry>>>,
    /// Each user's recent message times, for flood control (in memory only).
    flood: Mutex<HashMap<i64, FloodWindow>>,
    /// Each user's ticket that is not closed (id, status), or `None` for "no open ticket", in
    /// front of the store. Updated when this desk opens a ticket; [`Desk::ticket_changed`]
    /// drops an entry when staff change a ticket.
    handoffs: Mutex<HashMap<i64, Option<(u64, TicketStatus)>>>,
    /// Bumped by [`Desk::ticket_changed`]: a store read that raced with a change is not cached.
    handoff_epoch: AtomicU64,
    /// The maintenance notice as last read from the store, and when it was read.
    notice: RwLock<NoticeCache>,
    /// Statistics events, written off the answer path.
    events: EventWriter,
    /// Raised when a user's alert subscriptions change (the watcher reloads them).
    subscriptions: crate::alerts::SubscriptionsChanged,
}

/// What the desk answers from: the knowledge base, and the route model that reads what a
/// message asks for when the rules say nothing, trained on that knowledge base's questions.
struct Knowledge {
    base: Arc<KnowledgeBase>,
    routes: route_model::RouteModel,
}

impl Knowledge {
    fn new(base: KnowledgeBase) -> Self {
        let routes = route_model::RouteModel::new(&base);
        Self {
            base: Arc::new(base),
            routes,
        }
    }
}

/// The prefix of an answer's source naming a market where the guard fired: lendesk's
/// recomputation disagreed with the protocol, so the answer showed the protocol's own figures
/// (`guard:MARKET`). Counted in `/stats`.
const GUARD_SOURCE: &str = "guard:";

/// Above this many cached users the cache starts over (records stay in the store).
const USER_CACHE_LIMIT: usize = 200_000;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// [`lock`] for reading an `RwLock`.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    match lock.read() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// [`lock`] for writing an `RwLock`.
fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    match lock.write() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("markets", &self.chain.len())
            .finish_non_exhaustive()
    }
}

fn truncate_chars(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    }
}

impl Desk {
    /// A desk over its services. `chain` holds every configured market ([`Markets::none`]
    /// when none is).
    pub fn new(
        knowledge: KnowledgeBase,
        chain: Markets,
        tickets: Tickets,
        store: Store,
        settings: DeskSettings,
    ) -> Self {
        Self {
            knowledge: RwLock::new(Knowledge::new(knowledge)),
            users: std::sync::Mutex::new(HashMap::default()),
            conversations: std::sync::Mutex::new(HashMap::default()),
            flood: Mutex::new(HashMap::default()),
            handoffs: Mutex::new(HashMap::default()),
            handoff_epoch: AtomicU64::new(0),
            notice: RwLock::new(NoticeCache::default()),
            events: EventWriter::start(store.clone()),
            subscriptions: crate::alerts::SubscriptionsChanged::default(),
            chain,
            tickets,
            store,
            settings,
        }
    }

    /// The current knowledge base.
    pub fn knowledge(&self) -> Arc<KnowledgeBase> {
        read(&self.knowledge).base.clone()
    }

    /// Replaces the knowledge base (moderators' live edits), and the route model trained on
    /// its questions (trained before the swap: messages are answered meanwhile).
    pub fn set_knowledge(&self, kb: KnowledgeBase) {
        let knowledge = Knowledge::new(kb);
        *write(&self.knowledge) = knowledge;
    }

    /// The route model of the current knowledge base.
    fn routes(&self) -> route_model::RouteModel {
        read(&self.knowledge).routes.clone()
    }

    /// The flag this desk raises when a user's alert subscriptions change: the alert
    /// watcher takes it to reload who watches what.
    pub fn subscriptions_changed(&self) -> crate::alerts::SubscriptionsChanged {
        self.subscriptions.clone()
    }

    /// The ticket service.
    pub fn tickets(&self) -> &Tickets {
        &self.tickets
    }

    /// Handles one message. Storage failures are logged and answered politely; they never
    /// lose the reply.
    pub async fn handle(&self, msg: Incoming) -> Outcome {
        let mut out = self.answer(msg).await;
        self.add_notice(&mut out).await;
        out
    }

    /// Handles a button press (`data` from a [`Button`]).
    pub async fn button(
        &self,
        user: i64,
        data: &str,
        lang_hint: Option<Lang>,
        now: u64,
    ) -> Outcome {
        let mut out = self.press(user, data, lang_hint, now).await;
        self.add_notice(&mut out).await;
        out
    }

    /// Waits until every statistics event of the messages answered so far is in the store
    /// (events are written by a task of their own; statistics readers call this first
    /// when they need the last milliseconds).
    pub async fn flush_events(&self) {
        self.events.flush().await;
    }

    /// Shuts the desk's background work down: the statistics queued are written and the
    /// writer ends, letting go of the store (a sled directory can then be opened again in this
    /// process). Events of messages handled afterwards are not recorded.
    pub async fn close(&self) {
        self.events.stop().await;
    }

    /// One message through the stages, in order. Each stage either answers (and the later ones
    /// do not run) or hands the message on.
    async fn answer(&self, msg: Incoming) -> Outcome {
        let ban = self.ban_of(msg.user).await;
        let mut record = self.load_or_new(msg.user).await;
        let (text, cut) = truncate_chars(&msg.text, MAX_PROCESSED_CHARS);
        let secret = pasted_secret::holds_secret(text, cut, &msg.text);
        let early_lang =
            |record: &UserRecord| pasted_secret::early_lang(record, &msg, text, secret);

        // 1. Gates: bans, then flood control (a secret is still deleted).
        if let Some(out) = self.gates(&msg, ban, secret, || early_lang(&record)) {
            return out;
        }
        // 2. Who the user is: saved (unflushed) only when it changes.
        let loaded = record.clone();
        users::note_identity(&mut record, &msg);
        // 3. Secrets: nothing of the message goes anywhere.
        if secret {
            let lang = early_lang(&record);
            return self.refuse_secret(&loaded, record, &msg, lang).await;
        }

        // `text` passed the secret check above, so it is its own redaction from here on.
        let said = record::said(&msg, text);
        let trimmed = text.trim();
        let is_command = commands::is_command(trimmed);
        let lang = commands::message_lang(&record, text, msg.lang_hint);
        // 4. The hand-off: a user with a ticket that is not closed talks to the team.
        let handoff = self.handoff_in(msg.chat, msg.user).await;
        let mut turn = handoff::Turn::new(handoff, is_command);
        let out = if trimmed.is_empty() {
            // 5. An empty message (a photo for the person on the ticket is relayed).
            turn.empty(&msg, lang)
        } else if is_command {
            // 6. Commands.
            self.commands(&mut record, trimmed, lang, &msg).await
        } else if let Some(saved) = self.take_comment(&mut record, text, lang).await {
            // 7. The comment after a rating.
            turn.answered_by_bot();
            saved
        } else {
            // 8. The conversation, unless a person is on the ticket.
            match turn.question(text) {
                Some(asked) => self.converse(&mut record, asked, lang, &msg).await,
                None => Outcome::silent(Intent::Relayed, lang),
            }
        };
        // 9. Relayed to the team's ticket, and the note when the message was cut.
        let out = turn.relay(out);
        let out = record::note_cut(out, cut);
        // 10. What is kept: conversation, user record, statistics event.
        self.finish(&loaded, &record, said, &out, msg.now, turn.asked())
            .await;
        out
    }
}
