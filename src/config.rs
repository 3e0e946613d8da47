//! The configuration file (`lendesk.toml`) and the environment variables that override it.
//!
//! Owns parsing and validation only; each service takes the part it needs. Every error names
//! the setting (and its line in the file, where there is one).

mod toml_lines;

use std::path::Path;
use std::time::Duration;

use alloy::primitives::{Address, U256};
use serde::Deserialize;

use crate::chain::math::WAD;

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
            Self::Invalid { key, message } => match toml_lines::line_of(text, &key) {
                Some(line) => Self::InvalidAt { key, line, message },
                None => Self::Invalid { key, message },
            },
            other => other,
        }
    }
}

/// Which protocol a market speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MarketKind {
    /// Aave v3 and its forks.
    #[serde(rename = "aave-v3")]
    AaveV3,
}

/// One lending market to read positions from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketConfig {
    /// Short name users and operators refer to (`--market NAME`).
    pub name: String,
    /// Expected chain id of the RPC node.
    pub chain_id: u64,
    /// JSON-RPC endpoint.
    pub rpc_url: String,
    /// Protocol.
    pub kind: MarketKind,
    /// Aave's PoolAddressesProvider; Pool, oracle and data provider are discovered from it.
    #[serde(deserialize_with = "checksummed")]
    pub pool_addresses_provider: Address,
    /// Multicall3 address (default: the canonical 0xcA11…CA11).
    #[serde(default = "default_multicall3", deserialize_with = "checksummed")]
    pub multicall3: Address,
}

/// The canonical Multicall3 address, the same on every EVM chain.
pub const MULTICALL3: Address =
    alloy::primitives::address!("cA11bde05977b3631167028862bE2a173976CA11");

fn default_multicall3() -> Address {
    MULTICALL3
}

/// An address as the CLI takes one: mixed case must be a valid EIP-55 checksum.
fn checksummed<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
    let text = String::deserialize(d)?;
    crate::chain::parse_address(&text).map_err(serde::de::Error::custom)
}

/// An RPC endpoint: an http:// or https:// URL.
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
}

impl Default for RpcConfig {
    fn default() -> Self {
        Self { timeout_ms: 5_000 }
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
}

impl Default for TelegramConfig {
    fn default() -> Self {
        Self {
            api_url: None,
            staff_chat: None,
            admins: Vec::new(),
            staff_lang: "en".into(),
            flood_messages_per_minute: 20,
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Market used when none is named.
    #[serde(default)]
    pub default_market: Option<String>,
    /// Markets, at least one for position answers.
    #[serde(default)]
    pub markets: Vec<MarketConfig>,
    /// Risk settings.
    #[serde(default)]
    pub risk: RiskConfig,
    /// RPC settings.
    #[serde(default)]
    pub rpc: RpcConfig,
    /// Desk settings.
    #[serde(default)]
    pub desk: DeskConfig,
    /// First-response targets for tickets.
    #[serde(default)]
    pub support: crate::tickets::SlaConfig,
    /// The Telegram bot.
    #[serde(default)]
    pub telegram: TelegramConfig,
}

impl Config {
    /// Reads `path` if it exists (a missing default file is an empty config), then applies
    /// environment overrides: `LENDESK_RPC_URL` (the default market's endpoint),
    /// `LENDESK_MARKET` (default market), `LENDESK_RPC_TIMEOUT_MS`, `LENDESK_TARGET_HF`,
    /// `LENDESK_DATA_DIR`, `LENDESK_FAQ_DIR`, `TELOXIDE_API_URL` (the Bot API base URL),
    /// `LENDESK_STAFF_CHAT` and `LENDESK_ADMINS` (comma-separated ids).
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

    /// Parses TOML text; an error names the setting and line it stopped at.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let at = e.span().map(|span| span.start);
            ConfigError::Parse {
                path: origin.to_string(),
                key: at.and_then(|offset| toml_lines::key_at(text, offset)),
                line: at.map(|offset| toml_lines::line_at(text, offset)),
                message: e.message().trim().to_string(),
            }
        })
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(name) = var("LENDESK_MARKET") {
            self.check_market_name("LENDESK_MARKET", &name)?;
            self.default_market = Some(name);
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
        if crate::lang::Lang::from_code(&self.telegram.staff_lang).is_none() {
            return Err(ConfigError::Invalid {
                key: "telegram.staff_lang".into(),
                message: "must be \"en\" or \"zh\"".into(),
            });
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
        for (i, m) in self.markets.iter().enumerate() {
            if self.markets[..i].iter().any(|o| o.name == m.name) {
                return Err(ConfigError::invalid(
                    format!("markets[{i}].name"),
                    format!("market name {:?} is used twice", m.name),
                ));
            }
            check_rpc_url(&format!("markets[{i}].rpc_url"), &m.rpc_url)?;
        }
        if let Some(name) = &self.default_market {
            self.check_market_name("default_market", name)?;
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
}
