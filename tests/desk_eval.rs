//! lendesk's independent evaluation set (issue 9): messages written by helpers who saw only a
//! list of user situations, labelled and split once by writer (tests/data/eval/). The dev part
//! is the one to tune on and holds a ratchet floor; the test part is `#[ignore]`d and only
//! prints its figures, so nothing is ever tuned against it.
//!
//! `cargo test --test desk_eval -- --nocapture` (dev) and
//! `cargo test --test desk_eval -- --ignored --nocapture` (test).

mod common;

use lendesk::chain::markets::Markets;
use lendesk::knowledge::Retrieval;
use lendesk::store::Store;

/// Today's dev score, in whole percent. Raise it as the desk improves; never lower it on the
/// same set (it was 83 on writers 1 and 2 alone; writer 5's situations are harder).
const DEV_FLOOR_PERCENT: usize = 95;

async fn evaluate(title: &str, relative: &str) -> (usize, usize) {
    let (right, total, table) = evaluate_with(title, relative, Retrieval::default()).await;
    println!("{table}");
    (right, total)
}

async fn evaluate_with(
    title: &str,
    relative: &str,
    retrieval: Retrieval,
) -> (usize, usize, String) {
    let chain = common::shared();
    let cases = common::judge::load(relative);
    let dir = tempfile::tempdir().unwrap();
    let desk = common::desk_with(
        Markets::single(common::reader(&chain.rpc_url, &chain.manifest)),
        Store::open(dir.path()).unwrap(),
        retrieval,
    );
    let verdicts = common::judge::run(&desk, &chain, &cases, 20_000).await;
    common::judge::report(title, &cases, &verdicts)
}

/// BM25F alone, the classifier alone and both, on one part: the first lines of each report.
async fn ablation(part: &str, relative: &str) {
    for retrieval in [Retrieval::Bm25, Retrieval::Classifier, Retrieval::Both] {
        let title = format!("{part}, {retrieval:?}");
        let (_, _, table) = evaluate_with(&title, relative, retrieval).await;
        let summary: Vec<&str> = table
            .lines()
            .take_while(|l| !l.starts_with("failures by kind"))
            .collect();
        println!("{}\n", summary.join("\n"));
    }
}

#[tokio::test]
async fn dev_set_scores_at_least_the_floor() {
    let (right, total) = evaluate(
        "eval dev (writers 1, 2, 4, 5, 7-31)",
        "tests/data/eval/dev.toml",
    )
    .await;
    assert!(total >= 2_800, "the dev set has {total} messages");
    assert!(
        right * 100 >= total * DEV_FLOOR_PERCENT,
        "dev set: {right}/{total} right, below the floor of {DEV_FLOOR_PERCENT}%"
    );
}

#[tokio::test]
#[ignore = "the held-out test set: run only to report its figures, never to tune"]
async fn test_set_figures() {
    evaluate("eval test (writers 3, 6)", "tests/data/eval/test.toml").await;
}

#[tokio::test]
#[ignore = "evaluation: run with --ignored --nocapture"]
async fn dev_ablation() {
    ablation("eval dev", "tests/data/eval/dev.toml").await;
}

#[tokio::test]
#[ignore = "the held-out test set: run only to report its figures, never to tune"]
async fn test_ablation() {
    ablation("eval test", "tests/data/eval/test.toml").await;
}

#[test]
fn placeholders_become_valid_secrets_and_every_placeholder_is_known() {
    for n in 0..50 {
        for words in [12, 24] {
            let phrase = common::judge::mnemonic(words, n);
            let parsed = bip39::Mnemonic::parse(&phrase).expect("a valid BIP39 phrase");
            assert_eq!(parsed.word_count(), words);
        }
        let key = common::judge::private_key(n);
        assert_eq!(key.len(), 66);
        assert!(key[2..].chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_ne!(
        common::judge::mnemonic(12, 1),
        common::judge::mnemonic(12, 2)
    );
    for set in ["tests/data/eval/dev.toml", "tests/data/eval/test.toml"] {
        for case in common::judge::load(set) {
            let mut rest = case.text.clone();
            for known in ["<ADDR>", "<SEED12>", "<SEED24>", "<KEY>"] {
                rest = rest.replace(known, "");
            }
            let holder = rest
                .split('<')
                .skip(1)
                .filter_map(|s| s.split_once('>').map(|(h, _)| h))
                .find(|h| {
                    !h.is_empty()
                        && h.chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                });
            assert!(
                holder.is_none(),
                "{set}: unknown placeholder <{holder:?}> in {:?}",
                case.text
            );
            if case.text.contains("<ADDR>") {
                assert!(case.address.is_some(), "{set}: <ADDR> without a profile");
            }
        }
    }
}
