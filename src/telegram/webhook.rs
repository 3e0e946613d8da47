//! Receiving updates by webhook, ready for replicas behind a load balancer. Telegram is
//! answered only once the update is handled (a crash before that makes Telegram deliver it
//! again: at least once); each update is claimed in the store as it arrives, so one delivered
//! twice (a retry, perhaps to another replica) is handled once; and one chat's updates are
//! handled one at a time and oldest first: in this process the oldest update in hand of a chat
//! goes first, across replicas the store's chat lock is taken and an update waits while an
//! older one of its chat is claimed elsewhere. Every replica sets the same webhook with the same
//! secret (derived from the token), so any of them may (re)register it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use teloxide::prelude::*;
use teloxide::types::{Me, Update};

use super::journal::Journal;
use super::{App, HandlerError, TgBot, handler_tree, lock};
use crate::store::pg::Claim;

/// How long a claim on an update lasts: a replica that dies mid-update leaves it to another
/// after this.
const CLAIM_TTL: Duration = Duration::from_secs(15);

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

/// How often an update waiting for an older one of its chat on another replica looks again.
const OLDER_POLL: Duration = Duration::from_millis(20);

/// What the webhook's handler shares.
struct Hook {
    bot: TgBot,
    me: Me,
    app: Arc<App>,
    secret: String,
    /// The updates in hand per chat in this process, oldest first.
    chats: std::sync::Mutex<HashMap<i64, ChatTurns>>,
}

/// One chat's updates in hand here: the oldest goes first; each finished one wakes the rest.
#[derive(Default)]
struct ChatTurns {
    waiting: std::collections::BTreeSet<i64>,
    turn: Arc<tokio::sync::Notify>,
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
        chats: std::sync::Mutex::new(HashMap::new()),
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
    let Some(turn) = Turn::join(hook, chat, id) else {
        // Delivered again while this process still handles it (Telegram gave up waiting):
        // answered once the first delivery is done.
        Turn::wait_gone(hook, chat, id).await;
        return Ok(());
    };
    let Some(resumed) = claim(hook, id, chat).await? else {
        return Ok(());
    };
    let _turn = turn.wait().await;
    let lock = take_turn_across_replicas(hook, chat, id).await?;
    let handled = handle(hook, (id, chat), resumed, update).await;
    if let Some(lock) = lock {
        lock.release().await?;
    }
    handled
}

/// Claims the update as it arrives: `None` when it was handled already, else whether it was
/// taken over from a try that did not finish.
async fn claim(hook: &Hook, id: i64, chat: i64) -> Result<Option<bool>, HandlerError> {
    let store = &hook.app.store;
    let waited = tokio::time::Instant::now();
    loop {
        match store
            .claim_update(id, chat, &hook.app.holder, CLAIM_TTL)
            .await?
        {
            Claim::Mine { resumed } => return Ok(Some(resumed)),
            Claim::Done => {
                tracing::info!(update = id, "a repeated delivery of a handled update");
                return Ok(None);
            }
            Claim::Busy if waited.elapsed() < BUSY_WAIT => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Claim::Busy => return Err("another replica is handling this update".into()),
        }
    }
}

/// Renews this replica's claim on update `id` every third of its time while it is handled (a
/// slow update is not taken over by another replica while this one still works on it).
async fn keep_claim(hook: &Hook, id: i64, chat: i64) -> std::convert::Infallible {
    loop {
        tokio::time::sleep(CLAIM_TTL / 3).await;
        match hook
            .app
            .store
            .claim_update(id, chat, &hook.app.holder, CLAIM_TTL)
            .await
        {
            Ok(Claim::Mine { .. }) => {}
            Ok(_) => tracing::warn!(update = id, "an update's claim was lost while handling it"),
            Err(e) => tracing::warn!(update = id, error = %e, "cannot renew an update's claim"),
        }
    }
}

/// The chat's lock across replicas, taken once no older update of the chat is claimed
/// elsewhere (`None` on sled).
async fn take_turn_across_replicas(
    hook: &Hook,
    chat: i64,
    id: i64,
) -> Result<Option<crate::store::pg::Lock>, HandlerError> {
    let store = &hook.app.store;
    loop {
        let lock = store.lock_chat(chat).await?;
        if !store.older_pending(chat, id).await? {
            return Ok(lock);
        }
        if let Some(lock) = lock {
            lock.release().await?;
        }
        tokio::time::sleep(OLDER_POLL).await;
    }
}

/// Runs the handler tree on the update, its sends journaled and its claim renewed while it
/// runs, and marks it handled.
async fn handle(
    hook: &Hook,
    (id, chat): (i64, i64),
    resumed: bool,
    update: Update,
) -> Result<(), HandlerError> {
    let deps = dptree::deps![hook.bot.clone(), hook.me.clone(), update, hook.app.clone()];
    let journal = Journal::open(hook.app.store.clone(), id, resumed).await;
    let tree = handler_tree();
    let handled = tokio::select! {
        handled = journal.scope(tree.dispatch(deps)) => handled,
        never = keep_claim(hook, id, chat) => match never {},
    };
    if let std::ops::ControlFlow::Break(Err(e)) = handled {
        tracing::error!(update = id, error = %e, "handling an update failed");
    }
    hook.app.store.finish_update(id, &hook.app.holder).await?;
    Ok(())
}

/// An update's turn in its chat in this process: waits until it is the oldest in hand, and
/// hands the turn on when dropped.
struct Turn<'a> {
    hook: &'a Hook,
    chat: i64,
    id: i64,
}

impl<'a> Turn<'a> {
    /// Puts the update in hand in its chat; `None` when it is in hand already.
    fn join(hook: &'a Hook, chat: i64, id: i64) -> Option<Turn<'a>> {
        let mut chats = lock(&hook.chats);
        let turns = chats.entry(chat).or_default();
        turns.waiting.insert(id).then_some(Turn { hook, chat, id })
    }

    /// Waits until the update is the oldest of its chat in hand.
    async fn wait(self) -> Turn<'a> {
        wait_chat(self.hook, self.chat, |waiting| {
            waiting.first() == Some(&self.id)
        })
        .await;
        self
    }

    /// Waits until another delivery of update `id` is no longer in hand.
    async fn wait_gone(hook: &Hook, chat: i64, id: i64) {
        wait_chat(hook, chat, |waiting| !waiting.contains(&id)).await;
    }
}

/// Waits until `done` holds of the chat's updates in hand (checked at each change).
async fn wait_chat(
    hook: &Hook,
    chat: i64,
    done: impl Fn(&std::collections::BTreeSet<i64>) -> bool,
) {
    loop {
        let turn = {
            let chats = lock(&hook.chats);
            match chats.get(&chat) {
                None => return,
                Some(turns) => turns.turn.clone(),
            }
        };
        let notified = turn.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let holds = lock(&hook.chats)
            .get(&chat)
            .is_none_or(|t| done(&t.waiting));
        if holds {
            return;
        }
        notified.await;
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut chats = lock(&self.hook.chats);
        if let Some(turns) = chats.get_mut(&self.chat) {
            turns.waiting.remove(&self.id);
            turns.turn.notify_waiters();
            if turns.waiting.is_empty() {
                chats.remove(&self.chat);
            }
        }
    }
}
