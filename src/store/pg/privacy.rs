//! `/forget` on PostgreSQL: every record kept under a user deleted in one transaction, their
//! tickets kept for staff without their id (as sled's `Store::forget_user`).

use deadpool_postgres::Transaction;

use super::PgStore;
use super::rows::{Params, begin, column, commit, count, execute, query, query_opt, unsigned};
use crate::store::{ANONYMOUS, ForgetSummary, StoreError};

const WHAT: &str = "forgetting a user";
const TICKETS: &str = "tickets";

impl PgStore {
    /// Deletes everything kept under `user`: the user record, the saved conversation, their
    /// statistics events, relay entries and alert records; their tickets stay for staff with
    /// the user id replaced by [`ANONYMOUS`]. One transaction. Bans are staff's record and stay.
    pub async fn forget_user(&self, user: i64) -> Result<ForgetSummary, StoreError> {
        let mut client = self.client().await?;
        let tx = begin(&mut client, WHAT).await?;
        let by_user: Params = &[&user];
        let (users, _, tickets, events, relays, alerts) = futures::try_join!(
            execute(&tx, WHAT, "DELETE FROM users WHERE id = $1", by_user),
            execute(&tx, WHAT, "DELETE FROM history WHERE user_id = $1", by_user),
            anonymise_tickets(&tx, user),
            execute(&tx, WHAT, "DELETE FROM events WHERE user_id = $1", by_user),
            execute(&tx, WHAT, "DELETE FROM relay WHERE user_chat = $1", by_user),
            forget_alerts(&tx, user),
        )?;
        commit(tx, WHAT).await?;
        Ok(ForgetSummary {
            user: users > 0,
            tickets,
            events: count(events),
            // Both ends of a relayed message count as one.
            relays: count(relays) / 2,
            alerts,
        })
    }
}

/// Detaches the user's tickets from them: the record says [`ANONYMOUS`], and the ticket is no
/// longer listed under the user. Their numbers, in order.
async fn anonymise_tickets(tx: &Transaction<'_>, user: i64) -> Result<Vec<u64>, StoreError> {
    let rows = query(
        tx,
        WHAT,
        "UPDATE tickets SET user_id = NULL, record = jsonb_set(record, '{user}', to_jsonb($2::bigint))
         WHERE user_id = $1
         RETURNING id",
        &[&user, &ANONYMOUS],
    )
    .await?;
    let mut ids = rows
        .iter()
        .map(|row| unsigned(TICKETS, user, column(TICKETS, user, row, 0)?))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// Deletes the user's alert settings, alert states, unsent and sent alerts; how many records.
async fn forget_alerts(tx: &Transaction<'_>, user: i64) -> Result<usize, StoreError> {
    let row = query_opt(
        tx,
        WHAT,
        "WITH settings AS (DELETE FROM alert_settings WHERE user_id = $1 RETURNING 1),
              marks AS (DELETE FROM alert_marks WHERE user_id = $1 RETURNING 1),
              outbox AS (DELETE FROM alert_outbox WHERE user_id = $1 RETURNING 1),
              sent AS (DELETE FROM alerts_sent WHERE user_id = $1 RETURNING 1)
         SELECT (SELECT count(*) FROM settings) + (SELECT count(*) FROM marks)
              + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM sent)",
        &[&user],
    )
    .await?;
    let removed: i64 = match row {
        Some(row) => column("alerts", user, &row, 0)?,
        None => 0,
    };
    Ok(count(u64::try_from(removed).unwrap_or_default()))
}
