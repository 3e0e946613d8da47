//! Users, their saved conversations and their tickets (sled's `users`, `history`, `tickets`
//! and `tickets_by_user`), and the ticket numbers. A ticket's `user_id` column is the user it
//! was saved under, as sled's index entry: a change of the record's user leaves it, and
//! forgetting the user clears it.

use super::PgStore;
use super::numbers::{self, TICKET_SEQ};
use super::rows::{begin, bigint, bound, commit, encode, execute, query_opt, record};
use crate::store::{HISTORY_LIMIT, HistoryEntry, StoreError, TicketRecord, UserRecord};

const USERS: &str = "users";
const HISTORY: &str = "history";
const TICKETS: &str = "tickets";

impl PgStore {
    /// A user's record, if the user was seen before.
    pub async fn user(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        self.get(
            USERS,
            "SELECT record::text, id::text AS key FROM users WHERE id = $1",
            &[&id],
        )
        .await
    }

    /// Saves a user's record. Every statement commits, so `durable` changes nothing here.
    pub async fn save_user(&self, user: &UserRecord, _durable: bool) -> Result<(), StoreError> {
        let record = encode(USERS, user.id, user)?;
        self.run(
            "saving a user",
            "INSERT INTO users (id, record) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record",
            &[&user.id, &record],
        )
        .await?;
        Ok(())
    }

    /// Saves the recent conversation of a user (its last [`HISTORY_LIMIT`] lines), replacing
    /// the previous one.
    pub async fn save_history(&self, user: i64, lines: &[HistoryEntry]) -> Result<(), StoreError> {
        let start = lines.len().saturating_sub(HISTORY_LIMIT);
        let kept = lines.get(start..).unwrap_or_default();
        let record = encode(HISTORY, user, &kept)?;
        self.run(
            "saving a conversation",
            "INSERT INTO history (user_id, lines) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (user_id) DO UPDATE SET lines = EXCLUDED.lines",
            &[&user, &record],
        )
        .await?;
        Ok(())
    }

    /// The saved conversation of a user, oldest first (empty when none was saved).
    pub async fn history(&self, user: i64) -> Result<Vec<HistoryEntry>, StoreError> {
        let lines = self
            .get(
                HISTORY,
                "SELECT lines::text, user_id::text AS key FROM history WHERE user_id = $1",
                &[&user],
            )
            .await?;
        Ok(lines.unwrap_or_default())
    }

    /// Every user, in sled's key order (ids as big-endian bytes: negative ids last).
    pub async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.list(
            USERS,
            "SELECT record::text, id::text AS key FROM users ORDER BY id < 0, id",
            &[],
        )
        .await
    }

    /// A new, never reused ticket number (1, 2, 3… per database).
    pub async fn next_ticket_id(&self) -> Result<u64, StoreError> {
        numbers::next(&self.client().await?, TICKET_SEQ).await
    }

    /// A ticket by number.
    pub async fn ticket(&self, id: u64) -> Result<Option<TicketRecord>, StoreError> {
        self.get(
            TICKETS,
            "SELECT record::text, id::text AS key FROM tickets WHERE id = $1",
            &[&bound(id)],
        )
        .await
    }

    /// Saves a ticket under its user, in one statement.
    pub async fn save_ticket(&self, ticket: &TicketRecord) -> Result<(), StoreError> {
        let id = bigint("saving a ticket", ticket.id)?;
        let record = encode(TICKETS, ticket.id, ticket)?;
        self.run(
            "saving a ticket",
            "INSERT INTO tickets (id, user_id, record) VALUES ($1, $2, $3::text::jsonb)
             ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, record = EXCLUDED.record",
            &[&id, &ticket.user, &record],
        )
        .await?;
        Ok(())
    }

    /// Changes a ticket atomically: the row is locked (`FOR UPDATE`) while `change` edits it,
    /// so two changes at once (a rating from the user, a reopen by staff) are applied one after
    /// the other and neither is lost; `change` runs once. `Ok(None)`: no such ticket. An error
    /// from `change` writes nothing.
    pub async fn update_ticket<E: From<StoreError>>(
        &self,
        id: u64,
        mut change: impl FnMut(&mut TicketRecord) -> Result<(), E>,
    ) -> Result<Option<TicketRecord>, E> {
        const WHAT: &str = "changing a ticket";
        let mut client = self.client().await?;
        let tx = begin(&mut client, WHAT).await?;
        let row = query_opt(
            &tx,
            WHAT,
            "SELECT record::text, id::text AS key FROM tickets WHERE id = $1 FOR UPDATE",
            &[&bound(id)],
        )
        .await?;
        // Returning drops the transaction, which rolls it back.
        let Some(row) = row else { return Ok(None) };
        let mut ticket: TicketRecord = record(TICKETS, &row)?;
        change(&mut ticket)?;
        let changed = encode(TICKETS, id, &ticket)?;
        execute(
            &tx,
            WHAT,
            "UPDATE tickets SET record = $2::text::jsonb WHERE id = $1",
            &[&bound(id), &changed],
        )
        .await?;
        commit(tx, WHAT).await?;
        Ok(Some(ticket))
    }

    /// A user's tickets, oldest first.
    pub async fn tickets_of(&self, user: i64) -> Result<Vec<TicketRecord>, StoreError> {
        self.list(
            TICKETS,
            "SELECT record::text, id::text AS key FROM tickets WHERE user_id = $1 ORDER BY id",
            &[&user],
        )
        .await
    }

    /// Every ticket, oldest first.
    pub async fn tickets(&self) -> Result<Vec<TicketRecord>, StoreError> {
        self.list(
            TICKETS,
            "SELECT record::text, id::text AS key FROM tickets ORDER BY id",
            &[],
        )
        .await
    }

    /// Nothing to do: every statement has committed when it returns.
    pub async fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
