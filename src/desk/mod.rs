//! The desk: the transport-agnostic conversation core. An incoming message plus the user's
//! context become replies and effects. It never imports teloxide.
//!
//! Order of judgement for every message: bans (a banned user's message goes nowhere), flood
//! control, secrets (delete, warn, keep nothing), then commands, the comment after a ticket
//! rating, the hand-off to a person (a user whose ticket a person is working on talks to that
//! person, not to the bot), escalations to people, live position questions, out-of-scope
//! requests, small talk, the knowledge base, and a "did you mean" when nothing is confident.
//!
//! The hot path (a user asking an FAQ question) writes nothing durable: the user record, the
//! conversation, the flood window and the user's open ticket are kept in memory, the maintenance
//! notice is read from the store at most once a second, and only a statistics event (unflushed)
//! reaches sled.

pub mod intent;
pub mod outcome;
pub use outcome::{Action, Button, ChatKind, Incoming, Intent, Outcome, Reply};
pub mod position_answer;
mod privacy;
pub use privacy::{FORGET_NO, FORGET_YES};
pub mod texts;

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use alloy::primitives::{Address, Signature, U256};

use crate::chain::error::ChainError;
use crate::chain::markets::{Lookup, Markets};
use crate::chain::position::Position;
use crate::chain::report;
use crate::knowledge::KnowledgeBase;
use crate::lang::{self, Lang};
use crate::secrets;
use crate::store::{
    BanKind, HistoryEntry, MessageEvent, PendingProof, Speaker, Store, TicketStatus, UserRecord,
};
use crate::tickets::{EscalationReason, Tickets};
use intent::{PositionFocus, SmallTalk, WhatIf};

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
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            target_health_factor: crate::chain::risk::DEFAULT_TARGET_HEALTH_FACTOR,
            comfort_health_factor: crate::chain::math::WAD * U256::from(3) / U256::from(2),
            flood_limit: 20,
            retention_days: 30,
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

/// FAQ topics whose answer gets the user's own figures in front when an address is linked.
const LIVE_TOPICS: &[&str] = &[
    "health-factor",
    "liquidation",
    "liquidation-price",
    "how-to-raise-hf",
    "why-hf-dropped",
    "safe-withdraw-borrow-explained",
    "close-factor",
    "reading-position-answer",
    "why-debt-grows",
];

/// How long a FAQ answer waits for the user's own health factor before going out without it.
const PERSONAL_LINE_BUDGET: Duration = Duration::from_millis(300);

/// The conversation core.
pub struct Desk {
    knowledge: RwLock<Arc<KnowledgeBase>>,
    chain: Markets,
    tickets: Tickets,
    store: Store,
    settings: DeskSettings,
    /// Users seen since start, in front of the store: a message costs no read, and a change
    /// of `recent_topics` alone (a heuristic, fine to lose on restart) costs no write.
    users: std::sync::Mutex<std::collections::HashMap<i64, UserRecord>>,
    /// Each user's recent conversation (redacted), in memory; saved to the store when the
    /// user is handed to a person, so a message costs no write.
    conversations:
        std::sync::Mutex<std::collections::HashMap<i64, std::collections::VecDeque<HistoryEntry>>>,
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
}

/// Above this many cached users the cache starts over (records stay in the store).
/// The prefix of an answer's source naming a market where the guard fired: lendesk's
/// recomputation disagreed with the protocol, so the answer showed the protocol's own figures
/// (`guard:MARKET`). Counted in `/stats`.
const GUARD_SOURCE: &str = "guard:";

const USER_CACHE_LIMIT: usize = 200_000;

/// Flood control's sliding window, in seconds.
const FLOOD_WINDOW_SECS: u64 = 60;

/// The maintenance notice is read from the store at most this often.
const NOTICE_TTL: Duration = Duration::from_secs(1);

/// An ownership proof (the message to sign) is valid this long, in seconds.
const PROOF_TTL_SECS: u64 = 3_600;

/// A rating comment is stored up to this many characters.
const COMMENT_CHARS: usize = 1_000;

/// The question kept with a statistics event for an unanswered message, in characters.
const EVENT_QUESTION_CHARS: usize = 200;

/// A user's recent message times.
#[derive(Debug, Default)]
struct FloodWindow {
    /// The last `flood_limit + 1` message times (unix seconds), in arrival order.
    times: VecDeque<u64>,
    /// The "too fast" notice was given in the current burst.
    noticed: bool,
}

/// Flood control's verdict on one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flood {
    /// Within the limit.
    Ok,
    /// Over the limit for the first time in this burst: say so once.
    Notice,
    /// Over the limit, already told.
    Silent,
}

#[derive(Debug, Default)]
struct NoticeCache {
    read_at: Option<Instant>,
    text: Option<Arc<str>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// "/start@lendesk_bot now" → "start" (lowercase); `None` when `text` is not a command.
fn command_name(text: &str) -> Option<String> {
    let head = text.trim_start().split(char::is_whitespace).next()?;
    let name = head.strip_prefix('/')?.split('@').next()?;
    Some(name.to_ascii_lowercase())
}

/// What of a message goes into the conversation kept for staff: the text, except a signature
/// sent with /verify (public, but long and of no use to a person).
fn history_text(text: &str) -> Cow<'_, str> {
    if command_name(text).as_deref() == Some("verify") {
        Cow::Borrowed("/verify [signature]")
    } else {
        Cow::Borrowed(text)
    }
}

/// "bot, what is a health factor" / "@bot …" / "机器人，…": the user asks the bot itself while a
/// person is on their ticket. Returns the question without the address.
fn addressed_to_bot(text: &str) -> Option<&str> {
    let trimmed = text.trim_start();
    let lower_head: String = trimmed.chars().take(4).collect::<String>().to_lowercase();
    let rest = if lower_head.starts_with("@bot") {
        trimmed.get(4..)?
    } else if lower_head.starts_with("bot")
        && trimmed
            .get(3..)
            .and_then(|r| r.chars().next())
            .is_some_and(|c| matches!(c, ',' | '，' | ':' | '：' | '!' | '！'))
    {
        trimmed.get(3..)?
    } else {
        trimmed.strip_prefix("机器人")?
    };
    Some(rest.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '，' | ':' | '：' | '!' | '！' | '、')
    }))
}

/// 16 random hex digits for an ownership proof.
fn proof_nonce() -> String {
    use alloy::signers::k256::elliptic_curve::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 8];
    if OsRng.try_fill_bytes(&mut bytes).is_err() {
        // No OS randomness (should not happen): a per-process random hasher over the time.
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        bytes = hasher.finish().to_be_bytes();
    }
    hex::encode(bytes)
}

/// The EIP-191 message a user signs to prove `address` is theirs.
fn proof_message(address: Address, user: i64) -> String {
    format!(
        "lendesk: I own {}. Telegram user {user}. Nonce {}.",
        address.to_checksum(None),
        proof_nonce()
    )
}

/// A 65-byte signature as wallets print it (0x + 130 hex; spaces, quotes and backticks from
/// copying are ignored).
fn parse_signature(text: &str) -> Option<Signature> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '`' | '"' | '\'' | '“' | '”'))
        .collect();
    let digits = cleaned
        .strip_prefix("0x")
        .or_else(|| cleaned.strip_prefix("0X"))
        .unwrap_or(&cleaned);
    if digits.len() != 130 {
        return None;
    }
    let bytes = hex::decode(digits).ok()?;
    Signature::try_from(bytes.as_slice()).ok()
}

/// How a user record changed, for saving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Only heuristics, fine to lose on a restart (the recent FAQ topics, a switch of the
    /// language last answered in): cache only, saved with the next write.
    Topics,
    /// Who the user is (@username, display name, first contact, the first language answered
    /// in): saved, not flushed.
    Identity,
    /// Something the user is told about (language, links, announcements, a proof or a rating
    /// in progress): flushed before the reply.
    Acknowledged,
}

/// Up to three addresses read at once on `readers` (every market when `None`): an answer has
/// one deadline, however many addresses and markets it shows.
async fn read_positions(
    markets: &Markets,
    readers: Option<&[&crate::chain::aave_v3::AaveV3Reader]>,
    addresses: &[Address],
) -> Vec<(Address, Lookup)> {
    let shown = &addresses[..addresses.len().min(3)];
    let reads = futures::future::join_all(shown.iter().map(|a| async move {
        match readers {
            Some(readers) => markets.lookup_on(readers, *a).await,
            None => markets.lookup(*a).await,
        }
    }))
    .await;
    shown.iter().copied().zip(reads).collect()
}

/// The positions an answer shows for one address: every market where it has a position,
/// worst health first; where it has none, the first market's empty position (one market
/// configured: today's "no supply and no debt on …"). `Err` when no market could be read.
fn shown_positions(lookup: &Lookup) -> Result<Vec<&Position>, &ChainError> {
    if lookup.all_failed() {
        return Err(lookup
            .failures()
            .map(|(_, e)| e)
            .next()
            .expect("all failed: at least one failure"));
    }
    let held: Vec<&Position> = lookup.positions().map(|(_, p)| p).collect();
    if !held.is_empty() {
        return Ok(held);
    }
    Ok(lookup
        .reads
        .iter()
        .filter_map(|r| r.position())
        .take(1)
        .collect())
}

/// The line under an answer naming the markets that could not be read, when some answered.
fn unread_markets(lookup: &Lookup, lang: Lang) -> Option<Reply> {
    let failed: Vec<&str> = lookup
        .failures()
        .map(|(r, e)| {
            tracing::warn!(market = %r.market, error = %e, "market read failed");
            r.market.as_str()
        })
        .collect();
    (!failed.is_empty()).then(|| Reply::text(texts::markets_unavailable(lang, &failed)))
}

/// An answer's sources for one position: where and at which block it was read, and the
/// guard's mark when lendesk's recomputation disagreed with the protocol there.
fn position_sources(
    position: &Position,
    address: Address,
    report: &report::RiskReport,
) -> Vec<String> {
    let read = format!(
        "chain:{}:{}@{}",
        position.market,
        address.to_checksum(None),
        position.block_number
    );
    let guard =
        (!report.agrees_with_protocol).then(|| format!("{GUARD_SOURCE}{}", position.market));
    std::iter::once(read).chain(guard).collect()
}

/// The answer when the node cannot be read (logged for the operator, sanitised by the chain).
/// `user` when the answer is for a known user (an asset button carries only the address).
fn chain_failed(user: Option<i64>, error: &ChainError, lang: Lang) -> Outcome {
    tracing::warn!(user = ?user, error = %error, "position read failed");
    Outcome::new(
        Intent::Error,
        lang,
        Reply::text(texts::chain_unavailable(lang)),
    )
}

/// How `a` differs from `b`. Every field is listed, so a new one is a compile error here until
/// it is classified.
fn change(a: &UserRecord, b: &UserRecord) -> Change {
    let UserRecord {
        id,
        lang,
        links,
        recent_topics: _,
        username,
        display_name,
        started_at,
        broadcast_opt_out,
        awaiting_comment,
        pending_proof,
        answered_in,
    } = a;
    if *id != b.id
        || *lang != b.lang
        || *links != b.links
        || *broadcast_opt_out != b.broadcast_opt_out
        || *awaiting_comment != b.awaiting_comment
        || *pending_proof != b.pending_proof
    {
        Change::Acknowledged
    } else if *username != b.username
        || *display_name != b.display_name
        || *started_at != b.started_at
        // A user who writes in both languages would otherwise cost a write per message.
        || (answered_in.is_some() && b.answered_in.is_none())
    {
        Change::Identity
    } else {
        Change::Topics
    }
}

/// Statistics events waiting for the writer thread; beyond this many new ones are dropped.
const EVENT_BACKLOG: usize = 200_000;
/// The writer is woken early when this many events wait.
const EVENT_BATCH: usize = 8_192;
/// The writer writes what waits at least this often.
const EVENT_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Debug, Default)]
struct EventQueue {
    events: Vec<MessageEvent>,
    stop: bool,
}

#[derive(Debug, Default)]
struct EventShared {
    queue: Mutex<EventQueue>,
    wake: std::sync::Condvar,
    /// Held while a batch is written, so [`EventWriter::flush`] can wait for one in flight.
    writing: Mutex<()>,
    dropped: AtomicU64,
}

impl EventShared {
    /// Writes everything queued so far (the caller holds `writing`).
    fn drain(&self, store: &Store) {
        let batch = std::mem::take(&mut lock(&self.queue).events);
        if batch.is_empty() {
            return;
        }
        if let Err(e) = store.record_events(&batch) {
            tracing::error!(events = batch.len(), error = %e, "cannot record statistics events");
        }
    }
}

/// Writes statistics events on a thread of its own, a batch at a time: an answer only pushes
/// to a queue in memory (a sled write per event would cost the answer path about a fifth of
/// its throughput, and waking a thread per event a system call).
#[derive(Debug)]
struct EventWriter {
    shared: Arc<EventShared>,
    store: Store,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EventWriter {
    fn start(store: Store) -> Self {
        let shared = Arc::new(EventShared::default());
        let thread = {
            let shared = shared.clone();
            let store = store.clone();
            std::thread::Builder::new()
                .name("lendesk-events".into())
                .spawn(move || {
                    loop {
                        let stop = {
                            let queue = lock(&shared.queue);
                            let queue = if queue.stop || queue.events.len() >= EVENT_BATCH {
                                queue
                            } else {
                                match shared.wake.wait_timeout(queue, EVENT_INTERVAL) {
                                    Ok((guard, _)) => guard,
                                    Err(poisoned) => poisoned.into_inner().0,
                                }
                            };
                            queue.stop
                        };
                        {
                            let _writing = lock(&shared.writing);
                            shared.drain(&store);
                        }
                        if stop {
                            break;
                        }
                    }
                })
        };
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the statistics writer; events are written inline");
                None
            }
        };
        Self {
            shared,
            store,
            thread,
        }
    }

    fn record(&self, event: MessageEvent) {
        if self.thread.is_none() {
            if let Err(e) = self.store.record_event(&event) {
                tracing::error!(user = event.user, error = %e, "cannot record a statistics event");
            }
            return;
        }
        let mut queue = lock(&self.shared.queue);
        if queue.events.len() >= EVENT_BACKLOG {
            drop(queue);
            let dropped = self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            if dropped.is_multiple_of(10_000) {
                tracing::warn!(
                    dropped = dropped + 1,
                    "statistics writer behind; events dropped"
                );
            }
            return;
        }
        queue.events.push(event);
        if queue.events.len() == EVENT_BATCH {
            self.shared.wake.notify_one();
        }
    }

    /// Returns once every event recorded before the call is in the store.
    fn flush(&self) {
        let _writing = lock(&self.shared.writing);
        self.shared.drain(&self.store);
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        lock(&self.shared.queue).stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Anything recorded inline or after the thread's last batch.
        self.flush();
    }
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("markets", &self.chain.len())
            .finish_non_exhaustive()
    }
}

fn faq_button(kb: &KnowledgeBase, id: &str, lang: Lang) -> Option<Button> {
    kb.topic(id).map(|t| Button {
        label: t.text(lang).title.clone(),
        data: format!("faq:{id}"),
    })
}

/// The language choice offered on /start and /lang.
fn lang_buttons() -> Vec<Vec<Button>> {
    vec![vec![
        Button {
            label: "English".into(),
            data: "lang:en".into(),
        },
        Button {
            label: "中文".into(),
            data: "lang:zh".into(),
        },
    ]]
}

fn person_button(lang: Lang) -> Button {
    Button {
        label: texts::person_button(lang).into(),
        data: "human".into(),
    }
}

fn escalation_for_topic(id: &str) -> Option<EscalationReason> {
    Some(match id {
        "lost-stolen-funds" => EscalationReason::LostOrStolenFunds,
        "wallet-compromised" => EscalationReason::HackedWallet,
        "wrong-address" => EscalationReason::WrongAddress,
        "bug-or-exploit" => EscalationReason::BugOrExploit,
        "complaint" => EscalationReason::Complaint,
        "reach-a-person" => EscalationReason::AskedForPerson,
        _ => return None,
    })
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
            knowledge: RwLock::new(Arc::new(knowledge)),
            users: std::sync::Mutex::new(std::collections::HashMap::new()),
            conversations: std::sync::Mutex::new(std::collections::HashMap::new()),
            flood: Mutex::new(HashMap::new()),
            handoffs: Mutex::new(HashMap::new()),
            handoff_epoch: AtomicU64::new(0),
            notice: RwLock::new(NoticeCache::default()),
            events: EventWriter::start(store.clone()),
            chain,
            tickets,
            store,
            settings,
        }
    }

    /// The current knowledge base.
    pub fn knowledge(&self) -> Arc<KnowledgeBase> {
        match self.knowledge.read() {
            Ok(kb) => kb.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the knowledge base (moderators' live edits).
    pub fn set_knowledge(&self, kb: KnowledgeBase) {
        let mut guard = match self.knowledge.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(kb);
    }

    /// The ticket service.
    pub fn tickets(&self) -> &Tickets {
        &self.tickets
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A user's recent conversation with the bot (redacted), oldest first: from memory, or as
    /// last saved when the user was handed to a person.
    pub fn conversation(&self, user: i64) -> Result<Vec<HistoryEntry>, DeskError> {
        let in_memory = match self.conversations.lock() {
            Ok(guard) => guard
                .get(&user)
                .map(|l| l.iter().cloned().collect::<Vec<_>>()),
            Err(poisoned) => poisoned
                .into_inner()
                .get(&user)
                .map(|l| l.iter().cloned().collect()),
        };
        match in_memory {
            Some(lines) => Ok(lines),
            None => Ok(self.store.history(user)?),
        }
    }

    fn cached_users(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, UserRecord>> {
        match self.users.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn load_user(&self, id: i64) -> Result<UserRecord, DeskError> {
        if let Some(record) = self.cached_users().get(&id) {
            return Ok(record.clone());
        }
        let record = self.store.user(id)?.unwrap_or_else(|| UserRecord::new(id));
        let mut users = self.cached_users();
        if users.len() >= USER_CACHE_LIMIT {
            users.clear();
        }
        users.insert(id, record.clone());
        Ok(record)
    }

    fn language(record: &UserRecord, text: &str, hint: Option<Lang>) -> Lang {
        record
            .lang
            .or_else(|| lang::detect(text))
            .or(hint)
            .unwrap_or_default()
    }

    /// Handles one message. Storage failures are logged and answered politely; they never
    /// lose the reply.
    pub async fn handle(&self, msg: Incoming) -> Outcome {
        let mut out = self.answer(msg).await;
        self.add_notice(&mut out);
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
        self.add_notice(&mut out);
        out
    }

    /// Staff changed a ticket of `user` (first response, close, reopen): the desk reads the
    /// user's open ticket from the store again on their next message.
    pub fn ticket_changed(&self, user: i64) {
        self.handoff_epoch.fetch_add(1, Ordering::SeqCst);
        lock(&self.handoffs).remove(&user);
    }

    /// Waits until every statistics event of the messages answered so far is in the store
    /// (events are written on a thread of their own; statistics readers call this first
    /// when they need the last milliseconds).
    pub fn flush_events(&self) {
        self.events.flush();
    }

    /// Reads the maintenance notice from the store now (it is otherwise re-read at most once
    /// a second, so a change through the store shows within a second without this call).
    pub fn refresh_maintenance(&self) {
        self.read_maintenance();
    }

    fn read_maintenance(&self) -> Option<Arc<str>> {
        let mut cache = match self.notice.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        match self.store.maintenance() {
            Ok(notice) => cache.text = notice.map(|m| Arc::from(m.text.trim())),
            // Keep showing what was last known; try again after the TTL.
            Err(e) => tracing::error!(error = %e, "cannot read the maintenance notice"),
        }
        cache.read_at = Some(Instant::now());
        cache.text.clone()
    }

    /// The maintenance notice in force (cached for up to [`NOTICE_TTL`]).
    fn maintenance_notice(&self) -> Option<Arc<str>> {
        {
            let cache = match self.notice.read() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            if cache.read_at.is_some_and(|at| at.elapsed() < NOTICE_TTL) {
                return cache.text.clone();
            }
        }
        self.read_maintenance()
    }

    /// Puts the maintenance notice in front of an answer that has replies.
    fn add_notice(&self, out: &mut Outcome) {
        if out.replies.is_empty() || matches!(out.intent, Intent::Dropped | Intent::Throttled) {
            return;
        }
        if let Some(notice) = self.maintenance_notice().filter(|n| !n.is_empty()) {
            out.replies
                .insert(0, Reply::text(texts::maintenance(out.lang, &notice)));
        }
    }

    /// How the user is banned, if they are.
    fn ban_of(&self, user: i64) -> Option<BanKind> {
        match self.store.ban_of(user) {
            Ok(ban) => ban.map(|b| b.kind),
            Err(e) => {
                tracing::error!(user, error = %e, "cannot read bans");
                None
            }
        }
    }

    /// The outcome for a banned user: nothing processed, one reply for a plain ban.
    fn dropped(kind: BanKind, lang: Lang) -> Outcome {
        match kind {
            BanKind::Shadow => Outcome::silent(Intent::Dropped, lang),
            BanKind::Ban => Outcome::new(Intent::Dropped, lang, Reply::text(texts::banned(lang))),
        }
    }

    /// Counts a message against the user's flood window (message times from `Incoming::now`).
    fn flood_check(&self, user: i64, now: u64) -> Flood {
        let limit = self.settings.flood_limit as usize;
        if limit == 0 {
            return Flood::Ok;
        }
        let mut windows = lock(&self.flood);
        if windows.len() >= USER_CACHE_LIMIT && !windows.contains_key(&user) {
            windows.retain(|_, w| {
                w.times
                    .back()
                    .is_some_and(|t| now.saturating_sub(*t) < FLOOD_WINDOW_SECS)
            });
            if windows.len() >= USER_CACHE_LIMIT {
                windows.clear();
            }
        }
        let window = windows.entry(user).or_default();
        window.times.push_back(now);
        while window.times.len() > limit + 1 {
            window.times.pop_front();
        }
        // More than `limit` messages (this one included) within the last minute.
        let over = window.times.len() > limit
            && window
                .times
                .front()
                .is_some_and(|first| now.saturating_sub(*first) < FLOOD_WINDOW_SECS);
        if !over {
            window.noticed = false;
            Flood::Ok
        } else if window.noticed {
            Flood::Silent
        } else {
            window.noticed = true;
            Flood::Notice
        }
    }

    fn throttled(flood: Flood, lang: Lang) -> Outcome {
        if flood == Flood::Notice {
            Outcome::new(Intent::Throttled, lang, Reply::text(texts::throttled(lang)))
        } else {
            Outcome::silent(Intent::Throttled, lang)
        }
    }

    /// The user's ticket that is not closed: (id, status), from memory when known.
    fn handoff(&self, user: i64) -> Option<(u64, TicketStatus)> {
        if let Some(known) = lock(&self.handoffs).get(&user) {
            return *known;
        }
        let epoch = self.handoff_epoch.load(Ordering::SeqCst);
        match self.tickets.open_for(user) {
            Ok(ticket) => {
                let found = ticket.map(|t| (t.id, t.status));
                let mut handoffs = lock(&self.handoffs);
                // A change announced while the store was read may not be in what was read.
                if self.handoff_epoch.load(Ordering::SeqCst) == epoch {
                    if handoffs.len() >= USER_CACHE_LIMIT {
                        handoffs.clear();
                    }
                    handoffs.insert(user, found);
                }
                found
            }
            Err(e) => {
                tracing::error!(user, error = %e, "cannot read the user's open ticket");
                None
            }
        }
    }

    fn load_or_new(&self, user: i64) -> UserRecord {
        match self.load_user(user) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(user, error = %e, "cannot load user record");
                UserRecord::new(user)
            }
        }
    }

    async fn answer(&self, msg: Incoming) -> Outcome {
        let ban = self.ban_of(msg.user);
        let mut record = self.load_or_new(msg.user);
        let (text, cut) = truncate_chars(&msg.text, MAX_PROCESSED_CHARS);
        let secret = secrets::contains_secret(text) || (cut && secrets::contains_secret(&msg.text));
        // A secret's text says nothing about the language, except its script.
        let early_lang = |record: &UserRecord| {
            if secret {
                Self::language(record, "", msg.lang_hint).max_by_script(text)
            } else {
                Self::language(record, text, msg.lang_hint)
            }
        };

        // 0. Bans: nothing of a banned user's message goes anywhere; a secret is still deleted.
        if let Some(kind) = ban {
            let mut out = Self::dropped(kind, early_lang(&record));
            if secret {
                out.actions.push(Action::DeleteMessage);
            }
            tracing::debug!(user = msg.user, ?kind, "message from a banned user dropped");
            return out;
        }

        // 0. Flood control (in memory; a secret is still deleted).
        let flood = self.flood_check(msg.user, msg.now);
        if flood != Flood::Ok {
            let mut out = Self::throttled(flood, early_lang(&record));
            if secret {
                tracing::warn!(user = msg.user, "a secret was pasted; message discarded");
                out.actions.push(Action::DeleteMessage);
            }
            return out;
        }

        // Who the user is: saved (unflushed) only when it changes.
        let loaded = record.clone();
        if let Some(name) = msg.username.as_deref().filter(|n| !n.is_empty())
            && record.username.as_deref() != Some(name)
        {
            record.username = Some(name.to_string());
        }
        if let Some(name) = msg.display_name.as_deref().filter(|n| !n.is_empty())
            && record.display_name.as_deref() != Some(name)
        {
            record.display_name = Some(name.to_string());
        }
        if record.started_at.is_none() {
            record.started_at = Some(msg.now);
        }

        // 1. Secrets first: nothing of the message goes anywhere.
        if secret {
            let lang = early_lang(&record);
            tracing::warn!(user = msg.user, "a secret was pasted; message discarded");
            let said = HistoryEntry::new(
                msg.now,
                Speaker::User,
                "[message removed: it contained a secret]",
            );
            let mut out = Outcome::new(
                Intent::RefuseSecret,
                lang,
                Reply::text(texts::secret_warning(lang)),
            );
            out.actions.push(Action::DeleteMessage);
            // "My funds were stolen, here is my key…": the theft still reaches a person, with
            // the secret cut out of everything the ticket keeps.
            let redacted = secrets::redact(&msg.text);
            if let Some(reason) = intent::escalation(&intent::fold(&redacted)) {
                let summary: String = redacted.chars().take(MAX_PROCESSED_CHARS).collect();
                let ticket = self.escalate(&record, reason, lang, &summary, msg.now);
                out.ticket = ticket.ticket;
                out.actions.extend(ticket.actions);
                out.replies.extend(ticket.replies);
            } else if command_name(&redacted).is_none()
                && let Some(saved) = self.take_comment(&mut record, &redacted, lang)
            {
                // The comment after a rating, with the secret cut out.
                out.replies.extend(saved.replies);
            }
            self.finish(&loaded, &record, said, &out, msg.now, None);
            return out;
        }

        // `text` passed the secret check above, so it is its own redaction from here on.
        let said = HistoryEntry::new(msg.now, Speaker::User, &history_text(text));
        let trimmed = text.trim();
        let is_command = trimmed.starts_with('/');
        // A command's name ("/human") says nothing about the user's language; its argument may.
        let lang = if is_command {
            let arg = trimmed
                .split_once(char::is_whitespace)
                .map_or("", |(_, a)| a);
            Self::language(&record, arg, msg.lang_hint)
        } else {
            Self::language(&record, text, msg.lang_hint)
        };
        // The hand-off to a person happens in private chats only.
        let handoff = match msg.chat {
            ChatKind::Private => self.handoff(msg.user),
            ChatKind::Group => None,
        };
        // Every message of a user with an open ticket reaches staff, except commands.
        let mut relay = handoff.is_some() && !is_command;
        let mut question = None;
        let mut out = if trimmed.is_empty() {
            if msg.media && handoff.is_some() {
                // A photo or file for the person on the ticket: it is relayed, nothing to say.
                Outcome::silent(Intent::Relayed, lang)
            } else {
                relay = false;
                Outcome::new(
                    Intent::Clarify,
                    lang,
                    Reply::text(texts::empty_message(lang)),
                )
            }
        } else if is_command {
            // Any command ends the wait for a rating comment; /skip says so.
            let awaited = record.awaiting_comment.take();
            if awaited.is_some() && command_name(trimmed).as_deref() == Some("skip") {
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::comment_skipped(lang)),
                )
            } else {
                self.command(&mut record, trimmed, lang, &msg).await
            }
        } else if let Some(saved) = self.take_comment(&mut record, text, lang) {
            relay = false;
            saved
        } else {
            let to_bot = handoff.and_then(|_| addressed_to_bot(text));
            match (handoff, to_bot) {
                // A person is on the ticket: they answer, the bot stays out of it.
                (Some((_, TicketStatus::InProgress)), None) => {
                    Outcome::silent(Intent::Relayed, lang)
                }
                (_, Some(asked)) if !asked.trim().is_empty() => {
                    question = Some(asked);
                    self.converse(&mut record, asked, lang, &msg).await
                }
                _ => {
                    question = Some(text);
                    self.converse(&mut record, text, lang, &msg).await
                }
            }
        };
        if relay && let Some((id, _)) = handoff {
            out = Self::for_open_ticket(out, id);
            out.actions.push(Action::RelayToStaff);
            out.ticket.get_or_insert(id);
        }
        if cut && !out.replies.is_empty() {
            out.replies.push(Reply::text(texts::trimmed(out.lang)));
        }
        self.finish(&loaded, &record, said, &out, msg.now, question);
        out
    }

    /// An answer to a message that goes to the team on the user's open ticket: instead of "I
    /// don't know" with a person button, or "ask for a person" when the node is down, it says
    /// the team has the message, and it offers no person (one is coming).
    fn for_open_ticket(mut out: Outcome, ticket: u64) -> Outcome {
        let offers_person = |r: &Reply| r.buttons.iter().flatten().any(|b| b.data == "human");
        if out.intent == Intent::Clarify && out.replies.iter().any(offers_person) {
            out.replies = vec![Reply::text(texts::sent_to_team(out.lang, ticket))];
            return out;
        }
        for reply in &mut out.replies {
            if reply.text == texts::chain_unavailable(out.lang) {
                reply.text = texts::chain_unavailable_on_ticket(out.lang, ticket);
            }
            for row in &mut reply.buttons {
                row.retain(|b| b.data != "human");
            }
            reply.buttons.retain(|row| !row.is_empty());
        }
        out
    }

    /// The comment after a rating, when one is awaited: stored (redacted) with the stars
    /// already given. `None` when no comment is awaited, when the message reports money at
    /// risk (that is handled as a message, not filed as a comment), or when the rating is
    /// gone (the ticket was reopened).
    fn take_comment(&self, record: &mut UserRecord, text: &str, lang: Lang) -> Option<Outcome> {
        let ticket = record.awaiting_comment?;
        if intent::escalation(&intent::fold(text))
            .is_some_and(|r| r.priority() == crate::tickets::Priority::Urgent)
        {
            record.awaiting_comment = None;
            return None;
        }
        record.awaiting_comment = None;
        let stars = match self.store.ticket(ticket) {
            Ok(Some(t)) if t.user == record.id => t.rating?,
            Ok(_) => return None,
            Err(e) => {
                tracing::error!(ticket, error = %e, "cannot read the rated ticket");
                return None;
            }
        };
        let comment: String = secrets::redact(text.trim())
            .chars()
            .take(COMMENT_CHARS)
            .collect();
        match self.tickets.rate(ticket, stars, Some(&comment)) {
            Ok(_) => Some(Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::comment_saved(lang)),
            )),
            Err(e) => {
                tracing::warn!(ticket, error = %e, "rating comment not saved");
                None
            }
        }
    }

    async fn press(&self, user: i64, data: &str, lang_hint: Option<Lang>, now: u64) -> Outcome {
        let ban = self.ban_of(user);
        let mut record = self.load_or_new(user);
        let lang = Self::language(&record, "", lang_hint);
        if let Some(kind) = ban {
            return Self::dropped(kind, lang);
        }
        if data == privacy::FORGET_YES {
            // Nothing of this press may be kept: no history line, no event, no user record.
            return self.forget_confirmed(user, lang, now);
        }
        let loaded = record.clone();
        if record.started_at.is_none() {
            record.started_at = Some(now);
        }
        let msg = Incoming {
            user,
            lang_hint,
            now,
            ..Default::default()
        };
        let out = if let Some(id) = data.strip_prefix("faq:") {
            self.faq_answer(&mut record, id, lang, &msg).await
        } else if data == "human" {
            self.escalate(
                &record,
                EscalationReason::AskedForPerson,
                lang,
                "[pressed: talk to a person]",
                now,
            )
        } else if let Some(code) = data.strip_prefix("lang:") {
            self.set_lang(&mut record, Some(code))
        } else if data == privacy::FORGET_NO {
            Self::forget_declined(lang)
        } else if let Some(rating) = data.strip_prefix("rate:") {
            self.rate(&mut record, rating, lang)
        } else if let Some((bps, named, market)) = data.strip_prefix("whatif:").and_then(|rest| {
            // "whatif:-2000:0xAddress@tag" with several markets, "whatif:-2000:0xAddress" with
            // one (older buttons carry no address: the linked ones).
            let (bps, address) = rest.split_once(':').unwrap_or((rest, ""));
            let (address, market) = match address.split_once('@') {
                Some((address, tag)) => (address, Some(tag)),
                None => (address, None),
            };
            let named: Vec<Address> = crate::chain::parse_address(address).into_iter().collect();
            bps.parse::<i64>().ok().map(|b| (b, named, market))
        }) {
            let w = WhatIf {
                symbol: None,
                change_bps: bps.clamp(-9_900, 9_900),
            };
            self.what_if(&record, &named, lang, &w, market).await
        } else if let Some((tag, address, symbol)) = data.strip_prefix("am:").and_then(|rest| {
            // "am:tag:0xAddress:SYMBOL": an asset button of one market among several.
            let (tag, rest) = rest.split_once(':')?;
            let (address, symbol) = rest.split_once(':')?;
            Some((tag, address, symbol))
        }) {
            self.asset_detail(address, symbol, lang, Some(tag)).await
        } else if let Some((address, symbol)) = data
            .strip_prefix("asset:")
            .and_then(|rest| rest.split_once(':'))
        {
            self.asset_detail(address, symbol, lang, None).await
        } else {
            Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::unknown_command(lang)),
            )
        };
        let said = HistoryEntry::new(
            now,
            Speaker::User,
            &format!("[button {}]", secrets::redact(data)),
        );
        self.finish(&loaded, &record, said, &out, now, None);
        out
    }

    /// A rating button, `<ticket>:<stars>`: counted once for the user's own closed tickets
    /// (then the buttons go); the next plain message is then taken as a comment.
    fn rate(&self, record: &mut UserRecord, data: &str, lang: Lang) -> Outcome {
        let refused = || {
            Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::rating_refused(lang)),
            )
        };
        let Some((ticket, stars)) = data
            .split_once(':')
            .and_then(|(t, s)| Some((t.parse::<u64>().ok()?, s.parse::<u8>().ok()?)))
            .filter(|(_, s)| (1..=5).contains(s))
        else {
            return refused();
        };
        match self.store.ticket(ticket) {
            Ok(Some(t)) if t.user == record.id && t.status == TicketStatus::Closed => {
                // One rating per ticket: an older button pressed later changes nothing.
                if t.rating.is_some() {
                    let mut out = Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::already_rated(lang, ticket)),
                    );
                    out.actions.push(Action::RemoveButtons);
                    return out;
                }
            }
            Ok(_) => return refused(),
            Err(e) => {
                tracing::error!(ticket, error = %e, "cannot read the ticket to rate");
                return refused();
            }
        }
        match self.tickets.rate(ticket, stars, None) {
            Ok(_) => {
                record.awaiting_comment = Some(ticket);
                let mut out = Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::rated(lang, ticket, stars)),
                );
                out.actions.push(Action::RemoveButtons);
                out
            }
            Err(e) => {
                tracing::warn!(ticket, error = %e, "rating not recorded");
                refused()
            }
        }
    }

    fn finish(
        &self,
        loaded: &UserRecord,
        record: &UserRecord,
        said: HistoryEntry,
        out: &Outcome,
        now: u64,
        question: Option<&str>,
    ) {
        // The language answered in, for announcements later (when the user chose none).
        let spoken;
        let record = if out.replies.is_empty() || record.answered_in == Some(out.lang) {
            record
        } else {
            spoken = UserRecord {
                answered_in: Some(out.lang),
                ..record.clone()
            };
            &spoken
        };
        // Staff need the gist of what the bot said, not every figure: which FAQ answered, or
        // the first 200 characters of anything else (nothing when it said nothing).
        let reply: String = if out.intent == Intent::Faq {
            format!("[FAQ answer: {}]", out.sources.join(", "))
        } else {
            out.text().chars().take(200).collect()
        };
        let answered =
            (!out.replies.is_empty()).then(|| HistoryEntry::new(now, Speaker::Bot, &reply));
        let conversation: Vec<HistoryEntry> = {
            let mut conversations = lock(&self.conversations);
            if conversations.len() >= USER_CACHE_LIMIT && !conversations.contains_key(&record.id) {
                conversations.clear();
            }
            let lines = conversations.entry(record.id).or_default();
            lines.push_back(said);
            lines.extend(answered);
            while lines.len() > crate::store::HISTORY_LIMIT {
                lines.pop_front();
            }
            // Only a hand-off to people needs the conversation on disk (staff get it with the
            // ticket; later messages of an open ticket are relayed to them one by one).
            if out.actions.contains(&Action::NotifyStaff) {
                lines.iter().cloned().collect()
            } else {
                Vec::new()
            }
        };
        if !conversation.is_empty()
            && let Err(e) = self.store.save_history(record.id, &conversation)
        {
            tracing::error!(user = record.id, error = %e, "cannot save conversation");
        }
        if record != loaded {
            // Language, links, announcements, proofs and a rating in progress are acknowledged
            // to the user: on disk before the reply. Who the user is goes to the store without
            // a flush; recent topics alone live in the cache until the next save.
            let saved = match change(record, loaded) {
                Change::Topics => Ok(()),
                Change::Identity => self.store.save_user(record, false),
                Change::Acknowledged => self.store.save_user(record, true),
            };
            if let Err(e) = saved {
                tracing::error!(user = record.id, error = %e, "cannot save user record");
            }
            let mut users = self.cached_users();
            if users.len() >= USER_CACHE_LIMIT && !users.contains_key(&record.id) {
                users.clear();
            }
            users.insert(record.id, record.clone());
        }
        // Statistics: which intent, which FAQ topic, and the question when the bot could not
        // answer it (text that reaches here has passed the secret check).
        let event = MessageEvent {
            count: 1,
            at: now,
            user: record.id,
            intent: out.intent.name().to_string(),
            topic: match out.intent {
                Intent::Faq => out
                    .sources
                    .first()
                    .and_then(|s| s.strip_prefix("faq:"))
                    .map(str::to_string),
                _ => None,
            },
            question: match (out.intent, question) {
                (Intent::Clarify, Some(q)) => Some(
                    secrets::redact(q.trim())
                        .chars()
                        .take(EVENT_QUESTION_CHARS)
                        .collect(),
                ),
                _ => None,
            },
            guarded_markets: out
                .sources
                .iter()
                .filter_map(|s| s.strip_prefix(GUARD_SOURCE))
                .map(str::to_string)
                .collect(),
        };
        self.events.record(event);
        tracing::info!(user = record.id, intent = ?out.intent, lang = out.lang.code(), ticket = ?out.ticket, "answered");
    }

    async fn converse(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let folded = intent::fold(text);
        if let Some(rest) = folded.strip_prefix("link ") {
            let address = rest.trim().to_string();
            return self.link(record, Some(&address), lang, msg.now);
        }

        // Escalations: money at risk, an explicit ask for a person, a complaint.
        if let Some(reason) = intent::escalation(&folded) {
            return self.escalate(record, reason, lang, text, msg.now);
        }
        if intent::still_unresolved(&folded) && !record.recent_topics.is_empty() {
            return self.escalate(record, EscalationReason::Unresolved, lang, text, msg.now);
        }

        // Live position questions.
        let mentions = intent::addresses(text);
        // A what-if names a percentage; only then are the market's symbols needed.
        let what_if = if folded.contains('%') {
            intent::what_if(&folded, &self.symbols().await)
        } else {
            None
        };
        let focus = intent::position_focus(&folded, !mentions.valid.is_empty())
            .or(what_if.as_ref().map(|_| PositionFocus::Liquidation));
        let names_address = !mentions.valid.is_empty()
            || !mentions.shortened.is_empty()
            || !mentions.invalid.is_empty();
        if focus.is_some() || names_address {
            if mentions.valid.is_empty() {
                if let Some(short) = mentions.shortened.first() {
                    return Outcome::new(
                        Intent::Clarify,
                        lang,
                        Reply::text(texts::need_full_address(lang, short)),
                    );
                }
                if let Some((_, e)) = mentions.invalid.first() {
                    return Outcome::new(
                        Intent::Error,
                        lang,
                        Reply::text(texts::bad_address(lang, &e.to_string())),
                    );
                }
            }
            let focus = focus.unwrap_or(PositionFocus::Overview);
            return self
                .position(record, &mentions.valid, lang, msg, focus, what_if.as_ref())
                .await;
        }

        if intent::out_of_scope(&folded) {
            let out = Outcome::new(
                Intent::Smalltalk,
                lang,
                Reply::text(texts::out_of_scope(lang)),
            );
            return out;
        }
        if let Some(kind) = intent::small_talk(&folded) {
            let reply = match kind {
                SmallTalk::Hello => {
                    format!("{}\n\n{}", texts::hello(lang), texts::capabilities(lang))
                }
                SmallTalk::Thanks => texts::thanks(lang).to_string(),
                SmallTalk::Bye => texts::bye(lang).to_string(),
            };
            return Outcome::new(Intent::Smalltalk, lang, Reply::text(reply));
        }
        self.knowledge_answer(record, text, lang, msg).await
    }

    async fn symbols(&self) -> Vec<String> {
        self.chain.symbols().await
    }

    /// The markets a button names: every market without a tag, the tagged one with it, or
    /// `Err` with the answer when that market is no longer configured.
    fn button_markets(
        &self,
        tag: Option<&str>,
        lang: Lang,
    ) -> Result<Option<Vec<&crate::chain::aave_v3::AaveV3Reader>>, Outcome> {
        match tag {
            None => Ok(None),
            Some(tag) => match self.chain.by_tag(tag) {
                Some(reader) => Ok(Some(vec![reader])),
                None => Err(Outcome::new(
                    Intent::Error,
                    lang,
                    Reply::text(texts::market_gone(lang)),
                )),
            },
        }
    }

    async fn knowledge_answer(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let kb = self.knowledge();
        let hits = kb.search(text, lang, 3);
        let Some(best) = hits.first() else {
            return self.not_understood(lang, &[]);
        };
        if best.confidence >= CONFIDENT {
            // The same topic a third time in a row: the answer is not helping.
            let repeats = record
                .recent_topics
                .iter()
                .rev()
                .take(2)
                .filter(|t| **t == best.id)
                .count();
            if repeats == 2 {
                return self.escalate(record, EscalationReason::Unresolved, lang, text, msg.now);
            }
            return self.faq_answer(record, &best.id, lang, msg).await;
        }
        if best.confidence >= UNSURE {
            let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
            return self.not_understood(lang, &ids);
        }
        self.not_understood(lang, &[])
    }

    fn not_understood(&self, lang: Lang, ids: &[&str]) -> Outcome {
        let kb = self.knowledge();
        let mut rows: Vec<Vec<Button>> = ids
            .iter()
            .filter_map(|id| faq_button(&kb, id, lang))
            .map(|b| vec![b])
            .collect();
        rows.push(vec![person_button(lang)]);
        let text = if ids.is_empty() {
            format!(
                "{}\n\n{}",
                texts::not_understood(lang),
                texts::capabilities(lang)
            )
        } else {
            texts::did_you_mean(lang).to_string()
        };
        let mut out = Outcome::new(Intent::Clarify, lang, Reply::text(text).with_buttons(rows));
        out.sources = ids.iter().map(|id| format!("faq:{id}")).collect();
        out
    }

    async fn faq_answer(
        &self,
        record: &mut UserRecord,
        id: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let kb = self.knowledge();
        let Some(topic) = kb.topic(id) else {
            return self.not_understood(lang, &[]);
        };
        let title = &topic.text(lang).title;
        let body = topic.text(lang).answer.trim();
        let mut text = String::with_capacity(title.len() + body.len() + 8);
        if LIVE_TOPICS.contains(&id)
            && let Some(line) = self.live_line(record, lang, msg).await
        {
            text.push_str(&line);
            text.push_str("\n\n");
        }
        for part in ["**", title, "**\n", body] {
            text.push_str(part);
        }
        record.recent_topics.push(id.to_string());
        if record.recent_topics.len() > 5 {
            record.recent_topics.remove(0);
        }
        let related: Vec<Vec<Button>> = topic
            .related
            .iter()
            .take(2)
            .filter_map(|r| faq_button(&kb, r, lang))
            .map(|b| vec![b])
            .chain(std::iter::once(vec![person_button(lang)]))
            .collect();

        // Topics that are about money at risk also open a ticket.
        if topic.escalate
            && let Some(reason) = escalation_for_topic(id)
        {
            let mut out = self.escalate(record, reason, lang, &format!("[faq:{id}]"), msg.now);
            out.replies.insert(0, Reply::text(text));
            out.sources.insert(0, format!("faq:{id}"));
            return out;
        }
        let mut out = Outcome::new(Intent::Faq, lang, Reply::text(text).with_buttons(related));
        out.sources.push(format!("faq:{id}"));
        out
    }

    /// The per-asset detail behind a position answer's asset button: on the market the button
    /// names (`tag`), or for older buttons the first market, worst health first, where the
    /// address holds or owes the asset.
    async fn asset_detail(
        &self,
        address: &str,
        symbol: &str,
        lang: Lang,
        tag: Option<&str>,
    ) -> Outcome {
        if self.chain.is_empty() {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::no_market(lang)));
        }
        let readers = match self.button_markets(tag, lang) {
            Ok(readers) => readers,
            Err(out) => return out,
        };
        let address = match crate::chain::parse_address(address) {
            Ok(a) => a,
            Err(e) => {
                return Outcome::new(
                    Intent::Error,
                    lang,
                    Reply::text(texts::bad_address(lang, &e.to_string())),
                );
            }
        };
        let lookup = match &readers {
            Some(readers) => self.chain.lookup_on(readers, address).await,
            None => self.chain.lookup(address).await,
        };
        let positions = match shown_positions(&lookup) {
            Ok(positions) => positions,
            Err(e) => return chain_failed(None, e, lang),
        };
        let found = positions.iter().find_map(|position| {
            let report = report::assess(position, self.settings.target_health_factor);
            position_answer::render_asset(lang, position, &report, symbol)
                .map(|t| (position, report, t))
        });
        let Some((position, report, text)) = found else {
            return Outcome::new(
                Intent::Position,
                lang,
                Reply::text(texts::unknown_command(lang)),
            );
        };
        let mut out = Outcome::new(Intent::Position, lang, Reply::text(text));
        out.sources
            .extend(position_sources(position, address, &report));
        out
    }

    /// Discovers the market in the background at start, so that the first answers, and the
    /// FAQ's personal line with its short budget, need one round trip instead of discovery's
    /// four. A failure is only logged: the first lookup tries again.
    pub async fn warm_up(&self) {
        for (market, e) in self.chain.warm_up().await {
            tracing::warn!(%market, error = %e, "market discovery at start failed; retried on first use");
        }
    }

    /// One line about an address for staff: "HF 1.31 (risky) · collateral $12,000.00 · debt
    /// $8,400.00" (`format::usd` writes the dollar sign), read live on every market (several:
    /// one such part per market with a position, worst first, each naming its market); `None`
    /// without a market, on a read failure it says so.
    pub async fn position_summary(&self, address: Address, lang: Lang) -> Option<String> {
        if self.chain.is_empty() {
            return None;
        }
        let lookup = self.chain.lookup(address).await;
        if lookup.all_failed() {
            for (read, e) in lookup.failures() {
                tracing::warn!(market = %read.market, error = %e, "position read for staff failed");
            }
            return Some(texts::chain_unavailable(lang).to_string());
        }
        let several = self.chain.len() > 1;
        let mut parts: Vec<String> = lookup
            .positions()
            .map(|(read, position)| {
                let report = report::assess(position, self.settings.target_health_factor);
                let line = summary_line(lang, position, &report);
                if several {
                    format!("{}: {line}", read.market)
                } else {
                    line
                }
            })
            .collect();
        if parts.is_empty() {
            parts.push(lang.pick("no position", "无仓位").to_string());
        }
        let failed: Vec<&str> = lookup.failures().map(|(r, _)| r.market.as_str()).collect();
        if !failed.is_empty() {
            parts.push(texts::markets_unavailable_short(lang, &failed));
        }
        Some(parts.join(" | "))
    }

    /// "Your HF is 1.31 (risky…)": the user's own figure for FAQ answers, when cheap to get.
    async fn live_line(&self, record: &UserRecord, lang: Lang, msg: &Incoming) -> Option<String> {
        if self.chain.is_empty() {
            return None;
        }
        let address = msg
            .addresses
            .first()
            .copied()
            .or_else(|| record.links.first().map(|l| l.address))?;
        // The FAQ answer does not wait for a slow node: the line joins only if it is ready.
        // A market not ready within the budget is left out; the others still count.
        let lookup = self
            .chain
            .lookup_within(address, PERSONAL_LINE_BUDGET)
            .await;
        // The worst market's figure, the one that matters first (named when there are several).
        let (read, position) = lookup.positions().next()?;
        let report = report::assess(position, self.settings.target_health_factor);
        let hf = crate::chain::format::health_factor(report.totals.health_factor);
        let band = band_word(lang, report.band);
        Some(match (lang, self.chain.len() > 1) {
            (Lang::En, false) => {
                format!(
                    "Your health factor right now is **{hf}** ({band}). Here is what that means:"
                )
            }
            (Lang::En, true) => format!(
                "Your health factor on {} right now is **{hf}** ({band}). Here is what that means:",
                read.market
            ),
            (Lang::Zh, false) => format!("你现在的健康因子是 **{hf}**（{band}）。含义如下："),
            (Lang::Zh, true) => format!(
                "你在 {} 上的健康因子现在是 **{hf}**（{band}）。含义如下：",
                read.market
            ),
        })
    }

    async fn position(
        &self,
        record: &mut UserRecord,
        named: &[Address],
        lang: Lang,
        msg: &Incoming,
        focus: PositionFocus,
        what_if: Option<&WhatIf>,
    ) -> Outcome {
        if self.chain.is_empty() {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::no_market(lang)));
        }
        let mut addresses: Vec<Address> = named.to_vec();
        if addresses.is_empty() {
            if msg.chat == ChatKind::Group {
                // Never show someone's linked position in a group unless they name it there.
                return Outcome::new(
                    Intent::Clarify,
                    lang,
                    Reply::text(texts::need_address(lang)),
                );
            }
            addresses.extend(msg.addresses.iter().copied());
            addresses.extend(record.links.iter().map(|l| l.address));
            addresses.dedup();
        }
        if addresses.is_empty() {
            return Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_address(lang)),
            );
        }
        let mut replies = Vec::new();
        let mut sources = Vec::new();
        let several = self.chain.len() > 1;
        for (address, lookup) in read_positions(&self.chain, None, &addresses).await {
            let positions = match shown_positions(&lookup) {
                Ok(positions) => positions,
                Err(e) => return chain_failed(Some(record.id), e, lang),
            };
            for position in positions {
                let report = report::assess(position, self.settings.target_health_factor);
                let mut text = if several && position.is_empty() {
                    position_answer::render_nowhere(
                        lang,
                        address,
                        &lookup
                            .reads
                            .iter()
                            .filter(|r| r.position().is_some())
                            .map(|r| r.market.as_str())
                            .collect::<Vec<_>>(),
                    )
                } else {
                    position_answer::render(
                        lang,
                        position,
                        &report,
                        focus,
                        what_if,
                        self.settings.comfort_health_factor,
                    )
                };
                if msg.chat == ChatKind::Private
                    && let Some(link) = record.links.iter().find(|l| l.address == address)
                {
                    text.push_str("\n\n");
                    text.push_str(texts::ownership_line(lang, link.verified));
                }
                sources.extend(position_sources(position, address, &report));
                let checksummed = address.to_checksum(None);
                // Button data is at most 64 bytes: with several markets it names the
                // market by a 4-digit tag, which leaves 13 bytes for the symbol.
                let tag = several.then(|| Markets::tag(&position.market));
                let mut buttons: Vec<Vec<Button>> = position
                    .reserves
                    .iter()
                    .filter(|r| r.is_involved())
                    .filter(|r| r.symbol.len() <= if tag.is_some() { 13 } else { 15 })
                    .map(|r| Button {
                        label: format!("🔎 {}", r.symbol),
                        data: match &tag {
                            Some(tag) => format!("am:{tag}:{checksummed}:{}", r.symbol),
                            None => format!("asset:{checksummed}:{}", r.symbol),
                        },
                    })
                    .collect::<Vec<_>>()
                    .chunks(4)
                    .map(<[Button]>::to_vec)
                    .collect();
                if !report.totals.total_debt_base.is_zero() {
                    buttons.push(
                        [-1_000i64, -2_000, -3_000]
                            .iter()
                            .map(|bps| Button {
                                label: match lang {
                                    Lang::En => {
                                        format!("What if prices fall {}%", bps.unsigned_abs() / 100)
                                    }
                                    Lang::Zh => {
                                        format!("如果下跌 {}%", bps.unsigned_abs() / 100)
                                    }
                                },
                                data: match &tag {
                                    Some(tag) => format!("whatif:{bps}:{checksummed}@{tag}"),
                                    None => format!("whatif:{bps}:{checksummed}"),
                                },
                            })
                            .collect(),
                    );
                }
                replies.push(Reply::text(text).with_buttons(buttons));
            }
            replies.extend(unread_markets(&lookup, lang));
        }
        if !named.is_empty()
            && msg.chat == ChatKind::Private
            && !record.links.iter().any(|l| named.contains(&l.address))
        {
            replies.push(Reply::text(lang.pick(
                "Tip: /link this address and next time just ask \"how am I doing?\"",
                "提示：用 /link 绑定这个地址，下次直接问“我的仓位怎么样？”即可。",
            )));
        }
        Outcome {
            intent: Intent::Position,
            lang,
            replies,
            sources,
            ticket: None,
            actions: Vec::new(),
        }
    }

    /// A what-if button under a position answer: the scenario for the address, nothing more
    /// (the position is on the screen already). Older buttons carry no address: the linked
    /// ones.
    async fn what_if(
        &self,
        record: &UserRecord,
        named: &[Address],
        lang: Lang,
        what_if: &WhatIf,
        market: Option<&str>,
    ) -> Outcome {
        if self.chain.is_empty() {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::no_market(lang)));
        }
        let readers = match self.button_markets(market, lang) {
            Ok(readers) => readers,
            Err(out) => return out,
        };
        let addresses: Vec<Address> = match named {
            [] => record.links.iter().map(|l| l.address).collect(),
            named => named.to_vec(),
        };
        let mut out = Outcome::silent(Intent::Position, lang);
        for (address, lookup) in read_positions(&self.chain, readers.as_deref(), &addresses).await {
            let positions = match shown_positions(&lookup) {
                Ok(positions) => positions,
                Err(e) => return chain_failed(Some(record.id), e, lang),
            };
            for position in positions {
                let report = report::assess(position, self.settings.target_health_factor);
                out.replies
                    .push(Reply::text(position_answer::render_what_if(
                        lang, position, &report, what_if,
                    )));
                out.sources
                    .extend(position_sources(position, address, &report));
            }
            out.replies.extend(unread_markets(&lookup, lang));
        }
        if out.replies.is_empty() {
            return Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_address(lang)),
            );
        }
        out
    }

    fn escalate(
        &self,
        record: &UserRecord,
        reason: EscalationReason,
        lang: Lang,
        summary: &str,
        now: u64,
    ) -> Outcome {
        match self.tickets.open(record.id, reason, lang, summary, now) {
            Ok((ticket, new)) => {
                // The user now has a ticket that is not closed: their next messages reach it.
                {
                    let mut handoffs = lock(&self.handoffs);
                    if handoffs.len() >= USER_CACHE_LIMIT {
                        handoffs.clear();
                    }
                    handoffs.insert(record.id, Some((ticket.id, ticket.status)));
                }
                let minutes = self.tickets.response_minutes(&ticket);
                let mut out = Outcome::new(
                    Intent::Escalate,
                    lang,
                    Reply::text(texts::ticket_opened(lang, reason, ticket.id, minutes, new)),
                );
                out.ticket = Some(ticket.id);
                out.actions.push(Action::NotifyStaff);
                out
            }
            Err(e) => {
                tracing::error!(user = record.id, error = %e, "cannot open ticket");
                Outcome::new(Intent::Error, lang, Reply::text(texts::ticket_failed(lang)))
            }
        }
    }

    fn set_lang(&self, record: &mut UserRecord, arg: Option<&str>) -> Outcome {
        let current = record.lang.unwrap_or_default();
        match arg.and_then(Lang::from_code) {
            Some(chosen) => {
                record.lang = Some(chosen);
                Outcome::new(
                    Intent::Command,
                    chosen,
                    Reply::text(texts::lang_set(chosen)),
                )
            }
            None => {
                let buttons = lang_buttons();
                Outcome::new(
                    Intent::Command,
                    current,
                    Reply::text(texts::lang_usage(current)).with_buttons(buttons),
                )
            }
        }
    }

    /// /link: links an address (unverified) and asks for a signature that proves it is the
    /// user's; without an address, lists the linked ones.
    fn link(&self, record: &mut UserRecord, arg: Option<&str>, lang: Lang, now: u64) -> Outcome {
        let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
            if record.links.is_empty() {
                return Outcome::new(Intent::Command, lang, Reply::text(texts::link_usage(lang)));
            }
            let links: Vec<(String, bool)> = record
                .links
                .iter()
                .map(|l| (l.address.to_checksum(None), l.verified))
                .collect();
            return Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::links_list(lang, &links)),
            );
        };
        match crate::chain::parse_address(arg) {
            Ok(address) => {
                let checksummed = address.to_checksum(None);
                let new = record.link(address);
                if record
                    .links
                    .iter()
                    .any(|l| l.address == address && l.verified)
                {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::already_verified(lang, &checksummed)),
                    );
                }
                let message = proof_message(address, record.id);
                let text = format!(
                    "{}\n\n{}",
                    texts::linked(lang, &checksummed, new),
                    texts::proof_request(lang, &message)
                );
                record.pending_proof = Some(PendingProof {
                    address,
                    message,
                    issued_at: now,
                });
                Outcome::new(Intent::Command, lang, Reply::text(text))
            }
            Err(crate::chain::AddressError::Shortened(_)) => Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_full_address(lang, arg)),
            ),
            Err(e) => Outcome::new(
                Intent::Error,
                lang,
                Reply::text(texts::bad_address(lang, &e.to_string())),
            ),
        }
    }

    /// /verify <signature>: the EIP-191 signature of the pending proof's message, checked
    /// against the address being proven. The signature is never echoed.
    fn verify(&self, record: &mut UserRecord, arg: Option<&str>, lang: Lang, now: u64) -> Outcome {
        let pending = record
            .pending_proof
            .clone()
            .filter(|p| now.saturating_sub(p.issued_at) <= PROOF_TTL_SECS);
        let Some(pending) = pending else {
            // An expired request is of no use any more.
            record.pending_proof = None;
            return Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::verify_no_pending(lang)),
            );
        };
        let Some(arg) = arg else {
            return Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::verify_usage(lang, &pending.message)),
            );
        };
        let Some(signature) = parse_signature(arg) else {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::bad_signature(lang)));
        };
        let signer = match signature.recover_address_from_msg(pending.message.as_bytes()) {
            Ok(signer) => signer,
            Err(e) => {
                tracing::debug!(user = record.id, error = %e, "signature does not recover");
                return Outcome::new(Intent::Error, lang, Reply::text(texts::bad_signature(lang)));
            }
        };
        let expected = pending.address.to_checksum(None);
        if signer != pending.address {
            return Outcome::new(
                Intent::Error,
                lang,
                Reply::text(texts::wrong_signer(
                    lang,
                    &signer.to_checksum(None),
                    &expected,
                )),
            );
        }
        record.link(pending.address);
        for link in record
            .links
            .iter_mut()
            .filter(|l| l.address == pending.address)
        {
            link.verified = true;
        }
        record.pending_proof = None;
        tracing::info!(user = record.id, "address ownership verified");
        Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::verified(lang, &expected)),
        )
    }

    /// /announcements [on|off].
    fn announcements(&self, record: &mut UserRecord, arg: Option<&str>, lang: Lang) -> Outcome {
        let choice = arg.map(|a| a.trim().to_lowercase());
        let opt_out = match choice.as_deref() {
            None => {
                return Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::announcements_state(lang, record.broadcast_opt_out)),
                );
            }
            Some("off" | "no" | "stop" | "关" | "关闭") => true,
            Some("on" | "yes" | "start" | "开" | "开启" | "打开") => false,
            Some(_) => {
                return Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(format!(
                        "{}\n\n{}",
                        texts::announcements_usage(lang),
                        texts::announcements_state(lang, record.broadcast_opt_out)
                    )),
                );
            }
        };
        record.broadcast_opt_out = opt_out;
        Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::announcements_set(lang, opt_out)),
        )
    }

    async fn command(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let mut parts = text.splitn(2, char::is_whitespace);
        let head = parts.next().unwrap_or_default();
        let arg = parts.next().map(str::trim).filter(|a| !a.is_empty());
        // "/start@lendesk_bot" → "start"
        let name = head
            .trim_start_matches('/')
            .split('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match name.as_str() {
            "start" => {
                let lang = record.lang.or(msg.lang_hint).unwrap_or_default();
                let buttons = lang_buttons();
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::welcome(lang)).with_buttons(buttons),
                )
            }
            "help" => Outcome::new(Intent::Command, lang, Reply::text(texts::help(lang))),
            "mydata" => self.my_data(record, lang),
            "forget" => Self::forget_asked(lang),
            "lang" | "language" => self.set_lang(record, arg),
            "link" => self.link(record, arg, lang, msg.now),
            "verify" => self.verify(record, arg, lang, msg.now),
            "announcements" | "announcement" => self.announcements(record, arg, lang),
            "unlink" => {
                let Some(arg) = arg else {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::unlink_usage(lang)),
                    );
                };
                match crate::chain::parse_address(arg) {
                    Ok(address) => {
                        let before = record.links.len();
                        record.links.retain(|l| l.address != address);
                        let found = record.links.len() != before;
                        if record
                            .pending_proof
                            .as_ref()
                            .is_some_and(|p| p.address == address)
                        {
                            record.pending_proof = None;
                        }
                        Outcome::new(
                            Intent::Command,
                            lang,
                            Reply::text(texts::unlinked(lang, &address.to_checksum(None), found)),
                        )
                    }
                    Err(e) => Outcome::new(
                        Intent::Error,
                        lang,
                        Reply::text(texts::bad_address(lang, &e.to_string())),
                    ),
                }
            }
            "position" | "pos" => {
                let named: Vec<Address> =
                    arg.map(|a| intent::addresses(a).valid).unwrap_or_default();
                let mut out = self
                    .position(record, &named, lang, msg, PositionFocus::Overview, None)
                    .await;
                if out.intent == Intent::Position {
                    out.intent = Intent::Command;
                }
                out
            }
            "faq" => {
                let kb = self.knowledge();
                if let Some(query) = arg {
                    return self.knowledge_answer(record, query, lang, msg).await;
                }
                let rows: Vec<Vec<Button>> = kb
                    .topics()
                    .chunks(2)
                    .map(|pair| {
                        pair.iter()
                            .map(|t| Button {
                                label: t.text(lang).title.clone(),
                                data: format!("faq:{}", t.id),
                            })
                            .collect()
                    })
                    .collect();
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::faq_browse(lang)).with_buttons(rows),
                )
            }
            "human" | "support" | "person" => {
                let summary = arg
                    .map(secrets::redact)
                    .unwrap_or_else(|| "[/human]".into());
                self.escalate(
                    record,
                    EscalationReason::AskedForPerson,
                    lang,
                    &summary,
                    msg.now,
                )
            }
            // Staff own /tickets.
            "ticket" => {
                let tickets = match self.tickets.of_user(record.id) {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot list tickets");
                        Vec::new()
                    }
                };
                if tickets.is_empty() {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::no_tickets(lang)),
                    );
                }
                let lines: Vec<String> = tickets
                    .iter()
                    .take(10)
                    .map(|t| {
                        let status = match (lang, t.status) {
                            (Lang::En, crate::store::TicketStatus::Open) => "waiting for a person",
                            (Lang::En, crate::store::TicketStatus::InProgress) => {
                                "a person is on it"
                            }
                            (Lang::En, crate::store::TicketStatus::Closed) => "closed",
                            (Lang::Zh, crate::store::TicketStatus::Open) => "等待人工处理",
                            (Lang::Zh, crate::store::TicketStatus::InProgress) => "处理中",
                            (Lang::Zh, crate::store::TicketStatus::Closed) => "已关闭",
                        };
                        format!("#{}: {status}", t.id)
                    })
                    .collect();
                Outcome::new(Intent::Command, lang, Reply::text(lines.join("\n")))
            }
            _ => Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::unknown_command(lang)),
            ),
        }
    }
}

/// A position in one line for staff: "HF 1.31 (risky) · collateral $12,000.00 · debt $8,400.00".
fn summary_line(lang: Lang, position: &Position, report: &report::RiskReport) -> String {
    let unit = position.base_currency_unit;
    let hf = crate::chain::format::health_factor(report.totals.health_factor);
    match lang {
        Lang::En => format!(
            "HF {hf} ({}) · collateral {} · debt {}",
            band_word(lang, report.band),
            crate::chain::format::usd(report.totals.total_collateral_base, unit),
            crate::chain::format::usd(report.totals.total_debt_base, unit),
        ),
        Lang::Zh => format!(
            "健康因子 {hf}（{}）· 抵押 {} · 债务 {}",
            band_word(lang, report.band),
            crate::chain::format::usd(report.totals.total_collateral_base, unit),
            crate::chain::format::usd(report.totals.total_debt_base, unit),
        ),
    }
}

fn band_word(lang: Lang, band: report::HealthBand) -> &'static str {
    use report::HealthBand::*;
    match (lang, band) {
        (Lang::En, NoDebt) => "no debt",
        (Lang::En, Comfortable) => "comfortable",
        (Lang::En, Moderate) => "moderate",
        (Lang::En, Risky) => "risky",
        (Lang::En, Danger) => "danger: close to liquidation",
        (Lang::En, Liquidatable) => "liquidatable now",
        (Lang::Zh, NoDebt) => "无借款",
        (Lang::Zh, Comfortable) => "很安全",
        (Lang::Zh, Moderate) => "中等",
        (Lang::Zh, Risky) => "有风险",
        (Lang::Zh, Danger) => "危险：接近清算",
        (Lang::Zh, Liquidatable) => "已可被清算",
    }
}

trait ScriptHint {
    fn max_by_script(self, text: &str) -> Lang;
}

impl ScriptHint for Lang {
    /// A secret warning follows the script the user typed in (a Chinese seed phrase gets a
    /// Chinese warning) unless the user chose a language.
    fn max_by_script(self, text: &str) -> Lang {
        if text.chars().any(lang::is_cjk) {
            Lang::Zh
        } else {
            self
        }
    }
}
