//! The desk against a set of realistic user messages (tests/data/desk_messages.toml): intent,
//! language, FAQ topic and key facts, with live answers from the devnet.

mod common;

use std::path::Path;

use lendesk::chain::markets::Markets;
use lendesk::desk::{Desk, Incoming};
use lendesk::lang::Lang;
use lendesk::store::Store;
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    intent: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    faq: Vec<String>,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    lacks: Vec<String>,
    #[serde(default)]
    address: Option<String>,
}

pub fn desk(chain: &common::Chain, store: Store) -> Desk {
    common::desk(
        Markets::single(common::reader(&chain.rpc_url, &chain.manifest)),
        store,
    )
}

#[tokio::test]
async fn realistic_messages_get_the_right_intent_language_and_facts() {
    let chain = common::shared();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/desk_messages.toml"),
    )
    .expect("message set");
    let cases: Cases = toml::from_str(&text).expect("valid message set");
    assert!(
        cases.case.len() >= 100,
        "the set has {} messages",
        cases.case.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(&chain, Store::open(dir.path()).unwrap());
    let mut failures = Vec::new();
    for (i, case) in cases.case.iter().enumerate() {
        let addresses = case
            .address
            .as_deref()
            .map(|p| vec![common::account(&chain.manifest, p)])
            .unwrap_or_default();
        let out = desk
            .handle(Incoming {
                user: 10_000 + i as i64,
                text: case.text.clone(),
                addresses,
                now: 1_700_000_000,
                ..Default::default()
            })
            .await;
        let mut problems = Vec::new();
        let intent = serde_json::to_value(out.intent).unwrap();
        if intent != case.intent.as_str() {
            problems.push(format!("intent {intent} (expected {})", case.intent));
        }
        let lang = case
            .lang
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or(Lang::En);
        if out.lang != lang {
            problems.push(format!("lang {:?} (expected {lang:?})", out.lang));
        }
        if !case.faq.is_empty() {
            let first = out.sources.first().cloned().unwrap_or_default();
            if !case.faq.iter().any(|id| first == format!("faq:{id}")) {
                problems.push(format!("source {first:?} (expected one of {:?})", case.faq));
            }
        }
        let reply = out.text();
        for fact in &case.contains {
            if !reply.contains(fact.as_str()) {
                problems.push(format!("reply lacks {fact:?}"));
            }
        }
        for wrong in &case.lacks {
            if reply.contains(wrong.as_str()) {
                problems.push(format!("reply holds {wrong:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "#{i} {:?}: {}\n    reply: {}",
                case.text,
                problems.join("; "),
                reply
                    .chars()
                    .take(160)
                    .collect::<String>()
                    .replace('\n', " ⏎ ")
            ));
        }
    }
    let total = cases.case.len();
    let passed = total - failures.len();
    println!(
        "desk message set: {passed}/{total} passed ({:.1}%)",
        100.0 * passed as f64 / total as f64
    );
    for f in &failures {
        println!("  {f}");
    }
    assert!(
        passed * 100 >= total * 90,
        "{passed}/{total} passed; failures:\n{}",
        failures.join("\n")
    );
}
