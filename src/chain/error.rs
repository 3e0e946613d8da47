//! Errors of the chain core: what a caller can act on (bad input, node down, not a market).

use std::time::Duration;

use super::address::AddressError;

/// Everything reading the chain can fail with. Clone: one failed request fails every market
/// it was reading.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChainError {
    /// The user's input is not a usable address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The node could not be reached (refused, DNS, TLS, HTTP error).
    #[error("the RPC node at {url} is unavailable: {detail}")]
    RpcUnavailable {
        /// Endpoint (without credentials).
        url: String,
        /// Transport detail for operators.
        detail: String,
    },
    /// The node did not answer in time.
    #[error("the RPC node at {url} did not answer within {} ms", .timeout.as_millis())]
    RpcTimeout {
        /// Endpoint (without credentials).
        url: String,
        /// The configured limit.
        timeout: Duration,
    },
    /// The node answers for another chain than configured.
    #[error("the RPC node at {url} serves chain {actual}, but the market expects chain {expected}")]
    WrongChain {
        /// Endpoint.
        url: String,
        /// Configured chain id.
        expected: u64,
        /// Reported chain id.
        actual: u64,
    },
    /// A contract the market needs is missing or does not behave like Aave v3 / Multicall3.
    #[error("{0}")]
    NotAMarket(String),
    /// An answer could not be decoded.
    #[error("unexpected answer from the chain: {0}")]
    Decode(String),
    /// The configured RPC URL is malformed.
    #[error("invalid RPC URL {url:?}: {detail}")]
    BadRpcUrl {
        /// The URL.
        url: String,
        /// Why.
        detail: String,
    },
}
