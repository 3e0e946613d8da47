//! The user's privacy controls and the retention of statistics. `/mydata` sends everything
//! stored about the user as one JSON document; `/forget` deletes it after a confirmation
//! button (tickets stay for staff, detached from the user) and leaves an audit line that says
//! a deletion happened, without its content; statistics events older than the configured
//! retention are pruned on a schedule the adapter runs.

use serde::Serialize;

use super::{Button, Desk, DeskError, Intent, Outcome, Reply, lock, texts};
use crate::lang::Lang;
use crate::store::{
    ANONYMOUS, BanKind, ForgetSummary, HistoryEntry, MessageEvent, StoreError, TicketRecord,
    UserRecord,
};

/// The `/mydata` document: everything stored about one user.
#[derive(Debug, Serialize)]
struct StoredAbout<'a> {
    user: &'a UserRecord,
    /// The recent conversation (as saved for staff, or newer in memory).
    conversation: Vec<HistoryEntry>,
    tickets: Vec<TicketRecord>,
    /// Statistics events that name the user (with the questions the bot could not answer).
    statistics_events: Vec<MessageEvent>,
    statistics_retention_days: u64,
    /// A ban on the user: its kind and since when (the moderator's note is staff's).
    ban: Option<(BanKind, u64)>,
}

/// The confirmation button of `/forget`.
pub const FORGET_YES: &str = "forget:yes";
/// The button that keeps everything.
pub const FORGET_NO: &str = "forget:no";

/// The audit action of a deletion.
pub const AUDIT_USER_DELETED: &str = "user data deleted";

/// A message holds at most this much of the JSON document (Telegram's limit is 4096).
const CHUNK_CHARS: usize = 3_500;

const DAY_SECS: u64 = 86_400;

/// `text` cut at line ends into pieces of at most `max` characters (a longer line is cut
/// where it must be).
fn chunks(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let pieces: Vec<String> = if chars.is_empty() {
            vec![String::new()]
        } else {
            chars.chunks(max.max(1)).map(String::from_iter).collect()
        };
        for piece in pieces {
            let n = piece.chars().count();
            if len > 0 && len + 1 + n > max {
                out.push(std::mem::take(&mut current));
                len = 0;
            } else if len > 0 {
                current.push('\n');
                len += 1;
            }
            current.push_str(&piece);
            len += n;
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

impl Desk {
    /// Everything stored about the user.
    async fn stored_about<'a>(&self, record: &'a UserRecord) -> Result<StoredAbout<'a>, DeskError> {
        // Events of the messages answered so far, this one's predecessors included.
        self.events.flush().await;
        let store = &self.store;
        Ok(StoredAbout {
            user: record,
            conversation: self.conversation(record.id).await?,
            tickets: store.tickets_of(record.id).await?,
            statistics_events: store.events_of(record.id).await?,
            statistics_retention_days: self.settings.retention_days,
            ban: store.ban_of(record.id).await?.map(|b| (b.kind, b.at)),
        })
    }

    /// `/mydata`: an introduction, then the JSON document in fenced blocks.
    pub(super) async fn my_data(&self, record: &UserRecord, lang: Lang) -> Outcome {
        let failed = |what: &str, error: &dyn std::fmt::Display| {
            tracing::error!(user = record.id, %error, "cannot {what} a user's data");
            Outcome::new(
                Intent::Error,
                lang,
                Reply::text(texts::privacy_failed(lang)),
            )
        };
        let about = match self.stored_about(record).await {
            Ok(about) => about,
            Err(e) => return failed("export", &e),
        };
        let document = match serde_json::to_string_pretty(&about) {
            Ok(document) => document,
            Err(e) => return failed("encode", &e),
        };
        let mut out = Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::my_data_intro(lang, self.settings.retention_days)),
        );
        out.replies.extend(
            chunks(&document, CHUNK_CHARS)
                .into_iter()
                .map(|piece| Reply::text(format!("```\n{piece}\n```"))),
        );
        out
    }

    /// `/forget`: asks first.
    pub(super) fn forget_asked(lang: Lang) -> Outcome {
        Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::forget_confirm(lang)).with_buttons(vec![vec![
                Button {
                    label: texts::forget_yes(lang).into(),
                    data: FORGET_YES.into(),
                },
                Button {
                    label: texts::forget_no(lang).into(),
                    data: FORGET_NO.into(),
                },
            ]]),
        )
    }

    /// The confirmation of `/forget`: deletes the user's records (tickets are anonymised),
    /// forgets them in memory, and audits the deletion without its content. Nothing of this
    /// press is recorded afterwards.
    /// Deletes what the store holds about `user`, then writes the audit line (naming nobody).
    async fn forget_and_audit(&self, user: i64, now: u64) -> Result<ForgetSummary, StoreError> {
        let summary = self.store.forget_user(user).await?;
        let tickets: Vec<String> = summary.tickets.iter().map(|t| format!("#{t}")).collect();
        let detail = if tickets.is_empty() {
            String::new()
        } else {
            format!("tickets kept anonymised: {}", tickets.join(", "))
        };
        // Who asked is exactly what was deleted: the line names nobody.
        self.store
            .audit(now, ANONYMOUS, AUDIT_USER_DELETED, &detail)
            .await?;
        Ok(summary)
    }

    pub(super) async fn forget_confirmed(&self, user: i64, lang: Lang, now: u64) -> Outcome {
        // Queued events of this user must be in the store to be deleted with the rest.
        self.events.flush().await;
        lock(&self.conversations).remove(&user);
        self.cached_users().remove(&user);
        lock(&self.handoffs).remove(&user);
        let deleted = self.forget_and_audit(user, now).await;
        // Whatever was cached while the store was written.
        self.cached_users().remove(&user);
        lock(&self.conversations).remove(&user);
        // The user's alert settings and links are gone (or partly): the watcher reloads.
        self.subscriptions.raise();
        match deleted {
            Ok(summary) => {
                tracing::info!(
                    tickets = summary.tickets.len(),
                    "a user's data was deleted on request"
                );
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::forgotten(lang, summary.tickets.len())),
                )
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot delete a user's data");
                Outcome::new(
                    Intent::Error,
                    lang,
                    Reply::text(texts::privacy_failed(lang)),
                )
            }
        }
    }

    /// `/forget` declined.
    pub(super) fn forget_declined(lang: Lang) -> Outcome {
        Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::forget_cancelled(lang)),
        )
    }

    /// Deletes statistics events (and the question texts kept with them) older than the
    /// retention, as of `now` (unix seconds); how many records. The adapter calls this at
    /// start and then periodically.
    pub async fn prune_expired(&self, now: u64) -> Result<usize, DeskError> {
        let before = now.saturating_sub(self.settings.retention_days.saturating_mul(DAY_SECS));
        let pruned = self.store.prune_events(before).await?;
        if pruned > 0 {
            tracing::info!(pruned, before, "expired statistics events pruned");
        }
        Ok(pruned)
    }
}

#[cfg(test)]
mod tests {
    use super::chunks;

    #[test]
    fn chunks_cut_at_line_ends_and_keep_every_character() {
        let text = "aaaa\nbbbb\ncc\ndddddddddd";
        let pieces = chunks(text, 9);
        assert_eq!(pieces, ["aaaa\nbbbb", "cc", "ddddddddd", "d"]);
        assert!(pieces.iter().all(|p| p.chars().count() <= 9));
        assert_eq!(chunks("short", 9), ["short"]);
    }
}
