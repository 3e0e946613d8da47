//! A position explained to a person, in English or Chinese: the figures, what they mean, and
//! the one or two actions that help. Led by what the question asked about.

use std::fmt::Write as _;

use alloy::primitives::U256;

use super::intent::{PositionFocus, WhatIf};
use crate::chain::format;
use crate::chain::position::{EModeMembership, Position, ReserveState};
use crate::chain::report::{self, HealthBand, RiskReport};
use crate::chain::risk::{Blocked, Limit, LiquidationPrice, PriceMove};
use crate::chain::rules;
use crate::lang::Lang;

/// How a health band is worded: the one table of the bands' words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandWording {
    /// A word or two ("risky"), inside a line about a position (the FAQ's personal line,
    /// staff's one-line summary).
    Word,
    /// What the band means for the user, in the position answer.
    Meaning,
    /// The command-line report's line: the HF range and what it means (English only, like the
    /// rest of that report).
    Report,
}

/// The words for `band`, in `wording`.
pub fn band_text(lang: Lang, band: HealthBand, wording: BandWording) -> &'static str {
    // (word, meaning) in English, the same in Chinese, and the command-line report's line.
    let (en, zh, report) = match band {
        HealthBand::NoDebt => (
            ("no debt", "no debt, so nothing can be liquidated"),
            ("无借款", "没有借款，不会被清算"),
            "no debt: nothing can be liquidated",
        ),
        HealthBand::Comfortable => (
            (
                "comfortable",
                "comfortable: prices would have to fall a lot before liquidation",
            ),
            ("很安全", "很安全：价格要大幅下跌才会触发清算"),
            "comfortable (HF ≥ 2)",
        ),
        HealthBand::Moderate => (
            ("moderate", "moderate: fine for now, keep an eye on prices"),
            ("中等", "中等：目前没问题，注意价格变化"),
            "moderate (1.5–2): keep an eye on prices",
        ),
        HealthBand::Risky => (
            (
                "risky",
                "risky: a normal market move could get you liquidated",
            ),
            ("有风险", "有风险：正常的市场波动就可能导致清算"),
            "risky (1.1–1.5): a normal market move could liquidate you",
        ),
        HealthBand::Danger => (
            (
                "danger: close to liquidation",
                "DANGER: very close to liquidation, act now",
            ),
            ("危险：接近清算", "危险：非常接近清算，请立即处理"),
            "DANGER (< 1.1): close to liquidation, act now",
        ),
        HealthBand::Liquidatable => (
            (
                "liquidatable now",
                "LIQUIDATABLE: below 1, liquidators can repay part of your debt and take your collateral with a bonus right now",
            ),
            (
                "已可被清算",
                "可被清算：已低于 1，清算人现在就可以替你还掉部分债务并以折扣拿走你的抵押物",
            ),
            "LIQUIDATABLE (< 1): liquidators can repay your debt and take collateral now",
        ),
    };
    let (word, meaning) = match lang {
        Lang::En => en,
        Lang::Zh => zh,
    };
    match wording {
        BandWording::Word => word,
        BandWording::Meaning => meaning,
        BandWording::Report => report,
    }
}

fn limit(lang: Lang, limit: Limit) -> &'static str {
    match (lang, limit) {
        (Lang::En, Limit::Balance) => "all of it",
        (Lang::En, Limit::HealthFactor) => "keeps your HF at the safe minimum",
        (Lang::En, Limit::Ltv) => "your max LTV",
        (Lang::En, Limit::PoolLiquidity) => "what the pool has available now",
        (Lang::En, Limit::BorrowCap) => "the asset's borrow cap",
        (Lang::En, Limit::DebtCeiling) => "the isolation-mode debt ceiling",
        (Lang::Zh, Limit::Balance) => "全部",
        (Lang::Zh, Limit::HealthFactor) => "保持健康因子不低于安全下限",
        (Lang::Zh, Limit::Ltv) => "受最大 LTV 限制",
        (Lang::Zh, Limit::PoolLiquidity) => "受资金池当前可用流动性限制",
        (Lang::Zh, Limit::BorrowCap) => "受该资产借款上限限制",
        (Lang::Zh, Limit::DebtCeiling) => "受隔离模式债务上限限制",
        (lang, Limit::Blocked(b)) => blocked(lang, b),
    }
}

fn blocked(lang: Lang, b: Blocked) -> &'static str {
    match (lang, b) {
        (Lang::En, Blocked::Paused) => "the reserve is paused",
        (Lang::En, Blocked::Inactive) => "the reserve is inactive",
        (Lang::En, Blocked::Frozen) => "the reserve is frozen",
        (Lang::En, Blocked::BorrowingDisabled) => "borrowing is disabled",
        (Lang::En, Blocked::EModeCategoryMismatch) => "outside your E-Mode category",
        (Lang::En, Blocked::NotBorrowableInIsolation) => "not borrowable in isolation mode",
        (Lang::En, Blocked::SiloedBorrowing) => "siloed borrowing",
        (Lang::En, Blocked::NoCollateral) => "no collateral",
        (Lang::En, Blocked::HealthFactorBelowTarget) => "your HF is already at the safe minimum",
        (Lang::En, Blocked::ZeroLtvCollateralFirst) => "withdraw your zero-LTV collateral first",
        (Lang::Zh, Blocked::Paused) => "该资产已暂停",
        (Lang::Zh, Blocked::Inactive) => "该资产未激活",
        (Lang::Zh, Blocked::Frozen) => "该资产已冻结",
        (Lang::Zh, Blocked::BorrowingDisabled) => "该资产未开放借款",
        (Lang::Zh, Blocked::EModeCategoryMismatch) => "不在你的 E-Mode 类别内",
        (Lang::Zh, Blocked::NotBorrowableInIsolation) => "隔离模式下不可借",
        (Lang::Zh, Blocked::SiloedBorrowing) => "受孤立借贷限制",
        (Lang::Zh, Blocked::NoCollateral) => "没有抵押物",
        (Lang::Zh, Blocked::HealthFactorBelowTarget) => "健康因子已处于安全下限",
        (Lang::Zh, Blocked::ZeroLtvCollateralFirst) => "需先取出 LTV 为 0 的抵押物",
    }
}

fn pct_drop(now: U256, at: U256) -> String {
    if now.is_zero() || at >= now {
        return "0%".into();
    }
    let bps = (now - at) * U256::from(10_000u64) / now;
    format::bps(u64::try_from(bps).unwrap_or(10_000))
}

/// What replaces every derived figure when lendesk's math disagrees with the protocol's.
fn protocol_figures_only(lang: Lang) -> &'static str {
    lang.pick(
        "These totals and the health factor are the protocol's own. This market follows rules lendesk does not fully model yet, so liquidation prices, safe amounts and what-ifs are left out rather than shown wrong.",
        "以上总额和健康因子来自协议本身。该市场的规则 lendesk 尚未完全支持，因此不显示清算价格、可安全取出/借出的数量和价格模拟，以免给出错误数字。",
    )
}

/// What sets a Morpho Blue market apart, under its figures: the fixed LLTV, the oracle, the
/// collateral earning nothing.
fn morpho_line(lang: Lang, m: &crate::chain::morpho_blue::MorphoPosition) -> String {
    let lltv = crate::chain::morpho_blue::position::wad_percent(m.facts.lltv);
    let (coll, loan) = (&m.facts.collateral.symbol, &m.facts.loan.symbol);
    match lang {
        Lang::En => format!(
            "Morpho Blue market {coll}/{loan} ({}): liquidation at {lltv} loan-to-value, fixed for this market; prices come from the market's own oracle; your {coll} collateral earns no interest.",
            m.facts.short_id()
        ),
        Lang::Zh => format!(
            "Morpho Blue 市场 {coll}/{loan}（{}）：借款达到抵押价值的 {lltv}（LLTV，该市场固定不变）即会被清算；价格来自该市场自己的预言机；你的 {coll} 抵押物不产生利息。",
            m.facts.short_id()
        ),
    }
}

/// The answer when an address has nothing on any of the markets that answered.
pub fn render_nowhere(lang: Lang, user: alloy::primitives::Address, markets: &[&str]) -> String {
    let who = format::short_address(user);
    let list = markets.join(", ");
    match lang {
        Lang::En => format!("{who} has no supply and no debt on any of these markets: {list}."),
        Lang::Zh => format!("{who} 在以下市场都没有存款也没有借款：{list}。"),
    }
}

/// Renders one position. `comfort` is the HF recommended as "safe" for repay advice (wad).
pub fn render(
    lang: Lang,
    position: &Position,
    report: &RiskReport,
    focus: PositionFocus,
    what_if: Option<&WhatIf>,
    comfort: U256,
) -> String {
    let t = &report.totals;
    let who = format::short_address(position.user);
    let mut out = String::new();
    if position.is_empty() {
        let _ = match lang {
            Lang::En => write!(
                out,
                "{who} has no supply and no debt on {}.",
                position.market
            ),
            Lang::Zh => write!(out, "{who} 在 {} 上没有存款也没有借款。", position.market),
        };
        return out;
    }
    let hf = format::health_factor(t.health_factor);
    let (market, block, meaning) = (
        &position.market,
        position.block_number,
        band_text(lang, report.band, BandWording::Meaning),
    );
    let collateral = position.money(t.total_collateral_base);
    let debt = position.money(t.total_debt_base);
    let room = position.money(t.available_borrows_base);
    let _ = match lang {
        Lang::En => writeln!(
            out,
            "**{who}** on {market} (block {block}):\n**Health factor {hf}**: {meaning}.\nCollateral {collateral} · Debt {debt} · Can still borrow {room}"
        ),
        Lang::Zh => writeln!(
            out,
            "**{who}**，{market}（区块 {block}）：\n**健康因子 {hf}**：{meaning}。\n抵押 {collateral} · 借款 {debt} · 还可借 {room}"
        ),
    };
    if let Some(cat) = &position.emode {
        let _ = match lang {
            Lang::En => writeln!(
                out,
                "E-Mode: {} (LTV {}, liquidation threshold {}).",
                cat.label,
                format::bps(cat.ltv),
                format::bps(cat.liquidation_threshold)
            ),
            Lang::Zh => writeln!(
                out,
                "E-Mode：{}（LTV {}，清算阈值 {}）。",
                cat.label,
                format::bps(cat.ltv),
                format::bps(cat.liquidation_threshold)
            ),
        };
        if let Some(line) = emode_scope_line(lang, position) {
            let _ = writeln!(out, "{line}");
        }
    }
    if let Some(m) = position.morpho() {
        let _ = writeln!(out, "{}", morpho_line(lang, m));
    }
    if let Some(i) = position.isolation_collateral() {
        let sym = &position.reserves[i].symbol;
        let _ = match lang {
            Lang::En => writeln!(
                out,
                "Isolation mode: {sym} is your only collateral, so only some stablecoins can be borrowed, up to a shared debt ceiling."
            ),
            Lang::Zh => writeln!(
                out,
                "隔离模式：{sym} 是你唯一的抵押物，只能借部分稳定币，且有共享债务上限。"
            ),
        };
    }
    // Holdings, one line each.
    for r in position.reserves.iter().filter(|r| r.is_involved()) {
        let mut parts = Vec::new();
        if !r.supplied.is_zero() {
            let coll = match (lang, r.collateral_enabled) {
                (Lang::En, true) => " (collateral)",
                (Lang::En, false) => " (not collateral)",
                (Lang::Zh, true) => "（抵押中）",
                (Lang::Zh, false) => "（未作抵押）",
            };
            parts.push(match lang {
                Lang::En => format!(
                    "supplied {} {} ≈ {}{coll}",
                    format::token(r.supplied, r.decimals),
                    r.symbol,
                    position.money(r.supplied_base())
                ),
                Lang::Zh => format!(
                    "存入 {} {} ≈ {}{coll}",
                    format::token(r.supplied, r.decimals),
                    r.symbol,
                    position.money(r.supplied_base())
                ),
            });
        }
        if !r.debt().is_zero() {
            parts.push(match lang {
                Lang::En => format!(
                    "owes {} {} ≈ {}",
                    format::token(r.debt(), r.decimals),
                    r.symbol,
                    position.money(r.debt_base())
                ),
                Lang::Zh => format!(
                    "借款 {} {} ≈ {}",
                    format::token(r.debt(), r.decimals),
                    r.symbol,
                    position.money(r.debt_base())
                ),
            });
        }
        let _ = writeln!(out, "- {}: {}", r.symbol, parts.join(", "));
    }
    if !report.agrees_with_protocol {
        // The figures above are the protocol's; nothing derived from lendesk's math is shown.
        out.push_str(protocol_figures_only(lang));
        return out;
    }

    let liq_lines = liquidation_lines(lang, position, report);
    let withdraw_lines = withdraw_lines(lang, position, report, None);
    let borrow_line = borrow_line(lang, position, report);
    let repay_lines = repay_lines(lang, position, comfort);
    let scenario = scenario_line(lang, position, report, what_if);

    let sections: Vec<&Vec<String>> = match focus {
        PositionFocus::Withdraw => vec![&withdraw_lines, &liq_lines],
        PositionFocus::Borrow => vec![&borrow_line, &liq_lines],
        PositionFocus::Repay => vec![&repay_lines, &liq_lines],
        // Near liquidation, more borrowing is not what helps: the overview leaves it out.
        PositionFocus::Liquidation | PositionFocus::Overview
            if matches!(report.band, HealthBand::Danger | HealthBand::Liquidatable) =>
        {
            vec![&liq_lines, &withdraw_lines]
        }
        PositionFocus::Liquidation | PositionFocus::Overview => {
            vec![&liq_lines, &withdraw_lines, &borrow_line]
        }
    };
    for lines in sections {
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
    }
    for l in &scenario {
        let _ = writeln!(out, "{l}");
    }
    // What helps, for risky positions (unless the answer already led with repayment).
    if matches!(
        report.band,
        HealthBand::Risky | HealthBand::Danger | HealthBand::Liquidatable
    ) && focus != PositionFocus::Repay
    {
        for l in &repay_lines {
            let _ = writeln!(out, "{l}");
        }
    }
    out.trim_end().to_string()
}

/// The answer to a what-if button: the address, its health factor now, and under the
/// scenario (nothing else of the position, which is on the screen already).
pub fn render_what_if(
    lang: Lang,
    position: &Position,
    report: &RiskReport,
    what_if: &WhatIf,
) -> String {
    let who = format::short_address(position.user);
    let block = position.block_number;
    if !report.agrees_with_protocol {
        return protocol_figures_only(lang).to_string();
    }
    if report.totals.total_debt_base.is_zero() {
        return match lang {
            Lang::En => format!(
                "**{who}** (block {block}) has no debt now: no price move can liquidate it."
            ),
            Lang::Zh => format!("**{who}**（区块 {block}）目前没有借款：价格变化不会导致清算。"),
        };
    }
    let hf = format::health_factor(report.totals.health_factor);
    let mut lines = vec![match lang {
        Lang::En => format!("**{who}** (block {block}): health factor now {hf}."),
        Lang::Zh => format!("**{who}**（区块 {block}）：当前健康因子 {hf}。"),
    }];
    lines.extend(scenario_line(lang, position, report, Some(what_if)));
    lines.join("\n")
}

fn liquidation_lines(lang: Lang, position: &Position, report: &RiskReport) -> Vec<String> {
    let mut lines = Vec::new();
    for a in &report.assets {
        let r = &position.reserves[a.index];
        if !r.is_involved() {
            continue;
        }
        let line = match (lang, a.liquidation_price) {
            (Lang::En, LiquidationPrice::AtOrBelow(p)) => format!(
                "Liquidation price of {}: {} ({} below today's {}), if other prices stay the same.",
                r.symbol,
                position.price_text(p),
                pct_drop(r.price, p),
                position.price_text(r.price)
            ),
            (Lang::Zh, LiquidationPrice::AtOrBelow(p)) => format!(
                "{} 的清算价格：{}（比当前 {} 低 {}），假设其他价格不变。",
                r.symbol,
                position.price_text(p),
                position.price_text(r.price),
                pct_drop(r.price, p)
            ),
            (Lang::En, LiquidationPrice::AtOrAbove(p)) => {
                format!(
                    "If {} rises to {} (now {}), your debt outgrows your collateral and you can be liquidated.",
                    r.symbol,
                    position.price_text(p),
                    position.price_text(r.price)
                )
            }
            (Lang::Zh, LiquidationPrice::AtOrAbove(p)) => {
                format!(
                    "如果 {} 涨到 {}（当前 {}），债务超过抵押能力，你就可能被清算。",
                    r.symbol,
                    position.price_text(p),
                    position.price_text(r.price)
                )
            }
            (Lang::En, LiquidationPrice::AlreadyLiquidatable) => {
                "You can be liquidated at current prices.".to_string()
            }
            (Lang::Zh, LiquidationPrice::AlreadyLiquidatable) => {
                "按当前价格你已经可以被清算。".to_string()
            }
            (_, LiquidationPrice::None) => continue,
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    if let Some(cf) = report.close_factor {
        if report.close_factor_on_position {
            lines.extend(liquidator_limits(lang, position, report));
        } else {
            lines.push(match lang {
                Lang::En => format!("Right now a liquidator may repay up to {} of each of your debts in one go and take collateral worth that plus a bonus.", format::bps(cf.bps)),
                Lang::Zh => format!("现在清算人一次最多可替你偿还每笔债务的 {}，并拿走等值加奖励的抵押物。", format::bps(cf.bps)),
            });
        }
    }
    lines
}

/// Aave 3.2+ ("liquid" E-Mode): which of the user's collaterals the category's parameters
/// apply to, and which keep their own. `None` before 3.2 (a category covers every asset that
/// names it) and when the user has no collateral outside the category.
fn emode_scope_line(lang: Lang, position: &Position) -> Option<String> {
    let cat = position.emode.as_ref()?;
    if !matches!(cat.membership, EModeMembership::Bitmaps { .. }) {
        return None;
    }
    let (inside, outside): (Vec<&ReserveState>, Vec<&ReserveState>) = position
        .reserves
        .iter()
        .filter(|r| r.collateral_enabled && !r.supplied.is_zero())
        .partition(|r| rules::in_emode_collateral(position, r));
    if outside.is_empty() {
        return None;
    }
    let names = |rs: &[&ReserveState]| {
        rs.iter()
            .map(|r| r.symbol.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let isolated = matches!(
        cat.membership,
        EModeMembership::Bitmaps { isolated: true, .. }
    );
    Some(match (lang, inside.is_empty(), isolated) {
        (Lang::En, false, false) => format!(
            "It applies to your {}; {} keeps its own LTV and liquidation threshold.",
            names(&inside),
            names(&outside)
        ),
        (Lang::En, true, false) => format!(
            "None of your collateral is in this category: {} keeps its own LTV and liquidation threshold.",
            names(&outside)
        ),
        (Lang::En, _, true) => format!(
            "The category is isolated: {} outside it counts towards your health factor but cannot back new borrowing (LTV 0).",
            names(&outside)
        ),
        (Lang::Zh, false, false) => format!(
            "它适用于你的 {}；{} 仍按自身的 LTV 和清算阈值计算。",
            names(&inside),
            names(&outside)
        ),
        (Lang::Zh, true, false) => format!(
            "你的抵押物都不在这个类别中：{} 仍按自身的 LTV 和清算阈值计算。",
            names(&outside)
        ),
        (Lang::Zh, _, true) => format!(
            "该类别是隔离的：类别外的 {} 仍计入健康因子，但不能用来新借款（LTV 为 0）。",
            names(&outside)
        ),
    })
}

/// Aave 3.3+: the real most a liquidator may repay of each debt in one call, and the bad-debt
/// write-off when a call would take the last collateral.
fn liquidator_limits(lang: Lang, position: &Position, report: &RiskReport) -> Vec<String> {
    let amounts: Vec<String> = report
        .assets
        .iter()
        .filter_map(|a| Some((&position.reserves[a.index], a.max_liquidatable_debt?)))
        .filter(|(_, max)| !max.is_zero())
        .map(|(r, max)| format!("{} {}", format::token(max, r.decimals), r.symbol))
        .collect();
    let mut lines = Vec::new();
    if !amounts.is_empty() {
        lines.push(match lang {
            Lang::En => format!("Right now a liquidator may repay up to {} of your debt in one go (one debt per call) and take collateral worth that plus a bonus.", amounts.join(" or ")),
            Lang::Zh => format!("现在清算人一次最多可替你偿还 {}（每次一种债务），并拿走等值加奖励的抵押物。", amounts.join(" 或 ")),
        });
    }
    if report
        .liquidations
        .iter()
        .any(|o| o.writes_off_remaining_debt)
    {
        lines.push(match lang {
            Lang::En => "A liquidation that takes your last collateral leaves no debt behind: the protocol writes off what is left.".to_string(),
            Lang::Zh => "如果一次清算拿走你最后的抵押物，剩下的债务会由协议核销。".to_string(),
        });
    }
    lines
}

/// Safe withdrawals, of every asset or of `only` one (the asset detail).
fn withdraw_lines(
    lang: Lang,
    position: &Position,
    report: &RiskReport,
    only: Option<usize>,
) -> Vec<String> {
    let target = format::health_factor(report.target_health_factor);
    let (possible, impossible): (Vec<_>, Vec<_>) = report
        .assets
        .iter()
        .filter(|a| only.is_none_or(|i| i == a.index))
        .filter_map(|a| Some((&position.reserves[a.index], a.safe_withdraw?)))
        .partition(|(_, w)| !w.amount.is_zero());
    if possible.is_empty() && !impossible.is_empty() {
        return vec![nothing_to_withdraw(lang, report, &target)];
    }
    let amounts: Vec<String> = possible
        .iter()
        .map(|(r, w)| {
            let why = match w.limit {
                Limit::HealthFactor => at_the_minimum(lang, &target),
                other => limit(lang, other).to_string(),
            };
            match lang {
                Lang::En => format!(
                    "{} {} ({why})",
                    format::token(w.amount, r.decimals),
                    r.symbol
                ),
                Lang::Zh => format!(
                    "{} {}（{why}）",
                    format::token(w.amount, r.decimals),
                    r.symbol
                ),
            }
        })
        .collect();
    let mut lines = vec![match (lang, amounts.len() > 1) {
        (Lang::En, false) => format!("Safe to withdraw: {}.", amounts.join("")),
        (Lang::En, true) => format!("Safe to withdraw (one of): {}.", amounts.join(", ")),
        (Lang::Zh, false) => format!("可安全取出：{}。", amounts.join("")),
        (Lang::Zh, true) => format!("可安全取出（任选其一）：{}。", amounts.join("、")),
    }];
    // An asset that cannot leave for its own reason (paused, zero-LTV first) says why.
    for (r, w) in impossible {
        if let Limit::Blocked(b) = w.limit {
            lines.push(match lang {
                Lang::En => format!(
                    "{} cannot be withdrawn now: {}.",
                    r.symbol,
                    blocked(lang, b)
                ),
                Lang::Zh => format!("{} 目前无法取出：{}。", r.symbol, blocked(lang, b)),
            });
        }
    }
    lines
}

/// What a safe amount bounded by the target HF means: nothing is left for price moves.
fn at_the_minimum(lang: Lang, target: &str) -> String {
    match lang {
        Lang::En => format!("keeps HF at {target}, no room for price moves"),
        Lang::Zh => format!("健康因子将降到 {target}，没有应对价格波动的余地"),
    }
}

/// Nothing can be withdrawn at all: say so plainly, and why (liquidatable, or at the limit).
fn nothing_to_withdraw(lang: Lang, report: &RiskReport, target: &str) -> String {
    let hf = format::health_factor(report.totals.health_factor);
    let liquidatable = matches!(report.band, HealthBand::Liquidatable);
    match (lang, liquidatable) {
        (Lang::En, true) => format!(
            "Nothing can be withdrawn: your HF is {hf}, below 1, so the position is already liquidatable. Repay debt or add collateral first."
        ),
        (Lang::En, false) => format!(
            "Nothing can be withdrawn safely: your HF {hf} is already at or below the safe minimum of {target}, so the position is at its limit."
        ),
        (Lang::Zh, true) => format!(
            "目前无法取出任何资产：健康因子为 {hf}，已低于 1，仓位已经可以被清算。请先还款或追加抵押。"
        ),
        (Lang::Zh, false) => format!(
            "目前无法安全取出任何资产：健康因子 {hf} 已处于或低于安全下限 {target}，仓位已到极限。"
        ),
    }
}

fn borrow_line(lang: Lang, position: &Position, report: &RiskReport) -> Vec<String> {
    if report.totals.total_collateral_base.is_zero() {
        return Vec::new();
    }
    let options: Vec<String> = report
        .assets
        .iter()
        .filter(|a| !a.safe_borrow.amount.is_zero())
        .map(|a| {
            let r = &position.reserves[a.index];
            format!(
                "{} {}",
                format::token(a.safe_borrow.amount, r.decimals),
                r.symbol
            )
        })
        .collect();
    if options.is_empty() {
        return vec![
            lang.pick(
                "No further borrowing is possible safely right now.",
                "目前无法再安全借款。",
            )
            .to_string(),
        ];
    }
    vec![match lang {
        Lang::En => format!(
            "Most you could still borrow (one of): {}. Borrowing the maximum leaves no room for price moves.",
            options.join(", ")
        ),
        Lang::Zh => format!(
            "最多还能借（任选其一）：{}。借满意味着没有应对价格波动的余地。",
            options.join("、")
        ),
    }]
}

fn repay_lines(lang: Lang, position: &Position, comfort: U256) -> Vec<String> {
    let totals = report::totals(position);
    if totals.total_debt_base.is_zero() || totals.health_factor >= comfort {
        return Vec::new();
    }
    // The largest debt first: repaying it moves HF the most per transaction.
    let Some((index, r)) = position
        .reserves
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.debt().is_zero())
        .max_by_key(|(_, r)| r.debt_base())
    else {
        return Vec::new();
    };
    let plan = report::repay_to_target(position, index, comfort);
    let goal = format::health_factor(comfort);
    let amount = format::token(plan.amount, r.decimals);
    let symbol = &r.symbol;
    let after = format::health_factor(plan.health_factor_after);
    let line = match (lang, plan.reaches_target) {
        (Lang::En, true) => format!(
            "What helps: repay {amount} {symbol} to bring your HF to {goal}, or supply more collateral. Repay a little extra: interest keeps accruing."
        ),
        (Lang::En, false) => format!(
            "What helps: repaying all {amount} {symbol} brings HF to {after}; to reach {goal} also supply more collateral or repay other debts."
        ),
        (Lang::Zh, true) => format!(
            "建议：偿还 {amount} {symbol} 可把健康因子提高到 {goal}，或者追加抵押物。建议多还一点，利息一直在累积。"
        ),
        (Lang::Zh, false) => format!(
            "建议：即使还清全部 {amount} {symbol}，健康因子也只到 {after}；要达到 {goal} 还需追加抵押或偿还其他债务。"
        ),
    };
    vec![line]
}

fn scenario_line(
    lang: Lang,
    position: &Position,
    report: &RiskReport,
    what_if: Option<&WhatIf>,
) -> Vec<String> {
    if report.totals.total_debt_base.is_zero() {
        return Vec::new();
    }
    if let Some(w) = what_if {
        let (totals, what, plural) =
            match w.symbol.as_deref().and_then(|s| position.reserve_index(s)) {
                Some(index) => (
                    report::what_if(
                        position,
                        PriceMove::Asset {
                            index,
                            change_bps: w.change_bps,
                        },
                    ),
                    position.reserves[index].symbol.clone(),
                    false,
                ),
                None => (
                    report::what_if(
                        position,
                        PriceMove::AllVolatile {
                            change_bps: w.change_bps,
                        },
                    ),
                    lang.pick("all non-stablecoin prices", "所有非稳定币价格")
                        .to_string(),
                    true,
                ),
            };
        let change = format::bps(w.change_bps.unsigned_abs());
        let direction = match (lang, w.change_bps < 0) {
            (Lang::En, true) if plural => "fall",
            (Lang::En, false) if plural => "rise",
            (Lang::En, true) => "falls",
            (Lang::En, false) => "rises",
            (Lang::Zh, true) => "下跌",
            (Lang::Zh, false) => "上涨",
        };
        let hf = format::health_factor(totals.health_factor);
        let verdict = match (lang, totals.health_factor < crate::chain::math::WAD) {
            (Lang::En, true) => "you could be liquidated",
            (Lang::En, false) => "you would not be liquidated",
            (Lang::Zh, true) => "你可能会被清算",
            (Lang::Zh, false) => "不会被清算",
        };
        return vec![match lang {
            Lang::En => format!("If {what} {direction} {change}: HF {hf}, {verdict}."),
            Lang::Zh => format!("如果{what}{direction} {change}：健康因子 {hf}，{verdict}。"),
        }];
    }
    let mut lines = Vec::new();
    let scen: Vec<String> = report
        .scenarios
        .iter()
        .map(|s| {
            format!(
                "−{}% → {}",
                s.change_bps.unsigned_abs() / 100,
                format::health_factor(s.totals.health_factor)
            )
        })
        .collect();
    lines.push(match lang {
        Lang::En => format!("HF if all non-stablecoin prices fall: {}.", scen.join(", ")),
        Lang::Zh => format!("如果所有非稳定币价格下跌，健康因子：{}。", scen.join("，")),
    });
    let liquidatable = matches!(report.band, HealthBand::Liquidatable);
    lines.extend(match (lang, report.volatile_drop_safe_bps) {
        // Already liquidatable: the liquidation lines say so; "fall 0%" would say nothing.
        (_, Some(0)) if liquidatable => None,
        (Lang::En, Some(0)) => Some(
            "The position is at its limit: any fall in these prices makes it liquidatable."
                .to_string(),
        ),
        (Lang::Zh, Some(0)) => Some("仓位已到极限：这些价格稍有下跌就会被清算。".to_string()),
        (Lang::En, Some(drop)) => Some(format!(
            "Together they can fall {} before liquidation.",
            format::bps(drop)
        )),
        (Lang::Zh, Some(drop)) => Some(format!(
            "它们一起下跌 {} 以内不会被清算。",
            format::bps(drop)
        )),
        (_, None) => None,
    });
    lines
}

/// One asset of a position in detail (the per-asset button under a position answer): what the
/// user holds and owes in it, its risk parameters and rates, its liquidation price and the
/// safe amounts. `None` when the market has no such asset.
pub fn render_asset(
    lang: Lang,
    position: &Position,
    report: &RiskReport,
    symbol: &str,
) -> Option<String> {
    let a = report.assets.iter().find(|a| {
        position.reserves[a.index]
            .symbol
            .eq_ignore_ascii_case(symbol)
    })?;
    if !report.agrees_with_protocol {
        return Some(protocol_figures_only(lang).to_string());
    }
    let r = &position.reserves[a.index];
    let c = &r.config;
    let mut lines = vec![match lang {
        Lang::En => format!(
            "**{}** on {} (block {}), price {}",
            r.symbol,
            position.market,
            position.block_number,
            position.price_text(r.price)
        ),
        Lang::Zh => format!(
            "**{}**，{}（区块 {}），价格 {}",
            r.symbol,
            position.market,
            position.block_number,
            position.price_text(r.price)
        ),
    }];
    if !r.supplied.is_zero() {
        let (token, usd) = (
            format::token(r.supplied, r.decimals),
            position.money(r.supplied_base()),
        );
        lines.push(match (lang, r.collateral_enabled) {
            (Lang::En, true) => {
                format!("Supplied {token} {} ≈ {usd}, used as collateral.", r.symbol)
            }
            (Lang::En, false) => format!(
                "Supplied {token} {} ≈ {usd}, not used as collateral.",
                r.symbol
            ),
            (Lang::Zh, true) => format!("存入 {token} {} ≈ {usd}，作为抵押。", r.symbol),
            (Lang::Zh, false) => format!("存入 {token} {} ≈ {usd}，未作为抵押。", r.symbol),
        });
    }
    if !r.debt().is_zero() {
        let (token, usd) = (
            format::token(r.debt(), r.decimals),
            position.money(r.debt_base()),
        );
        lines.push(match lang {
            Lang::En => format!("Owed {token} {} ≈ {usd}.", r.symbol),
            Lang::Zh => format!("借款 {token} {} ≈ {usd}。", r.symbol),
        });
    }
    lines.push(match lang {
        Lang::En => format!(
            "LTV {} · liquidation threshold {} · liquidation bonus {} · supply APR {} · variable borrow APR {}",
            format::bps(c.ltv),
            format::bps(c.liquidation_threshold),
            format::bps(c.liquidation_bonus.saturating_sub(10_000)),
            format::ray_rate(r.liquidity_rate),
            format::ray_rate(r.variable_borrow_rate)
        ),
        Lang::Zh => format!(
            "LTV {} · 清算阈值 {} · 清算奖励 {} · 存款年化 {} · 浮动借款年化 {}",
            format::bps(c.ltv),
            format::bps(c.liquidation_threshold),
            format::bps(c.liquidation_bonus.saturating_sub(10_000)),
            format::ray_rate(r.liquidity_rate),
            format::ray_rate(r.variable_borrow_rate)
        ),
    });
    let symbol_lines = |all: Vec<String>| -> Vec<String> {
        all.into_iter().filter(|l| l.contains(&r.symbol)).collect()
    };
    lines.extend(symbol_lines(liquidation_lines(lang, position, report)));
    lines.extend(withdraw_lines(lang, position, report, Some(a.index)));
    if !report.totals.total_collateral_base.is_zero() && !a.safe_borrow.amount.is_zero() {
        lines.push(match lang {
            Lang::En => format!(
                "You could still borrow up to {} {} safely.",
                format::token(a.safe_borrow.amount, r.decimals),
                r.symbol
            ),
            Lang::Zh => format!(
                "最多还能安全借 {} {}。",
                format::token(a.safe_borrow.amount, r.decimals),
                r.symbol
            ),
        });
    }
    if let Some(plan) = a.repay_to_target {
        let target = format::health_factor(report.target_health_factor);
        lines.push(match (lang, plan.reaches_target) {
            (Lang::En, true) => format!(
                "Repaying {} {} brings HF to {target}.",
                format::token(plan.amount, r.decimals),
                r.symbol
            ),
            (Lang::En, false) => format!(
                "Repaying all of it brings HF to {}.",
                format::health_factor(plan.health_factor_after)
            ),
            (Lang::Zh, true) => format!(
                "偿还 {} {} 可把健康因子提高到 {target}。",
                format::token(plan.amount, r.decimals),
                r.symbol
            ),
            (Lang::Zh, false) => format!(
                "全部还清后健康因子为 {}。",
                format::health_factor(plan.health_factor_after)
            ),
        });
    }
    Some(lines.join("\n"))
}

/// A position in one line for staff: "HF 1.31 (risky) · collateral $12,000.00 · debt $8,400.00".
pub(super) fn summary_line(lang: Lang, position: &Position, report: &RiskReport) -> String {
    let hf = crate::chain::format::health_factor(report.totals.health_factor);
    match lang {
        Lang::En => format!(
            "HF {hf} ({}) · collateral {} · debt {}",
            band_text(lang, report.band, BandWording::Word),
            position.money(report.totals.total_collateral_base),
            position.money(report.totals.total_debt_base),
        ),
        Lang::Zh => format!(
            "健康因子 {hf}（{}）· 抵押 {} · 债务 {}",
            band_text(lang, report.band, BandWording::Word),
            position.money(report.totals.total_collateral_base),
            position.money(report.totals.total_debt_base),
        ),
    }
}

/// "Your HF is 1.31 (risky…)": the line in front of a FAQ answer with the user's own figure;
/// `market` names the market when several are configured.
pub(super) fn personal_line(lang: Lang, report: &RiskReport, market: Option<&str>) -> String {
    let hf = format::health_factor(report.totals.health_factor);
    let band = band_text(lang, report.band, BandWording::Word);
    match (lang, market) {
        (Lang::En, None) => {
            format!("Your health factor right now is **{hf}** ({band}). Here is what that means:")
        }
        (Lang::En, Some(market)) => format!(
            "Your health factor on {market} right now is **{hf}** ({band}). Here is what that means:"
        ),
        (Lang::Zh, None) => format!("你现在的健康因子是 **{hf}**（{band}）。含义如下："),
        (Lang::Zh, Some(market)) => {
            format!("你在 {market} 上的健康因子现在是 **{hf}**（{band}）。含义如下：")
        }
    }
}

/// The label of a what-if button under a position answer (`bps`: the price change).
pub(super) fn what_if_label(lang: Lang, bps: i64) -> String {
    match lang {
        Lang::En => format!("What if prices fall {}%", bps.unsigned_abs() / 100),
        Lang::Zh => format!("如果下跌 {}%", bps.unsigned_abs() / 100),
    }
}

/// Under an answer for an address the user named but has not linked.
pub(super) fn link_tip(lang: Lang) -> &'static str {
    lang.pick(
        "Tip: /link this address and next time just ask \"how am I doing?\"",
        "提示：用 /link 绑定这个地址，下次直接问“我的仓位怎么样？”即可。",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_band_has_its_word_its_meaning_and_its_report_line() {
        let risky = |lang, wording| band_text(lang, HealthBand::Risky, wording);
        assert_eq!(risky(Lang::En, BandWording::Word), "risky");
        assert_eq!(risky(Lang::Zh, BandWording::Word), "有风险");
        assert_eq!(
            risky(Lang::En, BandWording::Meaning),
            "risky: a normal market move could get you liquidated"
        );
        assert_eq!(
            risky(Lang::Zh, BandWording::Meaning),
            "有风险：正常的市场波动就可能导致清算"
        );
        // The command-line report is in English whatever the language.
        for lang in [Lang::En, Lang::Zh] {
            assert_eq!(
                risky(lang, BandWording::Report),
                "risky (1.1–1.5): a normal market move could liquidate you"
            );
        }
        assert_eq!(
            band_text(Lang::En, HealthBand::Liquidatable, BandWording::Word),
            "liquidatable now"
        );
        assert_eq!(
            band_text(Lang::Zh, HealthBand::NoDebt, BandWording::Meaning),
            "没有借款，不会被清算"
        );
    }
}
