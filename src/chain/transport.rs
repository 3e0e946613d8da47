//! The HTTP transport under the provider: alloy's JSON-RPC over reqwest, with a cap on the
//! size of an answer. A node's body never reaches an error or a log line: only its size, its
//! HTTP status or the decoder's position do.

use std::task::{Context, Poll};

use alloy::rpc::json_rpc::{RequestPacket, ResponsePacket};
use alloy::transports::{TransportError, TransportErrorKind, TransportFut};
use tower::Service;

/// The largest answer read from a node. A whole market's position batch is a few hundred
/// kilobytes; anything near this is a faulty or hostile node.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// JSON-RPC over HTTP POST with answers capped at `limit` bytes.
#[derive(Debug, Clone)]
pub struct CappedHttp {
    client: reqwest::Client,
    url: url::Url,
    limit: usize,
}

impl CappedHttp {
    /// A transport to `url` through `client`, reading at most `limit` bytes per answer.
    pub fn new(client: reqwest::Client, url: url::Url, limit: usize) -> Self {
        Self { client, url, limit }
    }

    async fn send(self, req: RequestPacket) -> Result<ResponsePacket, TransportError> {
        let mut resp = self
            .client
            .post(self.url)
            .json(&req)
            .headers(req.headers())
            .send()
            .await
            .map_err(TransportErrorKind::custom)?;
        let status = resp.status();
        if !status.is_success() {
            return Err(TransportErrorKind::http_error(
                status.as_u16(),
                String::new(),
            ));
        }
        let body = read_capped(&mut resp, self.limit).await?;
        serde_json::from_slice(&body).map_err(|e| {
            TransportErrorKind::custom_str(&format!("the answer is not JSON-RPC ({e})"))
        })
    }
}

/// The body, chunk by chunk, refusing it as soon as it passes `limit` bytes.
async fn read_capped(
    resp: &mut reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, TransportError> {
    let too_large = || {
        TransportErrorKind::custom_str(&format!(
            "the answer is larger than {} MiB",
            limit / (1024 * 1024)
        ))
    };
    let declared = resp.content_length().unwrap_or(0);
    if declared > limit as u64 {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared as usize);
    while let Some(chunk) = resp.chunk().await.map_err(TransportErrorKind::custom)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl Service<RequestPacket> for CappedHttp {
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // reqwest's client is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: RequestPacket) -> Self::Future {
        Box::pin(self.clone().send(req))
    }
}
