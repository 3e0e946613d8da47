//! The PostgreSQL backend (issue 12): a connection pool to a PostgreSQL server, the versioned
//! schema applied at start-up ([`migrations`]), leases on background work shared by replicas
//! (`leases`), and the records, method for method as sled's [`Store`](super::Store) keeps them
//! (`users`, `chat`, `staff`, `events`, `alerts`, `privacy`; shared helpers in `rows`,
//! numbering in `numbers`), and the bulk writes of `lendesk store migrate` (`import`). Records
//! are stored as the same redacted JSON (JSONB) and listed in sled's key order: signed ids as
//! big-endian bytes (`ORDER BY id < 0, id`), text bytewise (`COLLATE "C"` columns). Every
//! statement commits when it returns, so nothing needs a flush.
//!
//! The client is `tokio-postgres` with `deadpool-postgres`: async on the runtime the bot
//! already runs, queries checked at run time against the migrated schema (no database needed
//! to build, unlike `sqlx`'s compile-time checks), pipelining, and a small pool whose
//! connections are recycled after a failure.

mod alerts;
mod chat;
mod events;
pub(super) mod import;
mod leases;
pub mod migrations;
mod numbers;
mod privacy;
mod rows;
mod staff;
mod updates;
mod users;

pub use updates::{Claim, Lock, SentReply};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::StoreError;

/// Connections kept per process.
const POOL_SIZE: usize = 8;

/// Chats handled at once per process: each holds its chat's lock on a connection of its own
/// (a pool apart, so held locks never starve the queries of the updates holding them).
const LOCK_POOL_SIZE: usize = 16;

/// A PostgreSQL database with lendesk's schema.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Connections that hold a chat's advisory lock while one of its updates is handled.
    locks: Pool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

/// A PostgreSQL failure as the store reports it: what was being done, and the server's words
/// (never the URL, which may carry a password).
pub(super) fn failed(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Postgres {
        what: what.to_string(),
        message: e.to_string(),
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| failed("reading the store URL", e))?;
        let pool = |size: usize| {
            let manager = Manager::from_config(
                config.clone(),
                NoTls,
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            );
            Pool::builder(manager)
                .max_size(size)
                .build()
                .map_err(|e| failed("building the connection pool", e))
        };
        let store = Self {
            pool: pool(POOL_SIZE)?,
            locks: pool(LOCK_POOL_SIZE)?,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// A connection from the pool.
    pub async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| failed("connecting to PostgreSQL", e))
    }

    /// The schema versions applied, in order.
    pub async fn applied(&self) -> Result<Vec<i32>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT version FROM lendesk_migrations ORDER BY version",
                &[],
            )
            .await
            .map_err(|e| failed("reading the schema version", e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Applies every migration not yet applied, each in one transaction with its record, all
    /// under one advisory lock (replicas starting together apply each once). A database with
    /// a version newer than this lendesk knows is refused.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| failed("starting the migration", e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&migrations::LOCK])
            .await
            .map_err(|e| failed("taking the migration lock", e))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS lendesk_migrations (
                 version INTEGER PRIMARY KEY,
                 name TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(|e| failed("creating the migrations table", e))?;
        let newest: Option<i32> = tx
            .query_one("SELECT max(version) FROM lendesk_migrations", &[])
            .await
            .map_err(|e| failed("reading the schema version", e))?
            .get(0);
        let newest = newest.unwrap_or(0);
        if newest > migrations::latest() {
            return Err(StoreError::NewerDatabase {
                found: newest,
                known: migrations::latest(),
            });
        }
        for m in migrations::MIGRATIONS.iter().filter(|m| m.version > newest) {
            tx.batch_execute(m.sql).await.map_err(|e| {
                failed(&format!("applying migration {} ({})", m.version, m.name), e)
            })?;
            tx.execute(
                "INSERT INTO lendesk_migrations (version, name) VALUES ($1, $2)",
                &[&m.version, &m.name],
            )
            .await
            .map_err(|e| failed("recording a migration", e))?;
            tracing::info!(
                version = m.version,
                name = m.name,
                "store migration applied"
            );
        }
        tx.commit()
            .await
            .map_err(|e| failed("committing the migrations", e))
    }
}
