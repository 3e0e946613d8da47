//! The watchers as they run in `lendesk run`: a task per market following the devnet's head
//! through a node that fails. An outage pauses the market with one event; a price moved during
//! the outage still alerts once the node is back (the blocks in between caught up); a crossing
//! whose confirmation read failed is found again at the next tick; a subscription made while
//! the watcher runs is picked up at its next tick; with a WebSocket endpoint, a new head wakes
//! the watcher long before its poll would.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicU8;
use std::time::Duration;

use alloy::primitives::Address;
use common::switchable::{DOWN, FAIL_ACCOUNT_READS, PASS, set, switchable_node};
use lendesk::alerts::follow::{self, WatchEvent, Watching};
use lendesk::alerts::{AlertsConfig, SubscriptionsChanged};
use lendesk::store::{NoticeKind, OutboxEntry, Severity, Store};

const USER: i64 = 42;
const WAIT: Duration = Duration::from_secs(30);

/// The watcher of the sandbox's market, reading through `rpc_url`, polling every 200 ms.
fn follow(
    sandbox: &common::Sandbox,
    rpc_url: &str,
    store: &Store,
) -> (Watching, SubscriptionsChanged) {
    let reader = common::reader_of(
        common::market(rpc_url, sandbox.devnet.manifest()),
        Duration::from_secs(2),
    );
    let config = AlertsConfig {
        poll: Duration::from_millis(200),
        ..AlertsConfig::default()
    };
    let changed = SubscriptionsChanged::default();
    let watching = follow::spawn(
        vec![Arc::new(reader)],
        &Default::default(),
        store.clone(),
        config,
        changed.clone(),
    );
    (watching, changed)
}

/// Polls the store until `f` holds, or fails after [`WAIT`].
async fn until<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    mut f: impl FnMut() -> F,
) -> T {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn next_event(watching: &mut Watching) -> WatchEvent {
    tokio::time::timeout(WAIT, watching.events.recv())
        .await
        .expect("an event in time")
        .expect("the watchers run")
}

async fn outbox(store: &Store) -> Vec<OutboxEntry> {
    store.alert_outbox().await.expect("outbox")
}

/// `USER` watching the safe account, the watcher reading through a switchable node, its first
/// tick done.
async fn safe_watched_through_a_switchable_node()
-> (common::Sandbox, Address, Arc<AtomicU8>, Store, Watching) {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let (node, mode) = switchable_node(sandbox.devnet.rpc_url().to_string()).await;
    let store = Store::temporary().expect("store");
    store
        .save_alert_settings(&common::watching(USER, safe))
        .await
        .expect("settings");
    let (watching, _) = follow(&sandbox, &node, &store);
    until("the first tick", || {
        let store = &store;
        async move { store.watch_cursor("devnet").await.expect("cursor") }
    })
    .await;
    (sandbox, safe, mode, store, watching)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_pauses_once_and_a_price_moved_meanwhile_alerts_after_recovery() {
    let (sandbox, safe, mode, store, mut watching) = safe_watched_through_a_switchable_node().await;

    // The node goes down: one event, however long it lasts.
    set(&mode, DOWN);
    let paused = next_event(&mut watching).await;
    assert!(
        matches!(&paused, WatchEvent::Paused { market, error } if market == "devnet" && !error.is_empty()),
        "{paused:?}"
    );
    // Meanwhile WETH halves (HF 2.5 → 1.25) and more blocks come.
    sandbox
        .devnet
        .set_price("WETH", "1000")
        .await
        .expect("price");
    let moved_at = common::provider(sandbox.devnet.rpc_url());
    let price_block = alloy::providers::Provider::get_block_number(&moved_at)
        .await
        .expect("block");
    sandbox.devnet.advance_time(60).await.expect("block");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        outbox(&store).await.is_empty(),
        "nothing can be confirmed while the node is down"
    );
    assert!(watching.events.try_recv().is_err(), "one event per outage");

    // Back: the watcher catches up and the alert is written once.
    set(&mode, PASS);
    let resumed = next_event(&mut watching).await;
    match resumed {
        WatchEvent::Resumed { market, block, .. } => {
            assert_eq!(market, "devnet");
            assert!(block > price_block, "caught up past the price move");
        }
        other => panic!("expected Resumed, got {other:?}"),
    }
    let written = until("the alert", || {
        let store = &store;
        async move {
            let o = outbox(store).await;
            (!o.is_empty()).then_some(o)
        }
    })
    .await;
    assert_eq!(written.len(), 1, "{written:#?}");
    assert_eq!(written[0].kind, NoticeKind::Alert(Severity::Warning));
    common::last_alert_equals_the_chain(&sandbox, &store, USER, safe).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(outbox(&store).await.len(), 1, "no repeat at later ticks");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crossing_whose_confirmation_read_failed_alerts_at_the_next_tick() {
    let (sandbox, safe, mode, store, mut watching) = safe_watched_through_a_switchable_node().await;

    // Everything but the fresh read that confirms a crossing works: the crossing is seen
    // locally, its confirmation fails, the tick fails.
    set(&mode, FAIL_ACCOUNT_READS);
    sandbox
        .devnet
        .set_price("WETH", "1000")
        .await
        .expect("price");
    let paused = next_event(&mut watching).await;
    assert!(matches!(paused, WatchEvent::Paused { .. }), "{paused:?}");
    assert!(outbox(&store).await.is_empty());

    // The read works again: the same crossing alerts (it was not used up in memory).
    set(&mode, PASS);
    assert!(matches!(
        next_event(&mut watching).await,
        WatchEvent::Resumed { .. }
    ));
    let written = until("the alert", || {
        let store = &store;
        async move {
            let o = outbox(store).await;
            (!o.is_empty()).then_some(o)
        }
    })
    .await;
    assert_eq!(written.len(), 1, "{written:#?}");
    assert_eq!(written[0].kind, NoticeKind::Alert(Severity::Warning));
    common::last_alert_equals_the_chain(&sandbox, &store, USER, safe).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_made_or_ended_while_the_watcher_runs_is_picked_up() {
    let sandbox = common::Sandbox::new().await;
    let close = common::account(sandbox.devnet.manifest(), "close");
    let store = Store::temporary().expect("store");
    let (watching, changed) = follow(&sandbox, sandbox.devnet.rpc_url(), &store);
    until("the first tick", || {
        let store = &store;
        async move { store.watch_cursor("devnet").await.expect("cursor") }
    })
    .await;

    // A user starts watching a position already under the critical level (HF 1.05): its
    // state, once, at the next block.
    store
        .save_alert_settings(&common::watching(USER, close))
        .await
        .expect("settings");
    changed.raise();
    sandbox.devnet.advance_time(1).await.expect("block");
    let written = until("the state", || {
        let store = &store;
        async move {
            let o = outbox(store).await;
            (!o.is_empty()).then_some(o)
        }
    })
    .await;
    assert_eq!(written.len(), 1, "{written:#?}");
    assert_eq!(written[0].kind, NoticeKind::State);
    assert_eq!(written[0].user, USER);
    sandbox.devnet.advance_time(1).await.expect("block");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(outbox(&store).await.len(), 1, "the state is told once");

    // Unwatched, then watched again: a new watch, its state told again (a key of its own).
    let mut none = common::watching(USER, close);
    none.watched.clear();
    store.save_alert_settings(&none).await.expect("settings");
    changed.raise();
    sandbox.devnet.advance_time(1).await.expect("block");
    until("the watch's state forgotten", || {
        let store = &store;
        async move {
            store
                .alert_mark(USER, "devnet", close)
                .await
                .expect("mark")
                .is_none()
                .then_some(())
        }
    })
    .await;
    store
        .save_alert_settings(&common::watching(USER, close))
        .await
        .expect("settings");
    changed.raise();
    sandbox.devnet.advance_time(1).await.expect("block");
    let written = until("the state again", || {
        let store = &store;
        async move {
            let o = outbox(store).await;
            (o.len() == 2).then_some(o)
        }
    })
    .await;
    assert!(written.iter().all(|e| e.kind == NoticeKind::State));
    assert_ne!(written[0].key, written[1].key);
    drop(watching);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_head_over_websocket_wakes_the_watcher_before_its_poll() {
    let sandbox = common::Sandbox::new().await;
    let safe = common::account(sandbox.devnet.manifest(), "safe");
    let store = Store::temporary().expect("store");
    store
        .save_alert_settings(&common::watching(USER, safe))
        .await
        .expect("settings");
    let rpc_url = sandbox.devnet.rpc_url();
    let reader = common::reader(rpc_url, sandbox.devnet.manifest());
    // A poll a minute apart: only the newHeads subscription can explain a quick alert.
    let config = AlertsConfig {
        poll: Duration::from_secs(60),
        ..AlertsConfig::default()
    };
    let ws = [(
        "devnet".to_string(),
        rpc_url.replacen("http://", "ws://", 1),
    )]
    .into_iter()
    .collect();
    let watching = follow::spawn(
        vec![Arc::new(reader)],
        &ws,
        store.clone(),
        config,
        SubscriptionsChanged::default(),
    );
    until("the first tick", || {
        let store = &store;
        async move { store.watch_cursor("devnet").await.expect("cursor") }
    })
    .await;
    // The subscription is up once a head has woken a tick.
    let first = store.watch_cursor("devnet").await.expect("cursor");
    sandbox.devnet.advance_time(1).await.expect("block");
    until("a tick woken by a head", || {
        let store = &store;
        async move { (store.watch_cursor("devnet").await.expect("cursor") > first).then_some(()) }
    })
    .await;

    let moved = std::time::Instant::now();
    sandbox
        .devnet
        .set_price("WETH", "1000")
        .await
        .expect("price");
    let written = until("the alert", || {
        let store = &store;
        async move {
            let o = outbox(store).await;
            (!o.is_empty()).then_some(o)
        }
    })
    .await;
    assert!(
        moved.elapsed() < Duration::from_secs(10),
        "woken by the head, not the 60 s poll: {:?}",
        moved.elapsed()
    );
    assert_eq!(written[0].kind, NoticeKind::Alert(Severity::Warning));
    common::last_alert_equals_the_chain(&sandbox, &store, USER, safe).await;
    drop(watching);
}
