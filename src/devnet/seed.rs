//! Seeds the demo accounts: a liquidity provider, borrowers at chosen health factors, an
//! E-Mode account, an isolated one, an empty one and a liquidator.
//!
//! Debt amounts are computed exactly (U256) from the spec prices and liquidation thresholds so
//! that each account's health factor lands on its target (rounded down on the debt side, so the
//! result is at or just above the target).

use alloy::primitives::{Address, U256};
use alloy::sol_types::SolCall;

use super::error::DevnetError;
use super::manifest::{DemoAccount, Profile, TokenInfo};
use super::market::{self, EMODE, TokenSpec};
use super::price::{format_rounded, parse_fixed};
use super::rpc::DevClient;
use crate::chain::bindings::{AaveProtocolDataProvider, IERC20Detailed, IPool, MintableERC20};

/// Variable interest rate mode.
const VARIABLE: u64 = 2;

/// Relative tolerance of the post-seed check, in bps of the target.
const SEED_TOLERANCE_BPS: u64 = 200;

/// What one demo account holds.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// Anvil account index.
    pub index: u32,
    /// Profile.
    pub profile: Profile,
    /// Supplies as (symbol, whole-token amount as decimal text).
    pub supplies: &'static [(&'static str, &'static str)],
    /// Debts as (symbol, weight): the total debt is split by weight.
    pub borrows: &'static [(&'static str, u64)],
    /// E-Mode category entered before anything else.
    pub emode: Option<u8>,
    /// Enable the supplies as collateral explicitly (isolated assets are not enabled on supply).
    pub enable_collateral: bool,
    /// Target health factor as decimal text.
    pub target_hf: Option<&'static str>,
    /// A short description (amounts are appended).
    pub summary: &'static str,
}

/// The demo accounts, seeded in this order (liquidity first).
pub fn plans() -> Vec<SeedPlan> {
    vec![
        SeedPlan {
            index: 6,
            profile: Profile::Liquidity,
            supplies: &[
                ("WETH", "1000"),
                ("USDC", "1500000"),
                ("DAI", "2000000"),
                ("WBTC", "50"),
            ],
            borrows: &[],
            emode: None,
            enable_collateral: false,
            target_hf: None,
            summary: "liquidity provider: supplies every reserve, borrows nothing",
        },
        SeedPlan {
            index: 1,
            profile: Profile::Safe,
            supplies: &[("WETH", "10")],
            borrows: &[("USDC", 1)],
            emode: None,
            enable_collateral: false,
            target_hf: Some("2.5"),
            summary: "safe: WETH collateral, USDC debt",
        },
        SeedPlan {
            index: 2,
            profile: Profile::Warning,
            supplies: &[("WETH", "10")],
            borrows: &[("DAI", 1)],
            emode: None,
            enable_collateral: false,
            target_hf: Some("1.3"),
            summary: "warning: WETH collateral, DAI debt",
        },
        SeedPlan {
            index: 3,
            profile: Profile::Close,
            supplies: &[("WETH", "10")],
            borrows: &[("USDC", 1)],
            emode: None,
            enable_collateral: false,
            target_hf: Some("1.05"),
            summary: "close to liquidation: WETH collateral, USDC debt; a 5% WETH drop makes it liquidatable",
        },
        SeedPlan {
            index: 4,
            profile: Profile::Multi,
            supplies: &[("USDC", "10000"), ("DAI", "10000"), ("WETH", "5")],
            borrows: &[("USDC", 1), ("DAI", 1)],
            emode: Some(market::EMODE_STABLECOINS),
            enable_collateral: false,
            target_hf: Some("1.6"),
            summary: "multi: E-Mode 1 (Stablecoins), USDC + DAI + WETH collateral, USDC + DAI debt",
        },
        SeedPlan {
            index: 5,
            profile: Profile::Empty,
            supplies: &[],
            borrows: &[],
            emode: None,
            enable_collateral: false,
            target_hf: None,
            summary: "empty: no position",
        },
        SeedPlan {
            index: 7,
            profile: Profile::Isolated,
            supplies: &[("WBTC", "1")],
            borrows: &[("USDC", 1)],
            emode: None,
            enable_collateral: true,
            target_hf: Some("1.8"),
            summary: "isolated: WBTC as the only collateral (isolation mode), USDC debt",
        },
        SeedPlan {
            index: 8,
            profile: Profile::Liquidator,
            supplies: &[],
            borrows: &[],
            emode: None,
            enable_collateral: false,
            target_hf: None,
            summary: "liquidator: holds nothing; `lendesk devnet liquidate` mints what it needs",
        },
    ]
}

/// A collateral line for the health-factor math: value in base currency (8 dp) and its
/// liquidation threshold in bps.
#[derive(Debug, Clone, Copy)]
pub struct CollateralValue {
    /// `amount · price / 10^decimals`.
    pub value_base: U256,
    /// Liquidation threshold (bps) that applies to this user.
    pub liquidation_threshold: u64,
}

/// A debt line for the health-factor math.
#[derive(Debug, Clone, Copy)]
pub struct DebtShare {
    /// Weight of this asset in the total debt.
    pub weight: u64,
    /// Price, 8 dp.
    pub price_8dp: U256,
    /// Token decimals.
    pub decimals: u8,
}

/// Raw debt amounts such that `Σ value·LT / Σ debt = target_hf` (debts rounded down).
pub fn debts_for_target(
    collateral: &[CollateralValue],
    target_hf_wad: U256,
    debts: &[DebtShare],
) -> Vec<U256> {
    let wad = U256::from(10u64).pow(U256::from(18u64));
    let bps = U256::from(10_000u64);
    let weighted: U256 = collateral
        .iter()
        .map(|c| c.value_base * U256::from(c.liquidation_threshold))
        .fold(U256::ZERO, |a, b| a + b);
    let total_weight: U256 = debts
        .iter()
        .map(|d| U256::from(d.weight))
        .fold(U256::ZERO, |a, b| a + b);
    if target_hf_wad.is_zero() || total_weight.is_zero() {
        return vec![U256::ZERO; debts.len()];
    }
    debts
        .iter()
        .map(|d| {
            let scale = U256::from(10u64).pow(U256::from(d.decimals));
            let numerator = weighted * wad * U256::from(d.weight) * scale;
            let denominator = bps * target_hf_wad * total_weight * d.price_8dp;
            if denominator.is_zero() {
                U256::ZERO
            } else {
                numerator / denominator
            }
        })
        .collect()
}

/// Base-currency value of a raw amount: `amount · price / 10^decimals`.
pub fn value_base(amount: U256, price_8dp: U256, decimals: u8) -> U256 {
    amount * price_8dp / U256::from(10u64).pow(U256::from(decimals))
}

/// The liquidation threshold a user gets on an asset, given its E-Mode category.
fn threshold_for(spec: &TokenSpec, user_emode: Option<u8>) -> u64 {
    match (user_emode, spec.risk.emode_category) {
        (Some(user), Some(asset)) if user == asset && user == EMODE.id => {
            u64::from(EMODE.liquidation_threshold)
        }
        _ => spec.risk.liquidation_threshold,
    }
}

/// Market addresses the seed needs.
#[derive(Debug, Clone, Copy)]
pub struct SeedTargets<'a> {
    /// Pool proxy.
    pub pool: Address,
    /// Protocol data provider.
    pub data_provider: Address,
    /// Reserves.
    pub tokens: &'a [TokenInfo],
}

/// Opens every demo position and checks the resulting health factors.
pub async fn seed_accounts(
    client: &DevClient,
    targets: SeedTargets<'_>,
    accounts: &[Address],
) -> Result<Vec<DemoAccount>, DevnetError> {
    let mut out = Vec::new();
    for plan in plans() {
        let user = *accounts.get(plan.index as usize).ok_or_else(|| {
            DevnetError::unexpected("eth_accounts", format!("no account #{}", plan.index))
        })?;
        let description = seed_one(client, targets, &plan, user).await?;
        out.push(DemoAccount {
            index: plan.index,
            address: user,
            profile: plan.profile,
            description,
            expected_health_factor: plan.target_hf.map(str::to_string),
        });
    }
    out.sort_by_key(|a| a.index);
    verify(client, targets.pool, &out).await?;
    Ok(out)
}

/// Seeds one account and returns its description with the amounts.
async fn seed_one(
    client: &DevClient,
    targets: SeedTargets<'_>,
    plan: &SeedPlan,
    user: Address,
) -> Result<String, DevnetError> {
    let who = format!("#{} {}", plan.index, plan.profile);
    if let Some(category) = plan.emode {
        client
            .send_call(
                user,
                targets.pool,
                &IPool::setUserEModeCall::new((category,)),
                &format!("setUserEMode {who}"),
            )
            .await?;
    }
    let mut collateral = Vec::new();
    let mut parts = Vec::new();
    for (symbol, amount_text) in plan.supplies {
        let (spec, token) = lookup(targets.tokens, symbol)?;
        let amount = parse_fixed(amount_text, spec.decimals).map_err(|e| {
            DevnetError::unexpected("seed plan", format!("{symbol} {amount_text}: {e}"))
        })?;
        mint_and_approve(client, token, user, targets.pool, amount, &who).await?;
        let supply = IPool::supplyCall::new((token.address, amount, user, 0u16));
        client
            .send_call(
                user,
                targets.pool,
                &supply,
                &format!("supply {symbol} for {who}"),
            )
            .await?;
        if plan.enable_collateral {
            let status = client
                .read(
                    targets.data_provider,
                    &AaveProtocolDataProvider::getUserReserveDataCall::new((token.address, user)),
                )
                .await?;
            if !status.usageAsCollateralEnabled {
                let call = IPool::setUserUseReserveAsCollateralCall::new((token.address, true));
                client
                    .send_call(
                        user,
                        targets.pool,
                        &call,
                        &format!("enable {symbol} as collateral for {who}"),
                    )
                    .await?;
            }
        }
        collateral.push(CollateralValue {
            value_base: value_base(amount, U256::from(spec.price_8dp), spec.decimals),
            liquidation_threshold: threshold_for(spec, plan.emode),
        });
        parts.push(format!("supplies {amount_text} {symbol}"));
    }
    if let Some(target) = plan.target_hf {
        let target_wad = parse_fixed(target, 18)
            .map_err(|e| DevnetError::unexpected("seed plan", format!("target {target}: {e}")))?;
        let mut shares = Vec::new();
        for (symbol, weight) in plan.borrows {
            let (spec, _) = lookup(targets.tokens, symbol)?;
            shares.push(DebtShare {
                weight: *weight,
                price_8dp: U256::from(spec.price_8dp),
                decimals: spec.decimals,
            });
        }
        let amounts = debts_for_target(&collateral, target_wad, &shares);
        for ((symbol, _), amount) in plan.borrows.iter().zip(amounts) {
            let (spec, token) = lookup(targets.tokens, symbol)?;
            let borrow =
                IPool::borrowCall::new((token.address, amount, U256::from(VARIABLE), 0u16, user));
            client
                .send_call(
                    user,
                    targets.pool,
                    &borrow,
                    &format!("borrow {symbol} for {who}"),
                )
                .await?;
            parts.push(format!(
                "borrows {} {symbol}",
                format_rounded(amount, spec.decimals, 2)
            ));
        }
        parts.push(format!("target HF {target}"));
    }
    if parts.is_empty() {
        return Ok(plan.summary.to_string());
    }
    Ok(format!("{} ({})", plan.summary, parts.join(", ")))
}

/// Mints `amount` of `token` to `user` and approves the Pool for everything.
async fn mint_and_approve(
    client: &DevClient,
    token: &TokenInfo,
    user: Address,
    pool: Address,
    amount: U256,
    who: &str,
) -> Result<(), DevnetError> {
    // WETH9Mocked and MintableERC20 share `mint(address,uint256)` (the first overload).
    let mint = MintableERC20::mint_0Call::new((user, amount));
    client
        .send_call(
            user,
            token.address,
            &mint,
            &format!("mint {} for {who}", token.symbol),
        )
        .await?;
    let approve = IERC20Detailed::approveCall::new((pool, U256::MAX));
    client
        .send_call(
            user,
            token.address,
            &approve,
            &format!("approve {} for {who}", token.symbol),
        )
        .await?;
    Ok(())
}

fn lookup<'a>(
    tokens: &'a [TokenInfo],
    symbol: &str,
) -> Result<(&'static TokenSpec, &'a TokenInfo), DevnetError> {
    let spec = market::token_spec(symbol);
    let token = tokens.iter().find(|t| t.symbol == symbol);
    match (spec, token) {
        (Some(spec), Some(token)) => Ok((spec, token)),
        _ => Err(DevnetError::UnknownToken {
            symbol: symbol.to_string(),
            known: tokens.iter().map(|t| t.symbol.clone()).collect(),
        }),
    }
}

/// Checks every account with a target lands within [`SEED_TOLERANCE_BPS`] of it.
async fn verify(
    client: &DevClient,
    pool: Address,
    accounts: &[DemoAccount],
) -> Result<(), DevnetError> {
    for account in accounts {
        let Some(target) = &account.expected_health_factor else {
            continue;
        };
        let Ok(target_wad) = parse_fixed(target, 18) else {
            continue;
        };
        let data = client
            .read(
                pool,
                &IPool::getUserAccountDataCall::new((account.address,)),
            )
            .await?;
        if !within_bps(data.healthFactor, target_wad, SEED_TOLERANCE_BPS) {
            return Err(DevnetError::SeedMismatch {
                address: account.address,
                profile: account.profile.to_string(),
                expected: target.clone(),
                got: data.healthFactor,
            });
        }
    }
    Ok(())
}

/// `|value - target| ≤ target · tolerance_bps / 10000`.
pub fn within_bps(value: U256, target: U256, tolerance_bps: u64) -> bool {
    let diff = if value > target {
        value - target
    } else {
        target - value
    };
    diff * U256::from(10_000u64) <= target * U256::from(tolerance_bps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wad(text: &str) -> U256 {
        parse_fixed(text, 18).unwrap()
    }

    #[test]
    fn single_debt_hits_the_target() {
        // 10 WETH at $2,000 with LT 82.5%, USDC debt, HF 2.5 → 6,600 USDC.
        let coll = [CollateralValue {
            value_base: U256::from(market::usd(20_000)),
            liquidation_threshold: 8250,
        }];
        let debt = [DebtShare {
            weight: 1,
            price_8dp: U256::from(market::usd(1)),
            decimals: 6,
        }];
        assert_eq!(
            debts_for_target(&coll, wad("2.5"), &debt),
            vec![U256::from(6_600_000_000u64)]
        );
    }

    #[test]
    fn split_debts_hit_the_target() {
        // 10k USDC + 10k DAI at 95% (E-Mode) + 5 WETH at 82.5% = 27,250 weighted; HF 1.6.
        let coll = [
            CollateralValue {
                value_base: U256::from(market::usd(10_000)),
                liquidation_threshold: 9500,
            },
            CollateralValue {
                value_base: U256::from(market::usd(10_000)),
                liquidation_threshold: 9500,
            },
            CollateralValue {
                value_base: U256::from(market::usd(10_000)),
                liquidation_threshold: 8250,
            },
        ];
        let one = U256::from(market::usd(1));
        let debts = [
            DebtShare {
                weight: 1,
                price_8dp: one,
                decimals: 6,
            },
            DebtShare {
                weight: 1,
                price_8dp: one,
                decimals: 18,
            },
        ];
        let amounts = debts_for_target(&coll, wad("1.6"), &debts);
        // 27,250 / 1.6 = 17,031.25 → 8,515.625 each.
        assert_eq!(amounts[0], U256::from(8_515_625_000u64));
        assert_eq!(
            amounts[1],
            U256::from(8_515_625u64) * U256::from(10u64).pow(U256::from(15u64))
        );
    }

    #[test]
    fn computed_hf_matches_targets_of_every_plan() {
        for plan in plans() {
            let Some(target) = plan.target_hf else {
                continue;
            };
            let coll: Vec<CollateralValue> = plan
                .supplies
                .iter()
                .map(|(sym, amt)| {
                    let spec = market::token_spec(sym).unwrap();
                    CollateralValue {
                        value_base: value_base(
                            parse_fixed(amt, spec.decimals).unwrap(),
                            U256::from(spec.price_8dp),
                            spec.decimals,
                        ),
                        liquidation_threshold: threshold_for(spec, plan.emode),
                    }
                })
                .collect();
            let shares: Vec<DebtShare> = plan
                .borrows
                .iter()
                .map(|(sym, w)| {
                    let spec = market::token_spec(sym).unwrap();
                    DebtShare {
                        weight: *w,
                        price_8dp: U256::from(spec.price_8dp),
                        decimals: spec.decimals,
                    }
                })
                .collect();
            let amounts = debts_for_target(&coll, wad(target), &shares);
            let debt_base: U256 = amounts
                .iter()
                .zip(&shares)
                .map(|(a, s)| value_base(*a, s.price_8dp, s.decimals))
                .fold(U256::ZERO, |a, b| a + b);
            let weighted: U256 = coll
                .iter()
                .map(|c| c.value_base * U256::from(c.liquidation_threshold))
                .fold(U256::ZERO, |a, b| a + b);
            let hf = weighted * U256::from(10u64).pow(U256::from(18u64))
                / (debt_base * U256::from(10_000u64));
            assert!(
                within_bps(hf, wad(target), 1),
                "{}: {hf} vs {target}",
                plan.profile
            );
            // Every borrow must also pass the LTV check: debt ≤ Σ value·LTV.
            let max_borrow: U256 = plan
                .supplies
                .iter()
                .zip(&coll)
                .map(|((sym, _), c)| {
                    let spec = market::token_spec(sym).unwrap();
                    let ltv = match (plan.emode, spec.risk.emode_category) {
                        (Some(_), Some(_)) => u64::from(EMODE.ltv),
                        _ => spec.risk.ltv,
                    };
                    c.value_base * U256::from(ltv) / U256::from(10_000u64)
                })
                .fold(U256::ZERO, |a, b| a + b);
            assert!(
                debt_base < max_borrow,
                "{} would fail the LTV check",
                plan.profile
            );
        }
    }

    #[test]
    fn tolerance_check() {
        assert!(within_bps(wad("1.05"), wad("1.0"), 500));
        assert!(!within_bps(wad("1.06"), wad("1.0"), 500));
        assert!(within_bps(wad("0.95"), wad("1.0"), 500));
    }
}
