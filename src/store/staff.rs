//! Typed access to the staff side's trees. Writes that someone is told about (a relayed
//! message, a ban, a macro, an FAQ edit, an audit line, broadcast progress) are flushed before
//! the function returns; statistics events are not (losing the last second of counts on a
//! crash is acceptable, slowing every answer by a disk sync is not).

use super::staff_records::{
    AuditEntry, BanRecord, Broadcast, FaqEdit, Macro, Maintenance, MessageEvent, RelayedMessage,
    StaffMember, TicketThread,
};
use super::{SledStore, StoreError};

/// Tree names.
pub(super) const THREADS: &str = "threads";
pub(super) const THREAD_INDEX: &str = "thread_index";
pub(super) const RELAY: &str = "relay";
pub(super) const STAFF: &str = "staff";
pub(super) const MACROS: &str = "macros";
pub(super) const FAQ_EDITS: &str = "faq_edits";
pub(super) const BANS: &str = "bans";
pub(super) const AUDIT: &str = "audit";
pub(super) const BROADCASTS: &str = "broadcasts";
pub(super) const EVENTS: &str = "events";
pub(super) const EVENTS_BY_USER: &str = "events_by_user";
/// `meta` counters of audit and broadcast numbers issued.
pub(super) const AUDIT_SEQ: &str = "audit_seq";
pub(super) const BROADCAST_SEQ: &str = "broadcast_seq";
/// The `meta` key of the maintenance notice.
pub(super) const MAINTENANCE: &str = "maintenance";

/// The index key of an event that names `user`: user ‖ the event's key.
fn user_event_key(user: i64, event_key: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(8 + event_key.len());
    key.extend_from_slice(&user.to_be_bytes());
    key.extend_from_slice(event_key);
    key
}

fn chat_message_key(side: u8, chat: i64, message: i32) -> Vec<u8> {
    let mut key = Vec::with_capacity(13);
    key.push(side);
    key.extend_from_slice(&chat.to_be_bytes());
    key.extend_from_slice(&message.to_be_bytes());
    key
}

fn thread_key(chat: i64, thread: i32) -> Vec<u8> {
    let mut key = chat.to_be_bytes().to_vec();
    key.extend_from_slice(&thread.to_be_bytes());
    key
}

impl SledStore {
    /// The next number of a counter kept in `meta` (1, 2, 3…; not flushed).
    pub(super) fn seq(&self, name: &str) -> Result<u64, StoreError> {
        let next = self.meta.update_and_fetch(name, |old| {
            let n = old
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            Some((n + 1).to_be_bytes().to_vec())
        })?;
        Ok(next
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(1))
    }

    // --- tickets in the staff chat -------------------------------------------------------

    /// Records where a ticket is discussed (flushed).
    pub fn save_thread(&self, thread: &TicketThread) -> Result<(), StoreError> {
        if let Some(t) = thread.thread {
            self.thread_index
                .insert(thread_key(thread.chat, t), &thread.ticket.to_be_bytes())?;
        }
        self.put(&self.threads, &thread.ticket.to_be_bytes(), thread)
    }

    /// Where a ticket is discussed, if it was posted to staff.
    pub fn thread_of(&self, ticket: u64) -> Result<Option<TicketThread>, StoreError> {
        Self::get(&self.threads, THREADS, &ticket.to_be_bytes())
    }

    /// The ticket a forum topic belongs to.
    pub fn ticket_in_thread(&self, chat: i64, thread: i32) -> Result<Option<u64>, StoreError> {
        Ok(self
            .thread_index
            .get(thread_key(chat, thread))?
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// Marks a staff chat message as belonging to a ticket (the user card, notices), so a
    /// staff reply to it reaches the right user in a staff chat without topics. Flushed.
    pub fn save_ticket_message(
        &self,
        chat: i64,
        message: i32,
        ticket: u64,
    ) -> Result<(), StoreError> {
        self.thread_index
            .insert(chat_message_key(b'a', chat, message), &ticket.to_be_bytes())?;
        self.durable()?;
        Ok(())
    }

    /// The ticket a staff chat message belongs to: a marked message or a relayed one.
    pub fn ticket_of_staff_message(
        &self,
        chat: i64,
        message: i32,
    ) -> Result<Option<u64>, StoreError> {
        if let Some(raw) = self
            .thread_index
            .get(chat_message_key(b'a', chat, message))?
        {
            return Ok(<[u8; 8]>::try_from(raw.as_ref())
                .ok()
                .map(u64::from_be_bytes));
        }
        Ok(self
            .relay_of_staff_message(chat, message)?
            .map(|r| r.ticket))
    }

    // --- the relay's message map -----------------------------------------------------------

    /// Records a relayed message under both ends (flushed: the relay is acknowledged).
    pub fn save_relay(&self, relay: &RelayedMessage) -> Result<(), StoreError> {
        self.put_with(
            &self.relay,
            &chat_message_key(b'u', relay.user_chat, relay.user_message),
            relay,
            false,
        )?;
        self.put(
            &self.relay,
            &chat_message_key(b's', relay.staff_chat, relay.staff_message),
            relay,
        )
    }

    /// The relay of a message in a user's chat.
    pub fn relay_of_user_message(
        &self,
        chat: i64,
        message: i32,
    ) -> Result<Option<RelayedMessage>, StoreError> {
        Self::get(&self.relay, RELAY, &chat_message_key(b'u', chat, message))
    }

    /// The relay of a message in the staff chat.
    pub fn relay_of_staff_message(
        &self,
        chat: i64,
        message: i32,
    ) -> Result<Option<RelayedMessage>, StoreError> {
        Self::get(&self.relay, RELAY, &chat_message_key(b's', chat, message))
    }

    // --- staff -------------------------------------------------------------------------------

    /// Adds or updates a staff member (flushed). Returns false if they were staff already.
    pub fn add_staff(&self, member: &StaffMember) -> Result<bool, StoreError> {
        let existed = self.staff.contains_key(member.id.to_be_bytes())?;
        self.put(&self.staff, &member.id.to_be_bytes(), member)?;
        Ok(!existed)
    }

    /// Removes a staff member (flushed). Returns false if they were not staff.
    pub fn remove_staff(&self, id: i64) -> Result<bool, StoreError> {
        let removed = self.staff.remove(id.to_be_bytes())?.is_some();
        self.durable()?;
        Ok(removed)
    }

    /// A staff member.
    pub fn staff_member(&self, id: i64) -> Result<Option<StaffMember>, StoreError> {
        Self::get(&self.staff, STAFF, &id.to_be_bytes())
    }

    /// Every staff member added by admins.
    pub fn staff_members(&self) -> Result<Vec<StaffMember>, StoreError> {
        Self::all(&self.staff, STAFF)
    }

    // --- macros ------------------------------------------------------------------------------

    /// Saves a macro (flushed).
    pub fn save_macro(&self, m: &Macro) -> Result<(), StoreError> {
        self.put(&self.macros, m.name.as_bytes(), m)
    }

    /// Removes a macro (flushed); false when there was none.
    pub fn remove_macro(&self, name: &str) -> Result<bool, StoreError> {
        let removed = self.macros.remove(name.as_bytes())?.is_some();
        self.durable()?;
        Ok(removed)
    }

    /// A macro by name.
    pub fn macro_named(&self, name: &str) -> Result<Option<Macro>, StoreError> {
        Self::get(&self.macros, MACROS, name.as_bytes())
    }

    /// Every macro, by name.
    pub fn macros(&self) -> Result<Vec<Macro>, StoreError> {
        Self::all(&self.macros, MACROS)
    }

    // --- the FAQ overlay ---------------------------------------------------------------------

    /// Saves a moderator's edit of a topic (flushed), replacing an earlier edit of it.
    pub fn save_faq_edit(&self, edit: &FaqEdit) -> Result<(), StoreError> {
        self.put(&self.faq_edits, edit.id.as_bytes(), edit)
    }

    /// Drops the edit of a topic (back to the file's version), flushed.
    pub fn remove_faq_edit(&self, id: &str) -> Result<bool, StoreError> {
        let removed = self.faq_edits.remove(id.as_bytes())?.is_some();
        self.durable()?;
        Ok(removed)
    }

    /// Every FAQ edit, by topic id.
    pub fn faq_edits(&self) -> Result<Vec<FaqEdit>, StoreError> {
        Self::all(&self.faq_edits, FAQ_EDITS)
    }

    // --- bans --------------------------------------------------------------------------------

    /// Bans a user (flushed).
    pub fn save_ban(&self, ban: &BanRecord) -> Result<(), StoreError> {
        self.put(&self.bans, &ban.user.to_be_bytes(), ban)
    }

    /// Lifts a ban (flushed): the ban that was lifted, if any.
    pub fn remove_ban(&self, user: i64) -> Result<Option<BanRecord>, StoreError> {
        let old = Self::get(&self.bans, BANS, &user.to_be_bytes())?;
        self.bans.remove(user.to_be_bytes())?;
        self.durable()?;
        Ok(old)
    }

    /// The ban on a user, if any.
    pub fn ban_of(&self, user: i64) -> Result<Option<BanRecord>, StoreError> {
        Self::get(&self.bans, BANS, &user.to_be_bytes())
    }

    /// Every ban.
    pub fn bans(&self) -> Result<Vec<BanRecord>, StoreError> {
        Self::all(&self.bans, BANS)
    }

    // --- the audit log -----------------------------------------------------------------------

    /// Appends a line to the audit log (flushed) and returns it.
    pub fn audit(
        &self,
        at: u64,
        actor: i64,
        action: &str,
        detail: &str,
    ) -> Result<AuditEntry, StoreError> {
        let entry = AuditEntry::new(self.seq(AUDIT_SEQ)?, at, actor, action, detail);
        self.put(&self.audit, &entry.seq.to_be_bytes(), &entry)?;
        Ok(entry)
    }

    /// The last `limit` audit lines, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit
            .iter()
            .rev()
            .take(limit)
            .map(|kv| Self::decode(AUDIT, kv))
            .collect()
    }

    // --- broadcasts --------------------------------------------------------------------------

    /// A new broadcast number.
    pub fn next_broadcast_id(&self) -> Result<u64, StoreError> {
        let id = self.seq(BROADCAST_SEQ)?;
        self.durable()?;
        Ok(id)
    }

    /// Saves a broadcast and its progress (flushed: progress is what a restart resumes from).
    pub fn save_broadcast(&self, b: &Broadcast) -> Result<(), StoreError> {
        self.put(&self.broadcasts, &b.id.to_be_bytes(), b)
    }

    /// A broadcast by number.
    pub fn broadcast(&self, id: u64) -> Result<Option<Broadcast>, StoreError> {
        Self::get(&self.broadcasts, BROADCASTS, &id.to_be_bytes())
    }

    /// Every broadcast, oldest first.
    pub fn broadcasts(&self) -> Result<Vec<Broadcast>, StoreError> {
        Self::all(&self.broadcasts, BROADCASTS)
    }

    // --- maintenance ---------------------------------------------------------------------------

    /// Turns the maintenance notice on (`Some`) or off (`None`), flushed.
    pub fn set_maintenance(&self, notice: Option<&Maintenance>) -> Result<(), StoreError> {
        match notice {
            Some(m) => self.put(&self.meta, MAINTENANCE.as_bytes(), m),
            None => {
                self.meta.remove(MAINTENANCE)?;
                self.durable()?;
                Ok(())
            }
        }
    }

    /// The maintenance notice in force.
    pub fn maintenance(&self) -> Result<Option<Maintenance>, StoreError> {
        Self::get(&self.meta, "meta", MAINTENANCE.as_bytes())
    }

    // --- statistics events -------------------------------------------------------------------

    /// Records an answered message (not flushed; see the module docs).
    pub fn record_event(&self, event: &MessageEvent) -> Result<(), StoreError> {
        self.record_events(std::slice::from_ref(event))
    }

    /// Records answered messages in one batch (not flushed). Events of the same minute,
    /// intent, topic and guarded markets without a question text are collapsed into one record
    /// with a count, so
    /// a busy minute costs a handful of writes, not one per message. Keys are time ‖ a
    /// sled-generated monotonic id, so no counter is rewritten per event.
    pub fn record_events(&self, events: &[MessageEvent]) -> Result<(), StoreError> {
        let collapsed = super::staff_records::collapse_events(events);
        let mut batch = sled::Batch::default();
        let mut by_user = sled::Batch::default();
        for event in &collapsed {
            let mut key = event.at.to_be_bytes().to_vec();
            key.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
            let bytes = super::redact::encode(EVENTS, &key, event)?;
            if event.user != 0 {
                by_user.insert(user_event_key(event.user, &key), &[]);
            }
            batch.insert(key, bytes);
        }
        // The index first: an entry whose event is missing is skipped, an event missing from
        // the index would be left out of `/mydata`.
        self.events_by_user.apply_batch(by_user)?;
        self.events.apply_batch(batch)?;
        Ok(())
    }

    /// Builds the index of events by user from the events (the migration to schema 3).
    pub(super) fn index_events_by_user(&self) -> Result<(), StoreError> {
        for kv in self.events.iter() {
            let (key, event): (_, MessageEvent) = Self::decode_keyed(EVENTS, kv)?;
            if event.user != 0 {
                self.events_by_user
                    .insert(user_event_key(event.user, &key), &[])?;
            }
        }
        Ok(())
    }

    /// The keys of the events that name `user`, oldest first (event keys start with the time);
    /// an entry whose event is gone may be among them.
    pub(super) fn event_keys_of(&self, user: i64) -> Result<Vec<sled::IVec>, StoreError> {
        let mut keys = Vec::new();
        for entry in self.events_by_user.scan_prefix(user.to_be_bytes()) {
            let (entry, _) = entry?;
            keys.push(sled::IVec::from(&entry[8..]));
        }
        Ok(keys)
    }

    /// Removes an event and its index entry; whether the event was there.
    pub(super) fn remove_event(&self, key: &[u8], user: i64) -> Result<bool, StoreError> {
        let removed = self.events.remove(key)?.is_some();
        if user != 0 {
            self.events_by_user.remove(user_event_key(user, key))?;
        }
        Ok(removed)
    }

    /// Events at or after `since` (unix seconds), oldest first.
    pub fn events_since(&self, since: u64) -> Result<Vec<MessageEvent>, StoreError> {
        self.events
            .range(since.to_be_bytes().to_vec()..)
            .map(|kv| Self::decode(EVENTS, kv))
            .collect()
    }

    /// Drops events older than `before` (unix seconds); returns how many.
    pub fn prune_events(&self, before: u64) -> Result<usize, StoreError> {
        let old: Vec<(sled::IVec, MessageEvent)> = self
            .events
            .range(..before.to_be_bytes().to_vec())
            .map(|kv| Self::decode_keyed(EVENTS, kv))
            .collect::<Result<_, _>>()?;
        for (key, event) in &old {
            self.remove_event(key, event.user)?;
        }
        Ok(old.len())
    }
}
