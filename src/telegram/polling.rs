//! Long polling that confirms an update to Telegram only once it has been handled.
//!
//! Telegram forgets every update below the `offset` of a `getUpdates` call. teloxide's own
//! polling moves the offset past a batch as soon as the batch is queued, so a crash while a
//! message waits for its turn (the per-chat rate limit holds replies for up to a second each)
//! lost it for good. Here the offset stays at the oldest update still in hand: a crash means
//! Telegram delivers the unfinished updates again on the next start (at least once, never
//! lost); what was acknowledged before is on disk, so the store notices a repeat.
//!
//! [`UpdateTracker`] counts the updates in hand: the listener marks an update when it yields
//! it, and the handler tree holds an [`UpdateGuard`] for it until the update is handled (the
//! guard lives in the update's dependency map, dropped when its handler returns).

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::stream::BoxStream;
use teloxide::RequestError;
use teloxide::errors::AsResponseParameters;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, UpdateId};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

use super::TgBot;

/// Seconds a `getUpdates` long poll waits when nothing is in hand: well below the HTTP
/// client's timeout ([`CLIENT_TIMEOUT`]), so an idle poll ends with Telegram's empty answer,
/// not with the client giving up.
pub const LONG_POLL_SECS: u32 = 10;
/// How long the HTTP client waits for any Bot API answer (teloxide's default, set where the
/// bot is built so that it cannot drift from [`LONG_POLL_SECS`]).
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(17);
const _: () = assert!(
    (LONG_POLL_SECS as u64) + 5 <= CLIENT_TIMEOUT.as_secs(),
    "a long poll must end well before the client gives up on it"
);
/// While updates are in hand Telegram answers at once (it still holds them), so the next poll
/// waits for a handler to finish, or this long.
const BUSY_POLL_EVERY: Duration = Duration::from_millis(250);
/// Updates per `getUpdates`.
const BATCH: u8 = 100;
/// The offset holds back at most this many updates: Telegram answers a poll with the oldest
/// updates from the offset on, so a window as large as a batch would let one stuck handler
/// hide every newer update. An update older than the window is confirmed even if still in
/// hand (it loses the crash protection, nothing else).
const HOLD_WINDOW: u32 = 50;

/// The updates fetched but not handled yet, and the newest one seen.
#[derive(Debug, Default)]
pub struct UpdateTracker {
    state: Mutex<TrackerState>,
    finished: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct TrackerState {
    in_hand: BTreeSet<u32>,
    newest: Option<u32>,
}

impl UpdateTracker {
    fn state(&self) -> std::sync::MutexGuard<'_, TrackerState> {
        super::lock(&self.state)
    }

    /// The offset to ask Telegram with (`None` before the first update) and whether some
    /// update is still in hand.
    pub fn offset(&self) -> (Option<i32>, bool) {
        let state = self.state();
        let Some(newest) = state.newest else {
            return (None, false);
        };
        let past_newest = UpdateId(newest).as_offset();
        let floor = past_newest - HOLD_WINDOW as i32;
        match state.in_hand.first() {
            Some(&oldest) => {
                let held = UpdateId(oldest).as_offset() - 1;
                (Some(held.max(floor)), true)
            }
            None => (Some(past_newest), false),
        }
    }

    /// Takes an update in hand; `false` when it was seen before (Telegram sends what is not
    /// confirmed again).
    fn take(&self, id: UpdateId) -> bool {
        let mut state = self.state();
        if state.newest.is_some_and(|n| id.0 <= n) {
            return false;
        }
        state.newest = Some(id.0);
        state.in_hand.insert(id.0);
        true
    }

    /// Holds `id` in hand until the guard is dropped.
    pub fn guard(self: &Arc<Self>, id: UpdateId) -> UpdateGuard {
        UpdateGuard {
            tracker: self.clone(),
            id: id.0,
        }
    }

    fn finish(&self, id: u32) {
        self.state().in_hand.remove(&id);
        self.finished.notify_one();
    }

    /// How many updates are in hand.
    pub fn in_hand(&self) -> usize {
        self.state().in_hand.len()
    }
}

/// Marks an update handled when dropped.
#[derive(Debug)]
pub struct UpdateGuard {
    tracker: Arc<UpdateTracker>,
    id: u32,
}

impl Drop for UpdateGuard {
    fn drop(&mut self) {
        self.tracker.finish(self.id);
    }
}

/// The polling listener over `tracker`.
pub struct TrackedPolling {
    bot: TgBot,
    tracker: Arc<UpdateTracker>,
    allowed: Option<Vec<AllowedUpdate>>,
    buffer: VecDeque<Update>,
    token: StopToken,
    flag: StopFlag,
    /// Consecutive failed polls, for the backoff.
    errors: u32,
    /// The wait before the next poll, after a failed one.
    pause: Option<Duration>,
}

impl TrackedPolling {
    /// A listener that confirms updates once `tracker` says they are handled.
    pub fn new(bot: TgBot, tracker: Arc<UpdateTracker>) -> Self {
        let (token, flag) = mk_stop_token();
        TrackedPolling {
            bot,
            tracker,
            allowed: None,
            buffer: VecDeque::new(),
            token,
            flag,
            errors: 0,
            pause: None,
        }
    }

    /// The next update, `None` once stopped.
    async fn next(&mut self) -> Option<Result<Update, RequestError>> {
        loop {
            if let Some(update) = self.buffer.pop_front() {
                return Some(Ok(update));
            }
            if self.flag.is_stopped() {
                return None;
            }
            if let Some(delay) = self.pause.take() {
                tokio::select! {
                    _ = &mut self.flag => return None,
                    _ = tokio::time::sleep(delay) => {}
                }
            }
            let (offset, busy) = self.tracker.offset();
            let mut request =
                self.bot
                    .get_updates()
                    .limit(BATCH)
                    .timeout(if busy { 0 } else { LONG_POLL_SECS });
            if let Some(offset) = offset {
                request = request.offset(offset);
            }
            if let Some(allowed) = &self.allowed {
                request = request.allowed_updates(allowed.clone());
            }
            let result = tokio::select! {
                _ = &mut self.flag => return None,
                result = request.send() => result,
            };
            match result {
                Ok(updates) => {
                    self.errors = 0;
                    let fresh: Vec<Update> = updates
                        .into_iter()
                        .filter(|u| self.tracker.take(u.id))
                        .collect();
                    if fresh.is_empty() && busy {
                        tokio::select! {
                            _ = &mut self.flag => return None,
                            _ = self.tracker.finished.notified() => {}
                            _ = tokio::time::sleep(BUSY_POLL_EVERY) => {}
                        }
                    }
                    self.buffer.extend(fresh);
                }
                Err(e) if is_timeout(&e) => {
                    // The answer was late (a slow network, a proxy holding it): nothing failed
                    // that waiting would help; poll again at once.
                    tracing::debug!(error = %e, "a long poll timed out; polling again");
                }
                Err(e) => {
                    let delay = match e.retry_after() {
                        Some(after) => after.duration(),
                        None => {
                            self.errors = self.errors.saturating_add(1);
                            Duration::from_secs(u64::from(self.errors.min(6)).pow(2).max(1))
                        }
                    };
                    // The dispatcher's error handler reports the error now; the next poll
                    // waits first.
                    tracing::info!(retry_in = ?delay, "polling again after an error");
                    self.pause = Some(delay);
                    return Some(Err(e));
                }
            }
        }
    }
}

/// The client gave up waiting for the answer (as opposed to a refusal or a lost connection).
fn is_timeout(error: &RequestError) -> bool {
    matches!(error, RequestError::Network(e) if e.is_timeout())
}

impl<'a> AsUpdateStream<'a> for TrackedPolling {
    type StreamErr = RequestError;
    type Stream = BoxStream<'a, Result<Update, RequestError>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        Box::pin(futures::stream::unfold(self, |this| async move {
            let next = this.next().await?;
            Some((next, this))
        }))
    }
}

impl UpdateListener for TrackedPolling {
    type Err = RequestError;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.allowed = Some(hint.collect());
    }
}

/// Confirms every handled update to Telegram (after the dispatcher stopped, so a restart does
/// not get them again). Updates still in hand are left for the next start.
pub async fn confirm_handled(bot: &TgBot, tracker: &UpdateTracker) {
    let (Some(offset), _) = tracker.offset() else {
        return;
    };
    if let Err(e) = bot.get_updates().offset(offset).limit(1).timeout(0).await {
        tracing::warn!(error = %e, "could not confirm the last updates; they come again on the next start");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_stays_at_the_oldest_update_in_hand() {
        let tracker = Arc::new(UpdateTracker::default());
        assert_eq!(tracker.offset(), (None, false));
        assert!(tracker.take(UpdateId(10)));
        assert!(tracker.take(UpdateId(11)));
        assert!(tracker.take(UpdateId(12)));
        assert!(!tracker.take(UpdateId(11)), "a repeat is not taken twice");
        assert_eq!(tracker.offset(), (Some(10), true));
        // 11 and 12 finish first: 10 still holds the offset.
        drop(tracker.guard(UpdateId(11)));
        drop(tracker.guard(UpdateId(12)));
        assert_eq!(tracker.offset(), (Some(10), true));
        drop(tracker.guard(UpdateId(10)));
        assert_eq!(tracker.offset(), (Some(13), false));
        assert_eq!(tracker.in_hand(), 0);
    }

    #[test]
    fn a_stuck_update_holds_back_a_window_not_every_newer_update() {
        let tracker = Arc::new(UpdateTracker::default());
        for id in 1..=200 {
            assert!(tracker.take(UpdateId(id)));
            if id != 1 {
                drop(tracker.guard(UpdateId(id)));
            }
        }
        // Update 1 is stuck: the offset stays within `HOLD_WINDOW` of the newest, so a poll
        // still has room for updates newer than 200.
        assert_eq!(tracker.offset(), (Some(201 - HOLD_WINDOW as i32), true));
        drop(tracker.guard(UpdateId(1)));
        assert_eq!(tracker.offset(), (Some(201), false));
    }
}
