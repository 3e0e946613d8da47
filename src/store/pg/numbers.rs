//! The counters behind ticket, audit, broadcast and outbox numbers (sled's counters in `meta`):
//! 1, 2, 3… per database, never reused. One statement takes numbers under the counter's row
//! lock, so replicas taking them together never get the same one.

use deadpool_postgres::GenericClient;

use super::failed;
use super::rows::{bigint, column, query_opt, unsigned};
use crate::store::StoreError;

const COUNTERS: &str = "counters";

/// Ticket numbers.
pub(super) const TICKET_SEQ: &str = "ticket_seq";
/// Audit line numbers.
pub(super) const AUDIT_SEQ: &str = "audit_seq";
/// Broadcast numbers.
pub(super) const BROADCAST_SEQ: &str = "broadcast_seq";
/// Outbox entries' order of writing.
pub(super) const ALERT_SEQ: &str = "alert_seq";

/// Takes the next `n` numbers (at least one) of counter `name`; returns the last of them, the
/// first being `last - n + 1`. Inside a transaction the counter stays locked until it ends.
pub(super) async fn take(
    client: &impl GenericClient,
    name: &str,
    n: u64,
) -> Result<u64, StoreError> {
    let what = format!("taking a number of {name}");
    let n = bigint(&what, n.max(1))?;
    let row = query_opt(
        client,
        &what,
        "INSERT INTO counters (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + EXCLUDED.value
         RETURNING value",
        &[&name, &n],
    )
    .await?
    .ok_or_else(|| failed(&what, "the counter returned no row"))?;
    unsigned(COUNTERS, name, column(COUNTERS, name, &row, 0)?)
}

/// The next number of counter `name`.
pub(super) async fn next(client: &impl GenericClient, name: &str) -> Result<u64, StoreError> {
    take(client, name, 1).await
}
