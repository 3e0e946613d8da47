//! E-Mode categories as the reader decodes them, per release.
//!
//! 3.0–3.1: `getEModeCategoryData` names the category's parameters and price source; a
//! reserve's configuration names its category. 3.2+ ("liquid" E-Mode): the parameters come
//! from `getEModeCategoryCollateralConfig`, membership from the collateral / borrowable (and
//! from 3.6 LTV-zero) bitmaps, and there is no category price source.

use alloy::primitives::Address;

use crate::chain::bindings::mainnet::DataTypes;
use crate::chain::position::{EModeCategory, EModeMembership};
use crate::chain::rpc::printable;

/// A 3.0–3.1 category from `getEModeCategoryData`.
pub fn legacy(id: u8, d: &DataTypes::EModeCategoryLegacy) -> EModeCategory {
    EModeCategory {
        id,
        ltv: u64::from(d.ltv),
        liquidation_threshold: u64::from(d.liquidationThreshold),
        liquidation_bonus: u64::from(d.liquidationBonus),
        price_source: d.priceSource,
        label: printable(&d.label),
        membership: EModeMembership::ReserveCategory,
    }
}

/// True when a 3.2+ category exists: the Pool keeps an unconfigured id's threshold at zero
/// (`PoolConfigurator.setEModeCategory` requires a non-zero one).
pub fn is_active(config: &DataTypes::CollateralConfig) -> bool {
    config.liquidationThreshold != 0
}

/// The bitmaps of one 3.2+ category, as read in the position batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bitmaps {
    /// `getEModeCategoryCollateralBitmap`.
    pub collateral: u128,
    /// `getEModeCategoryBorrowableBitmap`.
    pub borrowable: u128,
    /// `getEModeCategoryLtvzeroBitmap` (None before 3.6, where the getter does not exist).
    pub ltv_zero: Option<u128>,
    /// `getIsEModeCategoryIsolated` (None before 3.7).
    pub isolated: Option<bool>,
}

/// A 3.2+ category from its collateral config, its (cached) label and its bitmaps.
pub fn liquid(
    id: u8,
    config: &DataTypes::CollateralConfig,
    label: &str,
    bitmaps: Bitmaps,
) -> EModeCategory {
    EModeCategory {
        id,
        ltv: u64::from(config.ltv),
        liquidation_threshold: u64::from(config.liquidationThreshold),
        liquidation_bonus: u64::from(config.liquidationBonus),
        // `getEModeCategoryData` still exists but its price source is always zero from 3.2.
        price_source: Address::ZERO,
        label: printable(label),
        membership: EModeMembership::Bitmaps {
            collateral: bitmaps.collateral,
            borrowable: bitmaps.borrowable,
            ltv_zero: bitmaps.ltv_zero.unwrap_or(0),
            isolated: bitmaps.isolated.unwrap_or(false),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(ltv: u16, lt: u16, bonus: u16) -> DataTypes::CollateralConfig {
        DataTypes::CollateralConfig {
            ltv,
            liquidationThreshold: lt,
            liquidationBonus: bonus,
        }
    }

    #[test]
    fn a_liquid_category_takes_its_parameters_and_bitmaps_and_no_price_source() {
        let cat = liquid(
            1,
            &config(9300, 9500, 10100),
            "ETH correlated",
            Bitmaps {
                collateral: 0b0110,
                borrowable: 0b0001,
                ltv_zero: Some(0b0100),
                isolated: None,
            },
        );
        assert_eq!(
            (
                cat.id,
                cat.ltv,
                cat.liquidation_threshold,
                cat.liquidation_bonus
            ),
            (1, 9300, 9500, 10100)
        );
        assert_eq!(cat.label, "ETH correlated");
        assert!(cat.price_source.is_zero());
        assert_eq!(
            cat.membership,
            EModeMembership::Bitmaps {
                collateral: 0b0110,
                borrowable: 0b0001,
                ltv_zero: 0b0100,
                isolated: false,
            }
        );
    }

    #[test]
    fn before_3_6_there_is_no_ltv_zero_bitmap() {
        let cat = liquid(
            2,
            &config(9000, 9300, 10100),
            "Stablecoins",
            Bitmaps {
                collateral: 1 << 127,
                borrowable: u128::MAX,
                ltv_zero: None,
                isolated: None,
            },
        );
        assert_eq!(
            cat.membership,
            EModeMembership::Bitmaps {
                collateral: 1 << 127,
                borrowable: u128::MAX,
                ltv_zero: 0,
                isolated: false,
            }
        );
    }

    #[test]
    fn a_label_is_remote_text_and_loses_control_characters() {
        let cat = liquid(3, &config(1, 2, 3), "sneaky\u{1b}[2J", Bitmaps::default());
        assert!(!cat.label.contains('\u{1b}'));
    }

    #[test]
    fn a_category_is_active_when_its_threshold_is_set() {
        assert!(is_active(&config(0, 8000, 10500)));
        assert!(!is_active(&config(0, 0, 0)));
        assert!(!is_active(&config(9000, 0, 10100)));
    }

    #[test]
    fn a_legacy_category_keeps_its_price_source_and_names_members_by_reserve() {
        let source = Address::repeat_byte(0x42);
        let data = DataTypes::EModeCategoryLegacy {
            ltv: 9700,
            liquidationThreshold: 9750,
            liquidationBonus: 10100,
            priceSource: source,
            label: "Stablecoins".into(),
        };
        let cat = legacy(1, &data);
        assert_eq!(cat.price_source, source);
        assert_eq!(cat.membership, EModeMembership::ReserveCategory);
        assert_eq!(
            (cat.ltv, cat.liquidation_threshold, cat.liquidation_bonus),
            (9700, 9750, 10100)
        );
    }
}
