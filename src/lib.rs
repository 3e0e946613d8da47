//! lendesk: an open-source help desk for DeFi lending.
//!
//! Data flows one way: adapters → `desk` → services (`chain`, `knowledge`, `tickets`) → `store`.
//! `secrets` is a leaf every layer may use: it tells seed phrases and keys apart from ordinary text;
//! `clock` is the adapters' one wall clock; `replica` names this process among replicas and keeps
//! its leases in `store`. `alerts` watches positions block by block over
//! `chain` and `store`.
//! `devnet` sits beside them: it starts Anvil with a real Aave v3 market for demos and tests.

pub mod alerts;
pub mod chain;
pub mod cli;
pub mod clock;
pub mod config;
pub mod desk;
pub mod devnet;
pub mod knowledge;
pub mod lang;
pub mod replica;
pub mod secrets;
pub mod staff;
pub mod store;
pub mod telegram;
pub mod tickets;
