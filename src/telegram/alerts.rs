//! Alerts through Telegram: the watchers of this replica's share of the watched addresses
//! started beside the bot (all of them on one process), the share's outbox sent to each user's
//! private chat (critical alerts and liquidations first; Telegram's limits kept by the bot's
//! `Throttle`, which waits out a 429 rather than dropping), and the watchers' events (a node
//! down, back) posted once to the staff chat.

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::{HandlerError, TgBot, now, send_replies};
use crate::alerts::follow::{self, Followed, WatchEvent, Watching};
use crate::alerts::{
    AlertsConfig, SendFailure, Shard, SubscriptionsChanged, deliver_share, notice,
};
use crate::desk::outcome::{Button, Reply};
use crate::lang::Lang;
use crate::replica::{LEASE_TTL, Members, place};
use crate::store::{OutboxEntry, Store};

/// How often the outbox is looked at when no tick woke the sender (alerts that waited on a
/// Telegram failure, or were left by a crash before they were sent).
const RETRY_EVERY: Duration = Duration::from_secs(5);

/// What the watchers need: one reader per market (their own connections, not the desk's)
/// and the settings.
#[derive(Debug, Clone)]
pub struct WatchSetup {
    /// One reader per watched market (Aave) or deployment (Morpho).
    pub readers: Vec<Followed>,
    /// Levels, margin, poll.
    pub config: AlertsConfig,
    /// WebSocket endpoints by market name, for newHeads.
    pub ws_urls: std::collections::BTreeMap<String, String>,
}

/// The watchers and the tasks that carry their output to Telegram; stops them when dropped.
#[derive(Debug)]
pub struct AlertTasks {
    _watching: Watching,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for AlertTasks {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts the watchers, the sender and the staff notices.
pub fn start(
    bot: &TgBot,
    store: &Store,
    setup: WatchSetup,
    changed: SubscriptionsChanged,
    staff: Option<(ChatId, Lang)>,
) -> AlertTasks {
    let shard = setup.config.shard;
    let mut watching = follow::spawn_all(
        setup.readers,
        &setup.ws_urls,
        store.clone(),
        setup.config,
        changed,
    );
    let events = std::mem::replace(&mut watching.events, mpsc::unbounded_channel().1);
    let tasks = vec![
        tokio::spawn(sender(
            bot.clone(),
            store.clone(),
            watching.outbox.clone(),
            shard,
        )),
        tokio::spawn(staff_notices(bot.clone(), staff, events)),
    ];
    AlertTasks {
        _watching: watching,
        tasks,
    }
}

/// The watchers, the sender and the staff notices of this replica's share of the watched
/// addresses: replicas split them by their place among the live ones and share them out again
/// within seconds of one coming or going (on sled: all of them, here). Staff hear of a node
/// failure from the first share only.
pub async fn run_sharded(
    bot: TgBot,
    store: Store,
    setup: WatchSetup,
    changed: SubscriptionsChanged,
    staff: Option<(ChatId, Lang)>,
    members: Arc<Members>,
) {
    if store.postgres().is_some() {
        // Replicas starting together see each other before they share anything out.
        tokio::time::sleep(LEASE_TTL / 3).await;
    }
    let mut live = members.watch();
    let mut current: Option<(Shard, AlertTasks)> = None;
    loop {
        let (index, count) = place(&live.borrow_and_update(), members.holder());
        let shard = Shard::new(index, count);
        if current.as_ref().is_none_or(|(s, _)| *s != shard) {
            // The old share stops before the new one starts.
            drop(current.take());
            tracing::info!(
                share = shard.index,
                of = shard.count,
                "watching this replica's share of the watched addresses"
            );
            let mut setup = setup.clone();
            setup.config.shard = shard;
            let staff = staff.filter(|_| shard.index == 0);
            let tasks = start(&bot, &store, setup, changed.clone(), staff);
            current = Some((shard, tasks));
        }
        if live.changed().await.is_err() {
            return;
        }
    }
}

/// Sends the outbox's entries of `shard`'s addresses whenever a tick wrote to it, and every
/// [`RETRY_EVERY`] (the first round at start: what a crash left unsent goes out now).
pub async fn sender(bot: TgBot, store: Store, outbox: Arc<Notify>, shard: Shard) {
    loop {
        match deliver_share(&store, now(), shard, |entry| send_alert(&bot, entry)).await {
            Ok(done) if done.sent + done.coalesced + done.dropped + done.waiting > 0 => {
                tracing::info!(
                    sent = done.sent,
                    coalesced = done.coalesced,
                    dropped = done.dropped,
                    waiting = done.waiting,
                    "alerts delivered"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot read or update the alert outbox"),
        }
        tokio::select! {
            _ = outbox.notified() => {}
            _ = tokio::time::sleep(RETRY_EVERY) => {}
        }
    }
}

/// One alert to its user's private chat.
async fn send_alert(bot: &TgBot, entry: OutboxEntry) -> Result<(), SendFailure> {
    let reply = Reply {
        text: entry.text,
        buttons: entry
            .buttons
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|b| Button {
                        label: b.label,
                        data: b.data,
                    })
                    .collect()
            })
            .collect(),
    };
    match send_replies(bot, ChatId(entry.user), None, &[reply]).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let failure = failure_of(&e);
            tracing::warn!(user = entry.user, error = %e, ?failure, "an alert was not delivered");
            Err(failure)
        }
    }
}

/// A chat that is gone or that blocked the bot is never retried; anything else is.
fn failure_of(error: &HandlerError) -> SendFailure {
    use teloxide::{ApiError, RequestError};
    match error.downcast_ref::<RequestError>() {
        Some(RequestError::Api(
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::BotKicked
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots,
        )) => SendFailure::Never,
        _ => SendFailure::Later,
    }
}

/// Posts each watcher event to the staff chat (and logs it).
async fn staff_notices(
    bot: TgBot,
    staff: Option<(ChatId, Lang)>,
    mut events: mpsc::UnboundedReceiver<WatchEvent>,
) {
    while let Some(event) = events.recv().await {
        let Some((chat, lang)) = staff else {
            tracing::warn!(?event, "alert watcher event (no staff chat to tell)");
            continue;
        };
        let text = notice::watch_event_text(&event, lang);
        let reply = Reply {
            text,
            buttons: Vec::new(),
        };
        if let Err(e) = send_replies(&bot, chat, None, &[reply]).await {
            tracing::warn!(error = %e, "cannot tell staff about the alert watcher");
        }
    }
}
