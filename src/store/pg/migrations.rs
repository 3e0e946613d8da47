//! The PostgreSQL schema, versioned: each migration is SQL applied once, in order, in one
//! transaction that also records it in `lendesk_migrations`. A transaction-scoped advisory lock
//! makes replicas that start together apply them once; a database that knows a newer version
//! than this lendesk is refused (as sled's newer schema is).
//!
//! Version 1 maps sled's trees one to one: a table per tree, the keys as typed columns (so
//! reports can be written in SQL), the record itself as the same JSON sled stores (already
//! through secret redaction). Text keys are `COLLATE "C"`, so they sort bytewise as sled's
//! keys do. sled's `tickets_by_user` and `events_by_user` become a column with an index; its
//! `thread_index` two tables (a topic keeps the ticket last saved there, whatever became of the
//! ticket's thread since); its counters in `meta` a `counters` table. Two tables are new, for
//! replicas: the Telegram updates handled, and leases on background work.

/// One migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its version, from 1, without gaps.
    pub version: i32,
    /// What it does, in a few words.
    pub name: &'static str,
    /// The SQL, run as one batch.
    pub sql: &'static str,
}

/// The advisory lock key under which migrations run ("lendesk" in ASCII).
pub const LOCK: i64 = 0x006c_656e_6465_736b;

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "sled's trees as tables; updates handled; leases",
        sql: r#"
CREATE TABLE users (id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE history (user_id BIGINT PRIMARY KEY, lines JSONB NOT NULL);
-- user_id: the user the ticket was saved under (sled's tickets_by_user); NULL once forgotten.
CREATE TABLE tickets (
    id BIGINT PRIMARY KEY,
    user_id BIGINT,
    record JSONB NOT NULL
);
CREATE INDEX tickets_by_user ON tickets (user_id, id);
-- Numbers issued: ticket_seq, audit_seq, broadcast_seq, alert_seq.
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
-- The maintenance notice.
CREATE TABLE meta (key TEXT PRIMARY KEY, value JSONB NOT NULL);
CREATE TABLE threads (ticket_id BIGINT PRIMARY KEY, record JSONB NOT NULL);
-- A forum topic's ticket, and the staff chat messages marked as a ticket's (cards, notices).
CREATE TABLE thread_index (
    chat BIGINT NOT NULL,
    thread INTEGER NOT NULL,
    ticket_id BIGINT NOT NULL,
    PRIMARY KEY (chat, thread)
);
CREATE TABLE ticket_messages (
    chat BIGINT NOT NULL,
    message INTEGER NOT NULL,
    ticket_id BIGINT NOT NULL,
    PRIMARY KEY (chat, message)
);
-- Each relayed message under both ends: side 'u' (the user's chat) and 's' (the staff chat).
CREATE TABLE relay (
    side CHAR(1) NOT NULL,
    chat BIGINT NOT NULL,
    message INTEGER NOT NULL,
    user_chat BIGINT NOT NULL,
    ticket_id BIGINT NOT NULL,
    record JSONB NOT NULL,
    PRIMARY KEY (side, chat, message)
);
CREATE INDEX relay_by_user ON relay (user_chat);
CREATE TABLE staff (id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE macros (name TEXT COLLATE "C" PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE faq_edits (topic TEXT COLLATE "C" PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE bans (user_id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE audit (seq BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE broadcasts (id BIGINT PRIMARY KEY, record JSONB NOT NULL);
-- id: the order of writing within a time (sled's generated id); user_id NULL: names nobody.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id BIGINT,
    record JSONB NOT NULL
);
CREATE INDEX events_by_time ON events (at, id);
CREATE INDEX events_by_user ON events (user_id, at, id);
CREATE TABLE alert_settings (user_id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE alert_marks (
    user_id BIGINT NOT NULL,
    market TEXT COLLATE "C" NOT NULL,
    address BYTEA NOT NULL,
    record JSONB NOT NULL,
    PRIMARY KEY (user_id, market, address)
);
CREATE TABLE alert_outbox (
    key TEXT COLLATE "C" PRIMARY KEY,
    user_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    record JSONB NOT NULL
);
CREATE INDEX alert_outbox_by_user ON alert_outbox (user_id);
CREATE TABLE alerts_sent (
    at BIGINT NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL,
    record JSONB NOT NULL,
    PRIMARY KEY (at, key)
);
CREATE INDEX alerts_sent_by_key ON alerts_sent (key);
CREATE INDEX alerts_sent_by_user ON alerts_sent (user_id);
CREATE TABLE watch_cursors (market TEXT PRIMARY KEY, block BIGINT NOT NULL);
CREATE TABLE updates_handled (
    update_id BIGINT PRIMARY KEY,
    handled_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TIMESTAMPTZ NOT NULL
);
"#,
    },
    Migration {
        version: 2,
        name: "updates claimed by a replica, then marked handled",
        sql: r#"
ALTER TABLE updates_handled
    ADD COLUMN chat BIGINT,
    ADD COLUMN holder TEXT,
    ADD COLUMN until TIMESTAMPTZ,
    ADD COLUMN done BOOLEAN NOT NULL DEFAULT true;
CREATE INDEX updates_handled_at ON updates_handled (handled_at);
CREATE INDEX updates_pending ON updates_handled (chat, update_id) WHERE NOT done;
"#,
    },
    Migration {
        version: 3,
        name: "what each update sent, so a replica taking an update over sends the rest only",
        sql: r#"
CREATE TABLE update_sends (
    update_id BIGINT NOT NULL REFERENCES updates_handled (update_id) ON DELETE CASCADE,
    seq INT NOT NULL,
    what TEXT NOT NULL,
    response JSONB NOT NULL,
    PRIMARY KEY (update_id, seq)
);
"#,
    },
];

/// The newest version this lendesk knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_run_from_one_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i32 + 1, "{}", m.name);
        }
        assert_eq!(latest(), MIGRATIONS.len() as i32);
    }
}
