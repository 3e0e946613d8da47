//! The v3.0 devnet's Morpho Blue: three markets on the Aave market's own tokens, each with an
//! oracle priced from the Aave feeds' USD answers, liquidity from the Aave "liquidity" account
//! (#6), and demo borrowers across the risk range. Borrow amounts are computed exactly from the
//! oracle price and the LLTV with Morpho's rounding, so each health factor lands at or just
//! above its target; the seed then checks every one from Morpho's own state.

use alloy::primitives::{Address, U256};

use super::compiled::Compiled;
use super::error::DevnetError;
use super::manifest::{
    MorphoDemoAccount, MorphoDemoPosition, MorphoManifest, MorphoMarketInfo, TokenInfo,
};
use super::market;
use super::morpho::{self, MorphoBorrow, MorphoMarketSpec};
use super::morpho_ops;
use super::price::{format_rounded, parse_fixed};
use super::rpc::DevClient;
use crate::chain::morpho_blue::math::{self, WAD};

/// Anvil account that owns Morpho (the deployer).
const OWNER: usize = 0;

/// Anvil account that supplies every market's liquidity (the Aave "liquidity" profile).
pub const LENDER: usize = 6;

/// How far above its target a seeded health factor may land, in bps (Morpho's math is exact;
/// the margin below only covers rounding and the interest of the seed's own seconds).
const SEED_TOLERANCE_BPS: u64 = 10;

/// One market to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketPlan {
    /// Its short name in `devnet.json`.
    pub name: &'static str,
    /// Collateral token symbol.
    pub collateral: &'static str,
    /// Loan token symbol.
    pub loan: &'static str,
    /// LLTV as a decimal fraction (`"0.86"`).
    pub lltv: &'static str,
    /// Loan tokens supplied by the lender, whole units.
    pub liquidity: &'static str,
}

/// The markets, in creation order.
pub const MARKETS: [MarketPlan; 3] = [
    MarketPlan {
        name: "WETH/USDC 86%",
        collateral: "WETH",
        loan: "USDC",
        lltv: "0.86",
        liquidity: "2000000",
    },
    MarketPlan {
        name: "WBTC/USDC 86%",
        collateral: "WBTC",
        loan: "USDC",
        lltv: "0.86",
        liquidity: "2000000",
    },
    MarketPlan {
        name: "DAI/USDC 94.5%",
        collateral: "DAI",
        loan: "USDC",
        lltv: "0.945",
        liquidity: "1000000",
    },
];

/// One position of a demo borrower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionPlan {
    /// The market's short name.
    pub market: &'static str,
    /// Collateral supplied, whole tokens.
    pub collateral: &'static str,
    /// Target health factor.
    pub target_hf: &'static str,
}

/// One demo borrower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BorrowerPlan {
    /// Anvil account index.
    pub index: u32,
    /// Profile name in `devnet.json`.
    pub profile: &'static str,
    /// What it shows (amounts are appended).
    pub summary: &'static str,
    /// Its positions.
    pub positions: &'static [PositionPlan],
}

/// The demo borrowers, seeded in this order. #10 and up are Morpho's own; #1 is also the Aave
/// market's "safe" account, whose Aave position stays as it is.
pub const BORROWERS: [BorrowerPlan; 5] = [
    BorrowerPlan {
        index: 10,
        profile: "safe",
        summary: "safe: WETH collateral, USDC debt",
        positions: &[PositionPlan {
            market: "WETH/USDC 86%",
            collateral: "10",
            target_hf: "2.0",
        }],
    },
    BorrowerPlan {
        index: 11,
        profile: "warning",
        summary: "warning: WBTC collateral, USDC debt",
        positions: &[PositionPlan {
            market: "WBTC/USDC 86%",
            collateral: "1",
            target_hf: "1.3",
        }],
    },
    BorrowerPlan {
        index: 12,
        profile: "close",
        summary: "close to liquidation: WETH collateral, USDC debt; a 5% WETH drop makes it liquidatable",
        positions: &[PositionPlan {
            market: "WETH/USDC 86%",
            collateral: "10",
            target_hf: "1.05",
        }],
    },
    BorrowerPlan {
        index: 13,
        profile: "multi",
        summary: "multi: two Morpho markets, WETH and DAI collateral, USDC debt on each",
        positions: &[
            PositionPlan {
                market: "WETH/USDC 86%",
                collateral: "5",
                target_hf: "1.8",
            },
            PositionPlan {
                market: "DAI/USDC 94.5%",
                collateral: "10000",
                target_hf: "1.2",
            },
        ],
    },
    BorrowerPlan {
        index: 1,
        profile: "both",
        summary: "both: also the Aave market's safe account; on Morpho WETH collateral, USDC debt",
        positions: &[PositionPlan {
            market: "WETH/USDC 86%",
            collateral: "4",
            target_hf: "1.6",
        }],
    },
];

/// The largest borrow whose health factor, with Morpho's rounding, is at or above `target_wad`
/// (`⌊max borrow × 1e18 ÷ target⌋`), less one millionth and two units: a later borrower's
/// shares round up against it, and interest accrues for the seconds the seed takes.
pub fn borrow_for_target(
    collateral: U256,
    price: U256,
    lltv: U256,
    target_wad: U256,
) -> Option<U256> {
    let exact = math::mul_div_down(math::max_borrow(collateral, price, lltv)?, WAD, target_wad)?;
    exact.checked_sub(exact / U256::from(1_000_000u64) + U256::from(2u64))
}

/// Deploys Morpho owned by account #0, creates [`MARKETS`] on the devnet's `tokens`, supplies
/// their liquidity from #6, opens the [`BORROWERS`]' positions and checks their health factors.
pub(super) async fn deploy_and_seed(
    client: &DevClient,
    artifacts: &Compiled,
    tokens: &[TokenInfo],
    accounts: &[Address],
) -> Result<MorphoManifest, DevnetError> {
    let account = |index: usize| {
        accounts.get(index).copied().ok_or_else(|| {
            DevnetError::unexpected(
                "eth_accounts",
                format!("no account #{index} (Anvil runs with too few accounts)"),
            )
        })
    };
    let token = |symbol: &str| {
        tokens
            .iter()
            .find(|t| t.symbol == symbol)
            .ok_or_else(|| DevnetError::UnknownToken {
                symbol: symbol.to_string(),
                known: tokens.iter().map(|t| t.symbol.clone()).collect(),
            })
    };
    let mut specs = Vec::with_capacity(MARKETS.len());
    for plan in &MARKETS {
        let (collateral, loan) = (token(plan.collateral)?, token(plan.loan)?);
        specs.push(MorphoMarketSpec {
            loan_token: loan.address,
            collateral_token: collateral.address,
            lltv: fixed(plan.lltv, 18, plan.name)?,
            price: spec_price(collateral, loan)?,
        });
    }
    let deployment = morpho::deploy(client, artifacts, account(OWNER)?, &specs).await?;
    let markets: Vec<MorphoMarketInfo> = MARKETS
        .iter()
        .zip(&deployment.markets)
        .zip(&specs)
        .map(|((plan, m), spec)| MorphoMarketInfo {
            name: plan.name.to_string(),
            id: m.id,
            loan_symbol: plan.loan.to_string(),
            loan_token: m.loan_token,
            collateral_symbol: plan.collateral.to_string(),
            collateral_token: m.collateral_token,
            oracle: m.oracle,
            irm: m.irm,
            lltv: m.lltv,
            oracle_price: spec.price,
        })
        .collect();

    let lender = account(LENDER)?;
    for (plan, market) in MARKETS.iter().zip(&markets) {
        let liquidity = fixed(plan.liquidity, token(plan.loan)?.decimals, plan.name)?;
        morpho::supply(
            client,
            deployment.morpho,
            &market.params(),
            lender,
            liquidity,
        )
        .await?;
    }

    let mut demo = Vec::with_capacity(BORROWERS.len());
    for plan in &BORROWERS {
        let borrower = account(plan.index as usize)?;
        let mut positions = Vec::with_capacity(plan.positions.len());
        let mut parts = Vec::new();
        for p in plan.positions {
            let market = markets.iter().find(|m| m.name == p.market).ok_or_else(|| {
                DevnetError::unexpected("Morpho seed plan", format!("no market {}", p.market))
            })?;
            let (collateral_token, loan_token) = (
                token(&market.collateral_symbol)?,
                token(&market.loan_symbol)?,
            );
            let collateral = fixed(p.collateral, collateral_token.decimals, p.market)?;
            let target = fixed(p.target_hf, 18, p.market)?;
            let borrow = borrow_for_target(collateral, market.oracle_price, market.lltv, target)
                .ok_or_else(|| {
                    DevnetError::unexpected(
                        "Morpho seed plan",
                        format!("no borrow for HF {} on {}", p.target_hf, p.market),
                    )
                })?;
            let open = MorphoBorrow {
                borrower,
                collateral,
                borrow,
            };
            morpho::open(client, deployment.morpho, &market.params(), &open).await?;
            parts.push(format!(
                "{} {} → {} {} on {}, target HF {}",
                p.collateral,
                market.collateral_symbol,
                format_rounded(borrow, loan_token.decimals, 2),
                market.loan_symbol,
                market.name,
                p.target_hf
            ));
            positions.push(MorphoDemoPosition {
                market: market.name.clone(),
                market_id: market.id,
                collateral,
                borrowed: borrow,
                expected_health_factor: p.target_hf.to_string(),
            });
        }
        demo.push(MorphoDemoAccount {
            index: plan.index,
            address: borrower,
            profile: plan.profile.to_string(),
            description: format!("{} ({})", plan.summary, parts.join("; ")),
            positions,
        });
    }
    demo.sort_by_key(|a| a.index);

    let manifest = MorphoManifest {
        morpho: deployment.morpho,
        owner: deployment.owner,
        irm: deployment.irm,
        artifacts: deployment.artifacts,
        markets,
        accounts: demo,
    };
    verify(client, &manifest).await?;
    Ok(manifest)
}

/// The market's oracle price from both tokens' spec prices: the Aave feeds' initial answers.
fn spec_price(collateral: &TokenInfo, loan: &TokenInfo) -> Result<U256, DevnetError> {
    let usd = |t: &TokenInfo| {
        market::token_spec(&t.symbol)
            .map(|s| U256::from(s.price_8dp))
            .ok_or_else(|| DevnetError::UnknownToken {
                symbol: t.symbol.clone(),
                known: market::TOKENS
                    .iter()
                    .map(|s| s.symbol.to_string())
                    .collect(),
            })
    };
    morpho::oracle_price(
        usd(collateral)?,
        collateral.decimals,
        usd(loan)?,
        loan.decimals,
    )
    .ok_or_else(|| {
        DevnetError::unexpected(
            "Morpho seed plan",
            format!("no oracle price for {}/{}", collateral.symbol, loan.symbol),
        )
    })
}

/// Parses plan text into a fixed-point integer.
fn fixed(text: &str, decimals: u8, what: &str) -> Result<U256, DevnetError> {
    parse_fixed(text, decimals)
        .map_err(|e| DevnetError::unexpected("Morpho seed plan", format!("{what}: {text}: {e}")))
}

/// Checks every seeded position from Morpho's own state: at or above its target, and no more
/// than [`SEED_TOLERANCE_BPS`] over it.
async fn verify(client: &DevClient, manifest: &MorphoManifest) -> Result<(), DevnetError> {
    for account in &manifest.accounts {
        for p in &account.positions {
            let market = manifest
                .markets
                .iter()
                .find(|m| m.id == p.market_id)
                .ok_or_else(|| DevnetError::unexpected("Morpho seed", "a position's market"))?;
            let health =
                morpho_ops::position_health(client, manifest.morpho, market, account.address)
                    .await?;
            let target = fixed(&p.expected_health_factor, 18, &p.market)?;
            let ceiling = target + target * U256::from(SEED_TOLERANCE_BPS) / U256::from(10_000u64);
            if health.health_factor < target || health.health_factor > ceiling {
                return Err(DevnetError::SeedMismatch {
                    address: account.address,
                    profile: format!("Morpho {} on {}", account.profile, p.market),
                    expected: p.expected_health_factor.clone(),
                    got: health.health_factor,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(n: u32) -> U256 {
        U256::from(10u64).pow(U256::from(n))
    }

    #[test]
    fn borrows_land_just_above_each_target() {
        for plan in &BORROWERS {
            for p in plan.positions {
                let m = MARKETS.iter().find(|m| m.name == p.market).unwrap();
                let (cs, ls) = (
                    market::token_spec(m.collateral).unwrap(),
                    market::token_spec(m.loan).unwrap(),
                );
                let price = morpho::oracle_price(
                    U256::from(cs.price_8dp),
                    cs.decimals,
                    U256::from(ls.price_8dp),
                    ls.decimals,
                )
                .unwrap();
                let collateral = parse_fixed(p.collateral, cs.decimals).unwrap();
                let lltv = parse_fixed(m.lltv, 18).unwrap();
                let target = parse_fixed(p.target_hf, 18).unwrap();
                let borrow = borrow_for_target(collateral, price, lltv, target).unwrap();
                // One unit more (a later borrower's rounding) still keeps the target.
                let hf = math::health_factor(collateral, borrow + U256::from(1u64), price, lltv)
                    .unwrap();
                assert!(hf >= target, "{} {}: {hf}", plan.profile, p.market);
                let ceiling = target + target * U256::from(SEED_TOLERANCE_BPS) / e(4);
                let hf = math::health_factor(collateral, borrow, price, lltv).unwrap();
                assert!(hf <= ceiling, "{} {}: {hf}", plan.profile, p.market);
            }
        }
    }

    #[test]
    fn the_safe_borrower_borrows_what_its_target_allows() {
        // 10 WETH at 2,000 USDC, LLTV 86%: max borrow 17,200 USDC; HF 2 → 8,600 less a millionth.
        let price = U256::from(2_000u64) * e(24);
        let borrow = borrow_for_target(
            U256::from(10u64) * e(18),
            price,
            e(16) * U256::from(86u64),
            e(18) * U256::from(2u64),
        )
        .unwrap();
        assert_eq!(borrow, U256::from(8_600_000_000u64 - 8_600 - 2));
    }

    #[test]
    fn the_borrowers_use_distinct_accounts_and_every_market() {
        let mut indexes: Vec<u32> = BORROWERS.iter().map(|b| b.index).collect();
        indexes.sort_unstable();
        indexes.dedup();
        assert_eq!(indexes.len(), BORROWERS.len());
        assert!(
            BORROWERS
                .iter()
                .all(|b| b.index >= 10 || b.profile == "both")
        );
        for m in &MARKETS {
            assert!(
                BORROWERS
                    .iter()
                    .any(|b| b.positions.iter().any(|p| p.market == m.name)),
                "{}",
                m.name
            );
        }
    }
}
