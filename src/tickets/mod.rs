//! Tickets: what the bot hands to people. Escalation reasons and priorities, the lifecycle
//! (open → in progress → closed, reopen), first-response SLA and satisfaction ratings.
//!
//! Text given to this service must already be redacted; it stores what it is given.

use serde::Serialize;

use crate::lang::Lang;
use crate::store::{Store, StoreError, TicketRecord, TicketStatus};

/// Why the bot hands a conversation to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// The user asked for a person.
    AskedForPerson,
    /// Funds lost or stolen.
    LostOrStolenFunds,
    /// The wallet is hacked or drained.
    HackedWallet,
    /// Funds sent to a wrong address or network.
    WrongAddress,
    /// A withdrawal failed or is stuck after the usual checks.
    FailedWithdrawal,
    /// A suspected bug or exploit.
    BugOrExploit,
    /// A complaint.
    Complaint,
    /// The same question keeps coming without a resolution.
    Unresolved,
}

/// How fast a person must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Money at risk right now.
    Urgent,
    /// Money stuck or a likely bug.
    High,
    /// Everything else.
    Normal,
}

impl Priority {
    /// Stored name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Urgent => "urgent",
            Self::High => "high",
            Self::Normal => "normal",
        }
    }

    /// Parses a stored name.
    pub fn from_code(code: &str) -> Self {
        match code {
            "urgent" => Self::Urgent,
            "high" => Self::High,
            _ => Self::Normal,
        }
    }
}

impl EscalationReason {
    /// Stored name.
    pub fn code(self) -> &'static str {
        match self {
            Self::AskedForPerson => "asked_for_person",
            Self::LostOrStolenFunds => "lost_or_stolen_funds",
            Self::HackedWallet => "hacked_wallet",
            Self::WrongAddress => "wrong_address",
            Self::FailedWithdrawal => "failed_withdrawal",
            Self::BugOrExploit => "bug_or_exploit",
            Self::Complaint => "complaint",
            Self::Unresolved => "unresolved",
        }
    }

    /// The priority a reason gets.
    pub fn priority(self) -> Priority {
        match self {
            Self::LostOrStolenFunds | Self::HackedWallet | Self::BugOrExploit => Priority::Urgent,
            Self::WrongAddress | Self::FailedWithdrawal => Priority::High,
            Self::AskedForPerson | Self::Complaint | Self::Unresolved => Priority::Normal,
        }
    }
}

/// First-response targets in minutes, per priority, and the business hours they apply in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaConfig {
    /// Urgent tickets.
    pub urgent_minutes: u64,
    /// High-priority tickets.
    pub high_minutes: u64,
    /// Normal tickets.
    pub normal_minutes: u64,
    /// Business hours, local time, "HH:MM-HH:MM".
    pub business_hours: String,
    /// Business days, ISO numbers (1 = Monday … 7 = Sunday).
    pub business_days: Vec<u8>,
    /// The business hours' time zone as an offset from UTC in minutes (480 = UTC+8).
    pub utc_offset_minutes: i32,
}

impl Default for SlaConfig {
    fn default() -> Self {
        Self {
            urgent_minutes: 15,
            high_minutes: 60,
            normal_minutes: 240,
            business_hours: "09:00-18:00".into(),
            business_days: vec![1, 2, 3, 4, 5],
            utc_offset_minutes: 0,
        }
    }
}

/// A time of the week in the business hours' zone.
fn local_minute_of_week(now: u64, offset_minutes: i32) -> (u8, u32) {
    let local = now as i64 + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let minute = (local.rem_euclid(86_400) / 60) as u32;
    // 1970-01-01 was a Thursday (ISO 4).
    let weekday = ((days + 3).rem_euclid(7) + 1) as u8;
    (weekday, minute)
}

/// Days since 1970-01-01 as "YYYY-MM-DD" (proleptic Gregorian).
fn civil_date(days: i64) -> String {
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn parse_hhmm(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl SlaConfig {
    /// Checks the business hours setting; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        self.hours()?;
        if self.business_days.iter().any(|d| !(1..=7).contains(d)) {
            return Err("business_days are 1 (Monday) to 7 (Sunday)".into());
        }
        if self.utc_offset_minutes.abs() > 14 * 60 {
            return Err("utc_offset_minutes must be within ±840".into());
        }
        Ok(())
    }

    fn hours(&self) -> Result<(u32, u32), String> {
        let bad = || {
            format!(
                "business_hours {:?} is not \"HH:MM-HH:MM\"",
                self.business_hours
            )
        };
        let (open, close) = self.business_hours.split_once('-').ok_or_else(bad)?;
        let (open, close) = (
            parse_hhmm(open).ok_or_else(bad)?,
            parse_hhmm(close).ok_or_else(bad)?,
        );
        if open >= close {
            return Err(bad());
        }
        Ok((open, close))
    }

    /// True when `now` (unix seconds) is inside business hours.
    pub fn in_business_hours(&self, now: u64) -> bool {
        let Ok((open, close)) = self.hours() else {
            return true;
        };
        let (day, minute) = local_minute_of_week(now, self.utc_offset_minutes);
        self.business_days.contains(&day) && (open..close).contains(&minute)
    }

    /// When business hours next begin at or after `now` (unix seconds); `now` itself inside
    /// them. `None` when no day is a business day.
    pub fn next_business_start(&self, now: u64) -> Option<u64> {
        if self.in_business_hours(now) {
            return Some(now);
        }
        let (open, _) = self.hours().ok()?;
        let (_, minute) = local_minute_of_week(now, self.utc_offset_minutes);
        let midnight = now - u64::from(minute) * 60 - now % 60;
        (0..=7u64)
            .map(|d| midnight + d * 86_400 + u64::from(open) * 60)
            .find(|t| *t > now && self.in_business_hours(*t))
    }

    /// The first-response target for a priority, in minutes.
    pub fn minutes(&self, priority: Priority) -> u64 {
        match priority {
            Priority::Urgent => self.urgent_minutes,
            Priority::High => self.high_minutes,
            Priority::Normal => self.normal_minutes,
        }
    }
}

/// Ticket failures.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such ticket.
    #[error("ticket #{0} does not exist")]
    NotFound(u64),
    /// The transition is not allowed from the current status.
    #[error("ticket #{id} is {status:?}; cannot {action}")]
    BadTransition {
        /// Ticket.
        id: u64,
        /// Current status.
        status: TicketStatus,
        /// What was attempted.
        action: &'static str,
    },
    /// A rating outside 1–5.
    #[error("a rating is 1 to 5 stars, not {0}")]
    BadRating(u8),
}

/// The ticket service.
#[derive(Debug, Clone)]
pub struct Tickets {
    store: Store,
    sla: SlaConfig,
}

impl Tickets {
    /// A service over `store`.
    pub fn new(store: Store, sla: SlaConfig) -> Self {
        Self { store, sla }
    }

    /// The SLA in force.
    pub fn sla(&self) -> &SlaConfig {
        &self.sla
    }

    /// Opens a ticket, or returns the user's ticket that is still open (`false` = not new); an
    /// open ticket is raised to the higher priority of the two.
    pub async fn open(
        &self,
        user: i64,
        reason: EscalationReason,
        lang: Lang,
        summary: &str,
        now: u64,
    ) -> Result<(TicketRecord, bool), TicketError> {
        if let Some(existing) = self.open_for(user).await? {
            if reason.priority() < Priority::from_code(&existing.priority) {
                let raised = self
                    .update(existing.id, |t| {
                        if reason.priority() < Priority::from_code(&t.priority) {
                            t.priority = reason.priority().code().to_string();
                        }
                        Ok(())
                    })
                    .await?;
                return Ok((raised, false));
            }
            return Ok((existing, false));
        }
        let ticket = TicketRecord {
            id: self.store.next_ticket_id().await?,
            user,
            status: TicketStatus::Open,
            reason: reason.code().to_string(),
            priority: reason.priority().code().to_string(),
            lang,
            created_at: now,
            first_response_at: None,
            closed_at: None,
            assignee: None,
            summary: summary.chars().take(1_000).collect(),
            rating: None,
            comment: None,
            overdue_flagged_at: None,
        };
        self.store.save_ticket(&ticket).await?;
        Ok((ticket, true))
    }

    /// The user's ticket that is not closed, if any.
    pub async fn open_for(&self, user: i64) -> Result<Option<TicketRecord>, TicketError> {
        Ok(self
            .store
            .tickets_of(user)
            .await?
            .into_iter()
            .rev()
            .find(|t| t.status != TicketStatus::Closed))
    }

    /// Every ticket of a user, newest first.
    pub async fn of_user(&self, user: i64) -> Result<Vec<TicketRecord>, TicketError> {
        let mut all = self.store.tickets_of(user).await?;
        all.reverse();
        Ok(all)
    }

    async fn update(
        &self,
        id: u64,
        change: impl FnMut(&mut TicketRecord) -> Result<(), TicketError>,
    ) -> Result<TicketRecord, TicketError> {
        self.store
            .update_ticket(id, change)
            .await?
            .ok_or(TicketError::NotFound(id))
    }

    /// A staff member answered: records the first response and moves the ticket in progress.
    pub async fn respond(
        &self,
        id: u64,
        staff: i64,
        now: u64,
    ) -> Result<TicketRecord, TicketError> {
        self.update(id, |t| {
            if t.status == TicketStatus::Closed {
                return Err(TicketError::BadTransition {
                    id,
                    status: t.status,
                    action: "respond",
                });
            }
            t.first_response_at.get_or_insert(now);
            t.assignee.get_or_insert(staff);
            t.status = TicketStatus::InProgress;
            Ok(())
        })
        .await
    }

    /// Assigns a staff member.
    pub async fn assign(&self, id: u64, staff: i64) -> Result<TicketRecord, TicketError> {
        self.update(id, |t| {
            t.assignee = Some(staff);
            Ok(())
        })
        .await
    }

    /// Closes a ticket.
    pub async fn close(&self, id: u64, now: u64) -> Result<TicketRecord, TicketError> {
        self.update(id, |t| {
            if t.status == TicketStatus::Closed {
                return Err(TicketError::BadTransition {
                    id,
                    status: t.status,
                    action: "close",
                });
            }
            t.status = TicketStatus::Closed;
            t.closed_at = Some(now);
            Ok(())
        })
        .await
    }

    /// Reopens a closed ticket.
    pub async fn reopen(&self, id: u64) -> Result<TicketRecord, TicketError> {
        self.update(id, |t| {
            if t.status != TicketStatus::Closed {
                return Err(TicketError::BadTransition {
                    id,
                    status: t.status,
                    action: "reopen",
                });
            }
            t.status = TicketStatus::Open;
            t.closed_at = None;
            t.rating = None;
            Ok(())
        })
        .await
    }

    /// Records the user's 1–5 rating (and optional comment) on a closed ticket.
    pub async fn rate(
        &self,
        id: u64,
        stars: u8,
        comment: Option<&str>,
    ) -> Result<TicketRecord, TicketError> {
        if !(1..=5).contains(&stars) {
            return Err(TicketError::BadRating(stars));
        }
        self.update(id, |t| {
            if t.status != TicketStatus::Closed {
                return Err(TicketError::BadTransition {
                    id,
                    status: t.status,
                    action: "rate",
                });
            }
            t.rating = Some(stars);
            if let Some(c) = comment {
                t.comment = Some(c.chars().take(1_000).collect());
            }
            Ok(())
        })
        .await
    }

    /// Minutes within which a person will answer this ticket.
    pub fn response_minutes(&self, ticket: &TicketRecord) -> u64 {
        self.sla.minutes(Priority::from_code(&ticket.priority))
    }

    /// When a person must have answered a ticket: the first-response target counted from its
    /// opening, or from the next opening of business hours when it came in outside them.
    pub fn due_at(&self, ticket: &TicketRecord) -> u64 {
        let start = self
            .sla
            .next_business_start(ticket.created_at)
            .unwrap_or(ticket.created_at);
        start + self.response_minutes(ticket) * 60
    }

    /// Open tickets past their first-response target at `now`.
    pub async fn overdue(&self, now: u64) -> Result<Vec<TicketRecord>, TicketError> {
        Ok(self
            .store
            .tickets()
            .await?
            .into_iter()
            .filter(|t| self.is_overdue(t, now))
            .collect())
    }

    /// Whether `ticket` is open and past its first-response target at `now`.
    pub fn is_overdue(&self, ticket: &TicketRecord, now: u64) -> bool {
        ticket.status == TicketStatus::Open
            && ticket.first_response_at.is_none()
            && now > self.due_at(ticket)
    }

    /// For a ticket opened outside business hours, the auto-reply that tells the user when a
    /// person will answer, in the ticket's language; `None` inside business hours.
    pub fn out_of_hours_notice(&self, ticket: &TicketRecord, now: u64) -> Option<String> {
        if self.sla.in_business_hours(now) {
            return None;
        }
        let due = self.due_at(ticket);
        let offset = self.sla.utc_offset_minutes;
        let zone = if offset == 0 {
            "UTC".to_string()
        } else {
            format!(
                "UTC{}{}{}",
                if offset < 0 { '-' } else { '+' },
                offset.abs() / 60,
                if offset % 60 == 0 {
                    String::new()
                } else {
                    format!(":{:02}", offset.abs() % 60)
                }
            )
        };
        let local = due as i64 + i64::from(offset) * 60;
        let (day, minute) = local_minute_of_week(due, offset);
        let date = civil_date(local.div_euclid(86_400));
        let time = format!("{:02}:{:02}", minute / 60, minute % 60);
        Some(match ticket.lang {
            Lang::En => {
                let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                    [usize::from(day.clamp(1, 7) - 1)];
                format!(
                    "Our team is outside business hours right now ({} {zone}). Your ticket #{} is saved; a person will answer by **{weekday} {date} {time} {zone}**. If your position is at risk, the /position answer and its suggestions are live right now.",
                    self.sla.business_hours, ticket.id
                )
            }
            Lang::Zh => {
                let weekday = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
                    [usize::from(day.clamp(1, 7) - 1)];
                format!(
                    "现在是非工作时间（{} {zone}）。你的工单 #{} 已保存，客服将在 **{date}（{weekday}）{time} {zone}** 之前回复。如果仓位有风险，/position 的实时数据和建议现在就可以使用。",
                    self.sla.business_hours, ticket.id
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> (tempfile::TempDir, Tickets) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, Tickets::new(store, SlaConfig::default()))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_at_the_same_time_from_two_services_are_all_kept() {
        // The desk and the staff desk each hold a `Tickets` over the same store: one rates,
        // the other reopens, from different chats at once. No change may overwrite another.
        let (_dir, t) = service();
        let (ticket, _) = t
            .open(7, EscalationReason::AskedForPerson, Lang::En, "help", 100)
            .await
            .unwrap();
        let other = Tickets::new(t.store.clone(), SlaConfig::default());
        let threads: Vec<_> = [t.clone(), other]
            .into_iter()
            .enumerate()
            .map(|(n, service)| {
                tokio::spawn(async move {
                    for i in 0..200u64 {
                        service
                            .update(ticket.id, |r| {
                                // Each writer appends its mark: a lost update loses a mark.
                                // (Not hex digits: 64 of them in a row would be redacted as a key.)
                                let mut c = r.comment.take().unwrap_or_default();
                                c.push(if n == 0 { 'x' } else { 'y' });
                                r.comment = Some(c);
                                r.assignee = Some(i as i64);
                                Ok(())
                            })
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for th in threads {
            th.await.unwrap();
        }
        let done = t.store.ticket(ticket.id).await.unwrap().unwrap();
        let comment = done.comment.unwrap_or_default();
        assert_eq!(comment.matches('x').count(), 200);
        assert_eq!(comment.matches('y').count(), 200);
    }

    #[tokio::test]
    async fn a_ticket_lives_open_in_progress_closed_rated_and_reopens() {
        let (_dir, t) = service();
        let (ticket, new) = t
            .open(7, EscalationReason::AskedForPerson, Lang::En, "help", 100)
            .await
            .unwrap();
        assert!(new);
        assert_eq!(ticket.priority, "normal");
        let (again, new) = t
            .open(
                7,
                EscalationReason::LostOrStolenFunds,
                Lang::En,
                "stolen",
                110,
            )
            .await
            .unwrap();
        assert!(!new);
        assert_eq!(again.id, ticket.id);
        assert_eq!(
            again.priority, "urgent",
            "a worse reason raises the open ticket's priority"
        );
        assert!(
            t.rate(ticket.id, 5, None).await.is_err(),
            "only closed tickets are rated"
        );
        let r = t.respond(ticket.id, 99, 200).await.unwrap();
        assert_eq!(
            (r.status, r.first_response_at, r.assignee),
            (TicketStatus::InProgress, Some(200), Some(99))
        );
        t.close(ticket.id, 300).await.unwrap();
        assert!(matches!(
            t.rate(ticket.id, 6, None).await,
            Err(TicketError::BadRating(6))
        ));
        let rated = t.rate(ticket.id, 4, Some("quick, thanks")).await.unwrap();
        assert_eq!(rated.rating, Some(4));
        assert!(t.open_for(7).await.unwrap().is_none());
        assert_eq!(
            t.reopen(ticket.id).await.unwrap().status,
            TicketStatus::Open
        );
    }

    #[test]
    fn business_hours_follow_the_zone_and_the_week() {
        let sla = SlaConfig {
            utc_offset_minutes: 480,
            ..SlaConfig::default()
        };
        // 2026-11-23 is a Monday. 02:00 UTC = 10:00 in UTC+8: open.
        let monday_0200_utc = 1_795_392_000 + 2 * 3600;
        assert!(sla.in_business_hours(monday_0200_utc));
        // 11:00 UTC = 19:00 UTC+8: closed; next opening is Tuesday 09:00 UTC+8 = 01:00 UTC.
        let evening = 1_795_392_000 + 11 * 3600;
        assert!(!sla.in_business_hours(evening));
        assert_eq!(
            sla.next_business_start(evening),
            Some(1_795_392_000 + 86_400 + 3600)
        );
        // Saturday noon UTC+8 is closed; Monday 09:00 opens.
        let saturday = 1_795_392_000 - 2 * 86_400 + 4 * 3600;
        assert!(!sla.in_business_hours(saturday));
        assert_eq!(
            sla.next_business_start(saturday),
            Some(1_795_392_000 + 3600)
        );
        assert!(
            SlaConfig {
                business_hours: "18:00-09:00".into(),
                ..SlaConfig::default()
            }
            .validate()
            .is_err()
        );
    }

    #[tokio::test]
    async fn overdue_means_unanswered_past_the_priority_target() {
        let (_dir, t) = service();
        // Monday 2026-11-23 10:00 UTC: inside the default business hours.
        let t0 = 1_795_392_000 + 10 * 3600;
        let (urgent, _) = t
            .open(1, EscalationReason::HackedWallet, Lang::Zh, "hacked", t0)
            .await
            .unwrap();
        let (normal, _) = t
            .open(2, EscalationReason::Complaint, Lang::En, "slow", t0)
            .await
            .unwrap();
        let late: Vec<u64> = t
            .overdue(t0 + 16 * 60)
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect();
        assert_eq!(late, vec![urgent.id]);
        t.respond(urgent.id, 5, t0 + 17 * 60).await.unwrap();
        assert!(
            t.overdue(t0 + 241 * 60)
                .await
                .unwrap()
                .iter()
                .all(|x| x.id == normal.id)
        );
    }
}
