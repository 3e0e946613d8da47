//! Who may use the staff side, and how a command names a user.
//!
//! Admins come from the configuration (`telegram.admins`) and cannot be removed from chat;
//! staff are added and removed by admins with `/staff add|remove` and live in the store.

use crate::lang::Lang;
use crate::store::{Store, StoreError};

/// A person's role on the staff side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// From the configuration: staff who may also add and remove staff.
    Admin,
    /// Added by an admin.
    Staff,
}

/// Why a user argument names nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum UserArgError {
    /// Empty or not an id / username.
    Malformed,
    /// A well-formed @username nobody known has.
    Unknown(String),
}

impl UserArgError {
    pub(super) fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Malformed, Lang::En) => {
                "Name the user by numeric Telegram id or @username.".to_string()
            }
            (Self::Malformed, Lang::Zh) => "请用数字 Telegram id 或 @用户名 指定用户。".to_string(),
            (Self::Unknown(name), Lang::En) => format!(
                "I don't know @{name}: they have not talked to the bot yet (or changed their username). Use their numeric id."
            ),
            (Self::Unknown(name), Lang::Zh) => {
                format!("找不到 @{name}：对方还没有和机器人对话过（或改了用户名）。请使用数字 id。")
            }
        }
    }
}

/// Resolves a user argument: a numeric id, or an @username (case-insensitive) of a user the bot
/// has seen, a staff member, or the actor themselves.
pub(super) async fn resolve_user(
    store: &Store,
    arg: &str,
    actor: (i64, Option<&str>),
) -> Result<Result<i64, UserArgError>, StoreError> {
    let arg = arg.trim();
    if let Ok(id) = arg.parse::<i64>() {
        return Ok(Ok(id));
    }
    let name = arg.strip_prefix('@').unwrap_or(arg);
    let well_formed = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !well_formed {
        return Ok(Err(UserArgError::Malformed));
    }
    let same =
        |u: Option<&str>| u.is_some_and(|u| u.trim_start_matches('@').eq_ignore_ascii_case(name));
    if same(actor.1) {
        return Ok(Ok(actor.0));
    }
    if let Some(m) = store
        .staff_members()
        .await?
        .into_iter()
        .find(|m| same(m.username.as_deref()))
    {
        return Ok(Ok(m.id));
    }
    if let Some(u) = store
        .users()
        .await?
        .into_iter()
        .find(|u| same(u.username.as_deref()))
    {
        return Ok(Ok(u.id));
    }
    Ok(Err(UserArgError::Unknown(name.to_string())))
}

/// "Alice (@alice)", "@alice", "Alice" or "user 123": how a person is named to staff (the id of
/// anonymised tickets and of a deletion in the audit log names nobody).
pub(super) async fn label(store: &Store, id: i64, lang: Lang) -> String {
    if id == crate::store::ANONYMOUS {
        return super::texts::deleted_user(lang).to_string();
    }
    let user = store.user(id).await.ok().flatten();
    let member = store.staff_member(id).await.ok().flatten();
    let name = user
        .as_ref()
        .and_then(|u| u.display_name.clone())
        .filter(|n| !n.trim().is_empty());
    let username = user
        .as_ref()
        .and_then(|u| u.username.clone())
        .or_else(|| member.and_then(|m| m.username));
    let name = name.map(|n| super::texts::trim_chars(&n, 48));
    match (name, username) {
        (Some(n), Some(u)) => format!("{n} (@{})", u.trim_start_matches('@')),
        (None, Some(u)) => format!("@{}", u.trim_start_matches('@')),
        (Some(n), None) => n,
        (None, None) => match lang {
            Lang::En => format!("user {id}"),
            Lang::Zh => format!("用户 {id}"),
        },
    }
}
