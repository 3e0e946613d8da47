//! Which Aave v3 release a pool runs: probes read once at discovery, and the decision.
//!
//! A pool tells its revision through `PoolInstance.POOL_REVISION()`, but the numbers are not
//! a reliable release name on their own: releases share one between a patch and the next
//! minor (7), and forks such as Spark number their own. So the reader also probes getters
//! that appeared with a release, in the same Multicall3 batch as the reserve list (a missing
//! getter reverts, `allowFailure` keeps the batch alive). The probes bound the release from
//! below; the revision only chooses within the releases the probes cannot tell apart.
//!
//! | release | `POOL_REVISION` | probe (getter that appeared with it) |
//! |---------|-----------------|--------------------------------------|
//! | 3.0     | 1–3 (`@aave/core-v3` 1.19.3: 1) | — |
//! | 3.1     | 4               | `getLiquidationGracePeriod(address)` |
//! | 3.2     | 5               | `getEModeCategoryCollateralBitmap(uint8)` |
//! | 3.3     | 6               | `getReserveDeficit(address)` |
//! | 3.4     | 7 (`docs/3.4` changelog: "6 to 7"), 8 as deployed (the Aave UI's first multicall revision) | `RESERVE_INTEREST_RATE_STRATEGY()` |
//! | 3.5     | 9               | none: no new Pool getter (rounding only), told from 3.4 by the revision |
//! | 3.6     | 10              | `getEModeCategoryLtvzeroBitmap(uint8)` |
//! | 3.7     | 11              | `getIsEModeCategoryIsolated(uint8)` |
//!
//! Sources: `aave-dao/aave-v3-origin` `PoolInstance.sol` per release and `docs/3.1`…`docs/3.7`.

use alloy::primitives::Address;

use crate::chain::batch::{Batch, BatchResults, Slot};
use crate::chain::bindings::mainnet::{IPool, IPoolProbes};
use crate::chain::position::AaveVersion;

/// What the probes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Probes {
    /// `POOL_REVISION()`, when the pool has it.
    pub revision: Option<u64>,
    /// `getLiquidationGracePeriod` answered (3.1+).
    pub grace_period: bool,
    /// `getEModeCategoryCollateralBitmap` answered (3.2+).
    pub collateral_bitmap: bool,
    /// `getReserveDeficit` answered (3.3+).
    pub deficit: bool,
    /// `RESERVE_INTEREST_RATE_STRATEGY` answered (3.4+).
    pub rate_strategy: bool,
    /// `getEModeCategoryLtvzeroBitmap` answered (3.6+).
    pub ltv_zero_bitmap: bool,
    /// `getIsEModeCategoryIsolated` answered (3.7+).
    pub isolated_emode: bool,
}

/// The probes' slots inside a discovery batch.
#[derive(Debug, Clone, Copy)]
pub struct ProbeSlots {
    revision: Slot<IPoolProbes::POOL_REVISIONCall>,
    grace_period: Slot<IPool::getLiquidationGracePeriodCall>,
    collateral_bitmap: Slot<IPool::getEModeCategoryCollateralBitmapCall>,
    deficit: Slot<IPool::getReserveDeficitCall>,
    rate_strategy: Slot<IPool::RESERVE_INTEREST_RATE_STRATEGYCall>,
    ltv_zero_bitmap: Slot<IPool::getEModeCategoryLtvzeroBitmapCall>,
    isolated_emode: Slot<IPoolProbes::getIsEModeCategoryIsolatedCall>,
}

/// Adds the probes of `pool` to `batch`. Every probe is a view that answers for any argument
/// (id 0, address zero) on a pool that has it.
pub fn add(batch: &mut Batch, pool: Address) -> ProbeSlots {
    ProbeSlots {
        revision: batch.add(pool, IPoolProbes::POOL_REVISIONCall {}),
        grace_period: batch.add(
            pool,
            IPool::getLiquidationGracePeriodCall {
                asset: Address::ZERO,
            },
        ),
        collateral_bitmap: batch.add(pool, IPool::getEModeCategoryCollateralBitmapCall { id: 0 }),
        deficit: batch.add(
            pool,
            IPool::getReserveDeficitCall {
                asset: Address::ZERO,
            },
        ),
        rate_strategy: batch.add(pool, IPool::RESERVE_INTEREST_RATE_STRATEGYCall {}),
        ltv_zero_bitmap: batch.add(pool, IPool::getEModeCategoryLtvzeroBitmapCall { id: 0 }),
        isolated_emode: batch.add(pool, IPoolProbes::getIsEModeCategoryIsolatedCall { id: 0 }),
    }
}

/// Reads the probes' answers: a call that reverted or returned garbage is a missing getter.
pub fn read(results: &BatchResults, slots: ProbeSlots) -> Probes {
    Probes {
        revision: results
            .ok(slots.revision)
            .map(|r| u64::try_from(r).unwrap_or(u64::MAX)),
        grace_period: results.ok(slots.grace_period).is_some(),
        collateral_bitmap: results.ok(slots.collateral_bitmap).is_some(),
        deficit: results.ok(slots.deficit).is_some(),
        rate_strategy: results.ok(slots.rate_strategy).is_some(),
        ltv_zero_bitmap: results.ok(slots.ltv_zero_bitmap).is_some(),
        isolated_emode: results.ok(slots.isolated_emode).is_some(),
    }
}

/// The release aave-v3-origin's `POOL_REVISION` stands for (see the module table).
pub fn release_of_revision(revision: u64) -> Option<AaveVersion> {
    Some(match revision {
        1..=3 => AaveVersion::V3_0,
        4 => AaveVersion::V3_1,
        5 => AaveVersion::V3_2,
        6 => AaveVersion::V3_3,
        7 | 8 => AaveVersion::V3_4,
        9 => AaveVersion::V3_5,
        10 => AaveVersion::V3_6,
        11 => AaveVersion::V3_7,
        _ => return None,
    })
}

/// The newest release whose probe answered (3.0 when none did).
fn floor(p: &Probes) -> AaveVersion {
    [
        (p.isolated_emode, AaveVersion::V3_7),
        (p.ltv_zero_bitmap, AaveVersion::V3_6),
        (p.rate_strategy, AaveVersion::V3_4),
        (p.deficit, AaveVersion::V3_3),
        (p.collateral_bitmap, AaveVersion::V3_2),
        (p.grace_period, AaveVersion::V3_1),
    ]
    .into_iter()
    .find_map(|(answered, version)| answered.then_some(version))
    .unwrap_or(AaveVersion::V3_0)
}

/// The releases the probes cannot tell from `floor`: those up to the next probed release.
fn same_probes(floor: AaveVersion, version: AaveVersion) -> bool {
    match floor {
        AaveVersion::V3_4 => matches!(version, AaveVersion::V3_4 | AaveVersion::V3_5),
        other => version == other,
    }
}

/// The release the pool runs: the newest release whose probe answered, or a later one that
/// the probes cannot tell from it when the revision names that one (3.5 from 3.4). A revision
/// that contradicts the probes (a fork's own numbering) is ignored.
pub fn decide(p: &Probes) -> AaveVersion {
    let floor = floor(p);
    match p.revision.and_then(release_of_revision) {
        Some(named) if same_probes(floor, named) => named,
        _ => floor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probes_up_to(version: AaveVersion, revision: Option<u64>) -> Probes {
        Probes {
            revision,
            grace_period: version >= AaveVersion::V3_1,
            collateral_bitmap: version >= AaveVersion::V3_2,
            deficit: version >= AaveVersion::V3_3,
            rate_strategy: version >= AaveVersion::V3_4,
            ltv_zero_bitmap: version >= AaveVersion::V3_6,
            isolated_emode: version >= AaveVersion::V3_7,
        }
    }

    #[test]
    fn each_release_of_aave_v3_origin_is_recognised_by_its_revision_and_getters() {
        let releases = [
            (1, AaveVersion::V3_0),
            (3, AaveVersion::V3_0),
            (4, AaveVersion::V3_1),
            (5, AaveVersion::V3_2),
            (6, AaveVersion::V3_3),
            (7, AaveVersion::V3_4),
            (8, AaveVersion::V3_4),
            (9, AaveVersion::V3_5),
            (10, AaveVersion::V3_6),
            (11, AaveVersion::V3_7),
        ];
        for (revision, version) in releases {
            assert_eq!(
                decide(&probes_up_to(version, Some(revision))),
                version,
                "revision {revision}"
            );
        }
    }

    #[test]
    fn without_a_revision_the_getters_decide() {
        assert_eq!(decide(&Probes::default()), AaveVersion::V3_0);
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_3, None)),
            AaveVersion::V3_3
        );
        // 3.5 adds no getter: without a revision it reads as 3.4.
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_5, None)),
            AaveVersion::V3_4
        );
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_6, None)),
            AaveVersion::V3_6
        );
    }

    #[test]
    fn a_revision_the_getters_contradict_is_a_forks_own_number() {
        // A fork numbering its pool 9 while it lacks the 3.3 getters is not a 3.5.
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_2, Some(9))),
            AaveVersion::V3_2
        );
        // A fork with the 3.6 getters at revision 3 is a 3.6.
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_6, Some(3))),
            AaveVersion::V3_6
        );
        // An unknown revision in the 3.4–3.5 band: the older, the one the getters prove.
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_4, Some(145))),
            AaveVersion::V3_4
        );
        // The revision names 3.1 but the grace-period getter is missing.
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_0, Some(4))),
            AaveVersion::V3_0
        );
        // Revision 9 with the 3.6 getter: the getter wins.
        assert_eq!(
            decide(&probes_up_to(AaveVersion::V3_6, Some(9))),
            AaveVersion::V3_6
        );
    }

    #[test]
    fn the_newest_getter_that_answers_sets_the_floor_even_with_gaps() {
        // A fork that dropped the grace-period getter but has liquid E-Mode is still 3.2+.
        let p = Probes {
            collateral_bitmap: true,
            ..Probes::default()
        };
        assert_eq!(decide(&p), AaveVersion::V3_2);
    }

    #[test]
    fn each_probe_reads_its_own_answer() {
        use alloy::sol_types::SolCall;

        let mut batch = Batch::new();
        let slots = add(&mut batch, Address::repeat_byte(1));
        // A 3.4 pool at revision 8: the 3.6 and 3.7 getters revert.
        let returns: Vec<Option<Vec<u8>>> = batch
            .calls()
            .map(|(_, data)| match data.get(..4).unwrap_or_default() {
                s if s == IPoolProbes::POOL_REVISIONCall::SELECTOR => {
                    Some(IPoolProbes::POOL_REVISIONCall::abi_encode_returns(
                        &alloy::primitives::U256::from(8u64),
                    ))
                }
                s if s == IPool::getLiquidationGracePeriodCall::SELECTOR => {
                    Some(IPool::getLiquidationGracePeriodCall::abi_encode_returns(
                        &alloy::primitives::aliases::U40::ZERO,
                    ))
                }
                s if s == IPool::getEModeCategoryCollateralBitmapCall::SELECTOR => {
                    Some(IPool::getEModeCategoryCollateralBitmapCall::abi_encode_returns(&0))
                }
                s if s == IPool::getReserveDeficitCall::SELECTOR => {
                    Some(IPool::getReserveDeficitCall::abi_encode_returns(
                        &alloy::primitives::U256::ZERO,
                    ))
                }
                s if s == IPool::RESERVE_INTEREST_RATE_STRATEGYCall::SELECTOR => Some(
                    IPool::RESERVE_INTEREST_RATE_STRATEGYCall::abi_encode_returns(&Address::ZERO),
                ),
                _ => None,
            })
            .collect();
        assert_eq!(returns.len(), 7);
        let probes = read(&BatchResults::from_returns(returns), slots);
        assert_eq!(
            probes,
            Probes {
                revision: Some(8),
                grace_period: true,
                collateral_bitmap: true,
                deficit: true,
                rate_strategy: true,
                ltv_zero_bitmap: false,
                isolated_emode: false,
            }
        );
        assert_eq!(decide(&probes), AaveVersion::V3_4);
        // A call that answers with nothing (an account without code) is no getter either.
        let mut batch = Batch::new();
        let slots = add(&mut batch, Address::repeat_byte(1));
        let empty = batch.calls().map(|_| Some(Vec::new()));
        assert_eq!(
            read(&BatchResults::from_returns(empty), slots),
            Probes::default()
        );
    }
}
