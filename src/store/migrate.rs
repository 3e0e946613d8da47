//! `lendesk store migrate`: a sled deployment copied into an empty PostgreSQL database, then
//! verified by counts.
//!
//! Every sled tree is read and every record decoded before anything is written (an undecodable
//! record is [`StoreError::Corrupt`] naming its tree and key, and nothing is written); the rows
//! then go in one PostgreSQL transaction ([`PgStore::import`]: all or nothing, refused when the
//! database holds any lendesk record). Keys stay what sled's keys say (ids, ticket, audit and
//! broadcast numbers, times, topics, relay ends), the counters keep the numbers issued (the next
//! ticket on PostgreSQL follows sled's last), and the records stay the redacted JSON sled
//! stored, copied verbatim. After the commit each kind is counted again in PostgreSQL and must
//! equal sled's count ([`StoreError::MigrationUnverified`] otherwise).
//!
//! sled's two indexes become columns: `tickets_by_user` the ticket's `user_id`, and
//! `events_by_user` the event's `user_id`; its `thread_index` two tables (forum topics, marked
//! staff messages); its `meta` the counters, the maintenance notice, the watch cursors (the
//! sent-alert index is the sent log itself in PostgreSQL, so the two must agree).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Display;

use serde::de::DeserializeOwned;
use sled::IVec;

use super::alerts::{
    ALERT_MARKS, ALERT_OUTBOX, ALERT_SEQ, ALERT_SETTINGS, ALERTS_SENT, CURSOR, SENT,
};
use super::pg::PgStore;
use super::pg::import::{Column, ImportTable};
use super::sled_store::{HISTORY, META, TICKETS, TICKETS_BY_USER, USERS};
use super::staff::{
    AUDIT, AUDIT_SEQ, BANS, BROADCAST_SEQ, BROADCASTS, EVENTS, EVENTS_BY_USER, FAQ_EDITS, MACROS,
    MAINTENANCE, RELAY, STAFF, THREAD_INDEX, THREADS,
};
use super::{
    AlertMark, AlertSettings, AuditEntry, BanRecord, Broadcast, FaqEdit, HistoryEntry, Macro,
    Maintenance, MessageEvent, OutboxEntry, RelayedMessage, SentAlert, SledStore, StaffMember,
    StoreError, TICKET_SEQ, TicketRecord, TicketThread, UserRecord,
};

/// Every tree lendesk keeps in sled; another one holding records stops the migration.
const TREES: &[&str] = &[
    USERS,
    HISTORY,
    TICKETS,
    TICKETS_BY_USER,
    META,
    THREADS,
    THREAD_INDEX,
    RELAY,
    STAFF,
    MACROS,
    FAQ_EDITS,
    BANS,
    AUDIT,
    BROADCASTS,
    EVENTS,
    EVENTS_BY_USER,
    ALERT_SETTINGS,
    ALERT_MARKS,
    ALERT_OUTBOX,
    ALERTS_SENT,
];

/// sled's default tree (lendesk keeps nothing there).
const DEFAULT_TREE: &[u8] = b"__sled__default";

/// The `meta` entry of sled's own schema version: not a record, PostgreSQL has its own.
const SCHEMA_VERSION_KEY: &str = "schema_version";

/// What a migration copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateSummary {
    /// Records per kind, in a fixed order: as many in PostgreSQL as in sled (verified after
    /// the commit). Numbers issued are the counters' values.
    pub counts: Vec<(&'static str, u64)>,
    /// What sled held that PostgreSQL cannot hold as it was, in words: index entries whose
    /// record is gone, a ticket listed under several users (problems `lendesk store check`
    /// reports). Empty for a sound store.
    pub left_behind: Vec<String>,
}

/// Copies every record of `from` into `to`, which must hold no lendesk record, in one
/// transaction, then verifies the counts; see the module docs.
pub async fn migrate(from: &SledStore, to: &PgStore) -> Result<MigrateSummary, StoreError> {
    let read = Read::all(from)?;
    let kinds = kinds(from)?;
    to.import(&read.tables).await?;
    let counts = verify(to, &kinds).await?;
    Ok(MigrateSummary {
        counts,
        left_behind: read.left_behind,
    })
}

// --- reading sled ------------------------------------------------------------------------------

/// Everything read from sled, as the tables to write.
#[derive(Debug, Default)]
struct Read {
    tables: Vec<ImportTable>,
    left_behind: Vec<String>,
}

impl Read {
    /// Reads and decodes every tree of `from`.
    fn all(from: &SledStore) -> Result<Self, StoreError> {
        refuse_unknown_trees(from)?;
        let mut read = Read::default();
        read.plain_trees(from)?;
        read.tickets(from)?;
        read.thread_index(from)?;
        read.relay(from)?;
        read.events(from)?;
        read.alerts(from)?;
        read.meta(from)?;
        Ok(read)
    }

    /// The trees that are one table each, keyed as sled keys them, with nothing else.
    fn plain_trees(&mut self, from: &SledStore) -> Result<(), StoreError> {
        self.tables.extend([
            keyed::<UserRecord>(&from.users, USERS, Key::Id("id"), "record")?,
            keyed::<Vec<HistoryEntry>>(&from.history, HISTORY, Key::Id("user_id"), "lines")?,
            keyed::<TicketThread>(&from.threads, THREADS, Key::Number("ticket_id"), "record")?,
            keyed::<StaffMember>(&from.staff, STAFF, Key::Id("id"), "record")?,
            keyed::<Macro>(&from.macros, MACROS, Key::Name("name"), "record")?,
            keyed::<FaqEdit>(&from.faq_edits, FAQ_EDITS, Key::Name("topic"), "record")?,
            keyed::<BanRecord>(&from.bans, BANS, Key::Id("user_id"), "record")?,
            keyed::<AuditEntry>(&from.audit, AUDIT, Key::Number("seq"), "record")?,
            keyed::<Broadcast>(&from.broadcasts, BROADCASTS, Key::Number("id"), "record")?,
            keyed::<AlertSettings>(
                &from.alert_settings,
                ALERT_SETTINGS,
                Key::Id("user_id"),
                "record",
            )?,
        ]);
        Ok(())
    }

    /// Tickets, each with the user it is listed under (sled's `tickets_by_user`).
    fn tickets(&mut self, from: &SledStore) -> Result<(), StoreError> {
        let tickets = records::<TicketRecord>(&from.tickets, TICKETS)?;
        let owners = self.ticket_owners(from, &tickets)?;
        let ids = collect(tickets.iter().map(|t| &t.key), |k| {
            number_at(TICKETS, k, 0, 8)
        })?;
        let users: Vec<Option<i64>> = tickets
            .iter()
            .map(|t| owners.get(&t.key).copied())
            .collect();
        self.tables.push(ImportTable {
            name: "tickets",
            columns: vec![
                ("id", Column::Bigint(ids)),
                ("user_id", Column::NullableBigint(users)),
                ("record", json(tickets)),
            ],
        });
        Ok(())
    }

    /// The user each ticket is listed under, by the ticket's key. PostgreSQL lists a ticket
    /// under one user: one listed under several keeps the one its record names (or the first).
    /// Entries whose ticket is gone are left behind (sled's own listing skips them).
    fn ticket_owners(
        &mut self,
        from: &SledStore,
        tickets: &[Record<TicketRecord>],
    ) -> Result<HashMap<IVec, i64>, StoreError> {
        let mut listed: BTreeMap<IVec, Vec<i64>> = BTreeMap::new();
        for key in from.tickets_by_user.iter().keys() {
            let key = key?;
            let user = id_at(TICKETS_BY_USER, &key, 0, 16)?;
            let ticket = IVec::from(bytes::<8>(TICKETS_BY_USER, &key, 8, 16)?.as_slice());
            listed.entry(ticket).or_default().push(user);
        }
        let mut owners = HashMap::new();
        for t in tickets {
            let Some(users) = listed.remove(&t.key) else {
                continue;
            };
            let owner = users
                .iter()
                .copied()
                .find(|&u| u == t.value.user)
                .or(users.first().copied());
            if users.len() > 1 {
                self.left_behind.push(format!(
                    "ticket #{} was listed under users {users:?}; PostgreSQL lists it under {owner:?} only",
                    t.value.id
                ));
            }
            owners.extend(owner.map(|o| (t.key.clone(), o)));
        }
        for (ticket, users) in listed {
            self.left_behind.push(format!(
                "{TICKETS_BY_USER}: users {users:?} are listed with ticket {}, which does not exist",
                printable(&ticket)
            ));
        }
        Ok(owners)
    }

    /// sled's `thread_index`: forum topics (chat ‖ topic) and marked staff messages
    /// (`a` ‖ chat ‖ message), each to its ticket number.
    fn thread_index(&mut self, from: &SledStore) -> Result<(), StoreError> {
        let (mut topics, mut marked) = (Located::default(), Located::default());
        for kv in from.thread_index.iter() {
            let (key, value) = kv?;
            let ticket = number_at(THREAD_INDEX, &value, 0, 8)
                .map_err(|_| corrupt(THREAD_INDEX, &key, "the ticket number is not 8 bytes"))?;
            match (key.len(), key.first()) {
                (12, _) => topics.push(
                    id_at(THREAD_INDEX, &key, 0, 12)?,
                    i32_at(THREAD_INDEX, &key, 8, 12)?,
                    ticket,
                ),
                (13, Some(b'a')) => marked.push(
                    id_at(THREAD_INDEX, &key, 1, 13)?,
                    i32_at(THREAD_INDEX, &key, 9, 13)?,
                    ticket,
                ),
                _ => {
                    return Err(corrupt(
                        THREAD_INDEX,
                        &key,
                        "not a topic's or a message's key",
                    ));
                }
            }
        }
        self.tables.push(topics.table("thread_index", "thread"));
        self.tables.push(marked.table("ticket_messages", "message"));
        Ok(())
    }

    /// The relay's map: each relayed message under both its ends (`u` ‖ user chat ‖ message,
    /// `s` ‖ staff chat ‖ message).
    fn relay(&mut self, from: &SledStore) -> Result<(), StoreError> {
        let relays = records::<RelayedMessage>(&from.relay, RELAY)?;
        let (mut sides, mut chats, mut messages) = (Vec::new(), Vec::new(), Vec::new());
        let (mut user_chats, mut tickets) = (Vec::new(), Vec::new());
        for r in &relays {
            let side = match r.key.first() {
                Some(b'u') => "u",
                Some(b's') => "s",
                _ => return Err(corrupt(RELAY, &r.key, "neither end of a relay")),
            };
            sides.push(side.to_string());
            chats.push(id_at(RELAY, &r.key, 1, 13)?);
            messages.push(i32_at(RELAY, &r.key, 9, 13)?);
            user_chats.push(r.value.user_chat);
            tickets.push(bigint(RELAY, &r.key, r.value.ticket)?);
        }
        self.tables.push(ImportTable {
            name: "relay",
            columns: vec![
                ("side", Column::Text(sides)),
                ("chat", Column::Bigint(chats)),
                ("message", Column::Integer(messages)),
                ("user_chat", Column::Bigint(user_chats)),
                ("ticket_id", Column::Bigint(tickets)),
                ("record", json(relays)),
            ],
        });
        Ok(())
    }

    /// Statistics events in sled's order (time ‖ generated id), which PostgreSQL's ids keep;
    /// an event names its user in PostgreSQL when sled's `events_by_user` lists it under them.
    fn events(&mut self, from: &SledStore) -> Result<(), StoreError> {
        let events = records::<MessageEvent>(&from.events, EVENTS)?;
        let index: HashSet<IVec> = from
            .events_by_user
            .iter()
            .keys()
            .collect::<Result<_, _>>()?;
        let (mut at, mut users) = (Vec::new(), Vec::new());
        for e in &events {
            at.push(number_at(EVENTS, &e.key, 0, 16)?);
            let entry = [e.value.user.to_be_bytes().as_slice(), &e.key].concat();
            let named = e.value.user != 0 && index.contains(entry.as_slice());
            users.push(named.then_some(e.value.user));
        }
        let stale = index.len().saturating_sub(users.iter().flatten().count());
        if stale > 0 {
            self.left_behind.push(format!(
                "{EVENTS_BY_USER}: {stale} index entries point to no event naming their user"
            ));
        }
        self.tables.push(ImportTable {
            name: "events",
            columns: vec![
                ("at", Column::Bigint(at)),
                ("user_id", Column::NullableBigint(users)),
                ("record", json(events)),
            ],
        });
        Ok(())
    }

    /// Alert states (user ‖ market ‖ 0 ‖ address), the outbox (by dedup key) and the sent log
    /// (time ‖ dedup key); the settings are a plain tree.
    fn alerts(&mut self, from: &SledStore) -> Result<(), StoreError> {
        self.tables
            .extend([alert_marks(from)?, alert_outbox(from)?, alerts_sent(from)?]);
        Ok(())
    }

    /// sled's `meta`: the counters, the maintenance notice, the watch cursors, and the sent
    /// alerts' index (checked against the sent log, which is the index in PostgreSQL).
    fn meta(&mut self, from: &SledStore) -> Result<(), StoreError> {
        let (mut counters, mut values) = (Vec::new(), Vec::new());
        let (mut notices, mut notice) = (Vec::new(), Vec::new());
        let (mut markets, mut blocks) = (Vec::new(), Vec::new());
        let mut sent = BTreeSet::new();
        for kv in from.meta.iter() {
            let (key, value) = kv?;
            let name = text(META, &key)?;
            if name == SCHEMA_VERSION_KEY {
                continue;
            } else if [TICKET_SEQ, AUDIT_SEQ, BROADCAST_SEQ, ALERT_SEQ].contains(&name.as_str()) {
                values.push(number_at(META, &value, 0, 8).map_err(|_| not_a_number(&key))?);
                counters.push(name);
            } else if name == MAINTENANCE {
                let m = decoded::<Maintenance>(META, Ok((key, value)))?;
                notices.push(name);
                notice.push(m.json);
            } else if let Some(market) = name.strip_prefix(CURSOR) {
                blocks.push(number_at(META, &value, 0, 8).map_err(|_| not_a_number(&key))?);
                markets.push(market.to_string());
            } else if let Some(alert) = name.strip_prefix(SENT) {
                sent.insert(alert.to_string());
            } else {
                return Err(corrupt(META, &key, "an entry this lendesk does not know"));
            }
        }
        same_as_sent_log(from, &sent)?;
        self.tables.extend([
            two_columns(
                "counters",
                ("name", Column::Text(counters)),
                ("value", Column::Bigint(values)),
            ),
            two_columns(
                "meta",
                ("key", Column::Text(notices)),
                ("value", Column::Json(notice)),
            ),
            two_columns(
                "watch_cursors",
                ("market", Column::Text(markets)),
                ("block", Column::Bigint(blocks)),
            ),
        ]);
        Ok(())
    }
}

/// Stops at a tree lendesk does not know that holds records (sled's default tree included):
/// nothing would carry them over.
fn refuse_unknown_trees(from: &SledStore) -> Result<(), StoreError> {
    for name in from.db.tree_names() {
        if TREES.iter().any(|t| t.as_bytes() == name.as_ref()) {
            continue;
        }
        let tree: sled::Tree = if name.as_ref() == DEFAULT_TREE {
            (*from.db).clone()
        } else {
            from.db.open_tree(&name)?
        };
        if let Some(kv) = tree.iter().next() {
            let (key, _) = kv?;
            return Err(StoreError::Corrupt {
                tree: "sled",
                key: format!("{} in tree {}", printable(&key), printable(&name)),
                message: "a tree this lendesk does not know holds records: nothing migrated".into(),
            });
        }
    }
    Ok(())
}

/// Alert states, keyed user ‖ market ‖ 0 ‖ address (20 bytes).
fn alert_marks(from: &SledStore) -> Result<ImportTable, StoreError> {
    let marks = records::<AlertMark>(&from.alert_marks, ALERT_MARKS)?;
    let (mut users, mut markets, mut addresses) = (Vec::new(), Vec::new(), Vec::new());
    for m in &marks {
        let key = &m.key;
        let address = key.len().checked_sub(20).filter(|&at| at >= 9);
        let Some(at) = address.filter(|&at| key.get(at - 1) == Some(&0)) else {
            return Err(corrupt(ALERT_MARKS, key, "not user ‖ market ‖ 0 ‖ address"));
        };
        users.push(id_at(ALERT_MARKS, key, 0, key.len())?);
        markets.push(text(ALERT_MARKS, &key[8..at - 1])?);
        addresses.push(key[at..].to_vec());
    }
    Ok(ImportTable {
        name: "alert_marks",
        columns: vec![
            ("user_id", Column::Bigint(users)),
            ("market", Column::Text(markets)),
            ("address", Column::Bytes(addresses)),
            ("record", json(marks)),
        ],
    })
}

/// Alerts written and not yet sent, keyed by their dedup key.
fn alert_outbox(from: &SledStore) -> Result<ImportTable, StoreError> {
    let entries = records::<OutboxEntry>(&from.alert_outbox, ALERT_OUTBOX)?;
    let (mut keys, mut users, mut seqs) = (Vec::new(), Vec::new(), Vec::new());
    for e in &entries {
        keys.push(text(ALERT_OUTBOX, &e.key)?);
        users.push(e.value.user);
        seqs.push(bigint(ALERT_OUTBOX, &e.key, e.value.seq)?);
    }
    Ok(ImportTable {
        name: "alert_outbox",
        columns: vec![
            ("key", Column::Text(keys)),
            ("user_id", Column::Bigint(users)),
            ("seq", Column::Bigint(seqs)),
            ("record", json(entries)),
        ],
    })
}

/// The sent log, keyed sent at ‖ dedup key.
fn alerts_sent(from: &SledStore) -> Result<ImportTable, StoreError> {
    let sent = records::<SentAlert>(&from.alerts_sent, ALERTS_SENT)?;
    let (mut at, mut keys, mut users) = (Vec::new(), Vec::new(), Vec::new());
    for s in &sent {
        let (time, key) = timed(ALERTS_SENT, &s.key)?;
        at.push(time);
        keys.push(key);
        users.push(s.value.user);
    }
    Ok(ImportTable {
        name: "alerts_sent",
        columns: vec![
            ("at", Column::Bigint(at)),
            ("key", Column::Text(keys)),
            ("user_id", Column::Bigint(users)),
            ("record", json(sent)),
        ],
    })
}

/// PostgreSQL answers "was this alert sent" from the sent log: sled's index must name exactly
/// the alerts its log holds, or an alert would be sent twice, or never, after the move.
fn same_as_sent_log(from: &SledStore, index: &BTreeSet<String>) -> Result<(), StoreError> {
    let mut logged = BTreeSet::new();
    for key in from.alerts_sent.iter().keys() {
        logged.insert(timed(ALERTS_SENT, &key?)?.1);
    }
    if let Some(alert) = index.symmetric_difference(&logged).next() {
        let key = format!("{SENT}{alert}");
        let message = if logged.contains(alert) {
            "an alert in the sent log is missing from the sent index"
        } else {
            "the sent index names an alert missing from the sent log"
        };
        return Err(corrupt(META, key.as_bytes(), message));
    }
    Ok(())
}

/// Topic or message → ticket rows (sled's `thread_index`), column by column.
#[derive(Debug, Default)]
struct Located {
    chats: Vec<i64>,
    at: Vec<i32>,
    tickets: Vec<i64>,
}

impl Located {
    fn push(&mut self, chat: i64, at: i32, ticket: i64) {
        self.chats.push(chat);
        self.at.push(at);
        self.tickets.push(ticket);
    }

    fn table(self, name: &'static str, at: &'static str) -> ImportTable {
        ImportTable {
            name,
            columns: vec![
                ("chat", Column::Bigint(self.chats)),
                (at, Column::Integer(self.at)),
                ("ticket_id", Column::Bigint(self.tickets)),
            ],
        }
    }
}

fn two_columns(
    name: &'static str,
    a: (&'static str, Column),
    b: (&'static str, Column),
) -> ImportTable {
    ImportTable {
        name,
        columns: vec![a, b],
    }
}

// --- records and keys --------------------------------------------------------------------------

/// One record of a tree: its key, the record decoded, and its JSON as sled stored it.
#[derive(Debug)]
struct Record<T> {
    key: IVec,
    value: T,
    json: String,
}

/// Decodes one record of a scan of `tree` as `T`, keeping its JSON verbatim.
fn decoded<T: DeserializeOwned>(
    tree: &'static str,
    kv: Result<(IVec, IVec), sled::Error>,
) -> Result<Record<T>, StoreError> {
    let (key, bytes) = kv?;
    let value = serde_json::from_slice(&bytes).map_err(|e| corrupt(tree, &key, e))?;
    let json = String::from_utf8(bytes.to_vec()).map_err(|e| corrupt(tree, &key, e))?;
    Ok(Record { key, value, json })
}

/// Every record of `tree`, decoded, in key order.
fn records<T: DeserializeOwned>(
    tree: &sled::Tree,
    name: &'static str,
) -> Result<Vec<Record<T>>, StoreError> {
    tree.iter().map(|kv| decoded(name, kv)).collect()
}

/// The records' JSON, as a column.
fn json<T>(records: Vec<Record<T>>) -> Column {
    Column::Json(records.into_iter().map(|r| r.json).collect())
}

/// How a plain tree's key becomes its table's key column (named).
#[derive(Debug, Clone, Copy)]
enum Key {
    /// A signed id, 8 bytes big-endian (users, staff, bans…).
    Id(&'static str),
    /// An unsigned number, 8 bytes big-endian (ticket, audit and broadcast numbers).
    Number(&'static str),
    /// Text (macro names, FAQ topic ids).
    Name(&'static str),
}

/// A tree that is one table: the key column, then the record's JSON in `record`. The table
/// has the tree's name.
fn keyed<T: DeserializeOwned>(
    tree: &sled::Tree,
    name: &'static str,
    key: Key,
    record: &'static str,
) -> Result<ImportTable, StoreError> {
    let records = records::<T>(tree, name)?;
    let keys = records.iter().map(|r| &r.key);
    let (column, keys) = match key {
        Key::Id(column) => (
            column,
            Column::Bigint(collect(keys, |k| id_at(name, k, 0, 8))?),
        ),
        Key::Number(column) => (
            column,
            Column::Bigint(collect(keys, |k| number_at(name, k, 0, 8))?),
        ),
        Key::Name(column) => (column, Column::Text(collect(keys, |k| text(name, k))?)),
    };
    Ok(two_columns(name, (column, keys), (record, json(records))))
}

fn collect<'a, T>(
    keys: impl Iterator<Item = &'a IVec>,
    parse: impl Fn(&[u8]) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    keys.map(|k| parse(k)).collect()
}

/// `N` bytes of `key` from `at`, in a key that must be `len` bytes long.
fn bytes<const N: usize>(
    tree: &'static str,
    key: &[u8],
    at: usize,
    len: usize,
) -> Result<[u8; N], StoreError> {
    key.get(at..at + N)
        .filter(|_| key.len() == len)
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or_else(|| {
            corrupt(
                tree,
                key,
                format!("a key of {} bytes, not {len}", key.len()),
            )
        })
}

/// A signed id (8 bytes big-endian) at `at` of a `len`-byte key.
fn id_at(tree: &'static str, key: &[u8], at: usize, len: usize) -> Result<i64, StoreError> {
    bytes::<8>(tree, key, at, len).map(i64::from_be_bytes)
}

/// A message or topic id (4 bytes big-endian) at `at` of a `len`-byte key.
fn i32_at(tree: &'static str, key: &[u8], at: usize, len: usize) -> Result<i32, StoreError> {
    bytes::<4>(tree, key, at, len).map(i32::from_be_bytes)
}

/// An unsigned number (8 bytes big-endian) at `at` of `len` bytes, as its `BIGINT` column.
fn number_at(tree: &'static str, key: &[u8], at: usize, len: usize) -> Result<i64, StoreError> {
    let n = u64::from_be_bytes(bytes::<8>(tree, key, at, len)?);
    bigint(tree, key, n)
}

/// An unsigned number as a `BIGINT` column (PostgreSQL's own rule: below `i64::MAX`).
fn bigint(tree: &'static str, key: &[u8], n: u64) -> Result<i64, StoreError> {
    i64::try_from(n)
        .ok()
        .filter(|&n| n < i64::MAX)
        .ok_or_else(|| corrupt(tree, key, format!("{n} is beyond a BIGINT column")))
}

/// A key that is a time (8 bytes big-endian, as its `BIGINT` column) ‖ a text (UTF-8).
fn timed(tree: &'static str, key: &[u8]) -> Result<(i64, String), StoreError> {
    let Some((time, rest)) = key.split_first_chunk::<8>() else {
        return Err(corrupt(tree, key, "shorter than the time it begins with"));
    };
    Ok((
        bigint(tree, key, u64::from_be_bytes(*time))?,
        text(tree, rest)?,
    ))
}

/// A text key (UTF-8).
fn text(tree: &'static str, key: &[u8]) -> Result<String, StoreError> {
    String::from_utf8(key.to_vec()).map_err(|e| corrupt(tree, key, e))
}

fn not_a_number(key: &[u8]) -> StoreError {
    corrupt(
        META,
        key,
        "the value is not a number a BIGINT column holds (8 bytes, below 2^63)",
    )
}

fn corrupt(tree: &'static str, key: &[u8], message: impl Display) -> StoreError {
    StoreError::Corrupt {
        tree,
        key: printable(key),
        message: message.to_string(),
    }
}

/// A key in words: its text when it is printable, else its bytes in hex.
fn printable(key: &[u8]) -> String {
    match std::str::from_utf8(key) {
        Ok(text) if !text.chars().any(char::is_control) => text.to_string(),
        _ => format!("0x{}", hex::encode(key)),
    }
}

// --- verifying ----------------------------------------------------------------------------------

/// One kind of record: its name, how many sled holds, and the query counting it in PostgreSQL.
#[derive(Debug)]
struct Kind {
    name: &'static str,
    sled: u64,
    sql: String,
}

/// Every kind, counted in sled itself (not in the rows made of it), with the query counting the
/// same in PostgreSQL.
fn kinds(from: &SledStore) -> Result<Vec<Kind>, StoreError> {
    let kind = |name, sled: u64, sql: String| Kind { name, sled, sql };
    let len = |tree: &sled::Tree| tree.len() as u64;
    let rows = |table: &str| format!("SELECT count(*) FROM {table}");
    let issued =
        |name: &str| format!("SELECT coalesce(max(value), 0) FROM counters WHERE name = '{name}'");
    let keys = |tree: &sled::Tree, pick: fn(&[u8]) -> bool| -> Result<u64, StoreError> {
        let mut n = 0;
        for key in tree.iter().keys() {
            n += u64::from(pick(&key?));
        }
        Ok(n)
    };
    let prefixed = |prefix: &str| from.meta.scan_prefix(prefix).count() as u64;
    Ok(vec![
        kind("users", len(&from.users), rows("users")),
        kind("saved conversations", len(&from.history), rows("history")),
        kind("tickets", len(&from.tickets), rows("tickets")),
        kind(
            "tickets listed under their user",
            listed_tickets(from)?,
            rows("tickets WHERE user_id IS NOT NULL"),
        ),
        kind(
            "ticket numbers issued",
            from.counter(TICKET_SEQ)?,
            issued(TICKET_SEQ),
        ),
        kind("ticket threads", len(&from.threads), rows("threads")),
        kind(
            "forum topics",
            keys(&from.thread_index, |k| k.len() == 12)?,
            rows("thread_index"),
        ),
        kind(
            "marked staff messages",
            keys(&from.thread_index, |k| k.len() == 13)?,
            rows("ticket_messages"),
        ),
        kind("relayed message entries", len(&from.relay), rows("relay")),
        kind("staff", len(&from.staff), rows("staff")),
        kind("macros", len(&from.macros), rows("macros")),
        kind("FAQ edits", len(&from.faq_edits), rows("faq_edits")),
        kind("bans", len(&from.bans), rows("bans")),
        kind("audit lines", len(&from.audit), rows("audit")),
        kind(
            "audit numbers issued",
            from.counter(AUDIT_SEQ)?,
            issued(AUDIT_SEQ),
        ),
        kind("broadcasts", len(&from.broadcasts), rows("broadcasts")),
        kind(
            "broadcast numbers issued",
            from.counter(BROADCAST_SEQ)?,
            issued(BROADCAST_SEQ),
        ),
        kind(
            "maintenance notice",
            u64::from(from.meta.contains_key(MAINTENANCE)?),
            rows(&format!("meta WHERE key = '{MAINTENANCE}'")),
        ),
        kind(
            "statistics event records",
            len(&from.events),
            rows("events"),
        ),
        kind(
            "events naming a user",
            events_naming_a_user(from)?,
            rows("events WHERE user_id IS NOT NULL"),
        ),
        kind(
            "messages counted by events",
            messages_counted(from)?,
            "SELECT coalesce(sum((record->>'count')::bigint), 0)::bigint FROM events".into(),
        ),
        kind(
            "alert settings",
            len(&from.alert_settings),
            rows("alert_settings"),
        ),
        kind("alert states", len(&from.alert_marks), rows("alert_marks")),
        kind(
            "unsent alerts",
            len(&from.alert_outbox),
            rows("alert_outbox"),
        ),
        kind(
            "alert numbers issued",
            from.counter(ALERT_SEQ)?,
            issued(ALERT_SEQ),
        ),
        kind("sent alerts", len(&from.alerts_sent), rows("alerts_sent")),
        kind(
            "sent-alert index entries",
            prefixed(SENT),
            "SELECT count(DISTINCT key) FROM alerts_sent".into(),
        ),
        kind("watch cursors", prefixed(CURSOR), rows("watch_cursors")),
    ])
}

/// Tickets `tickets_by_user` lists under a user, each once (entries whose ticket is gone aside).
fn listed_tickets(from: &SledStore) -> Result<u64, StoreError> {
    let mut listed = BTreeSet::new();
    for key in from.tickets_by_user.iter().keys() {
        let ticket = bytes::<8>(TICKETS_BY_USER, &key?, 8, 16)?;
        if from.tickets.contains_key(ticket)? {
            listed.insert(ticket);
        }
    }
    Ok(listed.len() as u64)
}

/// The entries of `events_by_user` (user ‖ event key) whose event names that user.
fn events_naming_a_user(from: &SledStore) -> Result<u64, StoreError> {
    let mut n = 0;
    for key in from.events_by_user.iter().keys() {
        let key = key?;
        let user = id_at(EVENTS_BY_USER, &key, 0, 24)?;
        let event: Option<MessageEvent> = SledStore::get(&from.events, EVENTS, &key[8..])?;
        n += u64::from(event.is_some_and(|e| e.user == user));
    }
    Ok(n)
}

/// The messages the statistics events count.
fn messages_counted(from: &SledStore) -> Result<u64, StoreError> {
    let events: Vec<MessageEvent> = SledStore::all(&from.events, EVENTS)?;
    Ok(events.iter().map(|e| e.count).sum())
}

/// Counts every kind in PostgreSQL (after the commit) and compares it with sled's count.
async fn verify(to: &PgStore, kinds: &[Kind]) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut differences = Vec::new();
    for kind in kinds {
        let found = to.figure(&kind.sql).await?;
        if found != kind.sled {
            differences.push(format!(
                "{}: {} in sled, {found} in PostgreSQL",
                kind.name, kind.sled
            ));
        }
    }
    if !differences.is_empty() {
        return Err(StoreError::MigrationUnverified { differences });
    }
    Ok(kinds.iter().map(|k| (k.name, k.sled)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_by_layout_and_a_wrong_one_names_tree_and_key() {
        let key = [7i64.to_be_bytes().as_slice(), &5i32.to_be_bytes()].concat();
        assert_eq!(id_at(THREAD_INDEX, &key, 0, 12).unwrap(), 7);
        assert_eq!(i32_at(THREAD_INDEX, &key, 8, 12).unwrap(), 5);
        match id_at(USERS, b"broken", 0, 8) {
            Err(StoreError::Corrupt { tree, key, .. }) => {
                assert_eq!((tree, key.as_str()), (USERS, "broken"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(printable(&[0, 1]), "0x0001");
        assert!(bigint(TICKETS, b"k", u64::MAX).is_err());
    }

    #[test]
    fn a_record_that_does_not_decode_is_corrupt_and_one_that_does_keeps_its_bytes() {
        let bytes = br#"{"text":"RPC upgrade","by":1,"since":2}"#;
        let ok =
            decoded::<Maintenance>(META, Ok((IVec::from("m"), IVec::from(&bytes[..])))).unwrap();
        assert_eq!(ok.json.as_bytes(), bytes);
        let bad = decoded::<Maintenance>(MACROS, Ok((IVec::from("gas"), IVec::from("{not json"))));
        assert!(
            matches!(bad, Err(StoreError::Corrupt { tree: MACROS, ref key, .. }) if key == "gas"),
            "{bad:?}"
        );
    }
}
