//! `lendesk run`: the Telegram bot over the desk and the staff desk, configured from the
//! config file and the environment (the token only from `TELOXIDE_TOKEN`, never logged).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::CommandError;
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

/// Runs the bot until SIGINT/SIGTERM.
pub async fn run(config: &Config, flags: BotFlags) -> Result<(), CommandError> {
    let token = std::env::var("TELOXIDE_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            CommandError::BadInput("set TELOXIDE_TOKEN to the bot's token from @BotFather".into())
        })?;
    let api_url = match &config.telegram.api_url {
        Some(u) => Some(url::Url::parse(u).map_err(|e| {
            CommandError::BadInput(format!("the Bot API URL {u:?} is not a URL: {e}"))
        })?),
        None => None,
    };
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
    let (desk, store) = super::console::build_desk(config)?;
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
    .map_err(|e| CommandError::Other(e.to_string()))?;
    let options = RunOptions {
        token,
        api_url,
        receive,
        sla_check_every: Duration::from_secs(flags.sla_check_seconds.max(1)),
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
