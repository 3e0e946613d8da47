//! A thin JSON-RPC client for driving Anvil: send transactions from unlocked accounts, deploy,
//! read, simulate, and call `anvil_*`/`evm_*` methods, with reverts decoded and counted sends.
//!
//! Transactions go out as `eth_sendTransaction` from `from`/`to`/`data` with an explicit gas
//! limit: Anvil fills nonce and fees itself and mines at once. Where the caller gives no limit,
//! the estimate plus a margin is used ([`with_margin`]): Anvil estimates at one timestamp and the
//! block is mined at a later one, where the first touch of a reserve must also accrue its
//! indexes, so a bare estimate can run out of gas on a loaded machine.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alloy::eips::{BlockId, BlockNumberOrTag};
use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::json_rpc::{RpcRecv, RpcSend};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::sol_types::{Revert, SolCall, SolError};
use alloy::transports::{RpcError, TransportError};

use super::aave_errors;
use super::error::DevnetError;

/// A reverted call: the raw data and a readable reason.
#[derive(Debug, Clone)]
pub struct RevertInfo {
    /// The message of `Error(string)` (for Aave, a numeric code), if the data was one.
    pub message: Option<String>,
    /// A readable reason: Aave codes expanded, otherwise the message or hex data.
    pub reason: String,
}

/// A client for one Anvil endpoint.
#[derive(Debug)]
pub struct DevClient {
    provider: DynProvider,
    url: String,
    sent: AtomicUsize,
}

impl DevClient {
    /// Connects (lazily: nothing is sent yet) to `url`.
    pub fn connect(url: &str) -> Result<Self, DevnetError> {
        let parsed = url.parse().map_err(|e| DevnetError::InvalidUrl {
            url: url.to_string(),
            reason: format!("{e}"),
        })?;
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .connect_http(parsed)
            .erased();
        Ok(Self {
            provider,
            url: url.to_string(),
            sent: AtomicUsize::new(0),
        })
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many transactions this client has sent.
    pub fn transactions_sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// A raw JSON-RPC request (`anvil_setCode`, `evm_mine`, …).
    pub async fn request<P: RpcSend, R: RpcRecv>(
        &self,
        method: &'static str,
        params: P,
    ) -> Result<R, DevnetError> {
        self.provider
            .raw_request::<P, R>(Cow::Borrowed(method), params)
            .await
            .map_err(|e| DevnetError::rpc(method, e))
    }

    /// Mines one block.
    pub async fn mine(&self) -> Result<(), DevnetError> {
        let _: serde_json::Value = self.request("evm_mine", ()).await?;
        Ok(())
    }

    /// The latest block's timestamp (unix seconds).
    pub async fn latest_timestamp(&self) -> Result<u64, DevnetError> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(|e| DevnetError::rpc("eth_getBlockByNumber", e))?
            .ok_or_else(|| DevnetError::unexpected("eth_getBlockByNumber", "no latest block"))?;
        Ok(block.header.timestamp)
    }

    /// Moves the chain's clock `seconds` forward and mines a block at the new time: interest
    /// accrues as if that time had passed.
    pub async fn advance_time(&self, seconds: u64) -> Result<(), DevnetError> {
        let _: serde_json::Value = self.request("evm_increaseTime", (seconds,)).await?;
        self.mine().await
    }

    /// Sends a transaction from an unlocked account and returns its successful receipt.
    pub async fn send(
        &self,
        tx: TransactionRequest,
        context: &str,
    ) -> Result<TransactionReceipt, DevnetError> {
        let tx = if tx.gas.is_some() {
            tx
        } else {
            let estimate = match self.provider.estimate_gas(tx.clone()).await {
                Ok(gas) => gas,
                Err(err) => return Err(revert_or_rpc(context, err)),
            };
            tx.with_gas_limit(with_margin(estimate))
        };
        let pending = match self.provider.send_transaction(tx.clone()).await {
            Ok(pending) => pending,
            Err(err) => return Err(revert_or_rpc(context, err)),
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        let hash = *pending.tx_hash();
        let receipt = self.receipt(hash, context).await?;
        if receipt.status() {
            return Ok(receipt);
        }
        if tx.gas.is_some_and(|limit| receipt.gas_used >= limit) {
            let reason = format!("out of gas (used all {} gas)", receipt.gas_used);
            return Err(DevnetError::Reverted {
                context: context.to_string(),
                reason,
                tx_hash: Some(hash),
            });
        }
        // Replay on the state just before the failed block to recover the reason.
        let block = receipt.block_number.unwrap_or(1).saturating_sub(1);
        let reason = match self.provider.call(tx).block(BlockId::number(block)).await {
            Ok(_) => "reverted (no reason when replayed; out of gas?)".to_string(),
            Err(err) => revert_info(&err)
                .map(|r| r.reason)
                .unwrap_or_else(|| err.to_string()),
        };
        Err(DevnetError::Reverted {
            context: context.to_string(),
            reason,
            tx_hash: Some(hash),
        })
    }

    /// Sends `call` to `to` from `from`.
    pub async fn send_call<C: SolCall>(
        &self,
        from: Address,
        to: Address,
        call: &C,
        context: &str,
    ) -> Result<TransactionReceipt, DevnetError> {
        self.send(call_request(from, to, call), context).await
    }

    /// Like [`send_call`](Self::send_call) with an explicit gas limit.
    pub async fn send_call_with_gas<C: SolCall>(
        &self,
        from: Address,
        to: Address,
        call: &C,
        gas: u64,
        context: &str,
    ) -> Result<TransactionReceipt, DevnetError> {
        self.send(call_request(from, to, call).with_gas_limit(gas), context)
            .await
    }

    /// Deploys `code` (creation bytecode with constructor arguments appended) from `from`.
    pub async fn deploy(
        &self,
        from: Address,
        code: Vec<u8>,
        name: &str,
    ) -> Result<Address, DevnetError> {
        let tx = TransactionRequest::default()
            .with_from(from)
            .with_deploy_code(code);
        let receipt = self.send(tx, &format!("deploy {name}")).await?;
        receipt
            .contract_address
            .ok_or_else(|| DevnetError::NoContract {
                name: name.to_string(),
                tx_hash: receipt.transaction_hash,
            })
    }

    /// Calls a view function and decodes its return value.
    pub async fn read<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, DevnetError> {
        let context = format!("eth_call {} on {to}", C::SIGNATURE);
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(call.abi_encode());
        let out = self
            .provider
            .call(tx)
            .await
            .map_err(|e| revert_or_rpc(&context, e))?;
        C::abi_decode_returns(&out).map_err(|e| DevnetError::unexpected(context, e.to_string()))
    }

    /// Simulates `call` from `from` with `eth_call`: `Ok(Err(revert))` when it would revert.
    pub async fn simulate<C: SolCall>(
        &self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<Result<Bytes, RevertInfo>, DevnetError> {
        match self.provider.call(call_request(from, to, call)).await {
            Ok(out) => Ok(Ok(out)),
            Err(err) => match revert_info(&err) {
                Some(info) => Ok(Err(info)),
                None => Err(DevnetError::rpc(format!("eth_call {}", C::SIGNATURE), err)),
            },
        }
    }

    /// Waits briefly for the receipt of a transaction Anvil has just mined.
    async fn receipt(&self, hash: B256, context: &str) -> Result<TransactionReceipt, DevnetError> {
        for attempt in 0..200u32 {
            let receipt = self
                .provider
                .get_transaction_receipt(hash)
                .await
                .map_err(|e| {
                    DevnetError::rpc(format!("eth_getTransactionReceipt ({context})"), e)
                })?;
            if let Some(receipt) = receipt {
                return Ok(receipt);
            }
            tokio::time::sleep(Duration::from_millis(if attempt < 10 { 2 } else { 25 })).await;
        }
        Err(DevnetError::unexpected(
            context,
            format!("no receipt for {hash}: is anvil automining?"),
        ))
    }
}

/// The per-transaction gas cap of recent forks (EIP-7825), which Anvil enforces.
const TX_GAS_CAP: u64 = 16_777_216;

/// A gas limit for an estimate: half again plus 100k, under the per-transaction cap.
pub fn with_margin(estimate: u64) -> u64 {
    estimate
        .saturating_add(estimate / 2)
        .saturating_add(100_000)
        .min(TX_GAS_CAP)
        .max(estimate)
}

/// `{from, to, data}`.
fn call_request<C: SolCall>(from: Address, to: Address, call: &C) -> TransactionRequest {
    TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_input(call.abi_encode())
}

/// A revert if the node said so, else the transport error.
fn revert_or_rpc(context: &str, err: TransportError) -> DevnetError {
    match revert_info(&err) {
        Some(info) => DevnetError::Reverted {
            context: context.to_string(),
            reason: info.reason,
            tx_hash: None,
        },
        None => DevnetError::rpc(context, err),
    }
}

/// Extracts and decodes revert data from an RPC error, if it is a revert.
pub fn revert_info(err: &TransportError) -> Option<RevertInfo> {
    let RpcError::ErrorResp(payload) = err else {
        return None;
    };
    match payload.as_revert_data() {
        Some(data) => Some(decode_revert(&data)),
        None if payload.message.contains("revert") => Some(RevertInfo {
            message: None,
            reason: payload.message.to_string(),
        }),
        None => None,
    }
}

/// Decodes revert data: `Error(string)` (Aave codes expanded), or any other known shape.
pub fn decode_revert(data: &[u8]) -> RevertInfo {
    if let Ok(revert) = Revert::abi_decode(data) {
        let reason = aave_errors::describe(&revert.reason);
        return RevertInfo {
            message: Some(revert.reason),
            reason,
        };
    }
    if data.is_empty() {
        return RevertInfo {
            message: None,
            reason: "empty revert data (out of gas, or a bare revert)".into(),
        };
    }
    let reason = alloy::sol_types::decode_revert_reason(data)
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| format!("0x{}", hex::encode(data)));
    RevertInfo {
        message: None,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_margin_is_generous_and_capped() {
        assert_eq!(with_margin(200_000), 400_000);
        assert_eq!(with_margin(12_000_000), TX_GAS_CAP);
        assert_eq!(with_margin(20_000_000), 20_000_000);
    }

    #[test]
    fn decodes_aave_error_strings() {
        let data = Revert::from("45").abi_encode();
        let info = decode_revert(&data);
        assert_eq!(info.message.as_deref(), Some("45"));
        assert!(info.reason.contains("HEALTH_FACTOR_NOT_BELOW_THRESHOLD"));
        assert!(decode_revert(&[]).reason.starts_with("empty revert data"));
    }
}
