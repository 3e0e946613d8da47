//! The liquidation-risk alerts' records: each user's settings, the alert state of each watched
//! (user, market, address), the outbox of alerts written before they are sent, the log of what
//! was sent, and each market's last block seen.
//!
//! The watcher writes an alert's state and its outbox entry in one flushed step before it is
//! sent, so a crash never loses an alert; the entry is moved to the sent log once Telegram took
//! it. A crash between those two repeats that one alert (the documented window).

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

use super::{SledStore, StoreError};

/// Tree names.
pub(super) const ALERT_SETTINGS: &str = "alert_settings";
pub(super) const ALERT_MARKS: &str = "alert_marks";
pub(super) const ALERT_OUTBOX: &str = "alert_outbox";
pub(super) const ALERTS_SENT: &str = "alerts_sent";
/// `meta` counter of outbox entries written.
pub(super) const ALERT_SEQ: &str = "alert_seq";
/// `meta` key prefix of each market's last block processed.
pub(super) const CURSOR: &str = "watch_cursor:";
/// `meta` key prefix of the sent alerts' index (the dedup key follows).
pub(super) const SENT: &str = "sent:";

/// Quiet hours: non-critical alerts wait until they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    /// Start, minutes after midnight in the user's zone.
    pub from: u16,
    /// End, minutes after midnight (may be earlier than `from`: across midnight).
    pub to: u16,
    /// The user's zone, minutes east of UTC.
    pub utc_offset: i16,
}

/// A user's alert settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettings {
    /// The user.
    pub user: i64,
    /// Linked addresses are watched.
    pub enabled: bool,
    /// Warning level, health factor × 10,000 (13,000 = 1.30).
    pub warning: u32,
    /// Critical level, health factor × 10,000.
    pub critical: u32,
    /// Addresses watched without linking (`/watch`).
    pub watched: Vec<Address>,
    /// Linked addresses the user stopped alerts for.
    pub muted: Vec<Address>,
    /// Until when non-critical alerts wait (unix seconds; 0: no snooze).
    #[serde(default)]
    pub snooze_until: u64,
    /// Optional quiet hours.
    #[serde(default)]
    pub quiet: Option<QuietHours>,
}

impl AlertSettings {
    /// The settings of a user who set nothing yet: off, at these levels (× 10,000), nothing
    /// watched, no snooze, no quiet hours.
    pub fn new(user: i64, warning: u32, critical: u32) -> Self {
        Self {
            user,
            enabled: false,
            warning,
            critical,
            watched: Vec::new(),
            muted: Vec::new(),
            snooze_until: 0,
            quiet: None,
        }
    }
}

/// An alert level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Under the warning level.
    Warning,
    /// Under the critical level.
    Critical,
}

/// Which levels may alert again (see `alerts::levels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Arming {
    /// The position has been evaluated since the user subscribed.
    pub started: bool,
    /// A fall under the warning level alerts.
    pub warning: bool,
    /// A fall under the critical level alerts.
    pub critical: bool,
}

/// The last alert of one watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastAlert {
    /// Unix seconds.
    pub at: u64,
    /// Its level.
    pub severity: Severity,
    /// The health factor it stated, as shown.
    pub health_factor: String,
    /// The block it was read at.
    pub block: u64,
}

/// The alert state of one (user, market, address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertMark {
    /// The user.
    pub user: i64,
    /// The market.
    pub market: String,
    /// The watched address.
    pub address: Address,
    /// Which levels may alert.
    pub arming: Arming,
    /// Alerts produced so far for this watch.
    pub crossings: u64,
    /// The last alert.
    #[serde(default)]
    pub last_alert: Option<LastAlert>,
    /// A non-critical alert held back by a snooze or quiet hours, sent when they end if the
    /// position is still under the level.
    #[serde(default)]
    pub held: Option<Severity>,
}

/// A button of an outgoing alert: label and callback data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxButton {
    /// What the button says.
    pub label: String,
    /// What pressing it sends back.
    pub data: String,
}

/// What an outbox entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A fall under a level.
    Alert(Severity),
    /// The state at subscription, under a level.
    State,
    /// The position was liquidated.
    Liquidation,
}

/// An alert written before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The dedup key: one per crossing or liquidation, never reused; it begins with the user
    /// id and a colon.
    pub key: String,
    /// The user (their private chat).
    pub user: i64,
    /// The market.
    pub market: String,
    /// The address.
    pub address: Address,
    /// What it is.
    pub kind: NoticeKind,
    /// The text, in the user's language.
    pub text: String,
    /// Button rows.
    pub buttons: Vec<Vec<OutboxButton>>,
    /// When it was written (unix seconds).
    pub created_at: u64,
    /// Its place in the order of writing (given by the store).
    #[serde(default)]
    pub seq: u64,
}

impl OutboxEntry {
    /// Sent before others: critical alerts and liquidations.
    pub fn urgent(&self) -> bool {
        matches!(
            self.kind,
            NoticeKind::Alert(Severity::Critical) | NoticeKind::Liquidation
        )
    }
}

/// One sent alert, for statistics and the user card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentAlert {
    /// The dedup key.
    pub key: String,
    /// The user.
    pub user: i64,
    /// What it was.
    pub kind: NoticeKind,
    /// When Telegram took it (unix seconds).
    pub at: u64,
}

fn mark_key(user: i64, market: &str, address: Address) -> Vec<u8> {
    let mut key = user.to_be_bytes().to_vec();
    key.extend_from_slice(market.as_bytes());
    key.push(0);
    key.extend_from_slice(address.as_slice());
    key
}

fn sent_key(at: u64, key: &str) -> Vec<u8> {
    let mut k = at.to_be_bytes().to_vec();
    k.extend_from_slice(key.as_bytes());
    k
}

impl SledStore {
    /// A user's alert settings, if they ever set any.
    pub fn alert_settings(&self, user: i64) -> Result<Option<AlertSettings>, StoreError> {
        Self::get(&self.alert_settings, ALERT_SETTINGS, &user.to_be_bytes())
    }

    /// Saves a user's alert settings (flushed: the user is told).
    pub fn save_alert_settings(&self, settings: &AlertSettings) -> Result<(), StoreError> {
        self.put(&self.alert_settings, &settings.user.to_be_bytes(), settings)
    }

    /// Every user's alert settings.
    pub fn all_alert_settings(&self) -> Result<Vec<AlertSettings>, StoreError> {
        Self::all(&self.alert_settings, ALERT_SETTINGS)
    }

    /// The alert state of (user, market, address).
    pub fn alert_mark(
        &self,
        user: i64,
        market: &str,
        address: Address,
    ) -> Result<Option<AlertMark>, StoreError> {
        Self::get(
            &self.alert_marks,
            ALERT_MARKS,
            &mark_key(user, market, address),
        )
    }

    /// Every alert state.
    pub fn alert_marks(&self) -> Result<Vec<AlertMark>, StoreError> {
        Self::all(&self.alert_marks, ALERT_MARKS)
    }

    /// One user's alert states (a prefix scan: states are keyed by user first).
    pub fn alert_marks_of(&self, user: i64) -> Result<Vec<AlertMark>, StoreError> {
        self.alert_marks
            .scan_prefix(user.to_be_bytes())
            .map(|kv| Self::decode(ALERT_MARKS, kv))
            .collect()
    }

    /// Saves alert states, and the entries to send with them, in one flushed step: a crash
    /// after this returns loses nothing, and repeats nothing already marked.
    pub fn save_alert_marks(
        &self,
        marks: &[AlertMark],
        outbox: &[OutboxEntry],
    ) -> Result<(), StoreError> {
        for mark in marks {
            self.put_with(
                &self.alert_marks,
                &mark_key(mark.user, &mark.market, mark.address),
                mark,
                false,
            )?;
        }
        for entry in outbox {
            let mut entry = entry.clone();
            entry.seq = self.seq(ALERT_SEQ)?;
            self.put_with(&self.alert_outbox, entry.key.as_bytes(), &entry, false)?;
        }
        self.durable()
    }

    /// Removes the alert state of (user, market, address) (unwatched).
    pub fn remove_alert_mark(
        &self,
        user: i64,
        market: &str,
        address: Address,
    ) -> Result<(), StoreError> {
        self.alert_marks.remove(mark_key(user, market, address))?;
        Ok(())
    }

    /// The alerts written and not yet sent: urgent ones first, then in the order written.
    pub fn alert_outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut entries: Vec<OutboxEntry> = Self::all(&self.alert_outbox, ALERT_OUTBOX)?;
        entries.sort_by_key(|e| (!e.urgent(), e.seq));
        Ok(entries)
    }

    /// True when an alert with this key was sent already.
    pub fn alert_was_sent(&self, key: &str) -> Result<bool, StoreError> {
        // The sent log is keyed by time: the outbox key is looked up in the small index.
        Ok(self.meta.contains_key(format!("{SENT}{key}"))?)
    }

    /// Moves an entry from the outbox to the sent log (flushed).
    pub fn mark_alert_sent(&self, entry: &OutboxEntry, at: u64) -> Result<(), StoreError> {
        let sent = SentAlert {
            key: entry.key.clone(),
            user: entry.user,
            kind: entry.kind,
            at,
        };
        self.put_with(&self.alerts_sent, &sent_key(at, &entry.key), &sent, false)?;
        self.meta
            .insert(format!("{SENT}{}", entry.key), &at.to_be_bytes())?;
        self.alert_outbox.remove(entry.key.as_bytes())?;
        self.durable()
    }

    /// Drops an outbox entry that cannot be sent (the user blocked the bot).
    pub fn drop_alert(&self, key: &str) -> Result<(), StoreError> {
        self.alert_outbox.remove(key.as_bytes())?;
        Ok(())
    }

    /// Alerts sent since `since` (unix seconds), oldest first.
    pub fn alerts_sent_since(&self, since: u64) -> Result<Vec<SentAlert>, StoreError> {
        self.alerts_sent
            .range(since.to_be_bytes().to_vec()..)
            .map(|kv| Self::decode(ALERTS_SENT, kv))
            .collect()
    }

    /// The last block a market's watcher processed.
    pub fn watch_cursor(&self, market: &str) -> Result<Option<u64>, StoreError> {
        Ok(self
            .meta
            .get(format!("{CURSOR}{market}"))?
            .and_then(|raw| <[u8; 8]>::try_from(raw.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// Records the last block a market's watcher processed (not flushed: after a crash the
    /// watcher goes over a few blocks again, which alerts nobody twice).
    pub fn set_watch_cursor(&self, market: &str, block: u64) -> Result<(), StoreError> {
        self.meta
            .insert(format!("{CURSOR}{market}"), &block.to_be_bytes())?;
        Ok(())
    }

    /// Every block cursor of `market`: its own and its shares' (`market#i/n`), by name.
    pub fn watch_cursors_of(&self, market: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let mut cursors = Vec::new();
        for kv in self.meta.scan_prefix(format!("{CURSOR}{market}")) {
            let (key, raw) = kv?;
            let name = String::from_utf8_lossy(&key[CURSOR.len()..]).into_owned();
            let share_of_market = name
                .strip_prefix(market)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'));
            if let (true, Ok(bytes)) = (share_of_market, <[u8; 8]>::try_from(raw.as_ref())) {
                cursors.push((name, u64::from_be_bytes(bytes)));
            }
        }
        Ok(cursors)
    }

    /// Removes everything the alerts keep about `user` (for `/forget`); how many records.
    pub(super) fn forget_alerts_of(&self, user: i64) -> Result<usize, StoreError> {
        let mut removed = usize::from(self.alert_settings.remove(user.to_be_bytes())?.is_some());
        let marks: Vec<sled::IVec> = self
            .alert_marks
            .scan_prefix(user.to_be_bytes())
            .keys()
            .collect::<Result<_, _>>()?;
        for k in marks {
            removed += usize::from(self.alert_marks.remove(k)?.is_some());
        }
        removed += self.remove_where(&self.alert_outbox, ALERT_OUTBOX, |e: &OutboxEntry| {
            e.user == user
        })?;
        removed += self.remove_where(&self.alerts_sent, ALERTS_SENT, |s: &SentAlert| {
            s.user == user
        })?;
        // Dedup keys begin with the user id (see `alerts::dedup_key`).
        let sent: Vec<sled::IVec> = self
            .meta
            .scan_prefix(format!("{SENT}{user}:"))
            .keys()
            .collect::<Result<_, _>>()?;
        for k in sent {
            self.meta.remove(k)?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, user: i64, kind: NoticeKind, created_at: u64) -> OutboxEntry {
        OutboxEntry {
            key: key.into(),
            user,
            market: "devnet".into(),
            address: Address::repeat_byte(1),
            kind,
            text: format!("alert {key}"),
            buttons: vec![],
            created_at,
            seq: 0,
        }
    }

    #[test]
    fn the_outbox_survives_a_reopen_urgent_first_and_sent_entries_leave_it() {
        let dir = tempfile::tempdir().expect("dir");
        {
            let store = SledStore::open(dir.path()).expect("open");
            let mark = AlertMark {
                user: 7,
                market: "devnet".into(),
                address: Address::repeat_byte(1),
                arming: Arming {
                    started: true,
                    warning: false,
                    critical: true,
                },
                crossings: 1,
                last_alert: None,
                held: None,
            };
            store
                .save_alert_marks(
                    &[mark],
                    &[
                        entry("7:a", 7, NoticeKind::Alert(Severity::Warning), 10),
                        entry("8:b", 8, NoticeKind::Alert(Severity::Critical), 20),
                        entry("9:c", 9, NoticeKind::Liquidation, 30),
                    ],
                )
                .expect("save");
        }
        let store = SledStore::open(dir.path()).expect("reopen");
        let keys: Vec<String> = store
            .alert_outbox()
            .expect("outbox")
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(keys, ["8:b", "9:c", "7:a"]);
        let mark = store
            .alert_mark(7, "devnet", Address::repeat_byte(1))
            .expect("read")
            .expect("kept");
        assert!(!mark.arming.warning && mark.crossings == 1);

        let b = entry("8:b", 8, NoticeKind::Alert(Severity::Critical), 20);
        store.mark_alert_sent(&b, 100).expect("sent");
        assert!(store.alert_was_sent("8:b").expect("lookup"));
        assert!(!store.alert_was_sent("7:a").expect("lookup"));
        assert_eq!(store.alert_outbox().expect("outbox").len(), 2);
        assert_eq!(store.alerts_sent_since(50).expect("log").len(), 1);
        assert!(store.alerts_sent_since(101).expect("log").is_empty());

        // Forgetting user 7 removes their state and unsent alert, nobody else's.
        assert_eq!(store.forget_alerts_of(7).expect("forget"), 2);
        let left: Vec<i64> = store
            .alert_outbox()
            .expect("outbox")
            .iter()
            .map(|e| e.user)
            .collect();
        assert_eq!(left, [9]);
    }
}
