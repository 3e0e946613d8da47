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
use crate::replica::{Lease, Members};
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

/// Every `every`, queues tickets not yet in the staff chat for posting and posts newly overdue
/// tickets (a summary in the main chat and a flag in each ticket's topic), on one replica at a
/// time (the `sla-checker` lease). Each
/// ticket is flagged once: the flag is kept in the ticket, so a restart or another replica
/// taking the lease over does not flag it again.
pub async fn sla_checker(bot: TgBot, app: Arc<App>, every: Duration) {
    let Some(chat) = app.staff_chat else {
        return;
    };
    let lease = Lease::keep(app.store.clone(), "sla-checker", app.holder.clone());
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if !lease.held() {
            continue;
        }
        // One read of the tickets for both looks.
        match app.store.tickets().await {
            Ok(tickets) => {
                super::cards::sweep(&app, &tickets).await;
                flag_overdue(&bot, &app, chat, &tickets, now()).await;
            }
            Err(e) => tracing::error!(error = %e, "cannot read the tickets"),
        }
    }
}

/// Posts the `tickets` that became overdue since the last look, and marks each flagged.
async fn flag_overdue(
    bot: &TgBot,
    app: &App,
    chat: ChatId,
    tickets: &[crate::store::TicketRecord],
    now: u64,
) {
    let fresh: Vec<_> = tickets
        .iter()
        .filter(|t| t.overdue_flagged_at.is_none() && app.desk.tickets().is_overdue(t, now))
        .cloned()
        .collect();
    if fresh.is_empty() {
        return;
    }
    let Some(summary) = app.staff.overdue_notice(&fresh, now).await else {
        return;
    };
    if let Err(e) = send_replies(bot, chat, None, &[reply(summary)]).await {
        tracing::warn!(error = %e, "cannot post the overdue summary");
        return;
    }
    let flag = app.staff.lang().pick(
        "⏰ First response overdue: this ticket is past its target.",
        "⏰ 首次回复已超时：此工单已超过响应时限。",
    );
    for ticket in &fresh {
        let marked = app
            .store
            .update_ticket(ticket.id, |t| {
                t.overdue_flagged_at.get_or_insert(now);
                Ok::<_, crate::store::StoreError>(())
            })
            .await;
        if let Err(e) = marked {
            tracing::error!(ticket = ticket.id, error = %e, "cannot mark a ticket flagged overdue");
        }
        if let Ok(Some(thread)) = app.store.thread_of(ticket.id).await
            && let Some(topic) = thread.thread
        {
            let topic = Some(ThreadId(MessageId(topic)));
            if let Err(e) = send_replies(bot, chat, topic, &[reply(flag.into())]).await {
                tracing::warn!(ticket = ticket.id, error = %e, "cannot flag an overdue ticket");
            }
        }
    }
}

/// Shares the bot's limits among the live replicas: each sends at most its share of the
/// `per_second` overall and of the 20 a minute to a group (Telegram counts the bot's messages,
/// whichever replica sends them), divided again whenever the live replicas change. A replica
/// that died leaves its share to the others once its lease lapses.
pub async fn share_rate(bot: TgBot, members: Arc<Members>, per_second: u32) {
    let mut sharing = 1;
    let mut live = members.watch();
    loop {
        let replicas = live.borrow_and_update().len();
        if replicas != sharing {
            let limits = shared_limits(per_second, replicas);
            tracing::info!(
                replicas,
                messages_per_second = limits.messages_per_sec_overall,
                "this replica's share of the bot's rate"
            );
            bot.inner().set_limits(limits).await;
            sharing = replicas;
        }
        if live.changed().await.is_err() {
            return;
        }
    }
}

/// One replica's share of the bot's limits among `replicas`: at least one message a second
/// overall and one a minute to a group.
fn shared_limits(per_second: u32, replicas: usize) -> teloxide::adaptors::throttle::Limits {
    let replicas = u32::try_from(replicas.max(1)).unwrap_or(u32::MAX);
    let mut limits = super::telegram_limits(per_second);
    limits.messages_per_sec_overall = (per_second / replicas).max(1);
    limits.messages_per_min_channel_or_supergroup =
        (limits.messages_per_min_channel_or_supergroup / replicas).max(1);
    limits
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
        if let Some(pg) = app.store.postgres()
            && let Err(e) = pg.prune_leases(UPDATES_KEPT).await
        {
            tracing::error!(error = %e, "cannot prune lapsed leases");
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
pub fn start_broadcast(bot: &TgBot, app: &App, id: u64, chat: ChatId, thread: Option<ThreadId>) {
    spawn_runner(bot.clone(), app, id, Some((chat, thread)));
}

/// Sends every broadcast not done that no replica is sending: at start (one a restart
/// interrupted), and every [`BROADCAST_SCAN`] (one whose replica died). A resumed broadcast
/// shows its progress in the staff chat's main topic.
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
            let progress_at = app.staff_chat.map(|chat| (chat, None));
            spawn_runner(bot.clone(), &app, b.id, progress_at);
        }
    }
}

/// Where a broadcast's progress is shown: a chat and topic.
type ProgressAt = Option<(ChatId, Option<ThreadId>)>;

/// Sends broadcast `id` from its stored cursor under its lease (`broadcast:<id>`), unless this
/// process sends it already or another replica holds the lease. Losing the lease stops it
/// (another replica continues from the cursor, committed before each send: nobody twice).
fn spawn_runner(bot: TgBot, app: &App, id: u64, progress_at: ProgressAt) {
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
                () = send_broadcast(bot, store, id, lang, progress_at) => {}
                () = lease.lost() => {
                    tracing::warn!(broadcast = id, "broadcast lease lost; another replica continues");
                }
            }
        }
        lock(&running).remove(&id);
    });
}

/// Sends broadcast `id` to the users after its cursor. Its progress message (the stored one,
/// or one posted at `progress_at` beside the sending: the staff chat may be slower than the
/// users' chats) is edited as it goes and when it ends.
async fn send_broadcast(
    bot: TgBot,
    store: crate::store::Store,
    id: u64,
    lang: Lang,
    progress_at: ProgressAt,
) {
    let stored = store.broadcast(id).await.ok().flatten();
    let (shown, showing) =
        tokio::sync::watch::channel(stored.as_ref().and_then(|b| b.progress_message));
    let poster = match (stored, progress_at) {
        (Some(b), Some((chat, thread))) if b.progress_message.is_none() => {
            let bot = bot.clone();
            Some(tokio::spawn(async move {
                let text = progress_text(lang, &b);
                match send_replies(&bot, chat, thread, &[reply(text)]).await {
                    Ok(ids) => shown.send_replace(ids.first().map(|m| (chat.0, m.0))),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot post broadcast progress");
                        None
                    }
                };
            }))
        }
        _ => None,
    };
    let sender = bot.clone();
    let send = move |user: i64, text: String| deliver(sender.clone(), user, text);
    let edits = bot.clone();
    let last = showing.clone();
    let progress = move |b: Broadcast| show_progress(edits.clone(), *showing.borrow(), lang, b);
    let finished = match run_broadcast(&store, id, send, progress).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(broadcast = id, error = %e, "broadcast stopped");
            return;
        }
    };
    tracing::info!(
        broadcast = id,
        sent = finished.sent,
        failed = finished.failed,
        "broadcast finished"
    );
    // Posted while it ran (perhaps after its last edit: a staff chat slower than the
    // broadcast): shows the end.
    if let Some(poster) = poster {
        let _ = poster.await;
        let message = *last.borrow();
        show_progress(bot, message, lang, finished).await;
    }
}

/// Sends one announcement.
async fn deliver(bot: TgBot, user: i64, text: String) -> Delivery {
    match bot
        .send_message(ChatId(user), render::html(&text))
        .parse_mode(ParseMode::Html)
        .await
    {
        Ok(_) => Delivery::Sent,
        Err(teloxide::RequestError::RetryAfter(after)) => Delivery::RetryAfter(after.duration()),
        Err(teloxide::RequestError::Network(_) | teloxide::RequestError::Io(_)) => {
            Delivery::RetryAfter(Duration::from_secs(5))
        }
        Err(e) => {
            tracing::info!(user, error = %e, "broadcast not delivered");
            Delivery::Unreachable
        }
    }
}

/// Edits the progress message, if there is one yet, to show `b`.
async fn show_progress(bot: TgBot, message: Option<(i64, i32)>, lang: Lang, b: Broadcast) {
    if let Some((chat, message)) = message {
        // "Not modified" and the like are harmless.
        let _ = bot
            .edit_message_text(ChatId(chat), MessageId(message), progress_text(lang, &b))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_share_the_bots_rate() {
        let share = |per_second, replicas| {
            let l = shared_limits(per_second, replicas);
            (
                l.messages_per_sec_overall,
                l.messages_per_min_channel_or_supergroup,
                l.messages_per_sec_chat,
            )
        };
        assert_eq!(share(30, 1), (30, 20, 1));
        assert_eq!(share(30, 3), (10, 6, 1));
        assert_eq!(share(30, 4), (7, 5, 1));
        // Never nothing, whatever runs.
        assert_eq!(share(30, 100), (1, 1, 1));
        assert_eq!(share(30, 0), (30, 20, 1));
    }
}
