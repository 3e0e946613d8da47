//! New blocks as the node announces them: an `eth_subscribe("newHeads")` over WebSocket that
//! wakes a market's watcher at each new head, so a crossing is seen within a tick of its block
//! instead of within a head poll. The poll stays the floor: a lost connection is retried with
//! a growing pause and the watcher keeps polling meanwhile.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::chain::rpc::{printable, redact};

/// The largest message taken from the node (a head is about 1 KiB).
const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// The longest pause between reconnections.
const MAX_PAUSE: Duration = Duration::from_secs(30);

const SUBSCRIBE: &str =
    r#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#;

/// Why a subscription ended.
#[derive(Debug, thiserror::Error)]
pub enum HeadsError {
    /// The connection failed or broke.
    #[error("{0}")]
    Socket(#[from] tokio_tungstenite::tungstenite::Error),
    /// The node refused the subscription.
    #[error("the node refused newHeads: {0}")]
    Refused(String),
}

/// Wakes `wake` at every new head of the node at `url`, until the task is aborted; reconnects
/// after a failure (1 s, doubling up to 30 s; back to 1 s once a head came through).
pub async fn follow_heads(market: String, url: String, wake: Arc<Notify>) {
    let mut pause = Duration::from_secs(1);
    loop {
        match subscribe(&url, &wake).await {
            Ok(heads) => {
                tracing::info!(%market, url = %redact(&url), heads, "newHeads subscription closed");
                if heads > 0 {
                    pause = Duration::from_secs(1);
                }
            }
            Err(e) => {
                tracing::warn!(%market, url = %redact(&url), error = %printable(&e.to_string()), "newHeads subscription failed; the head poll goes on");
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// One subscription: connects, subscribes, and wakes `wake` at each head until the node closes
/// the connection; how many heads came.
async fn subscribe(url: &str, wake: &Notify) -> Result<u64, HeadsError> {
    let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE_BYTES));
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    socket.send(Message::text(SUBSCRIBE)).await?;
    let mut heads = 0;
    while let Some(message) = socket.next().await {
        match message? {
            Message::Text(text) => match reply_kind(&text) {
                Reply::Head => {
                    heads += 1;
                    wake.notify_one();
                }
                Reply::Refused(why) => return Err(HeadsError::Refused(why)),
                Reply::Other => {}
            },
            Message::Close(_) => break,
            // Pings are answered by the library; binary frames are not the node's.
            _ => {}
        }
    }
    Ok(heads)
}

/// What a message from the node is.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    /// A new head of the subscription.
    Head,
    /// An error answer to the subscription request.
    Refused(String),
    /// Anything else (the subscription id).
    Other,
}

fn reply_kind(text: &str) -> Reply {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Reply::Other;
    };
    if value.get("method").and_then(|m| m.as_str()) == Some("eth_subscription") {
        return Reply::Head;
    }
    match value.get("error") {
        Some(error) => Reply::Refused(printable(
            error
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("no reason given"),
        )),
        None => Reply::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_errors_and_the_rest_are_told_apart() {
        let head = r#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x1","result":{"number":"0x10"}}}"#;
        assert_eq!(reply_kind(head), Reply::Head);
        let id = r#"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#;
        assert_eq!(reply_kind(id), Reply::Other);
        let refused =
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no\nsubscriptions"}}"#;
        assert_eq!(
            reply_kind(refused),
            Reply::Refused("no subscriptions".into())
        );
        assert_eq!(reply_kind("not json"), Reply::Other);
    }
}
