//! Alerts on Morpho Blue positions, judged by the chain: a user watching the devnet's Morpho
//! borrowers gets the state once for a position already under a level, one warning when a WETH
//! price fall takes another across 1.3 (its health factor equal to Morpho's own at the alert's
//! block, the market named), no repeat while it stays under, and nothing for a market of the
//! same address that did not cross.

mod common;

use std::sync::Arc;

use alloy::primitives::Address;
use alloy::providers::Provider as _;
use lendesk::alerts::AlertsConfig;
use lendesk::alerts::morpho::MorphoWatcher;
use lendesk::devnet::Devnet;
use lendesk::store::{NoticeKind, OutboxEntry, Severity, Store};

const USER: i64 = 7;

async fn watcher(devnet: &Devnet, store: &Store) -> MorphoWatcher {
    let morpho = common::morpho(devnet.manifest());
    let reader = common::morpho_reader(
        devnet.rpc_url(),
        devnet.manifest().chain_id,
        morpho.morpho,
        morpho.markets.iter().map(|m| m.id).collect(),
    );
    MorphoWatcher::new(Arc::new(reader), store.clone(), AlertsConfig::default())
        .await
        .expect("watcher")
}

async fn tick(watcher: &mut MorphoWatcher, store: &Store) -> Vec<OutboxEntry> {
    let before: Vec<String> = store
        .alert_outbox()
        .await
        .expect("outbox")
        .into_iter()
        .map(|e| e.key)
        .collect();
    watcher.tick(1_000).await.expect("tick");
    store
        .alert_outbox()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| !before.contains(&e.key))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn morpho_positions_alert_once_per_crossing_with_morpho_s_health_factor() {
    let devnet = common::own().await;
    let store = Store::temporary().expect("store");
    let (close, multi) = (
        common::morpho_borrower(devnet.manifest(), "close"),
        common::morpho_borrower(devnet.manifest(), "multi"),
    );
    let mut settings = common::watching(USER, close);
    settings.watched.push(multi);
    store
        .save_alert_settings(&settings)
        .await
        .expect("settings");
    let mut watcher = watcher(&devnet, &store).await;
    watcher.reload_subscriptions().await.expect("subscriptions");

    // The first tick: the close borrower (1.05) is under both levels: the state, once. The
    // multi borrower's DAI/USDC market (1.2) is under the warning: its state too. Its
    // WETH/USDC market (1.8) says nothing.
    let first = tick(&mut watcher, &store).await;
    let states: Vec<(&str, Address)> = first
        .iter()
        .map(|e| (e.market.as_str(), e.address))
        .collect();
    assert_eq!(first.len(), 2, "{first:#?}");
    assert!(
        states.contains(&("devnet-morpho WETH/USDC 86%", close)),
        "{states:?}"
    );
    assert!(
        states.contains(&("devnet-morpho DAI/USDC 94.5%", multi)),
        "{states:?}"
    );
    assert!(
        first.iter().all(|e| e.kind == NoticeKind::State),
        "{first:#?}"
    );
    assert!(
        tick(&mut watcher, &store).await.is_empty(),
        "no new block, nothing"
    );

    // WETH falls 30%: multi's WETH/USDC market goes from 1.8 to 1.26, under 1.3: one warning
    // there, with Morpho's health factor; nothing again for the positions already under.
    devnet.set_price("WETH", "1400").await.expect("price");
    let crossed = tick(&mut watcher, &store).await;
    assert_eq!(crossed.len(), 1, "{crossed:#?}");
    let alert = &crossed[0];
    assert_eq!(alert.kind, NoticeKind::Alert(Severity::Warning));
    assert_eq!(
        (alert.market.as_str(), alert.address),
        ("devnet-morpho WETH/USDC 86%", multi)
    );
    let marks = store.alert_marks_of(USER).await.expect("marks");
    let mark = marks
        .iter()
        .find(|m| m.market == alert.market && m.address == multi)
        .expect("the mark");
    let last = mark.last_alert.as_ref().expect("last alert");
    // Nothing mined since the tick: the latest block is the alert's.
    let head = common::provider(devnet.rpc_url())
        .get_block_number()
        .await
        .expect("head");
    assert_eq!(head, last.block);
    let chain = common::morpho_chain_hf(&devnet, "WETH/USDC 86%", multi).await;
    assert_eq!(
        last.health_factor,
        chain.to_string(),
        "Morpho's own HF at the block"
    );
    assert!(alert.text.contains("WETH/USDC 86%"), "{}", alert.text);
    assert!(alert.text.contains("USDC"), "{}", alert.text);

    devnet.advance_time(60).await.expect("a block");
    assert!(
        tick(&mut watcher, &store).await.is_empty(),
        "no repeat while under"
    );

    // WETH at $1,500: the close borrower (1.05 at $2,000) is liquidatable; Morpho's own
    // liquidate runs. The next tick tells the watcher once, with what was repaid and seized.
    devnet.set_price("WETH", "1500").await.expect("price");
    tick(&mut watcher, &store).await;
    let done = devnet.liquidate_morpho(close).await.expect("liquidate");
    let done = done
        .iter()
        .find(|r| r.executed)
        .expect("one liquidation went through");
    let seized = done.collateral_before - done.collateral_after.expect("after");
    let noticed = tick(&mut watcher, &store).await;
    let notices: Vec<&OutboxEntry> = noticed
        .iter()
        .filter(|e| e.kind == NoticeKind::Liquidation)
        .collect();
    assert_eq!(notices.len(), 1, "{noticed:#?}");
    let text = &notices[0].text;
    assert_eq!(notices[0].address, close);
    let repaid = lendesk::chain::format::token(done.repaid_assets, 6);
    let taken = lendesk::chain::format::token(seized, 18);
    assert!(
        text.contains(&format!("{repaid} USDC")),
        "repaid {repaid}: {text}"
    );
    assert!(
        text.contains(&format!("{taken} WETH")),
        "seized {taken}: {text}"
    );
    devnet.advance_time(60).await.expect("a block");
    let again = tick(&mut watcher, &store).await;
    assert!(
        !again.iter().any(|e| e.kind == NoticeKind::Liquidation),
        "told once: {again:#?}"
    );
}
