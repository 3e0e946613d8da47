//! Live positions: reading an address on the configured markets and turning the reads into an
//! answer (the wording is `position_answer`'s): the position answer, the what-if and asset
//! buttons under it, the FAQ's personal line, and the one-line summary for staff.

use std::time::Duration;

use alloy::primitives::Address;
use tokio::time::Instant;

use super::intent::{PositionFocus, WhatIf};
use super::outcome::{Button, ChatKind, Incoming, Intent, Outcome, Reply};
use super::position_answer::{self, summary_line};
use super::{Desk, GUARD_SOURCE, texts};
use crate::chain::error::ChainError;
use crate::chain::markets::{Lookup, Markets, Reader};
use crate::chain::position::Position;
use crate::chain::report;
use crate::lang::Lang;
use crate::store::UserRecord;

/// What a position answer is asked for: its focus, a what-if, and the answer's one deadline.
pub(super) struct PositionAsk<'a> {
    pub focus: PositionFocus,
    pub what_if: Option<&'a WhatIf>,
    /// When the reads of this answer give up (the market's symbols included).
    pub until: Instant,
}

/// How long a FAQ answer waits for the user's own health factor before going out without it.
const PERSONAL_LINE_BUDGET: Duration = Duration::from_millis(300);

/// The addresses a position answer reads: those `named` in the message, else the ones it
/// carries and the user's linked ones; none in a group without one named there (never show
/// someone's linked position in a group). None: the answer asks for an address.
pub(super) fn addresses_to_read(
    named: &[Address],
    record: &UserRecord,
    msg: &Incoming,
) -> Vec<Address> {
    if !named.is_empty() {
        return named.to_vec();
    }
    if msg.chat == ChatKind::Group {
        return Vec::new();
    }
    let mut addresses: Vec<Address> = msg.addresses.clone();
    addresses.extend(record.links.iter().map(|l| l.address));
    addresses.dedup();
    addresses
}

/// Up to three addresses read at once on `readers` (every market when `None`) until `until`:
/// an answer has one deadline, however many addresses and markets it shows.
async fn read_positions(
    markets: &Markets,
    readers: Option<&[Reader<'_>]>,
    addresses: &[Address],
    until: Instant,
) -> Vec<(Address, Lookup)> {
    let shown = &addresses[..addresses.len().min(3)];
    let reads = futures::future::join_all(
        shown
            .iter()
            .map(|a| markets.lookup_until(readers, *a, until)),
    )
    .await;
    shown.iter().copied().zip(reads).collect()
}

/// The positions an answer shows for one address: every market where it has a position,
/// worst health first; where it has none, the first market's empty position (one market
/// configured: today's "no supply and no debt on …"). `Err` when no market could be read.
fn shown_positions(lookup: &Lookup) -> Result<Vec<&Position>, &ChainError> {
    if lookup.all_failed() {
        return Err(lookup
            .failures()
            .map(|(_, e)| e)
            .next()
            .expect("all failed: at least one failure"));
    }
    let held: Vec<&Position> = lookup.positions().map(|(_, p)| p).collect();
    if !held.is_empty() {
        return Ok(held);
    }
    Ok(lookup
        .reads
        .iter()
        .filter_map(|r| r.position())
        .take(1)
        .collect())
}

/// The line under an answer naming the markets that could not be read, when some answered.
fn unread_markets(lookup: &Lookup, lang: Lang) -> Option<Reply> {
    let failed: Vec<&str> = lookup
        .failures()
        .map(|(r, e)| {
            tracing::warn!(market = %r.market, error = %e, "market read failed");
            r.market.as_str()
        })
        .collect();
    (!failed.is_empty()).then(|| Reply::text(texts::markets_unavailable(lang, &failed)))
}

/// An answer's sources for one position: where and at which block it was read, and the
/// guard's mark when lendesk's recomputation disagreed with the protocol there.
fn position_sources(
    position: &Position,
    address: Address,
    report: &report::RiskReport,
) -> Vec<String> {
    let read = format!(
        "chain:{}:{}@{}",
        position.market,
        address.to_checksum(None),
        position.block_number
    );
    let guard =
        (!report.agrees_with_protocol).then(|| format!("{GUARD_SOURCE}{}", position.market));
    std::iter::once(read).chain(guard).collect()
}

/// The answer when the node cannot be read (logged for the operator, sanitised by the chain).
/// `user` when the answer is for a known user (an asset button carries only the address).
fn chain_failed(user: Option<i64>, error: &ChainError, lang: Lang) -> Outcome {
    tracing::warn!(user = ?user, error = %error, "position read failed");
    Outcome::new(
        Intent::Error,
        lang,
        Reply::text(texts::chain_unavailable(lang)),
    )
}

impl Desk {
    /// Every market's reserve symbols, read until the answer's deadline `until`.
    pub(super) async fn symbols(&self, until: Instant) -> Vec<String> {
        self.chain.symbols_until(until).await
    }

    /// The markets a button names: every market without a tag, the tagged one with it, or
    /// `Err` with the answer when that market is no longer configured.
    async fn button_markets(
        &self,
        tag: Option<&str>,
        lang: Lang,
    ) -> Result<Option<Vec<Reader<'_>>>, Outcome> {
        match tag {
            None => Ok(None),
            Some(tag) => match self.chain.by_tag(tag).await {
                Some(reader) => Ok(Some(vec![reader])),
                None => Err(Outcome::new(
                    Intent::Error,
                    lang,
                    Reply::text(texts::market_gone(lang)),
                )),
            },
        }
    }

    /// The per-asset detail behind a position answer's asset button: on the market the button
    /// names (`tag`), or for older buttons the first market, worst health first, where the
    /// address holds or owes the asset.
    pub(super) async fn asset_detail(
        &self,
        address: &str,
        symbol: &str,
        lang: Lang,
        tag: Option<&str>,
    ) -> Outcome {
        if self.chain.is_empty() {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::no_market(lang)));
        }
        let readers = match self.button_markets(tag, lang).await {
            Ok(readers) => readers,
            Err(out) => return out,
        };
        let address = match crate::chain::parse_address(address) {
            Ok(a) => a,
            Err(e) => {
                return Outcome::new(
                    Intent::Error,
                    lang,
                    Reply::text(texts::bad_address(lang, &e)),
                );
            }
        };
        let lookup = match &readers {
            Some(readers) => self.chain.lookup_on(readers, address).await,
            None => self.chain.lookup(address).await,
        };
        let positions = match shown_positions(&lookup) {
            Ok(positions) => positions,
            Err(e) => return chain_failed(None, e, lang),
        };
        let found = positions.iter().find_map(|position| {
            let report = report::assess(position, self.settings.target_health_factor);
            position_answer::render_asset(lang, position, &report, symbol)
                .map(|t| (position, report, t))
        });
        let Some((position, report, text)) = found else {
            return Outcome::new(
                Intent::Position,
                lang,
                Reply::text(texts::unknown_command(lang)),
            );
        };
        let mut out = Outcome::new(Intent::Position, lang, Reply::text(text));
        out.sources
            .extend(position_sources(position, address, &report));
        out
    }

    /// Discovers the market in the background at start, so that the first answers, and the
    /// FAQ's personal line with its short budget, need one round trip instead of discovery's
    /// four. A failure is only logged: the first lookup tries again.
    pub async fn warm_up(&self) {
        for (market, e) in self.chain.warm_up().await {
            tracing::warn!(%market, error = %e, "market discovery at start failed; retried on first use");
        }
    }

    /// One line about an address for staff: "HF 1.31 (risky) · collateral $12,000.00 · debt
    /// $8,400.00" (`format::usd` writes the dollar sign), read live on every market (several:
    /// one such part per market with a position, worst first, each naming its market); `None`
    /// without a market, on a read failure it says so.
    pub async fn position_summary(&self, address: Address, lang: Lang) -> Option<String> {
        if self.chain.is_empty() {
            return None;
        }
        let lookup = self.chain.lookup(address).await;
        if lookup.all_failed() {
            for (read, e) in lookup.failures() {
                tracing::warn!(market = %read.market, error = %e, "position read for staff failed");
            }
            return Some(texts::chain_unavailable(lang).to_string());
        }
        let several = self.chain.len() > 1;
        let mut parts: Vec<String> = lookup
            .positions()
            .map(|(read, position)| {
                let report = report::assess(position, self.settings.target_health_factor);
                let line = summary_line(lang, position, &report);
                if several {
                    format!("{}: {line}", read.market)
                } else {
                    line
                }
            })
            .collect();
        if parts.is_empty() {
            parts.push(lang.pick("no position", "无仓位").to_string());
        }
        let failed: Vec<&str> = lookup.failures().map(|(r, _)| r.market.as_str()).collect();
        if !failed.is_empty() {
            parts.push(texts::markets_unavailable_short(lang, &failed));
        }
        Some(parts.join(" | "))
    }

    /// "Your HF is 1.31 (risky…)": the user's own figure for FAQ answers, when cheap to get.
    pub(super) async fn live_line(
        &self,
        record: &UserRecord,
        lang: Lang,
        msg: &Incoming,
    ) -> Option<String> {
        if self.chain.is_empty() {
            return None;
        }
        let address = msg
            .addresses
            .first()
            .copied()
            .or_else(|| record.links.first().map(|l| l.address))?;
        // The FAQ answer does not wait for a slow node: the line joins only if it is ready.
        // A market not ready within the budget is left out; the others still count.
        let lookup = self
            .chain
            .lookup_within(address, PERSONAL_LINE_BUDGET)
            .await;
        // The worst market's figure, the one that matters first (named when there are several).
        let (read, position) = lookup.positions().next()?;
        let report = report::assess(position, self.settings.target_health_factor);
        let market = (self.chain.len() > 1).then_some(read.market.as_str());
        Some(position_answer::personal_line(lang, &report, market))
    }

    pub(super) async fn position(
        &self,
        record: &mut UserRecord,
        named: &[Address],
        lang: Lang,
        msg: &Incoming,
        ask: PositionAsk<'_>,
    ) -> Outcome {
        let PositionAsk {
            focus,
            what_if,
            until,
        } = ask;
        if self.chain.is_empty() {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::no_market(lang)));
        }
        let addresses = addresses_to_read(named, record, msg);
        if addresses.is_empty() {
            return Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_address(lang)),
            );
        }
        let mut replies = Vec::new();
        let mut sources = Vec::new();
        let several = self.chain.len() > 1;
        for (address, lookup) in read_positions(&self.chain, None, &addresses, until).await {
            let positions = match shown_positions(&lookup) {
                Ok(positions) => positions,
                Err(e) => return chain_failed(Some(record.id), e, lang),
            };
            for position in positions {
                let report = report::assess(position, self.settings.target_health_factor);
                let mut text = if several && position.is_empty() {
                    position_answer::render_nowhere(
                        lang,
                        address,
                        &lookup
                            .reads
                            .iter()
                            .filter(|r| r.position().is_some())
                            .map(|r| r.market.as_str())
                            .collect::<Vec<_>>(),
                    )
                } else {
                    position_answer::render(
                        lang,
                        position,
                        &report,
                        focus,
                        what_if,
                        self.settings.comfort_health_factor,
                    )
                };
                if msg.chat == ChatKind::Private
                    && let Some(link) = record.links.iter().find(|l| l.address == address)
                {
                    text.push_str("\n\n");
                    text.push_str(texts::ownership_line(lang, link.verified));
                }
                sources.extend(position_sources(position, address, &report));
                let checksummed = address.to_checksum(None);
                // Button data is at most 64 bytes: with several markets it names the
                // market by a 4-digit tag, which leaves 13 bytes for the symbol.
                let tag = several.then(|| Markets::tag(&position.market));
                let mut buttons: Vec<Vec<Button>> = position
                    .reserves
                    .iter()
                    .filter(|r| r.is_involved())
                    .filter(|r| r.symbol.len() <= if tag.is_some() { 13 } else { 15 })
                    .map(|r| Button {
                        label: format!("🔎 {}", r.symbol),
                        data: match &tag {
                            Some(tag) => format!("am:{tag}:{checksummed}:{}", r.symbol),
                            None => format!("asset:{checksummed}:{}", r.symbol),
                        },
                    })
                    .collect::<Vec<_>>()
                    .chunks(4)
                    .map(<[Button]>::to_vec)
                    .collect();
                if !report.totals.total_debt_base.is_zero() {
                    buttons.push(
                        [-1_000i64, -2_000, -3_000]
                            .iter()
                            .map(|bps| Button {
                                label: position_answer::what_if_label(lang, *bps),
                                data: match &tag {
                                    Some(tag) => format!("whatif:{bps}:{checksummed}@{tag}"),
                                    None => format!("whatif:{bps}:{checksummed}"),
                                },
                            })
                            .collect(),
                    );
                }
                replies.push(Reply::text(text).with_buttons(buttons));
            }
            replies.extend(unread_markets(&lookup, lang));
        }
        if !named.is_empty()
            && msg.chat == ChatKind::Private
            && !record.links.iter().any(|l| named.contains(&l.address))
        {
            replies.push(Reply::text(position_answer::link_tip(lang)));
        }
        Outcome {
            intent: Intent::Position,
            lang,
            replies,
            sources,
            ticket: None,
            actions: Vec::new(),
        }
    }

    /// A what-if button under a position answer: the scenario for the address, nothing more
    /// (the position is on the screen already). Older buttons carry no address: the linked
    /// ones.
    pub(super) async fn what_if(
        &self,
        record: &UserRecord,
        named: &[Address],
        lang: Lang,
        what_if: &WhatIf,
        market: Option<&str>,
    ) -> Outcome {
        if self.chain.is_empty() {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::no_market(lang)));
        }
        let readers = match self.button_markets(market, lang).await {
            Ok(readers) => readers,
            Err(out) => return out,
        };
        let addresses: Vec<Address> = match named {
            [] => record.links.iter().map(|l| l.address).collect(),
            named => named.to_vec(),
        };
        let mut out = Outcome::silent(Intent::Position, lang);
        for (address, lookup) in read_positions(
            &self.chain,
            readers.as_deref(),
            &addresses,
            self.chain.deadline_from_now(),
        )
        .await
        {
            let positions = match shown_positions(&lookup) {
                Ok(positions) => positions,
                Err(e) => return chain_failed(Some(record.id), e, lang),
            };
            for position in positions {
                let report = report::assess(position, self.settings.target_health_factor);
                out.replies
                    .push(Reply::text(position_answer::render_what_if(
                        lang, position, &report, what_if,
                    )));
                out.sources
                    .extend(position_sources(position, address, &report));
            }
            out.replies.extend(unread_markets(&lookup, lang));
        }
        if out.replies.is_empty() {
            return Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_address(lang)),
            );
        }
        out
    }
}
