//! What an alert says, in English and Chinese: the address and market, the health factor now
//! and at the last check, what moved, each collateral's liquidation price, how much to repay
//! or add to get back to the comfort level, the block; and its buttons. Also the notice after
//! a liquidation. Every text of the alerts is here.

use std::fmt::Write as _;

use alloy::primitives::{Address, U256};

use crate::chain::aave_v3::changes::Liquidation;
use crate::chain::format;
use crate::chain::position::Position;
use crate::chain::report;
use crate::chain::risk::LiquidationPrice;
use crate::lang::Lang;
use crate::store::{OutboxButton, Severity};

/// Why the health factor moved since the last check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// Prices of reserves the position uses: (reserve index, price before, price now).
    Prices(Vec<(usize, U256, U256)>),
    /// The position itself changed (a transaction of the user's or a liquidator's).
    Position,
    /// Nothing but interest.
    Interest,
    /// No earlier check to compare with.
    Unknown,
}

/// What an alert is about.
#[derive(Debug, Clone)]
pub struct AlertFacts<'a> {
    /// The position, freshly read.
    pub position: &'a Position,
    /// The health factor at the last check (wad; MAX: no debt, None: no earlier check).
    pub previous: Option<U256>,
    /// Why it moved.
    pub moved: Moved,
    /// The level fallen under, or the state at subscription.
    pub severity: Severity,
    /// True for the state at subscription, false for a crossing.
    pub state: bool,
    /// The level fallen under, wad.
    pub level: U256,
    /// The comfort level amounts aim for, wad.
    pub comfort: U256,
}

/// "Address 0x7099…79C8 (market)".
fn write_address(out: &mut String, address: Address, market: &str, lang: Lang) {
    let _ = writeln!(
        out,
        "{} {} ({market})",
        lang.pick("Address", "地址"),
        format::short_address(address)
    );
}

fn change_pct(before: U256, now: U256) -> String {
    if before.is_zero() {
        return String::new();
    }
    let (sign, diff) = if now >= before {
        ("+", now - before)
    } else {
        ("−", before - now)
    };
    let tenths = diff * U256::from(1000u64) / before;
    format!(
        "{sign}{}.{}%",
        tenths / U256::from(10u64),
        tenths % U256::from(10u64)
    )
}

/// The alert's text in `lang`.
pub fn alert_text(facts: &AlertFacts<'_>, lang: Lang) -> String {
    let p = facts.position;
    let totals = report::totals(p);
    let hf = format::health_factor(totals.health_factor);
    let mut out = String::new();
    let title = match (facts.state, facts.severity, lang) {
        (true, _, Lang::En) => "📋 Alerts on: this position is already under a level",
        (true, _, Lang::Zh) => "📋 提醒已开启：该仓位已低于提醒线",
        (false, Severity::Warning, Lang::En) => "⚠️ Health factor warning",
        (false, Severity::Warning, Lang::Zh) => "⚠️ 健康因子预警",
        (false, Severity::Critical, Lang::En) => "🚨 Critical: close to liquidation",
        (false, Severity::Critical, Lang::Zh) => "🚨 紧急：接近清算",
    };
    let _ = writeln!(out, "**{title}**");
    write_address(&mut out, p.user, &p.market, lang);
    let level = format::health_factor(facts.level);
    match (facts.previous, lang) {
        (Some(prev), Lang::En) => {
            let _ = writeln!(
                out,
                "Health factor **{hf}** (was {} at the last check); level {level}.",
                format::health_factor(prev)
            );
        }
        (Some(prev), Lang::Zh) => {
            let _ = writeln!(
                out,
                "健康因子 **{hf}**（上次检查时 {}）；提醒线 {level}。",
                format::health_factor(prev)
            );
        }
        (None, Lang::En) => {
            let _ = writeln!(out, "Health factor **{hf}**; level {level}.");
        }
        (None, Lang::Zh) => {
            let _ = writeln!(out, "健康因子 **{hf}**；提醒线 {level}。");
        }
    }
    write_moved(&mut out, p, &facts.moved, lang);
    write_liquidation_prices(&mut out, p, lang);
    write_way_back(&mut out, p, facts.comfort, lang);
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!(
                "Read at block {}. Below 1.00 the position can be liquidated.",
                p.block_number
            ),
            Lang::Zh => format!(
                "读取于区块 {}。健康因子低于 1.00 时仓位可被清算。",
                p.block_number
            ),
        }
    );
    out
}

fn write_moved(out: &mut String, p: &Position, moved: &Moved, lang: Lang) {
    let line = match moved {
        Moved::Prices(list) if !list.is_empty() => {
            let parts: Vec<String> = list
                .iter()
                .filter_map(|&(i, before, now)| {
                    let r = p.reserves.get(i)?;
                    Some(format!(
                        "{} {} ({} → {})",
                        r.symbol,
                        change_pct(before, now),
                        p.price_text(before),
                        p.price_text(now)
                    ))
                })
                .collect();
            format!("{} {}", lang.pick("What moved:", "变动原因："), parts.join(", "))
        }
        Moved::Position => lang
            .pick(
                "What moved: the position itself (a supply, withdrawal, borrow, repayment or liquidation).",
                "变动原因：仓位本身有变化（存入、取出、借款、还款或清算）。",
            )
            .to_string(),
        Moved::Interest | Moved::Prices(_) => lang
            .pick(
                "What moved: interest on the debt (prices are unchanged).",
                "变动原因：债务利息累积（价格未变）。",
            )
            .to_string(),
        Moved::Unknown => return,
    };
    let _ = writeln!(out, "{line}");
}

fn write_liquidation_prices(out: &mut String, p: &Position, lang: Lang) {
    for (i, r) in p.reserves.iter().enumerate() {
        if r.supplied.is_zero() || !r.collateral_enabled {
            continue;
        }
        let text = match report::liquidation_price(p, i) {
            LiquidationPrice::AtOrBelow(price) => format!(
                "{} {} {} ({})",
                lang.pick("Liquidation price:", "清算价格："),
                r.symbol,
                p.price_text(price),
                change_pct(r.price, price)
            ),
            LiquidationPrice::AlreadyLiquidatable => lang
                .pick("It can be liquidated now.", "现在已可被清算。")
                .to_string(),
            _ => continue,
        };
        let _ = writeln!(out, "{text}");
    }
}

fn write_way_back(out: &mut String, p: &Position, comfort: U256, lang: Lang) {
    let target = format::health_factor(comfort);
    let mut ways = Vec::new();
    for (i, r) in p.reserves.iter().enumerate() {
        if r.borrowing && !r.debt().is_zero() {
            let plan = report::repay_to_target(p, i, comfort);
            if plan.reaches_target && !plan.amount.is_zero() {
                ways.push(format!(
                    "{} {} {}",
                    lang.pick("repay", "偿还"),
                    format::token(plan.amount, r.decimals),
                    r.symbol
                ));
            }
        }
    }
    for (i, r) in p.reserves.iter().enumerate() {
        if r.collateral_enabled
            && !r.supplied.is_zero()
            && let Some(amount) = report::add_to_target(p, i, comfort)
            && !amount.is_zero()
        {
            ways.push(format!(
                "{} {} {}",
                lang.pick("add", "追加"),
                format::token(amount, r.decimals),
                r.symbol
            ));
        }
    }
    if ways.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!("To get back to {target}: {}.", ways.join(", or ")),
            Lang::Zh => format!("恢复到 {target}：{}。", ways.join("，或")),
        }
    );
}

/// The notice after a liquidation of a watched address.
pub fn liquidation_text(l: &Liquidation, now: &Position, lang: Lang) -> String {
    let symbol = |asset: Address| {
        now.reserves
            .iter()
            .find(|r| r.asset == asset)
            .map(|r| (r.symbol.clone(), r.decimals, r.price))
    };
    let amount = |asset: Address, value: U256| match symbol(asset) {
        // The quote's own token needs no value beside it.
        Some((s, d, _)) if now.quote.as_deref() == Some(s.as_str()) => {
            format!("{} {s}", format::token(value, d))
        }
        Some((s, d, price)) => format!(
            "{} {s} ({})",
            format::token(value, d),
            now.money(value * price / crate::chain::math::unit(d))
        ),
        None => format!("{value} ({asset})"),
    };
    let totals = report::totals(now);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{}**",
        lang.pick("🔻 Your position was liquidated", "🔻 您的仓位已被清算")
    );
    write_address(&mut out, l.user, &now.market, lang);
    let _ = writeln!(
        out,
        "{} {}",
        lang.pick("Debt repaid by the liquidator:", "清算人代还的债务："),
        amount(l.debt_asset, l.debt_to_cover)
    );
    let _ = writeln!(
        out,
        "{} {}",
        lang.pick(
            "Collateral taken (bonus included):",
            "被拿走的抵押品（含清算奖励）："
        ),
        amount(l.collateral_asset, l.liquidated_collateral)
    );
    let _ = writeln!(
        out,
        "{} {} · {} {} · {} {}",
        lang.pick("Now: health factor", "现在：健康因子"),
        format::health_factor(totals.health_factor),
        lang.pick("collateral", "抵押"),
        now.money(totals.total_collateral_base),
        lang.pick("debt", "债务"),
        now.money(totals.total_debt_base),
    );
    let tx = format::short_hash(l.transaction);
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!("Block {}, transaction {tx}.", l.block_number),
            Lang::Zh => format!("区块 {}，交易 {tx}。", l.block_number),
        }
    );
    out
}

/// The line a Morpho liquidation notice adds when it left debt with no collateral: Morpho
/// wrote that debt off against the market's lenders, and the borrower owes nothing of it.
pub fn bad_debt_line(amount: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "The liquidation took all your collateral; the {amount} of debt left was written off by Morpho (the market's lenders bear it): you no longer owe it."
        ),
        Lang::Zh => format!(
            "这次清算拿走了你全部的抵押物；剩下的 {amount} 债务已由 Morpho 核销（由该市场的出借人承担），你不再欠这部分。"
        ),
    }
}

fn button(label: &str, data: String) -> OutboxButton {
    OutboxButton {
        label: label.into(),
        data,
    }
}

/// An alert's buttons: position, repay plan; snooze 1 h / 24 h, stop.
pub fn alert_buttons(address: Address, lang: Lang) -> Vec<Vec<OutboxButton>> {
    vec![
        vec![
            button(
                lang.pick("📊 Position", "📊 仓位"),
                format!("alert:pos:{address}"),
            ),
            button(
                lang.pick("🧮 Repay plan", "🧮 还款方案"),
                format!("alert:plan:{address}"),
            ),
        ],
        vec![
            button(lang.pick("🔕 1 h", "🔕 1 小时"), "alert:snooze:3600".into()),
            button(
                lang.pick("🔕 24 h", "🔕 24 小时"),
                "alert:snooze:86400".into(),
            ),
            button(
                lang.pick("Stop", "停止提醒"),
                format!("alert:stop:{address}"),
            ),
        ],
    ]
}

/// A liquidation notice's buttons: position, and a person.
pub fn liquidation_buttons(address: Address, lang: Lang) -> Vec<Vec<OutboxButton>> {
    vec![vec![
        button(
            lang.pick("📊 Position", "📊 仓位"),
            format!("alert:pos:{address}"),
        ),
        button(
            lang.pick("🙋 Talk to a person", "🙋 联系人工"),
            "alert:human".into(),
        ),
    ]]
}

/// What staff hear of the watchers: a market paused on a node failure, back, or stopped.
pub fn watch_event_text(event: &super::follow::WatchEvent, lang: Lang) -> String {
    use super::follow::WatchEvent;
    match event {
        WatchEvent::Paused { market, error } => match lang {
            Lang::En => format!(
                "⚠️ Alerts paused on {market}: the node failed ({error}). The watcher retries \
                 and catches up over the missed blocks when the node is back."
            ),
            Lang::Zh => format!(
                "⚠️ {market} 的风险提醒已暂停：节点故障（{error}）。监控会持续重试，节点恢复后补查错过的区块。"
            ),
        },
        WatchEvent::Resumed {
            market,
            down_for,
            block,
        } => match lang {
            Lang::En => format!(
                "✅ Alerts resumed on {market} after {} s; caught up to block {block}.",
                down_for.as_secs()
            ),
            Lang::Zh => format!(
                "✅ {market} 的风险提醒已恢复（中断 {} 秒），已补查至区块 {block}。",
                down_for.as_secs()
            ),
        },
        WatchEvent::Stopped { market, error } => match lang {
            Lang::En => format!(
                "🛑 The alert watcher of {market} stopped: the store failed ({error}). \
                 Restart lendesk once the data directory is fixed."
            ),
            Lang::Zh => format!(
                "🛑 {market} 的风险提醒监控已停止：存储故障（{error}）。修复数据目录后请重启 lendesk。"
            ),
        },
    }
}
