//! The PostgreSQL schema, versioned: each migration is SQL applied once, in order, in one
//! transaction that also records it in `lendesk_migrations`. A transaction-scoped advisory lock
//! makes replicas that start together apply them once; a database that knows a newer version
//! than this lendesk is refused (as sled's newer schema is).
//!
//! Version 1 maps sled's trees one to one: a table per tree, the keys as typed columns (so
//! reports can be written in SQL), the record itself as the same JSON sled stores (already
//! through secret redaction). sled's secondary indexes (`tickets_by_user`, `thread_index`,
//! `events_by_user`) become indexes; its counters in `meta` a `counters` table. Two tables are
//! new, for replicas: the Telegram updates handled, and leases on background work.

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
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "sled's trees as tables; updates handled; leases",
    sql: r#"
CREATE TABLE users (id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE history (user_id BIGINT PRIMARY KEY, lines JSONB NOT NULL);
CREATE TABLE tickets (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    record JSONB NOT NULL
);
CREATE INDEX tickets_by_user ON tickets (user_id, id);
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value JSONB NOT NULL);
CREATE TABLE threads (
    ticket_id BIGINT PRIMARY KEY,
    chat BIGINT NOT NULL,
    thread INTEGER NOT NULL,
    record JSONB NOT NULL
);
CREATE UNIQUE INDEX thread_index ON threads (chat, thread);
CREATE TABLE relay (
    side CHAR(1) NOT NULL,
    chat BIGINT NOT NULL,
    message INTEGER NOT NULL,
    record JSONB NOT NULL,
    PRIMARY KEY (side, chat, message)
);
CREATE TABLE staff (id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE macros (name TEXT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE faq_edits (topic TEXT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE bans (user_id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE audit (seq BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE broadcasts (id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE events (
    key BYTEA PRIMARY KEY,
    user_id BIGINT NOT NULL,
    record JSONB NOT NULL
);
CREATE INDEX events_by_user ON events (user_id);
CREATE TABLE alert_settings (user_id BIGINT PRIMARY KEY, record JSONB NOT NULL);
CREATE TABLE alert_marks (
    user_id BIGINT NOT NULL,
    market TEXT NOT NULL,
    address BYTEA NOT NULL,
    record JSONB NOT NULL,
    PRIMARY KEY (user_id, market, address)
);
CREATE TABLE alert_outbox (key TEXT PRIMARY KEY, seq BIGINT NOT NULL, record JSONB NOT NULL);
CREATE TABLE alerts_sent (key TEXT PRIMARY KEY, at BIGINT NOT NULL, record JSONB NOT NULL);
CREATE INDEX alerts_sent_at ON alerts_sent (at);
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
}];

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
