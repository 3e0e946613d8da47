//! The JSON view of a Morpho Blue position and its figures: raw integers as decimal strings
//! beside display values (amounts in their token, prices in loan-token units per collateral
//! token), as `lendesk position --json` prints it.

use alloy::primitives::U256;
use serde_json::{Value, json};

use super::position::MorphoPosition;
use super::risk::MorphoRisk;
use crate::chain::format;
use crate::chain::risk::{Limit, SafeAmount};

fn raw(value: U256) -> Value {
    Value::String(value.to_string())
}

fn hf(value: U256) -> Value {
    if value == U256::MAX {
        json!({ "raw": Value::Null, "display": "∞" })
    } else {
        json!({ "raw": raw(value), "display": format::health_factor(value) })
    }
}

fn limit_name(limit: Limit) -> Value {
    serde_json::to_value(limit).unwrap_or(Value::Null)
}

/// Every figure of `position`.
pub fn to_json(position: &MorphoPosition, risk: &MorphoRisk) -> Value {
    let facts = &position.facts;
    let (loan, coll) = (&facts.loan, &facts.collateral);
    let loan_amount = |v: U256| json!({ "raw": raw(v), "display": format!("{} {}", format::token(v, loan.decimals), loan.symbol) });
    let coll_amount = |v: U256| json!({ "raw": raw(v), "display": format!("{} {}", format::token(v, coll.decimals), coll.symbol) });
    let oracle_price = |p: U256| {
        json!({
            "raw": raw(p),
            "display": format!("{} {} per {}", format::token(position.price_of_unit(p), loan.decimals), loan.symbol, coll.symbol),
        })
    };
    let safe = |s: &SafeAmount, amount: &dyn Fn(U256) -> Value| {
        json!({
            "amount": amount(s.amount),
            "limit": limit_name(s.limit),
            "health_factor_after": hf(s.health_factor_after),
        })
    };
    json!({
        "protocol": "morpho-blue",
        "market": position.market,
        "morpho_market": {
            "id": facts.id.to_string(),
            "label": facts.label(),
            "loan_token": { "symbol": loan.symbol, "address": loan.address.to_checksum(None), "decimals": loan.decimals },
            "collateral_token": { "symbol": coll.symbol, "address": coll.address.to_checksum(None), "decimals": coll.decimals },
            "oracle": facts.oracle.to_checksum(None),
            "irm": facts.irm.to_checksum(None),
            "lltv": raw(facts.lltv),
            "liquidation_incentive_factor": raw(risk.incentive_factor),
            "liquidity": loan_amount(position.liquidity()),
        },
        "user": position.user.to_checksum(None),
        "block_number": position.block_number,
        "block_timestamp": position.block_timestamp,
        "oracle_price": oracle_price(position.price),
        "interest_accrued_to_block": loan_amount(position.pending_interest),
        "shares": {
            "supply": raw(position.supply_shares),
            "borrow": raw(position.borrow_shares),
        },
        "summary": {
            "health_factor": hf(risk.health_factor),
            "healthy": risk.healthy,
            "collateral": coll_amount(position.collateral),
            "collateral_value": loan_amount(risk.collateral_value),
            "borrowed": loan_amount(risk.borrowed),
            "supplied": loan_amount(risk.supplied),
            "max_borrow": loan_amount(risk.max_borrow),
            "ltv": risk.ltv.map(raw),
            "target_health_factor": raw(risk.target_health_factor),
        },
        "liquidation_price": risk.liquidation_price.map(oracle_price),
        "safe_withdraw_collateral": risk.safe_withdraw.as_ref().map(|s| safe(s, &coll_amount)),
        "safe_borrow": safe(&risk.safe_borrow, &loan_amount),
        "repay_to_target": risk.repay_to_target.map(|p| json!({
            "amount": loan_amount(p.amount),
            "reaches_target": p.reaches_target,
            "health_factor_after": hf(p.health_factor_after),
        })),
        "max_seizable_collateral": risk.max_seizable_collateral.map(coll_amount),
        "max_liquidatable_debt": risk.max_liquidatable_debt.map(loan_amount),
    })
}
