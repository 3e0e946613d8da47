//! The console adapters of the desk: `lendesk ask` (one message, optionally as JSON) and
//! `lendesk chat` (an interactive chat that behaves as the Telegram bot does), and
//! `lendesk faq check`.

use std::collections::HashSet;
use std::io::{BufRead, ErrorKind, Write};
use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use serde_json::json;

use super::CommandError;
use crate::clock::unix_now as now;
use crate::config::{Config, ConfigError};
use crate::desk::{Desk, DeskSettings, Incoming, Outcome};
use crate::knowledge::{KnowledgeBase, check};
use crate::lang::Lang;
use crate::store::Store;
use crate::tickets::Tickets;

fn other(e: impl std::fmt::Display) -> CommandError {
    CommandError::Other(e.to_string())
}

/// The configured knowledge folder; a missing one is a config error that names it.
pub fn faq_dir(config: &Config) -> Result<PathBuf, CommandError> {
    let dir = PathBuf::from(&config.desk.faq_dir);
    if dir.is_dir() {
        return Ok(dir);
    }
    Err(CommandError::Config(ConfigError::Invalid {
        key: "desk.faq_dir".into(),
        message: format!(
            "the knowledge folder {} does not exist (set desk.faq_dir or LENDESK_FAQ_DIR)",
            dir.display()
        ),
    }))
}

/// Where the console chat writes its log lines: `console.log` in the data directory.
pub fn log_file(data_dir: &Path) -> PathBuf {
    data_dir.join("console.log")
}

/// Builds the desk from the config: knowledge base, a reader per configured market, the store
/// (PostgreSQL or sled, [`super::store::open`]) and tickets. The store comes back beside the
/// desk, for the adapter's own records.
pub async fn build_desk(config: &Config) -> Result<(Desk, Store), CommandError> {
    // The knowledge base (the longest step) loads while the store opens.
    let faq = faq_dir(config)?;
    let kb = tokio::task::spawn_blocking(move || KnowledgeBase::load_dir(&faq));
    let store = super::store::open(config).await;
    let kb = kb
        .await
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()))
        .map_err(other)?;
    let store = store?;
    let chain = crate::chain::markets::Markets::from_config(config)?;
    let tickets = Tickets::new(store.clone(), config.support.clone());
    let settings = DeskSettings {
        target_health_factor: config.target_health_factor()?,
        comfort_health_factor: config.comfort_health_factor()?,
        flood_limit: config.telegram.flood_messages_per_minute,
        retention_days: config.desk.retention_days,
        alerts: config.alerts()?,
    };
    Ok((
        Desk::new(kb, chain, tickets, store.clone(), settings),
        store,
    ))
}

/// The stable `ask --json` object.
pub fn outcome_json(outcome: &Outcome) -> serde_json::Value {
    json!({
        "intent": outcome.intent,
        "lang": outcome.lang.code(),
        "text": outcome.text(),
        "sources": outcome.sources,
        "ticket": outcome.ticket,
        "actions": outcome.actions,
    })
}

/// The `ask --json` object for a failure after the flags were accepted (the data directory
/// is in use, the store cannot be opened): the documented shape, intent `error`.
pub fn error_json(error: &CommandError) -> String {
    json!({
        "intent": "error",
        "lang": Lang::En.code(),
        "text": error.to_string(),
        "sources": [],
        "ticket": null,
        "actions": [],
    })
    .to_string()
}

/// `lendesk ask`: one message through the desk.
pub async fn ask(
    config: &Config,
    message: &str,
    lang: Option<&str>,
    address: Option<&str>,
    user: i64,
    as_json: bool,
) -> Result<String, CommandError> {
    let lang_hint = match lang {
        Some(code) => Some(Lang::from_code(code).ok_or_else(|| {
            CommandError::BadInput(format!("--lang takes en or zh, not {code:?}"))
        })?),
        None => None,
    };
    let addresses: Vec<Address> = match address {
        Some(a) => vec![
            crate::chain::parse_address(a).map_err(|e| CommandError::BadInput(e.to_string()))?,
        ],
        None => Vec::new(),
    };
    let (desk, _) = build_desk(config).await?;
    let outcome = desk
        .handle(Incoming {
            user,
            text: message.to_string(),
            lang_hint,
            addresses,
            now: now(),
            ..Default::default()
        })
        .await;
    if as_json {
        return serde_json::to_string(&outcome_json(&outcome)).map_err(other);
    }
    Ok(render_for_console(&outcome))
}

/// Replies as a console shows them: text, then numbered buttons.
pub fn render_for_console(outcome: &Outcome) -> String {
    let mut out = String::new();
    let mut n = 0;
    for reply in &outcome.replies {
        // A terminal shows no bold: drop the markers rather than print them.
        out.push_str(reply.text.replace("**", "").trim_end());
        out.push('\n');
        for row in &reply.buttons {
            let labels: Vec<String> = row
                .iter()
                .map(|b| {
                    n += 1;
                    format!("[{n}] {}", b.label)
                })
                .collect();
            out.push_str(&format!("  {}\n", labels.join("   ")));
        }
        out.push('\n');
    }
    if outcome
        .actions
        .contains(&crate::desk::Action::DeleteMessage)
    {
        out.push_str("(your message was deleted from this chat)\n");
    }
    if let Some(t) = outcome.ticket {
        out.push_str(&format!("(ticket #{t} is with the support team)\n"));
    }
    out
}

/// `lendesk chat`: reads lines from stdin until EOF or /quit. A closed stdout ends the chat
/// quietly.
pub async fn chat(config: &Config, user: i64, intro: Option<&str>) -> Result<(), CommandError> {
    let (desk, store) = build_desk(config).await?;
    let desk = std::sync::Arc::new(desk);
    tokio::spawn({
        let desk = desk.clone();
        async move { desk.warm_up().await }
    });
    let mut console = Console::default();
    if let Some(intro) = intro {
        console.show(&format!("{intro}\n"));
    }
    let first = desk
        .handle(Incoming {
            user,
            text: "/start".into(),
            now: now(),
            ..Default::default()
        })
        .await;
    console.reply(&desk, &store, &first).await;
    let mut buttons: Vec<String> = button_data(&first);
    let stdin = std::io::stdin();
    while console.show("you> ") {
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).map_err(other)? == 0 {
            break;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == "/quit" || line == "/exit" {
            break;
        }
        let outcome = match line
            .parse::<usize>()
            .ok()
            .and_then(|n| buttons.get(n.wrapping_sub(1)))
        {
            Some(data) => desk.button(user, data, None, now()).await,
            None => {
                desk.handle(Incoming {
                    user,
                    text: line.to_string(),
                    now: now(),
                    ..Default::default()
                })
                .await
            }
        };
        console.show("\n");
        console.reply(&desk, &store, &outcome).await;
        buttons = button_data(&outcome);
    }
    console.result()
}

/// The chat's side of the terminal: what it printed, and the tickets it told about.
#[derive(Default)]
struct Console {
    /// Tickets whose out-of-hours notice was shown (once each, as on Telegram).
    noticed: HashSet<u64>,
    /// The first write error other than a closed pipe.
    failed: Option<std::io::Error>,
    closed: bool,
}

impl Console {
    /// Prints `text`; false once stdout is gone (the chat then ends).
    fn show(&mut self, text: &str) -> bool {
        if self.closed {
            return false;
        }
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            self.closed = true;
            if e.kind() != ErrorKind::BrokenPipe {
                self.failed = Some(e);
            }
        }
        !self.closed
    }

    /// An answer, then, for a ticket opened outside business hours, when a person will
    /// answer (the notice the Telegram adapter sends).
    async fn reply(&mut self, desk: &Desk, store: &Store, outcome: &Outcome) {
        self.show(&render_for_console(outcome));
        let Some(ticket) = outcome.ticket else {
            return;
        };
        let handed_over = outcome.actions.contains(&crate::desk::Action::NotifyStaff);
        if !handed_over || !self.noticed.insert(ticket) {
            return;
        }
        let notice = store
            .ticket(ticket)
            .await
            .ok()
            .flatten()
            .and_then(|record| desk.tickets().out_of_hours_notice(&record, now()));
        if let Some(notice) = notice {
            self.show(&format!("{}\n\n", notice.replace("**", "")));
        }
    }

    fn result(self) -> Result<(), CommandError> {
        self.failed.map_or(Ok(()), |e| Err(other(e)))
    }
}

fn button_data(outcome: &Outcome) -> Vec<String> {
    outcome
        .replies
        .iter()
        .flat_map(|r| r.buttons.iter().flatten())
        .map(|b| b.data.clone())
        .collect()
}

/// `lendesk faq check [DIR]`.
pub fn faq_check(config: &Config, dir: Option<&Path>) -> Result<String, CommandError> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => faq_dir(config)?,
    };
    let report = check::check_dir(&dir);
    let text = report.to_string();
    if report.errors.is_empty() {
        Ok(text)
    } else {
        Err(CommandError::BadInput(text))
    }
}

/// `lendesk faq search`: the top topics for a question, for moderators tuning the content.
pub fn faq_search(config: &Config, query: &str) -> Result<String, CommandError> {
    let kb = KnowledgeBase::load_dir(&faq_dir(config)?).map_err(other)?;
    let lang = crate::lang::detect(query).unwrap_or_default();
    let hits = kb.search(query, lang, 5);
    if hits.is_empty() {
        return Ok("no topic matches".into());
    }
    Ok(hits
        .iter()
        .map(|h| {
            format!(
                "{:<34} score {:>7.3}   confidence {:.2}",
                h.id, h.score, h.confidence
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}
