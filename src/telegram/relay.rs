//! The relay between a user and the staff chat: a ticket's topic (or, without forum mode, its
//! card message that staff reply to), copies of the user's messages into it, staff answers back
//! to the user signed as the support team, and edits synced along the message map.
//!
//! Every relayed message is recorded in the store (flushed) right after Telegram accepted it,
//! and a message already in the map is never relayed twice, so an update redelivered after a
//! crash is not duplicated.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{MessageId, ParseMode, ReplyParameters, ThreadId};

use super::{App, HandlerError, TgBot, now, render, retry, send_replies};
use crate::desk::outcome::{Incoming, Reply};
use crate::lang::Lang;
use crate::staff::StaffDesk;
use crate::store::{RelayedMessage, TicketStatus, TicketThread};

/// What [`ensure_thread`] found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// The ticket was already posted to staff.
    Existing,
    /// It was posted now (topic and user card).
    Created,
    /// No staff chat is configured.
    NoStaffChat,
}

fn thread_id(raw: Option<i32>) -> Option<ThreadId> {
    raw.map(|t| ThreadId(MessageId(t)))
}

/// Posts a ticket to the staff chat if it is not there yet: a forum topic named after the
/// user and ticket with the user card in it, or (without topics) the card as a message staff
/// reply to. One at a time per ticket, in this process and across replicas.
pub async fn ensure_thread(
    bot: &TgBot,
    app: &App,
    ticket: u64,
) -> Result<ThreadState, HandlerError> {
    let Some(chat) = app.staff_chat else {
        tracing::warn!(
            ticket,
            "ticket opened; no staff chat is configured (telegram.staff_chat)"
        );
        return Ok(ThreadState::NoStaffChat);
    };
    let lock = app.ticket_lock(ticket).await;
    let _guard = lock.lock().await;
    let across = app.store.lock_ticket(ticket).await?;
    let posted = post_thread(bot, app, chat, ticket).await;
    if let Some(across) = across {
        across.release().await?;
    }
    posted
}

/// Posts the ticket's topic and card unless it has them (its locks held).
async fn post_thread(
    bot: &TgBot,
    app: &App,
    chat: ChatId,
    ticket: u64,
) -> Result<ThreadState, HandlerError> {
    let store = &app.store;
    let existing = store.thread_of(ticket).await?;
    if existing.as_ref().is_some_and(posted) {
        return Ok(ThreadState::Existing);
    }
    let record = store
        .ticket(ticket)
        .await?
        .ok_or_else(|| format!("ticket #{ticket} is not in the store"))?;
    // A topic opened by a try that stopped before its card gets the card now.
    let mut thread = existing.unwrap_or(TicketThread {
        ticket,
        chat: chat.0,
        thread: None,
        card: None,
    });
    if app.forum && thread.thread.is_none() {
        match bot
            .create_forum_topic(chat, app.staff.topic_title(&record).await)
            .await
        {
            Ok(topic) => {
                thread.thread = Some(topic.thread_id.0.0);
                // On disk before anything else: a restart must not open a second topic.
                store.save_thread(&thread).await?;
            }
            Err(e) => {
                tracing::warn!(ticket, error = %e, "cannot create a forum topic; posting the card in the chat");
            }
        }
    }
    let card = app.staff.user_card(&record).await;
    let sent = send_replies(
        bot,
        chat,
        thread_id(thread.thread),
        &[Reply {
            text: card,
            buttons: Vec::new(),
        }],
    )
    .await?;
    thread.card = sent.first().map(|m| m.0);
    store.save_thread(&thread).await?;
    for id in &sent {
        store.save_ticket_message(chat.0, id.0, ticket).await?;
    }
    Ok(ThreadState::Created)
}

/// Whether a ticket's thread is complete: its card is in the staff chat.
pub fn posted(thread: &TicketThread) -> bool {
    thread.card.is_some()
}

/// The auto-reply for a ticket opened outside business hours: when a person will answer.
pub async fn out_of_hours_reply(app: &App, ticket: u64, now: u64) -> Option<Reply> {
    let record = app.store.ticket(ticket).await.ok().flatten()?;
    let text = app.desk.tickets().out_of_hours_notice(&record, now)?;
    Some(Reply {
        text,
        buttons: Vec::new(),
    })
}

/// Copies a user's message (text, photo, document…) into the ticket's topic.
pub async fn user_to_staff(
    bot: &TgBot,
    app: &App,
    ticket: u64,
    msg: &Message,
) -> Result<(), HandlerError> {
    let Some(chat) = app.staff_chat else {
        return Ok(());
    };
    let store = &app.store;
    if store
        .relay_of_user_message(msg.chat.id.0, msg.id.0)
        .await?
        .is_some()
    {
        return Ok(());
    }
    if !store.thread_of(ticket).await?.as_ref().is_some_and(posted) {
        ensure_thread(bot, app, ticket).await?;
    }
    let Some(thread) = store.thread_of(ticket).await? else {
        return Ok(());
    };
    let copy = retry::retrying("copyMessage", || {
        let mut request = bot.copy_message(chat, msg.chat.id, msg.id);
        if let Some(t) = thread_id(thread.thread) {
            request = request.message_thread_id(t);
        } else if let Some(card) = thread.card {
            request = request.reply_parameters(
                ReplyParameters::new(MessageId(card)).allow_sending_without_reply(),
            );
        }
        request.send()
    })
    .await?;
    store
        .save_relay(&RelayedMessage {
            ticket,
            user_chat: msg.chat.id.0,
            user_message: msg.id.0,
            staff_chat: chat.0,
            staff_message: copy.0,
            from_staff: false,
        })
        .await?;
    Ok(())
}

/// Sends a staff member's message in a ticket's topic to the user, signed as the support team
/// (never from the staff member's own account); the first response is recorded first.
pub async fn staff_to_user(
    bot: &TgBot,
    app: &App,
    ticket: u64,
    msg: &Message,
) -> Result<(), HandlerError> {
    let store = &app.store;
    if store
        .relay_of_staff_message(msg.chat.id.0, msg.id.0)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let Some(record) = store.ticket(ticket).await? else {
        return Ok(());
    };
    let staff_lang = app.staff.lang();
    if record.status == TicketStatus::Closed {
        let notice = staff_lang.pick(
            "This ticket is closed, so that was not sent. /reopen it first.",
            "此工单已关闭，消息未发送。请先 /reopen。",
        );
        send_replies(bot, msg.chat.id, msg.thread_id, &[plain(notice)]).await?;
        return Ok(());
    }
    if msg
        .text()
        .or(msg.caption())
        .is_some_and(crate::secrets::contains_secret)
    {
        // Support never sends a seed phrase or key, not even one the user once pasted.
        let notice = staff_lang.pick(
            "⛔ Not sent: that message looks like a seed phrase or private key. Support never sends or asks for one.",
            "⛔ 未发送：这条消息看起来包含助记词或私钥。客服绝不发送或索要这些信息。",
        );
        send_replies(bot, msg.chat.id, msg.thread_id, &[plain(notice)]).await?;
        return Ok(());
    }
    // The answer counts as the ticket's response when lendesk takes it, before the delivery:
    // a crash mid-delivery (the update is confirmed already) cannot lose it, and the ticket
    // shows in progress by the time the user reads the answer.
    let staff = msg.from.as_ref().map(super::user_id).unwrap_or_default();
    if let Err(e) = app.staff.staff_replied(ticket, staff, now()).await {
        tracing::warn!(ticket, error = %e, "cannot record the staff response");
    }
    app.desk.ticket_changed(record.user);
    let user_chat = ChatId(record.user);
    let sent = if let Some(text) = msg.text() {
        let html = signed_html(text, record.lang);
        retry::retrying("sendMessage", || {
            let request = bot
                .send_message(user_chat, html.as_str())
                .parse_mode(ParseMode::Html);
            async move { request.await.map(|m| m.id) }
        })
        .await
    } else {
        let caption = match msg.caption() {
            Some(c) => StaffDesk::signed(c, record.lang),
            None => StaffDesk::team_signature(record.lang).to_string(),
        };
        retry::retrying("copyMessage", || {
            bot.copy_message(user_chat, msg.chat.id, msg.id)
                .caption(caption.as_str())
                .send()
        })
        .await
    };
    let sent = match sent {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(ticket, error = %e, "a staff reply could not be delivered");
            let notice = match staff_lang {
                Lang::En => format!("⚠️ Not delivered to the user: {e}"),
                Lang::Zh => format!("⚠️ 未能送达用户：{e}"),
            };
            send_replies(bot, msg.chat.id, msg.thread_id, &[plain(&notice)]).await?;
            return Ok(());
        }
    };
    store
        .save_relay(&RelayedMessage {
            ticket,
            user_chat: record.user,
            user_message: sent.0,
            staff_chat: msg.chat.id.0,
            staff_message: msg.id.0,
            from_staff: true,
        })
        .await?;
    Ok(())
}

/// A staff member's text as the user gets it: escaped HTML, signed as the team in italics.
fn signed_html(text: &str, lang: Lang) -> String {
    format!(
        "{}\n\n<i>{}</i>",
        render::html(text),
        render::html(StaffDesk::team_signature(lang))
    )
}

fn plain(text: &str) -> Reply {
    Reply {
        text: text.to_string(),
        buttons: Vec::new(),
    }
}

/// An edited message: a user's edit goes to the staff copy, a staff member's edit to the
/// user's copy. An edit that adds a secret is deleted and warned about, never synced.
pub async fn on_edit(bot: TgBot, msg: Message, app: Arc<App>) -> Result<(), HandlerError> {
    let Some(text) = msg.text().or(msg.caption()) else {
        return Ok(());
    };
    let store = &app.store;
    if app.staff_chat == Some(msg.chat.id) {
        let Some(relay) = store
            .relay_of_staff_message(msg.chat.id.0, msg.id.0)
            .await?
        else {
            return Ok(());
        };
        if !relay.from_staff || crate::secrets::contains_secret(text) {
            return Ok(());
        }
        let lang = store
            .ticket(relay.ticket)
            .await?
            .map(|t| t.lang)
            .unwrap_or_default();
        let copy = (ChatId(relay.user_chat), MessageId(relay.user_message));
        let result = if msg.text().is_some() {
            let html = signed_html(text, lang);
            edit_copy(&bot, copy, CopyEdit::Text(&html, Some(ParseMode::Html))).await
        } else {
            let caption = StaffDesk::signed(text, lang);
            edit_copy(&bot, copy, CopyEdit::Caption(&caption)).await
        };
        if let Err(e) = result {
            tracing::warn!(ticket = relay.ticket, error = %e, "cannot sync a staff edit");
        }
        return Ok(());
    }
    if !msg.chat.is_private() {
        return Ok(());
    }
    if crate::secrets::contains_secret(text) {
        // Run it through the desk: the warning and the deletion, nothing kept.
        let from = msg.from.as_ref();
        let outcome = app
            .desk
            .handle(Incoming {
                user: from.map(super::user_id).unwrap_or_default(),
                text: text.to_string(),
                lang_hint: from
                    .and_then(|u| u.language_code.as_deref())
                    .and_then(Lang::from_code),
                now: now(),
                ..Default::default()
            })
            .await;
        let deleted = retry::retrying("deleteMessage", || {
            bot.delete_message(msg.chat.id, msg.id).send()
        })
        .await;
        if let Err(e) = deleted {
            tracing::warn!(error = %e, "could not delete an edited message holding a secret");
        }
        send_replies(&bot, msg.chat.id, None, &outcome.replies).await?;
        return Ok(());
    }
    let Some(relay) = store.relay_of_user_message(msg.chat.id.0, msg.id.0).await? else {
        return Ok(());
    };
    if relay.from_staff {
        return Ok(());
    }
    let copy = (ChatId(relay.staff_chat), MessageId(relay.staff_message));
    let edit = if msg.text().is_some() {
        CopyEdit::Text(text, None)
    } else {
        CopyEdit::Caption(text)
    };
    if let Err(e) = edit_copy(&bot, copy, edit).await {
        tracing::warn!(ticket = relay.ticket, error = %e, "cannot sync a user's edit");
    }
    Ok(())
}

/// What an edit changes on the other side's copy.
enum CopyEdit<'a> {
    /// The text, in a parse mode.
    Text(&'a str, Option<ParseMode>),
    /// The caption of a photo or file.
    Caption(&'a str),
}

/// Puts an edit on the copy of a message, retried on a passing Bot API failure.
async fn edit_copy(
    bot: &TgBot,
    (chat, message): (ChatId, MessageId),
    edit: CopyEdit<'_>,
) -> Result<(), teloxide::RequestError> {
    match edit {
        CopyEdit::Text(text, mode) => {
            retry::retrying("editMessageText", || {
                let mut request = bot.edit_message_text(chat, message, text);
                if let Some(mode) = mode {
                    request = request.parse_mode(mode);
                }
                async move { request.await.map(|_| ()) }
            })
            .await
        }
        CopyEdit::Caption(caption) => {
            retry::retrying("editMessageCaption", || {
                let request = bot.edit_message_caption(chat, message).caption(caption);
                async move { request.await.map(|_| ()) }
            })
            .await
        }
    }
}
