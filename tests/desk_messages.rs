//! The desk against a set of realistic user messages (tests/data/desk_messages.toml, the
//! regression set): intent, language, FAQ topic and key facts, with live answers from the
//! devnet. The judging is shared with tests/desk_eval.rs (tests/common/judge.rs).

mod common;

use lendesk::chain::markets::Markets;
use lendesk::desk::Desk;
use lendesk::store::Store;

pub fn desk(chain: &common::Chain, store: Store) -> Desk {
    common::desk(
        Markets::single(common::reader(&chain.rpc_url, &chain.manifest)),
        store,
    )
}

#[tokio::test]
async fn realistic_messages_get_the_right_intent_language_and_facts() {
    let chain = common::shared();
    let cases = common::judge::load("tests/data/desk_messages.toml");
    assert!(cases.len() >= 100, "the set has {} messages", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(&chain, Store::open(dir.path()).unwrap());
    let verdicts = common::judge::run(&desk, &chain, &cases, 10_000).await;
    let failures: Vec<String> = verdicts
        .iter()
        .filter(|v| v.kind.is_some())
        .map(|v| common::judge::failure_line(&cases[v.index], v))
        .collect();
    let total = cases.len();
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
