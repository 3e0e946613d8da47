//! What handling one update sent, so that a replica taking over an update whose first replica
//! died mid-way sends only what was not sent. Each send of the update (through
//! [`super::retry::retrying`]) is numbered in the order the handler makes it; once Telegram has
//! answered, the answer is recorded with the number. Handling the update again runs the same
//! handler: a send whose number is recorded, for the same request, is not made again, and the
//! recorded answer (the message id a relay map keeps, say) is handed back instead.
//!
//! What remains: a send Telegram accepted in the moment before its record was written, when
//! the replica died, is sent again (at least once: nothing can take a sent message back, and
//! nothing in the Bot API makes a send idempotent). Answers are recorded with their content
//! cut (texts, captions, entities, the message replied to): ids and shape only.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::store::Store;
use crate::store::pg::SentReply;

tokio::task_local! {
    /// The journal of the update this task handles, if it keeps one.
    static CURRENT: Arc<Journal>;
}

/// The sends of one update.
pub struct Journal {
    store: Store,
    update: i64,
    next: AtomicU32,
    /// What an earlier try of the update sent, by number.
    earlier: HashMap<u32, SentReply>,
}

impl Journal {
    /// The journal of update `id`: what an earlier try sent is read when the update was
    /// `resumed` (taken over), otherwise nothing was sent yet.
    pub async fn open(store: Store, id: i64, resumed: bool) -> Journal {
        let earlier = if resumed {
            match store.sends_of(id).await {
                Ok(sent) => sent.into_iter().map(|s| (s.seq, s)).collect(),
                Err(e) => {
                    // Sending again is better than not answering.
                    tracing::warn!(update = id, error = %e, "cannot read what an update sent; it may be sent again");
                    HashMap::new()
                }
            }
        } else {
            HashMap::new()
        };
        if !earlier.is_empty() {
            tracing::info!(
                update = id,
                sent = earlier.len(),
                "an update taken over: what was sent is not sent again"
            );
        }
        Journal {
            store,
            update: id,
            next: AtomicU32::new(0),
            earlier,
        }
    }

    /// Runs `handling` with this journal numbering its sends.
    pub async fn scope<F: std::future::Future>(self, handling: F) -> F::Output {
        CURRENT.scope(Arc::new(self), handling).await
    }
}

/// The next send of the update being handled, if its sends are journaled.
pub struct JournaledSend {
    journal: Arc<Journal>,
    seq: u32,
    what: &'static str,
}

impl JournaledSend {
    /// Numbers a send of `what` made now (`None` outside a journaled update).
    pub fn next(what: &'static str) -> Option<JournaledSend> {
        let journal = CURRENT.try_with(Arc::clone).ok()?;
        let seq = journal.next.fetch_add(1, Ordering::Relaxed);
        Some(JournaledSend { journal, seq, what })
    }

    /// Telegram's answer to this send when an earlier try made it.
    pub fn made_before<T: DeserializeOwned>(&self) -> Option<T> {
        let earlier = self.journal.earlier.get(&self.seq)?;
        if earlier.what != self.what {
            // The handler took another path this time: this send is a new one.
            return None;
        }
        serde_json::from_str(&earlier.response).ok()
    }

    /// Records that the send was made and what Telegram answered.
    pub async fn made<T: Serialize>(self, answer: &T) {
        let Ok(mut response) = serde_json::to_value(answer) else {
            return;
        };
        cut_content(&mut response);
        let sent = SentReply {
            seq: self.seq,
            what: self.what.to_owned(),
            response: response.to_string(),
        };
        if let Err(e) = self
            .journal
            .store
            .record_send(self.journal.update, &sent)
            .await
        {
            tracing::warn!(update = self.journal.update, error = %e, "cannot record a send; a takeover may send it again");
        }
    }
}

/// Keys whose values are content, emptied before an answer is recorded.
const TEXTS: [&str; 2] = ["text", "caption"];
/// Keys whose values are content, removed (every one is optional in the Bot API's types).
const REMOVED: [&str; 6] = [
    "entities",
    "caption_entities",
    "reply_to_message",
    "quote",
    "external_reply",
    "reply_markup",
];

/// Empties texts and removes content throughout an answer, keeping ids and shape.
fn cut_content(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in REMOVED {
                map.remove(key);
            }
            for key in TEXTS {
                if let Some(text) = map.get_mut(key) {
                    *text = Value::String(String::new());
                }
            }
            map.values_mut().for_each(cut_content);
        }
        Value::Array(items) => items.iter_mut().for_each(cut_content),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_keeps_its_ids_and_loses_its_content() {
        let message = serde_json::json!({
            "message_id": 7,
            "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "Ann"},
            "text": "your health factor is 1.02",
            "entities": [{"type": "bold", "offset": 0, "length": 4}],
            "reply_to_message": {
                "message_id": 6,
                "date": 1_700_000_000,
                "chat": {"id": 42, "type": "private", "first_name": "Ann"},
                "text": "my words",
            },
        });
        let parsed: teloxide::types::Message =
            serde_json::from_value(message).expect("a Bot API message");
        let mut cut = serde_json::to_value(&parsed).expect("serializes");
        cut_content(&mut cut);
        let json = cut.to_string();
        assert!(
            !json.contains("health") && !json.contains("my words"),
            "{json}"
        );
        let back: teloxide::types::Message = serde_json::from_value(cut).expect("still a message");
        assert_eq!(back.id, parsed.id);
        assert_eq!(back.chat.id, parsed.chat.id);
    }
}
