//! Who the user is: their record (cached in front of the store), the language to answer in,
//! and their recent conversation.

use super::outcome::Incoming;
use super::{Desk, DeskError, HashMap, USER_CACHE_LIMIT, lock};
use crate::lang::{self, Lang};
use crate::store::{HistoryEntry, UserRecord};

/// Keeps who the user is up to date from the message: @username, display name, first contact.
pub(super) fn note_identity(record: &mut UserRecord, msg: &Incoming) {
    if let Some(name) = msg.username.as_deref().filter(|n| !n.is_empty())
        && record.username.as_deref() != Some(name)
    {
        record.username = Some(name.to_string());
    }
    if let Some(name) = msg.display_name.as_deref().filter(|n| !n.is_empty())
        && record.display_name.as_deref() != Some(name)
    {
        record.display_name = Some(name.to_string());
    }
    if record.started_at.is_none() {
        record.started_at = Some(msg.now);
    }
}

impl Desk {
    /// A user's recent conversation with the bot (redacted), oldest first: from memory, or as
    /// last saved when the user was handed to a person.
    pub async fn conversation(&self, user: i64) -> Result<Vec<HistoryEntry>, DeskError> {
        let in_memory = lock(&self.conversations)
            .get(&user)
            .map(|l| l.iter().cloned().collect::<Vec<_>>());
        match in_memory {
            Some(lines) => Ok(lines),
            None => Ok(self.store.history(user).await?),
        }
    }

    pub(super) fn cached_users(&self) -> std::sync::MutexGuard<'_, HashMap<i64, UserRecord>> {
        lock(&self.users)
    }

    async fn load_user(&self, id: i64) -> Result<UserRecord, DeskError> {
        if let Some(record) = self.cached_users().get(&id) {
            return Ok(record.clone());
        }
        let record = self
            .store
            .user(id)
            .await?
            .unwrap_or_else(|| UserRecord::new(id));
        let mut users = self.cached_users();
        if users.len() >= USER_CACHE_LIMIT {
            users.clear();
        }
        users.insert(id, record.clone());
        Ok(record)
    }

    pub(super) fn language(record: &UserRecord, text: &str, hint: Option<Lang>) -> Lang {
        record
            .lang
            .or_else(|| lang::detect(text))
            .or(hint)
            .unwrap_or_default()
    }

    /// A button press carries no text: it is answered in the conversation's language (the one
    /// the user chose, else the one the bot last answered in), the client's interface
    /// language only when there is neither.
    pub(super) fn button_language(record: &UserRecord, hint: Option<Lang>) -> Lang {
        record
            .lang
            .or(record.answered_in)
            .or(hint)
            .unwrap_or_default()
    }

    pub(super) async fn load_or_new(&self, user: i64) -> UserRecord {
        match self.load_user(user).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(user, error = %e, "cannot load user record");
                UserRecord::new(user)
            }
        }
    }
}
