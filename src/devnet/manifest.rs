//! `devnet.json`: what a running devnet contains (contracts, tokens, demo accounts), as serde
//! types other parts of lendesk and outside tools can read.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use alloy::primitives::Address;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::DevnetError;

/// Everything a client needs to talk to a devnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetManifest {
    /// Always 31337.
    pub chain_id: u64,
    /// `http://127.0.0.1:PORT`.
    pub rpc_url: String,
    /// The chain head when the devnet became ready.
    pub block_number: u64,
    /// Aave v3 market contracts.
    pub contracts: Contracts,
    /// The reserves, in listing order.
    pub tokens: Vec<TokenInfo>,
    /// Demo accounts (Anvil default accounts) and what each holds.
    pub accounts: Vec<DemoAccount>,
    /// Versions of what the devnet was built from.
    pub artifacts: ArtifactVersions,
}

/// Market-wide contract addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contracts {
    /// `PoolAddressesProvider`: the market's root.
    pub pool_addresses_provider: Address,
    /// `Pool` proxy.
    pub pool: Address,
    /// `PoolConfigurator` proxy.
    pub pool_configurator: Address,
    /// `ACLManager`.
    pub acl_manager: Address,
    /// `AaveOracle`.
    pub aave_oracle: Address,
    /// `AaveProtocolDataProvider`.
    pub protocol_data_provider: Address,
    /// `UiPoolDataProviderV3` (periphery).
    pub ui_pool_data_provider: Address,
    /// Multicall3 at its canonical address.
    pub multicall3: Address,
    /// Receives reserve-factor income.
    pub treasury: Address,
    /// Linked logic libraries by name.
    pub libraries: BTreeMap<String, Address>,
    /// Interest-rate strategy per token symbol.
    pub interest_rate_strategies: BTreeMap<String, Address>,
}

/// One reserve of the market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// `WETH`, `USDC`, `DAI`, `WBTC`.
    pub symbol: String,
    /// The underlying ERC-20.
    pub address: Address,
    /// Token decimals.
    pub decimals: u8,
    /// Its `MockAggregator` (8-decimal USD answers).
    pub price_feed: Address,
    /// The aToken proxy.
    pub a_token: Address,
    /// The variable debt token proxy.
    pub variable_debt_token: Address,
    /// The stable debt token proxy (zero on a v3.2+ market, which has none).
    pub stable_debt_token: Address,
}

/// What a demo account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Healthy: HF ≈ 2.5.
    Safe,
    /// HF ≈ 1.3.
    Warning,
    /// HF ≈ 1.05: a small price move makes it liquidatable.
    Close,
    /// E-Mode, several collaterals and debts.
    Multi,
    /// No position at all.
    Empty,
    /// Isolation-mode collateral.
    Isolated,
    /// Supplies the market's liquidity.
    Liquidity,
    /// Runs liquidations.
    Liquidator,
}

impl Profile {
    /// Every profile, in account order of the default devnet.
    pub const ALL: [Profile; 8] = [
        Profile::Safe,
        Profile::Warning,
        Profile::Close,
        Profile::Multi,
        Profile::Empty,
        Profile::Isolated,
        Profile::Liquidity,
        Profile::Liquidator,
    ];

    /// The lowercase name used in `devnet.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Safe => "safe",
            Profile::Warning => "warning",
            Profile::Close => "close",
            Profile::Multi => "multi",
            Profile::Empty => "empty",
            Profile::Isolated => "isolated",
            Profile::Liquidity => "liquidity",
            Profile::Liquidator => "liquidator",
        }
    }
}

impl AsRef<str> for Profile {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown profile {s:?}"))
    }
}

/// One of Anvil's default accounts and the position seeded for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAccount {
    /// Index in Anvil's default mnemonic.
    pub index: u32,
    /// The account.
    pub address: Address,
    /// What it is for.
    pub profile: Profile,
    /// A sentence for humans.
    pub description: String,
    /// The health factor the seed aims at, e.g. `"2.5"`; `null` when it has no debt.
    pub expected_health_factor: Option<String>,
}

/// Versions of the tools and artifacts the devnet was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactVersions {
    /// `@aave/core-v3`.
    pub core: String,
    /// `@aave/periphery-v3`.
    pub periphery: String,
    /// Anvil.
    pub anvil: String,
}

impl DevnetManifest {
    /// The reserve with this symbol (case-insensitive).
    pub fn token(&self, symbol: &str) -> Option<&TokenInfo> {
        self.tokens
            .iter()
            .find(|t| t.symbol.eq_ignore_ascii_case(symbol))
    }

    /// The demo account with this profile: `manifest.account(Profile::Close)` or `account("close")`.
    pub fn account(&self, profile: impl AsRef<str>) -> Option<&DemoAccount> {
        let wanted = profile.as_ref();
        self.accounts
            .iter()
            .find(|a| a.profile.as_str().eq_ignore_ascii_case(wanted))
    }

    /// The token symbols, in listing order.
    pub fn symbols(&self) -> Vec<String> {
        self.tokens.iter().map(|t| t.symbol.clone()).collect()
    }

    /// The token with this symbol, or a typed error listing the known ones.
    pub fn require_token(&self, symbol: &str) -> Result<&TokenInfo, DevnetError> {
        self.token(symbol).ok_or_else(|| DevnetError::UnknownToken {
            symbol: symbol.to_string(),
            known: self.symbols(),
        })
    }

    /// The token whose underlying is `address`.
    pub fn token_by_address(&self, address: Address) -> Option<&TokenInfo> {
        self.tokens.iter().find(|t| t.address == address)
    }

    /// Pretty JSON, as written to `devnet.json`.
    pub fn to_json_pretty(&self) -> Result<String, DevnetError> {
        serde_json::to_string_pretty(self)
            .map_err(|e| DevnetError::json("serializing the devnet manifest", e))
    }

    /// Reads a `devnet.json`.
    pub fn read(path: &Path) -> Result<Self, DevnetError> {
        read_json(path)
    }

    /// Writes pretty JSON to `path`.
    pub fn write(&self, path: &Path) -> Result<(), DevnetError> {
        write_json(path, self.to_json_pretty()?)
    }
}

/// Reads and parses a JSON file (`devnet.json`, either shape).
pub(super) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, DevnetError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| DevnetError::io(format!("reading {}", path.display()), e))?;
    serde_json::from_str(&text)
        .map_err(|e| DevnetError::json(format!("parsing {}", path.display()), e))
}

/// Writes `json` to `path` with a final newline.
pub(super) fn write_json(path: &Path, mut json: String) -> Result<(), DevnetError> {
    json.push('\n');
    std::fs::write(path, json)
        .map_err(|e| DevnetError::io(format!("writing {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_round_trip_as_lowercase() {
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>(), Ok(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        assert!("nope".parse::<Profile>().is_err());
    }
}
