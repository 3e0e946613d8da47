//! Telegram's flood limits on the methods that send messages, opt-in: the limits a test sets,
//! a log of the bot's recent messages, and the 429 "Too Many Requests: retry after N" a send
//! over a limit gets. Other methods (edits, answerCallbackQuery, getUpdates…) are never limited.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::methods::{self, Params};
use super::state::{ApiErr, State};

/// The methods that send a message, lowercased: the only ones the limits apply to.
const SENDING: &[&str] = &[
    "sendmessage",
    "sendphoto",
    "senddocument",
    "sendsticker",
    "copymessage",
    "forwardmessage",
];

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

/// How many messages the bot may send, as Telegram counts them: in any sliding window, a
/// message that would make a count exceed its limit is refused. A limit of 0 refuses all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Messages to one chat (private or group) within `chat_window`.
    pub per_chat: u32,
    pub chat_window: Duration,
    /// Messages across all chats within one second.
    pub overall_per_sec: u32,
    /// Messages to one group or supergroup within one minute.
    pub group_per_min: u32,
}

impl RateLimits {
    /// Telegram's published limits (core.telegram.org/bots/faq): one message a second to a
    /// chat, 30 a second overall, 20 a minute to a group. Telegram tolerates short bursts in a
    /// chat; raise `per_chat` (or widen `chat_window`) to emulate that.
    pub fn telegram() -> Self {
        Self {
            per_chat: 1,
            chat_window: SECOND,
            overall_per_sec: 30,
            group_per_min: 20,
        }
    }
}

/// The bot's messages of the last minute (or `chat_window`, if longer), oldest first, as
/// (when, chat). Every message sent is logged, limits on or off, so limits switched on in the
/// middle of a test see the traffic before.
#[derive(Debug, Default)]
pub(crate) struct SendLog {
    sent: VecDeque<(Instant, i64)>,
}

impl SendLog {
    fn record(&mut self, chat: i64, now: Instant, horizon: Duration) {
        self.forget(now, horizon);
        self.sent.push_back((now, chat));
    }

    fn forget(&mut self, now: Instant, horizon: Duration) {
        while self
            .sent
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) >= horizon)
        {
            self.sent.pop_front();
        }
    }

    /// How long until one more message to `chat` fits every limit (zero: it fits now).
    fn wait(&mut self, limits: &RateLimits, chat: i64, now: Instant) -> Duration {
        self.forget(now, horizon(Some(limits)));
        let mut rules = vec![
            (limits.per_chat, limits.chat_window, Some(chat)),
            (limits.overall_per_sec, SECOND, None),
        ];
        if chat < 0 {
            rules.push((limits.group_per_min, MINUTE, Some(chat)));
        }
        rules
            .into_iter()
            .map(|(limit, window, only)| {
                let in_window: Vec<Instant> = self
                    .sent
                    .iter()
                    .filter(|(at, c)| {
                        now.duration_since(*at) < window && only.is_none_or(|o| o == *c)
                    })
                    .map(|(at, _)| *at)
                    .collect();
                if in_window.len() < limit as usize {
                    return Duration::ZERO;
                }
                // The window has room again once all but `limit - 1` of its messages left it.
                in_window
                    .get(in_window.len() - limit as usize)
                    .map_or(window, |at| (*at + window).saturating_duration_since(now))
            })
            .max()
            .unwrap_or_default()
    }
}

/// How far back the log must reach for these limits.
fn horizon(limits: Option<&RateLimits>) -> Duration {
    limits.map_or(MINUTE, |l| l.chat_window.max(MINUTE))
}

impl State {
    /// Runs a method under the rate limits: a message over a limit is refused with 429 (and
    /// neither sent nor counted); a message sent is logged.
    pub(crate) fn call_limited(&mut self, method: &str, p: &Params) -> Result<Value, ApiErr> {
        let lower = method.to_ascii_lowercase();
        // An unknown chat is refused by the method itself; it never reaches the limits.
        let chat = p
            .i64("chat_id")
            .filter(|c| SENDING.contains(&lower.as_str()) && self.is_known_chat(*c));
        let Some(chat) = chat else {
            return methods::call(self, method, p);
        };
        let now = Instant::now();
        if let Some(limits) = self.rate_limits {
            let wait = self.send_log.wait(&limits, chat, now);
            if !wait.is_zero() {
                self.rate_limited += 1;
                return Err(too_many_requests(wait));
            }
        }
        let result = methods::call(self, method, p);
        if result.is_ok() {
            let horizon = horizon(self.rate_limits.as_ref());
            self.send_log.record(chat, now, horizon);
        }
        result
    }
}

/// Telegram's answer to a flood: whole seconds to wait, at least one.
fn too_many_requests(wait: Duration) -> ApiErr {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = u32::try_from(secs.max(1)).unwrap_or(u32::MAX);
    ApiErr {
        code: 429,
        description: format!("Too Many Requests: retry after {secs}"),
        retry_after: Some(secs),
    }
}
