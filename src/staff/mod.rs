//! The staff side, transport-agnostic (it never imports teloxide): moderator commands, commands
//! inside a ticket's topic, roles, statistics, user cards, the broadcast runner, and their texts
//! in English and Chinese.
//!
//! The adapter hands every staff command to [`StaffDesk::command`] (with the ticket of the forum
//! topic, or of the ticket message it replies to) and every `staff:` button press to
//! [`StaffDesk::button`], then carries out the [`StaffOutcome`]: replies go back to the same
//! chat (and thread), `to_user` messages go to users *as the support team* (the adapter relays
//! and records them), and [`StaffEffect`]s close or reopen a ticket's topic or start a
//! broadcast in the background with [`run_broadcast`].
//!
//! Rules every command follows:
//! - **Roles.** Anyone without a [`Role`] gets one bilingual refusal (and, being a user, a
//!   pointer to /help and /ticket); `/staff add|remove` is for admins only. Admins come from
//!   the configuration, staff from the store.
//! - **Audit.** Every successful change appends a line to the audit log (actor, action,
//!   redacted and trimmed detail) before the reply.
//! - **No panics on input.** Unknown subcommands and bad arguments get a usage line.
//! - **Languages.** Staff read the configured staff language; a user gets the team's messages
//!   in their chosen language, else their ticket's.
//! - **No secrets.** What this module echoes of users comes from the store, already redacted;
//!   what staff type into audit details is redacted again.
//!
//! Files: [`roles`](Role) (who may do what, naming users), `commands` (moderator commands),
//! `topic_commands` (`/note /assign /macro /close /reopen`), [`stats`] (the `/stats` math),
//! `card` (user card, ticket card, topic title), `broadcast` ([`run_broadcast`]) and `texts`.

mod broadcast;
mod card;
mod command;
mod commands;
mod roles;
pub mod stats;
mod texts;
mod topic_commands;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::desk::outcome::Reply;
use crate::desk::{Desk, DeskError};
use crate::knowledge::KnowledgeBase;
use crate::lang::Lang;
use crate::store::{Store, StoreError, TicketRecord};
use crate::tickets::TicketError;

pub use broadcast::{BATCH, Delivery, MAX_RETRIES, eligible, eligible_count, run_broadcast};
pub use command::{StaffCommand, menu as command_menu};
pub use roles::Role;
pub use stats::{AlertCounts, Percentiles, Stats};

/// Telegram's message limit is 4096 characters; long replies are split below this.
const MAX_REPLY_CHARS: usize = 3_800;

/// `/faq` subcommands that make it a staff command (plain `/faq` and `/faq <question>` are the
/// users' FAQ browser).
const FAQ_SUBCOMMANDS: &[&str] = &["list", "show", "add", "edit", "remove", "restore"];

/// Who sent a staff command or pressed a staff button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Telegram user id.
    pub id: i64,
    /// @username, if any.
    pub username: Option<String>,
    /// Display name.
    pub name: String,
}

/// Something the adapter must do besides sending messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffEffect {
    /// Run the broadcast with this number in the background ([`run_broadcast`]).
    StartBroadcast(u64),
    /// The ticket was closed: close its forum topic.
    CloseTopic(u64),
    /// The ticket was reopened: reopen its forum topic.
    ReopenTopic(u64),
}

/// What the staff desk answers to a command or a button press.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaffOutcome {
    /// Replies to the staff chat (same thread), or to the staff member's private chat.
    pub replies: Vec<Reply>,
    /// Messages to users, sent as the support team: (user id, message).
    pub to_user: Vec<(i64, Reply)>,
    /// Effects for the adapter.
    pub effects: Vec<StaffEffect>,
}

impl StaffOutcome {
    /// One plain reply.
    fn text(text: impl Into<String>) -> Self {
        Self {
            replies: vec![plain(text)],
            ..Self::default()
        }
    }

    /// A reply that may be longer than a Telegram message: split at line ends.
    fn long(text: &str) -> Self {
        Self {
            replies: split_long(text, MAX_REPLY_CHARS)
                .into_iter()
                .map(plain)
                .collect(),
            ..Self::default()
        }
    }

    /// Text to be shown verbatim (a topic file staff copy and edit): fenced, so the adapter
    /// shows it preformatted and leaves `**` alone; split under the reply limit.
    fn verbatim(text: &str) -> Self {
        Self {
            replies: split_long(text, MAX_REPLY_CHARS - 8)
                .into_iter()
                .map(|part| plain(format!("```\n{part}\n```")))
                .collect(),
            ..Self::default()
        }
    }

    /// All replies' text, blank-line separated (for logs and tests).
    pub fn text_of_replies(&self) -> String {
        self.replies
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

fn plain(text: impl Into<String>) -> Reply {
    Reply {
        text: text.into(),
        buttons: Vec::new(),
    }
}

/// Splits `text` into pieces of at most `max` characters, at line ends where possible.
fn split_long(text: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_chars = 0usize;
    for line in text.split('\n') {
        let mut line = line;
        loop {
            let chars = line.chars().count();
            let extra = chars + usize::from(!current.is_empty());
            if current_chars + extra <= max {
                if !current.is_empty() {
                    current.push('\n');
                }
                current.push_str(line);
                current_chars += extra;
                break;
            }
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
                current_chars = 0;
                continue;
            }
            // A single line longer than a message: cut it.
            let cut = line.char_indices().nth(max).map_or(line.len(), |(i, _)| i);
            out.push(line[..cut].to_string());
            line = &line[cut..];
            if line.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// Staff-side failures.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A ticket operation failed.
    #[error(transparent)]
    Ticket(#[from] TicketError),
    /// The desk failed.
    #[error(transparent)]
    Desk(#[from] DeskError),
    /// No broadcast with this number.
    #[error("there is no broadcast #{0}")]
    NoBroadcast(u64),
}

/// "/stats@lendesk_bot 7d" → ("stats", "7d"). `None` when `text` is not a command.
fn parse_command(text: &str) -> Option<(String, &str)> {
    let rest = text.trim_start().strip_prefix('/')?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let name = rest[..end]
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some((name, rest[end..].trim()))
}

/// "add <text…>" → ("add", "<text…>"), splitting at the first whitespace (newlines included).
fn split_first(args: &str) -> (&str, &str) {
    let args = args.trim();
    match args.find(char::is_whitespace) {
        Some(i) => (&args[..i], args[i..].trim()),
        None => (args, ""),
    }
}

/// The staff side over a desk.
pub struct StaffDesk {
    desk: Arc<Desk>,
    /// The store the desk works on: staff records, bans, audit, FAQ edits, tickets.
    store: Store,
    /// The knowledge base as loaded from `faq/`, before moderators' edits.
    base: KnowledgeBase,
    admins: Vec<i64>,
    lang: Lang,
    /// Serialises FAQ edits: each one saves, then rebuilds the knowledge base from the store.
    faq_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for StaffDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffDesk")
            .field("admins", &self.admins)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl StaffDesk {
    /// The staff side of `desk`, over `store` (the one the desk was built on). `base` is the
    /// knowledge base of the `faq/` files; the moderators' stored edits are applied over it and
    /// the result given to the desk now.
    pub async fn new(
        desk: Arc<Desk>,
        store: Store,
        base: KnowledgeBase,
        admins: Vec<i64>,
        lang: Lang,
    ) -> Result<Self, StaffError> {
        let staff = Self {
            desk,
            store,
            base,
            admins,
            lang,
            faq_lock: tokio::sync::Mutex::new(()),
        };
        staff.apply_faq_overlay().await?;
        Ok(staff)
    }

    /// The staff side's language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The desk this staff side works on.
    pub fn desk(&self) -> &Arc<Desk> {
        &self.desk
    }

    /// A person's role: admins from the configuration, staff from the store, else `None`.
    pub async fn role(&self, user: i64) -> Option<Role> {
        if self.admins.contains(&user) {
            return Some(Role::Admin);
        }
        match self.store.staff_member(user).await {
            Ok(Some(_)) => Some(Role::Staff),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(user, error = %e, "cannot read the staff list");
                None
            }
        }
    }

    /// True for a staff command (`/tickets`, `/stats@bot 30d`, `/faq add …`), which the adapter
    /// sends to [`StaffDesk::command`]; false for everything else, including plain `/faq` and
    /// `/faq <question>` (the users' FAQ browser).
    pub fn is_staff_command(text: &str) -> bool {
        let Some((name, args)) = parse_command(text) else {
            return false;
        };
        match StaffCommand::parse(&name) {
            Some(StaffCommand::Faq) => {
                let sub = split_first(args).0.to_ascii_lowercase();
                FAQ_SUBCOMMANDS.contains(&sub.as_str())
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Runs a staff command. `ticket`: the ticket of the forum topic the command was sent in,
    /// or of the ticket message it replies to. Never fails: failures become a reply.
    pub async fn command(
        &self,
        actor: &Actor,
        text: &str,
        ticket: Option<u64>,
        now: u64,
    ) -> StaffOutcome {
        let Some((name, args)) = parse_command(text) else {
            return match self.role(actor.id).await {
                Some(_) => StaffOutcome::text(texts::help(self.lang)),
                None => StaffOutcome::text(texts::not_staff()),
            };
        };
        let Some(role) = self.role(actor.id).await else {
            return StaffOutcome::text(texts::not_staff());
        };
        let Some(command) = StaffCommand::parse(&name) else {
            return StaffOutcome::text(texts::help(self.lang));
        };
        if command.role() == Role::Admin && role != Role::Admin {
            return StaffOutcome::text(texts::admin_only(self.lang));
        }
        let result = match command {
            StaffCommand::Tickets => self.cmd_tickets(actor, args, now).await,
            StaffCommand::Stats => self.cmd_stats(args, now).await,
            StaffCommand::Faq => self.cmd_faq(actor, args, now).await,
            StaffCommand::Broadcast => self.cmd_broadcast(actor, args, now).await,
            StaffCommand::Maintenance => self.cmd_maintenance(actor, args, now).await,
            StaffCommand::Ban => {
                self.cmd_ban(actor, crate::store::BanKind::Ban, args, now)
                    .await
            }
            StaffCommand::Shadowban => {
                self.cmd_ban(actor, crate::store::BanKind::Shadow, args, now)
                    .await
            }
            StaffCommand::Unban => self.cmd_unban(actor, args, now).await,
            StaffCommand::Whois => self.cmd_whois(actor, args, now).await,
            StaffCommand::Staff => self.cmd_staff(actor, role, args, now).await,
            StaffCommand::Audit => self.cmd_audit(args).await,
            StaffCommand::Macros => self.cmd_macros(actor, args, now).await,
            StaffCommand::Note
            | StaffCommand::Assign
            | StaffCommand::Macro
            | StaffCommand::Close
            | StaffCommand::Reopen => self.ticket_command(actor, command, args, ticket, now).await,
        };
        result.unwrap_or_else(|e| {
            tracing::error!(command = %name, actor = actor.id, error = %e, "staff command failed");
            StaffOutcome::text(texts::failed(self.lang, &e.to_string()))
        })
    }

    /// Handles a button this module made (data `staff:…`).
    pub async fn button(&self, actor: &Actor, data: &str, now: u64) -> StaffOutcome {
        if self.role(actor.id).await.is_none() {
            return StaffOutcome::text(texts::not_staff());
        }
        let id = data
            .strip_prefix("staff:ticket:")
            .and_then(|id| id.parse::<u64>().ok());
        let Some(id) = id else {
            return StaffOutcome::text(
                self.lang
                    .pick("This button is no longer valid.", "这个按钮已失效。"),
            );
        };
        match self.store.ticket(id).await {
            Ok(Some(t)) => StaffOutcome::text(self.ticket_card(&t, now).await),
            Ok(None) => StaffOutcome::text(texts::no_ticket(self.lang, id)),
            Err(e) => StaffOutcome::text(texts::failed(self.lang, &e.to_string())),
        }
    }

    /// A staff member answered a ticket (a relayed message or a macro): records the first
    /// response and moves the ticket in progress.
    pub async fn staff_replied(
        &self,
        ticket: u64,
        staff: i64,
        now: u64,
    ) -> Result<TicketRecord, StaffError> {
        let t = self.desk.tickets().respond(ticket, staff, now).await?;
        self.desk.ticket_changed(t.user);
        Ok(t)
    }

    /// The staff chat notice about tickets past their first-response target (`None` when
    /// there are none).
    pub async fn overdue_notice(&self, tickets: &[TicketRecord], now: u64) -> Option<String> {
        if tickets.is_empty() {
            return None;
        }
        let lang = self.lang;
        let store = &self.store;
        let mut out = match lang {
            Lang::En => format!("**⏰ Overdue tickets ({})**", tickets.len()),
            Lang::Zh => format!("**⏰ 超时未响应的工单（{}）**", tickets.len()),
        };
        let mut sorted: Vec<&TicketRecord> = tickets.iter().collect();
        sorted.sort_by_key(|t| {
            (
                crate::tickets::Priority::from_code(&t.priority),
                t.created_at,
            )
        });
        for t in sorted.iter().take(20) {
            let waited = stats::human_duration(now.saturating_sub(t.created_at), lang);
            let target = stats::human_duration(self.desk.tickets().response_minutes(t) * 60, lang);
            let who = roles::label(store, t.user, lang).await;
            let priority = texts::priority_word(lang, &t.priority);
            out.push_str(&match lang {
                Lang::En => format!(
                    "\n- #{} · {priority} · waiting {waited} (target {target}) · {who}",
                    t.id
                ),
                Lang::Zh => format!(
                    "\n- #{} · {priority} · 已等待 {waited}（目标 {target}）· {who}",
                    t.id
                ),
            });
        }
        if tickets.len() > 20 {
            out.push_str(&match lang {
                Lang::En => format!("\n… and {} more: /tickets overdue", tickets.len() - 20),
                Lang::Zh => format!("\n……还有 {} 个：/tickets overdue", tickets.len() - 20),
            });
        }
        Some(out)
    }

    /// The signature under every message the team sends a user.
    pub fn team_signature(lang: Lang) -> &'static str {
        lang.pick("— lendesk support team", "— lendesk 客服团队")
    }

    /// `text` as the team sends it to a user: the text, a blank line, the signature.
    pub fn signed(text: &str, lang: Lang) -> String {
        format!("{text}\n\n{}", Self::team_signature(lang))
    }

    /// Rebuilds the desk's knowledge base: the files, then the stored moderators' edits.
    async fn apply_faq_overlay(&self) -> Result<(), StaffError> {
        let mut upserts = Vec::new();
        let mut removed = Vec::new();
        for edit in self.store.faq_edits().await? {
            match edit.topic {
                Some(topic) => upserts.push(topic),
                None => removed.push(edit.id),
            }
        }
        let kb = if upserts.is_empty() && removed.is_empty() {
            self.base.clone()
        } else {
            self.base.with_overlay(upserts, &removed)
        };
        self.desk.set_knowledge(kb);
        Ok(())
    }

    /// Appends to the audit log, redacting what staff typed.
    async fn audit(
        &self,
        actor: &Actor,
        now: u64,
        action: &str,
        detail: &str,
    ) -> Result<(), StaffError> {
        let detail = texts::trim_chars(&crate::secrets::redact(detail), 300);
        self.store.audit(now, actor.id, action, &detail).await?;
        Ok(())
    }

    /// The language a user reads the team's messages in: their choice, else the ticket's.
    async fn user_lang(&self, ticket: &TicketRecord) -> Lang {
        self.store
            .user(ticket.user)
            .await
            .ok()
            .flatten()
            .and_then(|u| u.lang)
            .unwrap_or(ticket.lang)
    }
}
