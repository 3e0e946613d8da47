//! Commands inside a ticket's topic (or as a reply to a ticket's message): `/note`, `/assign`,
//! `/macro`, `/close`, `/reopen`. Outside a ticket they take the ticket as their first
//! argument (`/close #12`), else they answer with where to use them.

use crate::desk::outcome::{Button, Reply};
use crate::lang::Lang;
use crate::store::TicketStatus;
use crate::tickets::TicketError;

use super::commands::ticket_number;
use super::texts::{self, to_user};
use super::{Actor, StaffCommand, StaffDesk, StaffEffect, StaffError, StaffOutcome, split_first};

type Answer = Result<StaffOutcome, StaffError>;

/// The rating buttons under the closing message: `rate:<ticket>:<stars>`, handled by the desk.
pub(super) fn rating_buttons(ticket: u64) -> Vec<Vec<Button>> {
    vec![
        (1..=5)
            .map(|stars| Button {
                label: format!("{stars} ★"),
                data: format!("rate:{ticket}:{stars}"),
            })
            .collect(),
    ]
}

impl StaffDesk {
    pub(super) async fn ticket_command(
        &self,
        actor: &Actor,
        command: StaffCommand,
        args: &str,
        ticket: Option<u64>,
        now: u64,
    ) -> Answer {
        let lang = self.lang;
        let name = command.name();
        let (id, args) = match ticket {
            Some(id) => (id, args),
            None => {
                let (first, rest) = split_first(args);
                match ticket_number(first).filter(|_| first.starts_with('#') || rest.is_empty()) {
                    Some(id) => (id, rest),
                    None => return Ok(StaffOutcome::text(texts::need_ticket(lang, name))),
                }
            }
        };
        let Some(t) = self.store.ticket(id).await? else {
            return Ok(StaffOutcome::text(texts::no_ticket(lang, id)));
        };
        match command {
            StaffCommand::Note => {
                if args.is_empty() {
                    return Ok(StaffOutcome::text(texts::usage(lang, StaffCommand::Note)));
                }
                self.audit(actor, now, "note", &format!("#{id}: {args}"))
                    .await?;
                Ok(StaffOutcome::text(match lang {
                    Lang::En => format!("📝 Note added to ticket #{id} (not sent to the user)."),
                    Lang::Zh => format!("📝 已为工单 #{id} 添加备注（不会发给用户）。"),
                }))
            }
            StaffCommand::Assign => {
                let target = split_first(args).0;
                if target.is_empty() {
                    return Ok(StaffOutcome::text(texts::usage(lang, StaffCommand::Assign)));
                }
                let staff = if target.eq_ignore_ascii_case("me") {
                    actor.id
                } else {
                    match self.user_arg(actor, target).await? {
                        Ok(id) => id,
                        Err(text) => return Ok(StaffOutcome::text(text)),
                    }
                };
                let who = super::roles::label(&self.store, staff, lang).await;
                if self.role(staff).await.is_none() {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("{who} is not on the support team (/staff list)."),
                        Lang::Zh => format!("{who} 不是客服团队成员（/staff list）。"),
                    }));
                }
                self.desk.tickets().assign(id, staff).await?;
                self.desk.ticket_changed(t.user);
                self.audit(actor, now, "assign", &format!("#{id} → {staff}"))
                    .await?;
                Ok(StaffOutcome::text(match lang {
                    Lang::En => format!("Ticket #{id} is assigned to {who}."),
                    Lang::Zh => format!("工单 #{id} 已分配给 {who}。"),
                }))
            }
            StaffCommand::Macro => {
                let name = split_first(args).0.to_ascii_lowercase();
                if name.is_empty() {
                    return Ok(StaffOutcome::text(texts::usage(lang, StaffCommand::Macro)));
                }
                let Some(m) = self.store.macro_named(&name).await? else {
                    return Ok(StaffOutcome::text(match lang {
                        Lang::En => format!("There is no macro {name}. /macros list shows them."),
                        Lang::Zh => {
                            format!("没有名为 {name} 的预设回复。/macros list 可查看全部。")
                        }
                    }));
                };
                if t.status == TicketStatus::Closed {
                    return Ok(StaffOutcome::text(closed_already(lang, id)));
                }
                let user_lang = self.user_lang(&t).await;
                self.staff_replied(id, actor.id, now).await?;
                self.audit(actor, now, "macro", &format!("#{id} {name}"))
                    .await?;
                let mut out = StaffOutcome::text(match lang {
                    Lang::En => format!(
                        "Macro {name} sent to the user ({}).",
                        texts::lang_name(lang, user_lang)
                    ),
                    Lang::Zh => format!(
                        "已向用户发送预设回复 {name}（{}）。",
                        texts::lang_name(lang, user_lang)
                    ),
                });
                out.to_user.push((
                    t.user,
                    Reply {
                        text: Self::signed(m.text(user_lang).trim(), user_lang),
                        buttons: Vec::new(),
                    },
                ));
                Ok(out)
            }
            StaffCommand::Close => {
                match self.desk.tickets().close(id, now).await {
                    Ok(_) => {}
                    Err(TicketError::BadTransition { .. }) => {
                        return Ok(StaffOutcome::text(closed_already(lang, id)));
                    }
                    Err(e) => return Err(e.into()),
                }
                self.desk.ticket_changed(t.user);
                self.audit(actor, now, "close", &format!("#{id}")).await?;
                let user_lang = self.user_lang(&t).await;
                let mut out = StaffOutcome::text(match lang {
                    Lang::En => format!(
                        "Ticket #{id} is closed; the user was thanked and asked for a rating."
                    ),
                    Lang::Zh => format!("工单 #{id} 已关闭，已感谢用户并请其评分。"),
                });
                out.to_user.push((
                    t.user,
                    Reply {
                        text: Self::signed(&to_user::closed(user_lang, id), user_lang),
                        buttons: rating_buttons(id),
                    },
                ));
                out.effects.push(StaffEffect::CloseTopic(id));
                Ok(out)
            }
            StaffCommand::Reopen => {
                match self.desk.tickets().reopen(id).await {
                    Ok(_) => {}
                    Err(TicketError::BadTransition { .. }) => {
                        return Ok(StaffOutcome::text(match lang {
                            Lang::En => format!("Ticket #{id} is not closed."),
                            Lang::Zh => format!("工单 #{id} 没有关闭。"),
                        }));
                    }
                    Err(e) => return Err(e.into()),
                }
                self.desk.ticket_changed(t.user);
                self.audit(actor, now, "reopen", &format!("#{id}")).await?;
                let user_lang = self.user_lang(&t).await;
                let mut out = StaffOutcome::text(match lang {
                    Lang::En => format!("Ticket #{id} is reopened; the user was told."),
                    Lang::Zh => format!("工单 #{id} 已重新打开，已通知用户。"),
                });
                out.to_user.push((
                    t.user,
                    Reply {
                        text: Self::signed(&to_user::reopened(user_lang, id), user_lang),
                        buttons: Vec::new(),
                    },
                ));
                out.effects.push(StaffEffect::ReopenTopic(id));
                Ok(out)
            }
            _ => Ok(StaffOutcome::text(texts::help(lang))),
        }
    }
}

fn closed_already(lang: Lang, id: u64) -> String {
    match lang {
        Lang::En => format!("Ticket #{id} is closed. /reopen it first."),
        Lang::Zh => format!("工单 #{id} 已关闭，请先 /reopen。"),
    }
}
