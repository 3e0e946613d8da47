//! The liquidation-risk alerts' records (sled's `alert_settings`, `alert_marks`, `alert_outbox`,
//! `alerts_sent`, and the watch cursors in `meta`): alert states and the outbox entries they
//! produce are written in one transaction; an entry moves to the sent log in one statement.

use std::collections::HashMap;
use std::hash::Hash;

use alloy::primitives::Address;

use super::PgStore;
use super::numbers::{self, ALERT_SEQ};
use super::rows::{
    begin, bigint, bound, column, commit, encode, execute, query, query_opt, unsigned,
};
use crate::store::{AlertMark, AlertSettings, OutboxEntry, SentAlert, StoreError};

const ALERT_SETTINGS: &str = "alert_settings";
const ALERT_MARKS: &str = "alert_marks";
const ALERT_OUTBOX: &str = "alert_outbox";
const ALERTS_SENT: &str = "alerts_sent";
const WATCH_CURSORS: &str = "watch_cursors";

impl PgStore {
    /// A user's alert settings, if they ever set any.
    pub async fn alert_settings(&self, user: i64) -> Result<Option<AlertSettings>, StoreError> {
        self.get(
            ALERT_SETTINGS,
            "SELECT record::text, user_id::text AS key FROM alert_settings WHERE user_id = $1",
            &[&user],
        )
        .await
    }

    /// Saves a user's alert settings.
    pub async fn save_alert_settings(&self, settings: &AlertSettings) -> Result<(), StoreError> {
        let record = encode(ALERT_SETTINGS, settings.user, settings)?;
        self.run(
            "saving alert settings",
            "INSERT INTO alert_settings (user_id, record) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (user_id) DO UPDATE SET record = EXCLUDED.record",
            &[&settings.user, &record],
        )
        .await?;
        Ok(())
    }

    /// Every user's alert settings, in sled's key order (negative ids last).
    pub async fn all_alert_settings(&self) -> Result<Vec<AlertSettings>, StoreError> {
        self.list(
            ALERT_SETTINGS,
            "SELECT record::text, user_id::text AS key FROM alert_settings
             ORDER BY user_id < 0, user_id",
            &[],
        )
        .await
    }

    /// The alert state of (user, market, address).
    pub async fn alert_mark(
        &self,
        user: i64,
        market: &str,
        address: Address,
    ) -> Result<Option<AlertMark>, StoreError> {
        self.get(
            ALERT_MARKS,
            "SELECT record::text, concat_ws(' ', user_id, market, encode(address, 'hex')) AS key
             FROM alert_marks WHERE user_id = $1 AND market = $2 AND address = $3",
            &[&user, &market, &address.as_slice()],
        )
        .await
    }

    /// Every alert state, in sled's key order (user, market, address).
    pub async fn alert_marks(&self) -> Result<Vec<AlertMark>, StoreError> {
        self.list(
            ALERT_MARKS,
            "SELECT record::text, concat_ws(' ', user_id, market, encode(address, 'hex')) AS key
             FROM alert_marks ORDER BY user_id < 0, user_id, market, address",
            &[],
        )
        .await
    }

    /// One user's alert states, by market and address.
    pub async fn alert_marks_of(&self, user: i64) -> Result<Vec<AlertMark>, StoreError> {
        self.list(
            ALERT_MARKS,
            "SELECT record::text, concat_ws(' ', user_id, market, encode(address, 'hex')) AS key
             FROM alert_marks WHERE user_id = $1 ORDER BY market, address",
            &[&user],
        )
        .await
    }

    /// Saves alert states, and the entries to send with them, in one transaction: once this
    /// returns nothing is lost, and nothing already marked is repeated. The entries are
    /// numbered in the order given (their `seq`).
    pub async fn save_alert_marks(
        &self,
        marks: &[AlertMark],
        outbox: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        const WHAT: &str = "saving alert states";
        let mut client = self.client().await?;
        let tx = begin(&mut client, WHAT).await?;
        let outbox = numbered(&tx, outbox).await?;
        futures::try_join!(save_marks(&tx, marks), queue(&tx, &outbox))?;
        commit(tx, WHAT).await
    }

    /// Removes the alert state of (user, market, address) (unwatched).
    pub async fn remove_alert_mark(
        &self,
        user: i64,
        market: &str,
        address: Address,
    ) -> Result<(), StoreError> {
        self.run(
            "removing an alert state",
            "DELETE FROM alert_marks WHERE user_id = $1 AND market = $2 AND address = $3",
            &[&user, &market, &address.as_slice()],
        )
        .await?;
        Ok(())
    }

    /// The alerts written and not yet sent: urgent ones first, then in the order written.
    pub async fn alert_outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut entries: Vec<OutboxEntry> = self
            .list(
                ALERT_OUTBOX,
                "SELECT record::text, key FROM alert_outbox ORDER BY key",
                &[],
            )
            .await?;
        // The rule is `OutboxEntry::urgent`'s, applied as sled applies it (a stable sort of
        // the entries in key order).
        entries.sort_by_key(|e| (!e.urgent(), e.seq));
        Ok(entries)
    }

    /// True when an alert with this key was sent already.
    pub async fn alert_was_sent(&self, key: &str) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "reading alerts_sent",
            "SELECT EXISTS (SELECT 1 FROM alerts_sent WHERE key = $1)",
            &[&key],
        )
        .await?;
        match row {
            Some(row) => column(ALERTS_SENT, key, &row, 0),
            None => Ok(false),
        }
    }

    /// Moves an entry from the outbox to the sent log, in one statement.
    pub async fn mark_alert_sent(&self, entry: &OutboxEntry, at: u64) -> Result<(), StoreError> {
        const WHAT: &str = "marking an alert sent";
        let sent = SentAlert {
            key: entry.key.clone(),
            user: entry.user,
            kind: entry.kind,
            at,
        };
        let record = encode(ALERTS_SENT, &sent.key, &sent)?;
        self.run(
            WHAT,
            "WITH unqueued AS (DELETE FROM alert_outbox WHERE key = $2)
             INSERT INTO alerts_sent (at, key, user_id, record)
             VALUES ($1, $2, $3, $4::text::jsonb)
             ON CONFLICT (at, key) DO UPDATE
                 SET user_id = EXCLUDED.user_id, record = EXCLUDED.record",
            &[&bigint(WHAT, at)?, &sent.key, &sent.user, &record],
        )
        .await?;
        Ok(())
    }

    /// Drops an outbox entry that cannot be sent (the user blocked the bot).
    pub async fn drop_alert(&self, key: &str) -> Result<(), StoreError> {
        self.run(
            "dropping an alert",
            "DELETE FROM alert_outbox WHERE key = $1",
            &[&key],
        )
        .await?;
        Ok(())
    }

    /// Alerts sent since `since` (unix seconds), oldest first.
    pub async fn alerts_sent_since(&self, since: u64) -> Result<Vec<SentAlert>, StoreError> {
        self.list(
            ALERTS_SENT,
            "SELECT record::text, key FROM alerts_sent WHERE at >= $1 ORDER BY at, key",
            &[&bound(since)],
        )
        .await
    }

    /// The last block a market's watcher processed.
    pub async fn watch_cursor(&self, market: &str) -> Result<Option<u64>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "reading watch_cursors",
            "SELECT block FROM watch_cursors WHERE market = $1",
            &[&market],
        )
        .await?;
        let Some(row) = row else { return Ok(None) };
        let block = column(WATCH_CURSORS, market, &row, 0)?;
        unsigned(WATCH_CURSORS, market, block).map(Some)
    }

    /// Every block cursor of `market`: its own and its shares' (`market#i/n`), by name.
    pub async fn watch_cursors_of(&self, market: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            "reading watch_cursors",
            "SELECT market, block FROM watch_cursors
             WHERE market = $1 OR starts_with(market, $1 || '#')
             ORDER BY market COLLATE \"C\"",
            &[&market],
        )
        .await?;
        rows.iter()
            .map(|row| {
                let name: String = column(WATCH_CURSORS, market, row, 0)?;
                let block = column(WATCH_CURSORS, market, row, 1)?;
                Ok((name.clone(), unsigned(WATCH_CURSORS, &name, block)?))
            })
            .collect()
    }

    /// Records the last block a market's watcher processed.
    pub async fn set_watch_cursor(&self, market: &str, block: u64) -> Result<(), StoreError> {
        const WHAT: &str = "saving a watch cursor";
        self.run(
            WHAT,
            "INSERT INTO watch_cursors (market, block) VALUES ($1, $2)
             ON CONFLICT (market) DO UPDATE SET block = EXCLUDED.block",
            &[&market, &bigint(WHAT, block)?],
        )
        .await?;
        Ok(())
    }
}

/// The entries with their numbers, taken in one step (in the order given).
async fn numbered(
    tx: &deadpool_postgres::Transaction<'_>,
    outbox: &[OutboxEntry],
) -> Result<Vec<OutboxEntry>, StoreError> {
    let Some(n) = u64::try_from(outbox.len()).ok().filter(|&n| n > 0) else {
        return Ok(Vec::new());
    };
    let last = numbers::take(tx, ALERT_SEQ, n).await?;
    let first = (last + 1).saturating_sub(n);
    Ok(outbox
        .iter()
        .zip(first..)
        .map(|(entry, seq)| OutboxEntry {
            seq,
            ..entry.clone()
        })
        .collect())
}

/// Writes alert states (a later state of the same watch replaces an earlier one, as in sled).
async fn save_marks(
    tx: &deadpool_postgres::Transaction<'_>,
    marks: &[AlertMark],
) -> Result<(), StoreError> {
    let marks = last_of_each(marks, |m| (m.user, m.market.as_str(), m.address));
    if marks.is_empty() {
        return Ok(());
    }
    let records = marks
        .iter()
        .map(|m| encode(ALERT_MARKS, m.user, m))
        .collect::<Result<Vec<_>, _>>()?;
    let users: Vec<i64> = marks.iter().map(|m| m.user).collect();
    let markets: Vec<&str> = marks.iter().map(|m| m.market.as_str()).collect();
    let addresses: Vec<&[u8]> = marks.iter().map(|m| m.address.as_slice()).collect();
    execute(
        tx,
        "saving alert states",
        "INSERT INTO alert_marks (user_id, market, address, record)
         SELECT m.user_id, m.market, m.address, m.record::jsonb
         FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::text[])
              AS m(user_id, market, address, record)
         ON CONFLICT (user_id, market, address) DO UPDATE SET record = EXCLUDED.record",
        &[&users, &markets, &addresses, &records],
    )
    .await?;
    Ok(())
}

/// Writes numbered outbox entries (a later entry with the same key replaces an earlier one).
async fn queue(
    tx: &deadpool_postgres::Transaction<'_>,
    outbox: &[OutboxEntry],
) -> Result<(), StoreError> {
    const WHAT: &str = "queueing alerts";
    let entries = last_of_each(outbox, |e| e.key.as_str());
    if entries.is_empty() {
        return Ok(());
    }
    let records = entries
        .iter()
        .map(|e| encode(ALERT_OUTBOX, &e.key, e))
        .collect::<Result<Vec<_>, _>>()?;
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    let users: Vec<i64> = entries.iter().map(|e| e.user).collect();
    let seqs = entries
        .iter()
        .map(|e| bigint(WHAT, e.seq))
        .collect::<Result<Vec<_>, _>>()?;
    execute(
        tx,
        WHAT,
        "INSERT INTO alert_outbox (key, user_id, seq, record)
         SELECT e.key, e.user_id, e.seq, e.record::jsonb
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])
              AS e(key, user_id, seq, record)
         ON CONFLICT (key) DO UPDATE
             SET user_id = EXCLUDED.user_id, seq = EXCLUDED.seq, record = EXCLUDED.record",
        &[&keys, &users, &seqs, &records],
    )
    .await?;
    Ok(())
}

/// The items with only the last of those that share a key, in the order of the first of each
/// (one statement may not write a row twice).
fn last_of_each<'a, T, K: Eq + Hash>(items: &'a [T], key: impl Fn(&'a T) -> K) -> Vec<&'a T> {
    let mut place: HashMap<K, usize> = HashMap::new();
    let mut kept: Vec<&T> = Vec::new();
    for item in items {
        match place.get(&key(item)) {
            Some(&i) => kept[i] = item,
            None => {
                place.insert(key(item), kept.len());
                kept.push(item);
            }
        }
    }
    kept
}
