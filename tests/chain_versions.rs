//! Release detection against the real devnet market (Aave v3.0, `@aave/core-v3@1.19.3`): the
//! reader must recognise it as 3.0 with the revision its Pool reports, and read it the 3.0 way
//! (stable debt tokens, E-Mode named by the reserve configuration).

mod common;

use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use lendesk::chain::bindings::mainnet::IPoolProbes;
use lendesk::chain::position::{AaveVersion, EModeMembership};

/// `POOL_REVISION()` read straight from the Pool, outside the reader.
async fn pool_revision(rpc_url: &str, pool: alloy::primitives::Address) -> u64 {
    let provider = common::provider(rpc_url);
    let tx = TransactionRequest::default()
        .to(pool)
        .input(IPoolProbes::POOL_REVISIONCall {}.abi_encode().into());
    let raw = provider.call(tx).await.expect("POOL_REVISION()");
    let revision = IPoolProbes::POOL_REVISIONCall::abi_decode_returns(&raw).expect("decode");
    u64::try_from(revision).expect("small revision")
}

#[tokio::test]
async fn the_devnet_pool_is_detected_as_v3_0_with_the_revision_it_reports() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let revision = pool_revision(&chain.rpc_url, chain.manifest.contracts.pool).await;
    assert_ne!(revision, 0, "core-v3's Pool has a POOL_REVISION constant");

    let catalog = reader.catalog().await.expect("discover");
    assert_eq!(catalog.version, AaveVersion::V3_0);
    assert_eq!(catalog.pool_revision, revision);

    let position = reader
        .position(common::account(&chain.manifest, "multi"))
        .await
        .expect("read");
    assert_eq!(position.version, AaveVersion::V3_0);
    assert_eq!(position.pool_revision, revision);
}

#[tokio::test]
async fn a_v3_0_market_is_read_with_stable_debt_tokens_and_reserve_named_emode() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let catalog = reader.catalog().await.expect("discover");
    assert!(
        catalog
            .reserves
            .iter()
            .all(|r| !r.stable_debt_token.is_zero()),
        "v3.0 reserves have stable debt tokens"
    );
    assert!(
        catalog.emode_labels.is_empty(),
        "labels are read on 3.2+ only"
    );

    let position = reader
        .position(common::account(&chain.manifest, "multi"))
        .await
        .expect("read");
    let emode = position
        .emode
        .as_ref()
        .expect("the multi account is in E-Mode");
    assert_eq!(emode.membership, EModeMembership::ReserveCategory);
    assert!(catalog.emode_ids.contains(&emode.id));
    assert!(
        position
            .reserves
            .iter()
            .any(|r| r.config.emode_category == emode.id),
        "on 3.0 the reserve configuration names the category"
    );
}

#[test]
fn the_committed_abis_match_the_pinned_address_book() {
    common::assert_node_check("scripts/address-book-abis.mjs", "abis/aave-address-book/");
}
