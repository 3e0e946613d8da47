//! Every configured market at once: the multi-market service.
//!
//! Owns one [`AaveV3Reader`] per configured market and reads an address on all of them under
//! one overall deadline (the RPC timeout): a market whose node is dead or slow is reported as
//! failed when the deadline passes, and never delays the others beyond it. The answers come
//! back worst first: positions with debt by health factor ascending, then debt-free positions,
//! then failures, then markets where the address has nothing.
//!
//! One request per chain: the markets read together are those on the same chain id, at the
//! same RPC endpoint and with the same Multicall3 (Ethereum's Core, Prime, EtherFi and Horizon
//! markets, configured at one URL). Each market plans its own batch (discovering its catalog
//! first when it must, on its own, so a market that is no market fails alone), the plans are
//! appended into one `aggregate3` eth_call read at one block, and each market decodes its own
//! part. If that one request fails, every market it was reading fails with its error. The
//! groups run in parallel. Markets already discovered never wait for another's first
//! discovery: those still discovering are read in a request of their own once discovered.
//!
//! Markets on one chain at different RPC URLs stay separate requests: the operator chose one
//! node per market (a paid endpoint for one, a public one for another, a failover), the nodes
//! may stand at different blocks or be down independently, and a dead endpoint must fail only
//! its own markets. [`Markets::from_config`] gives the markets at one URL one connection.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use futures::future::join_all;
use tokio::time::Instant;

use super::aave_v3::{AaveV3Reader, PendingPosition};
use super::batch::{Batch, BatchResults};
use super::error::ChainError;
use super::morpho_blue::{MorphoPosition, MorphoReader, PendingMorpho, common as morpho_common};
use super::position::Position;
use super::report;
use super::rpc::Rpc;
use crate::config::{Config, MarketKind};

/// The readers of every configured market, in the configuration's order.
#[derive(Debug, Default)]
pub struct Markets {
    readers: Vec<AaveV3Reader>,
    /// The Morpho Blue deployments.
    morpho: Vec<MorphoReader>,
    deadline: Duration,
}

/// What one market answered for an address.
#[derive(Debug)]
pub enum MarketAnswer {
    /// The address supplies or borrows here (on Morpho Blue: one read per Morpho market it is
    /// in, in the common model).
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
    /// The Aave position read, empty or not.
    pub fn position(&self) -> Option<&Position> {
        match &self.answer {
            MarketAnswer::Position(p) | MarketAnswer::NoPosition(p) => Some(p),
            _ => None,
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
        Self {
            readers,
            morpho: Vec::new(),
            deadline,
        }
    }

    /// The same with Morpho Blue deployments beside.
    pub fn with_morpho(mut self, morpho: Vec<MorphoReader>) -> Self {
        self.morpho = morpho;
        self
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
    /// timeout as the deadline and its stablecoin list. Markets at one endpoint share one
    /// connection (and its round-trip counter).
    pub fn from_config(config: &Config) -> Result<Self, ChainError> {
        let mut connections: HashMap<String, Rpc> = HashMap::new();
        let mut readers = Vec::new();
        let mut morpho = Vec::new();
        for m in &config.markets {
            let rpc = match connections.get(&endpoint(&m.rpc_url)) {
                Some(rpc) => rpc.clone(),
                None => {
                    let rpc = Rpc::connect(&m.rpc_url, config.rpc_timeout())?;
                    connections.insert(endpoint(&m.rpc_url), rpc.clone());
                    rpc
                }
            };
            match m.kind() {
                MarketKind::AaveV3 => readers.push(AaveV3Reader::new(
                    m.clone(),
                    rpc,
                    config.risk.stablecoins.clone(),
                )),
                MarketKind::MorphoBlue => morpho.extend(MorphoReader::new(
                    m.clone(),
                    rpc,
                    config.risk.stablecoins.clone(),
                )),
            }
        }
        // The default market first: a single answer (a what-if without a market, the symbols
        // list) starts from it.
        let mut markets = Self::new(readers, config.rpc_timeout()).with_morpho(morpho);
        if let Some(default) = config.market(None)
            && let Some(at) = markets.index_of(&default.name)
        {
            markets.readers[..=at].rotate_right(1);
        }
        Ok(markets)
    }

    /// True when no market is configured.
    pub fn is_empty(&self) -> bool {
        self.readers.is_empty() && self.morpho.is_empty()
    }

    /// How many markets are configured (a Morpho deployment counts once).
    pub fn len(&self) -> usize {
        self.readers.len() + self.morpho.len()
    }

    /// The readers, default market first.
    pub fn readers(&self) -> &[AaveV3Reader] {
        &self.readers
    }

    /// The readers, taken out: Aave's and Morpho's (a service that owns its own connections,
    /// such as the alert watcher).
    pub fn into_parts(self) -> (Vec<AaveV3Reader>, Vec<MorphoReader>) {
        (self.readers, self.morpho)
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

    /// The market whose [`Markets::tag`] is `tag`: an Aave market by its name, a Morpho market
    /// by its name in answers (its deployment discovered first if it is not yet, within the
    /// deadline).
    pub async fn by_tag(&self, tag: &str) -> Option<Reader<'_>> {
        let named = |name: &str| Self::tag(name).eq_ignore_ascii_case(tag);
        if let Some(r) = self.readers.iter().find(|r| named(&r.market().name)) {
            return Some(Reader::Aave(r));
        }
        for r in &self.morpho {
            let Ok(Ok(catalog)) = tokio::time::timeout(self.deadline, r.catalog()).await else {
                continue;
            };
            if let Some(m) = catalog
                .markets
                .iter()
                .find(|m| named(&morpho_common::market_name(&r.market().name, m)))
            {
                return Some(Reader::Morpho(r, Some(m.id)));
            }
        }
        None
    }

    /// Reads `user` on every market at once, under one deadline; worst first.
    pub async fn lookup(&self, user: Address) -> Lookup {
        self.lookup_until(None, user, self.deadline_from_now())
            .await
    }

    /// When a deadline starting now ends: the one instant an answer shares between its reads
    /// (the market's symbols, then the position), so that it waits for one deadline in all.
    pub fn deadline_from_now(&self) -> Instant {
        Instant::now() + self.deadline
    }

    /// Reads `user` on `readers` (every market when `None`) at once, until `until` (an answer's
    /// one deadline, from [`Markets::deadline_from_now`]); worst first.
    pub async fn lookup_until(
        &self,
        readers: Option<&[Reader<'_>]>,
        user: Address,
        until: Instant,
    ) -> Lookup {
        let all;
        let readers = match readers {
            Some(readers) => readers,
            None => {
                all = self.all();
                &all
            }
        };
        self.read_until(readers, user, until, self.deadline).await
    }

    /// Every reader, Aave's then Morpho's.
    fn all(&self) -> Vec<Reader<'_>> {
        self.readers
            .iter()
            .map(Reader::Aave)
            .chain(self.morpho.iter().map(|r| Reader::Morpho(r, None)))
            .collect()
    }

    /// Reads `user` on every market at once within `budget` (shorter than the deadline: a
    /// market not ready by then counts as timed out, the others answer).
    pub async fn lookup_within(&self, user: Address, budget: Duration) -> Lookup {
        let readers = self.all();
        let budget = budget.min(self.deadline);
        self.read_until(&readers, user, Instant::now() + budget, budget)
            .await
    }

    /// Reads `user` on `readers` at once, under one deadline; worst first.
    pub async fn lookup_on(&self, readers: &[Reader<'_>], user: Address) -> Lookup {
        self.lookup_until(Some(readers), user, self.deadline_from_now())
            .await
    }

    /// Reads `user` on `readers` at once until `until`; a market not read by then has timed
    /// out (its error names `deadline`).
    async fn read_until(
        &self,
        readers: &[Reader<'_>],
        user: Address,
        until: Instant,
        deadline: Duration,
    ) -> Lookup {
        let read = join_all(
            groups(readers)
                .into_iter()
                .map(|group| read_group(group, user, until, deadline)),
        )
        .await;
        let mut answers: Vec<(usize, Result<Answer, ChainError>)> =
            read.into_iter().flatten().collect();
        answers.sort_by_key(|(at, _)| *at);
        let mut ranked: Vec<(Standing, MarketRead)> = answers
            .into_iter()
            .flat_map(|(at, answer)| {
                let market = readers[at].market();
                let read = |answer| MarketRead {
                    market: market.name.clone(),
                    chain_id: market.chain_id,
                    answer,
                };
                let answers = match answer {
                    Err(e) => vec![MarketAnswer::Failed(e)],
                    Ok(Answer::Aave(p)) if p.is_empty() => vec![MarketAnswer::NoPosition(*p)],
                    Ok(Answer::Aave(p)) => vec![MarketAnswer::Position(*p)],
                    Ok(Answer::Morpho(all)) => morpho_answers(readers[at], user, all),
                };
                answers.into_iter().map(move |a| {
                    let r = match &a {
                        // A Morpho market is read under its own name.
                        MarketAnswer::Position(p) if p.morpho().is_some() => MarketRead {
                            market: p.market.clone(),
                            chain_id: market.chain_id,
                            answer: a,
                        },
                        _ => read(a),
                    };
                    (r.standing(), r)
                })
            })
            .collect();
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
        let morpho = join_all(self.morpho.iter().map(|r| async move {
            match tokio::time::timeout(self.deadline, r.catalog()).await {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some((r.market().name.clone(), e)),
                Err(_) => Some((r.market().name.clone(), r.rpc().timed_out())),
            }
        }))
        .await;
        found.into_iter().chain(morpho).flatten().collect()
    }

    /// Every market's reserve symbols, each once, default market first (a market not
    /// discovered within the deadline adds none).
    pub async fn symbols(&self) -> Vec<String> {
        self.symbols_until(self.deadline_from_now()).await
    }

    /// [`Markets::symbols`] until `until`, an answer's one deadline.
    pub async fn symbols_until(&self, until: Instant) -> Vec<String> {
        let catalogs = join_all(
            self.readers
                .iter()
                .map(|r| async move { tokio::time::timeout_at(until, r.catalog()).await }),
        )
        .await;
        let mut symbols: Vec<String> = Vec::new();
        let mut add = |symbol: &String| {
            if !symbols.contains(symbol) {
                symbols.push(symbol.clone());
            }
        };
        for catalog in catalogs.into_iter().flatten().flatten() {
            catalog.reserves.iter().for_each(|r| add(&r.symbol));
        }
        let morpho = join_all(
            self.morpho
                .iter()
                .map(|r| async move { tokio::time::timeout_at(until, r.catalog()).await }),
        )
        .await;
        for catalog in morpho.into_iter().flatten().flatten() {
            for m in &catalog.markets {
                add(&m.collateral.symbol);
                add(&m.loan.symbol);
            }
        }
        symbols
    }
}

/// A market to read: an Aave market, or a Morpho deployment (all its markets, or the one
/// whose id is given).
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// An Aave v3 market.
    Aave(&'a AaveV3Reader),
    /// A Morpho Blue deployment, and the one market to keep (all when `None`).
    Morpho(&'a MorphoReader, Option<alloy::primitives::B256>),
}

/// A Morpho deployment's answer in the common model: one position per market the user is in
/// (only `only`'s when the reader names one), or the deployment's "nothing" at the block.
fn morpho_answers(
    reader: Reader<'_>,
    user: Address,
    all: Vec<MorphoPosition>,
) -> Vec<MarketAnswer> {
    let (Reader::Morpho(r, only), Some(first)) = (reader, all.first()) else {
        return vec![MarketAnswer::NoPosition(morpho_common::nothing(
            &reader.market().name,
            user,
            0,
            0,
        ))];
    };
    let (block, time) = (first.block_number, first.block_timestamp);
    let held: Vec<MarketAnswer> = all
        .iter()
        .filter(|p| !p.is_empty() && only.is_none_or(|id| p.facts.id == id))
        .map(|p| MarketAnswer::Position(morpho_common::to_position(p, r.stablecoins())))
        .collect();
    if held.is_empty() {
        vec![MarketAnswer::NoPosition(morpho_common::nothing(
            &r.market().name,
            user,
            block,
            time,
        ))]
    } else {
        held
    }
}

/// What one reader answered: an Aave market's position, or one position per Morpho market.
enum Answer {
    Aave(Box<Position>),
    Morpho(Vec<MorphoPosition>),
}

/// A read whose batch is out.
enum Pending<'a> {
    Aave(PendingPosition<'a>),
    Morpho(PendingMorpho<'a>),
}

impl<'a> Reader<'a> {
    fn market(self) -> &'a crate::config::MarketConfig {
        match self {
            Self::Aave(r) => r.market(),
            Self::Morpho(r, _) => r.market(),
        }
    }

    fn rpc(self) -> &'a Rpc {
        match self {
            Self::Aave(r) => r.rpc(),
            Self::Morpho(r, _) => r.rpc(),
        }
    }

    fn discovered(self) -> bool {
        match self {
            Self::Aave(r) => r.discovered().is_some(),
            Self::Morpho(r, _) => r.discovered().is_some(),
        }
    }

    async fn plan(self, user: Address) -> Result<(Batch, Pending<'a>), ChainError> {
        match self {
            Self::Aave(r) => r
                .plan(user)
                .await
                .map(|(batch, p)| (batch, Pending::Aave(p))),
            Self::Morpho(r, _) => r
                .plan(user)
                .await
                .map(|(batch, p)| (batch, Pending::Morpho(p))),
        }
    }
}

impl Pending<'_> {
    async fn finish(self, results: &BatchResults) -> Result<Answer, ChainError> {
        match self {
            Self::Aave(p) => p.finish(results).await.map(|p| Answer::Aave(Box::new(p))),
            Self::Morpho(p) => p.finish(results).map(Answer::Morpho),
        }
    }
}

/// The markets of one request, each with its place in the lookup's list.
type Group<'a> = Vec<(usize, Reader<'a>)>;

/// An RPC URL as compared to another: parsed, so `http://node:8545` and `http://node:8545/`
/// are one endpoint.
fn endpoint(rpc_url: &str) -> String {
    url::Url::parse(rpc_url).map_or_else(|_| rpc_url.to_string(), String::from)
}

/// The markets that share one request: same chain id, same [`endpoint`], same Multicall3.
/// Groups and their members keep the order of `readers`.
fn groups<'a>(readers: &[Reader<'a>]) -> Vec<Group<'a>> {
    let key = |r: Reader<'a>| {
        let m = r.market();
        (m.chain_id, endpoint(&m.rpc_url), m.multicall3)
    };
    let mut keys = Vec::new();
    let mut groups: Vec<Group<'a>> = Vec::new();
    for (at, &reader) in readers.iter().enumerate() {
        let k = key(reader);
        match keys.iter().position(|known| *known == k) {
            Some(g) => groups[g].push((at, reader)),
            None => {
                keys.push(k);
                groups.push(vec![(at, reader)]);
            }
        }
    }
    groups
}

/// The deadline's failure for a market read through `reader`'s node.
fn timed_out(reader: Reader<'_>, deadline: Duration) -> ChainError {
    ChainError::RpcTimeout {
        url: reader.rpc().display_url.clone(),
        timeout: deadline,
    }
}

/// One group's answers, by place: the markets already discovered in one request, the others
/// (discovered now) in one more, both at once.
async fn read_group(
    group: Group<'_>,
    user: Address,
    until: Instant,
    deadline: Duration,
) -> Vec<(usize, Result<Answer, ChainError>)> {
    let (ready, fresh): (Group<'_>, Group<'_>) =
        group.into_iter().partition(|(_, r)| r.discovered());
    let (mut ready, fresh) = futures::join!(
        read_together(ready, user, until, deadline),
        read_together(fresh, user, until, deadline)
    );
    ready.extend(fresh);
    ready
}

/// Reads `user` on every market of `members` in one `aggregate3` eth_call (none when no market
/// could plan its read). A market whose discovery fails, or whose follow-up reads do, fails
/// alone; a failed request fails them all.
async fn read_together(
    members: Group<'_>,
    user: Address,
    until: Instant,
    deadline: Duration,
) -> Vec<(usize, Result<Answer, ChainError>)> {
    let plans = join_all(members.into_iter().map(|(at, reader)| async move {
        let plan = tokio::time::timeout_at(until, reader.plan(user))
            .await
            .unwrap_or_else(|_| Err(timed_out(reader, deadline)));
        (at, reader, plan)
    }))
    .await;
    let mut answers = Vec::new();
    let mut combined = Batch::new();
    let mut pending: Vec<(usize, Range<usize>, Reader<'_>, Pending<'_>)> = Vec::new();
    for (at, reader, plan) in plans {
        match plan {
            Ok((batch, read)) => pending.push((at, combined.append(batch), reader, read)),
            Err(e) => answers.push((at, Err(e))),
        }
    }
    let Some(lead) = pending.first().map(|(_, _, reader, _)| *reader) else {
        return answers;
    };
    let request = combined.run(lead.rpc(), lead.market().multicall3, BlockId::latest());
    let results = match tokio::time::timeout_at(until, request).await {
        Err(_) => Err(timed_out(lead, deadline)),
        Ok(results) => results,
    };
    match results {
        Err(e) => answers.extend(
            pending
                .into_iter()
                .map(|(at, _, _, _)| (at, Err(e.clone()))),
        ),
        Ok(results) => {
            let finished = join_all(pending.into_iter().map(|(at, range, reader, read)| {
                let part = results.part(range);
                async move {
                    let answer = tokio::time::timeout_at(until, read.finish(&part))
                        .await
                        .unwrap_or_else(|_| Err(timed_out(reader, deadline)));
                    (at, answer)
                }
            }))
            .await;
            answers.extend(finished);
        }
    }
    answers
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

    fn reader(name: &str, chain_id: u64, rpc_url: &str, multicall3: Address) -> AaveV3Reader {
        let market = crate::config::MarketConfig {
            name: name.into(),
            chain_id,
            rpc_url: rpc_url.into(),
            protocol: crate::config::Protocol::AaveV3 {
                pool_addresses_provider: Address::repeat_byte(1),
            },
            multicall3,
        };
        // Lazy: no request is made.
        let rpc = Rpc::connect(rpc_url, Duration::from_secs(1)).expect("rpc");
        AaveV3Reader::new(market, rpc, Vec::new())
    }

    #[test]
    fn one_request_per_chain_endpoint_and_multicall() {
        let canonical = crate::config::MULTICALL3;
        let all = [
            reader("core", 1, "https://eth.example/v2/KEY", canonical),
            reader("base", 8453, "http://127.0.0.1:8545", canonical),
            reader("prime", 1, "https://eth.example/v2/KEY", canonical),
            // Another endpoint on chain 1: a request of its own.
            reader("etherfi", 1, "https://other.example/v2/KEY", canonical),
            // The same node as "base", written with a trailing slash: the same endpoint.
            reader("base-again", 8453, "http://127.0.0.1:8545/", canonical),
            // The same node as "core", another Multicall3: another request.
            reader(
                "custom",
                1,
                "https://eth.example/v2/KEY",
                Address::repeat_byte(2),
            ),
            reader("horizon", 1, "https://eth.example/v2/KEY", canonical),
        ];
        let readers: Vec<Reader<'_>> = all.iter().map(Reader::Aave).collect();
        let grouped: Vec<Vec<(usize, &str)>> = groups(&readers)
            .into_iter()
            .map(|g| {
                g.into_iter()
                    .map(|(at, r)| (at, r.market().name.as_str()))
                    .collect()
            })
            .collect();
        assert_eq!(
            grouped,
            [
                vec![(0, "core"), (2, "prime"), (6, "horizon")],
                vec![(1, "base"), (4, "base-again")],
                vec![(3, "etherfi")],
                vec![(5, "custom")],
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
