//! Faulty RPC nodes as a user meets them: a slow node in front of the real devnet, a node that
//! never answers, a node that sends a huge body, a node whose error text holds control
//! characters. Each is a real HTTP server in this test; the reader and the binary talk to it.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::routing::post;
use lendesk::chain::markets::Markets;
use lendesk::chain::rpc::Rpc;
use lendesk::desk::{Desk, Incoming};
use lendesk::store::Store;
use serde_json::Value;

/// Serves `app` on a free local port for the rest of the test.
async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A node that answers every request correctly (from the devnet) after `delay`.
async fn slow_node(upstream: String, delay: Duration) -> String {
    let client = reqwest::Client::new();
    let app = axum::Router::new().route(
        "/",
        post(move |body: Bytes| {
            let (client, upstream) = (client.clone(), upstream.clone());
            async move {
                tokio::time::sleep(delay).await;
                common::switchable::forward(&client, &upstream, body).await
            }
        }),
    );
    format!("http://{}", serve(app).await)
}

/// `lendesk --config <devnet config with rpc_url> <args>`, with a data dir of its own.
async fn lendesk(dir: &Path, rpc_url: &str, args: &[&str], timeout_ms: u64) -> Output {
    let chain = common::shared();
    let config = dir.join("lendesk.toml");
    let text = lendesk::devnet::cli::lendesk_toml(&chain.manifest)
        .replace(&chain.manifest.rpc_url, rpc_url);
    std::fs::write(&config, text).expect("write config");
    tokio::process::Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .arg("--config")
        .arg(&config)
        .args(args)
        .env("LENDESK_DATA_DIR", dir.join("data"))
        .env("LENDESK_FAQ_DIR", common::faq_dir())
        .env("LENDESK_RPC_TIMEOUT_MS", timeout_ms.to_string())
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_RPC_URL")
        .env_remove("LENDESK_MARKET")
        .env_remove("LENDESK_LOG")
        .output()
        .await
        .expect("run lendesk")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn warning_account() -> String {
    common::account(&common::shared().manifest, "warning").to_checksum(None)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_lookup_on_a_slow_node_gives_up_after_one_timeout_not_one_per_request() {
    let chain = common::shared();
    // A first lookup makes five requests (chain id, three discovery batches, the position):
    // 5 × 700 ms = 3.5 s, each request well inside the 1 s timeout.
    let node = slow_node(chain.rpc_url.clone(), Duration::from_millis(700)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let account = warning_account();

    let started = Instant::now();
    let out = lendesk(dir.path(), &node, &["position", &account], 1_000).await;
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not answer within 1000 ms"),
        "{}",
        stderr(&out)
    );
    assert!(
        took < Duration::from_millis(2_500),
        "the answer took {took:?} with a 1000 ms timeout"
    );

    // The same node within a timeout that covers the five requests: the position is read.
    let out = lendesk(dir.path(), &node, &["position", &account], 10_000).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    common::assert_warning_hf(&String::from_utf8_lossy(&out.stdout), "Health factor ");
}

/// A desk over the devnet's market at `rpc_url`, whose reads give up after `timeout`.
fn desk_on(rpc_url: &str, timeout: Duration, data: &Path) -> Desk {
    let chain = common::shared();
    let reader = common::named_reader("devnet", rpc_url, &chain.manifest, timeout);
    common::desk(Markets::single(reader), Store::open(data).expect("store"))
}

/// A message from user 1, whose address is the devnet's "warning" account.
fn from_warning_account(text: &str) -> Incoming {
    Incoming {
        user: 1,
        text: text.into(),
        addresses: vec![common::account(&common::shared().manifest, "warning")],
        now: 1_700_000_000,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faq_answer_goes_out_at_once_when_the_node_never_answers() {
    let node = common::silent_node().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let desk = desk_on(&node, Duration::from_secs(5), dir.path());

    let started = Instant::now();
    let faq = desk
        .handle(from_warning_account("what does the health factor mean"))
        .await;
    let took = started.elapsed();
    let text = faq.text();
    assert!(text.contains("What is the health factor?"), "{text}");
    assert!(
        !text.contains("Your health factor right now"),
        "no personal line: {text}"
    );
    assert!(
        took < Duration::from_millis(1_000),
        "the FAQ answer took {took:?} (the node timeout is 5 s)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faq_answer_carries_the_users_health_factor_when_the_node_is_quick() {
    let chain = common::shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let desk = desk_on(&chain.rpc_url, Duration::from_secs(10), dir.path());
    // The first read discovers the market; later reads are one round trip.
    let position = desk
        .handle(from_warning_account("what is my health factor"))
        .await;
    common::assert_warning_hf(&position.text(), "Health factor ");

    let faq = desk
        .handle(from_warning_account("what does the health factor mean"))
        .await;
    common::assert_warning_hf(&faq.text(), "Your health factor right now is **");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_what_if_on_a_slow_node_waits_for_one_timeout() {
    let chain = common::shared();
    // Discovery alone takes 4 × 700 ms; the answer reads through it twice (the market's
    // symbols to read "ETH", then the position), and shares one 1.5 s deadline between them.
    let node = slow_node(chain.rpc_url.clone(), Duration::from_millis(700)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let desk = desk_on(&node, Duration::from_millis(1_500), dir.path());

    let started = Instant::now();
    let answer = desk
        .handle(from_warning_account("what if ETH drops 20%"))
        .await;
    let took = started.elapsed();
    assert!(
        answer.text().contains("can't reach the blockchain node"),
        "{}",
        answer.text()
    );
    assert!(
        took < Duration::from_millis(2_200),
        "the answer took {took:?} with a 1.5 s timeout"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_what_if_without_an_address_asks_for_one_without_waiting_for_the_node() {
    let node = common::silent_node().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let desk = desk_on(&node, Duration::from_secs(5), dir.path());

    let started = Instant::now();
    let answer = desk
        .handle(Incoming {
            user: 2,
            text: "what if ETH drops 20%".into(),
            now: 1_700_000_000,
            ..Default::default()
        })
        .await;
    let took = started.elapsed();
    assert!(
        answer.text().contains("public address"),
        "{}",
        answer.text()
    );
    assert!(
        !answer.text().contains("can't reach the blockchain node"),
        "{}",
        answer.text()
    );
    assert!(
        took < Duration::from_millis(1_000),
        "the answer took {took:?} (the node never answers; its timeout is 5 s)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_what_if_moves_the_asset_the_market_names() {
    let chain = common::shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let desk = desk_on(&chain.rpc_url, Duration::from_secs(10), dir.path());
    // DAI is none of the everyday names a what-if knows without the market (ETH, BTC): its
    // symbol comes from the market read for this answer.
    let answer = desk
        .handle(from_warning_account("what if DAI rises 20%"))
        .await;
    assert!(
        answer.text().contains("If DAI rises 20"),
        "{}",
        answer.text()
    );
}

/// Peak resident memory of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .expect("proc status")
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_answer_is_refused_without_reading_it_or_repeating_it() {
    let app = axum::Router::new().route(
        "/",
        post(|| async {
            // 40 MiB of one letter, streamed (no Content-Length to refuse it by).
            let chunk = Bytes::from(vec![b'A'; 1 << 20]);
            let stream =
                futures::stream::iter((0..40).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
            (
                [(CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
        }),
    );
    let node = format!("http://{}", serve(app).await);
    let rpc = Rpc::connect(&node, Duration::from_secs(20)).expect("rpc");
    let before = peak_rss_kib();
    let error = rpc
        .run(alloy::providers::Provider::get_chain_id(&rpc.provider))
        .await
        .expect_err("a 40 MiB answer is refused");
    let grew = peak_rss_kib().saturating_sub(before);
    let message = error.to_string();
    assert!(message.contains("larger than 16 MiB"), "{message:.300}");
    assert!(
        !message.contains("AAAA"),
        "the body is not in the error: {message:.300}"
    );
    assert!(grew < 32 * 1024, "peak memory grew by {grew} KiB");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nodes_error_text_reaches_the_error_without_control_characters() {
    let app = axum::Router::new().route(
        "/",
        post(|body: Bytes| async move {
            let request: Value = serde_json::from_slice(&body).unwrap_or_default();
            let answer = serde_json::json!({
                "jsonrpc": "2.0",
                "id": request["id"],
                "error": {"code": -32000, "message": "boom\u{1b}[2J\r\nERROR forged log line"},
            });
            ([(CONTENT_TYPE, "application/json")], answer.to_string())
        }),
    );
    let node = format!("http://{}", serve(app).await);
    let rpc = Rpc::connect(&node, Duration::from_secs(5)).expect("rpc");
    let error = rpc
        .run(alloy::providers::Provider::get_chain_id(&rpc.provider))
        .await
        .expect_err("the node answers with an error");
    let message = error.to_string();
    assert!(message.contains("boom"), "{message}");
    assert!(
        !message.chars().any(char::is_control),
        "control characters in {message:?}"
    );
}
