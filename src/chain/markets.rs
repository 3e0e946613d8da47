//! Every configured market at once: the multi-market service.
//!
//! Owns one [`AaveV3Reader`] per configured market and reads an address on all of them in
//! parallel under one overall deadline (the RPC timeout): a market whose node is dead or slow
//! is reported as failed when the deadline passes, and never delays the others beyond it. The
//! answers come back worst first: positions with debt by health factor ascending, then
//! debt-free positions, then failures, then markets where the address has nothing.
//!
//! Follow-up: markets on one chain could share one node connection and one batch; today each
//! market makes its own request, in parallel.

use std::time::Duration;

use alloy::primitives::{Address, U256};
use futures::future::join_all;

use super::aave_v3::AaveV3Reader;
use super::error::ChainError;
use super::position::Position;
use super::report;
use super::rpc::Rpc;
use crate::config::Config;

/// The readers of every configured market, in the configuration's order.
#[derive(Debug, Default)]
pub struct Markets {
    readers: Vec<AaveV3Reader>,
    deadline: Duration,
}

/// What one market answered for an address.
#[derive(Debug)]
pub enum MarketAnswer {
    /// The address supplies or borrows here.
    Position(Position),
    /// The market answered: nothing supplied, nothing borrowed.
    NoPosition(Position),
    /// The market could not be read (timeout, node down, wrong chain, not a market…).
    Failed(ChainError),
}

/// One market's answer, with the market's name.
#[derive(Debug)]
pub struct MarketRead {
    /// The market's configured name.
    pub market: String,
    /// Its chain id.
    pub chain_id: u64,
    /// What it answered.
    pub answer: MarketAnswer,
}

impl MarketRead {
    /// The position read, empty or not.
    pub fn position(&self) -> Option<&Position> {
        match &self.answer {
            MarketAnswer::Position(p) | MarketAnswer::NoPosition(p) => Some(p),
            MarketAnswer::Failed(_) => None,
        }
    }

    /// The failure, when the market could not be read.
    pub fn failure(&self) -> Option<&ChainError> {
        match &self.answer {
            MarketAnswer::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Where this answer sorts.
    fn standing(&self) -> Standing {
        match &self.answer {
            MarketAnswer::Position(p) => {
                // The health factor does not depend on the target; any target will do.
                let totals =
                    report::assess(p, crate::chain::risk::DEFAULT_TARGET_HEALTH_FACTOR).totals;
                if totals.total_debt_base.is_zero() {
                    Standing::DebtFree
                } else {
                    Standing::Debt(totals.health_factor)
                }
            }
            MarketAnswer::Failed(_) => Standing::Failed,
            MarketAnswer::NoPosition(_) => Standing::Nothing,
        }
    }
}

/// How urgent a market's answer is, most urgent first (the derived order is the sort order):
/// debt by health factor ascending, then debt-free positions, failures, and nothing there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Standing {
    Debt(U256),
    DebtFree,
    Failed,
    Nothing,
}

/// Every market's answer for one address, worst first.
#[derive(Debug, Default)]
pub struct Lookup {
    /// One read per configured market.
    pub reads: Vec<MarketRead>,
}

impl Lookup {
    /// Markets where the address has a position, worst health first.
    pub fn positions(&self) -> impl Iterator<Item = (&MarketRead, &Position)> {
        self.reads.iter().filter_map(|r| match &r.answer {
            MarketAnswer::Position(p) => Some((r, p)),
            _ => None,
        })
    }

    /// Markets that could not be read.
    pub fn failures(&self) -> impl Iterator<Item = (&MarketRead, &ChainError)> {
        self.reads
            .iter()
            .filter_map(|r| r.failure().map(|e| (r, e)))
    }

    /// True when no market answered (and there was at least one to ask).
    pub fn all_failed(&self) -> bool {
        !self.reads.is_empty() && self.reads.iter().all(|r| r.failure().is_some())
    }
}

impl Markets {
    /// The service over `readers`; `deadline` bounds a whole lookup.
    pub fn new(readers: Vec<AaveV3Reader>, deadline: Duration) -> Self {
        Self { readers, deadline }
    }

    /// One market, its reader's timeout as the deadline.
    pub fn single(reader: AaveV3Reader) -> Self {
        let deadline = reader.rpc().timeout;
        Self::new(vec![reader], deadline)
    }

    /// No market configured: lookups return nothing.
    pub fn none() -> Self {
        Self::default()
    }

    /// A reader per configured market (no request is made here), with the configuration's
    /// timeout as the deadline and its stablecoin list.
    pub fn from_config(config: &Config) -> Result<Self, ChainError> {
        let readers = config
            .markets
            .iter()
            .map(|m| {
                let rpc = Rpc::connect(&m.rpc_url, config.rpc_timeout())?;
                Ok(AaveV3Reader::new(
                    m.clone(),
                    rpc,
                    config.risk.stablecoins.clone(),
                ))
            })
            .collect::<Result<Vec<_>, ChainError>>()?;
        // The default market first: a single answer (a what-if without a market, the symbols
        // list) starts from it.
        let mut markets = Self::new(readers, config.rpc_timeout());
        if let Some(default) = config.market(None)
            && let Some(at) = markets.index_of(&default.name)
        {
            markets.readers[..=at].rotate_right(1);
        }
        Ok(markets)
    }

    /// True when no market is configured.
    pub fn is_empty(&self) -> bool {
        self.readers.is_empty()
    }

    /// How many markets there are.
    pub fn len(&self) -> usize {
        self.readers.len()
    }

    /// The readers, default market first.
    pub fn readers(&self) -> &[AaveV3Reader] {
        &self.readers
    }

    /// The deadline of one lookup.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.readers
            .iter()
            .position(|r| r.market().name.eq_ignore_ascii_case(name))
    }

    /// The reader of the market called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&AaveV3Reader> {
        self.index_of(name).map(|i| &self.readers[i])
    }

    /// A short tag naming a market in button data (64 bytes at most on Telegram): the first
    /// four hex digits of the SHA-256 of its name, stable across restarts and reorderings.
    pub fn tag(name: &str) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(name.to_ascii_lowercase().as_bytes());
        hex::encode(&digest[..2])
    }

    /// The reader whose [`Markets::tag`] is `tag`.
    pub fn by_tag(&self, tag: &str) -> Option<&AaveV3Reader> {
        self.readers
            .iter()
            .find(|r| Self::tag(&r.market().name).eq_ignore_ascii_case(tag))
    }

    /// Reads `user` on every market at once, under one deadline; worst first.
    pub async fn lookup(&self, user: Address) -> Lookup {
        self.lookup_on(&self.readers.iter().collect::<Vec<_>>(), user)
            .await
    }

    /// Reads `user` on every market at once within `budget` (shorter than the deadline: a
    /// market not ready by then counts as timed out, the others answer).
    pub async fn lookup_within(&self, user: Address, budget: Duration) -> Lookup {
        let readers: Vec<&AaveV3Reader> = self.readers.iter().collect();
        self.read_all(&readers, user, budget.min(self.deadline))
            .await
    }

    /// Reads `user` on `readers` at once, under one deadline; worst first.
    pub async fn lookup_on(&self, readers: &[&AaveV3Reader], user: Address) -> Lookup {
        self.read_all(readers, user, self.deadline).await
    }

    async fn read_all(
        &self,
        readers: &[&AaveV3Reader],
        user: Address,
        deadline: Duration,
    ) -> Lookup {
        let until = tokio::time::Instant::now() + deadline;
        let reads = join_all(readers.iter().map(|reader| async move {
            let answer = match tokio::time::timeout_at(until, reader.position(user)).await {
                Err(_) => MarketAnswer::Failed(ChainError::RpcTimeout {
                    url: reader.rpc().display_url.clone(),
                    timeout: deadline,
                }),
                Ok(Err(e)) => MarketAnswer::Failed(e),
                Ok(Ok(p)) if p.is_empty() => MarketAnswer::NoPosition(p),
                Ok(Ok(p)) => MarketAnswer::Position(p),
            };
            MarketRead {
                market: reader.market().name.clone(),
                chain_id: reader.market().chain_id,
                answer,
            }
        }))
        .await;
        let mut ranked: Vec<(Standing, MarketRead)> =
            reads.into_iter().map(|r| (r.standing(), r)).collect();
        // Stable: equal standings keep the configuration's order.
        ranked.sort_by_key(|(standing, _)| *standing);
        Lookup {
            reads: ranked.into_iter().map(|(_, r)| r).collect(),
        }
    }

    /// Discovers every market at once (each within the deadline); the failures, by market.
    /// A preset's market whose provider now names another Pool than the address book did is
    /// logged for the operator (the Pool proxy of an Aave v3 market does not move).
    pub async fn warm_up(&self) -> Vec<(String, ChainError)> {
        let found = join_all(self.readers.iter().map(|r| async move {
            let until = tokio::time::Instant::now() + self.deadline;
            match tokio::time::timeout_at(until, r.catalog()).await {
                Ok(Ok(catalog)) => {
                    if let Some(preset) = r.market().preset()
                        && preset.pool != catalog.pool
                    {
                        tracing::warn!(
                            market = %r.market().name,
                            address_book = %preset.pool,
                            provider = %catalog.pool,
                            "the market's Pool differs from the address book's"
                        );
                    }
                    None
                }
                Ok(Err(e)) => Some((r.market().name.clone(), e)),
                Err(_) => Some((r.market().name.clone(), r.rpc().timed_out())),
            }
        }))
        .await;
        found.into_iter().flatten().collect()
    }

    /// Every market's reserve symbols, each once, default market first (a market not
    /// discovered within the deadline adds none).
    pub async fn symbols(&self) -> Vec<String> {
        let until = tokio::time::Instant::now() + self.deadline;
        let catalogs = join_all(
            self.readers
                .iter()
                .map(|r| async move { tokio::time::timeout_at(until, r.catalog()).await }),
        )
        .await;
        let mut symbols: Vec<String> = Vec::new();
        for catalog in catalogs.into_iter().flatten().flatten() {
            for reserve in &catalog.reserves {
                if !symbols.contains(&reserve.symbol) {
                    symbols.push(reserve.symbol.clone());
                }
            }
        }
        symbols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_sort_worst_health_first_then_debt_free_then_failed_then_nothing() {
        let hf = |x: u64| Standing::Debt(U256::from(x));
        let mut all = vec![
            Standing::Nothing,
            Standing::Failed,
            hf(2_000),
            Standing::DebtFree,
            hf(1_050),
            Standing::Nothing,
        ];
        all.sort();
        assert_eq!(
            all,
            [
                hf(1_050),
                hf(2_000),
                Standing::DebtFree,
                Standing::Failed,
                Standing::Nothing,
                Standing::Nothing
            ]
        );
    }

    #[test]
    fn tags_are_short_stable_and_case_blind() {
        let tag = Markets::tag("aave-v3-ethereum");
        assert_eq!(tag.len(), 4);
        assert_eq!(tag, Markets::tag("AAVE-V3-Ethereum"));
        assert_ne!(tag, Markets::tag("aave-v3-base"));
    }
}
