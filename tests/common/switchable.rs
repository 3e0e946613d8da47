//! A node in front of the devnet whose behaviour a test switches: passing requests through,
//! down (503 to everything), or failing only the reads of accounts' totals.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use alloy::primitives::keccak256;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::post;

/// What the node in front of the devnet does: pass every request through.
pub const PASS: u8 = 0;
/// Every request: 503.
pub const DOWN: u8 = 1;
/// Only calls that read an account's totals (`getUserAccountData`, in the fresh read that
/// confirms a crossing): 503.
pub const FAIL_ACCOUNT_READS: u8 = 2;

/// A node in front of `upstream` whose behaviour the test switches.
pub async fn switchable_node(upstream: String) -> (String, Arc<AtomicU8>) {
    let mode = Arc::new(AtomicU8::new(PASS));
    let selector = alloy::hex::encode(&keccak256("getUserAccountData(address)")[..4]);
    let client = reqwest::Client::new();
    let state = mode.clone();
    let app = axum::Router::new().route(
        "/",
        post(move |body: Bytes| {
            let (client, upstream, state) = (client.clone(), upstream.clone(), state.clone());
            let selector = selector.clone();
            async move {
                let refused = match state.load(Ordering::SeqCst) {
                    DOWN => true,
                    FAIL_ACCOUNT_READS => String::from_utf8_lossy(&body).contains(&selector),
                    _ => false,
                };
                if refused {
                    return (StatusCode::SERVICE_UNAVAILABLE, "node down").into_response();
                }
                forward(&client, &upstream, body).await.into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), mode)
}

/// Switches the node to `mode`.
pub fn set(node: &AtomicU8, mode: u8) {
    node.store(mode, Ordering::SeqCst);
}

/// Passes one JSON-RPC request body to `upstream` (the devnet) and gives back its answer.
pub async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    body: Bytes,
) -> impl IntoResponse + use<> {
    let answer = client
        .post(upstream)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("devnet answers");
    let body = answer.bytes().await.expect("devnet body");
    ([(CONTENT_TYPE, "application/json")], body)
}
