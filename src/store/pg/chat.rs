//! Where tickets live in the staff chat (sled's `threads` and `thread_index`) and the relay's
//! message map (`relay`): each relayed message under both its ends, side `u` (the user's
//! chat) and side `s` (the staff chat).

use super::PgStore;
use super::rows::{bigint, bound, column, encode, query_opt, unsigned};
use crate::store::{RelayedMessage, StoreError, TicketThread};

const THREADS: &str = "threads";
const THREAD_INDEX: &str = "thread_index";
const RELAY: &str = "relay";

impl PgStore {
    /// Records where a ticket is discussed, and its forum topic's ticket, in one statement.
    pub async fn save_thread(&self, thread: &TicketThread) -> Result<(), StoreError> {
        let ticket = bigint("saving a ticket's thread", thread.ticket)?;
        let record = encode(THREADS, thread.ticket, thread)?;
        self.run(
            "saving a ticket's thread",
            "WITH indexed AS (
                 INSERT INTO thread_index (chat, thread, ticket_id)
                 SELECT $2::bigint, $3::integer, $1::bigint WHERE $3::integer IS NOT NULL
                 ON CONFLICT (chat, thread) DO UPDATE SET ticket_id = EXCLUDED.ticket_id
             )
             INSERT INTO threads (ticket_id, record) VALUES ($1, $4::text::jsonb)
             ON CONFLICT (ticket_id) DO UPDATE SET record = EXCLUDED.record",
            &[&ticket, &thread.chat, &thread.thread, &record],
        )
        .await?;
        Ok(())
    }

    /// Where a ticket is discussed, if it was posted to staff.
    pub async fn thread_of(&self, ticket: u64) -> Result<Option<TicketThread>, StoreError> {
        self.get(
            THREADS,
            "SELECT record::text, ticket_id::text AS key FROM threads WHERE ticket_id = $1",
            &[&bound(ticket)],
        )
        .await
    }

    /// The ticket a forum topic belongs to.
    pub async fn ticket_in_thread(
        &self,
        chat: i64,
        thread: i32,
    ) -> Result<Option<u64>, StoreError> {
        self.ticket_number(
            "SELECT ticket_id FROM thread_index WHERE chat = $1 AND thread = $2",
            chat,
            thread,
        )
        .await
    }

    /// Marks a staff chat message as belonging to a ticket (the user card, notices).
    pub async fn save_ticket_message(
        &self,
        chat: i64,
        message: i32,
        ticket: u64,
    ) -> Result<(), StoreError> {
        let ticket = bigint("marking a ticket's message", ticket)?;
        self.run(
            "marking a ticket's message",
            "INSERT INTO ticket_messages (chat, message, ticket_id) VALUES ($1, $2, $3)
             ON CONFLICT (chat, message) DO UPDATE SET ticket_id = EXCLUDED.ticket_id",
            &[&chat, &message, &ticket],
        )
        .await?;
        Ok(())
    }

    /// The ticket a staff chat message belongs to: a marked message, else a relayed one.
    pub async fn ticket_of_staff_message(
        &self,
        chat: i64,
        message: i32,
    ) -> Result<Option<u64>, StoreError> {
        self.ticket_number(
            "SELECT COALESCE(
                 (SELECT ticket_id FROM ticket_messages WHERE chat = $1 AND message = $2),
                 (SELECT ticket_id FROM relay WHERE side = 's' AND chat = $1 AND message = $2))",
            chat,
            message,
        )
        .await
    }

    /// The ticket number `sql` selects for (chat, message or thread), if any.
    async fn ticket_number(
        &self,
        sql: &str,
        chat: i64,
        at: i32,
    ) -> Result<Option<u64>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            &format!("reading {THREAD_INDEX}"),
            sql,
            &[&chat, &at],
        )
        .await?;
        let key = format!("{chat} {at}");
        let Some(row) = row else { return Ok(None) };
        column::<Option<i64>>(THREAD_INDEX, &key, &row, 0)?
            .map(|id| unsigned(THREAD_INDEX, &key, id))
            .transpose()
    }

    /// Records a relayed message under both its ends, in one statement.
    pub async fn save_relay(&self, relay: &RelayedMessage) -> Result<(), StoreError> {
        let ticket = bigint("saving a relayed message", relay.ticket)?;
        let key = format!("{} {}", relay.staff_chat, relay.staff_message);
        let record = encode(RELAY, key, relay)?;
        self.run(
            "saving a relayed message",
            "INSERT INTO relay (side, chat, message, user_chat, ticket_id, record)
             VALUES ('u', $1, $2, $1, $5, $6::text::jsonb),
                    ('s', $3, $4, $1, $5, $6::text::jsonb)
             ON CONFLICT (side, chat, message) DO UPDATE SET
                 user_chat = EXCLUDED.user_chat,
                 ticket_id = EXCLUDED.ticket_id,
                 record = EXCLUDED.record",
            &[
                &relay.user_chat,
                &relay.user_message,
                &relay.staff_chat,
                &relay.staff_message,
                &ticket,
                &record,
            ],
        )
        .await?;
        Ok(())
    }

    /// The relay of a message in a user's chat.
    pub async fn relay_of_user_message(
        &self,
        chat: i64,
        message: i32,
    ) -> Result<Option<RelayedMessage>, StoreError> {
        self.relay_at("u", chat, message).await
    }

    /// The relay of a message in the staff chat.
    pub async fn relay_of_staff_message(
        &self,
        chat: i64,
        message: i32,
    ) -> Result<Option<RelayedMessage>, StoreError> {
        self.relay_at("s", chat, message).await
    }

    /// The relay entry of one end.
    async fn relay_at(
        &self,
        side: &str,
        chat: i64,
        message: i32,
    ) -> Result<Option<RelayedMessage>, StoreError> {
        self.get(
            RELAY,
            "SELECT record::text, concat_ws(' ', side, chat, message) AS key
             FROM relay WHERE side = $1 AND chat = $2 AND message = $3",
            &[&side, &chat, &message],
        )
        .await
    }
}
