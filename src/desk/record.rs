//! The last stage of every message: what is kept of it. The conversation line for staff, the
//! user record (saved, flushed or only cached, by what changed), and the statistics event.

use std::borrow::Cow;

use super::commands::command_name;
use super::outcome::{Action, Incoming, Intent, Outcome, Reply};
use super::{Desk, GUARD_SOURCE, USER_CACHE_LIMIT, lock, texts};
use crate::secrets;
use crate::store::{HistoryEntry, MessageEvent, Speaker, UserRecord};

/// The question kept with a statistics event for an unanswered message, in characters.
const EVENT_QUESTION_CHARS: usize = 200;

/// What of a message goes into the conversation kept for staff: the text, except a signature
/// sent with /verify (public, but long and of no use to a person).
fn history_text(text: &str) -> Cow<'_, str> {
    if command_name(text).as_deref() == Some("verify") {
        Cow::Borrowed("/verify [signature]")
    } else {
        Cow::Borrowed(text)
    }
}

/// How a user record changed, for saving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Only heuristics, fine to lose on a restart (the recent FAQ topics, a switch of the
    /// language last answered in): cache only, saved with the next write.
    Topics,
    /// Who the user is (@username, display name, first contact, the first language answered
    /// in): saved, not flushed.
    Identity,
    /// Something the user is told about (language, links, announcements, a proof or a rating
    /// in progress): flushed before the reply.
    Acknowledged,
}

/// How `a` differs from `b`. Every field is listed, so a new one is a compile error here until
/// it is classified.
fn change(a: &UserRecord, b: &UserRecord) -> Change {
    let UserRecord {
        id,
        lang,
        links,
        recent_topics: _,
        username,
        display_name,
        started_at,
        broadcast_opt_out,
        awaiting_comment,
        pending_proof,
        answered_in,
    } = a;
    if *id != b.id
        || *lang != b.lang
        || *links != b.links
        || *broadcast_opt_out != b.broadcast_opt_out
        || *awaiting_comment != b.awaiting_comment
        || *pending_proof != b.pending_proof
    {
        Change::Acknowledged
    } else if *username != b.username
        || *display_name != b.display_name
        || *started_at != b.started_at
        // A user who writes in both languages would otherwise cost a write per message.
        || (answered_in.is_some() && b.answered_in.is_none())
    {
        Change::Identity
    } else {
        Change::Topics
    }
}

/// The user's line in the conversation kept for staff (`text` has passed the secret check).
pub(super) fn said(msg: &Incoming, text: &str) -> HistoryEntry {
    HistoryEntry::new(msg.now, Speaker::User, &history_text(text))
}

/// An answer to a message that was cut says so.
pub(super) fn note_cut(mut out: Outcome, cut: bool) -> Outcome {
    if cut && !out.replies.is_empty() {
        out.replies.push(Reply::text(texts::trimmed(out.lang)));
    }
    out
}

impl Desk {
    pub(super) async fn finish(
        &self,
        loaded: &UserRecord,
        record: &UserRecord,
        said: HistoryEntry,
        out: &Outcome,
        now: u64,
        question: Option<&str>,
    ) {
        // The language answered in, for announcements later (when the user chose none).
        let spoken;
        let record = if out.replies.is_empty() || record.answered_in == Some(out.lang) {
            record
        } else {
            spoken = UserRecord {
                answered_in: Some(out.lang),
                ..record.clone()
            };
            &spoken
        };
        // Staff need the gist of what the bot said, not every figure: which FAQ answered, or
        // the first 200 characters of anything else (nothing when it said nothing).
        let reply: String = if out.intent == Intent::Faq {
            format!("[FAQ answer: {}]", out.sources.join(", "))
        } else {
            out.text().chars().take(200).collect()
        };
        let answered =
            (!out.replies.is_empty()).then(|| HistoryEntry::new(now, Speaker::Bot, &reply));
        let conversation: Vec<HistoryEntry> = {
            let mut conversations = lock(&self.conversations);
            if conversations.len() >= USER_CACHE_LIMIT && !conversations.contains_key(&record.id) {
                conversations.clear();
            }
            let lines = conversations.entry(record.id).or_default();
            lines.push_back(said);
            lines.extend(answered);
            while lines.len() > crate::store::HISTORY_LIMIT {
                lines.pop_front();
            }
            // Only a hand-off to people needs the conversation on disk (staff get it with the
            // ticket; later messages of an open ticket are relayed to them one by one).
            if out.actions.contains(&Action::NotifyStaff) {
                lines.iter().cloned().collect()
            } else {
                Vec::new()
            }
        };
        if !conversation.is_empty()
            && let Err(e) = self.store.save_history(record.id, &conversation).await
        {
            tracing::error!(user = record.id, error = %e, "cannot save conversation");
        }
        if record != loaded {
            // Language, links, announcements, proofs and a rating in progress are acknowledged
            // to the user: on disk before the reply. Who the user is goes to the store without
            // a flush; recent topics alone live in the cache until the next save.
            let saved = match change(record, loaded) {
                Change::Topics => Ok(()),
                Change::Identity => self.store.save_user(record, false).await,
                Change::Acknowledged => self.store.save_user(record, true).await,
            };
            if let Err(e) = saved {
                tracing::error!(user = record.id, error = %e, "cannot save user record");
            }
            // Linked addresses are watched when alerts are on: the watcher reloads them (after
            // the save, so it reads the new links).
            if record.links != loaded.links {
                self.subscriptions.raise();
            }
            let mut users = self.cached_users();
            if users.len() >= USER_CACHE_LIMIT && !users.contains_key(&record.id) {
                users.clear();
            }
            users.insert(record.id, record.clone());
        }
        // Statistics: which intent, which FAQ topic, and the question when the bot could not
        // answer it (text that reaches here has passed the secret check).
        let event = MessageEvent {
            count: 1,
            at: now,
            user: record.id,
            intent: out.intent.name().to_string(),
            topic: match out.intent {
                Intent::Faq => out
                    .sources
                    .first()
                    .and_then(|s| s.strip_prefix("faq:"))
                    .map(str::to_string),
                _ => None,
            },
            question: match (out.intent, question) {
                (Intent::Clarify, Some(q)) => Some(
                    secrets::redact(q.trim())
                        .chars()
                        .take(EVENT_QUESTION_CHARS)
                        .collect(),
                ),
                _ => None,
            },
            guarded_markets: out
                .sources
                .iter()
                .filter_map(|s| s.strip_prefix(GUARD_SOURCE))
                .map(str::to_string)
                .collect(),
        };
        self.events.record(event);
        tracing::info!(user = record.id, intent = ?out.intent, lang = out.lang.code(), ticket = ?out.ticket, "answered");
    }
}
