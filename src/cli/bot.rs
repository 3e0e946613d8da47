//! `lendesk run`: the Telegram bot over the desk and the staff desk, configured from the
//! config file and the environment (the token only from `TELOXIDE_TOKEN`, never logged).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::CommandError;
use crate::alerts::follow::Followed;
use crate::config::Config;
use crate::knowledge::KnowledgeBase;
use crate::lang::Lang;
use crate::staff::StaffDesk;
use crate::telegram::{self, Receive, RunOptions};

/// How `lendesk run` was asked to receive updates.
#[derive(Debug, Clone, Default)]
pub struct BotFlags {
    /// `--webhook-url`: a public HTTPS URL; long polling when absent.
    pub webhook_url: Option<String>,
    /// `--listen`: where the webhook server listens.
    pub listen: Option<String>,
    /// `--sla-check-seconds`.
    pub sla_check_seconds: u64,
}

/// The bot's token, from `TELOXIDE_TOKEN` only.
fn token() -> Result<String, CommandError> {
    std::env::var("TELOXIDE_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            CommandError::BadInput("set TELOXIDE_TOKEN to the bot's token from @BotFather".into())
        })
}

/// The Bot API URL, when another server than Telegram's is configured.
fn api_url(config: &Config) -> Result<Option<url::Url>, CommandError> {
    match &config.telegram.api_url {
        Some(u) => Ok(Some(url::Url::parse(u).map_err(|e| {
            CommandError::BadInput(format!("the Bot API URL {u:?} is not a URL: {e}"))
        })?)),
        None => Ok(None),
    }
}

/// The watchers' setup: a reader per configured market, on connections of their own (a slow
/// answer to a user never waits behind a watcher's read, nor the other way round). None when
/// no market is configured.
fn watch_setup(config: &Config) -> Result<Option<telegram::alerts::WatchSetup>, CommandError> {
    let (aave, morpho) = crate::chain::markets::Markets::from_config(config)?.into_parts();
    let readers: Vec<Followed> = aave
        .into_iter()
        .map(|r| Followed::Aave(Arc::new(r)))
        .chain(morpho.into_iter().map(|r| Followed::Morpho(Arc::new(r))))
        .collect();
    if readers.is_empty() {
        tracing::info!("no market configured: no position is watched");
        return Ok(None);
    }
    Ok(Some(telegram::alerts::WatchSetup {
        readers,
        config: config.alerts()?,
        ws_urls: config.alerts.ws_urls.clone(),
    }))
}

/// Runs the bot until SIGINT/SIGTERM.
pub async fn run(config: &Config, flags: BotFlags) -> Result<(), CommandError> {
    let token = token()?;
    let api_url = api_url(config)?;
    let receive = match flags.webhook_url {
        None => Receive::Polling,
        Some(url) => {
            let url = url::Url::parse(&url)
                .map_err(|e| CommandError::BadInput(format!("--webhook-url is not a URL: {e}")))?;
            let listen: SocketAddr = flags
                .listen
                .as_deref()
                .unwrap_or("0.0.0.0:8443")
                .parse()
                .map_err(|e| CommandError::BadInput(format!("--listen: {e}")))?;
            Receive::Webhook { url, listen }
        }
    };
    let (desk, store) = super::console::build_desk(config).await?;
    let desk = Arc::new(desk);
    // The files of faq/, before the staff desk applies moderators' edits over them.
    let base = KnowledgeBase::clone(&desk.knowledge());
    let staff_lang = Lang::from_code(&config.telegram.staff_lang).unwrap_or_default();
    let staff = StaffDesk::new(
        desk.clone(),
        store.clone(),
        base,
        config.telegram.admins.clone(),
        staff_lang,
    )
    .await
    .map_err(|e| CommandError::Other(e.to_string()))?;
    let watch = if config.alerts.watch {
        watch_setup(config)?
    } else {
        tracing::info!("alerts.watch is off: no position is watched by this process");
        None
    };
    let options = RunOptions {
        token,
        api_url,
        receive,
        sla_check_every: Duration::from_secs(flags.sla_check_seconds.max(1)),
        watch,
        messages_per_second: config.telegram.messages_per_second,
    };
    telegram::run(
        options,
        desk,
        Arc::new(staff),
        store,
        config.telegram.staff_chat,
    )
    .await
    .map_err(|e| CommandError::Other(e.to_string()))
}

/// `lendesk watch`: the alert watchers alone, sending alerts through the Bot API (or printing
/// them, with `print`), until SIGINT/SIGTERM.
pub async fn watch(config: &Config, print: bool) -> Result<(), CommandError> {
    let Some(setup) = watch_setup(config)? else {
        return Err(CommandError::BadInput(
            "no market is configured: there is nothing to watch".into(),
        ));
    };
    let store = super::store::open(config).await?;
    if print {
        return print_alerts(store, setup).await;
    }
    let staff_lang = Lang::from_code(&config.telegram.staff_lang).unwrap_or_default();
    telegram::watch(
        token()?,
        api_url(config)?,
        config.telegram.messages_per_second,
        store,
        setup,
        config.telegram.staff_chat.map(|chat| (chat, staff_lang)),
    )
    .await
    .map_err(|e| CommandError::Other(e.to_string()))
}

/// `lendesk watch --print`: alerts go to standard output instead of Telegram (they count as
/// delivered), the watchers' events to the log.
async fn print_alerts(
    store: crate::store::Store,
    setup: telegram::alerts::WatchSetup,
) -> Result<(), CommandError> {
    use std::io::Write as _;
    let mut watching = crate::alerts::follow::spawn_all(
        setup.readers,
        &setup.ws_urls,
        store.clone(),
        setup.config,
        crate::alerts::SubscriptionsChanged::default(),
    );
    loop {
        let printed =
            crate::alerts::deliver(&store, crate::clock::unix_now(), |entry| async move {
                let mut out = std::io::stdout().lock();
                // The console shows the text without its bold marks.
                let text = entry.text.replace("**", "");
                writeln!(out, "── to user {} ──\n{text}\n", entry.user)
                    .map_err(|_| crate::alerts::SendFailure::Later)
            })
            .await;
        if let Err(e) = printed {
            return Err(CommandError::Other(e.to_string()));
        }
        tokio::select! {
            _ = watching.outbox.notified() => {}
            Some(event) = watching.events.recv() => {
                tracing::warn!(?event, "alert watcher event");
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    store
        .flush()
        .await
        .map_err(|e| CommandError::Other(e.to_string()))?;
    Ok(())
}
