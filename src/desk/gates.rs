//! The gates every message passes before anything else: bans (a banned user's message goes
//! nowhere), flood control (too many messages in a minute: one notice, then silence), and the
//! maintenance notice put in front of every answer.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::outcome::{Action, Incoming, Intent, Outcome, Reply};
use super::{Desk, USER_CACHE_LIMIT, lock, read, texts, write};
use crate::lang::Lang;
use crate::store::BanKind;

/// Flood control's sliding window, in seconds.
const FLOOD_WINDOW_SECS: u64 = 60;

/// The maintenance notice is read from the store at most this often.
const NOTICE_TTL: Duration = Duration::from_secs(1);

/// A user's recent message times.
#[derive(Debug, Default)]
pub(super) struct FloodWindow {
    /// The last `flood_limit + 1` message times (unix seconds), in arrival order.
    times: VecDeque<u64>,
    /// The "too fast" notice was given in the current burst.
    noticed: bool,
}

/// Flood control's verdict on one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flood {
    /// Within the limit.
    Ok,
    /// Over the limit for the first time in this burst: say so once.
    Notice,
    /// Over the limit, already told.
    Silent,
}

#[derive(Debug, Default)]
pub(super) struct NoticeCache {
    read_at: Option<Instant>,
    text: Option<Arc<str>>,
}

impl Desk {
    /// Reads the maintenance notice from the store now (it is otherwise re-read at most once
    /// a second, so a change through the store shows within a second without this call).
    pub async fn refresh_maintenance(&self) {
        self.read_maintenance().await;
    }

    async fn read_maintenance(&self) -> Option<Arc<str>> {
        let read = self.store.maintenance().await;
        let mut cache = write(&self.notice);
        match read {
            Ok(notice) => cache.text = notice.map(|m| Arc::from(m.text.trim())),
            // Keep showing what was last known; try again after the TTL.
            Err(e) => tracing::error!(error = %e, "cannot read the maintenance notice"),
        }
        cache.read_at = Some(Instant::now());
        cache.text.clone()
    }

    /// The maintenance notice in force (cached for up to [`NOTICE_TTL`]).
    async fn maintenance_notice(&self) -> Option<Arc<str>> {
        {
            let cache = read(&self.notice);
            if cache.read_at.is_some_and(|at| at.elapsed() < NOTICE_TTL) {
                return cache.text.clone();
            }
        }
        self.read_maintenance().await
    }

    /// Puts the maintenance notice in front of an answer that has replies.
    pub(super) async fn add_notice(&self, out: &mut Outcome) {
        if out.replies.is_empty() || matches!(out.intent, Intent::Dropped | Intent::Throttled) {
            return;
        }
        if let Some(notice) = self.maintenance_notice().await.filter(|n| !n.is_empty()) {
            out.replies
                .insert(0, Reply::text(texts::maintenance(out.lang, &notice)));
        }
    }

    /// How the user is banned, if they are.
    pub(super) async fn ban_of(&self, user: i64) -> Option<BanKind> {
        match self.store.ban_of(user).await {
            Ok(ban) => ban.map(|b| b.kind),
            Err(e) => {
                tracing::error!(user, error = %e, "cannot read bans");
                None
            }
        }
    }

    /// The outcome for a banned user: nothing processed, one reply for a plain ban.
    pub(super) fn dropped(kind: BanKind, lang: Lang) -> Outcome {
        match kind {
            BanKind::Shadow => Outcome::silent(Intent::Dropped, lang),
            BanKind::Ban => Outcome::new(Intent::Dropped, lang, Reply::text(texts::banned(lang))),
        }
    }

    /// Counts a message against the user's flood window (message times from `Incoming::now`).
    fn flood_check(&self, user: i64, now: u64) -> Flood {
        let limit = self.settings.flood_limit as usize;
        if limit == 0 {
            return Flood::Ok;
        }
        let mut windows = lock(&self.flood);
        if windows.len() >= USER_CACHE_LIMIT && !windows.contains_key(&user) {
            windows.retain(|_, w| {
                w.times
                    .back()
                    .is_some_and(|t| now.saturating_sub(*t) < FLOOD_WINDOW_SECS)
            });
            if windows.len() >= USER_CACHE_LIMIT {
                windows.clear();
            }
        }
        let window = windows.entry(user).or_default();
        window.times.push_back(now);
        while window.times.len() > limit + 1 {
            window.times.pop_front();
        }
        // More than `limit` messages (this one included) within the last minute.
        let over = window.times.len() > limit
            && window
                .times
                .front()
                .is_some_and(|first| now.saturating_sub(*first) < FLOOD_WINDOW_SECS);
        if !over {
            window.noticed = false;
            Flood::Ok
        } else if window.noticed {
            Flood::Silent
        } else {
            window.noticed = true;
            Flood::Notice
        }
    }

    pub(super) fn throttled(flood: Flood, lang: Lang) -> Outcome {
        if flood == Flood::Notice {
            Outcome::new(Intent::Throttled, lang, Reply::text(texts::throttled(lang)))
        } else {
            Outcome::silent(Intent::Throttled, lang)
        }
    }

    /// The gates, in order: a banned user's message goes nowhere, then flood control. `Some`
    /// ends the message here; a secret in it is still deleted.
    pub(super) fn gates(
        &self,
        msg: &Incoming,
        ban: Option<BanKind>,
        secret: bool,
        lang: impl FnOnce() -> Lang,
    ) -> Option<Outcome> {
        if let Some(kind) = ban {
            let mut out = Self::dropped(kind, lang());
            if secret {
                out.actions.push(Action::DeleteMessage);
            }
            tracing::debug!(user = msg.user, ?kind, "message from a banned user dropped");
            return Some(out);
        }
        let flood = self.flood_check(msg.user, msg.now);
        if flood != Flood::Ok {
            let mut out = Self::throttled(flood, lang());
            if secret {
                tracing::warn!(user = msg.user, "a secret was pasted; message discarded");
                out.actions.push(Action::DeleteMessage);
            }
            return Some(out);
        }
        None
    }
}
