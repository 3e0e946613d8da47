//! Rating a closed ticket: the star buttons, and the comment the user may write after them.

use super::intent;
use super::outcome::{Action, Intent, Outcome, Reply};
use super::{Desk, texts};
use crate::lang::Lang;
use crate::secrets;
use crate::store::{TicketStatus, UserRecord};

/// A rating comment is stored up to this many characters.
const COMMENT_CHARS: usize = 1_000;

impl Desk {
    /// The comment after a rating, when one is awaited: stored (redacted) with the stars
    /// already given. `None` when no comment is awaited, when the message reports money at
    /// risk (that is handled as a message, not filed as a comment), or when the rating is
    /// gone (the ticket was reopened).
    pub(super) async fn take_comment(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
    ) -> Option<Outcome> {
        let ticket = record.awaiting_comment?;
        if intent::escalation(&intent::fold(text))
            .is_some_and(|r| r.priority() == crate::tickets::Priority::Urgent)
        {
            record.awaiting_comment = None;
            return None;
        }
        record.awaiting_comment = None;
        let stars = match self.store.ticket(ticket).await {
            Ok(Some(t)) if t.user == record.id => t.rating?,
            Ok(_) => return None,
            Err(e) => {
                tracing::error!(ticket, error = %e, "cannot read the rated ticket");
                return None;
            }
        };
        let comment: String = secrets::redact(text.trim())
            .chars()
            .take(COMMENT_CHARS)
            .collect();
        match self.tickets.rate(ticket, stars, Some(&comment)).await {
            Ok(_) => Some(Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::comment_saved(lang)),
            )),
            Err(e) => {
                tracing::warn!(ticket, error = %e, "rating comment not saved");
                None
            }
        }
    }

    /// A rating button, `<ticket>:<stars>`: counted once for the user's own closed tickets
    /// (then the buttons go); the next plain message is then taken as a comment.
    pub(super) async fn rate(&self, record: &mut UserRecord, data: &str, lang: Lang) -> Outcome {
        let refused = || {
            Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::rating_refused(lang)),
            )
        };
        let Some((ticket, stars)) = data
            .split_once(':')
            .and_then(|(t, s)| Some((t.parse::<u64>().ok()?, s.parse::<u8>().ok()?)))
            .filter(|(_, s)| (1..=5).contains(s))
        else {
            return refused();
        };
        match self.store.ticket(ticket).await {
            Ok(Some(t)) if t.user == record.id && t.status == TicketStatus::Closed => {
                // One rating per ticket: an older button pressed later changes nothing.
                if t.rating.is_some() {
                    let mut out = Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::already_rated(lang, ticket)),
                    );
                    out.actions.push(Action::RemoveButtons);
                    return out;
                }
            }
            Ok(_) => return refused(),
            Err(e) => {
                tracing::error!(ticket, error = %e, "cannot read the ticket to rate");
                return refused();
            }
        }
        match self.tickets.rate(ticket, stars, None).await {
            Ok(_) => {
                record.awaiting_comment = Some(ticket);
                let mut out = Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::rated(lang, ticket, stars)),
                );
                out.actions.push(Action::RemoveButtons);
                out
            }
            Err(e) => {
                tracing::warn!(ticket, error = %e, "rating not recorded");
                refused()
            }
        }
    }
}
