//! Every record the store writes passes the secret scanner first: each string in it (a
//! question, a comment, a summary, a macro, an audit detail, a name…) is redacted here, in one
//! place, so a secret format a caller forgot to redact still never reaches the sled files.

use serde::Serialize;
use serde_json::Value;

use super::StoreError;

/// A record as the bytes stored: JSON with every string redacted.
pub(super) fn encode<T: Serialize>(
    tree: &'static str,
    key: &[u8],
    value: &T,
) -> Result<Vec<u8>, StoreError> {
    let failed = |e: serde_json::Error| StoreError::Corrupt {
        tree,
        key: String::from_utf8_lossy(key).into_owned(),
        message: e.to_string(),
    };
    let mut json = serde_json::to_value(value).map_err(failed)?;
    redact_strings(&mut json);
    serde_json::to_vec(&json).map_err(failed)
}

fn redact_strings(value: &mut Value) {
    match value {
        Value::String(text) => {
            if crate::secrets::contains_secret(text) {
                *text = crate::secrets::redact(text);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(fields) => fields.values_mut().for_each(redact_strings),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_in_any_string_of_a_record_is_redacted_and_the_rest_kept() {
        let key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
        let record = serde_json::json!({
            "summary": format!("my key is {key} help"),
            "nested": [{"comment": key}],
            "count": 3,
        });
        let bytes = encode("tickets", b"1", &record).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains(key), "{text}");
        assert!(text.contains("my key is [redacted] help"), "{text}");
        assert!(text.contains("\"count\":3"), "{text}");
    }

    #[test]
    fn the_shipped_faq_is_stored_unchanged() {
        // A moderator's edit of a topic must not come back altered by the secret filter.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
        let kb = crate::knowledge::KnowledgeBase::load_dir(&dir).unwrap();
        for topic in kb.topics() {
            let stored = encode("faq_edits", topic.id.as_bytes(), topic).unwrap();
            let back: crate::knowledge::Topic = serde_json::from_slice(&stored).unwrap();
            assert_eq!(&back, topic, "topic {}", topic.id);
        }
    }
}
