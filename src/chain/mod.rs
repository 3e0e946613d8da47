//! The chain core: reads lending positions through alloy and judges their risk.
//!
//! Owns the contract bindings, one reader module per protocol, batched reads, and the risk
//! math as pure functions over `U256`. It knows nothing of chats, tickets or storage.

pub mod aave_v3;
pub mod address;
pub mod batch;
pub mod bindings;
pub mod discovered;
pub mod error;
pub mod format;
pub mod liquidation;
pub mod markets;
pub mod math;
pub mod morpho_blue;
pub mod position;
pub mod presets;
pub mod report;
pub mod risk;
pub mod rpc;
pub mod rules;
#[cfg(test)]
mod test_fixtures;
pub mod transport;

pub use address::{AddressError, Shown, parse_address};
pub use error::ChainError;
