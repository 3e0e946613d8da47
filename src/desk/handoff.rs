//! The hand-off to people: opening a ticket, the user's ticket that is not closed (cached in
//! front of the store), and what a message of a user with such a ticket becomes (relayed to
//! the person on it; the bot answers only when asked by name).

use std::sync::atomic::Ordering;

use super::outcome::{Action, ChatKind, Incoming, Intent, Outcome, Reply};
use super::{Desk, USER_CACHE_LIMIT, lock, texts};
use crate::lang::Lang;
use crate::store::{TicketStatus, UserRecord};
use crate::tickets::EscalationReason;

/// "bot, what is a health factor" / "@bot …" / "机器人，…": the user asks the bot itself while a
/// person is on their ticket. Returns the question without the address.
fn addressed_to_bot(text: &str) -> Option<&str> {
    let trimmed = text.trim_start();
    let lower_head: String = trimmed.chars().take(4).collect::<String>().to_lowercase();
    let rest = if lower_head.starts_with("@bot") {
        trimmed.get(4..)?
    } else if lower_head.starts_with("bot")
        && trimmed
            .get(3..)
            .and_then(|r| r.chars().next())
            .is_some_and(|c| matches!(c, ',' | '，' | ':' | '：' | '!' | '！'))
    {
        trimmed.get(3..)?
    } else {
        trimmed.strip_prefix("机器人")?
    };
    Some(rest.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '，' | ':' | '：' | '!' | '！' | '、')
    }))
}

/// An answer to a message that goes to the team on the user's open ticket: instead of "I
/// don't know" with a person button, or "ask for a person" when the node is down, it says
/// the team has the message, and it offers no person (one is coming).
fn for_open_ticket(mut out: Outcome, ticket: u64) -> Outcome {
    let offers_person = |r: &Reply| r.buttons.iter().flatten().any(|b| b.data == "human");
    if out.intent == Intent::Clarify && out.replies.iter().any(offers_person) {
        out.replies = vec![Reply::text(texts::sent_to_team(out.lang, ticket))];
        return out;
    }
    for reply in &mut out.replies {
        if reply.text == texts::chain_unavailable(out.lang) {
            reply.text = texts::chain_unavailable_on_ticket(out.lang, ticket);
        }
        for row in &mut reply.buttons {
            row.retain(|b| b.data != "human");
        }
        reply.buttons.retain(|row| !row.is_empty());
    }
    out
}

/// One message's relation to the user's ticket that is not closed: whether it goes to the team,
/// and what the bot is asked, if anything.
#[derive(Debug)]
pub(super) struct Turn<'a> {
    handoff: Option<(u64, TicketStatus)>,
    /// Every message of a user with an open ticket reaches staff, except commands.
    relay: bool,
    question: Option<&'a str>,
}

impl<'a> Turn<'a> {
    pub(super) fn new(handoff: Option<(u64, TicketStatus)>, is_command: bool) -> Self {
        Self {
            handoff,
            relay: handoff.is_some() && !is_command,
            question: None,
        }
    }

    /// An empty message: a photo or file for the person on the ticket is relayed, nothing to
    /// say; otherwise the user is asked what they meant.
    pub(super) fn empty(&mut self, msg: &Incoming, lang: Lang) -> Outcome {
        if msg.media && self.handoff.is_some() {
            Outcome::silent(Intent::Relayed, lang)
        } else {
            self.relay = false;
            Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::empty_message(lang)),
            )
        }
    }

    /// The bot answered something that is for the bot alone (a rating comment): not relayed.
    pub(super) fn answered_by_bot(&mut self) {
        self.relay = false;
    }

    /// What the bot is asked: `None` while a person is on the ticket and the message does not
    /// address the bot ("bot, …"), which then only goes to that person.
    pub(super) fn question(&mut self, text: &'a str) -> Option<&'a str> {
        let to_bot = self.handoff.and_then(|_| addressed_to_bot(text));
        let asked = match (self.handoff, to_bot) {
            // A person is on the ticket: they answer, the bot stays out of it.
            (Some((_, TicketStatus::InProgress)), None) => return None,
            (_, Some(asked)) if !asked.trim().is_empty() => asked,
            _ => text,
        };
        self.question = Some(asked);
        Some(asked)
    }

    /// The question the bot was asked, if any (kept with the statistics event when unanswered).
    pub(super) fn asked(&self) -> Option<&'a str> {
        self.question
    }

    /// The answer, marked for relaying to the ticket's thread when the message goes there.
    pub(super) fn relay(&self, out: Outcome) -> Outcome {
        match self.handoff {
            Some((id, _)) if self.relay => {
                let mut out = for_open_ticket(out, id);
                out.actions.push(Action::RelayToStaff);
                out.ticket.get_or_insert(id);
                out
            }
            _ => out,
        }
    }
}

impl Desk {
    /// The user's ticket that is not closed, in a private chat (the hand-off to a person
    /// happens in private chats only).
    pub(super) async fn handoff_in(
        &self,
        chat: ChatKind,
        user: i64,
    ) -> Option<(u64, TicketStatus)> {
        match chat {
            ChatKind::Private => self.handoff(user).await,
            ChatKind::Group => None,
        }
    }

    /// Staff changed a ticket of `user` (first response, close, reopen): the desk reads the
    /// user's open ticket from the store again on their next message.
    pub fn ticket_changed(&self, user: i64) {
        self.handoff_epoch.fetch_add(1, Ordering::SeqCst);
        lock(&self.handoffs).remove(&user);
    }

    /// The user's ticket that is not closed: (id, status), from memory when known.
    pub(super) async fn handoff(&self, user: i64) -> Option<(u64, TicketStatus)> {
        if let Some(known) = lock(&self.handoffs).get(&user) {
            return *known;
        }
        let epoch = self.handoff_epoch.load(Ordering::SeqCst);
        match self.tickets.open_for(user).await {
            Ok(ticket) => {
                let found = ticket.map(|t| (t.id, t.status));
                let mut handoffs = lock(&self.handoffs);
                // A change announced while the store was read may not be in what was read.
                if self.handoff_epoch.load(Ordering::SeqCst) == epoch {
                    if handoffs.len() >= USER_CACHE_LIMIT {
                        handoffs.clear();
                    }
                    handoffs.insert(user, found);
                }
                found
            }
            Err(e) => {
                tracing::error!(user, error = %e, "cannot read the user's open ticket");
                None
            }
        }
    }

    pub(super) async fn escalate(
        &self,
        record: &UserRecord,
        reason: EscalationReason,
        lang: Lang,
        summary: &str,
        now: u64,
    ) -> Outcome {
        match self
            .tickets
            .open(record.id, reason, lang, summary, now)
            .await
        {
            Ok((ticket, new)) => {
                // The user now has a ticket that is not closed: their next messages reach it.
                {
                    let mut handoffs = lock(&self.handoffs);
                    if handoffs.len() >= USER_CACHE_LIMIT {
                        handoffs.clear();
                    }
                    handoffs.insert(record.id, Some((ticket.id, ticket.status)));
                }
                let minutes = self.tickets.response_minutes(&ticket);
                let mut out = Outcome::new(
                    Intent::Escalate,
                    lang,
                    Reply::text(texts::ticket_opened(lang, reason, ticket.id, minutes, new)),
                );
                out.ticket = Some(ticket.id);
                out.actions.push(Action::NotifyStaff);
                out
            }
            Err(e) => {
                tracing::error!(user = record.id, error = %e, "cannot open ticket");
                Outcome::new(Intent::Error, lang, Reply::text(texts::ticket_failed(lang)))
            }
        }
    }
}
