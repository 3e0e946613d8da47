//! A user's own data: finding every record about them (for `/mydata`) and deleting it (for
//! `/forget`). Tickets stay for staff, detached from the user; what the desk says about either
//! is the desk's business.

use std::sync::atomic::Ordering;

use super::staff::{EVENTS, RELAY};
use super::{MessageEvent, RelayedMessage, SledStore, StoreError};

/// The user id an anonymised ticket carries.
pub const ANONYMOUS: i64 = 0;

/// What [`Store::forget_user`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgetSummary {
    /// A user record was deleted.
    pub user: bool,
    /// Tickets kept for staff, now without the user's id (their numbers).
    pub tickets: Vec<u64>,
    /// Statistics events deleted.
    pub events: usize,
    /// Relayed-message entries deleted (both ends count as one).
    pub relays: usize,
    /// Alert records deleted (settings, alert states, unsent and sent alerts).
    pub alerts: usize,
}

impl SledStore {
    /// Statistics events that name `user` (collapsed records name nobody), oldest first.
    pub fn events_of(&self, user: i64) -> Result<Vec<MessageEvent>, StoreError> {
        let mut out = Vec::new();
        for key in self.event_keys_of(user)? {
            if let Some(event) = Self::get::<MessageEvent>(&self.events, EVENTS, &key)?
                && event.user == user
            {
                out.push(event);
            }
        }
        Ok(out)
    }

    /// Deletes everything kept under `user`: the user record, the saved conversation, their
    /// statistics events and relay entries; their tickets stay for staff with the user id
    /// replaced by [`ANONYMOUS`]. Flushed. Bans are staff's record and stay.
    pub fn forget_user(&self, user: i64) -> Result<ForgetSummary, StoreError> {
        let mut summary = ForgetSummary::default();
        let key = user.to_be_bytes();
        if self.users.contains_key(key)? {
            // Down before the removal: the count stays a lower bound (see `Counters`).
            let _ = self
                .counters
                .users
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                    Some(n.saturating_sub(1))
                });
            summary.user = self.users.remove(key)?.is_some();
        }
        self.history.remove(key)?;
        let indexed: Vec<sled::IVec> = self
            .tickets_by_user
            .scan_prefix(key)
            .keys()
            .collect::<Result<_, _>>()?;
        for index in indexed {
            let id = index
                .get(8..16)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes);
            self.tickets_by_user.remove(&index)?;
            let Some(id) = id else { continue };
            let anonymised = self.update_ticket::<StoreError>(id, |ticket| {
                ticket.user = ANONYMOUS;
                Ok(())
            })?;
            if anonymised.is_some() {
                summary.tickets.push(id);
            }
        }
        for key in self.event_keys_of(user)? {
            summary.events += usize::from(self.remove_event(&key, user)?);
        }
        summary.relays =
            self.remove_where(&self.relay, RELAY, |r: &RelayedMessage| r.user_chat == user)? / 2;
        summary.alerts = self.forget_alerts_of(user)?;
        self.durable()?;
        Ok(summary)
    }

    /// Removes the records of `tree` that `doomed` picks; how many.
    pub(super) fn remove_where<T: serde::de::DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        name: &'static str,
        doomed: impl Fn(&T) -> bool,
    ) -> Result<usize, StoreError> {
        let mut keys = Vec::new();
        for kv in tree.iter() {
            let (k, record): (_, T) = Self::decode_keyed(name, kv)?;
            if doomed(&record) {
                keys.push(k);
            }
        }
        for k in &keys {
            tree.remove(k)?;
        }
        Ok(keys.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::store::{
        HistoryEntry, SCHEMA_VERSION, Speaker, TicketRecord, TicketStatus, UserRecord,
    };

    fn ticket(id: u64, user: i64) -> TicketRecord {
        TicketRecord {
            id,
            user,
            status: TicketStatus::Closed,
            reason: "asked_for_person".into(),
            priority: "normal".into(),
            lang: Lang::En,
            created_at: 1,
            first_response_at: None,
            closed_at: Some(2),
            assignee: None,
            summary: "help".into(),
            rating: Some(5),
            comment: None,
            overdue_flagged_at: None,
        }
    }

    #[test]
    fn forgetting_a_user_deletes_their_records_and_detaches_their_tickets() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        for user in [7, 8] {
            store.save_user(&UserRecord::new(user), true).unwrap();
            store
                .save_history(user, &[HistoryEntry::new(1, Speaker::User, "hi")])
                .unwrap();
            let id = store.next_ticket_id().unwrap();
            store.save_ticket(&ticket(id, user)).unwrap();
            store
                .record_event(&MessageEvent {
                    count: 1,
                    at: 60,
                    user,
                    intent: "clarify".into(),
                    topic: None,
                    question: Some("what is x".into()),
                    guarded_markets: Vec::new(),
                })
                .unwrap();
        }
        let summary = store.forget_user(7).unwrap();
        assert_eq!(
            summary,
            ForgetSummary {
                user: true,
                tickets: vec![1],
                events: 1,
                relays: 0,
                alerts: 0,
            }
        );
        assert!(store.user(7).unwrap().is_none());
        assert!(store.history(7).unwrap().is_empty());
        assert!(store.tickets_of(7).unwrap().is_empty());
        assert!(store.events_of(7).unwrap().is_empty());
        assert_eq!(store.ticket(1).unwrap().unwrap().user, ANONYMOUS);
        // The other user keeps everything.
        assert!(store.user(8).unwrap().is_some());
        assert_eq!(store.tickets_of(8).unwrap().len(), 1);
        assert_eq!(store.events_of(8).unwrap().len(), 1);
        drop(store);
        // The manifest was rewritten: one user fewer is not damage.
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.users().unwrap().len(), 1);
    }

    fn question_event(user: i64, at: u64) -> MessageEvent {
        MessageEvent {
            count: 1,
            at,
            user,
            intent: "clarify".into(),
            topic: None,
            question: Some(format!("question {at}")),
            guarded_markets: Vec::new(),
        }
    }

    #[test]
    fn a_users_events_come_from_the_index_oldest_first_and_pruning_keeps_it_exact() {
        let store = SledStore::temporary().unwrap();
        for (user, at) in [(5, 300), (6, 120), (5, 60), (5, 180)] {
            store.record_event(&question_event(user, at)).unwrap();
        }
        let times = |user| -> Vec<u64> {
            store
                .events_of(user)
                .unwrap()
                .iter()
                .map(|e| e.at)
                .collect()
        };
        assert_eq!(times(5), [60, 180, 300]);
        assert_eq!(times(6), [120]);
        assert_eq!(store.prune_events(200).unwrap(), 3);
        assert_eq!(times(5), [300]);
        assert!(times(6).is_empty());
        assert_eq!(
            store.events_by_user.len(),
            1,
            "pruned events leave no index entry"
        );
    }

    #[test]
    fn a_schema_2_database_gets_its_events_indexed_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        store.record_event(&question_event(9, 60)).unwrap();
        // What a schema 2 database looks like: events, no index.
        store.events_by_user.clear().unwrap();
        store
            .meta
            .insert("schema_version", &2u32.to_be_bytes())
            .unwrap();
        store.durable().unwrap();
        assert!(store.events_of(9).unwrap().is_empty());
        drop(store);
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.events_of(9).unwrap().len(), 1);
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }
}
