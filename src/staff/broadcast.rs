//! The broadcast runner: sends an announcement to every eligible user, in user-id order,
//! resumable after a restart.
//!
//! **Durability choice: at most once.** Eligible users are sent the announcement [`BATCH`] at a
//! time; before a batch is sent, the broadcast's cursor is moved to its last user and saved
//! (flushed). A restart resumes after the cursor, so a user is never sent an announcement
//! twice; if the process dies between that save and the batch's sends completing, those users
//! may miss it (and are counted neither sent nor failed). After the batch, the counts are saved
//! again. Ineligible users only move the cursor in memory (saved with the next batch, every 25
//! users and at the end): revisiting them after a crash skips them again, and the counts saved
//! with the cursor stay consistent.
//!
//! **Cancel.** `/broadcast cancel` marks the stored record `done`; the runner reads the stored
//! record before every batch and stops there, keeping `done` and whatever progress message the
//! adapter recorded in the meantime.

use std::future::Future;
use std::time::Duration;

use crate::lang::Lang;
use crate::store::{Broadcast, Store, StoreError, UserRecord};

use super::StaffError;
use super::texts::to_user;

/// How many `RetryAfter` answers one user gets before counting as failed.
pub const MAX_RETRIES: u32 = 10;
/// Users sent the announcement at once. The bot's client releases sends a few times a second,
/// so one at a time would crawl (about 4 users a second); at most once means a crash may cost
/// the users of the batch being sent the announcement.
pub const BATCH: usize = 10;
/// `progress` is called every this many users.
const PROGRESS_EVERY: u64 = 25;

/// What happened to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered.
    Sent,
    /// The user cannot be reached (blocked the bot, deleted the account): counted as failed.
    Unreachable,
    /// Rate limited: sleep this long, then retry the same user.
    RetryAfter(Duration),
}

/// Whether a user gets a broadcast: they started the bot, did not opt out, are not banned,
/// and speak the broadcast's language if it has one (their choice, else the language they
/// were last answered in).
pub async fn eligible(
    store: &Store,
    user: &UserRecord,
    lang: Option<Lang>,
) -> Result<bool, StoreError> {
    if user.started_at.is_none() || user.broadcast_opt_out {
        return Ok(false);
    }
    if let Some(lang) = lang
        && user.speaks() != lang
    {
        return Ok(false);
    }
    Ok(store.ban_of(user.id).await?.is_none())
}

/// How many users a broadcast in `lang` (or to all) would reach now.
pub async fn eligible_count(store: &Store, lang: Option<Lang>) -> Result<u64, StoreError> {
    let mut n = 0;
    for user in store.users().await? {
        if eligible(store, &user, lang).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// The announcement as a user receives it: the text and, in their language, how to stop
/// announcements.
pub(super) fn with_footer(text: &str, lang: Lang) -> String {
    format!("{}{}", text.trim_end(), to_user::broadcast_footer(lang))
}

/// Takes over what others may have changed in the stored record (a cancel, the progress
/// message); returns true when the broadcast was cancelled.
async fn sync_stored(store: &Store, b: &mut Broadcast) -> Result<bool, StaffError> {
    let stored = store
        .broadcast(b.id)
        .await?
        .ok_or(StaffError::NoBroadcast(b.id))?;
    b.progress_message = stored.progress_message;
    if stored.done {
        b.done = true;
    }
    Ok(b.done)
}

/// Runs broadcast `id` from where it stopped: visits users after the stored cursor in id
/// order, skips ineligible ones, `send`s the text with the opt-out footer to the others,
/// [`BATCH`] at a time (retrying those answered [`Delivery::RetryAfter`] after the longest
/// wait asked, at most [`MAX_RETRIES`] times), saves progress as described in the module docs,
/// calls `progress` every 25 users and at the end, and marks the broadcast done. Stops early
/// when the stored record is marked done (cancel). Returns the final record.
pub async fn run_broadcast<F, Fut, P, PFut>(
    store: &Store,
    id: u64,
    mut send: F,
    mut progress: P,
) -> Result<Broadcast, StaffError>
where
    F: FnMut(i64, String) -> Fut,
    Fut: Future<Output = Delivery>,
    P: FnMut(Broadcast) -> PFut,
    PFut: Future<Output = ()>,
{
    let mut b = store
        .broadcast(id)
        .await?
        .ok_or(StaffError::NoBroadcast(id))?;
    if b.done {
        return Ok(b);
    }
    let mut users = store.users().await?;
    users.sort_by_key(|u| u.id);
    let after = b.cursor;
    let mut users = users.into_iter().filter(|u| after.is_none_or(|c| u.id > c));
    let mut batch: Vec<(i64, String)> = Vec::with_capacity(BATCH);
    let mut visited = 0u64;
    let mut cancelled = false;
    loop {
        let user = users.next();
        if let Some(user) = &user {
            visited += 1;
            b.cursor = Some(user.id);
            if eligible(store, user, b.lang).await? {
                batch.push((user.id, with_footer(&b.text, user.speaks())));
            } else {
                b.skipped += 1;
            }
        }
        if batch.len() == BATCH || (user.is_none() && !batch.is_empty()) {
            if sync_stored(store, &mut b).await? {
                cancelled = true;
                break;
            }
            // Committed before sending: a restart never sends to these users again.
            store.save_broadcast(&b).await?;
            send_batch(&mut send, std::mem::take(&mut batch), &mut b).await;
            sync_stored(store, &mut b).await?;
            store.save_broadcast(&b).await?;
        }
        let Some(_) = user else { break };
        if visited.is_multiple_of(PROGRESS_EVERY) {
            sync_stored(store, &mut b).await?;
            store.save_broadcast(&b).await?;
            progress(b.clone()).await;
            if b.done {
                cancelled = true;
                break;
            }
        }
    }
    sync_stored(store, &mut b).await?;
    b.done = true;
    store.save_broadcast(&b).await?;
    tracing::info!(
        broadcast = id,
        sent = b.sent,
        failed = b.failed,
        skipped = b.skipped,
        cancelled,
        "broadcast finished"
    );
    progress(b.clone()).await;
    Ok(b)
}

/// Sends one batch at once and counts what happened in `b`; those asked to wait are sent
/// again after the longest wait asked, until [`MAX_RETRIES`] rounds.
async fn send_batch<F, Fut>(send: &mut F, mut round: Vec<(i64, String)>, b: &mut Broadcast)
where
    F: FnMut(i64, String) -> Fut,
    Fut: Future<Output = Delivery>,
{
    let mut retries = 0;
    while !round.is_empty() {
        let sends: Vec<Fut> = round
            .iter()
            .map(|(user, text)| send(*user, text.clone()))
            .collect();
        let answers = futures::future::join_all(sends).await;
        let mut again = Vec::new();
        let mut wait = Duration::ZERO;
        for ((user, text), answer) in round.into_iter().zip(answers) {
            match answer {
                Delivery::Sent => b.sent += 1,
                Delivery::Unreachable => b.failed += 1,
                Delivery::RetryAfter(asked) => {
                    wait = wait.max(asked);
                    again.push((user, text));
                }
            }
        }
        if again.is_empty() {
            return;
        }
        retries += 1;
        if retries > MAX_RETRIES {
            tracing::warn!(
                broadcast = b.id,
                users = again.len(),
                "still rate limited; giving up on these users"
            );
            b.failed += again.len() as u64;
            return;
        }
        tokio::time::sleep(wait).await;
        round = again;
    }
}
