//! A pasted seed phrase or private key appears in no reply, no log line (at TRACE, every target)
//! and no byte of the sled files, whether it comes alone, in a sentence, in a message that would
//! otherwise escalate, in a position question, past the 4096-character cut or in button data.
//! Checked in process (the desk itself) and through the real `lendesk ask` binary.
//!
//! The leak search is deliberately broader than "the secret as typed": any three consecutive
//! words of a phrase (whatever separates them: spaces, numbering, line breaks, JSON escapes),
//! any 16-character window of a key (hex case-insensitively), and the key's raw 32 bytes. Each
//! search kind has a positive control: a normal message's text that the desk *does* store is
//! found by the same helper in the same files, so a passing test is not a blind search.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::AhoCorasick;

use lendesk::chain::markets::Markets;
use lendesk::desk::{Action, Desk, Incoming, Intent, Outcome};
use lendesk::secrets::{self, SecretKind};
use lendesk::store::{Speaker, Store};

const NOW: u64 = 1_700_000_000;

// ---------------------------------------------------------------------------------------------
// The secrets (fake but realistic)
// ---------------------------------------------------------------------------------------------

/// What to look for when searching for a leak.
#[derive(Debug, Clone)]
enum Needle {
    /// Seed words (lowercase ASCII): any 3 consecutive ones, whatever separates them.
    Words(Vec<String>),
    /// Chinese seed characters: any 3 consecutive ones, spaced or not.
    Han(Vec<char>),
    /// A hex key (lowercase, no 0x): any 16-hex window in any case, and of its raw bytes.
    Hex(String),
    /// A base58 key: any 16-character window, case-sensitive.
    Base58(String),
}

struct Secret {
    name: &'static str,
    kind: SecretKind,
    /// As the user pastes it.
    pasted: String,
    needle: Needle,
}

const ENGLISH_12: &str =
    "legal winner thank year wave sausage worth useful legal winner thank yellow";
/// BIP39 test vector (24 words, valid checksum).
const ENGLISH_24: &str = "letter advice cage absurd amount doctor acoustic avoid letter advice \
     cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless";
const CHINESE_12: &str = "的 一 是 在 不 了 有 和 人 这 中 大";
const HEX_KEY: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const BARE_HEX_KEY: &str = "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f";
/// The BIP32 test vector 1 master key.
const XPRV: &str = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";

fn words(phrase: &str) -> Vec<String> {
    phrase.split_whitespace().map(str::to_string).collect()
}

/// "1. letter 2. advice 3. cage\n4. absurd …": six numbered words a line.
fn numbered(phrase: &str) -> String {
    words(phrase)
        .chunks(6)
        .enumerate()
        .map(|(line, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(i, w)| format!("{}. {w}", line * 6 + i + 1))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn all_secrets() -> Vec<Secret> {
    vec![
        Secret {
            name: "english 12-word phrase",
            kind: SecretKind::SeedPhrase,
            pasted: ENGLISH_12.into(),
            needle: Needle::Words(words(ENGLISH_12)),
        },
        Secret {
            name: "numbered 24-word phrase over four lines",
            kind: SecretKind::SeedPhrase,
            pasted: numbered(ENGLISH_24),
            needle: Needle::Words(words(ENGLISH_24)),
        },
        Secret {
            name: "chinese spaced phrase",
            kind: SecretKind::SeedPhrase,
            pasted: CHINESE_12.into(),
            needle: Needle::Han(CHINESE_12.chars().filter(|c| !c.is_whitespace()).collect()),
        },
        Secret {
            name: "0x private key",
            kind: SecretKind::PrivateKey,
            pasted: format!("0x{HEX_KEY}"),
            needle: Needle::Hex(HEX_KEY.into()),
        },
        Secret {
            name: "bare hex private key",
            kind: SecretKind::PrivateKey,
            pasted: BARE_HEX_KEY.into(),
            needle: Needle::Hex(BARE_HEX_KEY.into()),
        },
        Secret {
            name: "xprv",
            kind: SecretKind::ExtendedPrivateKey,
            pasted: XPRV.into(),
            needle: Needle::Base58(XPRV.into()),
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// The leak search
// ---------------------------------------------------------------------------------------------

/// Drops ANSI colour sequences (ESC [ … letter) so a coloured log line cannot hide a match.
fn strip_ansi(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The first of `windows` found in `haystack`, in one pass (`any_case`: ASCII case-insensitive).
fn first_window<'h>(haystack: &'h [u8], windows: &[&[u8]], any_case: bool) -> Option<&'h [u8]> {
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(any_case)
        .build(windows)
        .expect("automaton");
    automaton.find(haystack).map(|m| &haystack[m.range()])
}

/// Lowercase ASCII words in `bytes`, in order; a backslash escape (`\n`, `\t`, `\"`) is a
/// separator, not part of the next word, so JSON- and Debug-escaped text reads as written.
fn ascii_words(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' {
            i += 2;
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        if b.is_ascii_alphabetic() {
            word.push(b.to_ascii_lowercase() as char);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        i += 1;
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Runs of CJK characters in `bytes` (as UTF-8), joined across whitespace, ASCII digits and
/// punctuation, `、` and `，` (what separates a spaced or numbered phrase), broken by anything
/// else.
fn han_runs(bytes: &[u8]) -> Vec<Vec<char>> {
    let text = String::from_utf8_lossy(bytes);
    let mut runs = vec![Vec::new()];
    for c in text.chars() {
        if lendesk::lang::is_cjk(c) {
            runs.last_mut().expect("a run").push(c);
        } else if c.is_whitespace()
            || c.is_ascii_digit()
            || c.is_ascii_punctuation()
            || matches!(c, '、' | '，')
        {
            continue;
        } else if !runs.last().expect("a run").is_empty() {
            runs.push(Vec::new());
        }
    }
    runs
}

/// The first fragment of the secret found in `haystack`, if any.
fn leak(haystack: &[u8], needle: &Needle) -> Option<String> {
    let haystack = strip_ansi(haystack);
    match needle {
        Needle::Words(secret) => {
            let found = ascii_words(&haystack);
            let windows: BTreeSet<&[String]> = secret.windows(3).collect();
            found
                .windows(3)
                .find(|w| windows.contains(w))
                .map(|w| w.join(" "))
        }
        Needle::Han(secret) => {
            let windows: BTreeSet<&[char]> = secret.windows(3).collect();
            han_runs(&haystack).iter().find_map(|run| {
                run.windows(3)
                    .find(|w| windows.contains(w))
                    .map(|w| w.iter().collect::<String>())
            })
        }
        Needle::Hex(hex) => {
            let text: Vec<&[u8]> = hex.as_bytes().windows(16).collect();
            let raw = hex::decode(hex).expect("hex");
            let raw: Vec<&[u8]> = raw.windows(16).collect();
            first_window(&haystack, &text, true)
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .or_else(|| {
                    first_window(&haystack, &raw, false)
                        .map(|w| format!("raw bytes {}", hex::encode(w)))
                })
        }
        Needle::Base58(key) => {
            let windows: Vec<&[u8]> = key.as_bytes().windows(16).collect();
            first_window(&haystack, &windows, false)
                .map(|w| String::from_utf8_lossy(w).into_owned())
        }
    }
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// (file, fragment) for the first file under `dir` that holds a fragment of `needle`.
fn leak_on_disk(dir: &Path, needle: &Needle) -> Option<(PathBuf, String)> {
    files_under(dir).into_iter().find_map(|file| {
        let bytes = std::fs::read(&file).expect("read a sled file");
        leak(&bytes, needle).map(|fragment| (file, fragment))
    })
}

// ---------------------------------------------------------------------------------------------
// Log capture for this test binary: TRACE, every target (alloy logs each JSON-RPC body)
// ---------------------------------------------------------------------------------------------

struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_buffer() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Captured(writer.clone()))
            .try_init()
            .expect("the only subscriber of this test binary");
        buffer
    })
    .clone()
}

fn captured_log() -> Vec<u8> {
    log_buffer()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

// ---------------------------------------------------------------------------------------------
// In process: the desk
// ---------------------------------------------------------------------------------------------

fn desk(chain: &common::Chain, store: Store) -> Desk {
    common::desk(
        Markets::single(common::reader(&chain.rpc_url, &chain.manifest)),
        store,
    )
}

/// The ways a secret arrives: alone, in a sentence, in a message that would otherwise escalate,
/// in a position question with an address, in Chinese, and straddling the 4096-character cut.
fn carriers(secret: &str, address: &str) -> Vec<(&'static str, String)> {
    vec![
        ("alone", secret.to_string()),
        (
            "in a sentence",
            format!("support told me to send my seed: {secret}"),
        ),
        (
            "with an escalation",
            format!("my funds were stolen, here is my key {secret} please help"),
        ),
        (
            "in a position question",
            format!("what is my health factor? my address is {address} and my key is {secret}"),
        ),
        ("in chinese", format!("客服让我发这个验证钱包：{secret}")),
        (
            "past the 4096-character cut",
            format!("{}{secret}", "help ".repeat(818)),
        ),
    ]
}

fn message(user: i64, text: &str, addresses: Vec<alloy::primitives::Address>) -> Incoming {
    Incoming {
        user,
        text: text.to_string(),
        addresses,
        now: NOW,
        ..Default::default()
    }
}

fn reply_leak(out: &Outcome, needle: &Needle) -> Option<String> {
    let mut all = out.text();
    for reply in &out.replies {
        for button in reply.buttons.iter().flatten() {
            all.push_str(&format!("\n{} {}", button.label, button.data));
        }
    }
    all.push_str(&out.sources.join("\n"));
    leak(all.as_bytes(), needle)
}

#[tokio::test]
async fn pasted_secrets_reach_no_reply_no_log_line_and_no_byte_on_disk() {
    log_buffer();
    let chain = common::shared();
    let warning = common::account(&chain.manifest, "warning");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let desk = desk(&chain, store.clone());
    let secrets = all_secrets();
    let mut problems = Vec::new();

    // Positive controls: normal messages whose text the desk does store (the conversation is
    // saved when the user is handed to a person, hence the closing /human).
    const CONTROL_USER: i64 = 99;
    let control_words = "periwinkle ultramarine turquoise";
    let control_base58 = "Zq7TnW3xKpLm9RvB2cYd";
    for text in [
        format!("my favourite colours are {control_words}"),
        "健康因子是什么意思".to_string(),
        format!("check {}", common::account(&chain.manifest, "safe")),
        format!("my referral code is {control_base58}"),
        "/human".to_string(),
    ] {
        let out = desk.handle(message(CONTROL_USER, &text, Vec::new())).await;
        assert_ne!(out.intent, Intent::RefuseSecret, "control {text:?}");
    }
    let safe_hex = hex::encode(common::account(&chain.manifest, "safe"));
    let controls = [
        Needle::Words(words(control_words)),
        Needle::Han("健康因子是什么意思".chars().collect()),
        // The safe account's 40 hex digits stand in for a key's: same windows, same case rules.
        Needle::Hex(safe_hex),
        Needle::Base58(control_base58.into()),
    ];
    // …and the same helper finds the control words in a TRACE line of any target.
    tracing::trace!(target: "some_dependency::deep", "control line: {control_words}");

    for (i, secret) in secrets.iter().enumerate() {
        let user = 100 + i as i64;
        let kinds: Vec<SecretKind> = secrets::scan(&secret.pasted)
            .iter()
            .map(|f| f.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![secret.kind],
            "{}: the scanner's view of it",
            secret.name
        );
        for (how, text) in carriers(&secret.pasted, &warning.to_checksum(None)) {
            let out = desk.handle(message(user, &text, vec![warning])).await;
            // A theft reported together with a secret still opens a ticket (without the secret).
            let escalates = how == "with an escalation";
            let expected_actions = if escalates {
                vec![Action::DeleteMessage, Action::NotifyStaff]
            } else {
                vec![Action::DeleteMessage]
            };
            if out.intent != Intent::RefuseSecret || out.actions != expected_actions {
                problems.push(format!(
                    "{} {how}: intent {:?}, actions {:?} (expected RefuseSecret, {expected_actions:?})",
                    secret.name, out.intent, out.actions
                ));
            }
            if out.ticket.is_some() != escalates {
                problems.push(format!("{} {how}: ticket {:?}", secret.name, out.ticket));
            }
            if let Some(fragment) = reply_leak(&out, &secret.needle) {
                problems.push(format!("{} {how}: reply holds {fragment:?}", secret.name));
            }
        }
        // A button whose data carries the secret (a forged or mangled callback).
        let out = desk
            .button(user, &format!("faq:{}", secret.pasted), None, NOW)
            .await;
        if let Some(fragment) = reply_leak(&out, &secret.needle) {
            problems.push(format!(
                "{} in button data: reply holds {fragment:?}",
                secret.name
            ));
        }

        // Normal follow-ups, so that tickets and history exist.
        let human = desk.handle(message(user, "/human", Vec::new())).await;
        assert_eq!(human.intent, Intent::Escalate, "{}", human.text());
        let ticket = human.ticket.expect("a ticket");
        let position = desk
            .handle(message(user, "what is my health factor", vec![warning]))
            .await;
        assert_eq!(position.intent, Intent::Position, "{}", position.text());
        let tickets = desk.handle(message(user, "/ticket", Vec::new())).await;
        assert!(
            tickets.text().contains(&format!("#{ticket}")),
            "{}",
            tickets.text()
        );
        for out in [&human, &position, &tickets] {
            if let Some(fragment) = reply_leak(out, &secret.needle) {
                problems.push(format!("{}: a later reply holds {fragment:?}", secret.name));
            }
        }

        // History: placeholders, never the secret.
        let history = store.history(user).await.unwrap();
        let removed = history
            .iter()
            .filter(|h| h.who == Speaker::User && h.text.starts_with("[message removed"))
            .count();
        if removed != 6 {
            problems.push(format!(
                "{}: {removed} of 6 secret messages have a placeholder in history: {:?}",
                secret.name,
                history.iter().map(|h| &h.text).collect::<Vec<_>>()
            ));
        }
        for line in &history {
            if let Some(fragment) = leak(line.text.as_bytes(), &secret.needle) {
                problems.push(format!(
                    "{}: history line {:?} holds {fragment:?}",
                    secret.name, line.text
                ));
            }
        }
    }

    // Ticket summaries: the user's words, redacted; one ticket per user who reported a theft
    // (the control user's /human ticket aside).
    let tickets: Vec<_> = store
        .tickets()
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.user != CONTROL_USER)
        .collect();
    if tickets.len() != secrets.len() {
        problems.push(format!(
            "{} tickets, expected one /human ticket per user: {:?}",
            tickets.len(),
            tickets.iter().map(|t| &t.summary).collect::<Vec<_>>()
        ));
    }
    for ticket in &tickets {
        for secret in &secrets {
            if let Some(fragment) = leak(ticket.summary.as_bytes(), &secret.needle) {
                problems.push(format!(
                    "ticket #{} summary holds {fragment:?} of {}",
                    ticket.id, secret.name
                ));
            }
        }
    }

    // The log: the desk said what happened, at every level, and never the secret.
    let log_text = captured_log();
    let log_str = String::from_utf8_lossy(&log_text);
    assert!(
        log_str.contains("a secret was pasted"),
        "the log capture works"
    );
    assert!(
        log_str.contains("TRACE some_dependency::deep"),
        "TRACE of any target is captured"
    );
    assert!(
        leak(&log_text, &controls[0]).is_some(),
        "the leak search finds words in the log"
    );
    for secret in &secrets {
        if let Some(fragment) = leak(&log_text, &secret.needle) {
            let line = log_str
                .lines()
                .find(|l| leak(l.as_bytes(), &secret.needle).is_some())
                .unwrap_or_default();
            problems.push(format!(
                "{}: log holds {fragment:?} in {line:?}",
                secret.name
            ));
        }
    }

    // The sled files, after everything is on disk and closed.
    let control_history = store.history(CONTROL_USER).await.unwrap();
    assert!(
        control_history
            .iter()
            .any(|h| h.text.contains(control_words)),
        "{control_history:?}"
    );
    store.flush().await.unwrap();
    drop(desk);
    drop(store);
    let files = files_under(dir.path());
    assert!(!files.is_empty(), "sled wrote files");
    for (control, what) in controls.iter().zip(["words", "han", "hex", "base58"]) {
        assert!(
            leak_on_disk(dir.path(), control).is_some(),
            "positive control ({what}): a stored normal message is found in the sled files {files:?}"
        );
    }
    for secret in &secrets {
        if let Some((file, fragment)) = leak_on_disk(dir.path(), &secret.needle) {
            problems.push(format!(
                "{}: {} holds {fragment:?}",
                secret.name,
                file.display()
            ));
        }
    }

    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The real binary: `lendesk ask --json` with LENDESK_LOG=trace
// ---------------------------------------------------------------------------------------------

fn write_config(dir: &Path, chain: &common::Chain) -> PathBuf {
    let path = dir.join("lendesk.toml");
    let text = lendesk::devnet::cli::lendesk_toml(&chain.manifest)
        .replace(&chain.manifest.rpc_url, &chain.rpc_url);
    std::fs::write(&path, text).expect("write config");
    path
}

fn ask(config: &Path, data_dir: &Path, message: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .arg("--config")
        .arg(config)
        .args(["ask", "--json", message])
        .env("LENDESK_DATA_DIR", data_dir)
        .env(
            "LENDESK_FAQ_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        )
        .env("LENDESK_LOG", "trace")
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_RPC_URL")
        .env_remove("LENDESK_MARKET")
        .output()
        .expect("run lendesk")
}

#[test]
fn the_binary_keeps_no_secret_in_stdout_stderr_or_its_data_dir() {
    let chain = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &chain);

    // Positive control: an escalation's summary is flushed to disk by the binary, and the
    // search finds it there; TRACE logging reaches stderr.
    let control_dir = dir.path().join("control-data");
    let control = ask(
        &config,
        &control_dir,
        "my funds were stolen by periwinkle ultramarine turquoise",
    );
    assert!(
        control.status.success(),
        "{}",
        String::from_utf8_lossy(&control.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&control.stdout).expect("one JSON object");
    assert_eq!(v["intent"], "escalate");
    assert!(
        leak_on_disk(
            &control_dir,
            &Needle::Words(words("periwinkle ultramarine turquoise"))
        )
        .is_some(),
        "positive control: the ticket summary is found in the binary's data dir"
    );
    assert!(
        String::from_utf8_lossy(&control.stderr).contains("TRACE"),
        "LENDESK_LOG=trace reaches stderr"
    );

    let secrets = all_secrets();
    let runs: Vec<(String, Output, PathBuf)> = std::thread::scope(|s| {
        let handles: Vec<_> = secrets
            .iter()
            .enumerate()
            .map(|(i, secret)| {
                let data = dir.path().join(format!("data-{i}"));
                let config = &config;
                s.spawn(move || {
                    let out = ask(config, &data, &secret.pasted);
                    (secret.name.to_string(), out, data)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut problems = Vec::new();
    for ((name, out, data), secret) in runs.iter().zip(&secrets) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            problems.push(format!("{name}: exit {:?}: {stderr}", out.status.code()));
            continue;
        }
        let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{name}: stdout is not one JSON object: {e}"));
                continue;
            }
        };
        if v["intent"] != "refuse_secret" || v["actions"] != serde_json::json!(["delete_message"]) {
            problems.push(format!(
                "{name}: intent {} actions {} (expected refuse_secret, [\"delete_message\"])",
                v["intent"], v["actions"]
            ));
        }
        assert!(
            stderr.contains("a secret was pasted"),
            "{name}: the desk's warning is on stderr: {stderr}"
        );
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            if let Some(fragment) = leak(bytes, &secret.needle) {
                problems.push(format!("{name}: {stream} holds {fragment:?}"));
            }
        }
        if let Some((file, fragment)) = leak_on_disk(data, &secret.needle) {
            problems.push(format!("{name}: {} holds {fragment:?}", file.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
