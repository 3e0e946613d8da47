//! Messages in the staff chat: commands go to the staff desk, anything else a staff member
//! writes in a ticket's topic (or as a reply to a ticket's message) goes to the user.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{MessageId, ThreadId};

use super::{App, HandlerError, TgBot, actor, background, now, relay, send_replies, user_id};
use crate::staff::{StaffEffect, StaffOutcome};
use crate::store::RelayedMessage;

/// The ticket a staff chat message is about: its forum topic, or the ticket message it
/// replies to.
async fn ticket_of(app: &App, msg: &Message) -> Result<Option<u64>, HandlerError> {
    let store = &app.store;
    if let Some(thread) = msg.thread_id
        && msg.is_topic_message
        && let Some(ticket) = store.ticket_in_thread(msg.chat.id.0, thread.0.0).await?
    {
        return Ok(Some(ticket));
    }
    if let Some(reply) = msg.reply_to_message() {
        return Ok(store
            .ticket_of_staff_message(msg.chat.id.0, reply.id.0)
            .await?);
    }
    Ok(None)
}

pub(super) async fn on_message(
    bot: TgBot,
    msg: Message,
    app: Arc<App>,
) -> Result<(), HandlerError> {
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    if from.is_bot {
        return Ok(());
    }
    let ticket = ticket_of(&app, &msg).await?;
    let text = msg.text().or(msg.caption()).unwrap_or_default();
    if msg.text().is_some() && text.starts_with('/') {
        let out = app.staff.command(&actor(from), text, ticket, now()).await;
        return apply_staff_outcome(&bot, &app, msg.chat.id, msg.thread_id, &out, Some(&msg)).await;
    }
    // Only staff speak for the team; anyone else in the staff chat is ignored.
    if app.staff.role(user_id(from)).await.is_none() {
        return Ok(());
    }
    match ticket {
        Some(ticket) => relay::staff_to_user(&bot, &app, ticket, &msg).await,
        None => Ok(()),
    }
}

/// Carries out a staff desk outcome: replies where the command was given, messages to users
/// as the support team (recorded in the message map), topics closed or reopened, broadcasts
/// started.
pub(super) async fn apply_staff_outcome(
    bot: &TgBot,
    app: &App,
    chat: ChatId,
    thread: Option<ThreadId>,
    out: &StaffOutcome,
    source: Option<&Message>,
) -> Result<(), HandlerError> {
    // A broadcast starts at once: the staff chat (20 messages a minute) may make the answer
    // below wait.
    for effect in &out.effects {
        if let StaffEffect::StartBroadcast(id) = effect {
            background::start_broadcast(bot, app, *id, chat, thread);
        }
    }
    send_replies(bot, chat, thread, &out.replies).await?;
    let store = &app.store;
    for (user, reply) in &out.to_user {
        match send_replies(bot, ChatId(*user), None, std::slice::from_ref(reply)).await {
            Ok(ids) => {
                // Staff see the user's copy as a relay of their command message.
                let ticket = store.tickets_of(*user).await?.last().map(|t| t.id);
                if let (Some(source), Some(ticket), Some(first)) = (source, ticket, ids.first()) {
                    store
                        .save_relay(&RelayedMessage {
                            ticket,
                            user_chat: *user,
                            user_message: first.0,
                            staff_chat: source.chat.id.0,
                            staff_message: source.id.0,
                            from_staff: true,
                        })
                        .await?;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "a message to a user could not be delivered");
                let notice = app.staff.lang().pick(
                    "⚠️ The user could not be reached (blocked the bot, or the account is gone).",
                    "⚠️ 无法联系到该用户（已屏蔽机器人或账号已注销）。",
                );
                send_replies(
                    bot,
                    chat,
                    thread,
                    &[crate::desk::outcome::Reply {
                        text: notice.to_string(),
                        buttons: Vec::new(),
                    }],
                )
                .await?;
            }
        }
        app.desk.ticket_changed(*user);
    }
    for effect in &out.effects {
        match effect {
            StaffEffect::StartBroadcast(_) => {}
            StaffEffect::CloseTopic(ticket) | StaffEffect::ReopenTopic(ticket) => {
                let close = matches!(effect, StaffEffect::CloseTopic(_));
                if let Some(user) = store.ticket(*ticket).await?.map(|t| t.user) {
                    app.desk.ticket_changed(user);
                }
                let Some(t) = store.thread_of(*ticket).await? else {
                    continue;
                };
                let Some(topic) = t.thread else {
                    continue;
                };
                let topic = ThreadId(MessageId(topic));
                let result = if close {
                    bot.close_forum_topic(ChatId(t.chat), topic).await
                } else {
                    bot.reopen_forum_topic(ChatId(t.chat), topic).await
                };
                if let Err(e) = result {
                    tracing::warn!(ticket, error = %e, "cannot close or reopen the ticket's topic");
                }
            }
        }
    }
    Ok(())
}
