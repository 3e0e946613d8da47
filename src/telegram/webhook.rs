//! Receiving updates by webhook, ready for replicas behind a load balancer. Telegram is
//! answered only once the update is handled (a crash before that makes Telegram deliver it
//! again: at least once); each update is claimed in the store first, so one delivered twice
//! (a retry, perhaps to another replica) is handled once; and one chat's updates are handled
//! one at a time, in this process (a lock per chat) and across replicas (the store's chat
//! lock). Every replica sets the same webhook with the same secret (derived from the token), so
//! any of them may (re)register it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use teloxide::prelude::*;
use teloxide::types::{Me, Update};

use super::{App, HandlerError, TgBot, handler_tree};
use crate::store::pg::Claim;

/// How long a claim on an update lasts: a replica that dies mid-update leaves it to another
/// after this.
const CLAIM_TTL: Duration = Duration::from_secs(30);

/// How long a request waits for an update another replica is handling before asking Telegram
/// to deliver it again later.
const BUSY_WAIT: Duration = Duration::from_secs(3);

/// The header Telegram sends the secret in.
const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// The secret every replica registers: derived from the token, so replicas agree without
/// sharing anything else, and no one without the token can forge an update.
pub fn secret_of(token: &str) -> String {
    let hash = alloy::primitives::keccak256(format!("lendesk-webhook:{token}"));
    alloy::hex::encode(&hash[..24])
}

/// What the webhook's handler shares.
struct Hook {
    bot: TgBot,
    me: Me,
    app: Arc<App>,
    secret: String,
    /// One lock per chat in this process.
    chats: tokio::sync::Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// Registers the webhook and serves it on `listen` until `stop` resolves.
pub async fn serve(
    bot: TgBot,
    me: Me,
    app: Arc<App>,
    token: &str,
    url: url::Url,
    listen: SocketAddr,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), HandlerError> {
    let secret = secret_of(token);
    bot.set_webhook(url.clone())
        .secret_token(secret.clone())
        .await?;
    let hook = Arc::new(Hook {
        bot,
        me,
        app,
        secret,
        chats: tokio::sync::Mutex::new(HashMap::new()),
    });
    let router = axum::Router::new()
        .route(url.path(), axum::routing::post(receive))
        .with_state(hook);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "webhook listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(stop)
        .await?;
    Ok(())
}

/// One delivery: checked, handled (or found handled), then answered.
async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: String) -> StatusCode {
    if headers.get(SECRET_HEADER).and_then(|v| v.to_str().ok()) != Some(hook.secret.as_str()) {
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_str(&body) {
        Ok(update) => update,
        Err(e) => {
            // Never readable: answering an error would only make Telegram send it again.
            tracing::warn!(error = %e, "an update that does not parse was dropped");
            return StatusCode::OK;
        }
    };
    match handle_once(&hook, update).await {
        Ok(()) => StatusCode::OK,
        Err(e) => {
            tracing::warn!(error = %e, "update not handled now; Telegram will deliver it again");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Handles `update` unless it was handled, in its chat's turn.
async fn handle_once(hook: &Hook, update: Update) -> Result<(), HandlerError> {
    let id = i64::from(update.id.0);
    let chat = update
        .chat()
        .map(|c| c.id.0)
        .or_else(|| update.from().map(super::user_id))
        .unwrap_or(0);
    let local = chat_lock(hook, chat).await;
    let _local = local.lock().await;
    let shared = hook.app.store.lock_chat(chat).await?;
    let handled = claim_and_handle(hook, id, update).await;
    if let Some(shared) = shared {
        shared.release().await?;
    }
    handled
}

/// Claims the update, handles it if it is this replica's, marks it handled.
async fn claim_and_handle(hook: &Hook, id: i64, update: Update) -> Result<(), HandlerError> {
    let store = &hook.app.store;
    let holder = hook.app.holder.as_ref();
    let waited = tokio::time::Instant::now();
    loop {
        match store.claim_update(id, holder, CLAIM_TTL).await? {
            Claim::Mine => break,
            Claim::Done => {
                tracing::info!(update = id, "a repeated delivery of a handled update");
                return Ok(());
            }
            Claim::Busy if waited.elapsed() < BUSY_WAIT => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Claim::Busy => return Err("another replica is handling this update".into()),
        }
    }
    let deps = dptree::deps![hook.bot.clone(), hook.me.clone(), update, hook.app.clone()];
    if let std::ops::ControlFlow::Break(Err(e)) = handler_tree().dispatch(deps).await {
        tracing::error!(update = id, error = %e, "handling an update failed");
    }
    store.finish_update(id, holder).await?;
    Ok(())
}

/// This process's lock of `chat`.
async fn chat_lock(hook: &Hook, chat: i64) -> Arc<tokio::sync::Mutex<()>> {
    let mut chats = hook.chats.lock().await;
    if chats.len() > 10_000 {
        chats.retain(|_, l| Arc::strong_count(l) > 1);
    }
    chats.entry(chat).or_default().clone()
}
