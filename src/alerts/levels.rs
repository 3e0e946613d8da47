//! When a health factor alerts: one alert per downward crossing of each level, re-armed only
//! once the health factor is back above the level plus a margin (hysteresis), the state once
//! when a watch starts under a level, and which alerts wait for a snooze or quiet hours to
//! end. Pure functions; the watcher keeps the state ([`Arming`]) in the store.

use alloy::primitives::U256;

use crate::store::{AlertSettings, Arming, QuietHours, Severity};

/// A level's health factor × 10,000 as a wad (13,000 → 1.3e18).
pub fn wad_of(bps: u32) -> U256 {
    U256::from(bps) * U256::from(100_000_000_000_000u64)
}

/// The levels a user's position is judged against, in wad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    /// Warning level.
    pub warning: U256,
    /// Critical level.
    pub critical: U256,
    /// How far above a level the health factor must come back before it alerts again.
    pub margin: U256,
}

impl Levels {
    /// The user's levels with the configured margin (× 10,000).
    pub fn of(settings: &AlertSettings, margin_bps: u32) -> Self {
        Self {
            warning: wad_of(settings.warning),
            critical: wad_of(settings.critical),
            margin: wad_of(margin_bps),
        }
    }
}

/// What one evaluation of a watched position calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing to say.
    Quiet,
    /// The position fell under a level.
    Alert(Severity),
    /// The first evaluation of a new watch found it under a level: its state, once.
    State(Severity),
}

/// The severity of `hf` against `levels`, if it is under one.
pub fn under(levels: &Levels, hf: U256) -> Option<Severity> {
    if hf < levels.critical {
        Some(Severity::Critical)
    } else if hf < levels.warning {
        Some(Severity::Warning)
    } else {
        None
    }
}

/// Advances `arming` by one evaluation at health factor `hf`.
///
/// A level re-arms once `hf` ≥ level + margin; an armed level alerts (and disarms) once `hf` <
/// level. A fall through both levels at once is one critical alert, which disarms the warning
/// too. The first evaluation arms the levels `hf` is above and reports the state under the
/// others, so a watch that starts under a level says so once, not as an alert storm.
pub fn step(levels: &Levels, arming: &mut Arming, hf: U256) -> Step {
    if !arming.started {
        arming.started = true;
        arming.warning = hf >= levels.warning;
        arming.critical = hf >= levels.critical;
        return under(levels, hf).map_or(Step::Quiet, Step::State);
    }
    if hf >= levels.critical.saturating_add(levels.margin) {
        arming.critical = true;
    }
    if hf >= levels.warning.saturating_add(levels.margin) {
        arming.warning = true;
    }
    if arming.critical && hf < levels.critical {
        arming.critical = false;
        arming.warning = false;
        return Step::Alert(Severity::Critical);
    }
    if arming.warning && hf < levels.warning {
        arming.warning = false;
        return Step::Alert(Severity::Warning);
    }
    Step::Quiet
}

/// True when `now` (unix seconds) falls in the quiet hours.
pub fn in_quiet_hours(quiet: &QuietHours, now: u64) -> bool {
    let local = now as i64 + i64::from(quiet.utc_offset) * 60;
    let minute = (local.rem_euclid(86_400) / 60) as u16;
    if quiet.from <= quiet.to {
        (quiet.from..quiet.to).contains(&minute)
    } else {
        minute >= quiet.from || minute < quiet.to
    }
}

/// True when a notice of `severity` goes out now; false when it waits for the user's snooze or
/// quiet hours to end. Critical alerts never wait.
pub fn sends_now(settings: &AlertSettings, severity: Severity, now: u64) -> bool {
    severity == Severity::Critical
        || (now >= settings.snooze_until
            && !settings.quiet.is_some_and(|q| in_quiet_hours(&q, now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Levels {
        Levels {
            warning: wad_of(13_000),
            critical: wad_of(11_000),
            margin: wad_of(500),
        }
    }

    fn hf(x: f64) -> U256 {
        U256::from((x * 10_000.0).round() as u64) * U256::from(100_000_000_000_000u64)
    }

    /// The steps of a walk through `path` from a fresh watch.
    fn walk(path: &[f64]) -> Vec<Step> {
        let mut arming = Arming::default();
        path.iter()
            .map(|&x| step(&levels(), &mut arming, hf(x)))
            .collect()
    }

    use Severity::{Critical, Warning};
    use Step::{Alert, Quiet, State};

    #[test]
    fn one_alert_per_crossing_and_a_hovering_position_does_not_repeat() {
        assert_eq!(
            walk(&[1.5, 1.29, 1.31, 1.28, 1.34, 1.29, 1.36, 1.2]),
            [
                Quiet,
                Alert(Warning),
                Quiet,
                Quiet,
                Quiet,
                Quiet,
                Quiet,
                Alert(Warning)
            ]
        );
    }

    #[test]
    fn critical_follows_warning_and_a_fall_through_both_is_one_critical() {
        assert_eq!(
            walk(&[1.5, 1.25, 1.08, 1.05, 1.09]),
            [Quiet, Alert(Warning), Alert(Critical), Quiet, Quiet]
        );
        assert_eq!(walk(&[2.0, 1.0, 1.2]), [Quiet, Alert(Critical), Quiet]);
        // Back above critical + margin re-arms critical only; above warning + margin, both.
        assert_eq!(
            walk(&[2.0, 1.0, 1.16, 1.09, 1.4, 1.29]),
            [
                Quiet,
                Alert(Critical),
                Quiet,
                Alert(Critical),
                Quiet,
                Alert(Warning)
            ]
        );
    }

    #[test]
    fn a_watch_that_starts_under_a_level_states_it_once() {
        assert_eq!(walk(&[1.2, 1.2, 1.15]), [State(Warning), Quiet, Quiet]);
        assert_eq!(walk(&[1.05, 1.0]), [State(Critical), Quiet]);
        // Starting under warning keeps critical armed.
        assert_eq!(walk(&[1.2, 1.05]), [State(Warning), Alert(Critical)]);
        // No debt (HF = max) is never an alert.
        let mut arming = Arming::default();
        assert_eq!(step(&levels(), &mut arming, U256::MAX), Quiet);
    }

    fn settings() -> AlertSettings {
        AlertSettings {
            enabled: true,
            ..AlertSettings::new(1, 13_000, 11_000)
        }
    }

    #[test]
    fn snooze_and_quiet_hours_hold_back_warnings_not_critical_alerts() {
        let mut s = settings();
        assert!(sends_now(&s, Warning, 1_000));
        s.snooze_until = 2_000;
        assert!(!sends_now(&s, Warning, 1_000));
        assert!(sends_now(&s, Critical, 1_000));
        assert!(sends_now(&s, Warning, 2_000));
        // Quiet 23:00–07:00 at UTC+8: 16:00 UTC is midnight there.
        s.snooze_until = 0;
        s.quiet = Some(QuietHours {
            from: 23 * 60,
            to: 7 * 60,
            utc_offset: 8 * 60,
        });
        let day = 20 * 86_400;
        assert!(!sends_now(&s, Warning, day + 16 * 3_600));
        assert!(sends_now(&s, Critical, day + 16 * 3_600));
        // 23:30 UTC is 07:30 there: over.
        assert!(sends_now(&s, Warning, day + 23 * 3_600 + 1_800));
        // A window within one day.
        let noon = QuietHours {
            from: 12 * 60,
            to: 13 * 60,
            utc_offset: 0,
        };
        assert!(in_quiet_hours(&noon, day + 12 * 3_600 + 60));
        assert!(!in_quiet_hours(&noon, day + 13 * 3_600));
    }
}
