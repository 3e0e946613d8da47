//! Aave v3 revert codes: `Error(string)` messages are numbers; this names the ones a devnet user
//! may meet.
//!
//! Source: `contracts/protocol/libraries/helpers/Errors.sol` in `@aave/core-v3@1.19.3`.

/// Known Aave v3 error codes: (code, constant name, meaning).
const CODES: &[(&str, &str, &str)] = &[
    (
        "1",
        "CALLER_NOT_POOL_ADMIN",
        "the caller is not a pool admin",
    ),
    ("26", "INVALID_AMOUNT", "amount must be greater than 0"),
    ("27", "RESERVE_INACTIVE", "the reserve is not active"),
    ("28", "RESERVE_FROZEN", "the reserve is frozen"),
    ("29", "RESERVE_PAUSED", "the reserve is paused"),
    ("30", "BORROWING_NOT_ENABLED", "borrowing is not enabled"),
    (
        "32",
        "NOT_ENOUGH_AVAILABLE_USER_BALANCE",
        "cannot withdraw more than the available balance",
    ),
    (
        "34",
        "COLLATERAL_BALANCE_IS_ZERO",
        "the collateral balance is 0",
    ),
    (
        "35",
        "HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD",
        "the health factor would fall below the liquidation threshold",
    ),
    (
        "36",
        "COLLATERAL_CANNOT_COVER_NEW_BORROW",
        "not enough collateral to cover a new borrow",
    ),
    (
        "39",
        "NO_DEBT_OF_SELECTED_TYPE",
        "the user has no debt of the selected type",
    ),
    (
        "43",
        "UNDERLYING_BALANCE_ZERO",
        "the underlying balance needs to be greater than 0",
    ),
    (
        "45",
        "HEALTH_FACTOR_NOT_BELOW_THRESHOLD",
        "health factor is not below the threshold",
    ),
    (
        "46",
        "COLLATERAL_CANNOT_BE_LIQUIDATED",
        "the collateral chosen cannot be liquidated",
    ),
    (
        "47",
        "SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER",
        "the user did not borrow the specified currency",
    ),
    ("50", "BORROW_CAP_EXCEEDED", "borrow cap is exceeded"),
    ("51", "SUPPLY_CAP_EXCEEDED", "supply cap is exceeded"),
    ("53", "DEBT_CEILING_EXCEEDED", "debt ceiling is exceeded"),
    ("57", "LTV_VALIDATION_FAILED", "LTV validation failed"),
    (
        "58",
        "INCONSISTENT_EMODE_CATEGORY",
        "inconsistent eMode category",
    ),
    (
        "59",
        "PRICE_ORACLE_SENTINEL_CHECK_FAILED",
        "price oracle sentinel validation failed",
    ),
    (
        "60",
        "ASSET_NOT_BORROWABLE_IN_ISOLATION",
        "the asset is not borrowable in isolation mode",
    ),
    (
        "62",
        "USER_IN_ISOLATION_MODE_OR_LTV_ZERO",
        "the user is in isolation mode or LTV is zero",
    ),
    (
        "89",
        "SILOED_BORROWING_VIOLATION",
        "siloed borrowing violation",
    ),
    (
        "91",
        "FLASHLOAN_DISABLED",
        "flash loans are disabled for this asset",
    ),
];

/// The constant name and meaning of an Aave error code, if it is one we know.
pub fn lookup(code: &str) -> Option<(&'static str, &'static str)> {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, name, meaning)| (*name, *meaning))
}

/// `"45"` → `"45 HEALTH_FACTOR_NOT_BELOW_THRESHOLD (health factor is not below the threshold)"`;
/// anything else is returned as is.
pub fn describe(reason: &str) -> String {
    match lookup(reason.trim()) {
        Some((name, meaning)) => format!("{} {name} ({meaning})", reason.trim()),
        None => reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_known_codes_and_passes_others_through() {
        assert_eq!(
            lookup("45").map(|(n, _)| n),
            Some("HEALTH_FACTOR_NOT_BELOW_THRESHOLD")
        );
        assert!(describe("35").starts_with("35 HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD"));
        assert_eq!(describe("out of gas"), "out of gas");
        assert_eq!(lookup("9999"), None);
    }
}
