//! Moderator commands: `/tickets /stats /faq /broadcast /maintenance /ban /shadowban /unban
//! /whois /staff /audit /macros`. Each returns the outcome or a storage failure; bad arguments
//! get the command's usage line.

use std::collections::HashMap;

use crate::desk::outcome::Button;
use crate::knowledge::{Topic, parse_topic};
use crate::lang::Lang;
use crate::store::{
    BanKind, BanRecord, Broadcast, FaqEdit, Macro, Maintenance, StaffMember, TicketRecord,
    TicketStatus,
};

use super::roles::{self, Role, UserArgError};
use super::{
    Actor, StaffCommand, StaffDesk, StaffEffect, StaffError, StaffOutcome, split_first, stats,
    texts,
};

type Answer = Result<StaffOutcome, StaffError>;

/// Longest announcement text (the footer and Telegram's 4096 limit leave this much).
const MAX_BROADCAST_CHARS: usize = 3_900;
/// A broadcast repeating one of the last ten minutes (a double tap, or a command handled again
/// after a replica died) starts nothing new.
const REPEAT_WINDOW_SECS: u64 = 600;
/// Longest macro text (the signature goes under it).
const MAX_MACRO_CHARS: usize = 3_500;

fn usage(lang: Lang, command: StaffCommand) -> Answer {
    Ok(StaffOutcome::text(texts::usage(lang, command)))
}

/// Kebab-case: lowercase letters, digits and single inner hyphens.
fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// What `faq check` would refuse in a single topic sent by a moderator.
fn topic_problem(topic: &Topic, lang: Lang) -> Option<String> {
    if !is_kebab(&topic.id) {
        return Some(match lang {
            Lang::En => format!(
                "The id {:?} must be kebab-case (lowercase letters, digits, hyphens).",
                topic.id
            ),
            Lang::Zh => format!(
                "id {:?} 必须是 kebab-case（小写字母、数字和连字符）。",
                topic.id
            ),
        });
    }
    for (code, text) in [("en", &topic.en), ("zh", &topic.zh)] {
        let missing = if text.title.trim().is_empty() || text.title.contains('\n') {
            Some(lang.pick("a one-line title", "单行标题"))
        } else if text.questions.iter().all(|q| q.trim().is_empty()) {
            Some(lang.pick("at least one question", "至少一个问题"))
        } else if text.answer.trim().is_empty() {
            Some(lang.pick("an answer", "答案"))
        } else {
            None
        };
        if let Some(missing) = missing {
            return Some(match lang {
                Lang::En => format!("The [{code}] part needs {missing}."),
                Lang::Zh => format!("[{code}] 部分需要{missing}。"),
            });
        }
    }
    None
}

/// A macro name: lowercase letters, digits, `_` and `-`, at most 32.
fn macro_name(arg: &str) -> Option<String> {
    let name = arg.trim().to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    ok.then_some(name)
}

/// "12" or "#12".
pub(super) fn ticket_number(arg: &str) -> Option<u64> {
    arg.trim().trim_start_matches('#').parse().ok()
}

impl StaffDesk {
    /// Resolves a user argument, or the reply explaining why it names nobody.
    pub(super) async fn user_arg(
        &self,
        actor: &Actor,
        arg: &str,
    ) -> Result<Result<i64, String>, StaffError> {
        Ok(
            roles::resolve_user(&self.store, arg, (actor.id, actor.username.as_deref()))
                .await?
                .map_err(|e: UserArgError| e.text(self.lang)),
        )
    }

    pub(super) async fn label(&self, id: i64) -> String {
        roles::label(&self.store, id, self.lang).await
    }

    // --- /tickets ------------------------------------------------------------------------

    pub(super) async fn cmd_tickets(&self, actor: &Actor, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let filter = split_first(args).0.to_ascii_lowercase();
        let filter = if filter.is_empty() {
            "open".to_string()
        } else {
            filter
        };
        let store = &self.store;
        let mut list: Vec<TicketRecord> = match filter.as_str() {
            "open" => store
                .tickets()
                .await?
                .into_iter()
                .filter(|t| t.status != TicketStatus::Closed)
                .collect(),
            "mine" => store
                .tickets()
                .await?
                .into_iter()
                .filter(|t| t.status != TicketStatus::Closed && t.assignee == Some(actor.id))
                .collect(),
            "overdue" => self.desk.tickets().overdue(now).await?,
            "closed" => store
                .tickets()
                .await?
                .into_iter()
                .filter(|t| t.status == TicketStatus::Closed)
                .collect(),
            _ => return usage(lang, StaffCommand::Tickets),
        };
        if list.is_empty() {
            return Ok(StaffOutcome::text(match lang {
                Lang::En => format!("No tickets ({filter})."),
                Lang::Zh => format!("没有工单（{filter}）。"),
            }));
        }
        list.sort_by_key(|t| std::cmp::Reverse(t.id));
        let total = list.len();
        list.truncate(20);
        let mut text = match lang {
            Lang::En => format!("**Tickets: {filter}** ({total}, newest first)"),
            Lang::Zh => format!("**工单：{filter}**（{total} 个，最新在前）"),
        };
        if total > list.len() {
            text.push_str(&match lang {
                Lang::En => format!(", the first {} shown", list.len()),
                Lang::Zh => format!("，显示前 {} 个", list.len()),
            });
        }
        for t in &list {
            text.push('\n');
            text.push_str(&self.ticket_line(t, now).await);
        }
        let buttons: Vec<Vec<Button>> = list
            .chunks(4)
            .map(|row| {
                row.iter()
                    .map(|t| Button {
                        label: format!("#{}", t.id),
                        data: format!("staff:ticket:{}", t.id),
                    })
                    .collect()
            })
            .collect();
        let mut out = StaffOutcome::text(text);
        out.replies[0].buttons = buttons;
        Ok(out)
    }

    // --- /stats --------------------------------------------------------------------------

    pub(super) async fn cmd_stats(&self, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let arg = split_first(args).0.to_ascii_lowercase();
        let arg = if arg.is_empty() {
            "7d".to_string()
        } else {
            arg
        };
        let Some(days) = arg
            .strip_suffix('d')
            .and_then(|d| d.parse::<u64>().ok())
            .filter(|d| (1..=365).contains(d))
        else {
            return usage(lang, StaffCommand::Stats);
        };
        let window = days * 86_400;
        let store = &self.store;
        let tickets = store.tickets().await?;
        // Events are written in batches: take the newest ones too.
        self.desk.flush_events().await;
        let events = store.events_since(now.saturating_sub(window)).await?;
        let mut figures = stats::compute(&tickets, &events, now, window);
        let sent = store.alerts_sent_since(figures.since).await?;
        figures.alerts = stats::AlertCounts::of(&sent, figures.since, now);
        let label = match lang {
            Lang::En => format!("{days} day{}", if days == 1 { "" } else { "s" }),
            Lang::Zh => format!("{days} 天"),
        };
        Ok(StaffOutcome::long(&stats::render(&figures, lang, &label)))
    }

    // --- /faq ----------------------------------------------------------------------------

    pub(super) async fn cmd_faq(&self, actor: &Actor, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let (sub, rest) = split_first(args);
        match sub.to_ascii_lowercase().as_str() {
            "list" => self.faq_list().await,
            "show" => {
                let id = split_first(rest).0;
                if id.is_empty() {
                    return usage(lang, StaffCommand::Faq);
                }
                match self.desk.knowledge().topic(id) {
                    Some(topic) => Ok(StaffOutcome::verbatim(&topic.to_markdown())),
                    None => Ok(StaffOutcome::text(no_topic(lang, id))),
                }
            }
            "add" | "edit" => {
                if rest.is_empty() {
                    return usage(lang, StaffCommand::Faq);
                }
                let adding = sub.eq_ignore_ascii_case("add");
                // Staff may paste back the fenced block /faq show gave them.
                let rest = rest
                    .trim()
                    .trim_start_matches("```")
                    .trim_end_matches("```");
                let topic = match parse_topic("message", rest.trim_matches('\n')) {
                    Ok(t) => t,
                    Err(e) => {
                        return Ok(StaffOutcome::text(match lang {
                            Lang::En => format!(
                                "The topic does not parse: {e}\nStart from /faq show <id>: the format is the one of the faq/ files."
                            ),
                            Lang::Zh => format!(
                                "无法解析该问题：{e}\n可以先用 /faq show <id> 获取格式（与 faq/ 目录中的文件相同）。"
                            ),
                        }));
                    }
                };
                if let Some(problem) = topic_problem(&topic, lang) {
                    return Ok(StaffOutcome::text(problem));
                }
                let id = topic.id.clone();
                let _guard = self.faq_lock.lock().await;
                let exists = self.desk.knowledge().topic(&id).is_some();
                if adding && exists {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("Topic {id} exists already: use /faq edit."),
                        Lang::Zh => format!("问题 {id} 已存在，请用 /faq edit。"),
                    }));
                }
                if !adding && !exists {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("There is no topic {id} to edit: use /faq add."),
                        Lang::Zh => format!("没有可编辑的问题 {id}，请用 /faq add。"),
                    }));
                }
                let unknown_related: Vec<&str> = {
                    let kb = self.desk.knowledge();
                    topic
                        .related
                        .iter()
                        .filter(|r| **r != id && kb.topic(r).is_none())
                        .map(String::as_str)
                        .collect()
                };
                let unknown_related = unknown_related.join(", ");
                self.store
                    .save_faq_edit(&FaqEdit {
                        id: id.clone(),
                        topic: Some(topic.clone()),
                        by: actor.id,
                        at: now,
                    })
                    .await?;
                self.apply_faq_overlay().await?;
                self.audit(actor, now, if adding { "faq add" } else { "faq edit" }, &id)
                    .await?;
                let mut text = match (lang, adding) {
                    (Lang::En, true) => format!(
                        "Topic **{id}** added; the bot answers with it from now on. /faq remove {id} takes it out."
                    ),
                    (Lang::En, false) => format!(
                        "Topic **{id}** updated; the bot answers with the new text from now on. /faq restore {id} goes back to the file's version."
                    ),
                    (Lang::Zh, true) => format!(
                        "已添加问题 **{id}**，机器人即刻起会用它回答。/faq remove {id} 可删除。"
                    ),
                    (Lang::Zh, false) => format!(
                        "已更新问题 **{id}**，机器人即刻起使用新内容。/faq restore {id} 可恢复为文件中的版本。"
                    ),
                };
                if !unknown_related.is_empty() {
                    text.push_str(&match lang {
                        Lang::En => format!("\nNote: related ids not found: {unknown_related}."),
                        Lang::Zh => format!("\n注意：以下 related id 不存在：{unknown_related}。"),
                    });
                }
                Ok(StaffOutcome::text(text))
            }
            "remove" => {
                let id = split_first(rest).0;
                if id.is_empty() {
                    return usage(lang, StaffCommand::Faq);
                }
                let _guard = self.faq_lock.lock().await;
                if self.desk.knowledge().topic(id).is_none() {
                    return Ok(StaffOutcome::text(no_topic(lang, id)));
                }
                let store = &self.store;
                if self.base.topic(id).is_some() {
                    store
                        .save_faq_edit(&FaqEdit {
                            id: id.to_string(),
                            topic: None,
                            by: actor.id,
                            at: now,
                        })
                        .await?;
                } else {
                    // Added by a moderator: dropping the edit removes it, no tombstone needed.
                    store.remove_faq_edit(id).await?;
                }
                self.apply_faq_overlay().await?;
                self.audit(actor, now, "faq remove", id).await?;
                Ok(StaffOutcome::text(match lang {
                    Lang::En => format!(
                        "Topic **{id}** removed; the bot no longer answers with it. /faq restore {id} brings back the file's version."
                    ),
                    Lang::Zh => format!(
                        "已删除问题 **{id}**，机器人不再用它回答。/faq restore {id} 可恢复文件中的版本。"
                    ),
                }))
            }
            "restore" => {
                let id = split_first(rest).0;
                if id.is_empty() {
                    return usage(lang, StaffCommand::Faq);
                }
                let _guard = self.faq_lock.lock().await;
                if !self.store.remove_faq_edit(id).await? {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("Topic {id} has no moderator changes."),
                        Lang::Zh => format!("问题 {id} 没有被管理员修改过。"),
                    }));
                }
                self.apply_faq_overlay().await?;
                self.audit(actor, now, "faq restore", id).await?;
                let in_files = self.base.topic(id).is_some();
                Ok(StaffOutcome::text(match (lang, in_files) {
                    (Lang::En, true) => format!("Topic **{id}** is back to the file's version."),
                    (Lang::En, false) => format!(
                        "Topic **{id}** was added by a moderator and is not in the files: it is gone now."
                    ),
                    (Lang::Zh, true) => format!("问题 **{id}** 已恢复为文件中的版本。"),
                    (Lang::Zh, false) => {
                        format!("问题 **{id}** 是管理员添加的，文件中没有：现已移除。")
                    }
                }))
            }
            _ => usage(lang, StaffCommand::Faq),
        }
    }

    async fn faq_list(&self) -> Answer {
        let lang = self.lang;
        let edits: HashMap<String, bool> = self
            .store
            .faq_edits()
            .await?
            .into_iter()
            .map(|e| (e.id, e.topic.is_some()))
            .collect();
        let kb = self.desk.knowledge();
        let (mut edited, mut added) = (0, 0);
        let mut lines = Vec::new();
        for t in kb.topics() {
            let mark = match (edits.get(&t.id), self.base.topic(&t.id).is_some()) {
                (Some(true), true) => {
                    edited += 1;
                    lang.pick(" **[edited]**", " **[已修改]**")
                }
                (Some(true), false) => {
                    added += 1;
                    lang.pick(" **[added]**", " **[新增]**")
                }
                _ => "",
            };
            lines.push(format!("- {}{mark}: {}", t.id, t.text(lang).title));
        }
        let mut removed: Vec<&String> = edits
            .iter()
            .filter(|(_, upsert)| !**upsert)
            .map(|(id, _)| id)
            .collect();
        removed.sort();
        for id in &removed {
            lines.push(format!(
                "- {id} {}",
                lang.pick("**[removed]**", "**[已删除]**")
            ));
        }
        let head = match lang {
            Lang::En => format!(
                "**FAQ topics** ({} live; by moderators: {edited} edited, {added} added, {} removed)\n/faq show <id> prints a topic's file text.",
                kb.topics().len(),
                removed.len()
            ),
            Lang::Zh => format!(
                "**常见问题**（生效 {} 个；管理员修改 {edited} 个、新增 {added} 个、删除 {} 个）\n/faq show <id> 可查看问题的文件内容。",
                kb.topics().len(),
                removed.len()
            ),
        };
        Ok(StaffOutcome::long(&format!("{head}\n{}", lines.join("\n"))))
    }

    // --- /broadcast ----------------------------------------------------------------------

    pub(super) async fn cmd_broadcast(&self, actor: &Actor, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let (sub, rest) = split_first(args);
        let store = &self.store;
        match sub.to_ascii_lowercase().as_str() {
            "" => usage(lang, StaffCommand::Broadcast),
            "status" => {
                let mut all = store.broadcasts().await?;
                if all.is_empty() {
                    return Ok(StaffOutcome::text(
                        lang.pick("No broadcasts yet.", "还没有发布过公告。"),
                    ));
                }
                all.reverse();
                let mut text = String::from(lang.pick("**Broadcasts**", "**公告**"));
                for b in all.iter().take(5) {
                    text.push('\n');
                    text.push_str(&broadcast_line(b, lang));
                }
                Ok(StaffOutcome::text(text))
            }
            "cancel" => {
                let Some(id) = ticket_number(split_first(rest).0) else {
                    return usage(lang, StaffCommand::Broadcast);
                };
                let Some(mut b) = store.broadcast(id).await? else {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("There is no broadcast #{id}."),
                        Lang::Zh => format!("没有公告 #{id}。"),
                    }));
                };
                if b.done {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("Broadcast #{id} has finished already."),
                        Lang::Zh => format!("公告 #{id} 已经结束。"),
                    }));
                }
                b.done = true;
                store.save_broadcast(&b).await?;
                self.audit(actor, now, "broadcast cancel", &format!("#{id}"))
                    .await?;
                Ok(StaffOutcome::text(match lang {
                    Lang::En => format!(
                        "Broadcast #{id} cancelled: it stops once the users being sent it now are done ({} sent so far).",
                        b.sent
                    ),
                    Lang::Zh => format!(
                        "公告 #{id} 已取消：正在发送的这一批用户发完后即停止（目前已发送 {}）。",
                        b.sent
                    ),
                }))
            }
            code => {
                let (only, text) = match code {
                    "en" | "zh" => (Lang::from_code(code), rest),
                    _ => (None, args),
                };
                if text.is_empty() {
                    return usage(lang, StaffCommand::Broadcast);
                }
                if text.chars().count() > MAX_BROADCAST_CHARS {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => {
                            format!("An announcement is at most {MAX_BROADCAST_CHARS} characters.")
                        }
                        Lang::Zh => format!("公告最多 {MAX_BROADCAST_CHARS} 个字符。"),
                    }));
                }
                if let Some(same) = store.broadcasts().await?.into_iter().rev().find(|b| {
                    b.text == text
                        && b.lang == only
                        && now.saturating_sub(b.created_at) < REPEAT_WINDOW_SECS
                }) {
                    let minutes = now.saturating_sub(same.created_at) / 60;
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!(
                            "Broadcast #{} with this text was started {minutes} min ago ({} sent so far); nothing new was started. To send it again, wait ten minutes or change the text.",
                            same.id, same.sent
                        ),
                        Lang::Zh => format!(
                            "相同内容的公告 #{} 已于 {minutes} 分钟前开始发送（目前已发送 {}），未重复发送。如需再次发送，请等待十分钟或修改内容。",
                            same.id, same.sent
                        ),
                    }));
                }
                let id = store.next_broadcast_id().await?;
                let b = Broadcast {
                    id,
                    text: text.to_string(),
                    lang: only,
                    by: actor.id,
                    created_at: now,
                    cursor: None,
                    sent: 0,
                    failed: 0,
                    skipped: 0,
                    done: false,
                    progress_message: None,
                };
                store.save_broadcast(&b).await?;
                let eligible = super::eligible_count(store, only).await?;
                let audience = only.map_or("all", Lang::code);
                self.audit(
                    actor,
                    now,
                    "broadcast",
                    &format!("#{id} [{audience}] {text}"),
                )
                .await?;
                let audience = match only {
                    Some(l) => texts::lang_name(lang, l),
                    None => lang.pick("all languages", "所有语言"),
                };
                let mut out = StaffOutcome::text(match lang {
                    Lang::En => format!(
                        "Broadcast #{id} to {eligible} users ({audience}) is starting. /broadcast status shows progress; /broadcast cancel {id} stops it."
                    ),
                    Lang::Zh => format!(
                        "公告 #{id} 开始发送给 {eligible} 位用户（{audience}）。/broadcast status 查看进度；/broadcast cancel {id} 停止发送。"
                    ),
                });
                out.effects.push(StaffEffect::StartBroadcast(id));
                Ok(out)
            }
        }
    }

    // --- /maintenance --------------------------------------------------------------------

    pub(super) async fn cmd_maintenance(&self, actor: &Actor, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let store = &self.store;
        let (sub, rest) = split_first(args);
        match sub.to_ascii_lowercase().as_str() {
            "" => Ok(StaffOutcome::text(
                match (store.maintenance().await?, lang) {
                    (Some(m), Lang::En) => format!(
                        "Maintenance notice is **on** since {} (by {}):\n{}",
                        texts::fmt_utc(m.since),
                        self.label(m.by).await,
                        m.text
                    ),
                    (Some(m), Lang::Zh) => format!(
                        "维护通知**已开启**，自 {}（由 {} 开启）：\n{}",
                        texts::fmt_utc(m.since),
                        self.label(m.by).await,
                        m.text
                    ),
                    (None, _) => lang
                        .pick(
                            "Maintenance notice is off. /maintenance on <text> turns it on.",
                            "维护通知未开启。/maintenance on <内容> 可开启。",
                        )
                        .to_string(),
                },
            )),
            "on" => {
                if rest.is_empty() {
                    return usage(lang, StaffCommand::Maintenance);
                }
                store
                    .set_maintenance(Some(&Maintenance {
                        text: rest.to_string(),
                        by: actor.id,
                        since: now,
                    }))
                    .await?;
                self.desk.refresh_maintenance().await;
                self.audit(actor, now, "maintenance on", rest).await?;
                Ok(StaffOutcome::text(match lang {
                    Lang::En => format!("Maintenance notice is on. Users see:\n{rest}"),
                    Lang::Zh => format!("维护通知已开启。用户会看到：\n{rest}"),
                }))
            }
            "off" => {
                let was_on = store.maintenance().await?.is_some();
                store.set_maintenance(None).await?;
                self.desk.refresh_maintenance().await;
                if was_on {
                    self.audit(actor, now, "maintenance off", "").await?;
                }
                Ok(StaffOutcome::text(if was_on {
                    lang.pick("Maintenance notice is off.", "维护通知已关闭。")
                } else {
                    lang.pick("Maintenance notice was not on.", "维护通知本来就没有开启。")
                }))
            }
            _ => usage(lang, StaffCommand::Maintenance),
        }
    }

    // --- /ban /shadowban /unban ----------------------------------------------------------

    pub(super) async fn cmd_ban(
        &self,
        actor: &Actor,
        kind: BanKind,
        args: &str,
        now: u64,
    ) -> Answer {
        let lang = self.lang;
        let command = match kind {
            BanKind::Ban => StaffCommand::Ban,
            BanKind::Shadow => StaffCommand::Shadowban,
        };
        let (target, reason) = split_first(args);
        if target.is_empty() {
            return usage(lang, command);
        }
        let id = match self.user_arg(actor, target).await? {
            Ok(id) => id,
            Err(text) => return Ok(StaffOutcome::text(text)),
        };
        if self.role(id).await.is_some() {
            return Ok(StaffOutcome::text(lang.pick(
                "Staff and admins cannot be banned. An admin can /staff remove them first.",
                "不能封禁客服或管理员。可由管理员先用 /staff remove 移除。",
            )));
        }
        let reason = texts::trim_chars(&crate::secrets::redact(reason), 300);
        self.store
            .save_ban(&BanRecord {
                user: id,
                kind,
                by: actor.id,
                at: now,
                reason: reason.clone(),
            })
            .await?;
        self.audit(actor, now, command.name(), &format!("{id} {reason}"))
            .await?;
        let who = self.label(id).await;
        Ok(StaffOutcome::text(match (kind, lang) {
            (BanKind::Ban, Lang::En) => format!(
                "{who} ({id}) is banned: they are told so, and nothing they send is processed. /unban {id} lifts it."
            ),
            (BanKind::Ban, Lang::Zh) => format!(
                "{who}（{id}）已被封禁：对方会收到通知，发送的任何内容都不再处理。/unban {id} 可解除。"
            ),
            (BanKind::Shadow, Lang::En) => format!(
                "{who} ({id}) is shadow-banned: their messages are dropped silently. /unban {id} lifts it."
            ),
            (BanKind::Shadow, Lang::Zh) => {
                format!("{who}（{id}）已被静默封禁：对方的消息会被悄悄丢弃。/unban {id} 可解除。")
            }
        }))
    }

    pub(super) async fn cmd_unban(&self, actor: &Actor, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let target = split_first(args).0;
        if target.is_empty() {
            return usage(lang, StaffCommand::Unban);
        }
        let id = match self.user_arg(actor, target).await? {
            Ok(id) => id,
            Err(text) => return Ok(StaffOutcome::text(text)),
        };
        let who = self.label(id).await;
        match self.store.remove_ban(id).await? {
            Some(_) => {
                self.audit(actor, now, "unban", &id.to_string()).await?;
                Ok(StaffOutcome::text(match lang {
                    Lang::En => format!("{who} ({id}) is no longer banned."),
                    Lang::Zh => format!("{who}（{id}）已解除封禁。"),
                }))
            }
            None => Ok(StaffOutcome::text(match lang {
                Lang::En => format!("{who} ({id}) was not banned."),
                Lang::Zh => format!("{who}（{id}）没有被封禁。"),
            })),
        }
    }

    // --- /whois --------------------------------------------------------------------------

    pub(super) async fn cmd_whois(&self, actor: &Actor, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let target = split_first(args).0;
        if target.is_empty() {
            return usage(lang, StaffCommand::Whois);
        }
        let id = match self.user_arg(actor, target).await? {
            Ok(id) => id,
            Err(text) => return Ok(StaffOutcome::text(text)),
        };
        let store = &self.store;
        let user = store.user(id).await?;
        let tickets = self.desk.tickets().of_user(id).await?;
        let ban = store.ban_of(id).await?;
        let role = self.role(id).await;
        if user.is_none() && tickets.is_empty() && ban.is_none() && role.is_none() {
            return Ok(StaffOutcome::text(match lang {
                Lang::En => format!("I have no record of user {id}."),
                Lang::Zh => format!("没有用户 {id} 的记录。"),
            }));
        }
        let none = texts::none(lang);
        let mut lines = vec![format!("**{}**", self.label(id).await)];
        let field = |en: &str, zh: &str, value: String| format!("- {}: {value}", lang.pick(en, zh));
        lines.push(field("Telegram id", "Telegram id", id.to_string()));
        if let Some(u) = &user {
            lines.push(field(
                "Username",
                "用户名",
                u.username.as_deref().map_or(none.to_string(), |n| {
                    format!("@{}", n.trim_start_matches('@'))
                }),
            ));
            lines.push(field(
                "Name",
                "名字",
                u.display_name.clone().unwrap_or_else(|| none.to_string()),
            ));
            lines.push(field(
                "Language",
                "语言",
                u.lang
                    .map_or(lang.pick("not chosen", "未选择").to_string(), |l| {
                        texts::lang_name(lang, l).to_string()
                    }),
            ));
            lines.push(field(
                "Started",
                "首次使用",
                u.started_at
                    .map_or(lang.pick("never", "从未").to_string(), texts::fmt_utc),
            ));
            lines.push(field(
                "Announcements",
                "公告",
                lang.pick(
                    if u.broadcast_opt_out { "off" } else { "on" },
                    if u.broadcast_opt_out {
                        "已关闭"
                    } else {
                        "开启"
                    },
                )
                .to_string(),
            ));
        }
        if let Some(role) = role {
            lines.push(field(
                "Role",
                "角色",
                match role {
                    Role::Admin => lang.pick("admin", "管理员"),
                    Role::Staff => lang.pick("staff", "客服"),
                }
                .to_string(),
            ));
        }
        lines.push(field(
            "Ban",
            "封禁",
            match &ban {
                None => none.to_string(),
                Some(b) => {
                    let kind = match b.kind {
                        BanKind::Ban => lang.pick("banned", "已封禁"),
                        BanKind::Shadow => lang.pick("shadow-banned", "静默封禁"),
                    };
                    let reason = if b.reason.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", b.reason)
                    };
                    format!(
                        "{kind} {} {} · {}{reason}",
                        lang.pick("by", "操作人"),
                        self.label(b.by).await,
                        texts::fmt_utc(b.at)
                    )
                }
            },
        ));
        let links = user.as_ref().map(|u| u.links.clone()).unwrap_or_default();
        if links.is_empty() {
            lines.push(field("Linked addresses", "绑定地址", none.to_string()));
        } else {
            lines.push(format!("- {}:", lang.pick("Linked addresses", "绑定地址")));
            lines.extend(self.link_lines(&links).await);
        }
        lines.extend(self.alert_lines(id, now).await);
        let ticket_list: Vec<String> = tickets
            .iter()
            .take(10)
            .map(|t| format!("#{} {}", t.id, texts::status_word(lang, t.status)))
            .collect();
        lines.push(field(
            "Tickets",
            "工单",
            if ticket_list.is_empty() {
                none.to_string()
            } else if tickets.len() > 10 {
                format!("{} (+{})", ticket_list.join(", "), tickets.len() - 10)
            } else {
                ticket_list.join(", ")
            },
        ));
        Ok(StaffOutcome::long(&lines.join("\n")))
    }

    // --- /staff --------------------------------------------------------------------------

    pub(super) async fn cmd_staff(
        &self,
        actor: &Actor,
        role: Role,
        args: &str,
        now: u64,
    ) -> Answer {
        let lang = self.lang;
        let store = &self.store;
        let (sub, rest) = split_first(args);
        let sub = sub.to_ascii_lowercase();
        match sub.as_str() {
            "list" | "" => {
                let mut text = String::from(lang.pick("**Support team**", "**客服团队**"));
                for id in &self.admins {
                    text.push_str(&format!(
                        "\n- {} ({id}) · {}",
                        self.label(*id).await,
                        lang.pick("admin (configuration)", "管理员（配置文件）")
                    ));
                }
                for m in store.staff_members().await? {
                    if self.admins.contains(&m.id) {
                        continue;
                    }
                    text.push_str(&match lang {
                        Lang::En => format!(
                            "\n- {} ({}) · staff, added by {} on {}",
                            self.label(m.id).await,
                            m.id,
                            self.label(m.added_by).await,
                            texts::fmt_utc(m.added_at)
                        ),
                        Lang::Zh => format!(
                            "\n- {}（{}）· 客服，由 {} 于 {} 添加",
                            self.label(m.id).await,
                            m.id,
                            self.label(m.added_by).await,
                            texts::fmt_utc(m.added_at)
                        ),
                    });
                }
                Ok(StaffOutcome::long(&text))
            }
            "add" | "remove" => {
                if role != Role::Admin {
                    return Ok(StaffOutcome::text(texts::admin_only(lang)));
                }
                let target = split_first(rest).0;
                if target.is_empty() {
                    return usage(lang, StaffCommand::Staff);
                }
                let id = match self.user_arg(actor, target).await? {
                    Ok(id) => id,
                    Err(text) => return Ok(StaffOutcome::text(text)),
                };
                if self.admins.contains(&id) {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!(
                            "{} ({id}) is an admin from the configuration (telegram.admins); change it there.",
                            self.label(id).await
                        ),
                        Lang::Zh => format!(
                            "{}（{id}）是配置文件中的管理员（telegram.admins），请在配置中修改。",
                            self.label(id).await
                        ),
                    }));
                }
                if sub == "add" {
                    let username = store
                        .user(id)
                        .await?
                        .and_then(|u| u.username)
                        .or_else(|| target.strip_prefix('@').map(str::to_string));
                    let new = store
                        .add_staff(&StaffMember {
                            id,
                            username,
                            added_by: actor.id,
                            added_at: now,
                        })
                        .await?;
                    if new {
                        self.audit(actor, now, "staff add", &id.to_string()).await?;
                    }
                    let who = self.label(id).await;
                    Ok(StaffOutcome::text(match (lang, new) {
                        (Lang::En, true) => format!(
                            "{who} ({id}) is now on the support team and can use the staff commands."
                        ),
                        (Lang::En, false) => format!("{who} ({id}) was on the team already."),
                        (Lang::Zh, true) => {
                            format!("{who}（{id}）已加入客服团队，可以使用客服命令。")
                        }
                        (Lang::Zh, false) => format!("{who}（{id}）已经是团队成员。"),
                    }))
                } else {
                    let who = self.label(id).await;
                    let removed = store.remove_staff(id).await?;
                    if removed {
                        self.audit(actor, now, "staff remove", &id.to_string())
                            .await?;
                    }
                    Ok(StaffOutcome::text(match (lang, removed) {
                        (Lang::En, true) => format!("{who} ({id}) is no longer on the team."),
                        (Lang::En, false) => format!("{who} ({id}) was not on the team."),
                        (Lang::Zh, true) => format!("{who}（{id}）已移出团队。"),
                        (Lang::Zh, false) => format!("{who}（{id}）本来就不在团队中。"),
                    }))
                }
            }
            _ => usage(lang, StaffCommand::Staff),
        }
    }

    // --- /audit --------------------------------------------------------------------------

    pub(super) async fn cmd_audit(&self, args: &str) -> Answer {
        let lang = self.lang;
        let arg = split_first(args).0;
        let limit = if arg.is_empty() {
            20
        } else {
            match arg.parse::<usize>() {
                Ok(n) if n >= 1 => n.min(100),
                _ => return usage(lang, StaffCommand::Audit),
            }
        };
        let entries = self.store.audit_log(limit).await?;
        if entries.is_empty() {
            return Ok(StaffOutcome::text(
                lang.pick("The audit log is empty.", "审计日志为空。"),
            ));
        }
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut text = match lang {
            Lang::En => format!("**Audit log** (last {}, newest first)", entries.len()),
            Lang::Zh => format!("**审计日志**（最近 {} 条，最新在前）", entries.len()),
        };
        for e in &entries {
            let who = match names.get(&e.actor) {
                Some(who) => who.clone(),
                None => {
                    let who = self.label(e.actor).await;
                    names.insert(e.actor, who.clone());
                    who
                }
            };
            text.push_str(&format!(
                "\n- #{} {} · {who} · {}{}",
                e.seq,
                texts::fmt_utc(e.at),
                e.action,
                if e.detail.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", texts::trim_chars(&e.detail, 150))
                }
            ));
        }
        Ok(StaffOutcome::long(&text))
    }

    // --- /macros -------------------------------------------------------------------------

    pub(super) async fn cmd_macros(&self, actor: &Actor, args: &str, now: u64) -> Answer {
        let lang = self.lang;
        let store = &self.store;
        let (sub, rest) = split_first(args);
        match sub.to_ascii_lowercase().as_str() {
            "list" | "" => {
                let macros = store.macros().await?;
                if macros.is_empty() {
                    return Ok(StaffOutcome::text(lang.pick(
                        "No macros yet. /macros add <name> <text> creates one.",
                        "还没有预设回复。/macros add <名称> <内容> 可创建。",
                    )));
                }
                let mut text = String::from(lang.pick(
                    "**Macros** (send one in a ticket with /macro <name>)",
                    "**预设回复**（在工单中用 /macro <名称> 发送）",
                ));
                for m in &macros {
                    let en = if m.en.trim().is_empty() {
                        "—".to_string()
                    } else {
                        texts::trim_chars(&m.en, 60)
                    };
                    let zh = if m.zh.trim().is_empty() {
                        "—".to_string()
                    } else {
                        texts::trim_chars(&m.zh, 40)
                    };
                    text.push_str(&format!("\n- **{}**: {en} | 中文: {zh}", m.name));
                }
                Ok(StaffOutcome::long(&text))
            }
            "add" => {
                let (name, body) = split_first(rest);
                let Some(name) = macro_name(name) else {
                    return usage(lang, StaffCommand::Macros);
                };
                let (which, body) = match split_first(body) {
                    (code, text) if code.eq_ignore_ascii_case("zh") && !text.is_empty() => {
                        (Lang::Zh, text)
                    }
                    (code, text) if code.eq_ignore_ascii_case("en") && !text.is_empty() => {
                        (Lang::En, text)
                    }
                    _ => (Lang::En, body),
                };
                if body.is_empty() {
                    return usage(lang, StaffCommand::Macros);
                }
                if body.chars().count() > MAX_MACRO_CHARS {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("A macro is at most {MAX_MACRO_CHARS} characters."),
                        Lang::Zh => format!("预设回复最多 {MAX_MACRO_CHARS} 个字符。"),
                    }));
                }
                let mut m = store.macro_named(&name).await?.unwrap_or(Macro {
                    name: name.clone(),
                    en: String::new(),
                    zh: String::new(),
                    by: actor.id,
                    at: now,
                });
                match which {
                    Lang::En => m.en = body.to_string(),
                    Lang::Zh => m.zh = body.to_string(),
                }
                m.by = actor.id;
                m.at = now;
                store.save_macro(&m).await?;
                self.audit(
                    actor,
                    now,
                    "macros add",
                    &format!("{name} ({})", which.code()),
                )
                .await?;
                let missing = match which {
                    Lang::En if m.zh.trim().is_empty() => lang.pick(
                        "\nNo Chinese text yet: Chinese-speaking users get the English one. Add it with /macros add NAME zh <text>.",
                        "\n还没有中文内容：中文用户会收到英文版。可用 /macros add NAME zh <内容> 添加。",
                    ),
                    Lang::Zh if m.en.trim().is_empty() => lang.pick(
                        "\nNo English text yet: English-speaking users get the Chinese one. Add it with /macros add NAME <text>.",
                        "\n还没有英文内容：英文用户会收到中文版。可用 /macros add NAME <内容> 添加。",
                    ),
                    _ => "",
                }
                .replace("NAME", &name);
                Ok(StaffOutcome::text(match lang {
                    Lang::En => format!(
                        "Macro **{name}** saved ({}). Send it in a ticket with /macro {name}.{missing}",
                        texts::lang_name(lang, which)
                    ),
                    Lang::Zh => format!(
                        "预设回复 **{name}** 已保存（{}）。在工单中用 /macro {name} 发送。{missing}",
                        texts::lang_name(lang, which)
                    ),
                }))
            }
            "remove" => {
                let Some(name) = macro_name(split_first(rest).0) else {
                    return usage(lang, StaffCommand::Macros);
                };
                let removed = store.remove_macro(&name).await?;
                if removed {
                    self.audit(actor, now, "macros remove", &name).await?;
                }
                Ok(StaffOutcome::text(match (lang, removed) {
                    (Lang::En, true) => format!("Macro **{name}** removed."),
                    (Lang::En, false) => format!("There is no macro {name}."),
                    (Lang::Zh, true) => format!("预设回复 **{name}** 已删除。"),
                    (Lang::Zh, false) => format!("没有名为 {name} 的预设回复。"),
                }))
            }
            _ => usage(lang, StaffCommand::Macros),
        }
    }
}

fn no_topic(lang: Lang, id: &str) -> String {
    match lang {
        Lang::En => format!("There is no topic {id}. /faq list shows them all."),
        Lang::Zh => format!("没有问题 {id}。/faq list 可查看全部。"),
    }
}

fn broadcast_line(b: &Broadcast, lang: Lang) -> String {
    let audience = b.lang.map_or("all", Lang::code);
    let state = if b.done {
        lang.pick("done", "已结束")
    } else {
        lang.pick("running", "发送中")
    };
    match lang {
        Lang::En => format!(
            "- #{} · {audience} · {state} · sent {}, failed {}, skipped {} · {} · “{}”",
            b.id,
            b.sent,
            b.failed,
            b.skipped,
            texts::fmt_utc(b.created_at),
            texts::trim_chars(&b.text, 60)
        ),
        Lang::Zh => format!(
            "- #{} · {audience} · {state} · 已发送 {}，失败 {}，跳过 {} · {} · “{}”",
            b.id,
            b.sent,
            b.failed,
            b.skipped,
            texts::fmt_utc(b.created_at),
            texts::trim_chars(&b.text, 60)
        ),
    }
}
