//! Telegram updates across replicas: each update claimed by one replica before it is handled
//! and marked done after (`updates_handled`), so an update Telegram delivers twice (a retry
//! after a timeout, to another replica behind the load balancer) is handled once; and a lock
//! per chat (a session advisory lock on a connection of its own), so one chat's updates are
//! handled one at a time whichever replicas receive them (and one per ticket, so one ticket's
//! staff topic is opened once). A replica that dies mid-update
//! loses its connection, so its chat lock goes at once, and its claim lapses after its time to
//! live: the retry Telegram makes is then handled by another replica (at least once).

use std::time::Duration;

use super::rows::{execute, query, query_opt};
use super::{PgStore, failed};
use crate::store::StoreError;

/// One send made while handling an update: its place among the update's sends, the request
/// ("sendMessage"…) and Telegram's answer as JSON (its content cut: ids and shape only).
#[derive(Debug, Clone, PartialEq)]
pub struct SentReply {
    pub seq: u32,
    pub what: String,
    pub response: String,
}

/// Who handles an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This replica: handle it, then [`PgStore::finish_update`]. `resumed` when another
    /// replica (or this one, before a restart) had claimed it and did not finish: what it sent
    /// is in [`PgStore::sends_of`].
    Mine { resumed: bool },
    /// Handled already: answer Telegram, do nothing.
    Done,
    /// Another replica is handling it now: wait and ask again.
    Busy,
}

/// A lock across replicas (of a chat, of a ticket), held until [`Lock::release`]. Dropped
/// unreleased (a handler that panicked), its connection is closed rather than returned to the
/// pool, which frees the lock.
pub struct Lock {
    client: Option<deadpool_postgres::Object>,
    space: i32,
    key: i32,
}

impl std::fmt::Debug for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lock")
            .field("space", &self.space)
            .field("key", &self.key)
            .finish()
    }
}

/// Advisory lock keys of chats, apart from the migration lock's.
const CHAT_LOCK_SPACE: i32 = 0x6368_6174; // "chat"
/// Advisory lock keys of tickets.
const TICKET_LOCK_SPACE: i32 = 0x7469_636b; // "tick"

impl PgStore {
    /// Claims update `id` of `chat` for `holder` for `ttl` (or renews the holder's claim, or
    /// takes over one whose holder's time ran out).
    pub async fn claim_update(
        &self,
        id: i64,
        chat: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<Claim, StoreError> {
        const WHAT: &str = "claiming an update";
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX) as f64;
        let client = self.client().await?;
        let mine = query_opt(
            &client,
            WHAT,
            "INSERT INTO updates_handled (update_id, chat, holder, until, done)
             VALUES ($1, $4, $2, now() + $3 * interval '1 millisecond', false)
             ON CONFLICT (update_id) DO UPDATE
                 SET holder = EXCLUDED.holder, until = EXCLUDED.until
                 WHERE NOT updates_handled.done
                   AND (updates_handled.holder = EXCLUDED.holder OR updates_handled.until < now())
             RETURNING xmax <> 0",
            &[&id, &holder, &ms, &chat],
        )
        .await?;
        if let Some(row) = mine {
            // xmax is set on a row this statement updated rather than inserted.
            let resumed = row.try_get::<_, bool>(0).map_err(|e| failed(WHAT, e))?;
            return Ok(Claim::Mine { resumed });
        }
        let done = query_opt(
            &client,
            WHAT,
            "SELECT done FROM updates_handled WHERE update_id = $1",
            &[&id],
        )
        .await?
        .map(|row| row.try_get::<_, bool>(0))
        .transpose()
        .map_err(|e| failed(WHAT, e))?;
        Ok(match done {
            Some(true) => Claim::Done,
            // Gone between the two statements (pruned): ask again.
            Some(false) | None => Claim::Busy,
        })
    }

    /// Whether an older update of `chat` than `id` is claimed and not handled yet (its claim
    /// still running): `id` must wait for it, whichever replica has it.
    pub async fn older_pending(&self, chat: i64, id: i64) -> Result<bool, StoreError> {
        let row = query_opt(
            &self.client().await?,
            "looking for an older update of the chat",
            "SELECT 1 FROM updates_handled
             WHERE chat = $1 AND update_id < $2 AND NOT done AND until > now()
             LIMIT 1",
            &[&chat, &id],
        )
        .await?;
        Ok(row.is_some())
    }

    /// Marks update `id` handled (by `holder`, whose claim it must still be).
    pub async fn finish_update(&self, id: i64, holder: &str) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "marking an update handled",
            "UPDATE updates_handled SET done = true, handled_at = now(), until = NULL
             WHERE update_id = $1 AND holder = $2",
            &[&id, &holder],
        )
        .await?;
        Ok(())
    }

    /// What was sent while handling update `id`, in order (a resumed update's journal).
    pub async fn sends_of(&self, id: i64) -> Result<Vec<SentReply>, StoreError> {
        const WHAT: &str = "reading what an update sent";
        let rows = query(
            &self.client().await?,
            WHAT,
            "SELECT seq, what, response::text FROM update_sends WHERE update_id = $1 ORDER BY seq",
            &[&id],
        )
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SentReply {
                    seq: u32::try_from(row.try_get::<_, i32>(0).map_err(|e| failed(WHAT, e))?)
                        .unwrap_or(u32::MAX),
                    what: row.try_get(1).map_err(|e| failed(WHAT, e))?,
                    response: row.try_get(2).map_err(|e| failed(WHAT, e))?,
                })
            })
            .collect()
    }

    /// Records that send `seq` of update `id` was made and what Telegram answered.
    pub async fn record_send(&self, id: i64, sent: &SentReply) -> Result<(), StoreError> {
        let seq = i32::try_from(sent.seq).unwrap_or(i32::MAX);
        execute(
            &self.client().await?,
            "recording what an update sent",
            "INSERT INTO update_sends (update_id, seq, what, response) VALUES ($1, $2, $3, $4::text::jsonb)
             ON CONFLICT (update_id, seq) DO NOTHING",
            &[&id, &seq, &sent.what, &sent.response],
        )
        .await?;
        Ok(())
    }

    /// Forgets handled updates older than `age` (Telegram retries an update for a day at most).
    pub async fn prune_updates(&self, age: Duration) -> Result<u64, StoreError> {
        let secs = age.as_secs_f64();
        execute(
            &self.client().await?,
            "pruning handled updates",
            "DELETE FROM updates_handled
             WHERE done AND handled_at < now() - $1 * interval '1 second'",
            &[&secs],
        )
        .await
    }

    /// Waits for and takes the lock of `chat`.
    pub async fn lock_chat(&self, chat: i64) -> Result<Lock, StoreError> {
        self.lock(CHAT_LOCK_SPACE, chat).await
    }

    /// Waits for and takes the lock of ticket `id`.
    pub async fn lock_ticket(&self, id: u64) -> Result<Lock, StoreError> {
        self.lock(TICKET_LOCK_SPACE, id as i64).await
    }

    /// Waits for and takes the advisory lock `key` of `space`, on a connection of the lock pool.
    async fn lock(&self, space: i32, key: i64) -> Result<Lock, StoreError> {
        let client = self
            .locks
            .get()
            .await
            .map_err(|e| failed("connecting to PostgreSQL", e))?;
        // Two int4 keys: the space, and the key folded to 32 bits (two keys may share a lock;
        // they then take turns, nothing worse).
        let key = (key ^ (key >> 32)) as i32;
        client
            .execute("SELECT pg_advisory_lock($1, $2)", &[&space, &key])
            .await
            .map_err(|e| failed("taking a lock", e))?;
        Ok(Lock {
            client: Some(client),
            space,
            key,
        })
    }
}

impl Lock {
    /// Lets the next holder go.
    pub async fn release(mut self) -> Result<(), StoreError> {
        let Some(client) = self.client.take() else {
            return Ok(());
        };
        let unlocked = client
            .execute(
                "SELECT pg_advisory_unlock($1, $2)",
                &[&self.space, &self.key],
            )
            .await;
        if let Err(e) = unlocked {
            // The lock may still be held: the connection must not go back to the pool.
            drop(deadpool_postgres::Object::take(client));
            return Err(failed("releasing a lock", e));
        }
        Ok(())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            drop(deadpool_postgres::Object::take(client));
        }
    }
}
