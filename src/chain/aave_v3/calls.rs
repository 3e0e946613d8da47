//! Every contract function the Aave v3 reader calls, in one list: which interface it belongs
//! to, the releases it is called on, and the output layout the reader decodes.
//!
//! The reader's bindings are the current interfaces from the address book
//! ([`bindings::mainnet`](crate::chain::bindings::mainnet)). A test checks each entry against
//! `abis/aave-address-book/` and, for calls made on v3.0 pools, against the v3.0 ABIs in
//! `abis/` (same selector, same canonical output types); another checks that every call in the
//! reader's batches is listed here.

use alloy::sol_types::SolCall;

use crate::chain::bindings::Multicall3;
use crate::chain::bindings::mainnet::{
    IAToken, IAaveOracle, IERC20Detailed, IPool, IPoolAddressesProvider, IPoolProbes,
};
use crate::chain::position::AaveVersion;

/// The interface a call belongs to, and where its ABI lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    /// The Pool.
    Pool,
    /// The PoolAddressesProvider.
    AddressesProvider,
    /// The AaveOracle.
    Oracle,
    /// Tokens: underlyings, aTokens, debt tokens.
    Erc20,
    /// aTokens and variable debt tokens as scaled-balance tokens (the watcher's reads).
    ScaledBalanceToken,
    /// Pool getters no interface ABI declares (`PoolInstance.POOL_REVISION`, 3.7 getters).
    PoolProbes,
    /// Multicall3's own getters.
    Multicall3,
}

impl Interface {
    /// The address book's ABI file (None: the address book has no such interface).
    pub fn address_book_abi(self) -> Option<&'static str> {
        match self {
            Self::Pool => Some("abis/aave-address-book/IPool.json"),
            Self::AddressesProvider => Some("abis/aave-address-book/IPoolAddressesProvider.json"),
            Self::Oracle => Some("abis/aave-address-book/IAaveOracle.json"),
            Self::Erc20 => Some("abis/aave-address-book/IERC20Detailed.json"),
            Self::ScaledBalanceToken => Some("abis/aave-address-book/IAToken.json"),
            Self::PoolProbes | Self::Multicall3 => None,
        }
    }

    /// The ABI file of the same interface in v3.0 (the devnet's `@aave/core-v3@1.19.3`).
    pub fn v3_0_abi(self) -> Option<&'static str> {
        match self {
            Self::Pool => Some("abis/IPool.json"),
            Self::AddressesProvider => Some("abis/IPoolAddressesProvider.json"),
            Self::Oracle => Some("abis/IAaveOracle.json"),
            Self::Erc20 => Some("abis/IERC20Detailed.json"),
            Self::ScaledBalanceToken => Some("abis/IScaledBalanceToken.json"),
            Self::Multicall3 => Some("abis/Multicall3.json"),
            Self::PoolProbes => None,
        }
    }
}

/// On which pools the reader makes a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// On every pool, v3.0 included.
    Everywhere,
    /// Only on pools older than this release.
    Before(AaveVersion),
    /// Only on pools at or after this release.
    Since(AaveVersion),
    /// At discovery, to learn whether the pool has it: a revert is an answer, not an error.
    Probe,
}

impl Use {
    /// True when the reader makes the call on a pool of `version` (probes: on every pool).
    pub fn on(self, version: AaveVersion) -> bool {
        match self {
            Self::Everywhere | Self::Probe => true,
            Self::Before(v) => version < v,
            Self::Since(v) => version >= v,
        }
    }
}

/// One function the reader calls.
#[derive(Debug, Clone, Copy)]
pub struct ReaderCall {
    /// Its interface.
    pub interface: Interface,
    /// `name(types)`.
    pub signature: &'static str,
    /// The 4-byte selector the bindings encode.
    pub selector: [u8; 4],
    /// The canonical output types the reader decodes, e.g. `(uint256,uint256)`.
    pub outputs: &'static str,
    /// On which pools it is called.
    pub used: Use,
    /// Decodes `data` as the binding's return and encodes it back (None when it does not
    /// decode): lets a test check the binding's layout against [`outputs`](Self::outputs).
    pub round_trip: fn(&[u8]) -> Option<Vec<u8>>,
}

fn round_trip<C: SolCall>(data: &[u8]) -> Option<Vec<u8>> {
    C::abi_decode_returns(data)
        .ok()
        .map(|r| C::abi_encode_returns(&r))
}

macro_rules! call {
    ($interface:ident, $call:ty, $outputs:expr, $used:expr) => {
        ReaderCall {
            interface: Interface::$interface,
            signature: <$call as SolCall>::SIGNATURE,
            selector: <$call as SolCall>::SELECTOR,
            outputs: $outputs,
            used: $used,
            round_trip: round_trip::<$call>,
        }
    };
}

/// Every function the reader calls. Adding a call to a batch without listing it here fails
/// the reader's tests.
pub const CALLS: &[ReaderCall] = &[
    call!(
        AddressesProvider,
        IPoolAddressesProvider::getPoolCall,
        "(address)",
        Use::Everywhere
    ),
    call!(
        AddressesProvider,
        IPoolAddressesProvider::getPriceOracleCall,
        "(address)",
        Use::Everywhere
    ),
    call!(
        Pool,
        IPool::getReservesListCall,
        "(address[])",
        Use::Everywhere
    ),
    call!(
        Pool,
        IPool::getReserveDataCall,
        RESERVE_DATA_OUT,
        Use::Everywhere
    ),
    call!(
        Pool,
        IPool::getUserAccountDataCall,
        "(uint256,uint256,uint256,uint256,uint256,uint256)",
        Use::Everywhere
    ),
    call!(
        Pool,
        IPool::getUserConfigurationCall,
        "((uint256))",
        Use::Everywhere
    ),
    call!(Pool, IPool::getUserEModeCall, "(uint256)", Use::Everywhere),
    call!(
        Pool,
        IPool::getReserveNormalizedIncomeCall,
        "(uint256)",
        Use::Everywhere
    ),
    call!(
        Pool,
        IPool::getReserveNormalizedVariableDebtCall,
        "(uint256)",
        Use::Everywhere
    ),
    call!(
        ScaledBalanceToken,
        IAToken::scaledBalanceOfCall,
        "(uint256)",
        Use::Everywhere
    ),
    call!(
        Pool,
        IPool::getEModeCategoryDataCall,
        "((uint16,uint16,uint16,address,string))",
        Use::Before(AaveVersion::V3_2)
    ),
    call!(
        Pool,
        IPool::getEModeCategoryCollateralConfigCall,
        "((uint16,uint16,uint16))",
        Use::Since(AaveVersion::V3_2)
    ),
    call!(
        Pool,
        IPool::getEModeCategoryLabelCall,
        "(string)",
        Use::Since(AaveVersion::V3_2)
    ),
    call!(
        Pool,
        IPool::getEModeCategoryBorrowableBitmapCall,
        "(uint128)",
        Use::Since(AaveVersion::V3_2)
    ),
    // Read on 3.2+ and also the 3.2 probe.
    call!(
        Pool,
        IPool::getEModeCategoryCollateralBitmapCall,
        "(uint128)",
        Use::Probe
    ),
    // Read on 3.6+ and also the 3.6 probe.
    call!(
        Pool,
        IPool::getEModeCategoryLtvzeroBitmapCall,
        "(uint128)",
        Use::Probe
    ),
    call!(
        Pool,
        IPool::getLiquidationGracePeriodCall,
        "(uint40)",
        Use::Probe
    ),
    call!(Pool, IPool::getReserveDeficitCall, "(uint256)", Use::Probe),
    call!(
        Pool,
        IPool::RESERVE_INTEREST_RATE_STRATEGYCall,
        "(address)",
        Use::Probe
    ),
    call!(
        PoolProbes,
        IPoolProbes::POOL_REVISIONCall,
        "(uint256)",
        Use::Probe
    ),
    call!(
        PoolProbes,
        IPoolProbes::getIsEModeCategoryIsolatedCall,
        "(bool)",
        Use::Probe
    ),
    call!(
        Oracle,
        IAaveOracle::BASE_CURRENCY_UNITCall,
        "(uint256)",
        Use::Everywhere
    ),
    call!(
        Oracle,
        IAaveOracle::getAssetsPricesCall,
        "(uint256[])",
        Use::Everywhere
    ),
    call!(
        Oracle,
        IAaveOracle::getAssetPriceCall,
        "(uint256)",
        Use::Before(AaveVersion::V3_2)
    ),
    call!(
        Erc20,
        IERC20Detailed::symbolCall,
        "(string)",
        Use::Everywhere
    ),
    call!(
        Erc20,
        IERC20Detailed::decimalsCall,
        "(uint8)",
        Use::Everywhere
    ),
    call!(
        Erc20,
        IERC20Detailed::balanceOfCall,
        "(uint256)",
        Use::Everywhere
    ),
    call!(
        Erc20,
        IERC20Detailed::totalSupplyCall,
        "(uint256)",
        Use::Everywhere
    ),
    call!(
        Multicall3,
        Multicall3::getBlockNumberCall,
        "(uint256)",
        Use::Everywhere
    ),
    call!(
        Multicall3,
        Multicall3::getCurrentBlockTimestampCall,
        "(uint256)",
        Use::Everywhere
    ),
];

/// `getReserveData`'s output: the legacy reserve struct every release still returns (outputs
/// are written as the tuple of all return values, so the struct is nested once).
const RESERVE_DATA_OUT: &str = "(((uint256),uint128,uint128,uint128,uint128,uint128,uint40,uint16,address,address,address,address,uint128,uint128,uint128))";

/// The listed call with this selector.
pub fn find(selector: [u8; 4]) -> Option<&'static ReaderCall> {
    CALLS.iter().find(|c| c.selector == selector)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use alloy::dyn_abi::{DynSolType, DynSolValue};
    use alloy::json_abi::{Function, JsonAbi};
    use alloy::primitives::{Address, I256, U256};

    use super::*;

    fn load(path: &str) -> JsonAbi {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        // Some files are artifacts with the ABI under "abi".
        if let Some(abi) = value.get_mut("abi") {
            value = abi.take();
        }
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn outputs(f: &Function) -> String {
        let types: Vec<_> = f.outputs.iter().map(|p| p.selector_type()).collect();
        format!("({})", types.join(","))
    }

    /// The function of `abi` with `call`'s signature, checked for selector and outputs.
    fn check_in(abi_path: &str, call: &ReaderCall) -> Result<(), String> {
        let abi = load(abi_path);
        let name = call.signature.split('(').next().unwrap_or_default();
        let Some(f) = abi
            .function(name)
            .and_then(|fs| fs.iter().find(|f| f.signature() == call.signature))
        else {
            return Err(format!("{abi_path} has no {}", call.signature));
        };
        if f.selector().0 != call.selector {
            return Err(format!(
                "{abi_path}: {} has another selector",
                call.signature
            ));
        }
        if outputs(f) != call.outputs {
            return Err(format!(
                "{abi_path}: {} returns {}, the reader decodes {}",
                call.signature,
                outputs(f),
                call.outputs
            ));
        }
        Ok(())
    }

    /// A value of `ty` with every bit of every number set, so a binding that decodes a
    /// narrower type does not give the same bytes back.
    fn sample(ty: &DynSolType) -> DynSolValue {
        match ty {
            DynSolType::Bool => DynSolValue::Bool(true),
            DynSolType::Int(n) => DynSolValue::Int(I256::MINUS_ONE, *n),
            DynSolType::Uint(n) => DynSolValue::Uint(U256::MAX >> (256 - n), *n),
            DynSolType::FixedBytes(n) => DynSolValue::FixedBytes(
                alloy::primitives::B256::left_padding_from(&vec![0xab; *n]),
                *n,
            ),
            DynSolType::Address => DynSolValue::Address(Address::repeat_byte(0xab)),
            DynSolType::Bytes => DynSolValue::Bytes(vec![1, 2, 3]),
            DynSolType::String => DynSolValue::String("lendesk".into()),
            DynSolType::Array(t) => DynSolValue::Array(vec![sample(t), sample(t)]),
            DynSolType::FixedArray(t, n) => DynSolValue::FixedArray(vec![sample(t); *n]),
            DynSolType::Tuple(ts) => DynSolValue::Tuple(ts.iter().map(sample).collect()),
            other => panic!("no sample for {other}"),
        }
    }

    #[test]
    fn every_call_exists_in_the_address_book_and_on_v3_0_pools_where_it_is_made() {
        let mut problems = Vec::new();
        for call in CALLS {
            match (call.interface.address_book_abi(), call.used) {
                (Some(path), _) => problems.extend(check_in(path, call).err()),
                // Only probes may lack an interface ABI: a revert is their answer.
                (None, Use::Probe) => {}
                (None, _) if call.interface == Interface::Multicall3 => {}
                (None, _) => problems.push(format!("{} is in no ABI", call.signature)),
            }
            let on_v3_0 = matches!(call.used, Use::Everywhere | Use::Before(_));
            if on_v3_0 {
                match call.interface.v3_0_abi() {
                    Some(path) => problems.extend(check_in(path, call).err()),
                    None => problems.push(format!("{} has no v3.0 ABI", call.signature)),
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_bindings_decode_the_listed_output_layouts() {
        for call in CALLS {
            let ty = DynSolType::parse(call.outputs)
                .unwrap_or_else(|e| panic!("{}: {e}", call.signature));
            let data = sample(&ty).abi_encode_params();
            assert_eq!(
                (call.round_trip)(&data).as_deref(),
                Some(&data[..]),
                "{} does not decode {}",
                call.signature,
                call.outputs
            );
        }
    }

    #[test]
    fn a_call_that_mainnet_lacks_is_caught() {
        // The v3.0 legacy stable-rate getter is gone from the address book's Pool.
        let gone = ReaderCall {
            interface: Interface::Pool,
            signature: "getReserveNormalizedStableDebt(address)",
            selector: [0; 4],
            outputs: "(uint256)",
            used: Use::Everywhere,
            round_trip: |_| None,
        };
        assert!(check_in("abis/aave-address-book/IPool.json", &gone).is_err());
        // A layout that differs is caught too: 3.2+'s collateral config is not on v3.0.
        let config = CALLS
            .iter()
            .find(|c| c.signature == "getEModeCategoryCollateralConfig(uint8)")
            .copied();
        let config = config.map(|c| check_in("abis/IPool.json", &c));
        assert!(matches!(config, Some(Err(_))));
    }

    #[test]
    fn selectors_are_unique() {
        let mut seen = HashSet::new();
        for call in CALLS {
            assert!(seen.insert(call.selector), "{} twice", call.signature);
        }
    }
}
