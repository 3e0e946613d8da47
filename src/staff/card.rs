//! What staff see about a ticket: the user card posted with a new ticket, the short card of a
//! `/tickets` button, a ticket's line in a list, the forum topic title, and the alerts part the
//! user card shares with /whois.

use alloy::primitives::U256;

use crate::alerts::levels::wad_of;
use crate::chain::format::{health_factor, short_address};
use crate::lang::Lang;
use crate::store::{LinkedAddress, Speaker, TicketRecord};

use super::stats::human_duration;
use super::{StaffDesk, roles, texts};

/// The user card's length limit (characters).
pub const MAX_CARD_CHARS: usize = 3_500;
/// Conversation lines on the user card.
const CARD_LINES: usize = 10;
/// Characters per conversation line on the user card.
const CARD_LINE_CHARS: usize = 200;
/// Linked addresses read live for a card or /whois.
const LIVE_LINKS: usize = 3;
/// Telegram's limit for a forum topic name.
const MAX_TITLE_CHARS: usize = 128;

fn cut_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
}

impl StaffDesk {
    /// The card posted to staff with a new ticket (light Markdown, at most 3500 characters):
    /// ticket, priority, reason, opening time, the user (id, @username, name, language), their
    /// linked addresses with a live position summary, their alert settings and last alert, the
    /// first-response target and whether it is business hours, then the last lines of the
    /// conversation.
    pub async fn user_card(&self, ticket: &TicketRecord) -> String {
        self.user_card_at(ticket, crate::clock::unix_now()).await
    }

    /// [`StaffDesk::user_card`] at a given time (for business hours).
    pub async fn user_card_at(&self, ticket: &TicketRecord, now: u64) -> String {
        let lang = self.lang;
        let store = &self.store;
        let user = store.user(ticket.user).await.ok().flatten();
        let none = texts::none(lang);
        let field = |en: &str, zh: &str, value: &str| format!("- {}: {value}", lang.pick(en, zh));
        let mut head = vec![match lang {
            Lang::En => format!(
                "**Ticket #{}** · {}",
                ticket.id,
                texts::priority_word(lang, &ticket.priority)
            ),
            Lang::Zh => format!(
                "**工单 #{}** · {}",
                ticket.id,
                texts::priority_word(lang, &ticket.priority)
            ),
        }];
        head.push(field(
            "Reason",
            "原因",
            &texts::reason_words(lang, &ticket.reason),
        ));
        head.push(field(
            "Opened",
            "创建时间",
            &texts::fmt_utc(ticket.created_at),
        ));
        head.push(field(
            "Telegram id",
            "Telegram id",
            &ticket.user.to_string(),
        ));
        let username = user
            .as_ref()
            .and_then(|u| u.username.as_deref())
            .map(|n| format!("@{}", n.trim_start_matches('@')));
        head.push(field(
            "Username",
            "用户名",
            username.as_deref().unwrap_or(none),
        ));
        let name = user
            .as_ref()
            .and_then(|u| u.display_name.as_deref())
            .map(|n| texts::trim_chars(n, 64));
        head.push(field("Name", "名字", name.as_deref().unwrap_or(none)));
        let user_lang = user.as_ref().and_then(|u| u.lang).unwrap_or(ticket.lang);
        head.push(field("Language", "语言", texts::lang_name(lang, user_lang)));
        let links = user.as_ref().map(|u| u.links.clone()).unwrap_or_default();
        if links.is_empty() {
            head.push(field("Linked addresses", "绑定地址", none));
        } else {
            head.push(format!("- {}:", lang.pick("Linked addresses", "绑定地址")));
            head.extend(self.link_lines(&links).await);
        }
        head.extend(self.alert_lines(ticket.user, now).await);
        let target = human_duration(self.desk.tickets().response_minutes(ticket) * 60, lang);
        let sla = self.desk.tickets().sla();
        let hours = if sla.in_business_hours(now) {
            lang.pick("business hours now", "当前为工作时间")
                .to_string()
        } else {
            match (sla.next_business_start(now), lang) {
                (Some(at), Lang::En) => {
                    format!("outside business hours (next: {})", texts::fmt_utc(at))
                }
                (Some(at), Lang::Zh) => format!("非工作时间（下次开始：{}）", texts::fmt_utc(at)),
                (None, _) => lang
                    .pick("outside business hours", "非工作时间")
                    .to_string(),
            }
        };
        head.push(field(
            "First-response target",
            "首次响应目标",
            &format!("{target} · {hours}"),
        ));
        if !ticket.summary.trim().is_empty() {
            head.push(field(
                "Summary",
                "摘要",
                &texts::trim_chars(&ticket.summary, 300),
            ));
        }
        let mut card = head.join("\n");

        let conversation = self
            .desk
            .conversation(ticket.user)
            .await
            .unwrap_or_else(|e| {
                tracing::error!(user = ticket.user, error = %e, "cannot read the conversation");
                Vec::new()
            });
        let start = conversation.len().saturating_sub(CARD_LINES);
        let mut lines: Vec<String> = conversation[start..]
            .iter()
            .map(|h| {
                let who = match h.who {
                    Speaker::User => lang.pick("User", "用户"),
                    Speaker::Bot => lang.pick("Bot", "机器人"),
                    Speaker::Staff => lang.pick("Staff", "客服"),
                };
                format!(
                    "{who}{} {}",
                    lang.pick(":", "："),
                    texts::trim_chars(&h.text, CARD_LINE_CHARS)
                )
            })
            .collect();
        if !lines.is_empty() {
            let title = lang.pick("**Recent conversation**", "**最近对话**");
            // Drop the oldest lines until the card fits.
            let size = |lines: &[String]| {
                card.chars().count()
                    + 2
                    + title.chars().count()
                    + lines.iter().map(|l| l.chars().count() + 1).sum::<usize>()
            };
            while !lines.is_empty() && size(&lines) > MAX_CARD_CHARS {
                lines.remove(0);
            }
            if !lines.is_empty() {
                card.push_str(&format!("\n\n{title}\n{}", lines.join("\n")));
            }
        }
        cut_chars(&card, MAX_CARD_CHARS)
    }

    /// Lines for linked addresses: verified or not, with a live summary for the first three.
    pub(super) async fn link_lines(&self, links: &[LinkedAddress]) -> Vec<String> {
        let lang = self.lang;
        let summaries = futures::future::join_all(
            links
                .iter()
                .take(LIVE_LINKS)
                .map(|l| self.desk.position_summary(l.address, lang)),
        )
        .await;
        let mut lines: Vec<String> = links
            .iter()
            .take(LIVE_LINKS)
            .zip(summaries)
            .map(|(l, summary)| {
                let verified = if l.verified {
                    lang.pick("verified", "已验证")
                } else {
                    lang.pick("unverified", "未验证")
                };
                let summary = summary.map(|s| format!(": {s}")).unwrap_or_default();
                format!("- {} ({verified}){summary}", l.address.to_checksum(None))
            })
            .collect();
        if links.len() > LIVE_LINKS {
            lines.push(match lang {
                Lang::En => format!("- … and {} more", links.len() - LIVE_LINKS),
                Lang::Zh => format!("- ……还有 {} 个", links.len() - LIVE_LINKS),
            });
        }
        lines
    }

    /// The alerts part of a user card and of /whois (see [`texts::alerts_part`]); nothing for a
    /// user who never set alerts, or when the store cannot be read (logged).
    pub(super) async fn alert_lines(&self, user: i64, now: u64) -> Vec<String> {
        let settings = match self.store.alert_settings(user).await {
            Ok(Some(settings)) => settings,
            Ok(None) => return Vec::new(),
            Err(e) => {
                tracing::error!(user, error = %e, "cannot read the alert settings");
                return Vec::new();
            }
        };
        let marks = self.store.alert_marks_of(user).await.unwrap_or_else(|e| {
            tracing::error!(user, error = %e, "cannot read the alert states");
            Vec::new()
        });
        let last = marks
            .iter()
            .filter_map(|m| m.last_alert.as_ref().map(|last| (m, last)))
            .max_by_key(|(_, last)| last.at)
            .map(|(m, last)| texts::LastAlertFacts {
                severity: last.severity,
                // Stored as a wad integer; shown as everywhere else.
                health_factor: last
                    .health_factor
                    .parse::<U256>()
                    .map_or_else(|_| last.health_factor.clone(), health_factor),
                address: short_address(m.address),
                market: m.market.clone(),
                block: last.block,
                at: last.at,
                ago: human_duration(now.saturating_sub(last.at), self.lang),
            });
        let part = texts::AlertsPart {
            enabled: settings.enabled,
            warning: health_factor(wad_of(settings.warning)),
            critical: health_factor(wad_of(settings.critical)),
            watched: settings
                .watched
                .iter()
                .copied()
                .map(short_address)
                .collect(),
            muted: settings.muted.iter().copied().map(short_address).collect(),
            snoozed_until: (settings.snooze_until > now).then_some(settings.snooze_until),
            quiet: settings.quiet,
            last,
        };
        texts::alerts_part(self.lang, &part)
    }

    /// The forum topic title: "#12 Alice (@alice) · urgent", at most 128 characters.
    pub async fn topic_title(&self, ticket: &TicketRecord) -> String {
        let who = roles::label(&self.store, ticket.user, self.lang).await;
        let priority = texts::priority_word(self.lang, &ticket.priority);
        let suffix = format!(" · {priority}");
        let prefix = format!("#{} ", ticket.id);
        let room = MAX_TITLE_CHARS.saturating_sub(prefix.chars().count() + suffix.chars().count());
        let who = if who.chars().count() > room {
            format!("{}…", cut_chars(&who, room.saturating_sub(1)))
        } else {
            who
        };
        cut_chars(&format!("{prefix}{who}{suffix}"), MAX_TITLE_CHARS)
    }

    /// One ticket in a `/tickets` list.
    pub(super) async fn ticket_line(&self, t: &TicketRecord, now: u64) -> String {
        let lang = self.lang;
        let store = &self.store;
        let age = human_duration(now.saturating_sub(t.created_at), lang);
        let assignee = match t.assignee {
            Some(a) => format!(" → {}", roles::label(store, a, lang).await),
            None => String::new(),
        };
        let ago = lang.pick("ago", "前");
        format!(
            "- #{} · {} · {} · {} · {age}{}{ago}{assignee}",
            t.id,
            texts::priority_word(lang, &t.priority),
            texts::status_word(lang, t.status),
            roles::label(store, t.user, lang).await,
            lang.pick(" ", ""),
        )
    }

    /// The card a `/tickets` button shows: status, priority, user, age, assignee, rating.
    pub(super) async fn ticket_card(&self, t: &TicketRecord, now: u64) -> String {
        let lang = self.lang;
        let store = &self.store;
        let none = texts::none(lang);
        let field = |en: &str, zh: &str, value: &str| format!("- {}: {value}", lang.pick(en, zh));
        let mut lines = vec![match lang {
            Lang::En => format!(
                "**Ticket #{}** · {}",
                t.id,
                texts::status_word(lang, t.status)
            ),
            Lang::Zh => format!(
                "**工单 #{}** · {}",
                t.id,
                texts::status_word(lang, t.status)
            ),
        }];
        lines.push(field(
            "Priority",
            "优先级",
            texts::priority_word(lang, &t.priority),
        ));
        lines.push(field(
            "Reason",
            "原因",
            &texts::reason_words(lang, &t.reason),
        ));
        lines.push(field(
            "User",
            "用户",
            &format!(
                "{} · id {}",
                roles::label(store, t.user, lang).await,
                t.user
            ),
        ));
        lines.push(field(
            "Opened",
            "创建时间",
            &match lang {
                Lang::En => format!(
                    "{} ({} ago)",
                    texts::fmt_utc(t.created_at),
                    human_duration(now.saturating_sub(t.created_at), lang)
                ),
                Lang::Zh => format!(
                    "{}（{}前）",
                    texts::fmt_utc(t.created_at),
                    human_duration(now.saturating_sub(t.created_at), lang)
                ),
            },
        ));
        let assignee = match t.assignee {
            Some(a) => Some(roles::label(store, a, lang).await),
            None => None,
        };
        lines.push(field(
            "Assignee",
            "负责人",
            assignee.as_deref().unwrap_or(none),
        ));
        let first = match (t.first_response_at, lang) {
            (Some(at), Lang::En) => format!(
                "after {}",
                human_duration(at.saturating_sub(t.created_at), lang)
            ),
            (Some(at), Lang::Zh) => format!(
                "{}后",
                human_duration(at.saturating_sub(t.created_at), lang)
            ),
            (None, _) => match lang {
                Lang::En => format!(
                    "not yet (target {})",
                    human_duration(self.desk.tickets().response_minutes(t) * 60, lang)
                ),
                Lang::Zh => format!(
                    "尚未响应（目标 {}）",
                    human_duration(self.desk.tickets().response_minutes(t) * 60, lang)
                ),
            },
        };
        lines.push(field("First response", "首次响应", &first));
        if let Some(at) = t.closed_at {
            lines.push(field("Closed", "关闭时间", &texts::fmt_utc(at)));
        }
        let rating = match t.rating {
            Some(r) => {
                let comment = t
                    .comment
                    .as_deref()
                    .map(|c| format!(" “{}”", texts::trim_chars(c, 200)))
                    .unwrap_or_default();
                format!(
                    "{}{} ({r}/5){comment}",
                    "★".repeat(r.into()),
                    "☆".repeat(5 - usize::from(r.min(5)))
                )
            }
            None => none.to_string(),
        };
        lines.push(field("Rating", "评分", &rating));
        if !t.summary.trim().is_empty() {
            lines.push(field(
                "Summary",
                "摘要",
                &texts::trim_chars(&t.summary, 300),
            ));
        }
        lines.join("\n")
    }
}
