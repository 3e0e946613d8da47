//! lendesk: an open-source help desk for DeFi lending.
//!
//! Data flows one way: adapters → `desk` → services (`chain`, `knowledge`, `tickets`) → `store`.
//! `devnet` sits beside them: it starts Anvil with a real Aave v3 market for demos and tests.

pub mod chain;
pub mod cli;
pub mod config;
pub mod desk;
pub mod devnet;
pub mod knowledge;
pub mod lang;
pub mod staff;
pub mod store;
pub mod telegram;
pub mod tickets;
