//! `lendesk position` as a user runs it: the real binary, a real devnet, real exit codes.

mod common;

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use alloy::eips::BlockId;
use alloy::primitives::U256;

fn lendesk(config: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lendesk"));
    cmd.arg("--config").arg(config).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.env_remove("LENDESK_RPC_URL")
        .env_remove("LENDESK_MARKET");
    cmd.output().expect("run lendesk")
}

fn write_config(
    dir: &tempfile::TempDir,
    rpc_url: &str,
    manifest: &lendesk::devnet::DevnetManifest,
) -> std::path::PathBuf {
    let path = dir.path().join("lendesk.toml");
    let mut text = lendesk::devnet::cli::lendesk_toml(manifest);
    text = text.replace(&manifest.rpc_url, rpc_url);
    std::fs::write(&path, text).expect("write config");
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn position_prints_the_report_and_json_matches_the_protocol() {
    let chain = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&dir, &chain.rpc_url, &chain.manifest);
    let user = common::account(&chain.manifest, "warning");
    let text = lendesk(&config, &["position", &user.to_checksum(None)], &[]);
    assert!(text.status.success(), "{}", stderr(&text));
    let out = String::from_utf8_lossy(&text.stdout);
    common::assert_warning_hf(&out, "Health factor ");
    assert!(out.contains("WETH liquidation price: $1,538"), "{out}");
    assert!(out.contains("safe to withdraw"), "{out}");

    let json = lendesk(
        &config,
        &["position", &user.to_string().to_lowercase(), "--json"],
        &[],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    let block = v["block_number"].as_u64().expect("block number");
    let provider = common::provider(&chain.rpc_url);
    let theirs = common::protocol_account(
        &provider,
        chain.manifest.contracts.pool,
        user,
        BlockId::number(block),
    )
    .await;
    assert_eq!(
        v["summary"]["health_factor"]["raw"],
        theirs.healthFactor.to_string()
    );
    assert_eq!(
        v["summary"]["total_debt_base"]["raw"],
        theirs.totalDebtBase.to_string()
    );
    let weth = v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["symbol"] == "WETH")
        .unwrap();
    assert_eq!(weth["liquidation_price"]["kind"], "at_or_below");
    assert!(
        weth["liquidation_price"]["raw"]
            .as_str()
            .unwrap()
            .parse::<u128>()
            .is_ok()
    );
}

#[test]
fn malformed_addresses_get_a_clear_message_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lendesk.toml");
    std::fs::write(&config, "[[markets]]\nname = \"x\"\nchain_id = 1\nrpc_url = \"http://127.0.0.1:9\"\nkind = \"aave-v3\"\npool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n").unwrap();
    for (input, expect) in [
        ("0x1234", "expected 40 hex digits"),
        (
            "70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "must start with 0x",
        ),
        ("0x70997970c51812DC3A010C7d01b50e0d17dc79C8", "checksum"),
        ("0x7099…79C8", "shortened"),
        ("hello", "must start with 0x"),
    ] {
        let out = lendesk(&config, &["position", input], &[]);
        assert_eq!(out.status.code(), Some(2), "{input}: {}", stderr(&out));
        assert!(stderr(&out).contains(expect), "{input}: {}", stderr(&out));
    }
    let out = lendesk(
        &config,
        &[
            "position",
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "--market",
            "mainnet",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown market") && stderr(&out).contains('x'),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_dead_rpc_node_gives_exit_code_3_quickly() {
    // A port nobody listens on: connection refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lendesk.toml");
    std::fs::write(&config, format!("[[markets]]\nname = \"x\"\nchain_id = 1\nrpc_url = \"http://127.0.0.1:{port}\"\nkind = \"aave-v3\"\npool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n")).unwrap();
    let out = lendesk(
        &config,
        &["position", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("unavailable"), "{}", stderr(&out));
}

#[test]
fn a_node_that_never_answers_times_out_with_exit_code_3() {
    // Accepts connections and then says nothing.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(4).flatten() {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(5));
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lendesk.toml");
    std::fs::write(&config, format!("[[markets]]\nname = \"x\"\nchain_id = 1\nrpc_url = \"http://127.0.0.1:{port}\"\nkind = \"aave-v3\"\npool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\n")).unwrap();
    let started = Instant::now();
    let out = lendesk(
        &config,
        &["position", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
        &[("LENDESK_RPC_TIMEOUT_MS", "300")],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not answer within 300 ms"),
        "{}",
        stderr(&out)
    );
    assert!(
        took < Duration::from_secs(4),
        "gave up after {took:?}, the limit was 300 ms"
    );
    drop(holder);
}

#[tokio::test]
async fn position_on_a_morpho_market_lists_its_markets_worst_first_as_text_and_json() {
    let chain = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lendesk.toml");
    std::fs::write(
        &config,
        lendesk::devnet::cli::lendesk_toml_with_morpho(&chain.manifest),
    )
    .expect("write config");
    let morpho = chain
        .manifest
        .morpho
        .as_ref()
        .expect("the devnet runs Morpho");
    let multi = morpho
        .accounts
        .iter()
        .find(|a| a.profile == "multi")
        .expect("the two-market borrower")
        .address
        .to_checksum(None);
    let market = lendesk::devnet::MORPHO_MARKET;
    let text = lendesk(&config, &["position", &multi, "--market", market], &[]);
    assert!(text.status.success(), "{}", stderr(&text));
    let out = String::from_utf8_lossy(&text.stdout);
    let dai = out
        .find("== devnet-morpho DAI/USDC 94.5% ==")
        .expect("DAI market");
    let weth = out
        .find("== devnet-morpho WETH/USDC 86% ==")
        .expect("WETH market");
    assert!(dai < weth, "worst first:\n{out}");
    assert!(
        !out.contains("== devnet =="),
        "only the named deployment:\n{out}"
    );
    // The debt as Morpho counts it now (interest keeps adding to the seeded 7,874.99).
    let multi_address = multi.parse().expect("address");
    let owed = lendesk::devnet::morpho_positions(&chain.rpc_url, &chain.manifest, multi_address)
        .await
        .expect("Morpho positions")
        .into_iter()
        .find(|p| p.market == "DAI/USDC 94.5%")
        .expect("the DAI market")
        .borrowed;
    let debt = lendesk::chain::format::value_in(owed, U256::from(1_000_000u64), Some("USDC"));
    assert!(out.contains(&format!("Debt {debt}")), "Debt {debt}: {out}");

    let json = lendesk(
        &config,
        &["position", &multi, "--market", market, "--json"],
        &[],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    let first = &v[0]["position"];
    assert_eq!(first["protocol"], "morpho-blue", "{v}");
    assert_eq!(first["morpho_market"]["label"], "DAI/USDC 94.5%", "{v}");
    assert_eq!(first["morpho_market"]["lltv"], "945000000000000000", "{v}");
    assert!(first["summary"]["health_factor"]["raw"].is_string(), "{v}");
}
