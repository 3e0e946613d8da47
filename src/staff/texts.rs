//! Every fixed sentence of the staff side, in English and Simplified Chinese: what staff see
//! (in the configured staff language) and what users get from the team (in their language).
//!
//! Command syntax (`/ban <user> [reason]`) is the same in both languages; the words around it
//! are translated.

use crate::lang::Lang;
use crate::store::{QuietHours, Severity, TicketStatus};

use super::StaffCommand;
use super::stats::AlertCounts;

/// Refusal for anyone who is not on the support team: both languages in one message, since
/// the sender's language is not known here.
pub(super) fn not_staff() -> &'static str {
    "This command is for the support team. Need help? Send /help, or /ticket to see your tickets.\n\
     这是客服团队专用的命令。需要帮助请发送 /help，查看你的工单请发送 /ticket。"
}

/// Who an anonymised ticket or a deletion in the audit log belongs to: nobody, since /forget.
pub(super) fn deleted_user(lang: Lang) -> &'static str {
    lang.pick("a user who deleted their data", "已删除数据的用户")
}

/// Refusal of an admin-only command for plain staff.
pub(super) fn admin_only(lang: Lang) -> &'static str {
    lang.pick(
        "Only admins (listed in the configuration) can add or remove staff.",
        "只有管理员（在配置文件中列出）才能添加或移除客服。",
    )
}

/// A failure while carrying out a command.
pub(super) fn failed(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::En => format!("Something went wrong: {detail}. Check the logs and try again."),
        Lang::Zh => format!("操作失败：{detail}。请查看日志后重试。"),
    }
}

/// The usage line of one command.
pub(super) fn usage(lang: Lang, command: StaffCommand) -> String {
    let syntax = command.syntax();
    let user_hint = syntax.contains("<user>");
    match lang {
        Lang::En => format!(
            "Usage: {syntax}{}",
            if user_hint {
                "\n<user> is a numeric Telegram id or an @username."
            } else {
                ""
            }
        ),
        Lang::Zh => format!(
            "用法：{syntax}{}",
            if user_hint {
                "\n<user> 为数字 Telegram id 或 @用户名。"
            } else {
                ""
            }
        ),
    }
}

/// Every staff command, for an unknown one.
pub(super) fn help(lang: Lang) -> String {
    let mut out = String::from(lang.pick("**Staff commands**", "**客服命令**"));
    for command in StaffCommand::ALL {
        out.push_str(&format!(
            "\n- {}: {}",
            command.syntax(),
            command.meaning(lang)
        ));
    }
    out
}

/// A ticket command sent outside a ticket.
pub(super) fn need_ticket(lang: Lang, command: &str) -> String {
    match lang {
        Lang::En => format!(
            "/{command} works inside a ticket's topic, or as a reply to a ticket's message (or name it: /{command} #12 …)."
        ),
        Lang::Zh => format!(
            "/{command} 需要在工单的话题里使用，或回复工单的消息使用（也可以写明工单号：/{command} #12 …）。"
        ),
    }
}

/// No such ticket.
pub(super) fn no_ticket(lang: Lang, id: u64) -> String {
    match lang {
        Lang::En => format!("There is no ticket #{id}."),
        Lang::Zh => format!("没有工单 #{id}。"),
    }
}

/// A ticket's status in words.
pub(super) fn status_word(lang: Lang, status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Open => lang.pick("waiting", "等待处理"),
        TicketStatus::InProgress => lang.pick("in progress", "处理中"),
        TicketStatus::Closed => lang.pick("closed", "已关闭"),
    }
}

/// A stored priority in words.
pub(super) fn priority_word(lang: Lang, priority: &str) -> &'static str {
    match priority {
        "urgent" => lang.pick("urgent", "紧急"),
        "high" => lang.pick("high", "高"),
        _ => lang.pick("normal", "普通"),
    }
}

/// A stored escalation reason in human words.
pub(super) fn reason_words(lang: Lang, reason: &str) -> String {
    let (en, zh) = match reason {
        "asked_for_person" => ("Asked for a person", "要求人工客服"),
        "lost_or_stolen_funds" => ("Lost or stolen funds", "资金丢失或被盗"),
        "hacked_wallet" => ("Hacked or drained wallet", "钱包被黑或被盗空"),
        "wrong_address" => ("Funds sent to a wrong address or network", "转错地址或网络"),
        "failed_withdrawal" => ("Failed or stuck withdrawal", "取款失败或卡住"),
        "bug_or_exploit" => ("Suspected bug or exploit", "疑似漏洞或攻击"),
        "complaint" => ("Complaint", "投诉"),
        "unresolved" => ("The bot's answers did not help", "机器人的回答没有解决问题"),
        other => return other.replace('_', " "),
    };
    lang.pick(en, zh).to_string()
}

/// A language's name.
pub(super) fn lang_name(shown_in: Lang, lang: Lang) -> &'static str {
    match lang {
        Lang::En => shown_in.pick("English", "英文"),
        Lang::Zh => shown_in.pick("Chinese", "中文"),
    }
}

/// "none" for an empty field.
pub(super) fn none(lang: Lang) -> &'static str {
    lang.pick("none", "无")
}

/// Unix seconds as "2024-05-01 14:03 UTC".
pub(super) fn fmt_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3_600,
        (rem % 3_600) / 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) of the proleptic Gregorian calendar
/// (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Addresses listed on a user card's alerts part before "and N more".
const CARD_ADDRESSES: usize = 5;

/// What a user card says about a user's alerts, as gathered from the store.
pub(super) struct AlertsPart {
    /// Linked addresses are watched.
    pub(super) enabled: bool,
    /// Warning level, as a health factor ("1.30").
    pub(super) warning: String,
    /// Critical level, as a health factor.
    pub(super) critical: String,
    /// Addresses watched without linking, short form.
    pub(super) watched: Vec<String>,
    /// Linked addresses muted, short form.
    pub(super) muted: Vec<String>,
    /// The end of a snooze still running (unix seconds).
    pub(super) snoozed_until: Option<u64>,
    /// Quiet hours.
    pub(super) quiet: Option<QuietHours>,
    /// The user's last alert over all their watches.
    pub(super) last: Option<LastAlertFacts>,
}

/// The last alert of a user, ready to show.
pub(super) struct LastAlertFacts {
    pub(super) severity: Severity,
    /// The health factor it stated ("1.04").
    pub(super) health_factor: String,
    /// The address, short form.
    pub(super) address: String,
    pub(super) market: String,
    pub(super) block: u64,
    pub(super) at: u64,
    /// How long ago ("1h 3m").
    pub(super) ago: String,
}

/// The alerts part of a user card and of /whois: the switch and levels, addresses watched
/// without linking, muted ones, a running snooze, quiet hours and the last alert.
pub(super) fn alerts_part(lang: Lang, part: &AlertsPart) -> Vec<String> {
    let field = |en: &str, zh: &str, value: &str| format!("- {}: {value}", lang.pick(en, zh));
    let levels = match lang {
        Lang::En => format!("warning < {}, critical < {}", part.warning, part.critical),
        Lang::Zh => format!("预警 < {}，紧急 < {}", part.warning, part.critical),
    };
    // Addresses watched without linking alert whatever the switch: "off" still shows the
    // levels they use.
    let state = match (part.enabled, part.watched.is_empty()) {
        (true, _) => format!("{} · {levels}", lang.pick("on", "已开启")),
        (false, false) => format!(
            "{} · {levels}",
            lang.pick("off for linked addresses", "绑定地址已关闭")
        ),
        (false, true) => lang.pick("off", "已关闭").to_string(),
    };
    let mut lines = vec![field("Alerts", "风险提醒", &state)];
    if !part.watched.is_empty() {
        lines.push(field(
            "Watched without linking",
            "未绑定而关注的地址",
            &address_list(lang, &part.watched),
        ));
    }
    if !part.muted.is_empty() {
        lines.push(field(
            "Muted",
            "已静音的地址",
            &address_list(lang, &part.muted),
        ));
    }
    if let Some(until) = part.snoozed_until {
        lines.push(field("Snoozed until", "暂停提醒至", &fmt_utc(until)));
    }
    if let Some(q) = part.quiet {
        lines.push(field("Quiet hours", "免打扰时段", &quiet_hours(lang, &q)));
    }
    if let Some(last) = &part.last {
        lines.push(field("Last alert", "最近一次提醒", &last_alert(lang, last)));
    }
    lines
}

/// "0x7099…79C8, 0x3C44…93BC and 2 more".
fn address_list(lang: Lang, addresses: &[String]) -> String {
    let shown = addresses[..addresses.len().min(CARD_ADDRESSES)].join(", ");
    match (addresses.len().saturating_sub(CARD_ADDRESSES), lang) {
        (0, _) => shown,
        (more, Lang::En) => format!("{shown} and {more} more"),
        (more, Lang::Zh) => format!("{shown} 等，另有 {more} 个"),
    }
}

/// An alert's level in words.
fn severity_word(lang: Lang, severity: Severity) -> &'static str {
    match severity {
        Severity::Warning => lang.pick("warning", "预警"),
        Severity::Critical => lang.pick("critical", "紧急"),
    }
}

/// Quiet hours in the user's zone: "23:00–07:30 (UTC+8)".
fn quiet_hours(lang: Lang, q: &QuietHours) -> String {
    let clock = |m: u16| format!("{:02}:{:02}", (m / 60) % 24, m % 60);
    let sign = if q.utc_offset < 0 { '−' } else { '+' };
    let offset = q.utc_offset.unsigned_abs();
    let zone = match (offset / 60, offset % 60) {
        (0, 0) => "UTC".to_string(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    };
    let (from, to) = (clock(q.from), clock(q.to));
    match lang {
        Lang::En => format!("{from}–{to} ({zone})"),
        Lang::Zh => format!("{from}–{to}（{zone}）"),
    }
}

/// "critical · health factor 1.04 · 0x7099…79C8 on devnet · block 1234 · 2024-05-01 13:00 UTC
/// (1h 3m ago)".
fn last_alert(lang: Lang, a: &LastAlertFacts) -> String {
    let severity = severity_word(lang, a.severity);
    let when = fmt_utc(a.at);
    let LastAlertFacts {
        health_factor: hf,
        address,
        market,
        block,
        ago,
        ..
    } = a;
    match lang {
        Lang::En => format!(
            "{severity} · health factor {hf} · {address} on {market} · block {block} · {when} ({ago} ago)"
        ),
        Lang::Zh => format!(
            "{severity} · 健康因子 {hf} · {address}（{market}）· 区块 {block} · {when}（{ago}前）"
        ),
    }
}

/// The alerts line of `/stats`.
pub(super) fn alerts_sent(lang: Lang, a: &AlertCounts) -> String {
    let AlertCounts {
        warnings,
        criticals,
        states,
        liquidations,
    } = a;
    match (lang, a.sent()) {
        (Lang::En, 0) => format!("- Alerts sent: 0; liquidations noticed: {liquidations}\n"),
        (Lang::Zh, 0) => format!("- 已发送风险提醒：0 条；发现清算：{liquidations} 次\n"),
        (Lang::En, sent) => format!(
            "- Alerts sent: {sent} ({warnings} warning, {criticals} critical, {states} state on subscribing); liquidations noticed: {liquidations}\n"
        ),
        (Lang::Zh, sent) => format!(
            "- 已发送风险提醒：{sent} 条（预警 {warnings}，紧急 {criticals}，开启时已低于提醒线 {states}）；发现清算：{liquidations} 次\n"
        ),
    }
}

/// Cuts `text` to `max` characters, marking the cut with "…".
pub(super) fn trim_chars(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// Staff member or ticket-topic confirmations and user-facing texts.
pub(super) mod to_user {
    use crate::lang::Lang;

    /// The thank-you when a ticket is closed, before the rating buttons.
    pub(in crate::staff) fn closed(lang: Lang, ticket: u64) -> String {
        match lang {
            Lang::En => format!(
                "Your ticket #{ticket} is now closed. Thank you for your patience!\n\nHow did we do? Rate our help from 1 to 5 stars. If something is still wrong, just write here or send /human."
            ),
            Lang::Zh => format!(
                "你的工单 #{ticket} 已关闭，感谢你的耐心！\n\n我们的服务怎么样？请给 1 到 5 星评分。如果问题还没解决，直接在这里留言或发送 /human 即可。"
            ),
        }
    }

    /// The notice when staff reopen a ticket.
    pub(in crate::staff) fn reopened(lang: Lang, ticket: u64) -> String {
        match lang {
            Lang::En => format!(
                "Your ticket #{ticket} has been reopened. A person from our team will follow up here."
            ),
            Lang::Zh => format!("你的工单 #{ticket} 已重新打开，客服人员会在这里继续跟进。"),
        }
    }

    /// The footer of every announcement.
    pub(in crate::staff) fn broadcast_footer(lang: Lang) -> &'static str {
        lang.pick(
            "\n\n—\nTo stop announcements, send /announcements off",
            "\n\n—\n如不想再收到公告，请发送 /announcements off",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(fmt_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(fmt_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(fmt_utc(1_714_572_180), "2024-05-01 14:03 UTC");
    }

    #[test]
    fn every_command_has_a_usage_line() {
        for c in StaffCommand::ALL {
            assert!(
                usage(Lang::En, c).starts_with(&format!("Usage: /{}", c.name())),
                "{c:?} has no syntax line"
            );
        }
        assert!(usage(Lang::Zh, StaffCommand::Ban).starts_with("用法：/ban <user>"));
        assert_eq!(trim_chars("a  b\nc", 10), "a b c");
        assert_eq!(trim_chars("abcdef", 3), "abc…");
    }
}
