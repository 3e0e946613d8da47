//! Batched contract reads: many view calls in one `Multicall3.aggregate3` eth_call, so a whole
//! answer costs one HTTP round trip and every figure comes from the same block.
//!
//! Batches concatenate: several answers' batches (one per market on a chain) become one
//! eth_call with [`Batch::append`], and each answer decodes its own [`BatchResults::part`], with
//! the slots its own batch gave it.
//!
//! The same batch can also be run "naively", one eth_call per read pinned to one block: the
//! baseline the benchmark compares against.

use std::marker::PhantomData;
use std::ops::Range;

use alloy::eips::BlockId;
use alloy::primitives::{Address, Bytes};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;

use super::bindings::Multicall3;
use super::error::ChainError;
use super::rpc::Rpc;

/// A typed handle to one call's result in a [`Batch`].
#[derive(Debug)]
pub struct Slot<C> {
    index: usize,
    _call: PhantomData<fn() -> C>,
}

impl<C> Clone for Slot<C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C> Copy for Slot<C> {}

/// View calls collected for one round trip.
#[derive(Debug, Default)]
pub struct Batch {
    calls: Vec<Multicall3::Call3>,
}

/// The raw results of a batch, decoded per slot.
#[derive(Debug)]
pub struct BatchResults {
    results: Vec<Multicall3::Result>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of calls.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// True when no call was added.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Each call's target and calldata (selector first), in order: what a batch would call,
    /// for checks.
    pub fn calls(&self) -> impl Iterator<Item = (Address, &[u8])> + '_ {
        self.calls.iter().map(|c| (c.target, &c.callData[..]))
    }

    /// Adds a call; a failing call does not fail the batch (its slot decodes to an error).
    pub fn add<C: SolCall>(&mut self, target: Address, call: C) -> Slot<C> {
        self.calls.push(Multicall3::Call3 {
            target,
            allowFailure: true,
            callData: Bytes::from(call.abi_encode()),
        });
        Slot {
            index: self.calls.len() - 1,
            _call: PhantomData,
        }
    }

    /// Moves `other`'s calls to the end of this batch; the returned range is where they sit.
    /// Hand it to [`BatchResults::part`] to decode `other`'s slots from the combined results.
    pub fn append(&mut self, other: Batch) -> Range<usize> {
        let start = self.calls.len();
        self.calls.extend(other.calls);
        start..self.calls.len()
    }

    /// Runs every call in one `aggregate3` eth_call at `block`: one HTTP round trip.
    pub async fn run(
        self,
        rpc: &Rpc,
        multicall: Address,
        block: BlockId,
    ) -> Result<BatchResults, ChainError> {
        let call = Multicall3::aggregate3Call { calls: self.calls };
        let tx = TransactionRequest::default()
            .to(multicall)
            .input(call.abi_encode().into());
        let raw = rpc
            .run(rpc.provider.call(tx).block(block).into_future())
            .await?;
        if raw.is_empty() {
            return Err(ChainError::NotAMarket(format!(
                "no Multicall3 contract at {multicall} on {}; set `multicall3` for this market",
                rpc.display_url
            )));
        }
        let results = Multicall3::aggregate3Call::abi_decode_returns(&raw)
            .map_err(|e| ChainError::Decode(format!("Multicall3 answer: {e}")))?;
        Ok(BatchResults { results })
    }

    /// Runs every call as its own eth_call at `block`, one after the other: the naive way, kept
    /// as the benchmark's baseline.
    pub async fn run_one_by_one(
        self,
        rpc: &Rpc,
        block: BlockId,
    ) -> Result<BatchResults, ChainError> {
        let mut results = Vec::with_capacity(self.calls.len());
        for call in self.calls {
            let tx = TransactionRequest::default()
                .to(call.target)
                .input(call.callData.into());
            let outcome = tokio::time::timeout(
                rpc.timeout,
                rpc.provider.call(tx).block(block).into_future(),
            )
            .await
            .map_err(|_| rpc.timed_out())?;
            results.push(match outcome {
                Ok(data) => Multicall3::Result {
                    success: true,
                    returnData: data,
                },
                // A revert is a failed call, as in aggregate3 with allowFailure.
                Err(e) if e.as_error_resp().is_some() => Multicall3::Result {
                    success: false,
                    returnData: Bytes::new(),
                },
                Err(e) => return Err(rpc.classify(e)),
            });
        }
        Ok(BatchResults { results })
    }
}

impl BatchResults {
    /// Results as Multicall3 would return them (None: the call reverted), for tests of
    /// decoding without a node.
    pub fn from_returns(returns: impl IntoIterator<Item = Option<Vec<u8>>>) -> Self {
        Self {
            results: returns
                .into_iter()
                .map(|r| Multicall3::Result {
                    success: r.is_some(),
                    returnData: Bytes::from(r.unwrap_or_default()),
                })
                .collect(),
        }
    }

    /// The results of the calls a batch appended at `range` brought (see [`Batch::append`]),
    /// indexed as that batch's own slots expect. A range past the end gives what there is
    /// (the missing slots then decode to "fewer results").
    pub fn part(&self, range: Range<usize>) -> BatchResults {
        let end = range.end.min(self.results.len());
        let start = range.start.min(end);
        Self {
            results: self.results[start..end].to_vec(),
        }
    }

    /// How many results there are.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// True when there is no result.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }

    /// The decoded return of `slot`, or an error when the call reverted or returned garbage.
    pub fn get<C: SolCall>(&self, slot: Slot<C>) -> Result<C::Return, ChainError> {
        let result = self
            .results
            .get(slot.index)
            .ok_or_else(|| ChainError::Decode("Multicall3 returned fewer results".into()))?;
        if !result.success {
            return Err(ChainError::Decode(format!("{} reverted", C::SIGNATURE)));
        }
        C::abi_decode_returns(&result.returnData)
            .map_err(|e| ChainError::Decode(format!("{}: {e}", C::SIGNATURE)))
    }

    /// Like [`get`](Self::get) but `None` for a call that reverted or returned garbage.
    pub fn ok<C: SolCall>(&self, slot: Slot<C>) -> Option<C::Return> {
        self.get(slot).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::bindings::mainnet::IERC20Detailed;

    fn balance(n: u64) -> Vec<u8> {
        IERC20Detailed::balanceOfCall::abi_encode_returns(&alloy::primitives::U256::from(n))
    }

    #[test]
    fn appended_batches_keep_their_own_slots_in_their_part_of_the_results() {
        let token = |b: u8| Address::repeat_byte(b);
        let account = Address::repeat_byte(0xaa);
        let mut first = Batch::new();
        let a0 = first.add(token(1), IERC20Detailed::balanceOfCall { account });
        let a1 = first.add(token(2), IERC20Detailed::balanceOfCall { account });
        let mut second = Batch::new();
        let b0 = second.add(token(3), IERC20Detailed::balanceOfCall { account });
        let b1 = second.add(token(4), IERC20Detailed::totalSupplyCall {});

        let mut combined = Batch::new();
        let first_at = combined.append(first);
        let second_at = combined.append(second);
        assert_eq!((first_at.clone(), second_at.clone()), (0..2, 2..4));
        let targets: Vec<Address> = combined.calls().map(|(t, _)| t).collect();
        assert_eq!(targets, [token(1), token(2), token(3), token(4)]);

        // What Multicall3 answers for the combined batch: 10, 11, 12, reverted.
        let results = BatchResults::from_returns([
            Some(balance(10)),
            Some(balance(11)),
            Some(balance(12)),
            None,
        ]);
        let first = results.part(first_at);
        let second = results.part(second_at);
        assert_eq!(first.len(), 2);
        assert_eq!(
            first.get(a0).expect("a0"),
            alloy::primitives::U256::from(10)
        );
        assert_eq!(
            first.get(a1).expect("a1"),
            alloy::primitives::U256::from(11)
        );
        assert_eq!(
            second.get(b0).expect("b0"),
            alloy::primitives::U256::from(12)
        );
        assert!(second.get(b1).is_err(), "the reverted call stays a failure");
    }

    #[test]
    fn a_part_past_the_end_decodes_as_fewer_results() {
        let mut batch = Batch::new();
        let slot = batch.add(Address::repeat_byte(1), IERC20Detailed::totalSupplyCall {});
        let results = BatchResults::from_returns([Some(balance(1))]);
        let part = results.part(1..2);
        assert!(part.is_empty());
        let err = part.get(slot).expect_err("no result there");
        assert!(err.to_string().contains("fewer results"), "{err}");
    }
}
