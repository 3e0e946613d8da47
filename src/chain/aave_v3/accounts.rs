//! Watched accounts in the form the watcher keeps them: scaled balances, collateral and
//! borrowing flags and the E-Mode category, read for many wallets at once; and their exact
//! health factor at any later block from that block's [`MarketSnapshot`] alone.
//!
//! A scaled balance does not change while its owner does nothing (interest moves the index,
//! which the snapshot reads), so an account read once stays exact until an event names it
//! ([`super::changes`]). Stable debt (3.0–3.1) is the exception: each borrower accrues at
//! their own rate, so such an account is read again at every block
//! ([`ScaledAccount::has_stable_debt`]).

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use futures::{StreamExt, TryStreamExt};

use crate::chain::batch::{Batch, BatchResults, Slot};
use crate::chain::bindings::mainnet::{IAToken, IERC20Detailed, IPool};
use crate::chain::error::ChainError;
use crate::chain::risk::{AccountTotals, Leg, totals_of};
use crate::chain::rules;

use super::snapshot::MarketSnapshot;
use super::{AaveV3Reader, Catalog, reserve_config};

/// Wallets per Multicall3 call of a bulk read. Anvil caps one `eth_call` at 30M gas, which
/// about 770 wallets' `getUserAccountData` fill; a wallet costs two cheap reads for its flags
/// and one to three per reserve it uses here, so 500 a call stay under the cap (`lendesk bench`
/// reads 20,000 wallets this way).
pub const WALLETS_PER_CALL: usize = 500;

/// Bulk-read calls in flight at once on one connection.
pub const CALLS_IN_FLIGHT: usize = 2;

/// One reserve an account uses (as collateral or as debt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaledLeg {
    /// Index in the catalog's reserve list (and the snapshot's).
    pub reserve: u16,
    /// The collateral flag is on.
    pub collateral: bool,
    /// The borrowing flag is on.
    pub borrowing: bool,
    /// The aToken's scaled balance (zero unless `collateral`).
    pub scaled_supply: U256,
    /// The variable debt token's scaled balance (zero unless `borrowing`).
    pub scaled_debt: U256,
    /// 3.0–3.1 stable debt at the read's block (it accrues per user: read it again).
    pub stable_debt: U256,
}

/// A watched account as read at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaledAccount {
    /// The wallet.
    pub user: Address,
    /// Its E-Mode category (0: none).
    pub emode: u8,
    /// The reserves it uses; empty when it has neither collateral nor debt.
    pub legs: Box<[ScaledLeg]>,
}

impl ScaledAccount {
    /// True when the account has stable debt, whose balance only a fresh read gives.
    pub fn has_stable_debt(&self) -> bool {
        self.legs.iter().any(|l| !l.stable_debt.is_zero())
    }

    /// True when the account has debt (otherwise its health factor is infinite).
    pub fn has_debt(&self) -> bool {
        self.legs.iter().any(|l| l.borrowing)
    }
}

/// The account's totals at the snapshot's block, equal to `Pool.getUserAccountData` there;
/// None when the snapshot did not read the account's E-Mode category. `scratch` is reused
/// between calls so that an evaluation allocates nothing.
pub fn evaluate(
    snapshot: &MarketSnapshot,
    account: &ScaledAccount,
    scratch: &mut Vec<Leg>,
) -> Option<AccountTotals> {
    let terms = snapshot.terms(account.emode)?;
    let version = snapshot.version();
    scratch.clear();
    for leg in account.legs.iter() {
        let i = usize::from(leg.reserve);
        let (reserve, terms) = (snapshot.reserves.get(i)?, terms.get(i)?);
        let collateral = leg.collateral && terms.counts_as_collateral;
        let supplied = if collateral {
            rules::a_token_balance(version, leg.scaled_supply, reserve.income_index)
        } else {
            U256::ZERO
        };
        let debt = if leg.borrowing {
            rules::v_token_balance(version, leg.scaled_debt, reserve.debt_index) + leg.stable_debt
        } else {
            U256::ZERO
        };
        scratch.push(Leg {
            price: terms.price,
            unit: reserve.unit,
            supplied,
            debt,
            ltv: terms.ltv,
            liquidation_threshold: terms.liquidation_threshold,
            collateral,
            borrowing: leg.borrowing,
        });
    }
    Some(totals_of(version, scratch))
}

/// Slots of one wallet's flags.
struct FlagSlots {
    config: Slot<IPool::getUserConfigurationCall>,
    emode: Slot<IPool::getUserEModeCall>,
}

/// One wallet's flags: the configuration bitmap and the category.
#[derive(Debug, Clone, Copy)]
struct Flags {
    config: U256,
    emode: u8,
}

fn flags_batch(pool: Address, users: &[Address]) -> (Batch, Vec<FlagSlots>) {
    let mut batch = Batch::new();
    let slots = users
        .iter()
        .map(|&user| FlagSlots {
            config: batch.add(pool, IPool::getUserConfigurationCall { user }),
            emode: batch.add(pool, IPool::getUserEModeCall { user }),
        })
        .collect();
    (batch, slots)
}

/// Slots of one used reserve's balances.
struct LegSlots {
    reserve: u16,
    collateral: bool,
    borrowing: bool,
    supply: Option<Slot<IAToken::scaledBalanceOfCall>>,
    debt: Option<Slot<IAToken::scaledBalanceOfCall>>,
    stable: Option<Slot<IERC20Detailed::balanceOfCall>>,
}

fn balances_batch(
    catalog: &Catalog,
    users: &[Address],
    flags: &[Flags],
) -> (Batch, Vec<Vec<LegSlots>>) {
    let mut batch = Batch::new();
    let slots = users
        .iter()
        .zip(flags)
        .map(|(&user, flags)| {
            catalog
                .reserves
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let collateral = reserve_config::is_using_as_collateral(flags.config, r.id);
                    let borrowing = reserve_config::is_borrowing(flags.config, r.id);
                    if !collateral && !borrowing {
                        return None;
                    }
                    let stable = !r.stable_debt_token.is_zero() && borrowing;
                    Some(LegSlots {
                        reserve: u16::try_from(i).unwrap_or(u16::MAX),
                        collateral,
                        borrowing,
                        supply: collateral
                            .then(|| batch.add(r.a_token, IAToken::scaledBalanceOfCall { user })),
                        debt: borrowing.then(|| {
                            batch.add(r.variable_debt_token, IAToken::scaledBalanceOfCall { user })
                        }),
                        stable: stable.then(|| {
                            batch.add(
                                r.stable_debt_token,
                                IERC20Detailed::balanceOfCall { account: user },
                            )
                        }),
                    })
                })
                .collect()
        })
        .collect();
    (batch, slots)
}

fn read_flags(results: &BatchResults, slots: &[FlagSlots]) -> Result<Vec<Flags>, ChainError> {
    slots
        .iter()
        .map(|s| {
            Ok(Flags {
                config: results.get(s.config)?.data,
                emode: u8::try_from(results.get(s.emode)?).unwrap_or(u8::MAX),
            })
        })
        .collect()
}

fn read_account(
    results: &BatchResults,
    user: Address,
    flags: Flags,
    slots: &[LegSlots],
) -> Result<ScaledAccount, ChainError> {
    let legs = slots
        .iter()
        .map(|s| {
            let get = |slot: Option<Slot<IAToken::scaledBalanceOfCall>>| {
                slot.map_or(Ok(U256::ZERO), |slot| results.get(slot))
            };
            Ok(ScaledLeg {
                reserve: s.reserve,
                collateral: s.collateral,
                borrowing: s.borrowing,
                scaled_supply: get(s.supply)?,
                scaled_debt: get(s.debt)?,
                stable_debt: s.stable.map_or(Ok(U256::ZERO), |slot| results.get(slot))?,
            })
        })
        .collect::<Result<Vec<_>, ChainError>>()?;
    Ok(ScaledAccount {
        user,
        emode: flags.emode,
        legs: legs.into_boxed_slice(),
    })
}

impl AaveV3Reader {
    /// Reads `users` at block `block` (a number: every chunk must see the same state), in
    /// chunks of [`WALLETS_PER_CALL`] with [`CALLS_IN_FLIGHT`] calls out at once; each chunk
    /// costs two round trips (flags, then only the balances the flags say are used). The
    /// accounts come back in `users`' order.
    pub async fn read_accounts(
        &self,
        users: &[Address],
        block: u64,
    ) -> Result<Vec<ScaledAccount>, ChainError> {
        let catalog = self.catalog().await?;
        // Owned chunks: a closure over borrowed ones would make the future not `Send` for
        // every lifetime (rustc's higher-ranked check), and a watcher task could not run it.
        let chunks: Vec<Vec<Address>> = users.chunks(WALLETS_PER_CALL).map(<[_]>::to_vec).collect();
        let catalog = &catalog;
        let chunks: Vec<Vec<ScaledAccount>> = futures::stream::iter(chunks)
            .map(|chunk| async move { self.read_chunk(catalog, &chunk, block).await })
            .buffered(CALLS_IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(chunks.into_iter().flatten().collect())
    }

    async fn read_chunk(
        &self,
        catalog: &Catalog,
        users: &[Address],
        block: u64,
    ) -> Result<Vec<ScaledAccount>, ChainError> {
        let at = BlockId::number(block);
        let (batch, slots) = flags_batch(catalog.pool, users);
        let flags = read_flags(&self.run(batch, at).await?, &slots)?;
        let (batch, slots) = balances_batch(catalog, users, &flags);
        let results = if batch.is_empty() {
            BatchResults::from_returns(Vec::new())
        } else {
            self.run(batch, at).await?
        };
        users
            .iter()
            .zip(flags)
            .zip(&slots)
            .map(|((&user, flags), slots)| read_account(&results, user, flags, slots))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::position::AaveVersion;

    #[test]
    fn bulk_batches_call_only_listed_functions_and_only_used_reserves() {
        for version in [AaveVersion::V3_0, AaveVersion::V3_6] {
            let c = super::super::tests::catalog(version);
            let users = [Address::repeat_byte(7), Address::repeat_byte(8)];
            let (batch, _) = flags_batch(c.pool, &users);
            super::super::tests::assert_listed(&batch, version, "flags");
            // User 7: reserve 0 as collateral (bit 1), reserve 2 borrowed (bit 4);
            // user 8: nothing.
            let flags = [
                Flags {
                    config: U256::from(0b01_00_10u64),
                    emode: 0,
                },
                Flags {
                    config: U256::ZERO,
                    emode: 0,
                },
            ];
            let (batch, slots) = balances_batch(&c, &users, &flags);
            super::super::tests::assert_listed(&batch, version, "balances");
            assert_eq!(slots[0].len(), 2);
            assert!(slots[1].is_empty());
            let stable_reads = usize::from(version < AaveVersion::V3_2);
            assert_eq!(batch.len(), 2 + stable_reads);
        }
    }
}
