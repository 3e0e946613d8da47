//! The configuration file (`lendesk.toml`) and the environment variables that override it.
//!
//! Owns parsing and validation only; each service takes the part it needs. Every error names
//! the setting (and its line in the file, where there is one).
//!
//! Markets come in two forms, both under the one `markets` key (TOML allows `markets = [...]`
//! or `[[markets]]` tables in a file, not both, so each form works in either):
//! - a preset name from the Aave address book (`markets = ["aave-v3-ethereum",
//!   "aave-v3-base"]`, or `{ preset = "aave-v3-base", name = "base" }` to rename one, or a
//!   `[[markets]]` table with `preset = …`): chain id and PoolAddressesProvider come from
//!   [`crate::chain::presets`];
//! - a full table (`name`, `chain_id`, `kind`, `pool_addresses_provider`, optional `rpc_url`),
//!   for forks such as Spark and for the devnet;
//! - a Morpho Blue table (`kind = "morpho-blue"`, `morpho` = the Morpho contract, optional
//!   `market_ids`: the markets to read, every market the contract created when absent).
//!
//! RPC URLs are given once per chain under `[rpc.urls]`, keyed by the chain's short name
//! (`ethereum`, `base`…) or its id (`"31337"`); a market's own `rpc_url` wins over them, and
//! the environment (`LENDESK_RPC_URL_<CHAIN>`, e.g. `LENDESK_RPC_URL_BASE` or
//! `LENDESK_RPC_URL_8453`) wins over the file.

mod toml_lines;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use alloy::primitives::{Address, B256, U256};
use serde::Deserialize;

use crate::chain::math::WAD;
use crate::chain::presets::{self, Preset};

/// What went wrong reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The path tried.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for lendesk.
    #[error("config file {path} is invalid{}{}: {message}", in_key(key), at_line(*line))]
    Parse {
        /// The path read.
        path: String,
        /// The setting the parser stopped at, when it names one.
        key: Option<String>,
        /// Its line in the file.
        line: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// A value is out of range or malformed.
    #[error("invalid setting {key}: {message}")]
    Invalid {
        /// The setting's name (`markets[0].rpc_url`, `LENDESK_MARKET`…).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// An invalid setting that the config file sets on `line`.
    #[error("invalid setting {key} (line {line}): {message}")]
    InvalidAt {
        /// The setting's name.
        key: String,
        /// Its line in the config file.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

fn in_key(key: &Option<String>) -> String {
    key.as_ref().map(|k| format!(" at {k}")).unwrap_or_default()
}

fn at_line(line: Option<usize>) -> String {
    line.map(|n| format!(" (line {n})")).unwrap_or_default()
}

impl ConfigError {
    /// An invalid setting, its line not known yet.
    fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }

    /// The same error, pointing at the line of `text` that sets its key (when one does).
    fn located(self, text: &str) -> Self {
        match self {
            Self::Invalid { key, message } => match toml_lines::line_of(text, &key)
                .or_else(|| toml_lines::entry_line(text, &key))
            {
                Some(line) => Self::InvalidAt { key, line, message },
                None => Self::Invalid { key, message },
            },
            other => other,
        }
    }
}

/// Which protocol a market speaks (the `kind` a market table names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MarketKind {
    /// Aave v3 and its forks.
    #[serde(rename = "aave-v3")]
    AaveV3,
    /// Morpho Blue.
    #[serde(rename = "morpho-blue")]
    MorphoBlue,
}

impl MarketKind {
    /// The name written in `kind`.
    pub fn label(self) -> &'static str {
        match self {
            Self::AaveV3 => "aave-v3",
            Self::MorphoBlue => "morpho-blue",
        }
    }
}

/// Where a market's contracts are, by protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// An Aave v3 market (or fork): everything is discovered from its provider.
    AaveV3 {
        /// Aave's PoolAddressesProvider; Pool, oracle and data provider are discovered from it.
        pool_addresses_provider: Address,
    },
    /// Morpho Blue: one contract holding many isolated markets.
    MorphoBlue {
        /// The Morpho contract.
        morpho: Address,
        /// The Morpho markets read, by id; empty: every market the contract created (found
        /// from its `CreateMarket` events).
        market_ids: Vec<B256>,
    },
}

/// One lending market to read positions from (a preset resolved, or a table as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketConfig {
    /// Short name users and operators refer to (`--market NAME`).
    pub name: String,
    /// Expected chain id of the RPC node.
    pub chain_id: u64,
    /// JSON-RPC endpoint.
    pub rpc_url: String,
    /// The protocol and where its contracts are.
    pub protocol: Protocol,
    /// Multicall3 address (default: the canonical 0xcA11…CA11).
    pub multicall3: Address,
}

impl MarketConfig {
    /// The protocol's kind.
    pub fn kind(&self) -> MarketKind {
        match self.protocol {
            Protocol::AaveV3 { .. } => MarketKind::AaveV3,
            Protocol::MorphoBlue { .. } => MarketKind::MorphoBlue,
        }
    }

    /// Aave's PoolAddressesProvider, on an Aave market.
    pub fn pool_addresses_provider(&self) -> Option<Address> {
        match self.protocol {
            Protocol::AaveV3 {
                pool_addresses_provider,
            } => Some(pool_addresses_provider),
            Protocol::MorphoBlue { .. } => None,
        }
    }

    /// The contract the market is found from: Aave's provider, or the Morpho contract.
    pub fn root_contract(&self) -> Address {
        match self.protocol {
            Protocol::AaveV3 {
                pool_addresses_provider,
            } => pool_addresses_provider,
            Protocol::MorphoBlue { morpho, .. } => morpho,
        }
    }

    /// The address book preset this market is (by chain and provider), if it is one.
    pub fn preset(&self) -> Option<&'static Preset> {
        presets::by_provider(self.chain_id, self.pool_addresses_provider()?)
    }
}

/// The canonical Multicall3 address, the same on every EVM chain.
pub const MULTICALL3: Address =
    alloy::primitives::address!("cA11bde05977b3631167028862bE2a173976CA11");

/// An address as the CLI takes one: mixed case must be a valid EIP-55 checksum.
struct Checksummed(Address);

impl<'de> Deserialize<'de> for Checksummed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        crate::chain::parse_address(&text)
            .map(Checksummed)
            .map_err(serde::de::Error::custom)
    }
}

/// A Morpho market id as written: `0x` and 64 hex digits.
struct MarketId(B256);

impl<'de> Deserialize<'de> for MarketId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let hex = text.trim();
        let digits = hex.strip_prefix("0x").unwrap_or(hex);
        if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(serde::de::Error::custom(format!(
                "{text:?} is not a Morpho market id (0x and 64 hex digits)"
            )));
        }
        hex.parse::<B256>()
            .map(MarketId)
            .map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
    }
}

/// An RPC endpoint: an http:// or https:// URL.
/// A store URL must be a PostgreSQL one (`postgres://` or `postgresql://`); the message never
/// repeats the URL, which may carry a password.
fn check_store_url(url: &str) -> Result<(), ConfigError> {
    let invalid = |message: &str| ConfigError::Invalid {
        key: "store.url".into(),
        message: message.into(),
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(invalid(
            "must be a PostgreSQL URL, postgres://user@host:5432/database (leave it out to keep records in sled, in desk.data_dir)",
        ));
    }
    url.parse::<tokio_postgres::Config>()
        .map(|_| ())
        .map_err(|_| invalid("is not a PostgreSQL URL lendesk can read (postgres://user[:password]@host[:port]/database)"))
}

fn check_rpc_url(key: &str, url: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(url).map_err(|e| ConfigError::invalid(key, e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ConfigError::invalid(
            key,
            format!(
                "{}:// is not supported: use an http:// or https:// endpoint",
                parsed.scheme()
            ),
        ));
    }
    Ok(())
}

/// Risk settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskConfig {
    /// Target health factor for safe withdraw / borrow / repay, as a decimal string ("1.01").
    pub target_health_factor: String,
    /// Symbols treated as stablecoins in "all prices fall" scenarios.
    pub stablecoins: Vec<String>,
}

impl Default for RiskConfig {
    fn default() -> Self {
        Self {
            target_health_factor: "1.01".into(),
            stablecoins: [
                "USDC", "USDT", "DAI", "USDC.e", "USDbC", "FRAX", "LUSD", "GHO", "PYUSD", "crvUSD",
                "USDe", "sUSD", "EURC", "EURS", "RLUSD", "USDS",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        }
    }
}

/// RPC settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RpcConfig {
    /// How long one answer may wait for the node, in milliseconds.
    pub timeout_ms: u64,
    /// One endpoint per chain, keyed by the chain's short name (`ethereum`, `base`…, as in
    /// `lendesk markets`) or its id as a string; used by every market on that chain that has
    /// no `rpc_url` of its own.
    pub urls: BTreeMap<String, String>,
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self {
            timeout_ms: 5_000,
            urls: BTreeMap::new(),
        }
    }
}

/// Desk settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeskConfig {
    /// The knowledge base folder.
    pub faq_dir: String,
    /// Where sled keeps users and tickets.
    pub data_dir: String,
    /// HF recommended when advising how much to repay, as a decimal string.
    pub comfort_health_factor: String,
    /// Days statistics events (with the text of questions the bot could not answer) are kept.
    pub retention_days: u64,
}

impl Default for DeskConfig {
    fn default() -> Self {
        Self {
            faq_dir: "faq".into(),
            data_dir: "lendesk-data".into(),
            comfort_health_factor: "1.5".into(),
            retention_days: 30,
        }
    }
}

/// The Telegram bot and its staff side.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelegramConfig {
    /// Bot API base URL (a local Bot API server or an emulator); Telegram's when unset.
    pub api_url: Option<String>,
    /// The staff chat: a supergroup, ideally with topics (forum mode) enabled.
    pub staff_chat: Option<i64>,
    /// Admins (Telegram user ids): staff who may also manage staff.
    pub admins: Vec<i64>,
    /// The language of the staff side ("en" or "zh").
    pub staff_lang: String,
    /// Messages a user may send per minute before being slowed down.
    pub flood_messages_per_minute: u32,
    /// Messages the bot sends per second at most, all replicas together (Telegram's limit for
    /// one bot: 30; more with paid broadcasts).
    pub messages_per_second: u32,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        Self {
            api_url: None,
            staff_chat: None,
            admins: Vec::new(),
            staff_lang: "en".into(),
            flood_messages_per_minute: 20,
            messages_per_second: 30,
        }
    }
}

/// Where records are kept (`[store]`): `url = "postgres://user@host:5432/db"` (or
/// `LENDESK_STORE_URL`) for PostgreSQL, shared by replicas; none for sled in `desk.data_dir`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSection {
    /// The PostgreSQL URL, if records are kept there.
    pub url: Option<String>,
}

impl std::fmt::Debug for StoreSection {
    /// Never prints the URL (it may carry a password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSection")
            .field("url", &self.url.as_ref().map(|_| "postgres://…"))
            .finish()
    }
}

/// Liquidation-risk alerts (`[alerts]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsSection {
    /// Whether `lendesk run` runs the watcher (`lendesk watch` runs it alone).
    pub watch: bool,
    /// Default warning level (`/alerts on`), a health factor ("1.3").
    pub warning_health_factor: String,
    /// Default critical level ("1.1").
    pub critical_health_factor: String,
    /// How far above a level the health factor must come back before that level alerts
    /// again ("0.05").
    pub rearm_margin: String,
    /// How often the node's head is polled, in milliseconds.
    pub poll_ms: u64,
    /// The most blocks one `eth_getLogs` request may cover (providers limit ranges).
    pub max_log_range: u64,
    /// WebSocket endpoints by market name (`ws://` or `wss://`): the watcher subscribes to
    /// `newHeads` there and ticks at each new block; the head poll stays as the floor.
    pub ws_urls: BTreeMap<String, String>,
}

impl Default for AlertsSection {
    fn default() -> Self {
        Self {
            watch: true,
            warning_health_factor: "1.3".into(),
            critical_health_factor: "1.1".into(),
            rearm_margin: "0.05".into(),
            poll_ms: 1_000,
            max_log_range: 2_000,
            ws_urls: BTreeMap::new(),
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// Market used when none is named.
    pub default_market: Option<String>,
    /// Markets, at least one for position answers; presets resolved. A market whose RPC URL
    /// is still to come from the environment has an empty `rpc_url` until [`Config::load`]
    /// applies it (an empty one left is refused).
    pub markets: Vec<MarketConfig>,
    /// Risk settings.
    pub risk: RiskConfig,
    /// RPC settings.
    pub rpc: RpcConfig,
    /// Desk settings.
    pub desk: DeskConfig,
    /// First-response targets for tickets.
    pub support: crate::tickets::SlaConfig,
    /// The Telegram bot.
    pub telegram: TelegramConfig,
    /// Liquidation-risk alerts.
    pub alerts: AlertsSection,
    /// Where records are kept: PostgreSQL, or sled in `desk.data_dir`.
    pub store: StoreSection,
}

/// The file as written: markets not resolved yet.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    default_market: Option<String>,
    #[serde(default)]
    markets: Vec<MarketEntry>,
    #[serde(default)]
    risk: RiskConfig,
    #[serde(default)]
    rpc: RpcConfig,
    #[serde(default)]
    desk: DeskConfig,
    #[serde(default)]
    support: crate::tickets::SlaConfig,
    #[serde(default)]
    telegram: TelegramConfig,
    #[serde(default)]
    alerts: AlertsSection,
    #[serde(default)]
    store: StoreSection,
}

/// One entry of `markets`: a preset by name (a string, or a table with `preset`), or a market
/// written out in full.
#[derive(Debug)]
enum MarketEntry {
    Preset {
        preset: String,
        name: Option<String>,
        rpc_url: Option<String>,
    },
    Full {
        name: String,
        chain_id: u64,
        rpc_url: Option<String>,
        protocol: Protocol,
        multicall3: Address,
    },
}

const MARKET_FIELDS: &[&str] = &[
    "preset",
    "name",
    "chain_id",
    "rpc_url",
    "kind",
    "pool_addresses_provider",
    "morpho",
    "market_ids",
    "multicall3",
];

impl<'de> Deserialize<'de> for MarketEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MarketEntryVisitor)
    }
}

struct MarketEntryVisitor;

impl<'de> serde::de::Visitor<'de> for MarketEntryVisitor {
    type Value = MarketEntry;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a preset name such as \"aave-v3-ethereum\", or a market table")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MarketEntry, E> {
        Ok(MarketEntry::Preset {
            preset: v.to_string(),
            name: None,
            rpc_url: None,
        })
    }

    // Field by field (not an untagged enum), so that an error keeps its key and line.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<MarketEntry, A::Error> {
        use serde::de::Error;
        let mut preset: Option<String> = None;
        let mut name: Option<String> = None;
        let mut chain_id: Option<u64> = None;
        let mut rpc_url: Option<String> = None;
        let mut kind: Option<MarketKind> = None;
        let mut provider: Option<Address> = None;
        let mut multicall3: Option<Address> = None;
        let mut morpho: Option<Address> = None;
        let mut market_ids: Option<Vec<MarketId>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "preset" => preset = Some(map.next_value()?),
                "name" => name = Some(map.next_value()?),
                "chain_id" => chain_id = Some(map.next_value()?),
                "rpc_url" => rpc_url = Some(map.next_value()?),
                "kind" => kind = Some(map.next_value()?),
                "pool_addresses_provider" => {
                    provider = Some(map.next_value::<Checksummed>()?.0);
                }
                "multicall3" => multicall3 = Some(map.next_value::<Checksummed>()?.0),
                "morpho" => morpho = Some(map.next_value::<Checksummed>()?.0),
                "market_ids" => market_ids = Some(map.next_value()?),
                other => return Err(A::Error::unknown_field(other, MARKET_FIELDS)),
            }
        }
        if let Some(preset) = preset {
            if chain_id.is_some()
                || kind.is_some()
                || provider.is_some()
                || multicall3.is_some()
                || morpho.is_some()
                || market_ids.is_some()
            {
                return Err(A::Error::custom(
                    "a preset market takes only `name` and `rpc_url`; chain_id, kind and the \
                     provider come from the address book (write a full table without `preset` \
                     for a fork)",
                ));
            }
            return Ok(MarketEntry::Preset {
                preset,
                name,
                rpc_url,
            });
        }
        let protocol = match kind.ok_or_else(|| A::Error::missing_field("kind"))? {
            MarketKind::AaveV3 => {
                if morpho.is_some() || market_ids.is_some() {
                    return Err(A::Error::custom(
                        "`morpho` and `market_ids` belong to a market of kind \"morpho-blue\"",
                    ));
                }
                Protocol::AaveV3 {
                    pool_addresses_provider: provider
                        .ok_or_else(|| A::Error::missing_field("pool_addresses_provider"))?,
                }
            }
            MarketKind::MorphoBlue => {
                if provider.is_some() {
                    return Err(A::Error::custom(
                        "a Morpho Blue market has no pool_addresses_provider: name the Morpho \
                         contract in `morpho` (and its markets in `market_ids`)",
                    ));
                }
                Protocol::MorphoBlue {
                    morpho: morpho.ok_or_else(|| A::Error::missing_field("morpho"))?,
                    market_ids: market_ids
                        .unwrap_or_default()
                        .into_iter()
                        .map(|id| id.0)
                        .collect(),
                }
            }
        };
        Ok(MarketEntry::Full {
            name: name.ok_or_else(|| A::Error::missing_field("name"))?,
            chain_id: chain_id.ok_or_else(|| A::Error::missing_field("chain_id"))?,
            rpc_url,
            protocol,
            multicall3: multicall3.unwrap_or(MULTICALL3),
        })
    }
}

/// The environment variable that sets the RPC URL of every market on `chain`
/// (`base-sepolia` → `LENDESK_RPC_URL_BASE_SEPOLIA`, `31337` → `LENDESK_RPC_URL_31337`).
pub fn chain_rpc_env(chain: &str) -> String {
    format!(
        "LENDESK_RPC_URL_{}",
        chain.to_ascii_uppercase().replace(['-', ' '], "_")
    )
}

/// How a chain is called in messages: "base (chain 8453)", or "chain 31337".
fn chain_label(chain_id: u64) -> String {
    match presets::chain_name(chain_id) {
        Some(name) => format!("{name} (chain {chain_id})"),
        None => format!("chain {chain_id}"),
    }
}

/// " (did you mean a, b?)", or nothing.
fn did_you_mean(close: &[&str]) -> String {
    if close.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", close.join(", "))
    }
}

impl Config {
    /// Reads `path` if it exists (a missing default file is an empty config), then applies
    /// environment overrides: `LENDESK_RPC_URL` (the default market's endpoint),
    /// `LENDESK_MARKET` (default market), `LENDESK_RPC_TIMEOUT_MS`, `LENDESK_TARGET_HF`,
    /// `LENDESK_DATA_DIR`, `LENDESK_STORE_URL` (PostgreSQL), `LENDESK_FAQ_DIR`,
    /// `TELOXIDE_API_URL` (the Bot API base URL),
    /// `LENDESK_STAFF_CHAT` and `LENDESK_ADMINS` (comma-separated ids),
    /// `LENDESK_MESSAGES_PER_SECOND`.
    pub fn load(path: &Path, must_exist: bool) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => String::new(),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let mut config = Self::parse(&text, &path.display().to_string())?;
        config.apply_env(|key| std::env::var(key).ok())?;
        config.validate().map_err(|e| e.located(&text))?;
        Ok(config)
    }

    /// Parses TOML text and resolves market presets; an error names the setting and line it
    /// stopped at.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|span| span.start);
            ConfigError::Parse {
                path: origin.to_string(),
                key: at.and_then(|offset| toml_lines::key_at(text, offset)),
                line: at.map(|offset| toml_lines::line_at(text, offset)),
                message: e.message().trim().to_string(),
            }
        })?;
        Self::resolve(file).map_err(|e| e.located(text))
    }

    /// Turns the file's market entries into markets: presets from the address book, RPC URLs
    /// from `[rpc.urls]` where a market has none of its own.
    fn resolve(file: ConfigFile) -> Result<Self, ConfigError> {
        for chain in file.rpc.urls.keys() {
            if presets::chain_id(chain).is_none() {
                let known: Vec<&str> = presets::chains().into_iter().map(|(_, n)| n).collect();
                return Err(ConfigError::invalid(
                    format!("rpc.urls.{chain}"),
                    format!(
                        "unknown chain {chain:?}{}; use a chain name ({}) or a chain id",
                        did_you_mean(&presets::chain_suggestions(chain)),
                        known.join(", ")
                    ),
                ));
            }
        }
        let chain_url = |chain_id: u64| {
            file.rpc
                .urls
                .iter()
                .find(|(chain, _)| presets::chain_id(chain) == Some(chain_id))
                .map(|(_, url)| url.clone())
        };
        let mut markets = Vec::with_capacity(file.markets.len());
        for (i, entry) in file.markets.into_iter().enumerate() {
            markets.push(match entry {
                MarketEntry::Preset {
                    preset,
                    name,
                    rpc_url,
                } => {
                    let Some(found) = presets::find(&preset) else {
                        return Err(ConfigError::invalid(
                            format!("markets[{i}]"),
                            format!(
                                "unknown preset {preset:?}{}; `lendesk markets` lists them \
                                 (a fork is written as a full table with its \
                                 pool_addresses_provider)",
                                did_you_mean(&presets::suggestions(&preset))
                            ),
                        ));
                    };
                    MarketConfig {
                        name: name.unwrap_or_else(|| found.name.to_string()),
                        chain_id: found.chain_id,
                        rpc_url: rpc_url
                            .or_else(|| chain_url(found.chain_id))
                            .unwrap_or_default(),
                        protocol: Protocol::AaveV3 {
                            pool_addresses_provider: found.pool_addresses_provider,
                        },
                        multicall3: MULTICALL3,
                    }
                }
                MarketEntry::Full {
                    name,
                    chain_id,
                    rpc_url,
                    protocol,
                    multicall3,
                } => MarketConfig {
                    name,
                    chain_id,
                    rpc_url: rpc_url.or_else(|| chain_url(chain_id)).unwrap_or_default(),
                    protocol,
                    multicall3,
                },
            });
        }
        Ok(Self {
            default_market: file.default_market,
            markets,
            risk: file.risk,
            rpc: file.rpc,
            desk: file.desk,
            support: file.support,
            telegram: file.telegram,
            alerts: file.alerts,
            store: file.store,
        })
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(name) = var("LENDESK_MARKET") {
            self.check_market_name("LENDESK_MARKET", &name)?;
            self.default_market = Some(name);
        }
        for market in &mut self.markets {
            let names = [
                presets::chain_name(market.chain_id).map(chain_rpc_env),
                Some(chain_rpc_env(&market.chain_id.to_string())),
            ];
            for key in names.into_iter().flatten() {
                if let Some(url) = var(&key) {
                    check_rpc_url(&key, &url)?;
                    market.rpc_url = url;
                    break;
                }
            }
        }
        if let Some(url) = var("LENDESK_RPC_URL") {
            check_rpc_url("LENDESK_RPC_URL", &url)?;
            let name = self.default_market.clone();
            if let Some(m) = self
                .markets
                .iter_mut()
                .find(|m| name.as_deref().is_none_or(|n| n == m.name))
            {
                m.rpc_url = url;
            }
        }
        if let Some(ms) = var("LENDESK_RPC_TIMEOUT_MS") {
            self.rpc.timeout_ms = ms.trim().parse().map_err(|_| ConfigError::Invalid {
                key: "LENDESK_RPC_TIMEOUT_MS".into(),
                message: format!("{ms:?} is not a number of milliseconds"),
            })?;
        }
        if let Some(hf) = var("LENDESK_TARGET_HF") {
            self.risk.target_health_factor = hf;
        }
        if let Some(dir) = var("LENDESK_DATA_DIR") {
            self.desk.data_dir = dir;
        }
        if let Some(url) = var("LENDESK_STORE_URL").filter(|u| !u.trim().is_empty()) {
            self.store.url = Some(url);
        }
        if let Some(dir) = var("LENDESK_FAQ_DIR") {
            self.desk.faq_dir = dir;
        }
        if let Some(url) = var("TELOXIDE_API_URL") {
            self.telegram.api_url = Some(url);
        }
        if let Some(chat) = var("LENDESK_STAFF_CHAT") {
            self.telegram.staff_chat =
                Some(chat.trim().parse().map_err(|_| ConfigError::Invalid {
                    key: "LENDESK_STAFF_CHAT".into(),
                    message: format!("{chat:?} is not a chat id"),
                })?);
        }
        if let Some(rate) = var("LENDESK_MESSAGES_PER_SECOND") {
            self.telegram.messages_per_second =
                rate.trim().parse().map_err(|_| ConfigError::Invalid {
                    key: "LENDESK_MESSAGES_PER_SECOND".into(),
                    message: format!("{rate:?} is not a number of messages"),
                })?;
        }
        if let Some(list) = var("LENDESK_ADMINS") {
            self.telegram.admins = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| ConfigError::Invalid {
                        key: "LENDESK_ADMINS".into(),
                        message: format!("{s:?} is not a user id"),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(())
    }

    /// `name` must be a configured market.
    fn check_market_name(&self, key: &str, name: &str) -> Result<(), ConfigError> {
        if self
            .markets
            .iter()
            .any(|m| m.name.eq_ignore_ascii_case(name))
        {
            return Ok(());
        }
        let known = if self.markets.is_empty() {
            "no market is configured".to_string()
        } else {
            format!("configured markets: {}", self.market_names().join(", "))
        };
        Err(ConfigError::invalid(
            key,
            format!("unknown market {name:?}; {known}"),
        ))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.target_health_factor()?;
        self.comfort_health_factor()?;
        self.alerts()?;
        if self.rpc.timeout_ms == 0 {
            return Err(ConfigError::Invalid {
                key: "rpc.timeout_ms".into(),
                message: "must be greater than 0".into(),
            });
        }
        if self.desk.retention_days == 0 {
            return Err(ConfigError::Invalid {
                key: "desk.retention_days".into(),
                message: "must be at least 1 (days statistics events are kept)".into(),
            });
        }
        if self.telegram.messages_per_second == 0 {
            return Err(ConfigError::Invalid {
                key: "telegram.messages_per_second".into(),
                message: "must be at least 1 (Telegram allows one bot 30)".into(),
            });
        }
        if crate::lang::Lang::from_code(&self.telegram.staff_lang).is_none() {
            return Err(ConfigError::Invalid {
                key: "telegram.staff_lang".into(),
                message: "must be \"en\" or \"zh\"".into(),
            });
        }
        if let Some(url) = &self.store.url {
            check_store_url(url)?;
        }
        if let Some(url) = &self.telegram.api_url {
            url::Url::parse(url).map_err(|e| ConfigError::Invalid {
                key: "telegram.api_url".into(),
                message: e.to_string(),
            })?;
        }
        self.support
            .validate()
            .map_err(|message| ConfigError::Invalid {
                key: "support".into(),
                message,
            })?;
        for (chain, url) in &self.rpc.urls {
            check_rpc_url(&format!("rpc.urls.{chain}"), url)?;
        }
        for (i, m) in self.markets.iter().enumerate() {
            if self.markets[..i]
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&m.name))
            {
                return Err(ConfigError::invalid(
                    format!("markets[{i}].name"),
                    format!("market name {:?} is used twice", m.name),
                ));
            }
            if m.rpc_url.is_empty() {
                let chain = presets::chain_name(m.chain_id)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("\"{}\"", m.chain_id));
                return Err(ConfigError::invalid(
                    format!("markets[{i}]"),
                    format!(
                        "market {:?} is on {}, which has no RPC URL: add `{chain} = \"https://…\"` \
                         under [rpc.urls], or set {}",
                        m.name,
                        chain_label(m.chain_id),
                        chain_rpc_env(
                            presets::chain_name(m.chain_id).unwrap_or(&m.chain_id.to_string())
                        ),
                    ),
                ));
            }
            check_rpc_url(&format!("markets[{i}].rpc_url"), &m.rpc_url)?;
        }
        if let Some(name) = &self.default_market {
            self.check_market_name("default_market", name)?;
        }
        for (market, url) in &self.alerts.ws_urls {
            let key = format!("alerts.ws_urls.{market}");
            self.check_market_name(&key, market)?;
            let scheme = url::Url::parse(url)
                .map(|u| u.scheme().to_string())
                .map_err(|e| ConfigError::invalid(&key, format!("not a URL: {e}")))?;
            if scheme != "ws" && scheme != "wss" {
                return Err(ConfigError::invalid(
                    key,
                    format!("{scheme}:// is not a WebSocket endpoint: use ws:// or wss://"),
                ));
            }
        }
        Ok(())
    }

    /// The target health factor as a wad (≥ 1.0).
    pub fn target_health_factor(&self) -> Result<U256, ConfigError> {
        health_factor_setting(
            "risk.target_health_factor",
            &self.risk.target_health_factor,
            "1.01",
            "must be at least 1.0 (below 1 is liquidation)",
        )
    }

    /// The HF recommended for repay advice, as a wad (≥ 1.0).
    pub fn comfort_health_factor(&self) -> Result<U256, ConfigError> {
        health_factor_setting(
            "desk.comfort_health_factor",
            &self.desk.comfort_health_factor,
            "1.5",
            "must be at least 1.0",
        )
    }

    /// The alerts' settings: levels and margin as health factor × 10,000, the comfort level
    /// repay advice aims for (`desk.comfort_health_factor`), the head poll and the log range.
    pub fn alerts(&self) -> Result<crate::alerts::AlertsConfig, ConfigError> {
        let a = &self.alerts;
        let bps = |key: &str, text: &str| {
            parse_decimal(text, 4)
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| ConfigError::Invalid {
                    key: format!("alerts.{key}"),
                    message: format!(
                        "{text:?} is not a health factor with at most 4 decimals, such as 1.3"
                    ),
                })
        };
        let invalid = |key: &str, message: &str| ConfigError::Invalid {
            key: format!("alerts.{key}"),
            message: message.into(),
        };
        let warning = bps("warning_health_factor", &a.warning_health_factor)?;
        let critical = bps("critical_health_factor", &a.critical_health_factor)?;
        let margin = bps("rearm_margin", &a.rearm_margin)?;
        if critical < 10_000 {
            return Err(invalid(
                "critical_health_factor",
                "must be at least 1.0 (below 1 is liquidation)",
            ));
        }
        if warning <= critical || warning > 100_000 {
            return Err(invalid(
                "warning_health_factor",
                "must be above the critical level and at most 10",
            ));
        }
        if margin == 0 || margin > 10_000 {
            return Err(invalid("rearm_margin", "must be above 0 and at most 1.0"));
        }
        if a.poll_ms < 100 {
            return Err(invalid("poll_ms", "must be at least 100 (milliseconds)"));
        }
        if a.max_log_range == 0 {
            return Err(invalid("max_log_range", "must be at least 1 (blocks)"));
        }
        // The comfort level in the same unit, rounded up (never below what the desk advises).
        let comfort = self
            .comfort_health_factor()?
            .div_ceil(U256::from(100_000_000_000_000u64));
        let comfort = u32::try_from(comfort).unwrap_or(u32::MAX);
        Ok(crate::alerts::AlertsConfig {
            warning,
            critical,
            margin,
            comfort,
            poll: Duration::from_millis(a.poll_ms),
            max_log_range: a.max_log_range,
            shard: crate::alerts::Shard::WHOLE,
        })
    }

    /// The RPC timeout.
    pub fn rpc_timeout(&self) -> Duration {
        Duration::from_millis(self.rpc.timeout_ms)
    }

    /// The market named `name`, or the default one (the `default_market`, else the first).
    pub fn market(&self, name: Option<&str>) -> Option<&MarketConfig> {
        match name.or(self.default_market.as_deref()) {
            Some(n) => self.markets.iter().find(|m| m.name.eq_ignore_ascii_case(n)),
            None => self.markets.first(),
        }
    }

    /// Names of the configured markets, for error messages.
    pub fn market_names(&self) -> Vec<String> {
        self.markets.iter().map(|m| m.name.clone()).collect()
    }
}

/// A health factor setting as a wad: a decimal string of at least 1.0.
fn health_factor_setting(
    key: &str,
    text: &str,
    example: &str,
    below_one: &str,
) -> Result<U256, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        key: key.into(),
        message,
    };
    let value = parse_decimal(text, 18)
        .ok_or_else(|| invalid(format!("expected a decimal number such as {example}")))?;
    if value < WAD {
        return Err(invalid(below_one.into()));
    }
    Ok(value)
}

/// Parses a non-negative decimal string exactly into an integer with `decimals` places.
/// Returns `None` for malformed input or more fractional digits than `decimals`.
pub fn parse_decimal(text: &str, decimals: u8) -> Option<U256> {
    let text = text.trim();
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(int) || !digits(frac) || frac.len() > usize::from(decimals) {
        return None;
    }
    let scale = U256::from(10u64).pow(U256::from(decimals));
    let int = if int.is_empty() {
        U256::ZERO
    } else {
        U256::from_str_radix(int, 10).ok()?
    };
    let frac_scaled = if frac.is_empty() {
        U256::ZERO
    } else {
        let pad = U256::from(10u64).pow(U256::from(usize::from(decimals) - frac.len()));
        U256::from_str_radix(frac, 10).ok()? * pad
    };
    int.checked_mul(scale)?.checked_add(frac_scaled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::risk::DEFAULT_TARGET_HEALTH_FACTOR;

    const SAMPLE: &str = r#"
default_market = "devnet"

[[markets]]
name = "devnet"
chain_id = 31337
rpc_url = "http://127.0.0.1:8545"
kind = "aave-v3"
pool_addresses_provider = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
"#;

    #[test]
    fn parses_a_market_and_fills_defaults() {
        let c = Config::parse(SAMPLE, "test").unwrap();
        let m = c.market(None).unwrap();
        assert_eq!(m.chain_id, 31337);
        assert_eq!(m.multicall3, MULTICALL3);
        assert_eq!(c.rpc_timeout(), Duration::from_secs(5));
        assert_eq!(
            c.target_health_factor().unwrap(),
            DEFAULT_TARGET_HEALTH_FACTOR
        );
        assert!(c.market(Some("mainnet")).is_none());
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut c = Config::parse(SAMPLE, "test").unwrap();
        c.apply_env(|k| match k {
            "LENDESK_RPC_URL" => Some("http://127.0.0.1:9999".into()),
            "LENDESK_RPC_TIMEOUT_MS" => Some("250".into()),
            "LENDESK_TARGET_HF" => Some("1.5".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.market(None).unwrap().rpc_url, "http://127.0.0.1:9999");
        assert_eq!(c.rpc_timeout(), Duration::from_millis(250));
        assert_eq!(
            c.target_health_factor().unwrap(),
            WAD * U256::from(3) / U256::from(2)
        );
    }

    #[test]
    fn the_store_url_comes_from_the_file_or_the_environment_and_is_never_shown() {
        let secret = "postgres://lendesk:hunter2@db.internal:5432/lendesk";
        let mut c = Config::parse(&format!("[store]\nurl = \"{secret}\"\n"), "t").unwrap();
        assert_eq!(c.store.url.as_deref(), Some(secret));
        c.validate().unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        c.apply_env(|k| {
            (k == "LENDESK_STORE_URL").then(|| "postgresql://app@10.0.0.2/desk".into())
        })
        .unwrap();
        assert_eq!(
            c.store.url.as_deref(),
            Some("postgresql://app@10.0.0.2/desk")
        );
        // Without one, sled in the data directory, as before.
        assert!(Config::parse(SAMPLE, "t").unwrap().store.url.is_none());
        for bad in [
            "mysql://root:hunter2@db/x",
            "postgres://hunter2@[::1/x",
            "lendesk-data",
        ] {
            let mut c = Config::default();
            c.store.url = Some(bad.into());
            let e = c.validate().unwrap_err().to_string();
            assert!(
                e.contains("store.url") && !e.contains("hunter2"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn rejects_unknown_keys_and_bad_targets() {
        assert!(Config::parse("colour = 1", "t").is_err());
        let mut c = Config::default();
        c.risk.target_health_factor = "0.9".into();
        assert!(c.validate().is_err());
        c.risk.target_health_factor = "abc".into();
        assert!(c.validate().is_err());
    }

    /// What loading `text` as a config file reports, as an operator reads it.
    fn load_error(text: &str, env: &[(&str, &str)]) -> String {
        let result = Config::parse(text, "lendesk.toml").and_then(|mut c| {
            c.apply_env(|k| {
                env.iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            })?;
            c.validate().map_err(|e| e.located(text))
        });
        match result {
            Ok(()) => panic!("{text} with {env:?} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_alerts_section_gives_levels_poll_and_websocket_endpoints() {
        let text = format!(
            "{SAMPLE}\n[alerts]\nwarning_health_factor = \"1.5\"\ncritical_health_factor = \"1.2\"\npoll_ms = 250\n\n[alerts.ws_urls]\ndevnet = \"ws://127.0.0.1:8545\"\n"
        );
        let c = Config::parse(&text, "t").unwrap();
        c.validate().unwrap();
        let a = c.alerts().unwrap();
        assert_eq!((a.warning, a.critical, a.margin), (15_000, 12_000, 500));
        assert_eq!(a.poll, Duration::from_millis(250));
        assert_eq!(a.comfort, 15_000);
        assert_eq!(c.alerts.ws_urls["devnet"], "ws://127.0.0.1:8545");

        for (bad, key) in [
            (
                "critical_health_factor = \"0.9\"",
                "alerts.critical_health_factor",
            ),
            (
                "warning_health_factor = \"1.05\"",
                "alerts.warning_health_factor",
            ),
            ("rearm_margin = \"0\"", "alerts.rearm_margin"),
            ("poll_ms = 10", "alerts.poll_ms"),
        ] {
            let e = load_error(&format!("{SAMPLE}\n[alerts]\n{bad}\n"), &[]);
            assert!(e.contains(key), "{bad}: {e}");
        }
        let e = load_error(
            &format!("{SAMPLE}\n[alerts.ws_urls]\ndevnet = \"http://127.0.0.1:8545\"\n"),
            &[],
        );
        assert!(
            e.contains("alerts.ws_urls.devnet") && e.contains("ws://"),
            "{e}"
        );
        let e = load_error(
            &format!("{SAMPLE}\n[alerts.ws_urls]\nmainnet = \"wss://node.example\"\n"),
            &[],
        );
        assert!(e.contains("unknown market"), "{e}");
    }

    #[test]
    fn an_rpc_url_that_is_not_http_is_refused_with_its_key_and_line() {
        for scheme in ["ws", "ftp"] {
            let text = SAMPLE.replace("http://", &format!("{scheme}://"));
            let e = load_error(&text, &[]);
            assert!(e.contains("markets[0].rpc_url (line 7)"), "{e}");
            assert!(e.contains(&format!("{scheme}://")), "{e}");
        }
        let e = load_error(SAMPLE, &[("LENDESK_RPC_URL", "ws://127.0.0.1:8545")]);
        assert!(e.contains("LENDESK_RPC_URL"), "{e}");
    }

    #[test]
    fn an_unknown_default_market_is_refused_from_the_file_and_the_environment() {
        let text = SAMPLE.replace(
            "default_market = \"devnet\"",
            "default_market = \"mainnet\"",
        );
        let e = load_error(&text, &[]);
        assert!(e.contains("default_market (line 2)"), "{e}");
        assert!(e.contains("\"mainnet\"") && e.contains("devnet"), "{e}");
        let e = load_error(SAMPLE, &[("LENDESK_MARKET", "arbitrum")]);
        assert!(
            e.contains("LENDESK_MARKET") && e.contains("\"arbitrum\""),
            "{e}"
        );
    }

    #[test]
    fn a_config_address_with_a_wrong_checksum_is_refused_with_its_key_and_line() {
        // The right checksum is …180aa3; one letter's case flipped breaks it.
        let text = SAMPLE.replace(
            "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            "0x5FbDB2315678afecb367f032d93F642f64180aA3",
        );
        let e = load_error(&text, &[]);
        assert!(
            e.contains("markets[0].pool_addresses_provider (line 9)"),
            "{e}"
        );
        assert!(e.to_lowercase().contains("checksum"), "{e}");
        // All lower case carries no checksum and is accepted, as on the command line.
        let lower = SAMPLE.replace(
            "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            "0x5fbdb2315678afecb367f032d93f642f64180aa3",
        );
        assert!(Config::parse(&lower, "t").is_ok());
    }

    const PRESETS_FILE: &str = r#"
markets = ["aave-v3-ethereum", "aave-v3-base", { preset = "aave-v3-arbitrum", name = "arb" }]

[rpc.urls]
ethereum = "https://eth.example"
8453 = "https://base.example"
arbitrum = "https://arb.example"
"#;

    #[test]
    fn presets_take_their_chain_and_provider_from_the_address_book_and_urls_per_chain() {
        let c = Config::parse(PRESETS_FILE, "t").unwrap();
        c.validate().unwrap();
        let names: Vec<&str> = c.markets.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["aave-v3-ethereum", "aave-v3-base", "arb"]);
        let eth = &c.markets[0];
        assert_eq!(eth.chain_id, 1);
        assert_eq!(eth.rpc_url, "https://eth.example");
        assert_eq!(
            eth.pool_addresses_provider(),
            Some(alloy::primitives::address!(
                "2f39d218133AFaB8F2B819B1066c7E434Ad94E9e"
            ))
        );
        assert_eq!(eth.preset().map(|p| p.name), Some("aave-v3-ethereum"));
        assert_eq!(c.markets[1].chain_id, 8453);
        assert_eq!(c.markets[1].rpc_url, "https://base.example");
        assert_eq!(c.markets[2].chain_id, 42161);
        assert_eq!(c.markets[2].rpc_url, "https://arb.example");
        // The default market is the first, as with tables; a preset's name selects it.
        assert_eq!(
            c.market(None).map(|m| m.name.as_str()),
            Some("aave-v3-ethereum")
        );
        assert!(c.market(Some("arb")).is_some());
    }

    #[test]
    fn presets_and_full_tables_mix_and_a_table_market_falls_back_to_the_chain_url() {
        let text = r#"
[[markets]]
preset = "aave-v3-ethereum"

[[markets]]
name = "spark"
chain_id = 1
kind = "aave-v3"
pool_addresses_provider = "0x02C3eA4e34C0cBd694D2adFa2c690EECbC1793eE"

[rpc.urls]
ethereum = "https://eth.example"
"#;
        let c = Config::parse(text, "t").unwrap();
        c.validate().unwrap();
        assert_eq!(c.markets[1].name, "spark");
        assert_eq!(c.markets[1].rpc_url, "https://eth.example");
        assert!(c.markets[1].preset().is_none());
        // A preset's key where a fork's keys belong is refused with its line.
        let mixed = text.replace(
            "preset = \"aave-v3-ethereum\"",
            "preset = \"aave-v3-ethereum\"\nchain_id = 1",
        );
        let e = load_error(&mixed, &[]);
        assert!(e.contains("only `name` and `rpc_url`"), "{e}");
    }

    #[test]
    fn an_unknown_preset_is_refused_with_its_line_and_close_names() {
        let text = "\n\nmarkets = [\"aave-v3-etherum\"]\n[rpc.urls]\nethereum = \"https://x\"\n";
        let e = load_error(text, &[]);
        assert!(e.contains("markets[0] (line 3)"), "{e}");
        assert!(e.contains("\"aave-v3-etherum\""), "{e}");
        assert!(e.contains("did you mean aave-v3-ethereum"), "{e}");
        let e = load_error("[[markets]]\npreset = \"aave-v9-mars\"\n", &[]);
        assert!(
            e.contains("markets[0] (line 1)") && e.contains("lendesk markets"),
            "{e}"
        );
    }

    #[test]
    fn a_preset_without_an_rpc_url_for_its_chain_is_refused_until_the_environment_gives_one() {
        let text = PRESETS_FILE.replace("8453 = \"https://base.example\"\n", "");
        let e = load_error(&text, &[]);
        assert!(e.contains("markets[1] (line 2)"), "{e}");
        assert!(e.contains("base (chain 8453)"), "{e}");
        assert!(
            e.contains("LENDESK_RPC_URL_BASE") && e.contains("[rpc.urls]"),
            "{e}"
        );
        // The environment fills the chain's URL (by name or by id), and wins over the file.
        for key in ["LENDESK_RPC_URL_BASE", "LENDESK_RPC_URL_8453"] {
            let mut c = Config::parse(&text, "t").unwrap();
            c.apply_env(|k| (k == key).then(|| "https://env.example".to_string()))
                .unwrap();
            c.validate().unwrap();
            assert_eq!(c.markets[1].rpc_url, "https://env.example", "{key}");
        }
        let mut c = Config::parse(PRESETS_FILE, "t").unwrap();
        c.apply_env(|k| (k == "LENDESK_RPC_URL_ETHEREUM").then(|| "http://127.0.0.1:1".into()))
            .unwrap();
        assert_eq!(c.markets[0].rpc_url, "http://127.0.0.1:1");
        assert_eq!(c.markets[1].rpc_url, "https://base.example");
    }

    #[test]
    fn an_unknown_chain_under_rpc_urls_and_a_duplicate_name_are_refused() {
        let text = PRESETS_FILE.replace("arbitrum = ", "arbitrun = ");
        let e = load_error(&text, &[]);
        assert!(e.contains("rpc.urls.arbitrun (line 7)"), "{e}");
        assert!(e.contains("did you mean arbitrum"), "{e}");
        let twice = PRESETS_FILE.replace("\"aave-v3-base\"", "\"aave-v3-ethereum\"");
        let e = load_error(&twice, &[]);
        assert!(
            e.contains("markets[1].name") && e.contains("used twice"),
            "{e}"
        );
        let ws = PRESETS_FILE.replace("https://arb.example", "ws://arb.example");
        let e = load_error(&ws, &[]);
        assert!(e.contains("rpc.urls.arbitrum (line 7)"), "{e}");
    }

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(parse_decimal("1.01", 2), Some(U256::from(101)));
        assert_eq!(
            parse_decimal("1850.5", 8),
            Some(U256::from(185_050_000_000u64))
        );
        assert_eq!(parse_decimal(".5", 1), Some(U256::from(5)));
        assert_eq!(parse_decimal("1.001", 2), None);
        assert_eq!(parse_decimal("-1", 2), None);
        assert_eq!(parse_decimal("1e5", 2), None);
        assert_eq!(parse_decimal("", 2), None);
    }

    #[test]
    fn a_morpho_blue_market_names_its_contract_and_markets() {
        let text = r#"
[[markets]]
name = "morpho"
chain_id = 1
rpc_url = "https://eth.example"
kind = "morpho-blue"
morpho = "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb"
market_ids = ["0xb323495f7e4148be5643a4ea4a8221eef163e4bccfdedc2a6f4696baacbc86cc"]

[[markets]]
name = "all-of-morpho"
chain_id = 1
rpc_url = "https://eth.example"
kind = "morpho-blue"
morpho = "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb"
"#;
        let c = Config::parse(text, "t").unwrap();
        c.validate().unwrap();
        let morpho = alloy::primitives::address!("BBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb");
        assert_eq!(c.markets[0].kind(), MarketKind::MorphoBlue);
        assert_eq!(c.markets[0].pool_addresses_provider(), None);
        assert_eq!(c.markets[0].root_contract(), morpho);
        let Protocol::MorphoBlue { market_ids, .. } = &c.markets[0].protocol else {
            panic!("a Morpho market");
        };
        assert_eq!(market_ids.len(), 1);
        let Protocol::MorphoBlue { market_ids, .. } = &c.markets[1].protocol else {
            panic!("a Morpho market");
        };
        assert!(
            market_ids.is_empty(),
            "none: found from CreateMarket events"
        );

        for (bad, expected) in [
            ("market_ids = [\"0x12\"]", "not a Morpho market id"),
            (
                "pool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"",
                "no pool_addresses_provider",
            ),
        ] {
            let text = format!(
                "[[markets]]\nname = \"m\"\nchain_id = 1\nrpc_url = \"https://e.example\"\nkind = \"morpho-blue\"\nmorpho = \"0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb\"\n{bad}\n"
            );
            let e = Config::parse(&text, "t").unwrap_err().to_string();
            assert!(e.contains(expected), "{e}");
        }
        let aave_with_morpho = "[[markets]]\nname = \"m\"\nchain_id = 1\nkind = \"aave-v3\"\npool_addresses_provider = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\nmorpho = \"0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb\"\n";
        let e = Config::parse(aave_with_morpho, "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("belong to a market of kind"), "{e}");
    }
}
