//! What every table's module shares: statements prepared once per connection and run with
//! failures reported as [`StoreError::Postgres`], records turned into the redacted JSON the
//! tables hold and back (an unreadable one is [`StoreError::Corrupt`]), and lendesk's unsigned
//! numbers as `BIGINT` columns. No SQL of a particular table lives here.

use std::fmt::Display;

use deadpool_postgres::{GenericClient, Transaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, ToSql};

use super::{PgStore, failed};
use crate::store::{StoreError, redact};

/// A statement's parameters.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The rows `sql` returns.
pub(super) async fn query(
    client: &impl GenericClient,
    what: &str,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<Row>, StoreError> {
    let statement = client
        .prepare_cached(sql)
        .await
        .map_err(|e| failed(what, e))?;
    client
        .query(&statement, params)
        .await
        .map_err(|e| failed(what, e))
}

/// The row `sql` returns, if any (more than one is a failure).
pub(super) async fn query_opt(
    client: &impl GenericClient,
    what: &str,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<Row>, StoreError> {
    let statement = client
        .prepare_cached(sql)
        .await
        .map_err(|e| failed(what, e))?;
    client
        .query_opt(&statement, params)
        .await
        .map_err(|e| failed(what, e))
}

/// Runs `sql`; how many rows it changed.
pub(super) async fn execute(
    client: &impl GenericClient,
    what: &str,
    sql: &str,
    params: Params<'_>,
) -> Result<u64, StoreError> {
    let statement = client
        .prepare_cached(sql)
        .await
        .map_err(|e| failed(what, e))?;
    client
        .execute(&statement, params)
        .await
        .map_err(|e| failed(what, e))
}

/// Starts a transaction on `client` (dropped without [`commit`], it rolls back).
pub(super) async fn begin<'a>(
    client: &'a mut deadpool_postgres::Client,
    what: &str,
) -> Result<Transaction<'a>, StoreError> {
    client.transaction().await.map_err(|e| failed(what, e))
}

/// Commits a transaction.
pub(super) async fn commit(tx: Transaction<'_>, what: &str) -> Result<(), StoreError> {
    tx.commit().await.map_err(|e| failed(what, e))
}

/// Column `index` of a row as `T` (a column of another type is [`StoreError::Corrupt`]).
pub(super) fn column<'a, T: FromSql<'a>>(
    table: &'static str,
    key: impl Display,
    row: &'a Row,
    index: usize,
) -> Result<T, StoreError> {
    row.try_get(index).map_err(|e| StoreError::Corrupt {
        tree: table,
        key: key.to_string(),
        message: e.to_string(),
    })
}

/// The record of a row that selected `record::text, <key>::text AS key`: the record's JSON,
/// then its key in words for a [`StoreError::Corrupt`]. The alias matters: an `ORDER BY id`
/// next to an output column named `id` would sort the text.
pub(super) fn record<T: DeserializeOwned>(table: &'static str, row: &Row) -> Result<T, StoreError> {
    let key: &str = row.try_get(1).unwrap_or("?");
    let corrupt = |message: String| StoreError::Corrupt {
        tree: table,
        key: key.to_string(),
        message,
    };
    let json: &str = row.try_get(0).map_err(|e| corrupt(e.to_string()))?;
    serde_json::from_str(json).map_err(|e| corrupt(e.to_string()))
}

/// The records of rows that selected `record::text, <key>::text AS key`, in their order.
pub(super) fn records<T: DeserializeOwned>(
    table: &'static str,
    rows: &[Row],
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(|row| record(table, row)).collect()
}

/// A record as the text of the redacted JSON its table holds (bound as `$n::text::jsonb`):
/// exactly what sled stores, so a secret never reaches the server.
pub(super) fn encode<T: Serialize>(
    table: &'static str,
    key: impl Display,
    value: &T,
) -> Result<String, StoreError> {
    let key = key.to_string();
    let bytes = redact::encode(table, key.as_bytes(), value)?;
    String::from_utf8(bytes).map_err(|e| StoreError::Corrupt {
        tree: table,
        key,
        message: e.to_string(),
    })
}

/// An unsigned number (an id, unix seconds, a block) as the `BIGINT` column it is written to.
/// lendesk's numbers stay far below 2^63; one at or above `i64::MAX` is refused, which keeps
/// [`bound`] exact.
pub(super) fn bigint(what: &str, n: u64) -> Result<i64, StoreError> {
    i64::try_from(n)
        .ok()
        .filter(|&n| n < i64::MAX)
        .ok_or_else(|| failed(what, format!("{n} is beyond a BIGINT column")))
}

/// An unsigned number as a bound on such a column (in a lookup or a range): one beyond
/// `BIGINT` is beyond every number written.
pub(super) fn bound(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A `BIGINT` column read back as the unsigned number written to it.
pub(super) fn unsigned(table: &'static str, key: impl Display, n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|e| StoreError::Corrupt {
        tree: table,
        key: key.to_string(),
        message: e.to_string(),
    })
}

/// A count of rows as the `usize` the store reports.
pub(super) fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl PgStore {
    /// The record `sql` selects (`record::text, <key>::text AS key`), if any.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Option<T>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(&client, &format!("reading {table}"), sql, params).await?;
        row.map(|row| record(table, &row)).transpose()
    }

    /// The records `sql` selects (`record::text, <key>::text AS key`), in its order.
    pub(super) async fn list<T: DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Vec<T>, StoreError> {
        let client = self.client().await?;
        let rows = query(&client, &format!("reading {table}"), sql, params).await?;
        records(table, &rows)
    }

    /// Runs one statement (it commits on its own); how many rows it changed.
    pub(super) async fn run(
        &self,
        what: &str,
        sql: &str,
        params: Params<'_>,
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        execute(&client, what, sql, params).await
    }
}
