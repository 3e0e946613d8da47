//! The Telegram adapter: updates in, rendered replies out. Thin by design: a user's message or
//! button press becomes a desk call, a staff member's message or command becomes a staff-desk
//! call, and what comes back is rendered (HTML, inline keyboards), relayed between the user
//! and the staff chat ([`relay`]) or run in the background ([`background`]: SLA flags,
//! broadcasts). It owns no conversation logic.
//!
//! Requests go through teloxide's `Throttle` (Telegram's limits: 30 messages/s overall, one a
//! second per chat, 20 a minute per group; a 429 freezes and retries, nothing is dropped) and
//! `CacheMe` (the dispatcher's `getMe` is answered from a cache that [`run`] fills with retries,
//! so a Bot API hiccup at start is retried instead of a panic). Sends retry a passing 5xx or
//! network failure ([`retry`]); `group` decides which group messages are the bot's.

pub mod alerts;
pub mod background;
mod cards;
mod group;
pub mod journal;
pub mod polling;
pub mod relay;
pub mod render;
pub mod retry;
mod staff_chat;
pub mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::adaptors::{CacheMe, Throttle};
use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::stop::StopToken;
use teloxide::types::{BotCommand, BotCommandScope, ChatId, Me, ParseMode, Recipient};
use teloxide::update_listeners::UpdateListener;

use crate::clock::unix_now as now;
use crate::desk::Desk;
use crate::desk::outcome::{Action, ChatKind, Incoming, Outcome, Reply};
use crate::lang::Lang;
use crate::staff::{Actor, StaffDesk};
use crate::store::Store;

/// The bot as handlers see it: throttled to Telegram's limits, `getMe` cached.
pub type TgBot = CacheMe<Throttle<Bot>>;

/// The error type handlers return; teloxide logs it (never the message text).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What the handlers share: the desk, the staff desk and where the staff chat is.
pub struct App {
    /// The conversation core.
    pub desk: Arc<Desk>,
    /// The staff side.
    pub staff: Arc<StaffDesk>,
    /// The store the desk was built on (tickets' threads, relayed messages).
    pub store: Store,
    /// The staff chat, if configured.
    pub staff_chat: Option<ChatId>,
    /// The staff chat has topics (forum mode): one topic per ticket.
    pub forum: bool,
    /// The updates in hand: polling confirms an update to Telegram once it is handled.
    pub updates: Arc<polling::UpdateTracker>,
    /// Where the bot is an administrator (it then removes secrets from any group message).
    admin: group::AdminStatus,
    /// This process among replicas (the holder of its leases).
    pub holder: Arc<str>,
    /// Broadcasts this process is sending.
    broadcasts_running: background::Running,
    /// Tickets waiting to be posted to the staff chat.
    pub cards: cards::Cards,
    /// Serializes the creation of a ticket's topic (two quick messages must not open two).
    ticket_locks: tokio::sync::Mutex<std::collections::HashMap<u64, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("staff_chat", &self.staff_chat)
            .field("forum", &self.forum)
            .finish_non_exhaustive()
    }
}

impl App {
    /// The shared state for the handlers.
    pub fn new(
        desk: Arc<Desk>,
        staff: Arc<StaffDesk>,
        store: Store,
        staff_chat: Option<ChatId>,
        forum: bool,
    ) -> Self {
        Self {
            desk,
            staff,
            store,
            staff_chat,
            forum,
            updates: Arc::default(),
            holder: crate::replica::holder_name(),
            broadcasts_running: Arc::default(),
            admin: group::AdminStatus::default(),
            cards: cards::Cards::default(),
            ticket_locks: tokio::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    async fn ticket_lock(&self, ticket: u64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.ticket_locks.lock().await;
        if locks.len() > 10_000 {
            locks.retain(|_, l| Arc::strong_count(l) > 1);
        }
        locks.entry(ticket).or_default().clone()
    }
}

/// Locks a mutex of the adapter's, taking it over from a task that panicked holding it (what
/// it guards stays usable: sets and maps of ids, never half-written records).
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The handler tree: messages (users, or staff in the staff chat), edits (synced along the
/// relay) and button presses, with [`App`] injected as a dependency.
pub fn handler_tree() -> UpdateHandler<HandlerError> {
    // Every update holds a guard in its dependencies until its handler returns: only then is
    // it confirmed to Telegram (see `polling`). The entry description keeps the update kinds
    // the bot asks for those of the branches below.
    dptree::map_with_description(
        <teloxide::dispatching::DpHandlerDescription as dptree::HandlerDescription>::entry(),
        |update: Update, app: Arc<App>| app.updates.guard(update.id),
    )
    .branch(
        Update::filter_message()
            .branch(dptree::filter(in_staff_chat).endpoint(staff_chat::on_message))
            .branch(dptree::endpoint(on_message)),
    )
    .branch(Update::filter_edited_message().endpoint(relay::on_edit))
    .branch(Update::filter_callback_query().endpoint(on_button))
}

fn in_staff_chat(msg: Message, app: Arc<App>) -> bool {
    app.staff_chat == Some(msg.chat.id)
}

/// A Telegram user id as the desk's user id.
pub fn user_id(user: &teloxide::types::User) -> i64 {
    i64::try_from(user.id.0).unwrap_or(i64::MAX)
}

/// The actor of a staff action.
pub fn actor(user: &teloxide::types::User) -> Actor {
    Actor {
        id: user_id(user),
        username: user.username.clone(),
        name: user.full_name(),
    }
}

/// Sends replies to a chat (and topic): HTML, split under Telegram's length limit; a reply
/// Telegram refuses to parse is sent again as plain text rather than lost, and a passing Bot
/// API failure is retried ([`retry`]). Returns the ids of the messages sent.
pub async fn send_replies(
    bot: &TgBot,
    chat: ChatId,
    thread: Option<teloxide::types::ThreadId>,
    replies: &[Reply],
) -> Result<Vec<teloxide::types::MessageId>, HandlerError> {
    let mut sent = Vec::new();
    for reply in replies {
        let parts = render::split(&reply.text);
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.iter().enumerate() {
            let keyboard = if i == last {
                render::keyboard(&reply.buttons)
            } else {
                None
            };
            let html = render::html(part);
            let target = (chat, thread, keyboard.as_ref());
            match send_part(bot, target, &html, Some(ParseMode::Html)).await {
                Ok(id) => sent.push(id),
                Err(teloxide::RequestError::Api(teloxide::ApiError::CantParseEntities(e))) => {
                    tracing::warn!(error = %e, "Telegram refused the HTML; sending plain text");
                    sent.push(send_part(bot, target, &part.replace("**", ""), None).await?);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(sent)
}

/// One message to (chat, topic, keyboard), retried on a passing failure.
async fn send_part(
    bot: &TgBot,
    (chat, thread, keyboard): (
        ChatId,
        Option<teloxide::types::ThreadId>,
        Option<&teloxide::types::InlineKeyboardMarkup>,
    ),
    text: &str,
    mode: Option<ParseMode>,
) -> Result<teloxide::types::MessageId, teloxide::RequestError> {
    retry::retrying("sendMessage", || {
        let mut request = bot.send_message(chat, text);
        if let Some(mode) = mode {
            request = request.parse_mode(mode);
        }
        if let Some(t) = thread {
            request = request.message_thread_id(t);
        }
        if let Some(k) = keyboard {
            request = request.reply_markup(k.clone());
        }
        async move { request.await.map(|m| m.id) }
    })
    .await
}

/// Carries out what the desk decided for a user's message: delete a secret, open the ticket's
/// staff topic, relay the message to staff, and send the replies.
async fn apply_outcome(
    bot: &TgBot,
    app: &App,
    msg: &Message,
    outcome: &Outcome,
) -> Result<(), HandlerError> {
    if outcome.actions.contains(&Action::DeleteMessage)
        && let Err(e) = retry::retrying("deleteMessage", || {
            bot.delete_message(msg.chat.id, msg.id).send()
        })
        .await
    {
        // Without the right to delete in a group, the warning still goes out.
        tracing::warn!(chat = msg.chat.id.0, error = %e, "could not delete a message holding a secret");
    }
    // The user hears back first; the staff side follows (the ticket is already on disk).
    let answered = send_replies(bot, msg.chat.id, None, &outcome.replies).await;
    if let Some(ticket) = outcome.ticket {
        if outcome.actions.contains(&Action::NotifyStaff) {
            app.cards.post(ticket, msg.chat.id);
        }
        if outcome.actions.contains(&Action::RelayToStaff)
            && !outcome.actions.contains(&Action::DeleteMessage)
            && let Err(e) = relay::user_to_staff(bot, app, ticket, msg).await
        {
            tracing::error!(ticket, error = %e, "could not relay a user's message to staff");
        }
    }
    answered.map(|_| ())
}

/// A message not for the bot is still taken when it holds a secret the bot can remove: in a
/// private chat, or in a group the bot administers.
async fn removes_secret(bot: &TgBot, app: &App, me: &Me, msg: &Message, text: &str) -> bool {
    crate::secrets::contains_secret(text)
        && (msg.chat.is_private() || app.admin.is_admin(bot, me, msg.chat.id).await)
}

async fn on_message(bot: TgBot, msg: Message, me: Me, app: Arc<App>) -> Result<(), HandlerError> {
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    if from.is_bot {
        return Ok(());
    }
    let lang_hint = from.language_code.as_deref().and_then(Lang::from_code);
    let user = user_id(from);
    let caption = msg.text().or(msg.caption());
    let media = msg.text().is_none();
    let text = match caption {
        Some(t) => match group::addressed(&msg, &me, t) {
            Some(t) => t,
            None if removes_secret(&bot, &app, &me, &msg, t).await => t.to_string(),
            None => return Ok(()),
        },
        // Media without a caption is only taken in private chats.
        None if msg.chat.is_private() => String::new(),
        None => return Ok(()),
    };
    if !media && StaffDesk::is_staff_command(&text) {
        let out = app.staff.command(&actor(from), &text, None, now()).await;
        return staff_chat::apply_staff_outcome(&bot, &app, msg.chat.id, None, &out, None).await;
    }
    let chat = if msg.chat.is_private() {
        ChatKind::Private
    } else {
        ChatKind::Group
    };
    let outcome = app
        .desk
        .handle(Incoming {
            user,
            text,
            lang_hint,
            chat,
            now: now(),
            username: from.username.clone(),
            display_name: Some(from.full_name()),
            media,
            ..Default::default()
        })
        .await;
    apply_outcome(&bot, &app, &msg, &outcome).await
}

async fn on_button(bot: TgBot, query: CallbackQuery, app: Arc<App>) -> Result<(), HandlerError> {
    if let Err(e) = bot.answer_callback_query(query.id.clone()).await {
        tracing::warn!(error = %e, "answerCallbackQuery failed");
    }
    let (Some(data), Some(message)) = (query.data.as_deref(), query.message.as_ref()) else {
        return Ok(());
    };
    let chat = message.chat().id;
    if data.starts_with("staff:") {
        let thread = message.regular_message().and_then(|m| m.thread_id);
        let out = app.staff.button(&actor(&query.from), data, now()).await;
        return staff_chat::apply_staff_outcome(&bot, &app, chat, thread, &out, None).await;
    }
    let user = user_id(&query.from);
    let lang_hint = query
        .from
        .language_code
        .as_deref()
        .and_then(Lang::from_code);
    let outcome = app.desk.button(user, data, lang_hint, now()).await;
    if outcome.actions.contains(&Action::RemoveButtons) {
        remove_buttons(&bot, chat, message.id()).await;
    }
    send_replies(&bot, chat, None, &outcome.replies).await?;
    if let (Some(ticket), true) = (
        outcome.ticket,
        outcome.actions.contains(&Action::NotifyStaff),
    ) {
        app.cards.post(ticket, chat);
    }
    Ok(())
}

/// Takes the inline keyboard off a message (its buttons are used up). A failure is logged: a
/// pressed leftover button is refused by the desk anyway.
async fn remove_buttons(bot: &TgBot, chat: ChatId, message: teloxide::types::MessageId) {
    let removed = retry::retrying("editMessageReplyMarkup", || {
        bot.edit_message_reply_markup(chat, message).send()
    })
    .await;
    if let Err(e) = removed {
        tracing::warn!(chat = chat.0, error = %e, "could not remove used buttons");
    }
}

/// The user command list, in both languages (`setMyCommands` by language code).
pub fn user_commands(lang: Lang) -> Vec<BotCommand> {
    let list: [(&str, &str, &str); 15] = [
        ("start", "Welcome and safety notice", "欢迎与安全提示"),
        ("help", "What I can do", "我能做什么"),
        ("position", "Your linked positions", "已绑定地址的仓位"),
        ("link", "Link a public address", "绑定公开地址"),
        ("unlink", "Remove a linked address", "解除绑定地址"),
        ("alerts", "Liquidation-risk alerts", "清算风险提醒"),
        ("watch", "Alerts for any address", "监控任意地址"),
        ("unwatch", "Stop watching an address", "停止监控地址"),
        ("faq", "Browse topics", "浏览常见问题"),
        ("human", "Talk to a person", "转人工客服"),
        ("ticket", "Your support tickets", "我的工单"),
        ("lang", "Language / 语言", "语言 / Language"),
        ("announcements", "Announcements on/off", "开启/关闭公告"),
        ("mydata", "Everything stored about you", "查看我的全部数据"),
        ("forget", "Delete your data", "删除我的数据"),
    ];
    list.iter()
        .map(|(c, en, zh)| BotCommand::new(*c, lang.pick(en, zh)))
        .collect()
}

/// The command list shown in the staff chat.
pub fn staff_commands(lang: Lang) -> Vec<BotCommand> {
    crate::staff::command_menu(lang)
        .into_iter()
        .map(|(c, text)| BotCommand::new(c, text))
        .collect()
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How long a graceful stop (SIGINT or SIGTERM) may take before the process exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(8);

/// On SIGINT or SIGTERM, stops the listener: the dispatcher finishes the updates in hand and
/// returns. The listener's stop flag stays set, so a signal that comes while the dispatcher is
/// busy is not lost (teloxide's `ShutdownToken` notification then was). Everything
/// acknowledged is on disk already; a stop that does not come within the grace period must not
/// keep a supervisor (or a person) waiting.
fn stop_on_signal(stop: StopToken, store: crate::store::Store) {
    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("stopping: finishing the updates in hand");
        stop.stop();
        tokio::time::sleep(SHUTDOWN_GRACE).await;
        tracing::warn!("the dispatcher did not stop in time; exiting");
        if let Err(e) = store.flush().await {
            tracing::error!(error = %e, "flush on exit failed");
        }
        std::process::exit(0);
    });
}

/// How `lendesk run` receives updates.
#[derive(Debug, Clone)]
pub enum Receive {
    /// Long polling (`getUpdates`).
    Polling,
    /// A webhook: Telegram posts to `url`; the bot listens on `listen`.
    Webhook {
        /// The public HTTPS URL Telegram posts to.
        url: url::Url,
        /// The local address to listen on.
        listen: SocketAddr,
    },
}

/// Everything [`run`] needs.
#[derive(Debug)]
pub struct RunOptions {
    /// The bot token (never logged).
    pub token: String,
    /// Another Bot API server (a local one or an emulator).
    pub api_url: Option<url::Url>,
    /// Polling or webhook.
    pub receive: Receive,
    /// How often overdue tickets are checked.
    pub sla_check_every: Duration,
    /// The liquidation-risk watchers to run beside the bot (none: alerts off).
    pub watch: Option<alerts::WatchSetup>,
    /// Messages sent per second at most, all replicas together.
    pub messages_per_second: u32,
}

/// Telegram's limit for one bot, messages a second (the default of
/// `telegram.messages_per_second`).
pub const BOT_MESSAGES_PER_SECOND: u32 = 30;

/// Telegram's limits, with `overall` messages a second in all (30 for one bot): one a second
/// per chat, 20 a minute per group (teloxide's default of 10 a minute for supergroups would
/// slow the staff chat for nothing; private chats are bound by the one a second).
pub fn telegram_limits(overall: u32) -> Limits {
    Limits {
        messages_per_sec_chat: 1,
        messages_per_sec_overall: overall,
        messages_per_min_chat: 60,
        messages_per_min_channel_or_supergroup: 20,
    }
}

/// Calls `getMe` until it succeeds (a Bot API or network failure at start is retried, with a
/// growing pause, not a crash). Gives up on a wrong token.
async fn get_me_with_retries(bot: &TgBot) -> Result<Me, HandlerError> {
    let mut pause = Duration::from_millis(500);
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(me),
            Err(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                return Err("the Bot API refused the token (TELOXIDE_TOKEN)".into());
            }
            Err(e) => {
                tracing::warn!(error = %e, "getMe failed; retrying in {pause:?}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Registers the command lists: users in English and Chinese, and staff in the staff chat.
async fn register_commands(bot: &TgBot, app: &App) {
    let mut results = vec![
        bot.set_my_commands(user_commands(Lang::En)).await.err(),
        bot.set_my_commands(user_commands(Lang::Zh))
            .language_code("zh")
            .await
            .err(),
    ];
    if let Some(chat) = app.staff_chat {
        results.push(
            bot.set_my_commands(staff_commands(app.staff.lang()))
                .scope(BotCommandScope::Chat {
                    chat_id: Recipient::Id(chat),
                })
                .await
                .err(),
        );
    }
    for e in results.into_iter().flatten() {
        tracing::warn!(error = %e, "setMyCommands failed; command menus may be stale");
    }
}

/// Whether the staff chat has topics; `false` (reply-based relay) when it cannot be read.
async fn staff_chat_is_forum(bot: &TgBot, chat: ChatId) -> bool {
    match bot.get_chat(chat).await {
        Ok(info) => {
            use teloxide::types::{ChatFullInfoKind, ChatFullInfoPublicKind};
            match info.kind {
                ChatFullInfoKind::Public(public) => {
                    matches!(public.kind, ChatFullInfoPublicKind::Supergroup(s) if s.is_forum)
                }
                ChatFullInfoKind::Private(_) => false,
            }
        }
        Err(e) => {
            tracing::warn!(chat = chat.0, error = %e, "cannot read the staff chat; using reply-based relay");
            false
        }
    }
}

/// The bot client: the client's timeout and the long poll's set together (see `polling`),
/// Telegram's limits, `getMe` cached. Proxies come from the usual HTTPS_PROXY / ALL_PROXY
/// variables.
fn connect(
    token: String,
    api_url: Option<url::Url>,
    per_second: u32,
) -> Result<TgBot, HandlerError> {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(polling::CLIENT_TIMEOUT)
        .build()?;
    let mut raw = Bot::with_client(token, client);
    if let Some(url) = api_url {
        raw = raw.set_api_url(url);
    }
    Ok(raw.throttle(telegram_limits(per_second)).cache_me())
}

/// Runs the alert watchers alone (`lendesk watch`): no updates are received; alerts go to
/// users' private chats and the watchers' events to the staff chat, until SIGINT or SIGTERM.
/// Subscriptions are read at start (the desk that changes them is not running here).
pub async fn watch(
    token: String,
    api_url: Option<url::Url>,
    per_second: u32,
    store: Store,
    setup: alerts::WatchSetup,
    staff: Option<(i64, Lang)>,
) -> Result<(), HandlerError> {
    let bot = connect(token, api_url, per_second)?;
    let me = get_me_with_retries(&bot).await?;
    tracing::info!(bot = %me.username(), markets = setup.readers.len(), "watching positions");
    let tasks = alerts::start(
        &bot,
        &store,
        setup,
        crate::alerts::SubscriptionsChanged::default(),
        staff.map(|(chat, lang)| (ChatId(chat), lang)),
    );
    stop_signal().await;
    drop(tasks);
    store.flush().await?;
    tracing::info!("stopped");
    Ok(())
}

/// The lease on long polling for this bot, taken before the first `getUpdates`. A poller
/// that died (a crash, a restart after `kill -9`) leaves the lease to lapse: the next one waits
/// up to a lease's time for it. One still renewing it means a second `lendesk run` polling with
/// the same token on the same store: refused with a clear error (Telegram serves one poller per
/// bot; two would take each other's updates). On sled the data directory's lock already keeps
/// a second process out.
async fn poller_lease(
    store: &Store,
    me: &teloxide::types::Me,
    holder: &Arc<str>,
) -> Result<crate::replica::Lease, HandlerError> {
    use crate::replica::LEASE_TTL;
    let name = format!("telegram-poller:{}", me.id.0);
    let give_up = tokio::time::Instant::now() + LEASE_TTL + LEASE_TTL / 3;
    while !store.acquire_lease(&name, holder, LEASE_TTL).await? {
        if tokio::time::Instant::now() >= give_up {
            return Err(format!(
            "another lendesk is already receiving @{}'s updates by long polling on this store; Telegram serves one poller per bot. Stop it, or run replicas with --webhook-url behind a load balancer",
                me.username()
            )
            .into());
        }
        tracing::info!("another poller holds this bot's updates; waiting for its lease to lapse");
        tokio::time::sleep(LEASE_TTL / 5).await;
    }
    Ok(crate::replica::Lease::keep(
        store.clone(),
        name,
        holder.clone(),
    ))
}

/// Runs the bot until SIGINT or SIGTERM: polling or webhook, the staff side, the SLA checker
/// and any broadcast a restart interrupted. The token is never logged.
pub async fn run(
    options: RunOptions,
    desk: Arc<Desk>,
    staff: Arc<StaffDesk>,
    store: Store,
    staff_chat: Option<i64>,
) -> Result<(), HandlerError> {
    let bot = connect(
        options.token.clone(),
        options.api_url.clone(),
        options.messages_per_second,
    )?;
    let me = get_me_with_retries(&bot).await?;
    tracing::info!(bot = %me.username(), "connected to the Bot API");
    let staff_chat = staff_chat.map(ChatId);
    let forum = match staff_chat {
        Some(chat) => staff_chat_is_forum(&bot, chat).await,
        None => {
            tracing::warn!(
                "no staff chat configured (telegram.staff_chat): tickets are stored but nobody is told"
            );
            false
        }
    };
    let app = Arc::new(App::new(
        desk.clone(),
        staff,
        store.clone(),
        staff_chat,
        forum,
    ));
    register_commands(&bot, &app).await;
    // Long polling: one poller per bot (Telegram answers a second one with a conflict).
    let _poller = match options.receive {
        Receive::Polling => Some(poller_lease(&store, &me, &app.holder).await?),
        Receive::Webhook { .. } => None,
    };
    let members = Arc::new(crate::replica::Members::join(
        store.clone(),
        app.holder.clone(),
    ));

    let rate = tokio::spawn(background::share_rate(
        bot.clone(),
        members.clone(),
        options.messages_per_second,
    ));
    let cards = tokio::spawn(cards::worker(bot.clone(), app.clone()));
    let broadcasts = tokio::spawn(background::broadcast_runner(bot.clone(), app.clone()));
    let alerts = options.watch.map(|setup| {
        let staff = staff_chat.map(|chat| (chat, app.staff.lang()));
        tokio::spawn(alerts::run_sharded(
            bot.clone(),
            store.clone(),
            setup,
            desk.subscriptions_changed(),
            staff,
            members.clone(),
        ))
    });
    let sla = tokio::spawn(background::sla_checker(
        bot.clone(),
        app.clone(),
        options.sla_check_every,
    ));
    let pruner = tokio::spawn(background::pruner(app.clone()));
    tokio::spawn({
        let desk = desk.clone();
        async move { desk.warm_up().await }
    });

    let mut dispatcher = Dispatcher::builder(bot.clone(), handler_tree())
        .dependencies(dptree::deps![app.clone()])
        .build();
    match options.receive {
        Receive::Polling => {
            if let Err(e) = bot.delete_webhook().await {
                tracing::warn!(error = %e, "deleteWebhook failed");
            }
            let mut listener = polling::TrackedPolling::new(bot.clone(), app.updates.clone());
            stop_on_signal(listener.stop_token(), store.clone());
            dispatcher
                .dispatch_with_listener(
                    listener,
                    LoggingErrorHandler::with_custom_text("getUpdates failed"),
                )
                .await;
            polling::confirm_handled(&bot, &app.updates).await;
        }
        Receive::Webhook { url, listen } => {
            // Each update handled before Telegram is answered (see `webhook`); the dispatcher
            // is not used.
            drop(dispatcher);
            webhook::serve(
                bot.clone(),
                me.clone(),
                app.clone(),
                &options.token,
                url,
                listen,
                stop_signal(),
            )
            .await?;
        }
    }
    sla.abort();
    rate.abort();
    cards.abort();
    pruner.abort();
    broadcasts.abort();
    if let Some(alerts) = alerts {
        alerts.abort();
    }
    desk.close().await;
    store.flush().await?;
    tracing::info!("stopped");
    Ok(())
}
