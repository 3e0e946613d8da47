//! `/stats`: a pure computation over ticket records and message events, and its rendering.
//!
//! Definitions, for a window `[now - window, now]`:
//! - **opened** / **closed**: tickets whose `created_at` / `closed_at` is in the window;
//! - **time to first response**: `first_response_at - created_at` of tickets first answered in
//!   the window; **time to resolution**: `closed_at - created_at` of tickets closed in it;
//! - **median**: the middle value, or the mean of the two middle values (rounded down) for an
//!   even count; **p90**: the nearest-rank 90th percentile, the value at rank ⌈0.9·n⌉ (1-based)
//!   of the sorted values;
//! - **satisfaction**: the mean rating of tickets closed in the window that were rated;
//! - **messages**: events in the window. Intents `faq`, `position`, `smalltalk` and `command`
//!   count as resolved by the bot, `escalate` as handed to people, `clarify` as not
//!   understood; the rest (`refuse_secret`, `error`) only in the total;
//! - **top topics**: the 5 FAQ topics that answered most events (ties by id);
//! - **unanswered**: the 5 most recent distinct questions the bot could not answer;
//! - **alerts sent**: liquidation-risk notices Telegram took in the window (the sent log), by
//!   kind: warnings, criticals, and states (a watch that started under a level); **liquidations
//!   noticed**: liquidation notices sent in it.

use std::collections::HashMap;

use crate::lang::Lang;
use crate::store::{MessageEvent, NoticeKind, SentAlert, Severity, TicketRecord};

use super::texts;

/// Median and 90th percentile of a set of durations (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    /// How many values.
    pub count: usize,
    /// The median (see the module docs); `None` without values.
    pub median: Option<u64>,
    /// The nearest-rank 90th percentile; `None` without values.
    pub p90: Option<u64>,
}

impl Percentiles {
    /// Median and p90 of `values` (any order).
    pub fn of(mut values: Vec<u64>) -> Self {
        values.sort_unstable();
        let n = values.len();
        if n == 0 {
            return Self::default();
        }
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            values[n / 2 - 1].midpoint(values[n / 2])
        };
        let rank = (9 * n).div_ceil(10).max(1);
        Self {
            count: n,
            median: Some(median),
            p90: Some(values[rank - 1]),
        }
    }
}

/// The figures `/stats` shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    /// Window start (unix seconds).
    pub since: u64,
    /// Window end (unix seconds).
    pub until: u64,
    /// Tickets opened in the window.
    pub opened: usize,
    /// Tickets closed in the window.
    pub closed: usize,
    /// Time to first response (seconds).
    pub first_response: Percentiles,
    /// Time to resolution (seconds).
    pub resolution: Percentiles,
    /// Mean satisfaction (1–5) of rated tickets closed in the window.
    pub rating_average: Option<f64>,
    /// How many ratings.
    pub ratings: usize,
    /// Messages (events) in the window.
    pub messages: usize,
    /// Messages the bot resolved itself.
    pub bot_resolved: usize,
    /// Messages handed to people.
    pub handed_over: usize,
    /// Messages not understood ("did you mean" / "I don't know yet").
    pub not_understood: usize,
    /// The most asked FAQ topics, with counts, most first.
    pub top_topics: Vec<(String, usize)>,
    /// Recent questions the bot could not answer, newest first.
    pub unanswered: Vec<String>,
    /// Answers that showed the protocol's own figures because lendesk's recomputation
    /// disagreed with it (the guard), per market, most first.
    pub guarded: Vec<(String, usize)>,
    /// Liquidation-risk notices sent in the window ([`AlertCounts::of`]).
    pub alerts: AlertCounts,
}

/// Liquidation-risk notices sent in a window, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlertCounts {
    /// Falls under the warning level.
    pub warnings: usize,
    /// Falls under the critical level.
    pub criticals: usize,
    /// Watches that started under a level, told once.
    pub states: usize,
    /// Liquidations noticed.
    pub liquidations: usize,
}

impl AlertCounts {
    /// Counts the notices of `sent` taken by Telegram in `[since, until]`.
    pub fn of(sent: &[SentAlert], since: u64, until: u64) -> Self {
        let mut counts = Self::default();
        for s in sent.iter().filter(|s| (since..=until).contains(&s.at)) {
            match s.kind {
                NoticeKind::Alert(Severity::Warning) => counts.warnings += 1,
                NoticeKind::Alert(Severity::Critical) => counts.criticals += 1,
                NoticeKind::State => counts.states += 1,
                NoticeKind::Liquidation => counts.liquidations += 1,
            }
        }
        counts
    }

    /// Alerts sent, liquidation notices aside.
    pub fn sent(&self) -> usize {
        self.warnings + self.criticals + self.states
    }
}

/// Computes [`Stats`] for the `window` seconds up to `now` (see the module docs); the alerts
/// are counted apart, from the sent log ([`AlertCounts::of`]).
pub fn compute(tickets: &[TicketRecord], events: &[MessageEvent], now: u64, window: u64) -> Stats {
    let since = now.saturating_sub(window);
    let inside = |t: u64| (since..=now).contains(&t);

    let opened = tickets.iter().filter(|t| inside(t.created_at)).count();
    let closed: Vec<&TicketRecord> = tickets
        .iter()
        .filter(|t| t.closed_at.is_some_and(inside))
        .collect();
    let first_response = Percentiles::of(
        tickets
            .iter()
            .filter_map(|t| {
                let at = t.first_response_at.filter(|at| inside(*at))?;
                Some(at.saturating_sub(t.created_at))
            })
            .collect(),
    );
    let resolution = Percentiles::of(
        closed
            .iter()
            .filter_map(|t| Some(t.closed_at?.saturating_sub(t.created_at)))
            .collect(),
    );
    let ratings: Vec<u8> = closed.iter().filter_map(|t| t.rating).collect();
    let rating_average = (!ratings.is_empty())
        .then(|| ratings.iter().map(|r| f64::from(*r)).sum::<f64>() / ratings.len() as f64);

    let events: Vec<&MessageEvent> = events.iter().filter(|e| inside(e.at)).collect();
    let count = |names: &[&str]| {
        events
            .iter()
            .filter(|e| names.contains(&e.intent.as_str()))
            .map(|e| e.count as usize)
            .sum::<usize>()
    };
    let mut topics: HashMap<&str, usize> = HashMap::new();
    for e in &events {
        if let Some(t) = &e.topic {
            *topics.entry(t.as_str()).or_default() += e.count as usize;
        }
    }
    let mut top_topics: Vec<(String, usize)> = topics
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    top_topics.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top_topics.truncate(5);

    let mut newest: Vec<&MessageEvent> = events.clone();
    newest.sort_by_key(|e| std::cmp::Reverse(e.at));
    let mut unanswered: Vec<String> = Vec::new();
    for q in newest.iter().filter_map(|e| e.question.as_deref()) {
        let q = q.trim();
        if q.is_empty() || unanswered.iter().any(|u| u.eq_ignore_ascii_case(q)) {
            continue;
        }
        unanswered.push(q.to_string());
        if unanswered.len() == 5 {
            break;
        }
    }

    let mut guarded: HashMap<&str, usize> = HashMap::new();
    for e in &events {
        for market in &e.guarded_markets {
            *guarded.entry(market.as_str()).or_default() += e.count as usize;
        }
    }
    let mut guarded: Vec<(String, usize)> = guarded
        .into_iter()
        .map(|(m, n)| (m.to_string(), n))
        .collect();
    guarded.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    Stats {
        since,
        until: now,
        opened,
        closed: closed.len(),
        first_response,
        resolution,
        rating_average,
        ratings: ratings.len(),
        messages: events.iter().map(|e| e.count as usize).sum(),
        bot_resolved: count(&["faq", "position", "smalltalk", "command"]),
        handed_over: count(&["escalate"]),
        not_understood: count(&["clarify"]),
        top_topics,
        unanswered,
        guarded,
        alerts: AlertCounts::default(),
    }
}

/// A duration for people: "45s", "4m", "2h 5m", "3d 4h" ("4分钟", "2小时5分钟"…).
pub fn human_duration(secs: u64, lang: Lang) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        (secs % 86_400) / 3_600,
        (secs % 3_600) / 60,
        secs % 60,
    );
    let unit = |n: u64, en: &str, zh: &str| match lang {
        Lang::En => format!("{n}{en}"),
        Lang::Zh => format!("{n}{zh}"),
    };
    let sep = lang.pick(" ", "");
    let two = |a: String, b: Option<String>| match b {
        Some(b) => format!("{a}{sep}{b}"),
        None => a,
    };
    if d > 0 {
        two(unit(d, "d", "天"), (h > 0).then(|| unit(h, "h", "小时")))
    } else if h > 0 {
        two(unit(h, "h", "小时"), (m > 0).then(|| unit(m, "m", "分钟")))
    } else if m > 0 {
        unit(m, "m", "分钟")
    } else {
        unit(s, "s", "秒")
    }
}

/// `part` as a rounded percentage of `total` (0 when there is nothing).
fn percent(part: usize, total: usize) -> usize {
    (part * 100 + total / 2).checked_div(total).unwrap_or(0)
}

/// How often the guard replaced lendesk's figures by the protocol's, by market.
fn guard_line(guarded: &[(String, usize)], lang: Lang) -> String {
    let total: usize = guarded.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return lang
            .pick(
                "- Guard: every position answer agreed with the protocol\n",
                "- 校验：所有持仓回答都与协议一致\n",
            )
            .to_string();
    }
    let markets = guarded
        .iter()
        .map(|(m, n)| format!("{m} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    match lang {
        Lang::En => format!(
            "- Guard: {total} answers showed the protocol's own figures because lendesk's recomputation disagreed ({markets}); see the operator log\n"
        ),
        Lang::Zh => format!(
            "- 校验：{total} 次回答因 lendesk 的重算与协议不一致而改用协议自身数据（{markets}），详见运维日志\n"
        ),
    }
}

/// The `/stats` reply.
pub(super) fn render(stats: &Stats, lang: Lang, label: &str) -> String {
    let dur = |p: &Percentiles| match (p.median, p.p90) {
        (Some(m), Some(p90)) => match lang {
            Lang::En => format!(
                "median {}, p90 {} ({} tickets)",
                human_duration(m, lang),
                human_duration(p90, lang),
                p.count
            ),
            Lang::Zh => format!(
                "中位数 {}，p90 {}（{} 个工单）",
                human_duration(m, lang),
                human_duration(p90, lang),
                p.count
            ),
        },
        _ => lang.pick("no data", "暂无数据").to_string(),
    };
    let mut out = match lang {
        Lang::En => format!(
            "**Statistics, last {label}** ({} – {})\n\
             - Tickets: {} opened, {} closed\n\
             - First response: {}\n\
             - Resolution: {}\n",
            texts::fmt_utc(stats.since),
            texts::fmt_utc(stats.until),
            stats.opened,
            stats.closed,
            dur(&stats.first_response),
            dur(&stats.resolution),
        ),
        Lang::Zh => format!(
            "**统计：最近 {label}**（{} – {}）\n\
             - 工单：新建 {} 个，关闭 {} 个\n\
             - 首次响应：{}\n\
             - 解决用时：{}\n",
            texts::fmt_utc(stats.since),
            texts::fmt_utc(stats.until),
            stats.opened,
            stats.closed,
            dur(&stats.first_response),
            dur(&stats.resolution),
        ),
    };
    out.push_str(&match (lang, stats.rating_average) {
        (Lang::En, Some(avg)) => {
            format!("- Satisfaction: {avg:.1} / 5 ({} ratings)\n", stats.ratings)
        }
        (Lang::Zh, Some(avg)) => format!("- 满意度：{avg:.1} / 5（{} 个评分）\n", stats.ratings),
        (Lang::En, None) => "- Satisfaction: no ratings yet\n".to_string(),
        (Lang::Zh, None) => "- 满意度：暂无评分\n".to_string(),
    });
    let n = stats.messages;
    out.push_str(&match lang {
        Lang::En => format!(
            "- Messages: {n}; the bot resolved {}% ({}), handed to people {}% ({}), did not understand {}% ({})\n",
            percent(stats.bot_resolved, n),
            stats.bot_resolved,
            percent(stats.handed_over, n),
            stats.handed_over,
            percent(stats.not_understood, n),
            stats.not_understood,
        ),
        Lang::Zh => format!(
            "- 消息：{n} 条；机器人解决 {}%（{}），转人工 {}%（{}），未理解 {}%（{}）\n",
            percent(stats.bot_resolved, n),
            stats.bot_resolved,
            percent(stats.handed_over, n),
            stats.handed_over,
            percent(stats.not_understood, n),
            stats.not_understood,
        ),
    });
    out.push_str(&guard_line(&stats.guarded, lang));
    out.push_str(&texts::alerts_sent(lang, &stats.alerts));
    out.push_str(lang.pick("\n**Top FAQ topics**\n", "\n**热门问题**\n"));
    if stats.top_topics.is_empty() {
        out.push_str(&format!("- {}\n", texts::none(lang)));
    }
    for (id, count) in &stats.top_topics {
        out.push_str(&format!("- {id}: {count}\n"));
    }
    out.push_str(lang.pick(
        "\n**Recent questions the bot could not answer**\n",
        "\n**机器人最近没能回答的问题**\n",
    ));
    if stats.unanswered.is_empty() {
        out.push_str(&format!("- {}\n", texts::none(lang)));
    }
    for q in &stats.unanswered {
        out.push_str(&format!("- {}\n", texts::trim_chars(q, 150)));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TicketStatus;

    fn ticket(
        id: u64,
        created: u64,
        first: Option<u64>,
        closed: Option<u64>,
        rating: Option<u8>,
    ) -> TicketRecord {
        TicketRecord {
            id,
            user: id as i64,
            status: if closed.is_some() {
                TicketStatus::Closed
            } else {
                TicketStatus::Open
            },
            reason: "asked_for_person".into(),
            priority: "normal".into(),
            lang: Lang::En,
            created_at: created,
            first_response_at: first,
            closed_at: closed,
            assignee: None,
            summary: String::new(),
            rating,
            comment: None,
            overdue_flagged_at: None,
        }
    }

    fn event(at: u64, intent: &str, topic: Option<&str>, question: Option<&str>) -> MessageEvent {
        MessageEvent {
            count: 1,
            at,
            user: 1,
            intent: intent.into(),
            topic: topic.map(Into::into),
            question: question.map(Into::into),
            guarded_markets: Vec::new(),
        }
    }

    #[test]
    fn median_and_p90_follow_the_documented_definitions() {
        assert_eq!(Percentiles::of(vec![]), Percentiles::default());
        let one = Percentiles::of(vec![7]);
        assert_eq!((one.median, one.p90), (Some(7), Some(7)));
        // Odd count: the middle value; p90 at rank ceil(0.9·5) = 5.
        let odd = Percentiles::of(vec![50, 10, 40, 20, 30]);
        assert_eq!((odd.median, odd.p90), (Some(30), Some(50)));
        // Even count: mean of the two middle values, rounded down; rank ceil(0.9·4) = 4.
        let even = Percentiles::of(vec![1, 2, 4, 10]);
        assert_eq!((even.median, even.p90), (Some(3), Some(10)));
        let even = Percentiles::of(vec![60, 120, 181, 3_600]);
        assert_eq!(even.median, Some(150));
        // Ten values 1..=10: median 5 (mean of 5 and 6 = 5.5, down), p90 rank 9 → 9.
        let ten = Percentiles::of((1..=10).rev().collect());
        assert_eq!((ten.median, ten.p90, ten.count), (Some(5), Some(9), 10));
        // Eleven values 1..=11: median 6, p90 rank ceil(9.9) = 10 → 10.
        let eleven = Percentiles::of((1..=11).collect());
        assert_eq!((eleven.median, eleven.p90), (Some(6), Some(10)));
        // Twenty values: rank 18.
        let twenty = Percentiles::of((1..=20).map(|v| v * 100).collect());
        assert_eq!((twenty.median, twenty.p90), (Some(1_050), Some(1_800)));
    }

    #[test]
    fn stats_over_hand_made_records() {
        let day = 86_400;
        let now = 100 * day;
        let week = 7 * day;
        let tickets = vec![
            // Before the window: not opened in it, but closed and answered in it.
            ticket(
                1,
                now - 8 * day,
                Some(now - 6 * day),
                Some(now - 5 * day),
                Some(2),
            ),
            // Opened, answered after 4 minutes, closed after 2h 5m, rated 5.
            ticket(
                2,
                now - day,
                Some(now - day + 240),
                Some(now - day + 7_500),
                Some(5),
            ),
            // Opened, answered after 60 s, still open.
            ticket(3, now - 3_600, Some(now - 3_540), None, None),
            // Opened, nobody answered yet.
            ticket(4, now - 60, None, None, None),
            // Entirely before the window.
            ticket(
                5,
                now - 20 * day,
                Some(now - 20 * day + 10),
                Some(now - 19 * day),
                Some(1),
            ),
        ];
        let events = vec![
            event(now - 9 * day, "faq", Some("gas-fees"), None), // outside
            event(now - 10, "faq", Some("health-factor"), None),
            event(now - 20, "faq", Some("health-factor"), None),
            event(now - 30, "faq", Some("gas-fees"), None),
            event(now - 40, "position", None, None),
            event(now - 50, "smalltalk", None, None),
            event(now - 60, "command", None, None),
            event(now - 70, "escalate", Some("lost-stolen-funds"), None),
            event(now - 80, "clarify", None, Some("what about quokka staking")),
            event(now - 90, "clarify", None, Some("What about quokka staking")),
            event(now - 100, "clarify", None, Some("is my nft safe")),
            event(now - 110, "refuse_secret", None, None),
        ];
        let s = compute(&tickets, &events, now, week);
        assert_eq!((s.since, s.until), (now - week, now));
        assert_eq!((s.opened, s.closed), (3, 2));
        // First responses in the window: ticket 1 (2 days), 2 (240 s), 3 (60 s).
        assert_eq!(s.first_response.count, 3);
        assert_eq!(s.first_response.median, Some(240));
        assert_eq!(s.first_response.p90, Some(2 * day));
        // Resolutions in the window: ticket 1 (3 days) and 2 (7500 s): median is their mean.
        assert_eq!(s.resolution.count, 2);
        assert_eq!(s.resolution.median, Some((3 * day + 7_500) / 2));
        assert_eq!(s.resolution.p90, Some(3 * day));
        assert_eq!(s.ratings, 2);
        assert_eq!(s.rating_average, Some(3.5));
        assert_eq!(s.messages, 11);
        assert_eq!((s.bot_resolved, s.handed_over, s.not_understood), (6, 1, 3));
        assert_eq!(
            s.top_topics,
            vec![
                ("health-factor".to_string(), 2),
                ("gas-fees".to_string(), 1),
                ("lost-stolen-funds".to_string(), 1),
            ]
        );
        assert_eq!(
            s.unanswered,
            vec![
                "what about quokka staking".to_string(),
                "is my nft safe".to_string()
            ]
        );
        let text = render(&s, Lang::En, "7d");
        assert!(text.contains("3 opened, 2 closed"), "{text}");
        assert!(text.contains("median 4m, p90 2d (3 tickets)"), "{text}");
        assert!(text.contains("3.5 / 5 (2 ratings)"), "{text}");
        assert!(text.contains("the bot resolved 55% (6)"), "{text}");
        let zh = render(&s, Lang::Zh, "7d");
        assert!(zh.contains("新建 3 个，关闭 2 个"), "{zh}");
    }

    #[test]
    fn guard_fallbacks_are_counted_per_market_inside_the_window() {
        let now = 10 * 86_400;
        let guarded = |at: u64, count: u64, markets: &[&str]| MessageEvent {
            count,
            guarded_markets: markets.iter().map(|m| m.to_string()).collect(),
            ..event(at, "position", None, None)
        };
        let events = vec![
            guarded(now - 8 * 86_400, 1, &["old"]), // outside the week
            guarded(now - 10, 2, &["aave-v3-base"]),
            guarded(now - 20, 1, &["aave-v3-ethereum", "aave-v3-base"]),
            event(now - 30, "position", None, None),
        ];
        let s = compute(&[], &events, now, 7 * 86_400);
        assert_eq!(
            s.guarded,
            vec![
                ("aave-v3-base".to_string(), 3),
                ("aave-v3-ethereum".to_string(), 1)
            ]
        );
        let text = render(&s, Lang::En, "7d");
        assert!(
            text.contains("Guard: 4 answers showed the protocol's own figures")
                && text.contains("aave-v3-base 3, aave-v3-ethereum 1"),
            "{text}"
        );
        assert!(render(&s, Lang::Zh, "7d").contains("4 次回答"));
        let quiet = compute(&[], &events[3..], now, 7 * 86_400);
        assert!(quiet.guarded.is_empty());
        assert!(render(&quiet, Lang::En, "7d").contains("every position answer agreed"));
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_duration(45, Lang::En), "45s");
        assert_eq!(human_duration(240, Lang::En), "4m");
        assert_eq!(human_duration(7_500, Lang::En), "2h 5m");
        assert_eq!(human_duration(7_200, Lang::En), "2h");
        assert_eq!(
            human_duration(3 * 86_400 + 4 * 3_600 + 59, Lang::En),
            "3d 4h"
        );
        assert_eq!(human_duration(7_500, Lang::Zh), "2小时5分钟");
        assert_eq!(human_duration(0, Lang::Zh), "0秒");
    }
}
