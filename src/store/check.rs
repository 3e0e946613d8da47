//! `lendesk store check`: decodes every record, cross-checks the indexes against the records
//! they point to and the numbers issued, and counts each kind. It reports; it never repairs.

use std::collections::{HashMap, HashSet};

use serde::de::DeserializeOwned;

use super::privacy::ANONYMOUS;
use super::staff::{AUDIT_SEQ, BROADCAST_SEQ};
use super::{
    AuditEntry, BanRecord, Broadcast, FaqEdit, HistoryEntry, Macro, MessageEvent, RelayedMessage,
    SledStore, StaffMember, StoreError, TICKET_SEQ, TicketRecord, TicketThread, UserRecord,
};

/// What `check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Records per kind, in a fixed order.
    pub counts: Vec<(&'static str, u64)>,
    /// Each problem found (empty: the store is sound).
    pub problems: Vec<String>,
}

/// Decodes every record of a tree; a record that does not decode is a problem, not an abort.
fn records<T: DeserializeOwned>(
    tree: &sled::Tree,
    name: &str,
    problems: &mut Vec<String>,
) -> Result<Vec<(sled::IVec, T)>, StoreError> {
    let mut out = Vec::new();
    for kv in tree.iter() {
        let (key, value) = kv?;
        match serde_json::from_slice(&value) {
            Ok(record) => out.push((key, record)),
            Err(e) => problems.push(format!(
                "{name}: record {} does not decode: {e}",
                hex::encode(&key)
            )),
        }
    }
    Ok(out)
}

fn be_u64(bytes: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(bytes).ok().map(u64::from_be_bytes)
}

impl SledStore {
    /// Verifies every record and index; see the module docs.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let mut p = Vec::new();
        let users: Vec<(_, UserRecord)> = records(&self.users, "users", &mut p)?;
        for (key, user) in &users {
            if key.as_ref() != user.id.to_be_bytes() {
                p.push(format!(
                    "users: record of user {} under another key",
                    user.id
                ));
            }
        }
        let history: Vec<(_, Vec<HistoryEntry>)> = records(&self.history, "history", &mut p)?;
        let tickets: Vec<(_, TicketRecord)> = records(&self.tickets, "tickets", &mut p)?;
        let issued = self.counter(TICKET_SEQ)?;
        let by_id: HashMap<u64, i64> = tickets.iter().map(|(_, t)| (t.id, t.user)).collect();
        let mut indexed: HashSet<(i64, u64)> = HashSet::new();
        for key in self.tickets_by_user.iter().keys() {
            let key = key?;
            let user = key.get(..8).and_then(be_u64).map(|u| u as i64);
            let id = key.get(8..16).and_then(be_u64);
            match (user, id) {
                (Some(user), Some(id)) if by_id.get(&id) == Some(&user) => {
                    indexed.insert((user, id));
                }
                (Some(user), Some(id)) => p.push(format!(
                    "tickets_by_user: user {user} is indexed with ticket #{id}, which is not theirs or does not exist"
                )),
                _ => p.push(format!("tickets_by_user: malformed key {}", hex::encode(&key))),
            }
        }
        for (key, t) in &tickets {
            if key.as_ref() != t.id.to_be_bytes() {
                p.push(format!("tickets: ticket #{} under another key", t.id));
            }
            if t.id > issued {
                p.push(format!(
                    "tickets: ticket #{} exists but only {issued} ticket numbers were issued",
                    t.id
                ));
            }
            if t.user != ANONYMOUS && !indexed.contains(&(t.user, t.id)) {
                p.push(format!(
                    "tickets: ticket #{} is missing from its user's index",
                    t.id
                ));
            }
        }
        let threads: Vec<(_, TicketThread)> = records(&self.threads, "threads", &mut p)?;
        for (_, th) in &threads {
            if !by_id.contains_key(&th.ticket) {
                p.push(format!(
                    "threads: thread of ticket #{}, which does not exist",
                    th.ticket
                ));
            }
        }
        for kv in self.thread_index.iter() {
            let (key, value) = kv?;
            match be_u64(&value) {
                Some(id) if by_id.contains_key(&id) => {}
                _ => p.push(format!(
                    "thread_index: entry {} points to no ticket",
                    hex::encode(&key)
                )),
            }
        }
        let relay: Vec<(_, RelayedMessage)> = records(&self.relay, "relay", &mut p)?;
        let staff: Vec<(_, StaffMember)> = records(&self.staff, "staff", &mut p)?;
        let macros: Vec<(_, Macro)> = records(&self.macros, "macros", &mut p)?;
        let faq_edits: Vec<(_, FaqEdit)> = records(&self.faq_edits, "faq_edits", &mut p)?;
        let bans: Vec<(_, BanRecord)> = records(&self.bans, "bans", &mut p)?;
        let audit: Vec<(_, AuditEntry)> = records(&self.audit, "audit", &mut p)?;
        let audit_issued = self.counter(AUDIT_SEQ)?;
        if let Some((_, last)) = audit.iter().rev().find(|(_, e)| e.seq > audit_issued) {
            p.push(format!(
                "audit: line #{} exists but only {audit_issued} audit numbers were issued",
                last.seq
            ));
        }
        let broadcasts: Vec<(_, Broadcast)> = records(&self.broadcasts, "broadcasts", &mut p)?;
        let broadcasts_issued = self.counter(BROADCAST_SEQ)?;
        for (_, b) in broadcasts.iter().filter(|(_, b)| b.id > broadcasts_issued) {
            p.push(format!(
                "broadcasts: #{} exists but only {broadcasts_issued} broadcast numbers were issued",
                b.id
            ));
        }
        let events: Vec<(_, MessageEvent)> = records(&self.events, "events", &mut p)?;
        if let Err(e) = self.maintenance() {
            p.push(format!("meta: {e}"));
        }
        let n = |len: usize| len as u64;
        Ok(CheckReport {
            counts: vec![
                ("users", n(users.len())),
                ("saved conversations", n(history.len())),
                ("tickets", n(tickets.len())),
                ("ticket numbers issued", issued),
                ("ticket threads", n(threads.len())),
                ("relayed message entries", n(relay.len())),
                ("staff", n(staff.len())),
                ("macros", n(macros.len())),
                ("FAQ edits", n(faq_edits.len())),
                ("bans", n(bans.len())),
                ("audit lines", n(audit.len())),
                ("broadcasts", n(broadcasts.len())),
                ("statistics event records", n(events.len())),
                (
                    "messages counted by events",
                    events.iter().map(|(_, e)| e.count).sum(),
                ),
            ],
            problems: p,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_without_its_index_entry_and_an_undecodable_user_are_reported() {
        let store = SledStore::temporary().unwrap();
        let id = store.next_ticket_id().unwrap();
        let ticket = TicketRecord {
            id,
            user: 5,
            status: crate::store::TicketStatus::Open,
            reason: "asked_for_person".into(),
            priority: "normal".into(),
            lang: crate::lang::Lang::En,
            created_at: 1,
            first_response_at: None,
            closed_at: None,
            assignee: None,
            summary: "help".into(),
            rating: None,
            comment: None,
            overdue_flagged_at: None,
        };
        store.save_ticket(&ticket).unwrap();
        assert!(store.check().unwrap().problems.is_empty());
        store.tickets_by_user.clear().unwrap();
        store
            .users
            .insert(9i64.to_be_bytes(), b"{not json".to_vec())
            .unwrap();
        let report = store.check().unwrap();
        assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
        assert!(
            report.problems[0].starts_with("users: record"),
            "{:?}",
            report.problems
        );
        assert!(
            report.problems[1].contains("ticket #1 is missing"),
            "{:?}",
            report.problems
        );
        assert_eq!(report.counts[2], ("tickets", 1));
    }
}
