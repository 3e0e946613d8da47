//! The secrets stage: a message that holds a private key or a seed phrase is deleted, the user
//! is warned, and nothing of it is kept. A theft reported with the key still reaches a person,
//! with the secret cut out; so does a rating comment.

use super::commands::command_name;
use super::intent;
use super::outcome::{Action, Incoming, Intent, Outcome, Reply};
use super::{Desk, MAX_PROCESSED_CHARS, texts};
use crate::lang::{self, Lang};
use crate::secrets;
use crate::store::{HistoryEntry, Speaker, UserRecord};

/// True when the message holds a secret: in the part processed (`text`), or, when the message
/// was cut, anywhere in it (`full`).
pub(super) fn holds_secret(text: &str, cut: bool, full: &str) -> bool {
    secrets::contains_secret(text) || (cut && secrets::contains_secret(full))
}

/// The language before the message is looked at further (for the gates and this stage). A
/// secret's text says nothing about the language, except its script.
pub(super) fn early_lang(record: &UserRecord, msg: &Incoming, text: &str, secret: bool) -> Lang {
    if secret {
        Desk::language(record, "", msg.lang_hint).max_by_script(text)
    } else {
        Desk::language(record, text, msg.lang_hint)
    }
}

trait ScriptHint {
    fn max_by_script(self, text: &str) -> Lang;
}

impl ScriptHint for Lang {
    /// A secret warning follows the script the user typed in (a Chinese seed phrase gets a
    /// Chinese warning) unless the user chose a language.
    fn max_by_script(self, text: &str) -> Lang {
        if text.chars().any(lang::is_cjk) {
            Lang::Zh
        } else {
            self
        }
    }
}

impl Desk {
    /// The answer to a message holding a secret: delete it, warn, keep nothing of it.
    pub(super) async fn refuse_secret(
        &self,
        loaded: &UserRecord,
        mut record: UserRecord,
        msg: &Incoming,
        lang: Lang,
    ) -> Outcome {
        tracing::warn!(user = msg.user, "a secret was pasted; message discarded");
        let said = HistoryEntry::new(
            msg.now,
            Speaker::User,
            "[message removed: it contained a secret]",
        );
        let mut out = Outcome::new(
            Intent::RefuseSecret,
            lang,
            Reply::text(texts::secret_warning(lang)),
        );
        out.actions.push(Action::DeleteMessage);
        // "My funds were stolen, here is my key…": the theft still reaches a person, with
        // the secret cut out of everything the ticket keeps.
        let redacted = secrets::redact(&msg.text);
        if let Some(reason) = intent::escalation(&intent::fold(&redacted)) {
            let summary: String = redacted.chars().take(MAX_PROCESSED_CHARS).collect();
            let ticket = self
                .escalate(&record, reason, lang, &summary, msg.now)
                .await;
            out.ticket = ticket.ticket;
            out.actions.extend(ticket.actions);
            out.replies.extend(ticket.replies);
        } else if command_name(&redacted).is_none()
            && let Some(saved) = self.take_comment(&mut record, &redacted, lang).await
        {
            // The comment after a rating, with the secret cut out.
            out.replies.extend(saved.replies);
        }
        self.finish(loaded, &record, said, &out, msg.now, None)
            .await;
        out
    }
}
