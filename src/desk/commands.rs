//! The users' slash commands (`/start`, `/help`, `/lang`, `/link`, `/position`, `/faq`,
//! `/human`, `/ticket`, …): which command a message is, and what each one answers (`/alerts`,
//! `/watch` and `/unwatch` are `alerts`'s).

use alloy::primitives::Address;

use super::intent::{self, PositionFocus};
use super::outcome::{Button, Incoming, Intent, Outcome, Reply};
use super::position::PositionAsk;
use super::{Desk, texts};
use crate::lang::Lang;
use crate::secrets;
use crate::store::UserRecord;
use crate::tickets::EscalationReason;

/// "/start@lendesk_bot now" → "start" (lowercase); `None` when `text` is not a command.
pub(super) fn command_name(text: &str) -> Option<String> {
    let head = text.trim_start().split(char::is_whitespace).next()?;
    let name = head.strip_prefix('/')?.split('@').next()?;
    Some(name.to_ascii_lowercase())
}

/// The language choice offered on /start and /lang.
fn lang_buttons() -> Vec<Vec<Button>> {
    vec![vec![
        Button {
            label: "English".into(),
            data: "lang:en".into(),
        },
        Button {
            label: "中文".into(),
            data: "lang:zh".into(),
        },
    ]]
}

/// An on/off word of a setting (/announcements, /alerts), in either language.
pub(super) fn on_off(word: &str) -> Option<bool> {
    match word {
        "on" | "yes" | "start" | "开" | "开启" | "打开" => Some(true),
        "off" | "no" | "stop" | "关" | "关闭" => Some(false),
        _ => None,
    }
}

/// True for a slash command.
pub(super) fn is_command(trimmed: &str) -> bool {
    trimmed.starts_with('/')
}

/// The language to answer `text` in. A command's name ("/human") says nothing about the
/// user's language; its argument may.
pub(super) fn message_lang(record: &UserRecord, text: &str, hint: Option<Lang>) -> Lang {
    let trimmed = text.trim();
    if is_command(trimmed) {
        let arg = trimmed
            .split_once(char::is_whitespace)
            .map_or("", |(_, a)| a);
        Desk::language(record, arg, hint)
    } else {
        Desk::language(record, text, hint)
    }
}

impl Desk {
    /// The commands stage. Any command ends the wait for a rating comment; /skip says so.
    pub(super) async fn commands(
        &self,
        record: &mut UserRecord,
        trimmed: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let awaited = record.awaiting_comment.take();
        if awaited.is_some() && command_name(trimmed).as_deref() == Some("skip") {
            Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::comment_skipped(lang)),
            )
        } else {
            self.command(record, trimmed, lang, msg).await
        }
    }

    pub(super) fn set_lang(&self, record: &mut UserRecord, arg: Option<&str>) -> Outcome {
        let current = record.lang.unwrap_or_default();
        match arg.and_then(Lang::from_code) {
            Some(chosen) => {
                record.lang = Some(chosen);
                Outcome::new(
                    Intent::Command,
                    chosen,
                    Reply::text(texts::lang_set(chosen)),
                )
            }
            None => {
                let buttons = lang_buttons();
                Outcome::new(
                    Intent::Command,
                    current,
                    Reply::text(texts::lang_usage(current)).with_buttons(buttons),
                )
            }
        }
    }

    /// /announcements [on|off].
    pub(super) fn announcements(
        &self,
        record: &mut UserRecord,
        arg: Option<&str>,
        lang: Lang,
    ) -> Outcome {
        let choice = arg.map(|a| a.trim().to_lowercase());
        let opt_out = match choice.as_deref().map(on_off) {
            None => {
                return Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::announcements_state(lang, record.broadcast_opt_out)),
                );
            }
            Some(Some(on)) => !on,
            Some(None) => {
                return Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(format!(
                        "{}\n\n{}",
                        texts::announcements_usage(lang),
                        texts::announcements_state(lang, record.broadcast_opt_out)
                    )),
                );
            }
        };
        record.broadcast_opt_out = opt_out;
        Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::announcements_set(lang, opt_out)),
        )
    }

    pub(super) async fn command(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let mut parts = text.splitn(2, char::is_whitespace);
        let head = parts.next().unwrap_or_default();
        let arg = parts.next().map(str::trim).filter(|a| !a.is_empty());
        // "/start@lendesk_bot" → "start"
        let name = head
            .trim_start_matches('/')
            .split('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match name.as_str() {
            "start" => {
                let lang = record.lang.or(msg.lang_hint).unwrap_or_default();
                let buttons = lang_buttons();
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::welcome(lang)).with_buttons(buttons),
                )
            }
            "help" => Outcome::new(Intent::Command, lang, Reply::text(texts::help(lang))),
            "mydata" => self.my_data(record, lang).await,
            "forget" => Self::forget_asked(lang),
            "lang" | "language" => self.set_lang(record, arg),
            "link" => self.link(record, arg, lang, msg.now),
            "verify" => self.verify(record, arg, lang, msg.now),
            "announcements" | "announcement" => self.announcements(record, arg, lang),
            "alerts" | "alert" => self.alerts(record, arg, lang, msg).await,
            "watch" => self.watch(record, arg, lang, msg).await,
            "unwatch" => self.unwatch(record, arg, lang, msg).await,
            "unlink" => {
                let Some(arg) = arg else {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::unlink_usage(lang)),
                    );
                };
                match crate::chain::parse_address(arg) {
                    Ok(address) => {
                        let before = record.links.len();
                        record.links.retain(|l| l.address != address);
                        let found = record.links.len() != before;
                        if record
                            .pending_proof
                            .as_ref()
                            .is_some_and(|p| p.address == address)
                        {
                            record.pending_proof = None;
                        }
                        Outcome::new(
                            Intent::Command,
                            lang,
                            Reply::text(texts::unlinked(lang, &address.to_checksum(None), found)),
                        )
                    }
                    Err(e) => Outcome::new(
                        Intent::Error,
                        lang,
                        Reply::text(texts::bad_address(lang, &e)),
                    ),
                }
            }
            "position" | "pos" => {
                let named: Vec<Address> =
                    arg.map(|a| intent::addresses(a).valid).unwrap_or_default();
                let mut out = self
                    .position(
                        record,
                        &named,
                        lang,
                        msg,
                        PositionAsk {
                            focus: PositionFocus::Overview,
                            what_if: None,
                            until: self.chain.deadline_from_now(),
                        },
                    )
                    .await;
                if out.intent == Intent::Position {
                    out.intent = Intent::Command;
                }
                out
            }
            "faq" => {
                let kb = self.knowledge();
                if let Some(query) = arg {
                    return self.knowledge_answer(record, query, lang, msg).await;
                }
                let rows: Vec<Vec<Button>> = kb
                    .topics()
                    .chunks(2)
                    .map(|pair| {
                        pair.iter()
                            .map(|t| Button {
                                label: t.text(lang).title.clone(),
                                data: format!("faq:{}", t.id),
                            })
                            .collect()
                    })
                    .collect();
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::faq_browse(lang)).with_buttons(rows),
                )
            }
            "human" | "support" | "person" => {
                let summary = arg
                    .map(secrets::redact)
                    .unwrap_or_else(|| "[/human]".into());
                self.escalate(
                    record,
                    EscalationReason::AskedForPerson,
                    lang,
                    &summary,
                    msg.now,
                )
                .await
            }
            // Staff own /tickets.
            "ticket" => {
                let tickets = match self.tickets.of_user(record.id).await {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot list tickets");
                        Vec::new()
                    }
                };
                if tickets.is_empty() {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::no_tickets(lang)),
                    );
                }
                let lines: Vec<String> = tickets
                    .iter()
                    .take(10)
                    .map(|t| {
                        let status = match (lang, t.status) {
                            (Lang::En, crate::store::TicketStatus::Open) => "waiting for a person",
                            (Lang::En, crate::store::TicketStatus::InProgress) => {
                                "a person is on it"
                            }
                            (Lang::En, crate::store::TicketStatus::Closed) => "closed",
                            (Lang::Zh, crate::store::TicketStatus::Open) => "等待人工处理",
                            (Lang::Zh, crate::store::TicketStatus::InProgress) => "处理中",
                            (Lang::Zh, crate::store::TicketStatus::Closed) => "已关闭",
                        };
                        format!("#{}: {status}", t.id)
                    })
                    .collect();
                Outcome::new(Intent::Command, lang, Reply::text(lines.join("\n")))
            }
            _ => Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::unknown_command(lang)),
            ),
        }
    }
}
