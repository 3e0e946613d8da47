//! What the arguments of `/alerts` say (on/off, two levels, quiet hours, a snooze) and how
//! levels, hours and zones are shown back. Pure functions; `alerts` applies what they read.

use super::commands::on_off;
use crate::store::QuietHours;

/// The lowest critical level: under 1.00 a position is liquidatable already.
const MIN_CRITICAL: u32 = 10_000;
/// The highest level.
const MAX_LEVEL: u32 = 100_000;
/// Echoed user input is cut to this many characters.
const ECHO_CHARS: usize = 24;

const QUIET_WORDS: &[&str] = &["quiet", "night", "免打扰", "安静", "静音"];
const SNOOZE_WORDS: &[&str] = &["snooze", "pause", "暂停"];

/// Why two health factors cannot be the alert levels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelError {
    /// Not a number (the input, cut).
    #[error("not a health factor: {0}")]
    NotANumber(String),
    /// More than two decimals.
    #[error("more than 2 decimals: {0}")]
    TooManyDecimals(String),
    /// Not exactly two numbers (how many).
    #[error("{0} levels, not 2")]
    Count(usize),
    /// The critical level is under 1.00.
    #[error("critical level under 1.00")]
    CriticalBelowOne,
    /// A level is over 10.
    #[error("level over 10")]
    AboveTen,
    /// Both levels are the same.
    #[error("equal levels")]
    Equal,
}

/// Why an `/alerts` argument was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertsArgError {
    /// Not a setting at all.
    #[error("unknown /alerts argument")]
    Unknown,
    /// Levels that cannot be used.
    #[error(transparent)]
    Levels(#[from] LevelError),
    /// Quiet hours that do not parse (or start where they end).
    #[error("quiet hours not understood")]
    Quiet,
    /// A snooze other than 1 h, 24 h or off.
    #[error("snooze not understood")]
    Snooze,
}

/// A snooze asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Snooze {
    /// For this many seconds from now.
    For(u64),
    /// None any more.
    Off,
}

/// What `/alerts …` (or a settings button) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AlertsCommand {
    /// The state, with buttons.
    Show,
    /// Alerts for linked addresses on or off.
    Switch(bool),
    /// New levels (× 10,000), which also turn alerts on.
    Levels { warning: u32, critical: u32 },
    /// Quiet hours set, or removed.
    Quiet(Option<QuietHours>),
    /// A snooze.
    Snooze(Snooze),
}

/// The words of an argument: split at spaces and commas (of either width).
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | '/'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// User input quoted back in an answer, cut short.
pub(super) fn echo(text: &str) -> String {
    text.chars().take(ECHO_CHARS).collect()
}

/// A health factor with at most two decimals as × 10,000: "1.25" → 12,500.
fn parse_level(word: &str) -> Result<u32, LevelError> {
    let not_a_number = || LevelError::NotANumber(echo(word));
    let (int, frac) = word.split_once('.').unwrap_or((word, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(not_a_number());
    }
    if frac.len() > 2 {
        return Err(LevelError::TooManyDecimals(echo(word)));
    }
    let int = int.trim_start_matches('0');
    if int.len() > 3 {
        return Err(LevelError::AboveTen);
    }
    let int: u32 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| not_a_number())?
    };
    let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| not_a_number())?;
    Ok(int * 10_000 + frac * 100)
}

/// Two levels in either order: (warning, critical), × 10,000.
fn parse_levels(words: &[&str]) -> Result<(u32, u32), LevelError> {
    let levels = words
        .iter()
        .map(|w| parse_level(w))
        .collect::<Result<Vec<u32>, _>>()?;
    let [a, b] = levels[..] else {
        return Err(LevelError::Count(levels.len()));
    };
    let (warning, critical) = (a.max(b), a.min(b));
    if warning == critical {
        Err(LevelError::Equal)
    } else if critical < MIN_CRITICAL {
        Err(LevelError::CriticalBelowOne)
    } else if warning > MAX_LEVEL {
        Err(LevelError::AboveTen)
    } else {
        Ok((warning, critical))
    }
}

/// "23:00", "7", "07:30" as minutes after midnight ("24:00" is midnight).
fn parse_clock(text: &str) -> Option<u16> {
    if !text.chars().all(|c| c.is_ascii_digit() || c == ':') {
        return None;
    }
    let (h, m) = text.split_once(':').unwrap_or((text, "0"));
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    ((h < 24 && m < 60) || (h == 24 && m == 0)).then_some((h * 60 + m) % 1_440)
}

/// "+8", "-5", "+5:30", "+0530" (after "UTC") as minutes east of UTC; "" is UTC.
fn parse_zone(text: &str) -> Option<i16> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if text.is_empty() {
        return Some(0);
    }
    let (sign, body) = match (text.strip_prefix('+'), text.strip_prefix('-')) {
        (Some(body), _) => (1, body),
        (_, Some(body)) => (-1, body),
        _ => return None,
    };
    if !body.chars().all(|c| c.is_ascii_digit() || c == ':') {
        return None;
    }
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h, m),
        None if body.len() == 4 => body.split_at(2),
        None => (body, "0"),
    };
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let (h, m): (i16, i16) = (h.parse().ok()?, m.parse().ok()?);
    let minutes = h * 60 + m;
    (m < 60 && minutes <= 14 * 60).then_some(sign * minutes)
}

/// "23:00-07:00 utc+8" (lowercase) as quiet hours; "off" removes them.
fn parse_quiet(text: &str) -> Result<Option<QuietHours>, AlertsArgError> {
    let text = text.trim();
    if on_off(text) == Some(false) || text == "none" {
        return Ok(None);
    }
    let text: String = text
        .chars()
        .map(|c| match c {
            '：' => ':',
            '＋' => '+',
            '－' | '–' | '—' | '−' | '~' | '～' | '到' | '至' => '-',
            c => c,
        })
        .collect();
    let (times, zone) = match text.find("utc").or_else(|| text.find("gmt")) {
        Some(i) => (&text[..i], &text[i + 3..]),
        None => (text.as_str(), ""),
    };
    let times: String = times.chars().filter(|c| !c.is_whitespace()).collect();
    let quiet = times.split_once('-').and_then(|(from, to)| {
        Some(QuietHours {
            from: parse_clock(from)?,
            to: parse_clock(to)?,
            utc_offset: parse_zone(zone)?,
        })
    });
    match quiet {
        Some(q) if q.from != q.to => Ok(Some(q)),
        _ => Err(AlertsArgError::Quiet),
    }
}

/// "1h", "24h", "off".
fn parse_snooze(text: &str) -> Result<Snooze, AlertsArgError> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    match text.as_str() {
        "1h" | "1" | "60m" | "60min" | "1hour" | "1小时" | "一小时" => Ok(Snooze::For(3_600)),
        "24h" | "24" | "1d" | "1day" | "24hours" | "24小时" | "1天" | "一天" => {
            Ok(Snooze::For(86_400))
        }
        other if on_off(other) == Some(false) => Ok(Snooze::Off),
        _ => Err(AlertsArgError::Snooze),
    }
}

/// What `/alerts <arg>` asks for.
pub(super) fn parse_alerts(arg: Option<&str>) -> Result<AlertsCommand, AlertsArgError> {
    let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(AlertsCommand::Show);
    };
    let lower = arg.to_lowercase();
    let (head, rest) = lower
        .split_once(char::is_whitespace)
        .unwrap_or((&lower, ""));
    let rest = rest.trim();
    if let (Some(on), "") = (on_off(head), rest) {
        return Ok(AlertsCommand::Switch(on));
    }
    if QUIET_WORDS.contains(&head) {
        return parse_quiet(rest).map(AlertsCommand::Quiet);
    }
    if SNOOZE_WORDS.contains(&head) {
        return parse_snooze(rest).map(AlertsCommand::Snooze);
    }
    if head.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        let (warning, critical) = parse_levels(&words(&lower))?;
        return Ok(AlertsCommand::Levels { warning, critical });
    }
    Err(AlertsArgError::Unknown)
}

/// A level as shown: 13,000 → "1.30".
pub(super) fn shown_level(bps: u32) -> String {
    if bps.is_multiple_of(100) {
        format!("{}.{:02}", bps / 10_000, (bps % 10_000) / 100)
    } else {
        format!("{}.{:04}", bps / 10_000, bps % 10_000)
    }
}

/// Minutes after midnight as "07:30".
pub(super) fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Minutes east of UTC as "UTC", "UTC+8", "UTC+5:30", "UTC-5".
fn zone(offset: i16) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let (h, m) = (offset.unsigned_abs() / 60, offset.unsigned_abs() % 60);
    match (offset, m) {
        (0, _) => "UTC".into(),
        (_, 0) => format!("UTC{sign}{h}"),
        _ => format!("UTC{sign}{h}:{m:02}"),
    }
}

/// Quiet hours as "23:00–07:00 UTC+8".
pub(super) fn shown_quiet(q: &QuietHours) -> String {
    format!("{}–{} {}", clock(q.from), clock(q.to), zone(q.utc_offset))
}

/// Unix seconds as "15:03 UTC".
pub(super) fn utc_clock(secs: u64) -> String {
    clock(((secs % 86_400) / 60) as u16) + " UTC"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_take_two_health_factors_in_either_order_with_two_decimals_at_most() {
        assert_eq!(parse_levels(&["1.5", "1.2"]), Ok((15_000, 12_000)));
        assert_eq!(parse_levels(&["1.2", "1.5"]), Ok((15_000, 12_000)));
        assert_eq!(parse_levels(&["2", "1.05"]), Ok((20_000, 10_500)));
        assert_eq!(parse_levels(&["10", "1"]), Ok((100_000, 10_000)));
        assert_eq!(
            parse_levels(&["1.3", "0.9"]),
            Err(LevelError::CriticalBelowOne)
        );
        assert_eq!(
            parse_levels(&["1.255", "1.1"]),
            Err(LevelError::TooManyDecimals("1.255".into()))
        );
        assert_eq!(
            parse_levels(&["abc", "1.1"]),
            Err(LevelError::NotANumber("abc".into()))
        );
        assert_eq!(
            parse_levels(&["1.2.3", "1.1"]),
            Err(LevelError::NotANumber("1.2.3".into()))
        );
        assert_eq!(parse_levels(&["1.5"]), Err(LevelError::Count(1)));
        assert_eq!(
            parse_levels(&["1.5", "1.3", "1.2"]),
            Err(LevelError::Count(3))
        );
        assert_eq!(parse_levels(&["1.2", "1.20"]), Err(LevelError::Equal));
        assert_eq!(parse_levels(&["11", "1.2"]), Err(LevelError::AboveTen));
        assert_eq!(
            parse_levels(&["99999999999", "1.2"]),
            Err(LevelError::AboveTen)
        );
        assert_eq!(shown_level(15_000), "1.50");
        assert_eq!(shown_level(12_345), "1.2345");
    }

    #[test]
    fn quiet_hours_read_times_and_a_zone() {
        let q = |text: &str| parse_quiet(&text.to_lowercase());
        let hours = |from, to, utc_offset| {
            Ok(Some(QuietHours {
                from,
                to,
                utc_offset,
            }))
        };
        assert_eq!(q("23:00-07:00 UTC+8"), hours(1_380, 420, 480));
        assert_eq!(q("22:30 - 6:00 utc-5"), hours(1_350, 360, -300));
        assert_eq!(q("23-7 UTC+5:30"), hours(1_380, 420, 330));
        assert_eq!(q("23:00-07:00 GMT+0530"), hours(1_380, 420, 330));
        assert_eq!(q("12:00-13:00"), hours(720, 780, 0));
        assert_eq!(q("23：00到07：00 UTC+8"), hours(1_380, 420, 480));
        assert_eq!(q("off"), Ok(None));
        assert_eq!(q("关"), Ok(None));
        for bad in [
            "",
            "23:00",
            "25:00-07:00",
            "23:00-07:00 UTC+15",
            "7:00-7:00",
            "night",
            "23:00-07:00 utc8",
        ] {
            assert_eq!(q(bad), Err(AlertsArgError::Quiet), "{bad}");
        }
        assert_eq!(zone(480), "UTC+8");
        assert_eq!(zone(-570), "UTC-9:30");
        assert_eq!(
            shown_quiet(&QuietHours {
                from: 1_380,
                to: 420,
                utc_offset: 0
            }),
            "23:00–07:00 UTC"
        );
    }

    #[test]
    fn alerts_arguments_are_told_apart() {
        let p = |t: &str| parse_alerts(Some(t));
        assert_eq!(parse_alerts(None), Ok(AlertsCommand::Show));
        assert_eq!(p("  "), Ok(AlertsCommand::Show));
        assert_eq!(p("ON"), Ok(AlertsCommand::Switch(true)));
        assert_eq!(p("开"), Ok(AlertsCommand::Switch(true)));
        assert_eq!(p("关闭"), Ok(AlertsCommand::Switch(false)));
        assert_eq!(
            p("1.5, 1.2"),
            Ok(AlertsCommand::Levels {
                warning: 15_000,
                critical: 12_000
            })
        );
        assert_eq!(
            p("snooze 1h"),
            Ok(AlertsCommand::Snooze(Snooze::For(3_600)))
        );
        assert_eq!(
            p("暂停 24小时"),
            Ok(AlertsCommand::Snooze(Snooze::For(86_400)))
        );
        assert_eq!(p("snooze off"), Ok(AlertsCommand::Snooze(Snooze::Off)));
        assert_eq!(p("snooze 2h"), Err(AlertsArgError::Snooze));
        assert_eq!(p("quiet off"), Ok(AlertsCommand::Quiet(None)));
        assert_eq!(p("please"), Err(AlertsArgError::Unknown));
        assert_eq!(p("on now"), Err(AlertsArgError::Unknown));
        assert_eq!(p("0.9"), Err(AlertsArgError::Levels(LevelError::Count(1))));
    }
}
