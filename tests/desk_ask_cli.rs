//! `lendesk ask --json` as a script runs it: the real binary, a real devnet, every path of the
//! desk (faq, position, escalate, refuse_secret, smalltalk, clarify, command, error) in English
//! and Chinese, and the exit codes of bad command lines.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const INTENTS: &[&str] = &[
    "faq",
    "position",
    "escalate",
    "refuse_secret",
    "smalltalk",
    "clarify",
    "command",
    "error",
    "relayed",
    "throttled",
    "dropped",
];
const ACTIONS: &[&str] = &["delete_message", "notify_staff", "relay_to_staff"];

/// A desk as the binary sees it: a config file and a sled data directory of its own.
struct Desk {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Desk {
    /// A desk whose market is the shared devnet.
    fn on_devnet() -> Self {
        let chain = common::shared();
        Self::with_rpc(&chain.rpc_url)
    }

    /// A desk whose market's node is at `rpc_url` (the devnet's contracts).
    fn with_rpc(rpc_url: &str) -> Self {
        let chain = common::shared();
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("lendesk.toml");
        let text = lendesk::devnet::cli::lendesk_toml(&chain.manifest)
            .replace(&chain.manifest.rpc_url, rpc_url);
        std::fs::write(&config, text).expect("write config");
        Self { dir, config }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `lendesk --config … <args>` with this desk's data dir; nothing from the environment.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_lendesk"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("LENDESK_DATA_DIR", self.data_dir())
            .env(
                "LENDESK_FAQ_DIR",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
            )
            .env_remove("LENDESK_CONFIG")
            .env_remove("LENDESK_RPC_URL")
            .env_remove("LENDESK_MARKET")
            .env_remove("LENDESK_RPC_TIMEOUT_MS")
            .env_remove("LENDESK_TARGET_HF")
            .env_remove("LENDESK_LOG")
            .output()
            .expect("run lendesk")
    }

    /// `lendesk ask --json [flags] <message>`: exit code 0 and one well-formed JSON object.
    fn ask(&self, message: &str, flags: &[&str]) -> Value {
        let mut args = vec!["ask", "--json"];
        args.extend_from_slice(flags);
        args.push(message);
        let out = self.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "ask {message:?} {flags:?}: stderr {stderr}"
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "ask {message:?}: stdout is not exactly one JSON object ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert_shape(&v);
        v
    }
}

/// Exactly the six documented keys, each of the documented type and range.
fn assert_shape(v: &Value) {
    let object = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["actions", "intent", "lang", "sources", "text", "ticket"],
        "{v}"
    );
    let intent = v["intent"].as_str().unwrap_or_default();
    assert!(INTENTS.contains(&intent), "intent {}", v["intent"]);
    assert!(v["lang"] == "en" || v["lang"] == "zh", "lang {}", v["lang"]);
    assert!(
        !v["text"]
            .as_str()
            .expect("text is a string")
            .trim()
            .is_empty(),
        "empty text: {v}"
    );
    assert!(
        v["sources"]
            .as_array()
            .expect("sources is an array")
            .iter()
            .all(Value::is_string),
        "sources {}",
        v["sources"]
    );
    assert!(
        v["ticket"].is_null() || v["ticket"].is_u64(),
        "ticket {}",
        v["ticket"]
    );
    let actions = v["actions"].as_array().expect("actions is an array");
    assert!(
        actions
            .iter()
            .all(|a| a.as_str().is_some_and(|a| ACTIONS.contains(&a))),
        "actions {}",
        v["actions"]
    );
}

fn text(v: &Value) -> &str {
    v["text"].as_str().unwrap_or_default()
}

fn sources(v: &Value) -> Vec<&str> {
    v["sources"]
        .as_array()
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn actions(v: &Value) -> Vec<&str> {
    v["actions"]
        .as_array()
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// intent and lang, with the whole object in the failure message.
fn assert_answer(v: &Value, intent: &str, lang: &str) {
    assert_eq!(
        (v["intent"].as_str(), v["lang"].as_str()),
        (Some(intent), Some(lang)),
        "{v:#}"
    );
}

fn address(profile: &str) -> String {
    common::account(&common::shared().manifest, profile).to_checksum(None)
}

// ---------------------------------------------------------------------------------------------
// faq
// ---------------------------------------------------------------------------------------------

#[test]
fn faq_answers_in_the_language_of_the_question() {
    let desk = Desk::on_devnet();
    for (message, lang) in [
        ("what does the health factor mean", "en"),
        ("健康因子是什么意思", "zh"),
    ] {
        let v = desk.ask(message, &[]);
        assert_answer(&v, "faq", lang);
        assert!(
            sources(&v)
                .first()
                .is_some_and(|s| s.starts_with("faq:health-factor")),
            "{v:#}"
        );
        assert_eq!(v["ticket"], Value::Null);
        assert!(actions(&v).is_empty(), "{v:#}");
    }
}

// ---------------------------------------------------------------------------------------------
// position
// ---------------------------------------------------------------------------------------------

#[test]
fn position_of_the_address_flag_is_read_live_from_the_devnet() {
    let desk = Desk::on_devnet();
    let warning = address("warning");

    let v = desk.ask("what is my health factor", &["--address", &warning]);
    assert_answer(&v, "position", "en");
    common::assert_warning_hf(text(&v), "Health factor ");
    assert!(text(&v).contains("Liquidation price of WETH"), "{v:#}");
    assert!(
        sources(&v)
            .iter()
            .any(|s| s.starts_with(&format!("chain:devnet:{warning}@"))),
        "{v:#}"
    );

    let v = desk.ask("我的健康因子是多少", &["--address", &warning]);
    assert_answer(&v, "position", "zh");
    common::assert_warning_hf(text(&v), "健康因子 ");
    assert!(
        sources(&v).iter().any(|s| s.starts_with("chain:devnet:")),
        "{v:#}"
    );
}

#[test]
fn position_of_an_address_inside_the_message() {
    let desk = Desk::on_devnet();
    let close = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    assert_eq!(
        address("close"),
        close,
        "devnet account #3 is the close one"
    );
    let v = desk.ask(&format!("check {close}"), &[]);
    assert_answer(&v, "position", "en");
    assert!(
        sources(&v)
            .iter()
            .any(|s| s.starts_with(&format!("chain:devnet:{close}@"))),
        "{v:#}"
    );
    assert!(text(&v).contains("Health factor 1.0"), "{v:#}");
}

// ---------------------------------------------------------------------------------------------
// escalate
// ---------------------------------------------------------------------------------------------

#[test]
fn escalations_open_one_ticket_per_user_and_reuse_it() {
    let desk = Desk::on_devnet();

    let first = desk.ask("I want to talk to a human", &["--user", "7"]);
    assert_answer(&first, "escalate", "en");
    let ticket = first["ticket"].as_u64().expect("a ticket number");
    assert!(actions(&first).contains(&"notify_staff"), "{first:#}");

    // Same user, another escalation, another process on the same data dir: the same ticket.
    let again = desk.ask("my funds were stolen", &["--user", "7"]);
    assert_answer(&again, "escalate", "en");
    assert_eq!(again["ticket"].as_u64(), Some(ticket), "{again:#}");
    assert!(actions(&again).contains(&"notify_staff"), "{again:#}");
    // The user has a ticket open: the message is also copied to its staff thread.
    assert!(actions(&again).contains(&"relay_to_staff"), "{again:#}");

    let zh = desk.ask("转人工", &["--user", "8"]);
    assert_answer(&zh, "escalate", "zh");
    let zh_ticket = zh["ticket"].as_u64().expect("a ticket number");
    assert_ne!(zh_ticket, ticket, "another user, another ticket");
    assert!(actions(&zh).contains(&"notify_staff"), "{zh:#}");

    let zh_again = desk.ask("我的钱被盗了", &["--user", "8"]);
    assert_answer(&zh_again, "escalate", "zh");
    assert_eq!(zh_again["ticket"].as_u64(), Some(zh_ticket), "{zh_again:#}");
}

// ---------------------------------------------------------------------------------------------
// refuse_secret
// ---------------------------------------------------------------------------------------------

#[test]
fn secrets_are_refused_and_deleted_in_both_languages() {
    let desk = Desk::on_devnet();
    for (message, lang) in [
        (
            "support told me to send my seed: legal winner thank year wave sausage worth useful legal winner thank yellow",
            "en",
        ),
        (
            "客服让我发助记词：的 一 是 在 不 了 有 和 人 这 中 大",
            "zh",
        ),
    ] {
        let v = desk.ask(message, &[]);
        assert_answer(&v, "refuse_secret", lang);
        assert_eq!(actions(&v), ["delete_message"], "{v:#}");
        assert_eq!(v["ticket"], Value::Null);
        assert!(!text(&v).contains("sausage") && !text(&v).contains("的 一 是"));
    }
}

// ---------------------------------------------------------------------------------------------
// smalltalk
// ---------------------------------------------------------------------------------------------

#[test]
fn greetings_thanks_and_price_predictions_are_smalltalk() {
    let desk = Desk::on_devnet();
    for (message, lang) in [
        ("hi", "en"),
        ("谢谢", "zh"),
        ("will ETH go up?", "en"),
        ("ETH会涨吗", "zh"),
    ] {
        let v = desk.ask(message, &[]);
        assert_answer(&v, "smalltalk", lang);
        assert_eq!(v["ticket"], Value::Null);
        assert!(actions(&v).is_empty(), "{v:#}");
    }
    let v = desk.ask("will ETH go up?", &[]);
    assert!(text(&v).contains("can't predict prices"), "{v:#}");
    let v = desk.ask("ETH会涨吗", &[]);
    assert!(text(&v).contains("无法预测价格"), "{v:#}");
}

// ---------------------------------------------------------------------------------------------
// clarify
// ---------------------------------------------------------------------------------------------

#[test]
fn unclear_messages_get_a_question_back() {
    let desk = Desk::on_devnet();

    let v = desk.ask("qwzx blorf vrrk snazzle", &[]);
    assert_answer(&v, "clarify", "en");

    let v = desk.ask("0x7099…79C8", &[]);
    assert_answer(&v, "clarify", "en");
    assert!(text(&v).contains("shortened address"), "{v:#}");

    let v = desk.ask("what is my hf", &[]);
    assert_answer(&v, "clarify", "en");
    assert!(text(&v).contains("public address"), "{v:#}");
    assert!(
        sources(&v).is_empty(),
        "no chain read without an address: {v:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// command
// ---------------------------------------------------------------------------------------------

#[test]
fn commands_and_the_saved_language_choice() {
    let desk = Desk::on_devnet();

    let v = desk.ask("/start", &["--user", "21"]);
    assert_answer(&v, "command", "en");
    assert!(text(&v).contains("Welcome to lendesk"), "{v:#}");

    let v = desk.ask("/lang zh", &["--user", "22"]);
    assert_answer(&v, "command", "zh");
    // The saved choice wins over the language of the message, in a later process.
    let v = desk.ask("what does the health factor mean", &["--user", "22"]);
    assert_answer(&v, "faq", "zh");
    assert!(text(&v).contains("健康因子"), "{v:#}");
    // …and only for that user.
    let v = desk.ask("what does the health factor mean", &["--user", "23"]);
    assert_answer(&v, "faq", "en");
}

// ---------------------------------------------------------------------------------------------
// error
// ---------------------------------------------------------------------------------------------

#[test]
fn a_malformed_address_is_an_error_answer() {
    let desk = Desk::on_devnet();
    let v = desk.ask("/link 0x1234", &[]);
    assert_answer(&v, "error", "en");
    assert!(text(&v).contains("doesn't look right"), "{v:#}");
    assert!(text(&v).contains("40 hex digits"), "{v:#}");
}

#[test]
fn a_dead_node_is_an_error_answer_with_exit_code_0() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let desk = Desk::with_rpc(&format!("http://127.0.0.1:{port}"));
    let warning = address("warning");

    let v = desk.ask("what is my health factor", &["--address", &warning]);
    assert_answer(&v, "error", "en");
    assert!(
        text(&v).contains("can't reach the blockchain node"),
        "{v:#}"
    );
    assert!(sources(&v).is_empty(), "{v:#}");

    let v = desk.ask("我的健康因子是多少", &["--address", &warning]);
    assert_answer(&v, "error", "zh");
    assert!(text(&v).contains("无法连接区块链节点"), "{v:#}");

    // The knowledge base still answers without the node.
    let v = desk.ask("what does the health factor mean", &["--address", &warning]);
    assert_answer(&v, "faq", "en");
}

// ---------------------------------------------------------------------------------------------
// language hint and bad command lines
// ---------------------------------------------------------------------------------------------

#[test]
fn the_lang_flag_decides_for_a_message_without_letters() {
    let desk = Desk::on_devnet();
    let v = desk.ask("👍", &["--lang", "zh"]);
    assert_eq!(v["lang"], "zh", "{v:#}");
    let v = desk.ask("👍", &[]);
    assert_eq!(v["lang"], "en", "{v:#}");
    // A hint only: the message's own language wins.
    let v = desk.ask("what does the health factor mean", &["--lang", "zh"]);
    assert_answer(&v, "faq", "en");
}

#[test]
fn bad_command_lines_exit_with_code_2() {
    let desk = Desk::on_devnet();
    for args in [
        &["ask", "--json", "--lang", "fr", "hi"][..],
        &["ask", "--json", "--address", "0x1234", "hi"][..],
    ] {
        let out = desk.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("error: "),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
