//! Work the bot does on its own: flagging tickets past their first-response target in the
//! staff chat, sending broadcasts (resumed after a restart from the stored progress), and
//! pruning statistics events past their retention and, on PostgreSQL, updates handled long ago.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{MessageId, ParseMode, ThreadId};

use super::{App, TgBot, lock, now, render, send_replies};
use crate::desk::outcome::Reply;
use crate::lang::Lang;
use crate::replica::Lease;
use crate::staff::{Delivery, run_broadcast};
use crate::store::Broadcast;

fn reply(text: String) -> Reply {
    Reply {
        text,
        buttons: Vec::new(),
    }
}

/// Handled updates are remembered this long (Telegram stops retrying an update within a day).
const UPDATES_KEPT: Duration = Duration::from_secs(2 * 24 * 3600);

/// Broadcasts this process is sending.
pub type Running = Arc<std::sync::Mutex<HashSet<u64>>>;

/// How often a replica looks for a broadcast nobody sends (a new one, or one whose replica
/// died or restarted).
const BROADCAST_SCAN: Duration = Duration::from_secs(2);

/// How long a runner waits for a broadcast's lease before leaving it to its holder.
const LEASE_WAIT: Duration = Duration::from_secs(2);

/// Every `every`, posts newly overdue tickets to the staff chat (a summary in the main chat and
/// a flag in each ticket's topic), on one replica at a time (the `sla-checker` lease). Each
/// ticket is flagged once per holder.
pub async fn sla_checker(bot: TgBot, app: Arc<App>, every: Duration) {
    let Some(chat) = app.staff_chat else {
        return;
    };
    let lease = Lease::keep(app.store.clone(), "sla-checker", app.holder.clone());
    let mut flagged: HashSet<u64> = HashSet::new();
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if !lease.held() {
            continue;
        }
        let now = now();
        let overdue = match app.desk.tickets().overdue(now).await {
            Ok(list) => list,
            Err(e) => {
                tracing::error!(error = %e, "cannot check overdue tickets");
                continue;
            }
        };
        let fresh: Vec<_> = overdue
            .into_iter()
            .filter(|t| !flagged.contains(&t.id))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let Some(summary) = app.staff.overdue_notice(&fresh, now).await else {
            continue;
        };
        if let Err(e) = send_replies(&bot, chat, None, &[reply(summary)]).await {
            tracing::warn!(error = %e, "cannot post the overdue summary");
            continue;
        }
        let flag = app.staff.lang().pick(
            "⏰ First response overdue: this ticket is past its target.",
            "⏰ 首次回复已超时：此工单已超过响应时限。",
        );
        for ticket in &fresh {
            flagged.insert(ticket.id);
            if let Ok(Some(thread)) = app.store.thread_of(ticket.id).await
                && let Some(topic) = thread.thread
            {
                let topic = Some(ThreadId(MessageId(topic)));
                if let Err(e) = send_replies(&bot, chat, topic, &[reply(flag.into())]).await {
                    tracing::warn!(ticket = ticket.id, error = %e, "cannot flag an overdue ticket");
                }
            }
        }
    }
}

/// How often expired statistics events are pruned (the first run is at start).
const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

/// Prunes statistics events past the desk's retention now, then every [`PRUNE_EVERY`].
pub async fn pruner(app: Arc<App>) {
    let mut interval = tokio::time::interval(PRUNE_EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = app.desk.prune_expired(now()).await {
            tracing::error!(error = %e, "cannot prune expired statistics events");
        }
        if let Some(pg) = app.store.postgres()
            && let Err(e) = pg.prune_updates(UPDATES_KEPT).await
        {
            tracing::error!(error = %e, "cannot prune handled updates");
        }
    }
}

fn progress_text(lang: Lang, b: &Broadcast) -> String {
    let state = match (lang, b.done) {
        (Lang::En, true) => "done",
        (Lang::En, false) => "sending…",
        (Lang::Zh, true) => "已完成",
        (Lang::Zh, false) => "发送中…",
    };
    match lang {
        Lang::En => format!(
            "📣 Broadcast #{}: {state} {} sent, {} not reachable, {} skipped.",
            b.id, b.sent, b.failed, b.skipped
        ),
        Lang::Zh => format!(
            "📣 公告 #{}：{state} 已发送 {}，无法送达 {}，跳过 {}。",
            b.id, b.sent, b.failed, b.skipped
        ),
    }
}

/// Starts sending broadcast `id` in the background, with a progress message in `chat`.
pub async fn start_broadcast(
    bot: &TgBot,
    app: &App,
    id: u64,
    chat: ChatId,
    thread: Option<ThreadId>,
) {
    let store = app.store.clone();
    let Ok(Some(mut broadcast)) = store.broadcast(id).await else {
        tracing::error!(broadcast = id, "broadcast not found");
        return;
    };
    if broadcast.progress_message.is_none() {
        let text = progress_text(app.staff.lang(), &broadcast);
        match send_replies(bot, chat, thread, &[reply(text)]).await {
            Ok(ids) => {
                broadcast.progress_message = ids.first().map(|m| (chat.0, m.0));
                if let Err(e) = store.save_broadcast(&broadcast).await {
                    tracing::error!(broadcast = id, error = %e, "cannot save the broadcast");
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot post broadcast progress"),
        }
    }
    spawn_runner(bot.clone(), app, id, broadcast.progress_message);
}

/// Sends every broadcast not done that no replica is sending: at start (one a restart
/// interrupted), and every [`BROADCAST_SCAN`] (one whose replica died).
pub async fn broadcast_runner(bot: TgBot, app: Arc<App>) {
    let mut every = tokio::time::interval(BROADCAST_SCAN);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let pending = match app.store.broadcasts().await {
            Ok(all) => all.into_iter().filter(|b| !b.done),
            Err(e) => {
                tracing::error!(error = %e, "cannot read broadcasts");
                continue;
            }
        };
        for b in pending {
            spawn_runner(bot.clone(), &app, b.id, b.progress_message);
        }
    }
}

/// Sends broadcast `id` from its stored cursor under its lease (`broadcast:<id>`), unless this
/// process sends it already or another replica holds the lease. Losing the lease stops it
/// (another replica continues from the cursor, committed before each send: nobody twice).
fn spawn_runner(bot: TgBot, app: &App, id: u64, progress_message: Option<(i64, i32)>) {
    let running = app.broadcasts_running.clone();
    if !lock(&running).insert(id) {
        return;
    }
    let store = app.store.clone();
    let lang = app.staff.lang();
    let mut lease = Lease::keep(store.clone(), format!("broadcast:{id}"), app.holder.clone());
    tokio::spawn(async move {
        if tokio::time::timeout(LEASE_WAIT, lease.wait_held())
            .await
            .is_ok()
        {
            tokio::select! {
                () = send_broadcast(bot, store, id, lang, progress_message) => {}
                () = lease.lost() => {
                    tracing::warn!(broadcast = id, "broadcast lease lost; another replica continues");
                }
            }
        }
        lock(&running).remove(&id);
    });
}

/// Sends broadcast `id` to the users after its cursor, editing its progress message.
async fn send_broadcast(
    bot: TgBot,
    store: crate::store::Store,
    id: u64,
    lang: Lang,
    progress_message: Option<(i64, i32)>,
) {
    {
        let sender = bot.clone();
        let send = move |user: i64, text: String| {
            let bot = sender.clone();
            async move {
                match bot
                    .send_message(ChatId(user), render::html(&text))
                    .parse_mode(ParseMode::Html)
                    .await
                {
                    Ok(_) => Delivery::Sent,
                    Err(teloxide::RequestError::RetryAfter(after)) => {
                        Delivery::RetryAfter(after.duration())
                    }
                    Err(teloxide::RequestError::Network(_) | teloxide::RequestError::Io(_)) => {
                        Delivery::RetryAfter(Duration::from_secs(5))
                    }
                    Err(e) => {
                        tracing::info!(user, error = %e, "broadcast not delivered");
                        Delivery::Unreachable
                    }
                }
            }
        };
        let progress = move |b: Broadcast| {
            let bot = bot.clone();
            async move {
                if let Some((chat, message)) = progress_message {
                    // "Not modified" and the like are harmless.
                    let _ = bot
                        .edit_message_text(
                            ChatId(chat),
                            MessageId(message),
                            progress_text(lang, &b),
                        )
                        .await;
                }
            }
        };
        match run_broadcast(&store, id, send, progress).await {
            Ok(b) => tracing::info!(
                broadcast = id,
                sent = b.sent,
                failed = b.failed,
                "broadcast finished"
            ),
            Err(e) => tracing::error!(broadcast = id, error = %e, "broadcast stopped"),
        }
    }
}
