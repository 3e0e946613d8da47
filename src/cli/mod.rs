//! Command bodies for the `lendesk` binary: each returns text to print or a typed error that
//! knows its exit code. The console adapters of the desk live here too.

pub mod bench;
pub mod bench_watch;
pub mod bot;
pub mod console;
pub mod demo;
pub mod logging;
pub mod markets;
pub mod position;
pub mod store;

use std::path::PathBuf;

use alloy::primitives::Address;

use crate::chain::aave_v3::AaveV3Reader;
use crate::chain::report;
use crate::chain::rpc::Rpc;
use crate::chain::{ChainError, parse_address};
use crate::config::{Config, ConfigError, MarketConfig};

/// A command failure, with the exit code scripts can rely on.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The user's input is wrong (address, market name, flags): exit code 2.
    #[error("{0}")]
    BadInput(String),
    /// The RPC node is down, slow or not what was configured: exit code 3.
    #[error("{0}")]
    Chain(ChainError),
    /// Several markets were asked and none could be read: exit code 3.
    #[error("{0}")]
    AllMarketsFailed(String),
    /// The configuration is unusable: exit code 2.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Anything else: exit code 1.
    #[error("{0}")]
    Other(String),
}

impl CommandError {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::BadInput(_) | Self::Config(_) => 2,
            Self::Chain(_) | Self::AllMarketsFailed(_) => 3,
            Self::Other(_) => 1,
        }
    }
}

impl From<ChainError> for CommandError {
    fn from(e: ChainError) -> Self {
        match e {
            ChainError::Address(a) => Self::BadInput(a.to_string()),
            other => Self::Chain(other),
        }
    }
}

/// Loads the config from `path` (the default path may be absent).
pub fn load_config(path: Option<PathBuf>) -> Result<Config, CommandError> {
    let must_exist = path.is_some();
    let path = path.unwrap_or_else(|| PathBuf::from("lendesk.toml"));
    Ok(Config::load(&path, must_exist)?)
}

/// The market to use, with a message that lists the configured ones when the name is unknown.
pub fn select_market<'c>(
    config: &'c Config,
    name: Option<&str>,
) -> Result<&'c MarketConfig, CommandError> {
    if config.markets.is_empty() {
        return Err(CommandError::BadInput(
            "no market is configured: run `lendesk devnet` (it writes lendesk.toml), or name a preset (`markets = [\"aave-v3-ethereum\"]`, see `lendesk markets`) or a [[markets]] table".into(),
        ));
    }
    config.market(name).ok_or_else(|| {
        CommandError::BadInput(format!(
            "unknown market {:?}; configured markets: {}",
            name.or(config.default_market.as_deref())
                .unwrap_or_default(),
            config.market_names().join(", ")
        ))
    })
}

/// A reader for `market` with the config's timeout and stablecoin list.
pub fn reader(config: &Config, market: &MarketConfig) -> Result<AaveV3Reader, CommandError> {
    let rpc = Rpc::connect(&market.rpc_url, config.rpc_timeout()).map_err(CommandError::from)?;
    Ok(AaveV3Reader::new(
        market.clone(),
        rpc,
        config.risk.stablecoins.clone(),
    ))
}

/// `lendesk position <ADDRESS> [--market NAME] [--json]`. Without `--market` it covers every
/// configured market (one market: the same report as with `--market`; several: one section
/// per market worst health first, or a JSON array).
pub async fn position(
    config: &Config,
    address: &str,
    market: Option<&str>,
    json: bool,
) -> Result<String, CommandError> {
    let user: Address =
        parse_address(address).map_err(|e| CommandError::BadInput(e.to_string()))?;
    if market.is_none() && config.markets.len() > 1 {
        return markets::position_everywhere(config, user, json).await;
    }
    let market = select_market(config, market)?;
    if market.kind() == crate::config::MarketKind::MorphoBlue {
        // A Morpho deployment holds many markets: its report is the whole-lookup one, on it
        // alone.
        let only = Config {
            markets: vec![market.clone()],
            default_market: None,
            ..config.clone()
        };
        return markets::position_everywhere(&only, user, json).await;
    }
    let target = config.target_health_factor()?;
    let reader = reader(config, market)?;
    let position = reader.position(user).await?;
    let report = report::assess(&position, target);
    if json {
        let value = report::to_json(&position, &report);
        serde_json::to_string_pretty(&value).map_err(|e| CommandError::Other(e.to_string()))
    } else {
        Ok(position::render_text(&position, &report))
    }
}
