//! The user's side of the liquidation-risk alerts: `/alerts` (the state, on/off, levels, quiet
//! hours, snooze), `/watch` and `/unwatch`, and the `alert:` buttons (under an alert and under
//! `/alerts`). It changes the settings the watcher (`crate::alerts`) reads and raises the
//! subscriptions flag; it watches nothing itself and never touches the alert states.

use alloy::primitives::Address;

use super::Desk;
use super::alert_args::{
    AlertsArgError, AlertsCommand, Snooze, clock, echo, parse_alerts, shown_level, shown_quiet,
    utc_clock,
};
use super::intent::PositionFocus;
use super::outcome::{Button, ChatKind, Incoming, Intent, Outcome, Reply};
use super::position::PositionAsk;
use super::texts::{self, AlertButton};
use crate::chain::format::short_address;
use crate::lang::Lang;
use crate::store::{AlertSettings, LastAlert, NoticeKind, Severity, StoreError, UserRecord};
use crate::tickets::EscalationReason;

/// The most addresses one user may `/watch`.
const MAX_WATCHED: usize = 20;
/// The snoozes a button may ask for, in seconds (1 h, 24 h).
const SNOOZES: [u64; 2] = [3_600, 86_400];
/// Per-address buttons under `/alerts` (Telegram allows 100 buttons; the text lists them all).
const ADDRESS_BUTTONS: usize = 24;
/// How far back `alert:human` looks for the liquidation it is about.
const LIQUIDATION_LOOKBACK_SECS: u64 = 7 * 86_400;

fn button(label: String, data: String) -> Button {
    Button { label, data }
}

fn stop_data(address: Address) -> String {
    format!("alert:stop:{}", address.to_checksum(None))
}

fn resume_data(address: Address) -> String {
    format!("alert:resume:{}", address.to_checksum(None))
}

/// True when the user has no address alerts could be about.
fn nothing_to_watch(record: &UserRecord, settings: &AlertSettings) -> bool {
    record.links.is_empty() && settings.watched.is_empty()
}

/// True when alerts come for `address`.
fn alerting(record: &UserRecord, settings: &AlertSettings, address: Address) -> bool {
    settings.watched.contains(&address)
        || (settings.enabled
            && !settings.muted.contains(&address)
            && record.links.iter().any(|l| l.address == address))
}

/// A storage failure, logged and answered politely.
fn or_failed(user: i64, lang: Lang, result: Result<Outcome, StoreError>) -> Outcome {
    result.unwrap_or_else(|e| {
        tracing::error!(user, error = %e, "cannot read or save alert settings");
        Outcome::new(Intent::Error, lang, Reply::text(texts::alerts_failed(lang)))
    })
}

fn said(lang: Lang, text: impl Into<String>) -> Outcome {
    Outcome::new(Intent::Command, lang, Reply::text(text))
}

fn refused(lang: Lang, text: impl Into<String>) -> Outcome {
    Outcome::new(Intent::Error, lang, Reply::text(text))
}

/// An address from a command or a button, or the answer that says what is wrong with it.
fn address_of(text: &str, lang: Lang) -> Result<Address, Outcome> {
    crate::chain::parse_address(text).map_err(|e| match e {
        crate::chain::AddressError::Shortened(_) => Outcome::new(
            Intent::Clarify,
            lang,
            Reply::text(texts::need_full_address(lang, &echo(text))),
        ),
        e => refused(lang, texts::bad_address(lang, &e)),
    })
}

impl Desk {
    /// The user's alert settings: as saved, or new ones (off, at the configured levels).
    async fn alert_settings_of(&self, user: i64) -> Result<AlertSettings, StoreError> {
        Ok(self.store.alert_settings(user).await?.unwrap_or_else(|| {
            let defaults = &self.settings.alerts;
            AlertSettings::new(user, defaults.warning, defaults.critical)
        }))
    }

    /// Saves the settings (flushed: the user is told) and has the watcher reload them.
    async fn keep_alert_settings(&self, settings: &AlertSettings) -> Result<(), StoreError> {
        self.store.save_alert_settings(settings).await?;
        self.subscriptions.raise();
        Ok(())
    }

    /// `/alerts [on|off|W C|quiet …|snooze …]`.
    pub(super) async fn alerts(
        &self,
        record: &UserRecord,
        arg: Option<&str>,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        if msg.chat == ChatKind::Group {
            return said(lang, texts::alerts_private_only(lang));
        }
        let command = match parse_alerts(arg) {
            Ok(command) => command,
            Err(AlertsArgError::Unknown) => return said(lang, texts::alerts_unknown(lang)),
            Err(AlertsArgError::Levels(e)) => {
                return refused(lang, texts::alerts_bad_levels(lang, &e));
            }
            Err(AlertsArgError::Quiet) => return refused(lang, texts::alerts_bad_quiet(lang)),
            Err(AlertsArgError::Snooze) => return refused(lang, texts::alerts_bad_snooze(lang)),
        };
        or_failed(
            record.id,
            lang,
            self.apply_alerts(record, command, lang, msg.now).await,
        )
    }

    async fn apply_alerts(
        &self,
        record: &UserRecord,
        command: AlertsCommand,
        lang: Lang,
        now: u64,
    ) -> Result<Outcome, StoreError> {
        let mut s = self.alert_settings_of(record.id).await?;
        let defaults = self.settings.alerts;
        let mut text = match command {
            AlertsCommand::Show => return Ok(self.alerts_overview(record, &s, lang, now).await),
            AlertsCommand::Switch(true) => {
                // The levels the user chose stay: turning alerts off and on is not a reset.
                s.enabled = true;
                self.keep_alert_settings(&s).await?;
                let own = (s.warning, s.critical) != (defaults.warning, defaults.critical);
                let back = format!(
                    "{} {}",
                    shown_level(defaults.warning),
                    shown_level(defaults.critical)
                );
                texts::alerts_on(
                    lang,
                    &shown_level(s.warning),
                    &shown_level(s.critical),
                    own,
                    &back,
                )
            }
            AlertsCommand::Switch(false) => {
                s.enabled = false;
                self.keep_alert_settings(&s).await?;
                texts::alerts_off(lang, s.watched.len())
            }
            AlertsCommand::Levels { warning, critical } => {
                (s.warning, s.critical, s.enabled) = (warning, critical, true);
                self.keep_alert_settings(&s).await?;
                texts::alerts_levels_set(lang, &shown_level(warning), &shown_level(critical))
            }
            AlertsCommand::Quiet(Some(q)) => {
                s.quiet = Some(q);
                self.keep_alert_settings(&s).await?;
                texts::alerts_quiet_set(lang, &shown_quiet(&q), &clock(q.to))
            }
            AlertsCommand::Quiet(None) => {
                let had = s.quiet.take().is_some();
                if had {
                    self.keep_alert_settings(&s).await?;
                }
                texts::alerts_quiet_off(lang, had).to_string()
            }
            AlertsCommand::Snooze(Snooze::For(secs)) => {
                s.snooze_until = now.saturating_add(secs);
                self.keep_alert_settings(&s).await?;
                let tomorrow = s.snooze_until / 86_400 > now / 86_400;
                texts::alerts_snooze_set(lang, &utc_clock(s.snooze_until), tomorrow)
            }
            AlertsCommand::Snooze(Snooze::Off) => {
                let was = s.snooze_until > now;
                if s.snooze_until != 0 {
                    s.snooze_until = 0;
                    self.keep_alert_settings(&s).await?;
                }
                texts::alerts_snooze_off(lang, was).to_string()
            }
        };
        if matches!(
            command,
            AlertsCommand::Switch(true) | AlertsCommand::Levels { .. }
        ) && nothing_to_watch(record, &s)
        {
            text.push_str("\n\n");
            text.push_str(texts::alerts_no_address(lang));
        }
        Ok(said(lang, text))
    }

    /// `/alerts`: the state of every address, the snooze, quiet hours and the last alert,
    /// with buttons.
    async fn alerts_overview(
        &self,
        record: &UserRecord,
        s: &AlertSettings,
        lang: Lang,
        now: u64,
    ) -> Outcome {
        let mut lines = vec![texts::alerts_state(
            lang,
            s.enabled,
            &shown_level(s.warning),
            &shown_level(s.critical),
        )];
        if !record.links.is_empty() {
            lines.push(String::new());
            lines.push(texts::alerts_linked_heading(lang).into());
            lines.extend(record.links.iter().map(|l| {
                texts::alerts_linked_line(
                    lang,
                    &l.address.to_checksum(None),
                    s.enabled,
                    s.muted.contains(&l.address),
                )
            }));
        }
        if !s.watched.is_empty() {
            lines.push(String::new());
            lines.push(texts::alerts_watched_heading(lang).into());
            lines.extend(
                s.watched
                    .iter()
                    .map(|a| format!("- {}", a.to_checksum(None))),
            );
        }
        if nothing_to_watch(record, s) {
            lines.push(String::new());
            lines.push(texts::alerts_no_address(lang).into());
        }
        let mut notes = Vec::new();
        if s.snooze_until > now {
            let left = texts::alert_span(lang, s.snooze_until - now);
            notes.push(texts::alerts_snoozed(
                lang,
                &utc_clock(s.snooze_until),
                &left,
            ));
        }
        if let Some(q) = &s.quiet {
            notes.push(texts::alerts_quiet(lang, &shown_quiet(q)));
        }
        if let Some((address, market, last)) = self.last_alert(record, s).await {
            notes.push(texts::alerts_last(
                lang,
                last.severity == Severity::Critical,
                &short_address(address),
                &market,
                &last.health_factor,
                &texts::alert_span(lang, now.saturating_sub(last.at)),
            ));
        }
        if !notes.is_empty() {
            lines.push(String::new());
            lines.extend(notes);
        }
        lines.push(String::new());
        lines.push(texts::alerts_usage(lang).into());
        let text = lines.join("\n");
        Outcome::new(
            Intent::Command,
            lang,
            Reply::text(text).with_buttons(overview_buttons(record, s, lang, now)),
        )
    }

    /// The latest alert about one of the user's addresses, on a configured market.
    async fn last_alert(
        &self,
        record: &UserRecord,
        s: &AlertSettings,
    ) -> Option<(Address, String, LastAlert)> {
        let mut addresses: Vec<Address> = record.links.iter().map(|l| l.address).collect();
        addresses.extend(s.watched.iter().copied());
        addresses.sort();
        addresses.dedup();
        let mut latest: Option<(Address, String, LastAlert)> = None;
        for reader in self.chain.readers() {
            let market = &reader.market().name;
            for &address in &addresses {
                let last = match self.store.alert_mark(record.id, market, address).await {
                    Ok(mark) => mark.and_then(|m| m.last_alert),
                    Err(e) => {
                        tracing::warn!(user = record.id, error = %e, "cannot read an alert state");
                        None
                    }
                };
                if let Some(last) = last
                    && latest.as_ref().is_none_or(|(_, _, l)| last.at > l.at)
                {
                    latest = Some((address, market.clone(), last));
                }
            }
        }
        latest
    }

    /// `/watch [0x…]`: watches an address without linking it; alone, lists the watched ones.
    pub(super) async fn watch(
        &self,
        record: &UserRecord,
        arg: Option<&str>,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        if msg.chat == ChatKind::Group {
            return said(lang, texts::alerts_private_only(lang));
        }
        let Some(arg) = arg else {
            return or_failed(record.id, lang, self.watch_list(record.id, lang).await);
        };
        match address_of(arg, lang) {
            Ok(address) => or_failed(
                record.id,
                lang,
                self.watch_address(record.id, address, lang).await,
            ),
            Err(out) => out,
        }
    }

    async fn watch_list(&self, user: i64, lang: Lang) -> Result<Outcome, StoreError> {
        let s = self.alert_settings_of(user).await?;
        if s.watched.is_empty() {
            return Ok(said(lang, texts::watch_usage(lang)));
        }
        let mut lines = vec![texts::alerts_watched_heading(lang).to_string()];
        lines.extend(
            s.watched
                .iter()
                .map(|a| format!("- {}", a.to_checksum(None))),
        );
        lines.push(String::new());
        lines.push(texts::watch_list_footer(lang).into());
        Ok(said(lang, lines.join("\n")))
    }

    async fn watch_address(
        &self,
        user: i64,
        address: Address,
        lang: Lang,
    ) -> Result<Outcome, StoreError> {
        let mut s = self.alert_settings_of(user).await?;
        let shown = address.to_checksum(None);
        if s.watched.contains(&address) {
            return Ok(said(lang, texts::already_watching(lang, &shown)));
        }
        if s.watched.len() >= MAX_WATCHED {
            return Ok(refused(lang, texts::watch_full(lang, MAX_WATCHED)));
        }
        s.watched.push(address);
        self.keep_alert_settings(&s).await?;
        Ok(said(
            lang,
            texts::watching(
                lang,
                &shown,
                &shown_level(s.warning),
                &shown_level(s.critical),
            ),
        ))
    }

    /// `/unwatch 0x…`.
    pub(super) async fn unwatch(
        &self,
        record: &UserRecord,
        arg: Option<&str>,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        if msg.chat == ChatKind::Group {
            return said(lang, texts::alerts_private_only(lang));
        }
        let Some(arg) = arg else {
            return said(lang, texts::unwatch_usage(lang));
        };
        let address = match address_of(arg, lang) {
            Ok(address) => address,
            Err(out) => return out,
        };
        or_failed(
            record.id,
            lang,
            self.unwatch_address(record.id, address, lang).await,
        )
    }

    async fn unwatch_address(
        &self,
        user: i64,
        address: Address,
        lang: Lang,
    ) -> Result<Outcome, StoreError> {
        let mut s = self.alert_settings_of(user).await?;
        let before = s.watched.len();
        s.watched.retain(|a| *a != address);
        let found = s.watched.len() != before;
        if found {
            self.keep_alert_settings(&s).await?;
        }
        Ok(said(
            lang,
            texts::unwatched(lang, &address.to_checksum(None), found),
        ))
    }

    /// An `alert:` button (`rest` is what follows the prefix).
    pub(super) async fn alert_press(
        &self,
        record: &mut UserRecord,
        rest: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let (kind, value) = rest.split_once(':').unwrap_or((rest, ""));
        let command = match kind {
            "on" => AlertsCommand::Switch(true),
            "off" => AlertsCommand::Switch(false),
            "unsnooze" => AlertsCommand::Snooze(Snooze::Off),
            "snooze" => match value.parse::<u64>() {
                Ok(secs) if SNOOZES.contains(&secs) => AlertsCommand::Snooze(Snooze::For(secs)),
                _ => return said(lang, texts::unknown_command(lang)),
            },
            "human" => {
                let summary = match self.last_liquidation(record.id, msg.now).await {
                    Some(which) => {
                        format!("[pressed: talk to a person, under a liquidation notice {which}]")
                    }
                    None => "[pressed: talk to a person, under a liquidation notice]".into(),
                };
                return self
                    .escalate(
                        record,
                        EscalationReason::AskedForPerson,
                        lang,
                        &summary,
                        msg.now,
                    )
                    .await;
            }
            "pos" | "plan" | "stop" | "resume" => {
                let address = match address_of(value, lang) {
                    Ok(address) => address,
                    Err(out) => return out,
                };
                return match kind {
                    "stop" => or_failed(
                        record.id,
                        lang,
                        self.stop_alerts(record, address, lang).await,
                    ),
                    "resume" => or_failed(
                        record.id,
                        lang,
                        self.resume_alerts(record, address, lang).await,
                    ),
                    _ => {
                        let focus = if kind == "plan" {
                            PositionFocus::Repay
                        } else {
                            PositionFocus::Overview
                        };
                        let ask = PositionAsk {
                            focus,
                            what_if: None,
                            until: self.chain.deadline_from_now(),
                        };
                        self.position(record, &[address], lang, msg, ask).await
                    }
                };
            }
            _ => return said(lang, texts::unknown_command(lang)),
        };
        // A settings button: changed like the /alerts command.
        or_failed(
            record.id,
            lang,
            self.apply_alerts(record, command, lang, msg.now).await,
        )
    }

    /// The stop button: a linked address is muted, a watched one no longer watched.
    async fn stop_alerts(
        &self,
        record: &UserRecord,
        address: Address,
        lang: Lang,
    ) -> Result<Outcome, StoreError> {
        let mut s = self.alert_settings_of(record.id).await?;
        let shown = address.to_checksum(None);
        if !alerting(record, &s, address) {
            return Ok(said(lang, texts::alert_not_watched(lang, &shown)));
        }
        s.watched.retain(|a| *a != address);
        if record.links.iter().any(|l| l.address == address) && !s.muted.contains(&address) {
            s.muted.push(address);
        }
        self.keep_alert_settings(&s).await?;
        let undo = vec![vec![button(
            texts::alert_button(lang, AlertButton::Resume, &short_address(address)),
            resume_data(address),
        )]];
        Ok(Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::alert_stopped(lang, &shown)).with_buttons(undo),
        ))
    }

    /// The resume button: a linked address is unmuted, another one watched again.
    async fn resume_alerts(
        &self,
        record: &UserRecord,
        address: Address,
        lang: Lang,
    ) -> Result<Outcome, StoreError> {
        let mut s = self.alert_settings_of(record.id).await?;
        let shown = address.to_checksum(None);
        if alerting(record, &s, address) {
            return Ok(said(lang, texts::alert_already_on(lang, &shown)));
        }
        if record.links.iter().any(|l| l.address == address) {
            let before = s.muted.len();
            s.muted.retain(|a| *a != address);
            if s.muted.len() != before {
                self.keep_alert_settings(&s).await?;
            }
            // Still silent while alerts for linked addresses are off: say so.
            return Ok(said(lang, texts::alert_resumed(lang, &shown, !s.enabled)));
        }
        if s.watched.len() >= MAX_WATCHED {
            return Ok(refused(lang, texts::watch_full(lang, MAX_WATCHED)));
        }
        s.watched.push(address);
        self.keep_alert_settings(&s).await?;
        Ok(said(lang, texts::alert_resumed(lang, &shown, false)))
    }

    /// The user's latest liquidation notice for the ticket's summary: when it went out, and
    /// its transaction, shortened.
    async fn last_liquidation(&self, user: i64, now: u64) -> Option<String> {
        let sent = match self
            .store
            .alerts_sent_since(now.saturating_sub(LIQUIDATION_LOOKBACK_SECS))
            .await
        {
            Ok(sent) => sent,
            Err(e) => {
                tracing::warn!(user, error = %e, "cannot read the alerts sent");
                return None;
            }
        };
        // Liquidation keys are "user:liq:block:log index" (`alerts::liquidation_key`).
        let notice = sent
            .into_iter()
            .rev()
            .find(|a| a.user == user && a.kind == NoticeKind::Liquidation)?;
        let minutes = now.saturating_sub(notice.at) / 60;
        let block = notice
            .key
            .split(':')
            .nth(2)
            .and_then(|b| b.parse::<u64>().ok());
        Some(match block {
            Some(block) => format!("sent {minutes} min before; liquidation at block {block}"),
            None => format!("sent {minutes} min before"),
        })
    }
}

/// The buttons under `/alerts`: on/off, the snooze, and stop or resume per address.
fn overview_buttons(
    record: &UserRecord,
    s: &AlertSettings,
    lang: Lang,
    now: u64,
) -> Vec<Vec<Button>> {
    let label = |which| texts::alert_button(lang, which, "");
    let mut rows = vec![vec![if s.enabled {
        button(label(AlertButton::TurnOff), "alert:off".into())
    } else {
        button(label(AlertButton::TurnOn), "alert:on".into())
    }]];
    let mut addresses: Vec<Address> = Vec::new();
    if s.enabled {
        addresses.extend(record.links.iter().map(|l| l.address));
    }
    addresses.extend(s.watched.iter().copied());
    let mut seen = std::collections::HashSet::new();
    addresses.retain(|a| seen.insert(*a));
    if addresses.iter().any(|&a| alerting(record, s, a)) {
        rows.push(if s.snooze_until > now {
            vec![button(
                label(AlertButton::Unsnooze),
                "alert:unsnooze".into(),
            )]
        } else {
            vec![
                button(label(AlertButton::Snooze1h), "alert:snooze:3600".into()),
                button(label(AlertButton::Snooze24h), "alert:snooze:86400".into()),
            ]
        });
    }
    rows.extend(addresses.into_iter().take(ADDRESS_BUTTONS).map(|a| {
        let short = short_address(a);
        vec![if alerting(record, s, a) {
            button(
                texts::alert_button(lang, AlertButton::Stop, &short),
                stop_data(a),
            )
        } else {
            button(
                texts::alert_button(lang, AlertButton::Resume, &short),
                resume_data(a),
            )
        }]
    }));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_fit_telegrams_64_bytes() {
        let address = Address::repeat_byte(0xab);
        assert!(stop_data(address).len() <= 64);
        assert!(resume_data(address).len() <= 64);
    }
}
