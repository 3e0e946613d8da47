//! Telegram updates across replicas: each update claimed by one replica before it is handled
//! and marked done after (`updates_handled`), so an update Telegram delivers twice (a retry
//! after a timeout, to another replica behind the load balancer) is handled once; and a lock
//! per chat (a session advisory lock on a connection of its own), so one chat's updates are
//! handled one at a time whichever replicas receive them. A replica that dies mid-update
//! loses its connection, so its chat lock goes at once, and its claim lapses after its time to
//! live: the retry Telegram makes is then handled by another replica (at least once).

use std::time::Duration;

use super::rows::{execute, query_opt};
use super::{PgStore, failed};
use crate::store::StoreError;

/// Who handles an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This replica: handle it, then [`PgStore::finish_update`].
    Mine,
    /// Handled already: answer Telegram, do nothing.
    Done,
    /// Another replica is handling it now: wait and ask again.
    Busy,
}

/// The lock of one chat, held until [`ChatLock::release`]. Dropped unreleased (a handler that
/// panicked), its connection is closed rather than returned to the pool, which frees the lock.
pub struct ChatLock {
    client: Option<deadpool_postgres::Object>,
    key: i64,
}

impl std::fmt::Debug for ChatLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatLock").field("key", &self.key).finish()
    }
}

/// Advisory lock keys of chats, apart from the migration lock's.
const CHAT_LOCK_SPACE: i32 = 0x6368_6174; // "chat"

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
             RETURNING update_id",
            &[&id, &holder, &ms, &chat],
        )
        .await?;
        if mine.is_some() {
            return Ok(Claim::Mine);
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
    pub async fn lock_chat(&self, chat: i64) -> Result<ChatLock, StoreError> {
        const WHAT: &str = "locking a chat";
        let client = self
            .locks
            .get()
            .await
            .map_err(|e| failed("connecting to PostgreSQL", e))?;
        // Two int4 keys: lendesk's space, and the chat folded to 32 bits (two chats may share
        // a lock; they then take turns, nothing worse).
        let key = (chat ^ (chat >> 32)) as i32;
        client
            .execute("SELECT pg_advisory_lock($1, $2)", &[&CHAT_LOCK_SPACE, &key])
            .await
            .map_err(|e| failed(WHAT, e))?;
        Ok(ChatLock {
            client: Some(client),
            key: i64::from(key),
        })
    }
}

impl ChatLock {
    /// Lets the chat's next update go.
    pub async fn release(mut self) -> Result<(), StoreError> {
        let key = self.key as i32;
        let Some(client) = self.client.take() else {
            return Ok(());
        };
        let unlocked = client
            .execute(
                "SELECT pg_advisory_unlock($1, $2)",
                &[&CHAT_LOCK_SPACE, &key],
            )
            .await;
        if let Err(e) = unlocked {
            // The lock may still be held: the connection must not go back to the pool.
            drop(deadpool_postgres::Object::take(client));
            return Err(failed("unlocking a chat", e));
        }
        Ok(())
    }
}

impl Drop for ChatLock {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            drop(deadpool_postgres::Object::take(client));
        }
    }
}
