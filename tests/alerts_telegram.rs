//! Alerts end to end through the Bot API emulator, judged by the devnet: the real teloxide
//! client (throttled as `lendesk run` throttles it) against the emulator with Telegram's rate
//! limits on, 500 users crossing at once; and the real `lendesk run` binary: a user's `/watch`,
//! the alert after a price fall, its buttons, and a `kill -9` between the crossing and the send.

mod bot_api;
mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use bot_api::{BotApi, RateLimits, TOKEN, TgUser};
use lendesk::alerts::{AlertsConfig, SubscriptionsChanged};
use lendesk::store::Store;
use lendesk::telegram::alerts::{WatchSetup, start};
use lendesk::telegram::{TgBot, telegram_limits};
use teloxide::requests::RequesterExt;

const WAIT: Duration = Duration::from_secs(60);
const USERS: u64 = 500;
const FIRST_USER: u64 = 100_000;

/// The watcher of `reader`'s market, its head polled every 200 ms.
fn polling_every_200_ms(reader: lendesk::chain::aave_v3::AaveV3Reader) -> WatchSetup {
    WatchSetup {
        readers: vec![lendesk::alerts::follow::Followed::Aave(Arc::new(reader))],
        config: AlertsConfig {
            poll: Duration::from_millis(200),
            ..AlertsConfig::default()
        },
        ws_urls: Default::default(),
    }
}

/// The text of each successful sendMessage to `chat`, in order.
fn sent_to(api: &BotApi, chat: i64) -> Vec<String> {
    api.messages(chat)
        .into_iter()
        .filter(|m| m.method == "sendMessage")
        .map(|m| m.text)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn five_hundred_users_crossing_at_once_each_get_one_alert_critical_first() {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let api = BotApi::start().await;
    api.set_rate_limits(Some(RateLimits::telegram()));
    let store = Store::temporary().expect("store");
    // Everyone watches the same position (HF 2.5). Even users keep the default levels (1.3 /
    // 1.1), odd users 1.5 / 1.3: a fall to HF 1.25 is a warning for the first half and a
    // critical alert for the other.
    let critical = |id: u64| id % 2 == 1;
    for i in 0..USERS {
        let id = FIRST_USER + i;
        api.add_user(id, &format!("User {i}"), None, Some("en"));
        let mut settings = common::watching(id as i64, safe);
        if critical(id) {
            (settings.warning, settings.critical) = (15_000, 13_000);
        }
        store
            .save_alert_settings(&settings)
            .await
            .expect("settings");
    }
    let bot: TgBot = api
        .bot()
        .throttle(telegram_limits(lendesk::telegram::BOT_MESSAGES_PER_SECOND))
        .cache_me();
    let reader = common::reader(sandbox.devnet.rpc_url(), sandbox.devnet.manifest());
    let tasks = start(
        &bot,
        &store,
        polling_every_200_ms(reader),
        SubscriptionsChanged::default(),
        None,
    );
    api.wait_until("the first tick", WAIT, || {
        let store = &store;
        async move { store.watch_cursor("devnet").await.expect("cursor") }
    })
    .await;

    sandbox
        .devnet
        .set_price("WETH", "1000")
        .await
        .expect("price");
    let started = api.elapsed();
    api.wait_for("500 alerts", Duration::from_secs(120), |api| {
        let n = (0..USERS)
            .filter(|i| !sent_to(api, (FIRST_USER + i) as i64).is_empty())
            .count();
        (n as u64 == USERS).then_some(())
    })
    .await;
    let took = api.elapsed() - started;
    // A few more ticks and delivery rounds: nothing more comes.
    sandbox.devnet.advance_time(1).await.expect("block");
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(tasks);

    let mut last_critical = Duration::ZERO;
    let mut first_warning = Duration::MAX;
    for call in api.calls_to("sendMessage").iter().filter(|c| c.ok()) {
        let chat = call.param("chat_id").and_then(|c| c.parse::<u64>().ok());
        let Some(chat) = chat else { continue };
        if critical(chat) {
            last_critical = last_critical.max(call.at);
        } else {
            first_warning = first_warning.min(call.at);
        }
    }
    for i in 0..USERS {
        let id = FIRST_USER + i;
        let texts = sent_to(&api, id as i64);
        assert_eq!(texts.len(), 1, "user {id}: {texts:#?}");
        let expected = if critical(id) {
            "Critical: close to liquidation"
        } else {
            "Health factor warning"
        };
        assert!(texts[0].contains(expected), "user {id}: {}", texts[0]);
    }
    assert!(
        last_critical < first_warning,
        "every critical alert went out before the first warning ({last_critical:?} vs {first_warning:?})"
    );
    assert!(store.alert_outbox().await.expect("outbox").is_empty());
    assert_eq!(
        store.alerts_sent_since(0).await.expect("sent").len(),
        USERS as usize
    );
    eprintln!(
        "500 alerts delivered in {:.1} s; the emulator refused {} requests with 429",
        took.as_secs_f64(),
        api.rate_limited()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_outage_is_told_to_the_staff_chat_once_and_so_is_its_end() {
    const STAFF_CHAT: i64 = -1_001_234_567_890;
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let (node, mode) =
        common::switchable::switchable_node(sandbox.devnet.rpc_url().to_string()).await;
    let api = BotApi::start().await;
    api.add_group(STAFF_CHAT, "staff", true);
    let store = Store::temporary().expect("store");
    store
        .save_alert_settings(&common::watching(7, safe))
        .await
        .expect("settings");
    let bot: TgBot = api
        .bot()
        .throttle(telegram_limits(lendesk::telegram::BOT_MESSAGES_PER_SECOND))
        .cache_me();
    let reader = common::reader_of(
        common::market(&node, sandbox.devnet.manifest()),
        Duration::from_secs(2),
    );
    let setup = polling_every_200_ms(reader);
    let staff = Some((teloxide::types::ChatId(STAFF_CHAT), lendesk::lang::Lang::En));
    let tasks = start(&bot, &store, setup, SubscriptionsChanged::default(), staff);
    api.wait_until("the first tick", WAIT, || {
        let store = &store;
        async move { store.watch_cursor("devnet").await.expect("cursor") }
    })
    .await;
    let staff_texts = |api: &BotApi| -> Vec<String> {
        api.messages(STAFF_CHAT)
            .into_iter()
            .filter(|m| m.method == "sendMessage")
            .map(|m| m.text)
            .collect()
    };

    common::switchable::set(&mode, common::switchable::DOWN);
    let paused = api
        .wait_for("the staff told of the outage", WAIT, |api| {
            staff_texts(api).into_iter().next()
        })
        .await;
    assert!(paused.contains("Alerts paused on devnet"), "{paused}");
    // Several failed polls later: still one message.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(staff_texts(&api).len(), 1, "{:#?}", staff_texts(&api));

    common::switchable::set(&mode, common::switchable::PASS);
    let resumed = api
        .wait_for("the staff told the node is back", WAIT, |api| {
            staff_texts(api).into_iter().nth(1)
        })
        .await;
    assert!(resumed.contains("Alerts resumed on devnet"), "{resumed}");
    drop(tasks);
}

// --- the real binary ----------------------------------------------------------------------------

/// `lendesk <args>` in `dir` on the sandbox's devnet (config written there, head polled every
/// 200 ms), with the emulator as its Bot API.
fn lendesk(
    api: &BotApi,
    dir: &Path,
    rpc_url: &str,
    manifest: &lendesk::devnet::DevnetManifest,
    args: &[&str],
) -> Command {
    let config = dir.join("lendesk.toml");
    let text = lendesk::devnet::cli::lendesk_toml(manifest).replace(&manifest.rpc_url, rpc_url)
        + "\n[alerts]\npoll_ms = 200\n";
    std::fs::write(&config, text).expect("write config");
    let mut command = Command::new(env!("CARGO_BIN_EXE_lendesk"));
    command
        .arg("--config")
        .arg(&config)
        .args(args)
        .current_dir(dir)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api.url().as_str())
        .env("LENDESK_DATA_DIR", dir.join("db"))
        .env("LENDESK_FAQ_DIR", common::faq_dir())
        .env("RUST_LOG", "lendesk=info")
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_RPC_URL")
        .env_remove("LENDESK_MARKET");
    command
}

/// `lendesk run`.
fn start_bot(
    api: &BotApi,
    dir: &Path,
    rpc_url: &str,
    manifest: &lendesk::devnet::DevnetManifest,
) -> Child {
    lendesk(api, dir, rpc_url, manifest, &["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lendesk run")
}

/// A block for the watcher to take the new watch at (HF 2.5: nothing to say), then WETH
/// halves (HF about 1.25, under the warning level).
async fn halve_weth_after_the_watch_is_taken(sandbox: &common::Sandbox) {
    sandbox.devnet.advance_time(1).await.expect("block");
    tokio::time::sleep(Duration::from_secs(1)).await;
    sandbox
        .devnet
        .set_price("WETH", "1000")
        .await
        .expect("price");
}

/// SIGKILL: no shutdown code runs.
fn kill_9(child: &mut Child) {
    child.kill().expect("kill -9");
    let _ = child.wait();
}

/// The bot's messages to `user` that are alerts.
fn alerts_to(api: &BotApi, user: &TgUser) -> Vec<bot_api::Sent> {
    api.messages(user.id as i64)
        .into_iter()
        .filter(|m| m.method == "sendMessage" && m.text.contains("Health factor warning"))
        .collect()
}

/// The text shows the protocol's health factor of `address` now, to the cent (shown rounded
/// down).
async fn shows_the_chains_hf(
    sandbox: &common::Sandbox,
    address: alloy::primitives::Address,
    text: &str,
) {
    let chain = common::protocol_hf(
        &sandbox.provider,
        sandbox.devnet.manifest().contracts.pool,
        address,
    )
    .await;
    let chain = f64::from(
        chain / alloy::primitives::U256::from(10u64).pow(alloy::primitives::U256::from(14)),
    ) / 1e4;
    let shown = text
        .match_indices("Health factor ")
        .find_map(|(at, _)| common::shown_health_factor(&text[at..], "Health factor "))
        .unwrap_or_else(|| panic!("no health factor in {text}"));
    assert!(
        (chain - shown).abs() < 0.01,
        "shown {shown}, chain {chain}: {text}"
    );
}

/// Alice presses a button of `message`; the bot's answer.
async fn press(api: &BotApi, alice: &TgUser, message: &bot_api::Sent, data: &str) -> bot_api::Sent {
    let chat = alice.id as i64;
    let before = api.messages(chat).len();
    api.press_button(alice, chat, message.message_id, data);
    api.wait_for(&format!("the answer to {data}"), WAIT, |api| {
        api.messages(chat)
            .into_iter()
            .skip(before)
            .find(|m| m.method == "sendMessage")
    })
    .await
}

/// A bot on the sandbox's devnet with Alice watching the safe account through `/watch`.
async fn watching_through_the_bot() -> (common::Sandbox, BotApi, TgUser, tempfile::TempDir, Child) {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let api = BotApi::start().await;
    let alice = api.add_user(2001, "Alice", Some("alice"), Some("en"));
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = start_bot(
        &api,
        dir.path(),
        sandbox.devnet.rpc_url(),
        sandbox.devnet.manifest(),
    );
    api.send_text(&alice, alice.id as i64, &format!("/watch {safe}"));
    api.wait_for("the /watch answer", WAIT, |api| {
        api.messages(alice.id as i64)
            .into_iter()
            .find(|m| m.method == "sendMessage")
    })
    .await;
    (sandbox, api, alice, dir, bot)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_through_the_bot_alerts_once_and_the_alerts_buttons_answer() {
    let (sandbox, api, alice, _dir, mut bot) = watching_through_the_bot().await;
    halve_weth_after_the_watch_is_taken(&sandbox).await;
    let alert = api
        .wait_for("the alert", WAIT, |api| {
            alerts_to(api, &alice).into_iter().next()
        })
        .await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    shows_the_chains_hf(&sandbox, safe, &alert.text).await;
    let buttons = alert.buttons();
    let data = |prefix: &str| {
        buttons
            .iter()
            .find(|(_, d)| d.starts_with(prefix))
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("no {prefix} button in {buttons:?}"))
    };

    // Snooze an hour: the answer says until when, and that critical alerts still come.
    let snoozed = press(&api, &alice, &alert, &data("alert:snooze:3600")).await;
    assert!(
        snoozed.text.to_lowercase().contains("critical"),
        "{}",
        snoozed.text
    );

    // The position button: the address's live figures.
    let position = press(&api, &alice, &alert, &data("alert:pos:")).await;
    shows_the_chains_hf(&sandbox, safe, &position.text).await;

    // No repeat of the alert at later blocks.
    sandbox.devnet.advance_time(1).await.expect("block");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(alerts_to(&api, &alice).len(), 1);
    kill_9(&mut bot);
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_between_the_crossing_and_the_send_sends_the_alert_once_after_restart() {
    let (sandbox, api, alice, dir, mut bot) = watching_through_the_bot().await;
    sandbox.devnet.advance_time(1).await.expect("block");
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The alert is written; Telegram refuses its send with a 502 (teloxide waits 10 s before
    // it reports it) and the process dies in between.
    api.fail_next("sendMessage", 1, 502, "Bad Gateway", None);
    sandbox
        .devnet
        .set_price("WETH", "1000")
        .await
        .expect("price");
    api.wait_for("the alert's send refused", WAIT, |api| {
        api.calls_to("sendMessage")
            .into_iter()
            .find(|c| c.error() == Some("Bad Gateway"))
    })
    .await;
    kill_9(&mut bot);
    assert!(
        alerts_to(&api, &alice).is_empty(),
        "not delivered before the kill"
    );

    // After the restart: the alert once, and not again at later blocks.
    let mut bot = start_bot(
        &api,
        dir.path(),
        sandbox.devnet.rpc_url(),
        sandbox.devnet.manifest(),
    );
    let alert = api
        .wait_for("the alert after the restart", WAIT, |api| {
            alerts_to(api, &alice).into_iter().next()
        })
        .await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    shows_the_chains_hf(&sandbox, safe, &alert.text).await;
    sandbox.devnet.advance_time(1).await.expect("block");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(alerts_to(&api, &alice).len(), 1, "sent once");
    kill_9(&mut bot);
}

#[tokio::test(flavor = "multi_thread")]
async fn lendesk_watch_print_prints_the_alert_of_a_watch_made_through_the_desk() {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let api = BotApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (rpc_url, manifest) = (sandbox.devnet.rpc_url(), sandbox.devnet.manifest());
    let watch = format!("/watch {safe}");
    let asked = lendesk(
        &api,
        dir.path(),
        rpc_url,
        manifest,
        &["ask", "--user", "5", &watch],
    )
    .output()
    .expect("lendesk ask");
    assert!(asked.status.success(), "{asked:?}");

    let mut watcher = lendesk(&api, dir.path(), rpc_url, manifest, &["watch", "--print"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lendesk watch");
    let stdout = watcher.stdout.take().expect("stdout");
    let (lines, printed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    halve_weth_after_the_watch_is_taken(&sandbox).await;
    let mut text = String::new();
    let deadline = std::time::Instant::now() + WAIT;
    while !text.contains("Read at block") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match printed.recv_timeout(left) {
            Ok(line) => text.push_str(&(line + "\n")),
            Err(_) => panic!("no alert printed: {text}"),
        }
    }
    kill_9(&mut watcher);
    assert!(text.contains("── to user 5 ──"), "{text}");
    assert!(text.contains("⚠️ Health factor warning"), "{text}");
    assert!(!text.contains("**"), "printed without markup: {text}");
    shows_the_chains_hf(&sandbox, safe, &text).await;
    assert!(api.calls_to("sendMessage").is_empty(), "printed, not sent");
}
