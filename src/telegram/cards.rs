//! Tickets posted to the staff chat off the user's path. Telegram lets a bot send about 20
//! messages a minute to one group, so a burst of escalations would hold each user's update (and
//! their next message, handled after it) until the staff chat had room. Instead the handler
//! queues the ticket and answers; one worker per process posts queued tickets one at a time
//! (topic and card, then the out-of-hours notice to the user), each under the ticket's lock
//! across replicas; and a sweep on the SLA checker's replica queues any open ticket left
//! without its card (its replica died before posting it, or the staff chat refused it).

use std::collections::HashSet;
use std::sync::Arc;

use teloxide::prelude::*;
use tokio::sync::mpsc;

use super::{App, TgBot, now, relay, send_replies};
use crate::store::{TicketRecord, TicketStatus};

/// A ticket to post, and the chat to tell when it was posted out of hours.
type Queued = (u64, ChatId);

/// The queue of tickets to post; the worker takes them in order.
#[derive(Debug)]
pub struct Cards {
    queue: mpsc::UnboundedSender<Queued>,
    queued: std::sync::Mutex<Option<mpsc::UnboundedReceiver<Queued>>>,
    /// The tickets in the queue (one queued twice is posted once).
    waiting: std::sync::Mutex<HashSet<u64>>,
}

impl Default for Cards {
    fn default() -> Self {
        let (queue, queued) = mpsc::unbounded_channel();
        Self {
            queue,
            queued: std::sync::Mutex::new(Some(queued)),
            waiting: std::sync::Mutex::default(),
        }
    }
}

impl Cards {
    /// Queues ticket `ticket`, opened from `chat`, unless it is queued already.
    pub fn post(&self, ticket: u64, chat: ChatId) {
        if super::lock(&self.waiting).insert(ticket) {
            // The worker lives as long as the bot; after it stopped, the sweep posts it.
            let _ = self.queue.send((ticket, chat));
        }
    }
}

/// Posts queued tickets one at a time until the bot stops (started once per process).
pub async fn worker(bot: TgBot, app: Arc<App>) {
    let Some(mut queued) = super::lock(&app.cards.queued).take() else {
        return;
    };
    while let Some((ticket, chat)) = queued.recv().await {
        post(&bot, &app, ticket, chat).await;
        super::lock(&app.cards.waiting).remove(&ticket);
    }
}

/// Posts one ticket (if nobody did) and, when it was posted now outside business hours, tells
/// the user when a person will answer. A failure is logged: the sweep tries again.
async fn post(bot: &TgBot, app: &App, ticket: u64, chat: ChatId) {
    match relay::ensure_thread(bot, app, ticket).await {
        Ok(relay::ThreadState::Created) => {
            if let Some(reply) = relay::out_of_hours_reply(app, ticket, now()).await
                && let Err(e) = send_replies(bot, chat, None, &[reply]).await
            {
                tracing::warn!(ticket, error = %e, "cannot tell the user when a person will answer");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::error!(ticket, error = %e, "could not post the ticket to staff"),
    }
}

/// Queues the open ones of `tickets` that have no card in the staff chat; how many.
pub async fn sweep(app: &App, tickets: &[TicketRecord]) -> usize {
    if app.staff_chat.is_none() {
        return 0;
    }
    let mut queued = 0;
    for t in tickets.iter().filter(|t| t.status != TicketStatus::Closed) {
        match app.store.thread_of(t.id).await {
            Ok(thread) if thread.as_ref().is_some_and(relay::posted) => {}
            Ok(_) => {
                app.cards.post(t.id, ChatId(t.user));
                queued += 1;
            }
            Err(e) => tracing::error!(ticket = t.id, error = %e, "cannot read a ticket's thread"),
        }
    }
    if queued > 0 {
        tracing::info!(
            queued,
            "tickets not yet in the staff chat queued for posting"
        );
    }
    queued
}
