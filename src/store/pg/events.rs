//! Statistics events (sled's `events` and `events_by_user`): a batch collapsed as sled collapses
//! it, then written in one statement; read by time, or by the user they name. Rows are ordered
//! by time, then by `id`, the order of writing (sled's generated id after the time).

use super::PgStore;
use super::rows::{bigint, bound, count, encode};
use crate::store::{MessageEvent, StoreError};

const EVENTS: &str = "events";

/// One collapsed record: its time, the user it names (`None`: nobody) and its JSON.
struct EventRow {
    at: i64,
    user: Option<i64>,
    record: String,
}

impl PgStore {
    /// Records an answered message.
    pub async fn record_event(&self, event: &MessageEvent) -> Result<(), StoreError> {
        self.record_events(std::slice::from_ref(event)).await
    }

    /// Records answered messages in one statement, collapsed as on sled (`collapse_events`).
    pub async fn record_events(&self, events: &[MessageEvent]) -> Result<(), StoreError> {
        let rows = crate::store::staff_records::collapse_events(events)
            .iter()
            .map(event_row)
            .collect::<Result<Vec<_>, _>>()?;
        if rows.is_empty() {
            return Ok(());
        }
        let at: Vec<i64> = rows.iter().map(|r| r.at).collect();
        let user: Vec<Option<i64>> = rows.iter().map(|r| r.user).collect();
        let record: Vec<&str> = rows.iter().map(|r| r.record.as_str()).collect();
        self.run(
            "recording statistics events",
            "INSERT INTO events (at, user_id, record)
             SELECT e.at, e.user_id, e.record::jsonb
             FROM unnest($1::bigint[], $2::bigint[], $3::text[])
                  WITH ORDINALITY AS e(at, user_id, record, n)
             ORDER BY e.n",
            &[&at, &user, &record],
        )
        .await?;
        Ok(())
    }

    /// Events at or after `since` (unix seconds), oldest first.
    pub async fn events_since(&self, since: u64) -> Result<Vec<MessageEvent>, StoreError> {
        self.list(
            EVENTS,
            "SELECT record::text, id::text AS key FROM events WHERE at >= $1 ORDER BY at, id",
            &[&bound(since)],
        )
        .await
    }

    /// Drops events older than `before` (unix seconds); returns how many.
    pub async fn prune_events(&self, before: u64) -> Result<usize, StoreError> {
        let removed = self
            .run(
                "pruning statistics events",
                "DELETE FROM events WHERE at < $1",
                &[&bound(before)],
            )
            .await?;
        Ok(count(removed))
    }

    /// Statistics events that name `user` (collapsed records name nobody), oldest first.
    pub async fn events_of(&self, user: i64) -> Result<Vec<MessageEvent>, StoreError> {
        self.list(
            EVENTS,
            "SELECT record::text, id::text AS key FROM events WHERE user_id = $1 ORDER BY at, id",
            &[&user],
        )
        .await
    }
}

/// A collapsed record as the row written: user 0 names nobody.
fn event_row(event: &MessageEvent) -> Result<EventRow, StoreError> {
    Ok(EventRow {
        at: bigint("recording statistics events", event.at)?,
        user: (event.user != 0).then_some(event.user),
        record: encode(EVENTS, event.at, event)?,
    })
}
