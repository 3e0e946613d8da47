//! The command line at its edges, as scripts and operators meet them: a reader that closes the
//! pipe, a data directory held by another process, config files with a mistake in them, and
//! the console chat (out-of-hours notice, no log line inside the conversation).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const PROVIDER: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/// A config and a data directory of a test's own.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    /// A config file with `text`.
    fn with_config(text: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("lendesk.toml"), text).expect("write config");
        Self { dir }
    }

    /// A config whose market is the shared devnet.
    fn on_devnet() -> Self {
        let chain = common::shared();
        Self::with_config(&lendesk::devnet::cli::lendesk_toml(&chain.manifest))
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `lendesk --config … <args>`, nothing from the environment but `env`.
    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lendesk"));
        cmd.arg("--config")
            .arg(self.dir.path().join("lendesk.toml"))
            .args(args)
            .env("LENDESK_DATA_DIR", self.data_dir())
            .env(
                "LENDESK_FAQ_DIR",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
            );
        for key in [
            "LENDESK_CONFIG",
            "LENDESK_RPC_URL",
            "LENDESK_MARKET",
            "LENDESK_RPC_TIMEOUT_MS",
            "LENDESK_LOG",
        ] {
            cmd.env_remove(key);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(args, env).output().expect("run lendesk")
    }

    /// Runs with stdout a pipe whose reading end is already closed (`… | head` after it quit).
    fn run_into_closed_pipe(&self, args: &[&str]) -> Output {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        self.command(args, &[])
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("run lendesk")
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn market(rpc_url: &str, provider: &str) -> String {
    format!(
        "[[markets]]\nname = \"main\"\nchain_id = 1\nrpc_url = \"{rpc_url}\"\nkind = \"aave-v3\"\npool_addresses_provider = \"{provider}\"\n"
    )
}

#[test]
fn a_closed_pipe_ends_ask_position_and_faq_search_quietly() {
    let setup = Setup::on_devnet();
    let account = common::account(&common::shared().manifest, "warning").to_checksum(None);
    for args in [
        &["ask", "hello"][..],
        &["ask", "--json", "what does the health factor mean"][..],
        &["position", &account][..],
        &["position", "--json", &account][..],
        &["faq", "search", "health factor"][..],
    ] {
        let out = setup.run_into_closed_pipe(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn ask_while_another_process_holds_the_data_directory_says_so() {
    let setup = Setup::with_config("");
    let held = lendesk::store::Store::open(&setup.data_dir()).expect("open the store");
    let dir = setup.data_dir().display().to_string();

    let out = setup.run(&["ask", "hello"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains(&dir) && message.contains("in use by another lendesk process"),
        "{message}"
    );
    assert!(!message.contains("could not acquire lock"), "{message}");

    let out = setup.run(&["ask", "--json", "hello"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["actions", "intent", "lang", "sources", "text", "ticket"]
    );
    assert_eq!(v["intent"], "error", "{v:#}");
    assert!(
        v["text"]
            .as_str()
            .is_some_and(|t| t.contains("in use by another lendesk process")),
        "{v:#}"
    );
    drop(held);
}

/// Exit code 2 and a message naming every given fragment.
fn assert_config_error(out: &Output, fragments: &[&str]) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    for fragment in fragments {
        assert!(
            stderr(out).contains(fragment),
            "{fragment:?} in {}",
            stderr(out)
        );
    }
}

#[test]
fn config_mistakes_are_refused_naming_the_key_and_line() {
    let account = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    for scheme in ["ws", "ftp"] {
        let setup = Setup::with_config(&market(&format!("{scheme}://127.0.0.1:8545"), PROVIDER));
        let out = setup.run(&["position", account], &[]);
        assert_config_error(
            &out,
            &["markets[0].rpc_url (line 4)", &format!("{scheme}://")],
        );
    }

    let text = format!(
        "default_market = \"mainnet\"\n\n{}",
        market("http://127.0.0.1:8545", PROVIDER)
    );
    let out = Setup::with_config(&text).run(&["ask", "hello"], &[]);
    assert_config_error(&out, &["default_market (line 1)", "\"mainnet\"", "main"]);

    let setup = Setup::with_config(&market("http://127.0.0.1:8545", PROVIDER));
    let out = setup.run(&["ask", "hello"], &[("LENDESK_MARKET", "arbitrum")]);
    assert_config_error(&out, &["LENDESK_MARKET", "\"arbitrum\""]);

    // One letter's case flipped: the EIP-55 checksum fails, as it does on the command line.
    let bad = PROVIDER.replace("aa3", "aA3");
    let setup = Setup::with_config(&market("http://127.0.0.1:8545", &bad));
    let out = setup.run(&["position", account], &[]);
    assert_config_error(
        &out,
        &["markets[0].pool_addresses_provider", "line 6", "checksum"],
    );
}

#[test]
fn a_missing_knowledge_folder_is_a_config_error_naming_it() {
    let setup = Setup::with_config("");
    let missing = setup.dir.path().join("no-such-faq");
    let missing_text = missing.display().to_string();
    for args in [
        &["ask", "hello"][..],
        &["faq", "search", "health factor"][..],
    ] {
        let out = setup.run(args, &[("LENDESK_FAQ_DIR", &missing_text)]);
        assert_config_error(&out, &["desk.faq_dir", &missing_text]);
    }
}

/// A business-hours window that starts two hours from now: the chat is outside it.
fn hours_not_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let hour = (now / 3_600 + 2) % 24;
    let end = (hour + 1).min(23);
    let end_minute = if end == hour { 59 } else { 0 };
    format!("{hour:02}:00-{end:02}:{end_minute:02}")
}

#[test]
fn the_console_chat_shows_the_out_of_hours_notice_and_keeps_logs_out_of_the_chat() {
    // A dead node makes the position read fail: a WARN log line.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let text = format!(
        "{}\n[support]\nbusiness_hours = \"{}\"\nbusiness_days = [1, 2, 3, 4, 5, 6, 7]\n",
        market(&format!("http://127.0.0.1:{port}"), PROVIDER),
        hours_not_now()
    );
    let setup = Setup::with_config(&text);
    let mut child = setup
        .command(&["chat", "--user", "5"], &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the chat");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(
                b"what is my health factor 0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n\
                  I want to talk to a human\n/quit\n",
            )
            .expect("type into the chat");
    }
    let out = child.wait_with_output().expect("the chat ends");
    let chat = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(chat.contains("can't reach the blockchain node"), "{chat}");
    assert!(chat.contains("ticket #1"), "{chat}");
    assert!(
        chat.contains("Our team is outside business hours right now"),
        "{chat}"
    );
    assert!(
        !chat.contains("WARN") && stderr(&out).is_empty(),
        "a log line in the chat: {chat}\n{}",
        stderr(&out)
    );
    let log = std::fs::read_to_string(setup.data_dir().join("console.log")).expect("console.log");
    assert!(log.contains("position read failed"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in the log file: {log}"
    );
}

/// `lendesk demo --port 0` in `dir`, typing `input` into its chat.
fn demo(dir: &Path, input: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .args(["demo", "--port", "0"])
        .current_dir(dir)
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("type into the demo");
    let out = child.wait_with_output().expect("the demo ends");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn each_demo_starts_without_the_tickets_of_the_last_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The demo reads the knowledge base from ./faq, as `cargo run -- demo` in the repository.
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        dir.path().join("faq"),
    )
    .expect("link faq/");

    let first = demo(dir.path(), b"I want to talk to a human\n/quit\n");
    assert!(first.contains("ticket #1"), "{first}");

    let second = demo(dir.path(), b"/ticket\nhi\n/quit\n");
    assert!(second.contains("You have no tickets"), "{second}");
    assert!(!second.contains("ticket #1"), "{second}");
}

#[test]
fn log_lines_on_a_stderr_that_is_not_a_terminal_carry_no_colour_codes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let setup = Setup::with_config(&market(&format!("http://127.0.0.1:{port}"), PROVIDER));
    let out = setup.run(
        &[
            "ask",
            "--address",
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "what is my health factor",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(log.contains("position read failed"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes: {log:?}");
}
