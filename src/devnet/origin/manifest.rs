//! What a v3.6 devnet holds: addresses of the market's contracts, its reserves and the seeded
//! users. Serializable, so the state cache can keep it next to Anvil's dump.

use std::collections::BTreeMap;

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

/// The market-wide contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginContracts {
    /// `PoolAddressesProvider`: what lendesk is configured with.
    pub pool_addresses_provider: Address,
    /// `ACLManager`.
    pub acl_manager: Address,
    /// The Pool proxy (`PoolInstance`, revision 10).
    pub pool: Address,
    /// The configurator proxy (`PoolConfiguratorInstance`).
    pub pool_configurator: Address,
    /// `AaveOracle` over the mock aggregators.
    pub aave_oracle: Address,
    /// `AaveProtocolDataProvider`.
    pub protocol_data_provider: Address,
    /// The pool-wide `DefaultReserveInterestRateStrategyV2`.
    pub interest_rate_strategy: Address,
    /// Multicall3 at its canonical address (lendesk's reader batches through it).
    pub multicall3: Address,
    /// Receives the protocol's share (an Anvil account).
    pub treasury: Address,
    /// Linked logic libraries by name.
    pub libraries: BTreeMap<String, Address>,
}

/// One listed reserve: the same record as the v3.0 market's (its stable debt token is what the
/// data provider returns, zero since v3.2).
pub type OriginReserve = crate::devnet::TokenInfo;

/// One seeded user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginUser {
    /// `emode`, `near_liquidation`, `small` or `two_debts` (see [`super::spec::USERS`]).
    pub role: String,
    /// The account.
    pub address: Address,
    /// Its E-Mode category (0 = none).
    pub emode: u8,
}

/// Everything deployed and seeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginManifest {
    /// Chain id ([`super::ORIGIN_CHAIN_ID`], 31338).
    pub chain_id: u64,
    /// The RPC URL of the Anvil it runs on.
    pub rpc_url: String,
    /// The artifact cache key (package versions + compile script version).
    pub artifacts_key: String,
    /// Market-wide contracts.
    pub contracts: OriginContracts,
    /// Reserves in listing order.
    pub reserves: Vec<OriginReserve>,
    /// Seeded users.
    pub users: Vec<OriginUser>,
    /// The account that liquidates.
    pub liquidator: Address,
}

impl OriginManifest {
    /// A reserve by symbol.
    pub fn reserve(&self, symbol: &str) -> Option<&OriginReserve> {
        self.reserves.iter().find(|r| r.symbol == symbol)
    }

    /// A seeded user by role.
    pub fn user(&self, role: &str) -> Option<&OriginUser> {
        self.users.iter().find(|u| u.role == role)
    }
}
