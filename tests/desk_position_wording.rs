//! What a user reads about withdrawals and price falls at the edges: a position at its limit
//! or already liquidatable says so plainly (no "safe to withdraw 0"), a safe amount that
//! leaves HF at the minimum names the missing margin, and several withdrawable assets are
//! offered as "one of". Live positions on a devnet of this binary's own (prices move).

mod common;

use alloy::primitives::{Address, U256};
use lendesk::chain::markets::Markets;
use lendesk::desk::{Desk, Incoming, Intent};
use lendesk::devnet::Devnet;
use lendesk::store::Store;

fn desk(devnet: &Devnet, store: Store) -> Desk {
    common::desk(
        Markets::single(common::reader(devnet.rpc_url(), devnet.manifest())),
        store,
    )
}

async fn ask(desk: &Desk, user: i64, text: &str) -> String {
    let out = desk
        .handle(Incoming {
            user,
            text: text.into(),
            now: 1_700_000_000,
            ..Default::default()
        })
        .await;
    assert_eq!(out.intent, Intent::Position, "{text}: {}", out.text());
    out.text()
}

/// Moves WETH so that the "close" account (WETH collateral only, HF 1.05 at seeding) lands at
/// `hf_bps` / 10 000: its HF scales with the WETH price.
async fn move_weth_for_close_hf(devnet: &Devnet, user: Address, hf_bps: u64) {
    let provider = common::provider(devnet.rpc_url());
    let pool = devnet.manifest().contracts.pool;
    let hf = common::protocol_hf(&provider, pool, user).await;
    let price = common::reader(devnet.rpc_url(), devnet.manifest())
        .position(user)
        .await
        .expect("position")
        .reserves
        .iter()
        .find(|r| r.symbol == "WETH")
        .expect("WETH reserve")
        .price;
    let wad = U256::from(10u64).pow(U256::from(18));
    let new_price = price * U256::from(hf_bps) * wad / (hf * U256::from(10_000u64));
    devnet
        .set_price_raw("WETH", new_price)
        .await
        .expect("move WETH");
}

#[tokio::test]
async fn withdraw_answers_say_plainly_when_nothing_can_go_and_name_the_margin_when_something_can() {
    let devnet = common::own().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(&devnet, Store::open(dir.path()).unwrap());
    let address = |profile: &str| {
        common::account(devnet.manifest(), profile)
            .to_checksum(None)
            .to_string()
    };

    // Bounded by the target HF: the margin is named, in both languages.
    let safe = address("safe");
    let text = ask(&desk, 1, &format!("how much can I withdraw {safe}")).await;
    assert!(
        text.contains("Safe to withdraw:")
            && text.contains("keeps HF at 1.01, no room for price moves"),
        "{text}"
    );
    let text = ask(&desk, 2, &format!("我能取出多少 {safe}")).await;
    assert!(text.contains("没有应对价格波动的余地"), "{text}");

    // Three collateral assets: any one of them, not all together.
    let multi = address("multi");
    let text = ask(&desk, 3, &format!("how much can I withdraw {multi}")).await;
    assert!(text.contains("Safe to withdraw (one of):"), "{text}");
    let text = ask(&desk, 4, &format!("我能取出多少 {multi}")).await;
    assert!(text.contains("可安全取出（任选其一）"), "{text}");

    // Between 1 and the target: nothing can be withdrawn, at the limit.
    let close_user = common::account(devnet.manifest(), "close");
    let close = address("close");
    move_weth_for_close_hf(&devnet, close_user, 10_050).await;
    let text = ask(&desk, 5, &format!("how much can I withdraw {close}")).await;
    assert!(
        text.contains("Nothing can be withdrawn safely") && text.contains("at its limit"),
        "{text}"
    );
    assert!(!text.contains("Safe to withdraw: 0"), "{text}");
    let text = ask(&desk, 6, &format!("我能取出多少 {close}")).await;
    assert!(text.contains("目前无法安全取出任何资产"), "{text}");
    assert!(!text.contains("可安全取出：0"), "{text}");

    // Under 1: already liquidatable, and no "can fall 0%".
    move_weth_for_close_hf(&devnet, close_user, 9_800).await;
    let text = ask(&desk, 7, &format!("what's my health factor {close}")).await;
    assert!(
        text.contains("Nothing can be withdrawn") && text.contains("already liquidatable"),
        "{text}"
    );
    assert!(!text.contains("fall 0%"), "{text}");
    assert!(!text.contains("Safe to withdraw: 0"), "{text}");
    let text = ask(&desk, 8, &format!("我的健康因子是多少 {close}")).await;
    assert!(text.contains("仓位已经可以被清算"), "{text}");
    assert!(!text.contains("下跌 0%"), "{text}");
}
