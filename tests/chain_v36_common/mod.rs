//! The shared fixture of the `chain_v36_*` tests: a v3.6 devnet of the test case's own (loaded
//! from the state cache in well under a second), lendesk's reader on it, and the chain's own
//! view (`getUserAccountData`, token balances) to judge lendesk's figures with.
#![allow(dead_code)]

use std::time::Duration;

use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use lendesk::chain::aave_v3::AaveV3Reader;
use lendesk::chain::position::Position;
use lendesk::chain::rpc::Rpc;
use lendesk::config::{MarketConfig, Protocol, RiskConfig};
use lendesk::devnet::origin::abi::{IOriginPool, IOriginToken};
use lendesk::devnet::origin::{OriginDevnet, OriginManifest, OriginOptions};

/// A v3.6 devnet with lendesk's reader on it. Anvil stops when it drops.
pub struct V36 {
    pub devnet: OriginDevnet,
    pub manifest: OriginManifest,
    pub reader: AaveV3Reader,
    pub provider: DynProvider,
}

impl V36 {
    /// A devnet of this case's own: every case starts from the seeded state.
    pub async fn start() -> V36 {
        let devnet = OriginDevnet::start(OriginOptions {
            port: 0,
            fresh: false,
        })
        .await
        .expect("start the v3.6 devnet");
        let manifest = devnet.manifest().clone();
        let reader = reader(&devnet);
        let provider = provider(devnet.rpc_url());
        V36 {
            devnet,
            manifest,
            reader,
            provider,
        }
    }

    /// A seeded user's address by role.
    pub fn user(&self, role: &str) -> Address {
        self.manifest
            .user(role)
            .unwrap_or_else(|| panic!("no {role} user on the v3.6 devnet"))
            .address
    }

    /// lendesk's reading of the user's position now.
    pub async fn position(&self, user: Address) -> Position {
        self.reader.position(user).await.expect("lendesk reads")
    }

    /// Sets `symbol`'s oracle answer (base currency, 8 decimals).
    pub async fn set_price(&self, symbol: &str, price: U256) {
        self.devnet
            .set_price(symbol, price)
            .await
            .unwrap_or_else(|e| panic!("set {symbol} to {price}: {e}"));
    }

    /// The Pool's own health factor for `user`.
    pub async fn chain_hf(&self, user: Address) -> U256 {
        IOriginPool::new(self.manifest.contracts.pool, &self.provider)
            .getUserAccountData(user)
            .call()
            .await
            .expect("getUserAccountData")
            .healthFactor
    }

    /// The user's debt in `symbol` as the variable debt token gives it now.
    pub async fn chain_debt(&self, user: Address, symbol: &str) -> U256 {
        let token = self.reserve(symbol).variable_debt_token;
        self.balance(token, user).await
    }

    /// The user's supplied `symbol` as the aToken gives it now.
    pub async fn chain_supplied(&self, user: Address, symbol: &str) -> U256 {
        let token = self.reserve(symbol).a_token;
        self.balance(token, user).await
    }

    /// The reserve's deficit (bad debt written off, 3.3+).
    pub async fn chain_deficit(&self, symbol: &str) -> U256 {
        IOriginPool::new(self.manifest.contracts.pool, &self.provider)
            .getReserveDeficit(self.reserve(symbol).address)
            .call()
            .await
            .expect("getReserveDeficit")
    }

    fn reserve(&self, symbol: &str) -> &lendesk::devnet::origin::OriginReserve {
        self.manifest
            .reserve(symbol)
            .unwrap_or_else(|| panic!("no {symbol} reserve"))
    }

    async fn balance(&self, token: Address, user: Address) -> U256 {
        IOriginToken::new(token, &self.provider)
            .balanceOf(user)
            .call()
            .await
            .expect("balanceOf")
    }

    /// The chain's latest block number (to show that time passed between read and action).
    pub async fn block(&self) -> u64 {
        self.provider.get_block_number().await.expect("block")
    }
}

/// lendesk's reader on `devnet`'s v3.6 market, configured as `lendesk.toml` configures it.
pub fn reader(devnet: &OriginDevnet) -> AaveV3Reader {
    let manifest = devnet.manifest();
    let market = MarketConfig {
        name: "devnet-v3.6".into(),
        chain_id: manifest.chain_id,
        rpc_url: devnet.rpc_url().into(),
        protocol: Protocol::AaveV3 {
            pool_addresses_provider: manifest.contracts.pool_addresses_provider,
        },
        multicall3: manifest.contracts.multicall3,
    };
    let rpc = Rpc::connect(devnet.rpc_url(), Duration::from_secs(10)).expect("rpc");
    AaveV3Reader::new(market, rpc, RiskConfig::default().stablecoins)
}

/// A plain provider on `url` (no fillers): the chain's own view, independent of lendesk.
pub fn provider(url: &str) -> DynProvider {
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect_http(url.parse().expect("url"))
        .erased()
}

/// `amount × (10000 + bps) / 10000`.
pub fn scaled(amount: U256, bps: i64) -> U256 {
    amount * U256::from((10_000 + bps) as u64) / U256::from(10_000u64)
}

/// Equal within one part per million of `ours`: interest accrues for the seconds between
/// lendesk's read and the transaction's block.
pub fn within_a_ppm(chain: U256, ours: U256) -> bool {
    chain.abs_diff(ours) * U256::from(1_000_000u64) <= ours
}

/// 1e18 × num / den: a health factor from a fraction.
pub fn wad(num: u64, den: u64) -> U256 {
    U256::from(10u64).pow(U256::from(18)) * U256::from(num) / U256::from(den)
}

/// `whole` tokens of `decimals` in the smallest unit.
pub fn tokens(whole: u64, decimals: u8) -> U256 {
    U256::from(whole) * U256::from(10u64).pow(U256::from(decimals))
}
