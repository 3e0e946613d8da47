//! The one error type of the devnet: every failure it can report, typed.
//!
//! Nothing in `devnet` panics on input from outside (files, processes, RPC answers); each such
//! failure becomes one of these variants with enough context to act on.

use std::path::PathBuf;

use alloy::primitives::{Address, B256, U256};

/// Everything that can go wrong while starting, driving or stopping a devnet.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// A file or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// `npm ci` in the devnet folder did not succeed.
    #[error("`npm ci` in {dir} failed: {detail}")]
    NpmInstall {
        /// The devnet folder.
        dir: PathBuf,
        /// Exit status and the tail of npm's output.
        detail: String,
    },

    /// No Anvil binary on PATH nor in `devnet/node_modules/.bin`.
    #[error("anvil not found: looked on PATH and at {}", .searched.display())]
    AnvilNotFound {
        /// The node_modules path that was tried.
        searched: PathBuf,
    },

    /// Anvil exited before it answered RPC.
    #[error("anvil exited early ({status}): {stderr}")]
    AnvilExited {
        /// Exit status as printed by the OS.
        status: String,
        /// The last lines Anvil wrote to stderr.
        stderr: String,
    },

    /// Anvil did not answer `eth_chainId` in time.
    #[error("anvil at {url} did not answer eth_chainId within {waited_ms} ms")]
    AnvilNotReady {
        /// The RPC URL polled.
        url: String,
        /// How long we waited.
        waited_ms: u128,
    },

    /// Anvil answered with a chain id other than 31337.
    #[error("anvil reports chain id {got}, expected {expected}")]
    WrongChainId {
        /// What we want.
        expected: u64,
        /// What Anvil said.
        got: u64,
    },

    /// A contract artifact is missing or malformed, or cannot be linked.
    #[error("artifact {}: {reason}", .path.display())]
    Artifact {
        /// The artifact JSON file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A JSON-RPC request failed at the transport or node level.
    #[error("rpc {method} failed: {source}")]
    Rpc {
        /// The method or the action being performed.
        method: String,
        /// The underlying alloy transport error.
        #[source]
        source: alloy::transports::TransportError,
    },

    /// A transaction or call reverted.
    #[error("{context} reverted: {reason}")]
    Reverted {
        /// What was being done (e.g. `deploy Pool`, `supply USDC for #1`).
        context: String,
        /// The decoded revert reason (Aave codes are expanded), or `unknown`.
        reason: String,
        /// The hash of the mined failed transaction, when there is one.
        tx_hash: Option<B256>,
    },

    /// An RPC answer did not have the expected shape.
    #[error("unexpected answer to {context}: {detail}")]
    UnexpectedResponse {
        /// What was being done.
        context: String,
        /// What was wrong.
        detail: String,
    },

    /// A token symbol the manifest does not know.
    #[error("unknown token {symbol:?}; known tokens: {}", .known.join(", "))]
    UnknownToken {
        /// The symbol asked for.
        symbol: String,
        /// The symbols the devnet has.
        known: Vec<String>,
    },

    /// A market name `devnet.json` does not describe (`--market`).
    #[error("unknown devnet market {name:?}; devnet.json describes: {}", .known.join(", "))]
    UnknownMarket {
        /// The name asked for.
        name: String,
        /// The markets the devnet runs.
        known: Vec<String>,
    },

    /// The devnet described has no Morpho Blue (a `devnet.json` written before it had one).
    #[error(
        "this devnet has no Morpho Blue markets (devnet.json has no \"morpho\"); restart `lendesk devnet`"
    )]
    NoMorpho,

    /// The manifest has no account with this profile.
    #[error("the manifest has no {0:?} account")]
    MissingAccount(String),

    /// A price string could not be turned into an 8-decimal answer.
    #[error("invalid price {input:?}: {reason}")]
    InvalidPrice {
        /// The text given.
        input: String,
        /// Why it was rejected.
        reason: String,
    },

    /// The oracle did not report the price that was just written.
    #[error("oracle price for {symbol} is {got} after the update, expected {expected}")]
    PriceNotApplied {
        /// The token.
        symbol: String,
        /// The 8-dp answer written.
        expected: U256,
        /// The price the oracle returned.
        got: U256,
    },

    /// A deployment step produced no contract.
    #[error("deploying {name} produced no contract (tx {tx_hash})")]
    NoContract {
        /// The contract name.
        name: String,
        /// The deployment transaction.
        tx_hash: B256,
    },

    /// A demo account ended up far from its health-factor target.
    #[error(
        "seeded account {address} ({profile}) has health factor {got}, expected about {expected}"
    )]
    SeedMismatch {
        /// The account.
        address: Address,
        /// Its profile.
        profile: String,
        /// The target, as text.
        expected: String,
        /// The health factor found (wad).
        got: U256,
    },

    /// A manifest or cache file could not be parsed or written as JSON.
    #[error("{context}: {source}")]
    Json {
        /// What was being read or written.
        context: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },

    /// The URL given for an RPC endpoint is not a URL.
    #[error("invalid rpc url {url:?}: {reason}")]
    InvalidUrl {
        /// The text given.
        url: String,
        /// The parser's complaint.
        reason: String,
    },
}

impl DevnetError {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// Wraps a transport error with the RPC method or action.
    pub(crate) fn rpc(
        method: impl Into<String>,
        source: alloy::transports::TransportError,
    ) -> Self {
        Self::Rpc {
            method: method.into(),
            source,
        }
    }

    /// Wraps a serde_json error with what was being parsed or written.
    pub(crate) fn json(context: impl Into<String>, source: serde_json::Error) -> Self {
        Self::Json {
            context: context.into(),
            source,
        }
    }

    /// An answer with an unexpected shape.
    pub(crate) fn unexpected(context: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::UnexpectedResponse {
            context: context.into(),
            detail: detail.into(),
        }
    }
}
