//! Replicas share the watched addresses out (issue 12): two replicas on one PostgreSQL store
//! each watch their share of a devnet's positions and alert its users once; when one stops, the
//! other takes every address over within seconds and alerts the users of both shares.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;
use lendesk::alerts::follow::Followed;
use lendesk::alerts::{Shard, SubscriptionsChanged};
use lendesk::replica::Members;
use lendesk::store::Store;
use lendesk::telegram::alerts::{WatchSetup, run_sharded};
use lendesk::telegram::{BOT_MESSAGES_PER_SECOND, TgBot, telegram_limits};
use teloxide::requests::RequesterExt;

use super::TestDb;
use super::bot_api::BotApi;
use super::common;

const FIRST_USER: u64 = 6_000;
const WAIT: Duration = Duration::from_secs(90);

/// A replica's alert side: its membership and its sharded watchers, stopped when dropped.
struct Replica {
    _members: Arc<Members>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn replica(api: &BotApi, store: &Store, sandbox: &common::Sandbox, name: &str) -> Replica {
    let members = Arc::new(Members::join(store.clone(), Arc::from(name)));
    let bot: TgBot = api
        .bot()
        .throttle(telegram_limits(BOT_MESSAGES_PER_SECOND))
        .cache_me();
    let reader = common::reader(sandbox.devnet.rpc_url(), sandbox.devnet.manifest());
    let setup = WatchSetup {
        readers: vec![Followed::Aave(Arc::new(reader))],
        config: lendesk::alerts::AlertsConfig {
            poll: Duration::from_millis(200),
            ..Default::default()
        },
        ws_urls: Default::default(),
    };
    let task = tokio::spawn(run_sharded(
        bot,
        store.clone(),
        setup,
        SubscriptionsChanged::default(),
        None,
        members.clone(),
    ));
    Replica {
        _members: members,
        task,
    }
}

/// Waits until the store holds the devnet market's cursors `keys` (the replicas watching the
/// shares they should), a block mined every half second (a watcher writes its cursor at a new
/// block).
async fn watching(sandbox: &common::Sandbox, store: &Store, keys: &[&str]) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let cursors = store.watch_cursors_of("devnet").await.expect("cursors");
        let names: BTreeSet<&str> = cursors.iter().map(|(k, _)| k.as_str()).collect();
        if keys.iter().all(|k| names.contains(k)) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the shares {keys:?} not watched: {cursors:?}"
        );
        sandbox.devnet.advance_time(1).await.expect("block");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The prices of WETH and WBTC go up (every level re-armed), then down (every borrower's
/// position crosses): who was told, each once (no text twice).
async fn one_round(
    api: &BotApi,
    sandbox: &common::Sandbox,
    users: &[(u64, Address)],
) -> BTreeSet<u64> {
    let before: Vec<usize> = users
        .iter()
        .map(|(id, _)| api.messages(*id as i64).len())
        .collect();
    let told = |api: &BotApi| -> BTreeSet<u64> {
        users
            .iter()
            .zip(&before)
            .filter(|((id, _), n)| api.messages(*id as i64).len() > **n)
            .map(|((id, _), _)| *id)
            .collect()
    };
    for (symbol, high) in [("WETH", "8000"), ("WBTC", "200000")] {
        sandbox.devnet.set_price(symbol, high).await.expect("price");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (symbol, low) in [("WETH", "500"), ("WBTC", "8000")] {
        sandbox.devnet.set_price(symbol, low).await.expect("price");
    }
    api.wait_for("the alerts", WAIT, |api| {
        (told(api).len() >= 2).then_some(())
    })
    .await;
    // The rest, and anything that would come twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for (id, _) in users {
        let texts: Vec<String> = api
            .messages(*id as i64)
            .into_iter()
            .map(|m| m.text)
            .collect();
        let mut once = texts.clone();
        once.sort();
        once.dedup();
        assert_eq!(once.len(), texts.len(), "user {id} told twice: {texts:#?}");
    }
    told(api)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_the_watched_addresses_and_one_takes_a_stopped_ones_over() {
    let Some(db) = TestDb::new("shares").await else {
        return;
    };
    let sandbox = common::Sandbox::new().await;
    let api = BotApi::start().await;
    let store = Store::connect(&db.url).await.expect("connect");
    // One user per demo position, watching it.
    let users: Vec<(u64, Address)> = sandbox
        .devnet
        .manifest()
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (FIRST_USER + i as u64, a.address))
        .collect();
    for (id, address) in &users {
        api.add_user(*id, &format!("User{id}"), None, Some("en"));
        store
            .save_alert_settings(&common::watching(*id as i64, *address))
            .await
            .expect("settings");
    }
    let first = replica(&api, &store, &sandbox, "replica-a");
    let second = replica(&api, &store, &sandbox, "replica-b");
    watching(&sandbox, &store, &["devnet#0/2", "devnet#1/2"]).await;
    let both = one_round(&api, &sandbox, &users).await;

    // The second stops: the first watches every address within seconds, from where the
    // slower share stopped.
    drop(second);
    watching(&sandbox, &store, &["devnet"]).await;
    let alone = one_round(&api, &sandbox, &users).await;
    assert_eq!(
        alone, both,
        "every user alerted again, by the one replica left"
    );
    let shares: Vec<usize> = [Shard::new(0, 2), Shard::new(1, 2)]
        .iter()
        .map(|s| {
            users
                .iter()
                .filter(|(id, a)| both.contains(id) && s.owns(a))
                .count()
        })
        .collect();
    eprintln!(
        "users alerted by share, two replicas: {shares:?}; by the one left: {}",
        alone.len()
    );
    // Both shares had users to alert: the one left took the stopped one's over.
    assert!(shares.iter().all(|&n| n > 0), "{shares:?}");
    drop(first);
}
