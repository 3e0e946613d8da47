//! The watcher judged by the chain: on a devnet of the test's own, price pushes and time
//! move a watched position across the levels; each crossing gives exactly one alert whose
//! health factor is `Pool.getUserAccountData` at the block it was read at, no repeat while the
//! position stays under, re-armed above level + margin; a liquidation gives its notice.

mod common;

use std::sync::Arc;

use alloy::primitives::Address;
use lendesk::alerts::watcher::MarketWatcher;
use lendesk::alerts::{AlertsConfig, SendFailure, deliver};
use lendesk::store::{NoticeKind, OutboxEntry, Severity, Store};

const USER: i64 = 42;

/// A watcher of the sandbox's market with `USER` watching `address`, and its store.
async fn watcher_of(sandbox: &common::Sandbox, address: Address) -> (Store, MarketWatcher) {
    let store = Store::temporary().expect("store");
    store
        .save_alert_settings(&common::watching(USER, address))
        .await
        .expect("settings");
    let reader = Arc::new(common::reader(
        sandbox.devnet.rpc_url(),
        sandbox.devnet.manifest(),
    ));
    let mut watcher = MarketWatcher::new(reader, store.clone(), AlertsConfig::default())
        .await
        .expect("watcher");
    watcher.reload_subscriptions().await.expect("subscriptions");
    (store, watcher)
}

/// One tick at a fresh block, and what it wrote.
async fn tick(watcher: &mut MarketWatcher, store: &Store) -> Vec<OutboxEntry> {
    tick_at(watcher, store, 1_000).await
}

/// One tick at `now` (unix seconds), and what it wrote.
async fn tick_at(watcher: &mut MarketWatcher, store: &Store, now: u64) -> Vec<OutboxEntry> {
    let before: Vec<String> = store
        .alert_outbox()
        .await
        .expect("outbox")
        .into_iter()
        .map(|e| e.key)
        .collect();
    watcher.tick(now).await.expect("tick");
    store
        .alert_outbox()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|e| !before.contains(&e.key))
        .collect()
}

/// Sets WETH's price, then one tick.
async fn at_price(
    sandbox: &common::Sandbox,
    watcher: &mut MarketWatcher,
    store: &Store,
    usd: &str,
) -> Vec<OutboxEntry> {
    sandbox.devnet.set_price("WETH", usd).await.expect("price");
    tick(watcher, store).await
}

/// The one new entry, of `kind`, and the health factor its mark states equals the chain's.
async fn assert_one(
    sandbox: &common::Sandbox,
    store: &Store,
    address: Address,
    written: &[OutboxEntry],
    kind: NoticeKind,
) {
    assert_eq!(written.len(), 1, "{written:#?}");
    assert_eq!(written[0].kind, kind);
    let block = common::last_alert_equals_the_chain(sandbox, store, USER, address).await;
    assert!(
        written[0].text.contains(&format!("block {block}")),
        "{}",
        written[0].text
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_crossing_alerts_once_equal_to_the_chain_and_rearms_above_the_margin() {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let (store, mut watcher) = watcher_of(&sandbox, safe).await;
    sandbox.devnet.advance_time(1).await.expect("block");
    // HF 2.5: nothing to say.
    assert!(tick(&mut watcher, &store).await.is_empty());

    // WETH $2,000 → $1,000: HF about 1.25, under the warning level.
    let written = at_price(&sandbox, &mut watcher, &store, "1000").await;
    assert_one(
        &sandbox,
        &store,
        safe,
        &written,
        NoticeKind::Alert(Severity::Warning),
    )
    .await;
    assert!(
        written[0].text.contains("WETH −50.0%"),
        "{}",
        written[0].text
    );

    // Still under: no repeat, whether prices move or not.
    assert!(
        at_price(&sandbox, &mut watcher, &store, "990")
            .await
            .is_empty()
    );

    // Under critical: one critical alert, then none while it stays there.
    let written = at_price(&sandbox, &mut watcher, &store, "850").await;
    assert_one(
        &sandbox,
        &store,
        safe,
        &written,
        NoticeKind::Alert(Severity::Critical),
    )
    .await;
    assert!(
        at_price(&sandbox, &mut watcher, &store, "845")
            .await
            .is_empty()
    );

    // Back to 1.32 (under 1.3 + 0.05): not re-armed; a new fall says nothing.
    assert!(
        at_price(&sandbox, &mut watcher, &store, "1056")
            .await
            .is_empty()
    );
    assert!(
        at_price(&sandbox, &mut watcher, &store, "1000")
            .await
            .is_empty()
    );

    // Back to 2.5 re-arms both; the next fall alerts again.
    assert!(
        at_price(&sandbox, &mut watcher, &store, "2000")
            .await
            .is_empty()
    );
    let written = at_price(&sandbox, &mut watcher, &store, "1000").await;
    assert_one(
        &sandbox,
        &store,
        safe,
        &written,
        NoticeKind::Alert(Severity::Warning),
    )
    .await;

    // Delivery: urgent first; the older alerts of the same address are replaced by the newest.
    let mut sent = Vec::new();
    let done = deliver(&store, 2_000, |e| {
        sent.push(e.key.clone());
        async { Ok::<(), SendFailure>(()) }
    })
    .await
    .expect("deliver");
    assert_eq!((done.sent, done.coalesced), (1, 2));
    assert!(store.alert_outbox().await.expect("outbox").is_empty());
    assert_eq!(
        deliver(&store, 2_001, |_| async { Ok(()) })
            .await
            .expect("again")
            .sent,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn interest_alone_crosses_the_level_and_the_alert_says_so() {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    // HF just over 1.30: WETH at $1,041.
    sandbox
        .devnet
        .set_price("WETH", "1041")
        .await
        .expect("price");
    let hf = common::protocol_hf(
        &sandbox.provider,
        sandbox.devnet.manifest().contracts.pool,
        safe,
    )
    .await;
    assert!(hf > common::wad(13, 10), "{hf}");
    let (store, mut watcher) = watcher_of(&sandbox, safe).await;
    assert!(tick(&mut watcher, &store).await.is_empty());
    // A year of interest on the USDC debt, no price move.
    sandbox
        .devnet
        .advance_time(365 * 86_400)
        .await
        .expect("time");
    let written = tick(&mut watcher, &store).await;
    assert_one(
        &sandbox,
        &store,
        safe,
        &written,
        NoticeKind::Alert(Severity::Warning),
    )
    .await;
    assert!(written[0].text.contains("interest"), "{}", written[0].text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_under_the_level_states_it_once_and_a_liquidation_is_noticed() {
    let sandbox = common::Sandbox::new().await;
    let close = common::account(sandbox.devnet.manifest(), "close");
    let (store, mut watcher) = watcher_of(&sandbox, close).await;
    // HF 1.05 at subscription: the state, once (it is under critical).
    let written = tick(&mut watcher, &store).await;
    assert_one(&sandbox, &store, close, &written, NoticeKind::State).await;
    sandbox.devnet.advance_time(1).await.expect("block");
    assert!(tick(&mut watcher, &store).await.is_empty());

    sandbox
        .devnet
        .set_price("WETH", "1500")
        .await
        .expect("price");
    let report = sandbox.devnet.liquidate(close).await.expect("liquidate");
    assert!(report.executed, "{report:?}");
    let written = tick(&mut watcher, &store).await;
    let notices: Vec<&OutboxEntry> = written
        .iter()
        .filter(|e| e.kind == NoticeKind::Liquidation)
        .collect();
    let [notice] = notices.as_slice() else {
        panic!("one liquidation notice: {written:#?}");
    };
    let manifest = sandbox.devnet.manifest();
    let debt = manifest
        .token(report.debt_symbol.as_deref().expect("debt"))
        .expect("token");
    let shown = lendesk::chain::format::token(report.debt_repaid, debt.decimals);
    assert!(notice.text.contains(&shown), "{shown}: {}", notice.text);
    // Seen once: the next tick does not repeat it.
    sandbox.devnet.advance_time(1).await.expect("block");
    let again = tick(&mut watcher, &store).await;
    assert!(
        again.iter().all(|e| e.kind != NoticeKind::Liquidation),
        "{again:#?}"
    );
    // Stored as written (nothing in it reads as a secret to the store's redaction), sent once.
    assert!(!notice.text.contains("redacted"), "{}", notice.text);
    let stored = store.alert_outbox().await.expect("outbox");
    assert!(stored.iter().any(|e| e.key == notice.key), "{stored:#?}");
    deliver(&store, 2_000, |_| async { Ok(()) })
        .await
        .expect("deliver");
    assert!(store.alert_outbox().await.expect("outbox").is_empty());
    assert!(store.alert_was_sent(&notice.key).await.expect("sent log"));
    // A watcher that goes over the liquidation's block again (a restart before its cursor
    // was saved) does not write the notice again.
    let tx = report.tx_hash.expect("liquidation transaction");
    let receipt = alloy::providers::Provider::get_transaction_receipt(&sandbox.provider, tx)
        .await
        .expect("receipt")
        .expect("mined");
    let block = receipt.block_number.expect("block");
    store
        .set_watch_cursor("devnet", block - 1)
        .await
        .expect("cursor");
    let reader = Arc::new(common::reader(sandbox.devnet.rpc_url(), manifest));
    let mut restarted = MarketWatcher::new(reader, store.clone(), AlertsConfig::default())
        .await
        .expect("watcher");
    restarted
        .reload_subscriptions()
        .await
        .expect("subscriptions");
    sandbox.devnet.advance_time(1).await.expect("block");
    let replayed = tick(&mut restarted, &store).await;
    assert!(
        replayed.iter().all(|e| e.kind != NoticeKind::Liquidation),
        "{replayed:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snoozed_warning_waits_for_the_snooze_to_end_and_a_critical_alert_does_not_wait() {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let (store, mut watcher) = watcher_of(&sandbox, safe).await;
    let mut snoozed = common::watching(USER, safe);
    snoozed.snooze_until = 5_000;
    store.save_alert_settings(&snoozed).await.expect("settings");
    watcher.reload_subscriptions().await.expect("subscriptions");
    sandbox.devnet.advance_time(1).await.expect("block");
    assert!(tick_at(&mut watcher, &store, 1_000).await.is_empty());

    // Under the warning level while snoozed: held back.
    sandbox
        .devnet
        .set_price("WETH", "1000")
        .await
        .expect("price");
    assert!(tick_at(&mut watcher, &store, 1_000).await.is_empty());
    // The snooze is over and the position still under: the warning goes out, once.
    sandbox.devnet.advance_time(1).await.expect("block");
    let released = tick_at(&mut watcher, &store, 6_000).await;
    assert_eq!(released.len(), 1, "{released:#?}");
    assert_eq!(released[0].kind, NoticeKind::Alert(Severity::Warning));
    sandbox.devnet.advance_time(1).await.expect("block");
    assert!(tick_at(&mut watcher, &store, 6_001).await.is_empty());

    // Snoozed again, and the position falls under critical: that alert does not wait.
    snoozed.snooze_until = 20_000;
    store.save_alert_settings(&snoozed).await.expect("settings");
    watcher.reload_subscriptions().await.expect("subscriptions");
    sandbox
        .devnet
        .set_price("WETH", "850")
        .await
        .expect("price");
    let critical = tick_at(&mut watcher, &store, 7_000).await;
    assert_eq!(critical.len(), 1, "{critical:#?}");
    assert_eq!(critical[0].kind, NoticeKind::Alert(Severity::Critical));
}

/// What `watcher` writes in one tick, as (address, kind).
async fn written_by(
    watcher: &mut MarketWatcher,
    store: &Store,
) -> std::collections::BTreeSet<(Address, String)> {
    tick(watcher, store)
        .await
        .into_iter()
        .map(|e| (e.address, format!("{:?}", e.kind)))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_shares_split_the_watched_addresses_and_together_alert_as_one_watcher() {
    use lendesk::alerts::Shard;
    let sandbox = common::Sandbox::new().await;
    let manifest = sandbox.devnet.manifest();
    let addresses: Vec<Address> = manifest.accounts.iter().map(|a| a.address).collect();
    let watching_all = lendesk::store::AlertSettings {
        watched: addresses.clone(),
        ..common::watching(USER, addresses[0])
    };
    let reader = || Arc::new(common::reader(sandbox.devnet.rpc_url(), manifest));
    let watcher = |store: Store, shard: Shard| {
        let reader = reader();
        async move {
            let config = AlertsConfig {
                shard,
                ..AlertsConfig::default()
            };
            let mut w = MarketWatcher::new(reader, store, config)
                .await
                .expect("watcher");
            w.reload_subscriptions().await.expect("subscriptions");
            w
        }
    };
    // One watcher of every address, on a store of its own: what the shares must add up to.
    let alone = Store::temporary().expect("store");
    alone
        .save_alert_settings(&watching_all)
        .await
        .expect("settings");
    let mut whole = watcher(alone.clone(), Shard::WHOLE).await;
    let expected = written_by(&mut whole, &alone).await;
    assert!(!expected.is_empty(), "the demo has positions under a level");

    // Two shares on one store: each watches and alerts its own addresses, none twice.
    let store = Store::temporary().expect("store");
    store
        .save_alert_settings(&watching_all)
        .await
        .expect("settings");
    let shards = [Shard::new(0, 2), Shard::new(1, 2)];
    let mut together = std::collections::BTreeSet::new();
    let mut watched = 0;
    for shard in shards {
        // A new share starts where the others stopped: it evaluates at the next block.
        sandbox.devnet.advance_time(1).await.expect("block");
        let mut w = watcher(store.clone(), shard).await;
        for (address, kind) in written_by(&mut w, &store).await {
            assert!(shard.owns(&address), "{address} alerted by {shard:?}");
            assert!(together.insert((address, kind)), "{address} alerted twice");
        }
        watched += w.watched();
        assert_eq!(
            w.watched(),
            addresses.iter().filter(|a| shard.owns(a)).count()
        );
    }
    assert_eq!(watched, addresses.len());
    assert_eq!(together, expected);

    // One replica left: its watcher of every address starts where the slower share stopped.
    let cursors = store.watch_cursors_of("devnet").await.expect("cursors");
    assert_eq!(cursors.len(), 2, "{cursors:?}");
    let slowest = cursors.iter().map(|(_, b)| *b).min();
    let again = watcher(store.clone(), Shard::WHOLE).await;
    assert_eq!(again.cursor(), slowest);
}
