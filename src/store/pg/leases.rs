//! Leases on background work shared by replicas (the SLA checker, the broadcast runner, a
//! shard of the alert watcher): one holder at a time, renewed while it works, taken over by
//! another replica once it lapses. Time is the server's (`now()`), so replicas' clocks never
//! disagree about who holds what.

use std::time::Duration;

use super::{PgStore, failed};
use crate::store::StoreError;

impl PgStore {
    /// Takes or renews the lease `name` for `holder` for `ttl`: true when `holder` holds it
    /// now (it was free, lapsed, or already its own), false when another holder's is running.
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let row = self
            .client()
            .await?
            .query_opt(
                "INSERT INTO leases (name, holder, until)
                 VALUES ($1, $2, now() + $3 * interval '1 millisecond')
                 ON CONFLICT (name) DO UPDATE
                     SET holder = EXCLUDED.holder, until = EXCLUDED.until
                     WHERE leases.holder = EXCLUDED.holder OR leases.until < now()
                 RETURNING holder",
                &[&name, &holder, &(ms as f64)],
            )
            .await
            .map_err(|e| failed("taking a lease", e))?;
        Ok(row.is_some())
    }

    /// Gives the lease `name` up, if `holder` holds it (another can take it at once).
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM leases WHERE name = $1 AND holder = $2",
                &[&name, &holder],
            )
            .await
            .map_err(|e| failed("releasing a lease", e))?;
        Ok(())
    }

    /// The holders of running leases whose names start with `prefix`, sorted.
    pub async fn live_holders(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        const WHAT: &str = "reading who holds leases";
        let rows = self
            .client()
            .await?
            .query(
                "SELECT holder FROM leases
                 WHERE starts_with(name, $1) AND until > now()
                 ORDER BY holder COLLATE \"C\"",
                &[&prefix],
            )
            .await
            .map_err(|e| failed(WHAT, e))?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(|e| failed(WHAT, e)))
            .collect()
    }

    /// Forgets leases that lapsed over `age` ago (those of replicas long gone, of broadcasts
    /// done); how many.
    pub async fn prune_leases(&self, age: Duration) -> Result<u64, StoreError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM leases WHERE until < now() - $1 * interval '1 second'",
                &[&age.as_secs_f64()],
            )
            .await
            .map_err(|e| failed("pruning leases", e))
    }
}
