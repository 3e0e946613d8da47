//! The JSON-RPC connection: an alloy provider over HTTP (answers capped in size), one deadline
//! for a whole answer's reads, and a counter of HTTP round trips (what the one-round-trip
//! promise is measured with).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use alloy::providers::{DynProvider, Provider, RootProvider};
use alloy::rpc::client::ClientBuilder;
use alloy::rpc::json_rpc::{RequestPacket, ResponsePacket};
use alloy::transports::{TransportError, TransportErrorKind, TransportFut};
use tower::{Layer, Service};

use super::error::ChainError;
use super::transport::{CappedHttp, MAX_RESPONSE_BYTES};

/// Counts HTTP round trips (one per request packet: a JSON-RPC batch counts once).
#[derive(Debug, Clone, Default)]
pub struct RoundTrips(Arc<AtomicU64>);

impl RoundTrips {
    /// Round trips so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl<S> Layer<S> for RoundTrips {
    type Service = CountingService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CountingService {
            inner,
            count: self.clone(),
        }
    }
}

/// The transport wrapped by [`RoundTrips`].
#[derive(Debug, Clone)]
pub struct CountingService<S> {
    inner: S,
    count: RoundTrips,
}

impl<S> Service<RequestPacket> for CountingService<S>
where
    S: Service<
            RequestPacket,
            Response = ResponsePacket,
            Error = TransportError,
            Future = TransportFut<'static>,
        > + Send
        + Sync
        + 'static,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: RequestPacket) -> Self::Future {
        self.count.0.fetch_add(1, Ordering::Relaxed);
        self.inner.call(req)
    }
}

/// A connection to one node.
#[derive(Debug, Clone)]
pub struct Rpc {
    /// The provider every read goes through.
    pub provider: DynProvider,
    /// HTTP round trips made through `provider`.
    pub round_trips: RoundTrips,
    /// Endpoint without credentials, for messages.
    pub display_url: String,
    /// Limit for one answer.
    pub timeout: Duration,
}

impl Rpc {
    /// Connects lazily (no request is made here) to an HTTP JSON-RPC endpoint.
    pub fn connect(url: &str, timeout: Duration) -> Result<Self, ChainError> {
        let parsed = url::Url::parse(url).map_err(|e| ChainError::BadRpcUrl {
            url: redact(url),
            detail: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ChainError::BadRpcUrl {
                url: redact(url),
                detail: "only http:// and https:// endpoints are supported".into(),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| ChainError::BadRpcUrl {
                url: redact(url),
                detail: e.to_string(),
            })?;
        let round_trips = RoundTrips::default();
        let is_local = alloy::transports::utils::guess_local_url(parsed.as_str());
        let client = ClientBuilder::default()
            .layer(round_trips.clone())
            .transport(CappedHttp::new(http, parsed, MAX_RESPONSE_BYTES), is_local);
        let provider = RootProvider::new(client).erased();
        Ok(Self {
            provider,
            round_trips,
            display_url: redact(url),
            timeout,
        })
    }

    /// Runs `fut` under the timeout, turning transport failures into [`ChainError`]s.
    pub async fn run<T>(
        &self,
        fut: impl Future<Output = Result<T, TransportError>>,
    ) -> Result<T, ChainError> {
        match tokio::time::timeout(self.timeout, fut).await {
            Err(_) => Err(self.timed_out()),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(self.classify(e)),
        }
    }

    /// Runs a whole answer's reads (discovery, batches, follow-up reads) under one deadline,
    /// the configured timeout, however many requests they make.
    pub async fn within_deadline<T>(
        &self,
        answer: impl Future<Output = Result<T, ChainError>>,
    ) -> Result<T, ChainError> {
        tokio::time::timeout(self.timeout, answer)
            .await
            .unwrap_or_else(|_| Err(self.timed_out()))
    }

    /// The timeout error for this node.
    pub fn timed_out(&self) -> ChainError {
        ChainError::RpcTimeout {
            url: self.display_url.clone(),
            timeout: self.timeout,
        }
    }

    /// Checks that the node serves chain `expected` (a market's first read).
    pub async fn expect_chain(&self, expected: u64) -> Result<(), ChainError> {
        let actual = self.run(self.provider.get_chain_id()).await?;
        if actual != expected {
            return Err(ChainError::WrongChain {
                url: self.display_url.clone(),
                expected,
                actual,
            });
        }
        Ok(())
    }

    /// Maps a transport error to what a caller can act on.
    pub fn classify(&self, error: TransportError) -> ChainError {
        match &error {
            TransportError::Transport(TransportErrorKind::Custom(inner)) => {
                let timed_out = inner
                    .downcast_ref::<reqwest::Error>()
                    .is_some_and(reqwest::Error::is_timeout);
                if timed_out {
                    return self.timed_out();
                }
                ChainError::RpcUnavailable {
                    url: self.display_url.clone(),
                    detail: printable(&describe(inner.as_ref())),
                }
            }
            // The HTTP status only: a node's error page is not ours to repeat.
            TransportError::Transport(TransportErrorKind::HttpError(http)) => {
                ChainError::RpcUnavailable {
                    url: self.display_url.clone(),
                    detail: format!("HTTP status {}", http.status),
                }
            }
            TransportError::Transport(_) => ChainError::RpcUnavailable {
                url: self.display_url.clone(),
                detail: printable(&error.to_string()),
            },
            TransportError::ErrorResp(payload) => ChainError::Decode(format!(
                "node returned an error: {}",
                printable(&payload.message)
            )),
            // The decoder's message, never the text it failed on.
            TransportError::DeserError { err, .. } => {
                ChainError::Decode(format!("the node's answer does not decode: {err}"))
            }
            _ => ChainError::Decode(printable(&error.to_string())),
        }
    }
}

/// The innermost cause of an error chain, which is what an operator needs ("connection refused").
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// Remote text made safe for a log line or a message: control characters (ANSI escapes,
/// carriage returns, newlines) become spaces and it is cut to 200 characters.
pub fn printable(remote: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut out: String = remote
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if remote.chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Hides credentials that providers embed in URLs (user:pass@ and API keys in the path).
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("?");
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let path = if u.path().len() > 1 { "/…" } else { "" };
            format!("{}://{host}{port}{path}", u.scheme())
        }
        Err(_) => "<invalid url>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_keys_and_passwords() {
        assert_eq!(
            redact("https://user:pw@eth.example.com/v3/SECRET"),
            "https://eth.example.com/…"
        );
        assert_eq!(redact("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
    }

    #[test]
    fn printable_drops_control_characters_and_long_tails() {
        assert_eq!(printable("bad\u{1b}[31m red\r\nline"), "bad [31m red  line");
        let long = "x".repeat(1_000);
        assert_eq!(printable(&long).chars().count(), 201);
    }

    #[test]
    fn connect_rejects_non_http_urls() {
        assert!(Rpc::connect("ws://127.0.0.1:8545", Duration::from_secs(1)).is_err());
        assert!(Rpc::connect("not a url", Duration::from_secs(1)).is_err());
    }
}
