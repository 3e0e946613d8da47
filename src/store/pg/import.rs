//! The PostgreSQL side of `lendesk store migrate` ([`crate::store::migrate`]): whole tables
//! written into a database that holds no lendesk record yet, in one transaction (all or
//! nothing), a chunk of rows per statement (`INSERT … SELECT … FROM unnest($1, $2, …)`, one
//! array per column), and the figures the migration is verified by, read back afterwards.
//! It knows nothing of sled: the migration hands it the rows.

use std::ops::Range;

use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

use super::rows::{begin, column, commit, execute, query};
use super::{PgStore, failed};
use crate::store::StoreError;

/// Every table lendesk keeps records in (all of its schema but `lendesk_migrations`):
/// a database with a row in any of them is not a migration's target.
pub(in crate::store) const TABLES: &[&str] = &[
    "users",
    "history",
    "tickets",
    "counters",
    "meta",
    "threads",
    "thread_index",
    "ticket_messages",
    "relay",
    "staff",
    "macros",
    "faq_edits",
    "bans",
    "audit",
    "broadcasts",
    "events",
    "alert_settings",
    "alert_marks",
    "alert_outbox",
    "alerts_sent",
    "watch_cursors",
    "updates_handled",
    "leases",
    "update_sends",
];

/// Rows per statement: one round trip writes this many.
const CHUNK: usize = 5_000;

/// How long the migration waits for another session's hold on a table (a running bot's
/// statement) before it gives up.
const LOCK_TIMEOUT: &str = "10s";

const WHAT: &str = "migrating into PostgreSQL";

/// One column of a table being written: a value per row, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::store) enum Column {
    /// `BIGINT NOT NULL`.
    Bigint(Vec<i64>),
    /// `BIGINT`, `None` written as NULL.
    NullableBigint(Vec<Option<i64>>),
    /// `INTEGER`.
    Integer(Vec<i32>),
    /// `TEXT` (or `CHAR`).
    Text(Vec<String>),
    /// `JSONB`, given as the JSON's text (the redacted bytes sled stored).
    Json(Vec<String>),
    /// `BYTEA`.
    Bytes(Vec<Vec<u8>>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Bigint(v) => v.len(),
            Column::NullableBigint(v) => v.len(),
            Column::Integer(v) => v.len(),
            Column::Text(v) | Column::Json(v) => v.len(),
            Column::Bytes(v) => v.len(),
        }
    }

    /// The SQL array type the column's values are bound as.
    fn array_type(&self) -> &'static str {
        match self {
            Column::Bigint(_) | Column::NullableBigint(_) => "bigint[]",
            Column::Integer(_) => "integer[]",
            Column::Text(_) | Column::Json(_) => "text[]",
            Column::Bytes(_) => "bytea[]",
        }
    }

    /// How the unnested value named `name` is selected into the table's column.
    fn select(&self, name: &str) -> String {
        match self {
            Column::Json(_) => format!("r.{name}::jsonb"),
            _ => format!("r.{name}"),
        }
    }

    /// The values of rows `range`, as one array parameter.
    fn slice(&self, range: Range<usize>) -> Box<dyn ToSql + Sync + '_> {
        match self {
            Column::Bigint(v) => Box::new(&v[range]),
            Column::NullableBigint(v) => Box::new(&v[range]),
            Column::Integer(v) => Box::new(&v[range]),
            Column::Text(v) | Column::Json(v) => Box::new(&v[range]),
            Column::Bytes(v) => Box::new(&v[range]),
        }
    }
}

/// One table's rows, column by column (every column holds a value per row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::store) struct ImportTable {
    /// The table.
    pub name: &'static str,
    /// Its columns written, by name.
    pub columns: Vec<(&'static str, Column)>,
}

impl ImportTable {
    /// Rows to write.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    /// The statement writing a chunk of rows, in the order given (`events` take their ids,
    /// their order of writing, in that order).
    fn insert_sql(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(name, _)| *name).collect();
        let arrays: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, c))| format!("${}::{}", i + 1, c.array_type()))
            .collect();
        let selected: Vec<String> = self.columns.iter().map(|(n, c)| c.select(n)).collect();
        format!(
            "INSERT INTO {table} ({names}) SELECT {selected}
             FROM unnest({arrays}) WITH ORDINALITY AS r({names}, n) ORDER BY r.n",
            table = self.name,
            names = names.join(", "),
            selected = selected.join(", "),
            arrays = arrays.join(", "),
        )
    }
}

impl PgStore {
    /// Writes `tables` in one transaction: every lendesk table locked against writers, the
    /// database refused ([`StoreError::TargetNotEmpty`]) if any of them holds a row, then the
    /// rows written a chunk per statement. Nothing is written unless all of it is.
    pub(in crate::store) async fn import(&self, tables: &[ImportTable]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = begin(&mut client, WHAT).await?;
        lock_tables(&tx).await?;
        refuse_records(&tx).await?;
        for table in tables {
            insert(&tx, table).await?;
        }
        commit(tx, WHAT).await
    }

    /// The one number `sql` selects (a count, a sum, a counter), as a `BIGINT`.
    pub(in crate::store) async fn figure(&self, sql: &str) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let rows = query(&client, "reading back the migration's figures", sql, &[]).await?;
        let row = rows
            .first()
            .ok_or_else(|| failed("reading back the migration's figures", "no row"))?;
        let n: i64 = column("counts", sql, row, 0)?;
        u64::try_from(n).map_err(|e| failed("reading back the migration's figures", e))
    }
}

/// Locks every lendesk table against writers (readers go on) until the transaction ends, so
/// nothing is written between the check that they are empty and the commit.
async fn lock_tables(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.batch_execute(&format!(
        "SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';
         LOCK TABLE {} IN EXCLUSIVE MODE",
        TABLES.join(", ")
    ))
    .await
    .map_err(|e| failed("locking the target's tables", e))
}

/// Refuses a database with a row in any lendesk table: a migration never merges.
async fn refuse_records(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let held: Vec<String> = TABLES
        .iter()
        .map(|t| format!("('{t}', EXISTS (SELECT 1 FROM {t}))"))
        .collect();
    let sql = format!(
        "SELECT t.name FROM (VALUES {}) AS t(name, held) WHERE t.held",
        held.join(", ")
    );
    let rows = query(tx, "checking that the target is empty", &sql, &[]).await?;
    let tables = rows
        .iter()
        .map(|row| column::<String>("target", "name", row, 0))
        .collect::<Result<Vec<_>, _>>()?;
    if tables.is_empty() {
        return Ok(());
    }
    Err(StoreError::TargetNotEmpty { tables })
}

/// Writes a table's rows, [`CHUNK`] per statement.
async fn insert(tx: &Transaction<'_>, table: &ImportTable) -> Result<(), StoreError> {
    let what = format!("writing {}", table.name);
    let sql = table.insert_sql();
    let rows = table.len();
    for start in (0..rows).step_by(CHUNK) {
        let range = start..(start + CHUNK).min(rows);
        let arrays: Vec<_> = table
            .columns
            .iter()
            .map(|(_, c)| c.slice(range.clone()))
            .collect();
        let params: Vec<&(dyn ToSql + Sync)> = arrays.iter().map(|a| a.as_ref()).collect();
        execute(tx, &what, &sql, &params).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_refused_when_not_empty_are_every_table_of_the_schema() {
        let created: Vec<&str> = super::super::migrations::MIGRATIONS
            .iter()
            .flat_map(|m| m.sql.split("CREATE TABLE ").skip(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .filter(|name| *name != "lendesk_migrations")
            .collect();
        assert_eq!(created, TABLES);
    }

    #[test]
    fn a_chunk_is_written_in_the_order_given_with_json_cast() {
        let table = ImportTable {
            name: "users",
            columns: vec![
                ("id", Column::Bigint(vec![1, 2])),
                ("record", Column::Json(vec!["{}".into(), "{}".into()])),
            ],
        };
        assert_eq!(table.len(), 2);
        let sql = table.insert_sql();
        assert!(sql.contains("SELECT r.id, r.record::jsonb"), "{sql}");
        assert!(
            sql.contains(
                "unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS r(id, record, n) ORDER BY r.n"
            ),
            "{sql}"
        );
    }
}
