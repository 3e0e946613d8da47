//! The embedded backend: sled in one data directory. Opens and versions the on-disk schema,
//! encodes records (the redacted JSON of [`super::redact`]) into named trees, and makes every
//! write a caller will acknowledge to a person durable (flushed, counted in the integrity
//! manifest). The record kinds' sled code lives beside it (`staff.rs`, `alerts.rs`,
//! `privacy.rs`, `backup.rs`, `check.rs`), each an `impl SledStore` block.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use integrity::{Counters, Integrity, Tally};

use super::*;

/// sled 0.34 reports a database locked by another process only as this I/O message
/// (`Config::try_lock`); it becomes [`StoreError::Locked`], anything else stays as it is.
fn locked(error: sled::Error, dir: &Path) -> StoreError {
    if is_lock_error(&error) {
        return StoreError::Locked {
            dir: dir.display().to_string(),
        };
    }
    StoreError::Sled(error)
}

fn is_lock_error(error: &sled::Error) -> bool {
    matches!(error, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

/// How long an open waits for a lock that a just-dropped handle may still hold.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Why sled's own open failed.
enum OpenFailure {
    Sled(sled::Error),
    Panicked(String),
}

/// The database.
#[derive(Debug, Clone)]
pub struct SledStore {
    pub(super) db: sled::Db,
    pub(super) users: sled::Tree,
    pub(super) history: sled::Tree,
    pub(super) tickets: sled::Tree,
    /// user ‖ ticket id → (): every ticket of a user, without scanning all tickets.
    pub(super) tickets_by_user: sled::Tree,
    pub(super) meta: sled::Tree,
    pub(super) threads: sled::Tree,
    /// staff chat ‖ topic → ticket, and `a` ‖ staff chat ‖ message → ticket (cards, notices).
    pub(super) thread_index: sled::Tree,
    pub(super) relay: sled::Tree,
    pub(super) staff: sled::Tree,
    pub(super) macros: sled::Tree,
    pub(super) faq_edits: sled::Tree,
    pub(super) bans: sled::Tree,
    pub(super) audit: sled::Tree,
    pub(super) broadcasts: sled::Tree,
    pub(super) events: sled::Tree,
    /// user ‖ event key → nothing: the events that name a user.
    pub(super) events_by_user: sled::Tree,
    pub(super) alert_settings: sled::Tree,
    /// user ‖ market ‖ 0 ‖ address → alert state.
    pub(super) alert_marks: sled::Tree,
    pub(super) alert_outbox: sled::Tree,
    /// sent at ‖ dedup key → what was sent.
    pub(super) alerts_sent: sled::Tree,
    /// Record counts for the integrity manifest (lower bounds of what the trees hold).
    pub(super) counters: Arc<Counters>,
    /// The manifest of an on-disk store (`None` for a temporary one).
    pub(super) integrity: Option<Arc<Integrity>>,
}

pub(super) const USERS: &str = "users";
pub(super) const HISTORY: &str = "history";
pub(super) const TICKETS: &str = "tickets";
pub(super) const TICKETS_BY_USER: &str = "tickets_by_user";
pub(super) const META: &str = "meta";
/// The `meta` counter of ticket numbers issued.
pub(super) const TICKET_SEQ: &str = "ticket_seq";

impl SledStore {
    /// Opens (or creates) the database in `dir`.
    /// Refuses a directory whose records fall short of its integrity manifest
    /// ([`StoreError::Damaged`]) and one sled cannot open ([`StoreError::Unopenable`]).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let unopenable = |message: String| StoreError::Unopenable {
            dir: dir.to_path_buf(),
            message,
        };
        let sled_failed = |e: StoreError| match e {
            StoreError::Sled(e) => unopenable(e.to_string()),
            other => other,
        };
        let db = Self::open_sled(dir).map_err(|e| match e {
            OpenFailure::Sled(e) => sled_failed(locked(e, dir)),
            OpenFailure::Panicked(message) => unopenable(message),
        })?;
        let mut store = Self::trees(db).map_err(sled_failed)?;
        // Compared before anything is written, so a damaged directory is left as it was found.
        let found = store.tally_found().map_err(sled_failed)?;
        store.counters.set(&found);
        store.integrity = Some(Arc::new(Integrity::verify(dir, found)?));
        store.migrate()?;
        Ok(store)
    }

    /// sled's own open, waiting up to [`LOCK_WAIT`] while the directory's lock is held: a
    /// handle dropped a moment ago (a restart, a test reopening) releases it only once sled's
    /// background flusher has stopped. Another running process still holds it after the wait.
    fn open_sled(dir: &Path) -> Result<sled::Db, OpenFailure> {
        let started = std::time::Instant::now();
        loop {
            // sled 0.34 panics on some damaged files instead of returning an error.
            let opened = std::panic::catch_unwind(|| sled::Config::new().path(dir).open())
                .map_err(|panic| {
                    OpenFailure::Panicked(
                        panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "sled panicked while reading its files".into()),
                    )
                })?;
            match opened {
                Err(e) if is_lock_error(&e) && started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => return other.map_err(OpenFailure::Sled),
            }
        }
    }

    /// An in-memory database that is dropped with the process (for `lendesk ask` without
    /// a data directory and for tests that do not check durability).
    pub fn temporary() -> Result<Self, StoreError> {
        let store = Self::trees(sled::Config::new().temporary(true).open()?)?;
        store.migrate()?;
        Ok(store)
    }

    pub(super) fn trees(db: sled::Db) -> Result<Self, StoreError> {
        Ok(Self {
            users: db.open_tree(USERS)?,
            history: db.open_tree(HISTORY)?,
            tickets: db.open_tree(TICKETS)?,
            tickets_by_user: db.open_tree(TICKETS_BY_USER)?,
            meta: db.open_tree(META)?,
            threads: db.open_tree(staff::THREADS)?,
            thread_index: db.open_tree(staff::THREAD_INDEX)?,
            relay: db.open_tree(staff::RELAY)?,
            staff: db.open_tree(staff::STAFF)?,
            macros: db.open_tree(staff::MACROS)?,
            faq_edits: db.open_tree(staff::FAQ_EDITS)?,
            bans: db.open_tree(staff::BANS)?,
            audit: db.open_tree(staff::AUDIT)?,
            broadcasts: db.open_tree(staff::BROADCASTS)?,
            events: db.open_tree(staff::EVENTS)?,
            events_by_user: db.open_tree(staff::EVENTS_BY_USER)?,
            alert_settings: db.open_tree(alerts::ALERT_SETTINGS)?,
            alert_marks: db.open_tree(alerts::ALERT_MARKS)?,
            alert_outbox: db.open_tree(alerts::ALERT_OUTBOX)?,
            alerts_sent: db.open_tree(alerts::ALERTS_SENT)?,
            counters: Arc::new(Counters::default()),
            integrity: None,
            db,
        })
    }

    /// Refuses a newer schema; records this one's version on a new or older database.
    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let found = self.meta.get("schema_version")?.map(|raw| {
            <[u8; 4]>::try_from(raw.as_ref())
                .map(u32::from_be_bytes)
                .unwrap_or(u32::MAX)
        });
        match found {
            Some(found) if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema { found });
            }
            Some(SCHEMA_VERSION) => {}
            // New database, or an older schema: the migrations to 2 are additive (see
            // SCHEMA_VERSION); 3 indexes the events by user.
            _ => {
                self.index_events_by_user()?;
                self.meta
                    .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
                self.db.flush()?;
            }
        }
        Ok(())
    }

    pub(super) fn get<T: DeserializeOwned>(
        tree: &sled::Tree,
        name: &'static str,
        key: &[u8],
    ) -> Result<Option<T>, StoreError> {
        let Some(raw) = tree.get(key)? else {
            return Ok(None);
        };
        serde_json::from_slice(&raw)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                tree: name,
                key: String::from_utf8_lossy(key).into_owned(),
                message: e.to_string(),
            })
    }

    /// Every record of a tree, in key order.
    pub(super) fn all<T: DeserializeOwned>(
        tree: &sled::Tree,
        name: &'static str,
    ) -> Result<Vec<T>, StoreError> {
        tree.iter().map(|kv| Self::decode(name, kv)).collect()
    }

    /// Decodes one record of a tree scan.
    pub(super) fn decode<T: DeserializeOwned>(
        name: &'static str,
        kv: Result<(sled::IVec, sled::IVec), sled::Error>,
    ) -> Result<T, StoreError> {
        let (k, v) = kv?;
        serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt {
            tree: name,
            key: format!("{k:?}"),
            message: e.to_string(),
        })
    }

    /// [`Store::decode`], keeping the key.
    pub(super) fn decode_keyed<T: DeserializeOwned>(
        name: &'static str,
        kv: Result<(sled::IVec, sled::IVec), sled::Error>,
    ) -> Result<(sled::IVec, T), StoreError> {
        let (k, v) = kv?;
        let record = Self::decode(name, Ok((k.clone(), v)))?;
        Ok((k, record))
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .meta
            .get("schema_version")?
            .and_then(|raw| <[u8; 4]>::try_from(raw.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0))
    }

    pub(super) fn put<T: Serialize>(
        &self,
        tree: &sled::Tree,
        key: &[u8],
        value: &T,
    ) -> Result<(), StoreError> {
        self.put_with(tree, key, value, true)
    }

    pub(super) fn put_with<T: Serialize>(
        &self,
        tree: &sled::Tree,
        key: &[u8],
        value: &T,
        flush: bool,
    ) -> Result<(), StoreError> {
        let bytes = redact::encode("encode", key, value)?;
        if tree.insert(key, bytes)?.is_none()
            && let Some(count) = self.counter_of(tree)
        {
            count.fetch_add(1, Ordering::SeqCst);
        }
        // Acknowledged means on disk: flush before the caller answers anyone.
        if flush {
            self.durable()?;
        }
        Ok(())
    }

    /// The integrity count kept for a tree's records, if one is.
    pub(super) fn counter_of(&self, tree: &sled::Tree) -> Option<&AtomicU64> {
        match tree.name().as_ref() {
            n if n == USERS.as_bytes() => Some(&self.counters.users),
            n if n == TICKETS.as_bytes() => Some(&self.counters.tickets),
            n if n == staff::AUDIT.as_bytes() => Some(&self.counters.audit),
            n if n == staff::BROADCASTS.as_bytes() => Some(&self.counters.broadcasts),
            _ => None,
        }
    }

    /// A number counter kept in `meta` (0 when none was issued).
    pub(super) fn counter(&self, name: &str) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(name)?
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0))
    }

    /// What must exist now, from the in-memory counts (lower bounds) and the issued numbers.
    pub(super) fn tally(&self) -> Result<Tally, StoreError> {
        Ok(Tally {
            tickets_issued: self.counter(TICKET_SEQ)?,
            tickets: self.counters.tickets.load(Ordering::SeqCst),
            users: self.counters.users.load(Ordering::SeqCst),
            audit_issued: self.counter(staff::AUDIT_SEQ)?,
            audit: self.counters.audit.load(Ordering::SeqCst),
            broadcasts_issued: self.counter(staff::BROADCAST_SEQ)?,
            broadcasts: self.counters.broadcasts.load(Ordering::SeqCst),
        })
    }

    /// What the trees hold, counted (at open and after a restore).
    pub(super) fn tally_found(&self) -> Result<Tally, StoreError> {
        let count = |tree: &sled::Tree| tree.len() as u64;
        Ok(Tally {
            tickets_issued: self.counter(TICKET_SEQ)?,
            tickets: count(&self.tickets),
            users: count(&self.users),
            audit_issued: self.counter(staff::AUDIT_SEQ)?,
            audit: count(&self.audit),
            broadcasts_issued: self.counter(staff::BROADCAST_SEQ)?,
            broadcasts: count(&self.broadcasts),
        })
    }

    /// Flushes to disk, then records in the integrity manifest what is now acknowledged (the
    /// tally is taken before the flush, so everything it counts is on disk once it returns).
    pub(super) fn durable(&self) -> Result<(), StoreError> {
        let tally = self.tally()?;
        self.db.flush()?;
        if let Some(integrity) = &self.integrity {
            integrity.record(tally)?;
        }
        Ok(())
    }

    /// A user's record, if the user was seen before.
    pub fn user(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        Self::get(&self.users, USERS, &id.to_be_bytes())
    }

    /// Saves a user's record. `durable`: flush before returning, for changes the user is told
    /// about (language, links); conversation history alone is left to sled's periodic flush.
    pub fn save_user(&self, user: &UserRecord, durable: bool) -> Result<(), StoreError> {
        self.put_with(&self.users, &user.id.to_be_bytes(), user, durable)
    }

    /// Saves the recent conversation of a user (redacted lines, oldest first), replacing the
    /// previous one. The desk keeps conversations in memory and saves one when it hands the
    /// user to a person, so staff see what was said; it is flushed with the ticket.
    pub fn save_history(&self, user: i64, lines: &[HistoryEntry]) -> Result<(), StoreError> {
        let start = lines.len().saturating_sub(HISTORY_LIMIT);
        self.put_with(&self.history, &user.to_be_bytes(), &&lines[start..], false)
    }

    /// The saved conversation of a user, oldest first (empty when none was saved).
    pub fn history(&self, user: i64) -> Result<Vec<HistoryEntry>, StoreError> {
        Ok(Self::get(&self.history, HISTORY, &user.to_be_bytes())?.unwrap_or_default())
    }

    /// Every user, in id order.
    pub fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        Self::all(&self.users, USERS)
    }

    /// A new, never reused ticket number (1, 2, 3… per database).
    pub fn next_ticket_id(&self) -> Result<u64, StoreError> {
        let id = self.seq(TICKET_SEQ)?;
        self.durable()?;
        Ok(id)
    }

    /// A ticket by number.
    pub fn ticket(&self, id: u64) -> Result<Option<TicketRecord>, StoreError> {
        Self::get(&self.tickets, TICKETS, &id.to_be_bytes())
    }

    /// Saves a ticket (flushed, with its per-user index entry).
    pub fn save_ticket(&self, ticket: &TicketRecord) -> Result<(), StoreError> {
        let mut key = ticket.user.to_be_bytes().to_vec();
        key.extend_from_slice(&ticket.id.to_be_bytes());
        self.tickets_by_user.insert(key, &[])?;
        self.put(&self.tickets, &ticket.id.to_be_bytes(), ticket)
    }

    /// Changes a ticket atomically (flushed): `change` edits the stored ticket, and runs again
    /// on the newer one when another writer changed the ticket in between, so two changes at
    /// once (a rating from the user, a reopen by staff) never overwrite each other. `Ok(None)`:
    /// no such ticket. An error from `change` writes nothing.
    pub fn update_ticket<E: From<StoreError>>(
        &self,
        id: u64,
        mut change: impl FnMut(&mut TicketRecord) -> Result<(), E>,
    ) -> Result<Option<TicketRecord>, E> {
        let key = id.to_be_bytes();
        loop {
            let Some(old) = self.tickets.get(key).map_err(StoreError::from)? else {
                return Ok(None);
            };
            let corrupt = |e: serde_json::Error| StoreError::Corrupt {
                tree: TICKETS,
                key: id.to_string(),
                message: e.to_string(),
            };
            let mut ticket: TicketRecord = serde_json::from_slice(&old).map_err(corrupt)?;
            change(&mut ticket)?;
            let new = redact::encode(TICKETS, &key, &ticket)?;
            let swapped = self
                .tickets
                .compare_and_swap(key, Some(&old), Some(new))
                .map_err(StoreError::from)?;
            if swapped.is_ok() {
                self.durable()?;
                return Ok(Some(ticket));
            }
        }
    }

    /// A user's tickets, oldest first.
    pub fn tickets_of(&self, user: i64) -> Result<Vec<TicketRecord>, StoreError> {
        let mut out = Vec::new();
        for key in self.tickets_by_user.scan_prefix(user.to_be_bytes()).keys() {
            let key = key?;
            let id = key
                .get(8..16)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes);
            if let Some(ticket) = id.map(|id| self.ticket(id)).transpose()?.flatten() {
                out.push(ticket);
            }
        }
        Ok(out)
    }

    /// Every ticket, oldest first.
    pub fn tickets(&self) -> Result<Vec<TicketRecord>, StoreError> {
        Self::all(&self.tickets, TICKETS)
    }

    /// Flushes everything to disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.durable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_tickets_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SledStore::open(dir.path()).unwrap();
            let mut user = UserRecord::new(42);
            user.lang = Some(crate::lang::Lang::Zh);
            store.save_user(&user, true).unwrap();
            assert_eq!(store.next_ticket_id().unwrap(), 1);
            assert_eq!(store.next_ticket_id().unwrap(), 2);
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(
            store.user(42).unwrap().unwrap().lang,
            Some(crate::lang::Lang::Zh)
        );
        assert_eq!(store.next_ticket_id().unwrap(), 3);
        assert!(store.user(7).unwrap().is_none());
    }

    #[test]
    fn history_keeps_the_last_lines_per_user() {
        let store = SledStore::temporary().unwrap();
        let lines: Vec<HistoryEntry> = (0..50u64)
            .map(|i| HistoryEntry::new(i, Speaker::User, &format!("line {i}")))
            .collect();
        store.save_history(5, &lines).unwrap();
        store
            .save_history(6, &[HistoryEntry::new(0, Speaker::Bot, "other user")])
            .unwrap();
        let saved = store.history(5).unwrap();
        assert_eq!(saved.len(), HISTORY_LIMIT);
        assert_eq!(saved.last().unwrap().text, "line 49");
        assert_eq!(store.history(6).unwrap().len(), 1);
        assert!(store.history(7).unwrap().is_empty());
    }

    #[test]
    fn an_open_waits_for_a_lock_that_a_closing_handle_releases() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let closing = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(db);
        });
        // Locked when the open starts; released while it waits.
        assert!(SledStore::open(dir.path()).is_ok());
        closing.join().unwrap();
    }

    #[test]
    fn a_lock_held_for_good_is_reported_as_locked() {
        let dir = tempfile::tempdir().unwrap();
        let _held = sled::open(dir.path()).unwrap();
        assert!(matches!(
            SledStore::open(dir.path()),
            Err(StoreError::Locked { .. })
        ));
    }

    #[test]
    fn a_version_1_database_is_migrated_and_keeps_its_users() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::open(dir.path()).unwrap();
            db.open_tree(META)
                .unwrap()
                .insert("schema_version", &1u32.to_be_bytes())
                .unwrap();
            // A user record as version 1 wrote it: none of the later fields.
            db.open_tree(USERS)
                .unwrap()
                .insert(
                    9i64.to_be_bytes(),
                    br#"{"id":9,"lang":"zh","links":[],"recent_topics":[]}"#.to_vec(),
                )
                .unwrap();
            db.flush().unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let user = store.user(9).unwrap().unwrap();
        assert_eq!(user.lang, Some(crate::lang::Lang::Zh));
        assert!(!user.broadcast_opt_out && user.started_at.is_none());
    }

    #[test]
    fn staff_side_records_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let relay = RelayedMessage {
            ticket: 3,
            user_chat: 42,
            user_message: 10,
            staff_chat: -100,
            staff_message: 77,
            from_staff: false,
        };
        {
            let store = SledStore::open(dir.path()).unwrap();
            store
                .save_thread(&TicketThread {
                    ticket: 3,
                    chat: -100,
                    thread: Some(55),
                    card: Some(56),
                })
                .unwrap();
            store.save_relay(&relay).unwrap();
            store
                .save_ban(&BanRecord {
                    user: 13,
                    kind: BanKind::Shadow,
                    by: 1,
                    at: 5,
                    reason: "spam".into(),
                })
                .unwrap();
            store
                .save_macro(&Macro {
                    name: "gas".into(),
                    en: "Gas is the fee…".into(),
                    zh: String::new(),
                    by: 1,
                    at: 5,
                })
                .unwrap();
            assert_eq!(store.audit(5, 1, "ban", "13 spam").unwrap().seq, 1);
            assert_eq!(store.audit(6, 1, "unban", "13").unwrap().seq, 2);
            for at in [120, 240, 360] {
                store
                    .record_event(&MessageEvent {
                        count: 1,
                        at,
                        user: 42,
                        intent: "faq".into(),
                        topic: Some("health-factor".into()),
                        question: None,
                        guarded_markets: Vec::new(),
                    })
                    .unwrap();
            }
            store.flush().unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.ticket_in_thread(-100, 55).unwrap(), Some(3));
        assert_eq!(store.thread_of(3).unwrap().unwrap().card, Some(56));
        assert_eq!(store.relay_of_user_message(42, 10).unwrap(), Some(relay));
        assert_eq!(store.relay_of_staff_message(-100, 77).unwrap(), Some(relay));
        assert_eq!(store.relay_of_staff_message(42, 10).unwrap(), None);
        assert_eq!(store.ban_of(13).unwrap().unwrap().kind, BanKind::Shadow);
        let m = store.macro_named("gas").unwrap().unwrap();
        assert_eq!(m.text(crate::lang::Lang::Zh), "Gas is the fee…");
        let log = store.audit_log(10).unwrap();
        assert_eq!(
            log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["unban", "ban"]
        );
        assert_eq!(store.events_since(200).unwrap().len(), 2);
        assert_eq!(store.prune_events(200).unwrap(), 1);
        assert_eq!(store.events_since(0).unwrap().len(), 2);
        // Same minute, intent and topic: one record with a count; a question stays apart.
        let at = 600;
        let faq = |question: Option<&str>| MessageEvent {
            count: 1,
            at,
            user: 42,
            intent: if question.is_some() { "clarify" } else { "faq" }.into(),
            topic: question.is_none().then(|| "health-factor".into()),
            question: question.map(Into::into),
            guarded_markets: Vec::new(),
        };
        let guarded = MessageEvent {
            guarded_markets: vec!["base".into()],
            ..faq(None)
        };
        store
            .record_events(&[
                faq(None),
                guarded.clone(),
                faq(None),
                faq(Some("what is x")),
                faq(None),
                guarded,
            ])
            .unwrap();
        let recorded = store.events_since(at).unwrap();
        // Three records: plain answers (3), guarded answers (2), the question (1).
        assert_eq!(recorded.len(), 3, "{recorded:?}");
        assert_eq!(recorded.iter().map(|e| e.count).sum::<u64>(), 6);
        let guarded: Vec<_> = recorded
            .iter()
            .filter(|e| !e.guarded_markets.is_empty())
            .collect();
        assert_eq!((guarded.len(), guarded[0].count), (1, 2));
        assert!(store.remove_ban(13).unwrap().is_some());
        assert!(store.ban_of(13).unwrap().is_none());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::open(dir.path()).unwrap();
            db.open_tree(META)
                .unwrap()
                .insert("schema_version", &99u32.to_be_bytes())
                .unwrap();
            db.flush().unwrap();
        }
        assert!(matches!(
            SledStore::open(dir.path()),
            Err(StoreError::NewerSchema { found: 99 })
        ));
    }
}
