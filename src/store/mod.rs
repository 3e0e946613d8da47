//! Persistence: the one interface the rest of lendesk stores through ([`Store`]), over two
//! backends — sled in one data directory (the default: one process, nothing to install) and
//! PostgreSQL (several replicas sharing one database). No other module touches either.
//!
//! Owns the schemas (versioned), the records' encoding (the same redacted JSON in both) and
//! durability: every write a caller will acknowledge to a person is durable before it returns.

mod alerts;
mod backup;
mod check;
mod integrity;
mod migrate;
pub mod pg;
mod privacy;
mod records;
mod redact;
mod sled_store;
mod staff;
mod staff_records;

pub use alerts::{
    AlertMark, AlertSettings, Arming, LastAlert, NoticeKind, OutboxButton, OutboxEntry, QuietHours,
    SentAlert, Severity,
};
pub use backup::{BACKUP_FORMAT, RestoreSummary};
pub use check::CheckReport;
pub use integrity::MANIFEST_FILE;
pub use migrate::{MigrateSummary, migrate};
pub use privacy::{ANONYMOUS, ForgetSummary};

pub use records::{
    HISTORY_LIMIT, HistoryEntry, LinkedAddress, PendingProof, Speaker, TicketRecord, TicketStatus,
    UserRecord,
};
pub use sled_store::SledStore;
pub use staff_records::{
    AuditEntry, BanKind, BanRecord, Broadcast, FaqEdit, Macro, Maintenance, MessageEvent,
    RelayedMessage, StaffMember, TicketThread,
};

use std::path::{Path, PathBuf};

use alloy::primitives::Address;

use sled_store::TICKET_SEQ;

/// The schema this build reads and writes. Bump it with a migration when a record changes shape.
///
/// - 1: users, history, tickets.
/// - 2: the staff side (threads, relay map, staff, macros, FAQ edits, bans, audit, broadcasts,
///   events) and new optional user fields. Version 1 databases need no rewrite: the new trees
///   start empty and the new user fields default.
/// - 3: an index of statistics events by user (`/mydata` and `/forget` read a user's events
///   without scanning them all); built from the events when an older database is opened.
/// - 4: liquidation-risk alerts (settings, alert states, outbox, sent log); the new trees
///   start empty.
pub const SCHEMA_VERSION: u32 = 4;

/// Storage failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (disk full, corruption, permissions).
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    /// PostgreSQL failed (server down, a query refused).
    #[error("PostgreSQL, {what}: {message}")]
    Postgres {
        /// What was being done.
        what: String,
        /// The server's or the client's message.
        message: String,
    },
    /// The PostgreSQL database was migrated by a newer lendesk.
    #[error(
        "the PostgreSQL database has schema version {found}, this lendesk understands up to {known}"
    )]
    NewerDatabase {
        /// The newest migration applied there.
        found: i32,
        /// The newest this lendesk knows.
        known: i32,
    },
    /// A stored record does not decode.
    #[error("stored record {key} in {tree} is unreadable: {message}")]
    Corrupt {
        /// Tree name.
        tree: &'static str,
        /// Key (printable form).
        key: String,
        /// Decoder message.
        message: String,
    },
    /// Another process (the bot, another `lendesk ask`) has the database open.
    #[error(
        "the data directory {dir} is in use by another lendesk process (the bot, or another ask or chat); stop it, or point desk.data_dir / LENDESK_DATA_DIR at another directory"
    )]
    Locked {
        /// The data directory.
        dir: String,
    },
    /// The database was written by a newer lendesk.
    #[error(
        "the database has schema version {found}, this lendesk understands up to {SCHEMA_VERSION}"
    )]
    NewerSchema {
        /// Version found on disk.
        found: u32,
    },
    /// sled cannot open the data directory at all (damaged files, permissions, or another
    /// lendesk holds it).
    #[error(
        "cannot open the data directory {}: {message}. If another lendesk is running on it, stop it first; if the files are damaged, restore the last backup with `lendesk store restore FILE --force` (it moves this directory aside) or move the directory aside to start empty",
        dir.display()
    )]
    Unopenable {
        /// The data directory.
        dir: PathBuf,
        /// sled's message.
        message: String,
    },
    /// The data directory holds fewer records than were acknowledged: refusing to start.
    #[error(
        "the data directory {} is damaged: {detail}. lendesk will not start on it, so that no acknowledged record is silently lost. Check it with `lendesk store check`, then restore the last backup with `lendesk store restore FILE --force` (it moves this directory aside), or move the directory aside to start empty",
        dir.display()
    )]
    Damaged {
        /// The data directory.
        dir: PathBuf,
        /// What is missing.
        detail: String,
    },
    /// The integrity manifest cannot be written.
    #[error("cannot write the integrity manifest in {}: {message}", dir.display())]
    Manifest {
        /// The data directory.
        dir: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// A backup file is unusable or cannot be written or read.
    #[error("{0}")]
    Backup(String),
    /// A migration's target database already holds lendesk records: it is left as it was.
    #[error(
        "the target PostgreSQL database already holds lendesk records (in {}); migrate into an empty database: a migration never merges",
        tables.join(", ")
    )]
    TargetNotEmpty {
        /// The tables with rows.
        tables: Vec<String>,
    },
    /// After a migration's commit, PostgreSQL holds another count of some kind than sled.
    #[error(
        "the migration wrote PostgreSQL, but its counts differ from sled's: {}",
        differences.join("; ")
    )]
    MigrationUnverified {
        /// Each kind that differs, with both counts.
        differences: Vec<String>,
    },
}

/// The store: the one interface to persistence, over either backend. Cheap to clone (both
/// backends are handles). Every method is async; the sled backend answers without awaiting
/// (its writes take microseconds, a flush one disk sync), PostgreSQL over its pool.
#[derive(Debug, Clone)]
pub enum Store {
    /// sled in one data directory (one process). Shared: a clone is one reference count.
    Sled(std::sync::Arc<SledStore>),
    /// PostgreSQL (one or several replicas).
    Postgres(pg::PgStore),
}

impl From<SledStore> for Store {
    fn from(store: SledStore) -> Self {
        Store::Sled(std::sync::Arc::new(store))
    }
}

impl From<pg::PgStore> for Store {
    fn from(store: pg::PgStore) -> Self {
        Store::Postgres(store)
    }
}

impl Store {
    /// Opens (or creates) the sled database in `dir` (see [`SledStore::open`]).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        SledStore::open(dir).map(Store::from)
    }

    /// An in-memory sled database dropped with the process (`lendesk ask` without a data
    /// directory, tests that do not check durability).
    pub fn temporary() -> Result<Self, StoreError> {
        SledStore::temporary().map(Store::from)
    }

    /// Connects to PostgreSQL at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        pg::PgStore::connect(url).await.map(Store::Postgres)
    }

    /// The sled backend, for what only a data directory has (backup, restore, check).
    pub fn sled(&self) -> Option<&SledStore> {
        match self {
            Store::Sled(s) => Some(s),
            Store::Postgres(_) => None,
        }
    }

    /// The PostgreSQL backend, for what only a shared database has (leases, updates handled).
    pub fn postgres(&self) -> Option<&pg::PgStore> {
        match self {
            Store::Sled(_) => None,
            Store::Postgres(p) => Some(p),
        }
    }

    /// Takes or renews the lease `name` for `holder` for `ttl` (work one replica at a time):
    /// true when `holder` holds it now. On sled every lease is the caller's: one process has
    /// the data directory (its lock keeps any other out).
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: std::time::Duration,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sled(_) => Ok(true),
            Store::Postgres(p) => p.acquire_lease(name, holder, ttl).await,
        }
    }

    /// Gives the lease `name` up if `holder` holds it (another replica can take it at once).
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Postgres(p) => p.release_lease(name, holder).await,
        }
    }

    /// The holders of running leases named `prefix…`, sorted (none on sled: one process).
    pub async fn live_holders(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        match self {
            Store::Sled(_) => Ok(Vec::new()),
            Store::Postgres(p) => p.live_holders(prefix).await,
        }
    }

    /// Claims Telegram update `id` of `chat` for `holder` (replicas behind one webhook): on
    /// sled, one process receives every update and claims each ([`pg::Claim::Mine`]).
    pub async fn claim_update(
        &self,
        id: i64,
        chat: i64,
        holder: &str,
        ttl: std::time::Duration,
    ) -> Result<pg::Claim, StoreError> {
        match self {
            Store::Sled(_) => Ok(pg::Claim::Mine { resumed: false }),
            Store::Postgres(p) => p.claim_update(id, chat, holder, ttl).await,
        }
    }

    /// Whether an older update of `chat` than `id` is claimed by a replica and not handled yet
    /// (never on sled: one process orders its own).
    pub async fn older_pending(&self, chat: i64, id: i64) -> Result<bool, StoreError> {
        match self {
            Store::Sled(_) => Ok(false),
            Store::Postgres(p) => p.older_pending(chat, id).await,
        }
    }

    /// What was sent while handling update `id` before it was taken over (none on sled: one
    /// process, whose updates are never taken over mid-way).
    pub async fn sends_of(&self, id: i64) -> Result<Vec<pg::SentReply>, StoreError> {
        match self {
            Store::Sled(_) => Ok(Vec::new()),
            Store::Postgres(p) => p.sends_of(id).await,
        }
    }

    /// Records a send made while handling update `id` (nothing on sled).
    pub async fn record_send(&self, id: i64, sent: &pg::SentReply) -> Result<(), StoreError> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Postgres(p) => p.record_send(id, sent).await,
        }
    }

    /// Marks update `id` handled by `holder`.
    pub async fn finish_update(&self, id: i64, holder: &str) -> Result<(), StoreError> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Postgres(p) => p.finish_update(id, holder).await,
        }
    }

    /// The lock of `chat` across replicas (`None` on sled: one process, whose own lock is
    /// enough).
    pub async fn lock_chat(&self, chat: i64) -> Result<Option<pg::Lock>, StoreError> {
        match self {
            Store::Sled(_) => Ok(None),
            Store::Postgres(p) => p.lock_chat(chat).await.map(Some),
        }
    }

    /// The lock of ticket `id` across replicas (`None` on sled: one process, whose own lock is
    /// enough).
    pub async fn lock_ticket(&self, id: u64) -> Result<Option<pg::Lock>, StoreError> {
        match self {
            Store::Sled(_) => Ok(None),
            Store::Postgres(p) => p.lock_ticket(id).await.map(Some),
        }
    }

    /// Changes a ticket atomically (durable): `change` edits the stored ticket; two changes
    /// at once (a rating from the user, a reopen by staff) never overwrite each other (sled
    /// reruns `change` on the newer ticket, PostgreSQL locks the row). `Ok(None)`: no such
    /// ticket. An error from `change` writes nothing.
    pub async fn update_ticket<E: From<StoreError>>(
        &self,
        id: u64,
        change: impl FnMut(&mut TicketRecord) -> Result<(), E>,
    ) -> Result<Option<TicketRecord>, E> {
        match self {
            Store::Sled(s) => s.update_ticket(id, change),
            Store::Postgres(p) => p.update_ticket(id, change).await,
        }
    }
}

/// Each method of [`Store`] calls the backend's method of the same name and signature.
macro_rules! dispatch {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        impl Store {
            $(
                $(#[$doc])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        Store::Sled(s) => s.$name($($arg),*),
                        Store::Postgres(p) => p.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

dispatch! {
    /// A user's record, if the user was seen before.
    fn user(&self, id: i64) -> Result<Option<UserRecord>, StoreError>;
    /// Saves a user's record. `durable`: flush before returning, for changes the user is told
    /// about (language, links); conversation history alone is left to sled's periodic flush.
    fn save_user(&self, user: &UserRecord, durable: bool) -> Result<(), StoreError>;
    /// Saves the recent conversation of a user (redacted lines, oldest first), replacing the
    /// previous one. The desk keeps conversations in memory and saves one when it hands the
    /// user to a person, so staff see what was said; it is flushed with the ticket.
    fn save_history(&self, user: i64, lines: &[HistoryEntry]) -> Result<(), StoreError>;
    /// The saved conversation of a user, oldest first (empty when none was saved).
    fn history(&self, user: i64) -> Result<Vec<HistoryEntry>, StoreError>;
    /// Every user, in id order.
    fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// A new, never reused ticket number (1, 2, 3… per database).
    fn next_ticket_id(&self) -> Result<u64, StoreError>;
    /// A ticket by number.
    fn ticket(&self, id: u64) -> Result<Option<TicketRecord>, StoreError>;
    /// Saves a ticket (flushed, with its per-user index entry).
    fn save_ticket(&self, ticket: &TicketRecord) -> Result<(), StoreError>;
    /// A user's tickets, oldest first.
    fn tickets_of(&self, user: i64) -> Result<Vec<TicketRecord>, StoreError>;
    /// Every ticket, oldest first.
    fn tickets(&self) -> Result<Vec<TicketRecord>, StoreError>;
    /// Flushes everything to disk.
    fn flush(&self) -> Result<(), StoreError>;
    /// Records where a ticket is discussed (flushed).
    fn save_thread(&self, thread: &TicketThread) -> Result<(), StoreError>;
    /// Where a ticket is discussed, if it was posted to staff.
    fn thread_of(&self, ticket: u64) -> Result<Option<TicketThread>, StoreError>;
    /// The ticket a forum topic belongs to.
    fn ticket_in_thread(&self, chat: i64, thread: i32) -> Result<Option<u64>, StoreError>;
    /// Marks a staff chat message as belonging to a ticket (the user card, notices), so a
    /// staff reply to it reaches the right user in a staff chat without topics. Flushed.
    fn save_ticket_message(&self, chat: i64, message: i32, ticket: u64) -> Result<(), StoreError>;
    /// The ticket a staff chat message belongs to: a marked message or a relayed one.
    fn ticket_of_staff_message(&self, chat: i64, message: i32) -> Result<Option<u64>, StoreError>;
    /// Records a relayed message under both ends (flushed: the relay is acknowledged).
    fn save_relay(&self, relay: &RelayedMessage) -> Result<(), StoreError>;
    /// The relay of a message in a user's chat.
    fn relay_of_user_message(&self, chat: i64, message: i32) -> Result<Option<RelayedMessage>, StoreError>;
    /// The relay of a message in the staff chat.
    fn relay_of_staff_message(&self, chat: i64, message: i32) -> Result<Option<RelayedMessage>, StoreError>;
    /// Adds or updates a staff member (flushed). Returns false if they were staff already.
    fn add_staff(&self, member: &StaffMember) -> Result<bool, StoreError>;
    /// Removes a staff member (flushed). Returns false if they were not staff.
    fn remove_staff(&self, id: i64) -> Result<bool, StoreError>;
    /// A staff member.
    fn staff_member(&self, id: i64) -> Result<Option<StaffMember>, StoreError>;
    /// Every staff member added by admins.
    fn staff_members(&self) -> Result<Vec<StaffMember>, StoreError>;
    /// Saves a macro (flushed).
    fn save_macro(&self, m: &Macro) -> Result<(), StoreError>;
    /// Removes a macro (flushed); false when there was none.
    fn remove_macro(&self, name: &str) -> Result<bool, StoreError>;
    /// A macro by name.
    fn macro_named(&self, name: &str) -> Result<Option<Macro>, StoreError>;
    /// Every macro, by name.
    fn macros(&self) -> Result<Vec<Macro>, StoreError>;
    /// Saves a moderator's edit of a topic (flushed), replacing an earlier edit of it.
    fn save_faq_edit(&self, edit: &FaqEdit) -> Result<(), StoreError>;
    /// Drops the edit of a topic (back to the file's version), flushed.
    fn remove_faq_edit(&self, id: &str) -> Result<bool, StoreError>;
    /// Every FAQ edit, by topic id.
    fn faq_edits(&self) -> Result<Vec<FaqEdit>, StoreError>;
    /// Bans a user (flushed).
    fn save_ban(&self, ban: &BanRecord) -> Result<(), StoreError>;
    /// Lifts a ban (flushed): the ban that was lifted, if any.
    fn remove_ban(&self, user: i64) -> Result<Option<BanRecord>, StoreError>;
    /// The ban on a user, if any.
    fn ban_of(&self, user: i64) -> Result<Option<BanRecord>, StoreError>;
    /// Every ban.
    fn bans(&self) -> Result<Vec<BanRecord>, StoreError>;
    /// Appends a line to the audit log (flushed) and returns it.
    fn audit(&self, at: u64, actor: i64, action: &str, detail: &str) -> Result<AuditEntry, StoreError>;
    /// The last `limit` audit lines, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
    /// A new broadcast number.
    fn next_broadcast_id(&self) -> Result<u64, StoreError>;
    /// Saves a broadcast and its progress (flushed: progress is what a restart resumes from).
    fn save_broadcast(&self, b: &Broadcast) -> Result<(), StoreError>;
    /// A broadcast by number.
    fn broadcast(&self, id: u64) -> Result<Option<Broadcast>, StoreError>;
    /// Every broadcast, oldest first.
    fn broadcasts(&self) -> Result<Vec<Broadcast>, StoreError>;
    /// Turns the maintenance notice on (`Some`) or off (`None`), flushed.
    fn set_maintenance(&self, notice: Option<&Maintenance>) -> Result<(), StoreError>;
    /// The maintenance notice in force.
    fn maintenance(&self) -> Result<Option<Maintenance>, StoreError>;
    /// Records an answered message (not flushed; see the module docs).
    fn record_event(&self, event: &MessageEvent) -> Result<(), StoreError>;
    /// Records answered messages in one batch (not flushed). Events of the same minute,
    /// intent, topic and guarded markets without a question text are collapsed into one record
    /// with a count, so
    /// a busy minute costs a handful of writes, not one per message. Keys are time ‖ a
    /// sled-generated monotonic id, so no counter is rewritten per event.
    fn record_events(&self, events: &[MessageEvent]) -> Result<(), StoreError>;
    /// Events at or after `since` (unix seconds), oldest first.
    fn events_since(&self, since: u64) -> Result<Vec<MessageEvent>, StoreError>;
    /// Drops events older than `before` (unix seconds); returns how many.
    fn prune_events(&self, before: u64) -> Result<usize, StoreError>;
    /// A user's alert settings, if they ever set any.
    fn alert_settings(&self, user: i64) -> Result<Option<AlertSettings>, StoreError>;
    /// Saves a user's alert settings (flushed: the user is told).
    fn save_alert_settings(&self, settings: &AlertSettings) -> Result<(), StoreError>;
    /// Every user's alert settings.
    fn all_alert_settings(&self) -> Result<Vec<AlertSettings>, StoreError>;
    /// The alert state of (user, market, address).
    fn alert_mark(&self, user: i64, market: &str, address: Address) -> Result<Option<AlertMark>, StoreError>;
    /// Every alert state.
    fn alert_marks(&self) -> Result<Vec<AlertMark>, StoreError>;
    /// One user's alert states (a prefix scan: states are keyed by user first).
    fn alert_marks_of(&self, user: i64) -> Result<Vec<AlertMark>, StoreError>;
    /// Saves alert states, and the entries to send with them, in one flushed step: a crash
    /// after this returns loses nothing, and repeats nothing already marked.
    fn save_alert_marks(&self, marks: &[AlertMark], outbox: &[OutboxEntry]) -> Result<(), StoreError>;
    /// Removes the alert state of (user, market, address) (unwatched).
    fn remove_alert_mark(&self, user: i64, market: &str, address: Address) -> Result<(), StoreError>;
    /// The alerts written and not yet sent: urgent ones first, then in the order written.
    fn alert_outbox(&self) -> Result<Vec<OutboxEntry>, StoreError>;
    /// True when an alert with this key was sent already.
    fn alert_was_sent(&self, key: &str) -> Result<bool, StoreError>;
    /// Moves an entry from the outbox to the sent log (flushed).
    fn mark_alert_sent(&self, entry: &OutboxEntry, at: u64) -> Result<(), StoreError>;
    /// Drops an outbox entry that cannot be sent (the user blocked the bot).
    fn drop_alert(&self, key: &str) -> Result<(), StoreError>;
    /// Alerts sent since `since` (unix seconds), oldest first.
    fn alerts_sent_since(&self, since: u64) -> Result<Vec<SentAlert>, StoreError>;
    /// The last block a market's watcher processed.
    fn watch_cursor(&self, market: &str) -> Result<Option<u64>, StoreError>;
    /// Records the last block a market's watcher processed (not flushed: after a crash the
    /// watcher goes over a few blocks again, which alerts nobody twice).
    fn set_watch_cursor(&self, market: &str, block: u64) -> Result<(), StoreError>;
    /// Every block cursor of `market` (its own and its shares'), by name.
    fn watch_cursors_of(&self, market: &str) -> Result<Vec<(String, u64)>, StoreError>;
    /// Statistics events that name `user` (collapsed records name nobody), oldest first.
    fn events_of(&self, user: i64) -> Result<Vec<MessageEvent>, StoreError>;
    /// Deletes everything kept under `user`: the user record, the saved conversation, their
    /// statistics events and relay entries; their tickets stay for staff with the user id
    /// replaced by [`ANONYMOUS`]. Flushed. Bans are staff's record and stay.
    fn forget_user(&self, user: i64) -> Result<ForgetSummary, StoreError>;
}
