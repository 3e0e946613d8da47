//! The desk on Morpho Blue positions, configured as `lendesk devnet` writes it (the Aave
//! market and the devnet's Morpho deployment on one chain): an address in two Morpho markets
//! gets one answer listing both, worst health first, each health factor equal to Morpho's own;
//! an address on Aave and Morpho gets both; the asset and what-if buttons act on the Morpho
//! market they name; Chinese answers say the same.

mod common;

use alloy::primitives::U256;
use lendesk::chain::markets::Markets;
use lendesk::config::Config;
use lendesk::desk::{Desk, Incoming, Intent, Outcome};
use lendesk::devnet::Devnet;
use lendesk::store::Store;

fn desk(devnet: &Devnet) -> Desk {
    let text = lendesk::devnet::cli::lendesk_toml_with_morpho(devnet.manifest());
    let config = Config::parse(&text, "lendesk.toml").expect("the written config");
    let markets = Markets::from_config(&config).expect("markets");
    assert_eq!(
        markets.len(),
        2,
        "the Aave market and the Morpho deployment"
    );
    common::desk(markets, Store::temporary().expect("store"))
}

async fn ask(desk: &Desk, user: i64, text: &str) -> Outcome {
    let out = desk
        .handle(Incoming {
            user,
            text: text.into(),
            now: 1_700_000_000,
            ..Default::default()
        })
        .await;
    assert_eq!(out.intent, Intent::Position, "{text}: {}", out.text());
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn two_morpho_markets_in_one_answer_worst_first_each_equal_to_morpho() {
    let devnet = common::own().await;
    let desk = desk(&devnet);
    let multi = common::morpho_borrower(devnet.manifest(), "multi");
    let out = ask(&desk, 1, &format!("how is {multi} doing?")).await;
    let text = out.text();
    let dai = text.find("DAI/USDC 94.5%").expect("the DAI market");
    let weth = text.find("WETH/USDC 86%").expect("the WETH market");
    assert!(dai < weth, "worst health first (1.2 before 1.8):\n{text}");
    assert!(text.contains("fixed for this market"), "{text}");
    assert!(text.contains("USDC"), "values in the loan token: {text}");
    for (label, reply) in [("DAI/USDC 94.5%", 0), ("WETH/USDC 86%", 1)] {
        let hf = common::morpho_chain_hf(&devnet, label, multi).await;
        let shown = common::shown_health_factor(&out.replies[reply].text, "Health factor ")
            .expect("a health factor");
        let chain = as_f64(hf);
        assert!(
            (shown - chain).abs() < 0.01,
            "{label}: shown {shown}, Morpho {chain}"
        );
    }
    // In Chinese: the same figure (the worst market's, DAI/USDC) and the fixed LLTV. The
    // figure is compared with Morpho's, not written out: interest lowers it as the devnet's
    // cached state ages (seeded at 1.2 plus a millionth).
    let zh = ask(&desk, 2, &format!("{multi} 的健康因子是多少？"))
        .await
        .text();
    assert!(zh.contains("该市场固定不变"), "{zh}");
    let shown = common::shown_health_factor(&zh, "健康因子 ").expect("a health factor");
    let chain = as_f64(common::morpho_chain_hf(&devnet, "DAI/USDC 94.5%", multi).await);
    assert!(
        (shown - chain).abs() < 0.01,
        "shown {shown}, Morpho {chain}: {zh}"
    );
}

/// A health factor (wad) as a number, to four decimals.
fn as_f64(hf: U256) -> f64 {
    let ten_thousandths = u32::try_from(hf / U256::from(10u64).pow(U256::from(14))).unwrap();
    f64::from(ten_thousandths) / 10_000.0
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_on_aave_and_morpho_gets_both_and_the_buttons_act_on_the_morpho_market() {
    let devnet = common::own().await;
    let desk = desk(&devnet);
    let both = common::morpho_borrower(devnet.manifest(), "both");
    let out = ask(&desk, 3, &format!("my position {both}")).await;
    let text = out.text();
    let morpho_at = text.find("devnet-morpho WETH/USDC 86%").expect("Morpho");
    let aave_at = text.find("on devnet (block").expect("Aave");
    assert!(
        morpho_at < aave_at,
        "Morpho (1.6) before Aave (2.5):\n{text}"
    );

    // The Morpho answer's buttons name its market: the what-if moves WETH on Morpho only.
    let buttons: Vec<&str> = out.replies[0]
        .buttons
        .iter()
        .flatten()
        .map(|b| b.data.as_str())
        .collect();
    let tag = Markets::tag("devnet-morpho WETH/USDC 86%");
    let what_if = buttons
        .iter()
        .find(|d| d.starts_with("whatif:-2000:") && d.ends_with(&format!("@{tag}")))
        .unwrap_or_else(|| panic!("a tagged what-if: {buttons:?}"));
    let pressed = desk.button(3, what_if, None, 1_700_000_001).await;
    assert_eq!(pressed.replies.len(), 1, "{}", pressed.text());
    // HF × 0.8 (1.6 × 0.8 = 1.28 when seeded): the collateral's price moves, the debt does not.
    let expected = as_f64(common::morpho_chain_hf(&devnet, "WETH/USDC 86%", both).await) * 0.8;
    let shown = common::shown_health_factor(&pressed.text(), ": HF ").expect("the what-if HF");
    assert!(
        (shown - expected).abs() < 0.01,
        "shown {shown}, expected {expected}: {}",
        pressed.text()
    );
    let asset = buttons
        .iter()
        .find(|d| d.starts_with(&format!("am:{tag}:")) && d.ends_with(":WETH"))
        .unwrap_or_else(|| panic!("a tagged WETH button: {buttons:?}"));
    let detail = desk.button(3, asset, None, 1_700_000_002).await;
    assert_eq!(detail.intent, Intent::Position, "{}", detail.text());
    assert!(
        detail.sources[0].starts_with("chain:devnet-morpho WETH/USDC 86%:"),
        "{:?}",
        detail.sources
    );
}
