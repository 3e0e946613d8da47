//! `devnet.json`: what a running devnet contains (contracts, tokens, demo accounts), as serde
//! types other parts of lendesk and outside tools can read.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use alloy::primitives::{Address, B256, U256};
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
    /// Morpho Blue beside the Aave market (its markets and demo borrowers); absent in a file
    /// written before the devnet had it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub morpho: Option<MorphoManifest>,
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

/// Morpho Blue on the devnet: the contract, its markets on the devnet's tokens and the demo
/// borrowers seeded on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MorphoManifest {
    /// The Morpho contract.
    pub morpho: Address,
    /// Its owner (Anvil's account #0), who enabled the IRM and the LLTVs.
    pub owner: Address,
    /// The interest rate model every market uses (Morpho's `IrmMock`: APR = utilization).
    pub irm: Address,
    /// The key of the compiled artifacts (package and compiler versions, compile script).
    pub artifacts: String,
    /// The markets, in creation order.
    pub markets: Vec<MorphoMarketInfo>,
    /// The demo borrowers, by account index.
    pub accounts: Vec<MorphoDemoAccount>,
}

/// One Morpho market of the devnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MorphoMarketInfo {
    /// A short name: `"WETH/USDC 86%"` (collateral/loan, LLTV).
    pub name: String,
    /// `keccak256(abi.encode(marketParams))`, Morpho's market id.
    pub id: B256,
    /// The loan token's symbol (a reserve of the Aave market).
    pub loan_symbol: String,
    /// The loan token.
    pub loan_token: Address,
    /// The collateral token's symbol.
    pub collateral_symbol: String,
    /// The collateral token.
    pub collateral_token: Address,
    /// The market's own `OracleMock`.
    pub oracle: Address,
    /// Its interest rate model.
    pub irm: Address,
    /// Liquidation loan-to-value, wad, as a decimal string (`"860000000000000000"` = 86%).
    #[serde(with = "decimal")]
    pub lltv: U256,
    /// The oracle price it was created with (loan units per collateral unit × 1e36), decimal
    /// string; `lendesk devnet price` moves the oracle with the tokens' Aave feeds.
    #[serde(with = "decimal")]
    pub oracle_price: U256,
}

/// A demo account with Morpho positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MorphoDemoAccount {
    /// Index in Anvil's default mnemonic (#10 and up are Morpho's own; #1 is also Aave's
    /// "safe" account).
    pub index: u32,
    /// The account.
    pub address: Address,
    /// What it shows: `"safe"`, `"warning"`, `"close"`, `"multi"` (two markets) or `"both"`
    /// (also an Aave demo borrower).
    pub profile: String,
    /// A sentence for humans, with the amounts.
    pub description: String,
    /// Its positions, one per market used.
    pub positions: Vec<MorphoDemoPosition>,
}

/// One seeded Morpho position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MorphoDemoPosition {
    /// The market's short name ([`MorphoMarketInfo::name`]).
    pub market: String,
    /// The market's id.
    pub market_id: B256,
    /// Collateral supplied, raw units of the collateral token, decimal string.
    #[serde(with = "decimal")]
    pub collateral: U256,
    /// Loan token borrowed at seed time, raw units, decimal string.
    #[serde(with = "decimal")]
    pub borrowed: U256,
    /// The health factor the seed aims at (Morpho's: max borrow ÷ borrowed), e.g. `"1.05"`.
    pub expected_health_factor: String,
}

impl MorphoManifest {
    /// The market with this name or id (`0x…`), case-insensitive.
    pub fn market(&self, name_or_id: &str) -> Option<&MorphoMarketInfo> {
        let wanted = name_or_id.trim();
        self.markets.iter().find(|m| {
            m.name.eq_ignore_ascii_case(wanted) || m.id.to_string().eq_ignore_ascii_case(wanted)
        })
    }

    /// The demo account with this profile (`"close"`, `"multi"`, …).
    pub fn account(&self, profile: &str) -> Option<&MorphoDemoAccount> {
        self.accounts
            .iter()
            .find(|a| a.profile.eq_ignore_ascii_case(profile.trim()))
    }

    /// The markets whose loan or collateral token is `symbol`.
    pub fn markets_of<'a>(&'a self, symbol: &'a str) -> impl Iterator<Item = &'a MorphoMarketInfo> {
        self.markets.iter().filter(move |m| {
            m.loan_symbol.eq_ignore_ascii_case(symbol)
                || m.collateral_symbol.eq_ignore_ascii_case(symbol)
        })
    }
}

impl MorphoMarketInfo {
    /// The market's parameters as Morpho takes them.
    pub fn params(&self) -> crate::chain::bindings::morpho::Morpho::MarketParams {
        crate::chain::bindings::morpho::Morpho::MarketParams {
            loanToken: self.loan_token,
            collateralToken: self.collateral_token,
            oracle: self.oracle,
            irm: self.irm,
            lltv: self.lltv,
        }
    }
}

/// A `U256` as a decimal string in JSON (wads and 1e36 prices exceed JSON's safe integers).
mod decimal {
    use alloy::primitives::U256;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &U256, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<U256, D::Error> {
        let text = String::deserialize(deserializer)?;
        U256::from_str_radix(text.trim(), 10).map_err(serde::de::Error::custom)
    }
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

/// A devnet manifest for unit tests: placeholder addresses, no tokens or accounts; with two
/// Morpho markets ("M17", "M34") when `morpho`.
#[cfg(test)]
pub(super) fn sample(morpho: bool) -> DevnetManifest {
    let a = Address::repeat_byte(1);
    let market = |byte: u8| MorphoMarketInfo {
        name: format!("M{byte}"),
        id: B256::repeat_byte(byte),
        loan_symbol: "USDC".into(),
        loan_token: a,
        collateral_symbol: "WETH".into(),
        collateral_token: a,
        oracle: a,
        irm: a,
        lltv: U256::from(1u64),
        oracle_price: U256::from(1u64),
    };
    DevnetManifest {
        chain_id: 31337,
        rpc_url: "http://127.0.0.1:8545".into(),
        block_number: 1,
        contracts: Contracts {
            pool_addresses_provider: Address::repeat_byte(0xab),
            pool: a,
            pool_configurator: a,
            acl_manager: a,
            aave_oracle: a,
            protocol_data_provider: a,
            ui_pool_data_provider: a,
            multicall3: a,
            treasury: a,
            libraries: Default::default(),
            interest_rate_strategies: Default::default(),
        },
        tokens: vec![],
        accounts: vec![],
        artifacts: ArtifactVersions {
            core: "1.19.3".into(),
            periphery: "3.0.1".into(),
            anvil: "1.7.1".into(),
        },
        morpho: morpho.then(|| MorphoManifest {
            morpho: Address::repeat_byte(0xcd),
            owner: a,
            irm: a,
            artifacts: "k".into(),
            markets: vec![market(0x11), market(0x22)],
            accounts: vec![],
        }),
    }
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

    fn morpho() -> MorphoManifest {
        let a = Address::repeat_byte(7);
        MorphoManifest {
            morpho: a,
            owner: a,
            irm: a,
            artifacts: "morpho-1.0.0_solc-0.8.19_script-1".into(),
            markets: vec![MorphoMarketInfo {
                name: "WETH/USDC 86%".into(),
                id: B256::repeat_byte(0xab),
                loan_symbol: "USDC".into(),
                loan_token: a,
                collateral_symbol: "WETH".into(),
                collateral_token: a,
                oracle: a,
                irm: a,
                lltv: U256::from(860_000_000_000_000_000u64),
                oracle_price: U256::from(2u64) * U256::from(10u64).pow(U256::from(27)),
            }],
            accounts: vec![],
        }
    }

    #[test]
    fn morpho_figures_are_decimal_strings_and_ids_hex() {
        let json = serde_json::to_value(morpho()).unwrap();
        let market = &json["markets"][0];
        assert_eq!(market["lltv"], "860000000000000000");
        assert_eq!(market["oracle_price"], "2000000000000000000000000000");
        assert_eq!(market["id"], format!("0x{}", "ab".repeat(32)));
        let back: MorphoManifest = serde_json::from_value(json).unwrap();
        assert_eq!(back, morpho());
        assert!(back.market("weth/usdc 86%").is_some());
        assert!(back.market(&format!("0x{}", "AB".repeat(32))).is_some());
        assert_eq!(back.markets_of("weth").count(), 1);
        assert_eq!(back.markets_of("DAI").count(), 0);
    }

    #[test]
    fn a_manifest_without_morpho_still_parses_and_is_written_without_it() {
        let old = r#"{"chain_id": 31337, "rpc_url": "http://127.0.0.1:8545", "block_number": 1,
            "contracts": {"pool_addresses_provider": "0x0000000000000000000000000000000000000001",
              "pool": "0x0000000000000000000000000000000000000001",
              "pool_configurator": "0x0000000000000000000000000000000000000001",
              "acl_manager": "0x0000000000000000000000000000000000000001",
              "aave_oracle": "0x0000000000000000000000000000000000000001",
              "protocol_data_provider": "0x0000000000000000000000000000000000000001",
              "ui_pool_data_provider": "0x0000000000000000000000000000000000000001",
              "multicall3": "0x0000000000000000000000000000000000000001",
              "treasury": "0x0000000000000000000000000000000000000001",
              "libraries": {}, "interest_rate_strategies": {}},
            "tokens": [], "accounts": [],
            "artifacts": {"core": "1.19.3", "periphery": "3.0.1", "anvil": "1.7.1"}}"#;
        let manifest: DevnetManifest = serde_json::from_str(old).unwrap();
        assert_eq!(manifest.morpho, None);
        assert!(!manifest.to_json_pretty().unwrap().contains("morpho"));
        let mut with = manifest.clone();
        with.morpho = Some(morpho());
        let text = with.to_json_pretty().unwrap();
        assert_eq!(serde_json::from_str::<DevnetManifest>(&text).unwrap(), with);
    }
}
