//! The desk: the transport-agnostic conversation core. An incoming message plus the user's
//! context become replies and effects. It never imports teloxide.
//!
//! Order of judgement for every message: secrets first (delete, warn, keep nothing), then
//! commands, escalations to people, live position questions, out-of-scope requests, small talk,
//! the knowledge base, and a "did you mean" when nothing is confident.

pub mod intent;
pub mod position_answer;
pub mod secrets;
pub mod texts;

use std::sync::{Arc, RwLock};

use alloy::primitives::{Address, U256};
use serde::Serialize;

use crate::chain::aave_v3::AaveV3Reader;
use crate::chain::report;
use crate::knowledge::KnowledgeBase;
use crate::lang::{self, Lang};
use crate::store::{HistoryEntry, Speaker, Store, UserRecord};
use crate::tickets::{EscalationReason, Tickets};
use intent::{PositionFocus, SmallTalk, WhatIf};

/// Messages longer than this are cut before processing (Telegram's own limit is 4096).
pub const MAX_PROCESSED_CHARS: usize = 4_096;

/// FAQ answers at or above this confidence are given as answers.
pub const CONFIDENT: f32 = 0.55;
/// Between this and [`CONFIDENT`] the desk asks "did you mean".
pub const UNSURE: f32 = 0.30;

/// Where a message was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChatKind {
    /// A one-to-one chat with the bot (or the console).
    #[default]
    Private,
    /// A group: positions are shown only when the message names an address itself.
    Group,
}

/// One message from a user.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Stable user id (Telegram id, or the console's).
    pub user: i64,
    /// The text as received.
    pub text: String,
    /// The client's language (Telegram `language_code`), a hint only.
    pub lang_hint: Option<Lang>,
    /// Private chat or group.
    pub chat: ChatKind,
    /// Addresses the adapter knows for this user beyond the linked ones (e.g. `ask --address`).
    pub addresses: Vec<Address>,
    /// The sender's @username, if the transport has one (kept for staff's user card).
    pub username: Option<String>,
    /// The sender's display name, if the transport has one.
    pub display_name: Option<String>,
    /// The message is media (photo, document, voice…) rather than text; `text` is its caption.
    pub media: bool,
    /// Unix seconds.
    pub now: u64,
}

/// What the desk decided a message was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Answered from the knowledge base.
    Faq,
    /// A live position answer.
    Position,
    /// Handed to people (a ticket).
    Escalate,
    /// A secret was pasted: deleted and warned.
    RefuseSecret,
    /// Greetings, thanks, out-of-scope requests.
    Smalltalk,
    /// Not confident: did you mean / offer a person.
    Clarify,
    /// A command or button.
    Command,
    /// Something failed (chain unreachable, bad address).
    Error,
}

/// Something the adapter must do besides sending replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Delete the user's message (it held a secret).
    DeleteMessage,
    /// A ticket was opened or updated: tell staff.
    NotifyStaff,
    /// The user has a ticket that is not closed: copy this message into its staff thread
    /// (`Outcome::ticket` names the ticket).
    RelayToStaff,
}

/// An inline button: a label and the data the adapter sends back to [`Desk::button`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Button {
    /// What the user sees.
    pub label: String,
    /// Callback data ("faq:<id>", "human", "whatif:-2000", "lang:zh").
    pub data: String,
}

/// One reply: light Markdown text (`**bold**`, `- ` bullets) and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Text.
    pub text: String,
    /// Button rows.
    pub buttons: Vec<Vec<Button>>,
}

impl Reply {
    fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            buttons: Vec::new(),
        }
    }

    fn with_buttons(mut self, rows: Vec<Vec<Button>>) -> Self {
        self.buttons = rows;
        self
    }
}

/// What the desk answers to one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The decision.
    pub intent: Intent,
    /// The language replied in.
    pub lang: Lang,
    /// Replies, in order.
    pub replies: Vec<Reply>,
    /// FAQ ids and chain reads the answer used.
    pub sources: Vec<String>,
    /// The ticket opened or updated.
    pub ticket: Option<u64>,
    /// Effects for the adapter.
    pub actions: Vec<Action>,
}

impl Outcome {
    fn new(intent: Intent, lang: Lang, reply: Reply) -> Self {
        Self {
            intent,
            lang,
            replies: vec![reply],
            sources: Vec::new(),
            ticket: None,
            actions: Vec::new(),
        }
    }

    /// All replies' text as the user sees it, blank-line separated.
    pub fn text(&self) -> String {
        self.replies
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// Desk settings.
#[derive(Debug, Clone)]
pub struct DeskSettings {
    /// Minimum HF for safe withdraw / borrow amounts (wad).
    pub target_health_factor: U256,
    /// HF recommended when advising how much to repay (wad).
    pub comfort_health_factor: U256,
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            target_health_factor: crate::chain::risk::DEFAULT_TARGET_HEALTH_FACTOR,
            comfort_health_factor: crate::chain::math::WAD * U256::from(3) / U256::from(2),
        }
    }
}

/// Failures the desk reports to the adapter (each user-visible one also has a reply).
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// FAQ topics whose answer gets the user's own figures in front when an address is linked.
const LIVE_TOPICS: &[&str] = &[
    "health-factor",
    "liquidation",
    "liquidation-price",
    "how-to-raise-hf",
    "why-hf-dropped",
    "safe-withdraw-borrow-explained",
    "close-factor",
    "reading-position-answer",
    "why-debt-grows",
];

/// The conversation core.
pub struct Desk {
    knowledge: RwLock<Arc<KnowledgeBase>>,
    chain: Option<AaveV3Reader>,
    tickets: Tickets,
    store: Store,
    settings: DeskSettings,
    /// Users seen since start, in front of the store: a message costs no read, and a change
    /// of `recent_topics` alone (a heuristic, fine to lose on restart) costs no write.
    users: std::sync::Mutex<std::collections::HashMap<i64, UserRecord>>,
    /// Each user's recent conversation (redacted), in memory; saved to the store when the
    /// user is handed to a person, so a message costs no write.
    conversations:
        std::sync::Mutex<std::collections::HashMap<i64, std::collections::VecDeque<HistoryEntry>>>,
}

/// Above this many cached users the cache starts over (records stay in the store).
const USER_CACHE_LIMIT: usize = 200_000;

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("chain", &self.chain.is_some())
            .finish_non_exhaustive()
    }
}

fn faq_button(kb: &KnowledgeBase, id: &str, lang: Lang) -> Option<Button> {
    kb.topic(id).map(|t| Button {
        label: t.text(lang).title.clone(),
        data: format!("faq:{id}"),
    })
}

/// The language choice offered on /start and /lang.
fn lang_buttons() -> Vec<Vec<Button>> {
    vec![vec![
        Button {
            label: "English".into(),
            data: "lang:en".into(),
        },
        Button {
            label: "中文".into(),
            data: "lang:zh".into(),
        },
    ]]
}

fn person_button(lang: Lang) -> Button {
    Button {
        label: texts::person_button(lang).into(),
        data: "human".into(),
    }
}

fn escalation_for_topic(id: &str) -> Option<EscalationReason> {
    Some(match id {
        "lost-stolen-funds" => EscalationReason::LostOrStolenFunds,
        "wallet-compromised" => EscalationReason::HackedWallet,
        "wrong-address" => EscalationReason::WrongAddress,
        "bug-or-exploit" => EscalationReason::BugOrExploit,
        "complaint" => EscalationReason::Complaint,
        "reach-a-person" => EscalationReason::AskedForPerson,
        _ => return None,
    })
}

fn truncate_chars(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    }
}

impl Desk {
    /// A desk over its services. `chain` is `None` when no market is configured.
    pub fn new(
        knowledge: KnowledgeBase,
        chain: Option<AaveV3Reader>,
        tickets: Tickets,
        store: Store,
        settings: DeskSettings,
    ) -> Self {
        Self {
            knowledge: RwLock::new(Arc::new(knowledge)),
            users: std::sync::Mutex::new(std::collections::HashMap::new()),
            conversations: std::sync::Mutex::new(std::collections::HashMap::new()),
            chain,
            tickets,
            store,
            settings,
        }
    }

    /// The current knowledge base.
    pub fn knowledge(&self) -> Arc<KnowledgeBase> {
        match self.knowledge.read() {
            Ok(kb) => kb.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the knowledge base (moderators' live edits).
    pub fn set_knowledge(&self, kb: KnowledgeBase) {
        let mut guard = match self.knowledge.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(kb);
    }

    /// The ticket service.
    pub fn tickets(&self) -> &Tickets {
        &self.tickets
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A user's recent conversation with the bot (redacted), oldest first: from memory, or as
    /// last saved when the user was handed to a person.
    pub fn conversation(&self, user: i64) -> Result<Vec<HistoryEntry>, DeskError> {
        let in_memory = match self.conversations.lock() {
            Ok(guard) => guard
                .get(&user)
                .map(|l| l.iter().cloned().collect::<Vec<_>>()),
            Err(poisoned) => poisoned
                .into_inner()
                .get(&user)
                .map(|l| l.iter().cloned().collect()),
        };
        match in_memory {
            Some(lines) => Ok(lines),
            None => Ok(self.store.history(user)?),
        }
    }

    fn cached_users(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, UserRecord>> {
        match self.users.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn load_user(&self, id: i64) -> Result<UserRecord, DeskError> {
        if let Some(record) = self.cached_users().get(&id) {
            return Ok(record.clone());
        }
        let record = self.store.user(id)?.unwrap_or_else(|| UserRecord::new(id));
        let mut users = self.cached_users();
        if users.len() >= USER_CACHE_LIMIT {
            users.clear();
        }
        users.insert(id, record.clone());
        Ok(record)
    }

    fn language(record: &UserRecord, text: &str, hint: Option<Lang>) -> Lang {
        record
            .lang
            .or_else(|| lang::detect(text))
            .or(hint)
            .unwrap_or_default()
    }

    /// Handles one message. Storage failures are logged and answered politely; they never
    /// lose the reply.
    pub async fn handle(&self, msg: Incoming) -> Outcome {
        let mut record = match self.load_user(msg.user) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(user = msg.user, error = %e, "cannot load user record");
                UserRecord::new(msg.user)
            }
        };
        let loaded = record.clone();
        let (text, cut) = truncate_chars(&msg.text, MAX_PROCESSED_CHARS);

        // 1. Secrets first: nothing of the message goes anywhere.
        if secrets::contains_secret(text) || (cut && secrets::contains_secret(&msg.text)) {
            let lang = Self::language(&record, "", msg.lang_hint).max_by_script(text);
            tracing::warn!(user = msg.user, "a secret was pasted; message discarded");
            let said = HistoryEntry::new(
                msg.now,
                Speaker::User,
                "[message removed: it contained a secret]",
            );
            let mut out = Outcome::new(
                Intent::RefuseSecret,
                lang,
                Reply::text(texts::secret_warning(lang)),
            );
            out.actions.push(Action::DeleteMessage);
            // "My funds were stolen, here is my key…": the theft still reaches a person, with
            // the secret cut out of everything the ticket keeps.
            let redacted = secrets::redact(&msg.text);
            if let Some(reason) = intent::escalation(&intent::fold(&redacted)) {
                let summary: String = redacted.chars().take(MAX_PROCESSED_CHARS).collect();
                let ticket = self.escalate(&record, reason, lang, &summary, msg.now);
                out.ticket = ticket.ticket;
                out.actions.extend(ticket.actions);
                out.replies.extend(ticket.replies);
            }
            self.finish(&loaded, &record, said, &out, msg.now);
            return out;
        }

        let lang = Self::language(&record, text, msg.lang_hint);
        // `text` passed the secret check above, so it is its own redaction from here on.
        let said = HistoryEntry::new(msg.now, Speaker::User, text);
        let mut out = if text.trim().is_empty() {
            Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::empty_message(lang)),
            )
        } else if text.trim_start().starts_with('/') {
            self.command(&mut record, text.trim(), lang, &msg).await
        } else {
            self.converse(&mut record, text, lang, &msg).await
        };
        if cut {
            out.replies.push(Reply::text(texts::trimmed(out.lang)));
        }
        self.finish(&loaded, &record, said, &out, msg.now);
        out
    }

    /// Handles a button press (`data` from a [`Button`]).
    pub async fn button(
        &self,
        user: i64,
        data: &str,
        lang_hint: Option<Lang>,
        now: u64,
    ) -> Outcome {
        let mut record = self
            .load_user(user)
            .unwrap_or_else(|_| UserRecord::new(user));
        let loaded = record.clone();
        let lang = Self::language(&record, "", lang_hint);
        let msg = Incoming {
            user,
            lang_hint,
            now,
            ..Default::default()
        };
        let out = if let Some(id) = data.strip_prefix("faq:") {
            self.faq_answer(&mut record, id, lang, &msg).await
        } else if data == "human" {
            self.escalate(
                &record,
                EscalationReason::AskedForPerson,
                lang,
                "[pressed: talk to a person]",
                now,
            )
        } else if let Some(code) = data.strip_prefix("lang:") {
            self.set_lang(&mut record, Some(code))
        } else if let Some(bps) = data
            .strip_prefix("whatif:")
            .and_then(|b| b.parse::<i64>().ok())
        {
            let w = WhatIf {
                symbol: None,
                change_bps: bps.clamp(-9_900, 9_900),
            };
            self.position(
                &mut record,
                &[],
                lang,
                &msg,
                PositionFocus::Liquidation,
                Some(&w),
            )
            .await
        } else {
            Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::unknown_command(lang)),
            )
        };
        let said = HistoryEntry::new(
            now,
            Speaker::User,
            &format!("[button {}]", secrets::redact(data)),
        );
        self.finish(&loaded, &record, said, &out, now);
        out
    }

    fn finish(
        &self,
        loaded: &UserRecord,
        record: &UserRecord,
        said: HistoryEntry,
        out: &Outcome,
        now: u64,
    ) {
        // Staff need the gist of what the bot said, not every figure: which FAQ answered, or
        // the first 200 characters of anything else.
        let reply: String = if out.intent == Intent::Faq {
            format!("[FAQ answer: {}]", out.sources.join(", "))
        } else {
            out.text().chars().take(200).collect()
        };
        let answered = HistoryEntry::new(now, Speaker::Bot, &reply);
        let conversation: Vec<HistoryEntry> = {
            let mut conversations = match self.conversations.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            if conversations.len() >= USER_CACHE_LIMIT && !conversations.contains_key(&record.id) {
                conversations.clear();
            }
            let lines = conversations.entry(record.id).or_default();
            lines.push_back(said);
            lines.push_back(answered);
            while lines.len() > crate::store::HISTORY_LIMIT {
                lines.pop_front();
            }
            // Only a hand-off to people needs the conversation on disk.
            if out.ticket.is_some() {
                lines.iter().cloned().collect()
            } else {
                Vec::new()
            }
        };
        if !conversation.is_empty()
            && let Err(e) = self.store.save_history(record.id, &conversation)
        {
            tracing::error!(user = record.id, error = %e, "cannot save conversation");
        }
        if record != loaded {
            // Language and links are acknowledged to the user: on disk before the reply.
            // Recent topics alone live in the cache until the next durable change.
            let durable = record.lang != loaded.lang || record.links != loaded.links;
            if durable && let Err(e) = self.store.save_user(record, true) {
                tracing::error!(user = record.id, error = %e, "cannot save user record");
            }
            let mut users = self.cached_users();
            if users.len() >= USER_CACHE_LIMIT && !users.contains_key(&record.id) {
                users.clear();
            }
            users.insert(record.id, record.clone());
        }
        tracing::info!(user = record.id, intent = ?out.intent, lang = out.lang.code(), ticket = ?out.ticket, "answered");
    }

    async fn converse(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let folded = intent::fold(text);
        if let Some(rest) = folded.strip_prefix("link ") {
            let address = rest.trim().to_string();
            return self.link(record, Some(&address), lang);
        }

        // Escalations: money at risk, an explicit ask for a person, a complaint.
        if let Some(reason) = intent::escalation(&folded) {
            return self.escalate(record, reason, lang, text, msg.now);
        }
        if intent::still_unresolved(&folded) && !record.recent_topics.is_empty() {
            return self.escalate(record, EscalationReason::Unresolved, lang, text, msg.now);
        }

        // Live position questions.
        let mentions = intent::addresses(text);
        let symbols: Vec<String> = self.symbols().await;
        let what_if = intent::what_if(&folded, &symbols);
        let focus = intent::position_focus(&folded, !mentions.valid.is_empty())
            .or(what_if.as_ref().map(|_| PositionFocus::Liquidation));
        let names_address = !mentions.valid.is_empty()
            || !mentions.shortened.is_empty()
            || !mentions.invalid.is_empty();
        if focus.is_some() || names_address {
            if mentions.valid.is_empty() {
                if let Some(short) = mentions.shortened.first() {
                    return Outcome::new(
                        Intent::Clarify,
                        lang,
                        Reply::text(texts::need_full_address(lang, short)),
                    );
                }
                if let Some((_, e)) = mentions.invalid.first() {
                    return Outcome::new(
                        Intent::Error,
                        lang,
                        Reply::text(texts::bad_address(lang, &e.to_string())),
                    );
                }
            }
            let focus = focus.unwrap_or(PositionFocus::Overview);
            return self
                .position(record, &mentions.valid, lang, msg, focus, what_if.as_ref())
                .await;
        }

        if intent::out_of_scope(&folded) {
            let out = Outcome::new(
                Intent::Smalltalk,
                lang,
                Reply::text(texts::out_of_scope(lang)),
            );
            return out;
        }
        if let Some(kind) = intent::small_talk(&folded) {
            let reply = match kind {
                SmallTalk::Hello => {
                    format!("{}\n\n{}", texts::hello(lang), texts::capabilities(lang))
                }
                SmallTalk::Thanks => texts::thanks(lang).to_string(),
                SmallTalk::Bye => texts::bye(lang).to_string(),
            };
            return Outcome::new(Intent::Smalltalk, lang, Reply::text(reply));
        }
        self.knowledge_answer(record, text, lang, msg).await
    }

    async fn symbols(&self) -> Vec<String> {
        match &self.chain {
            Some(reader) => match reader.catalog().await {
                Ok(c) => c.reserves.iter().map(|r| r.symbol.clone()).collect(),
                Err(_) => Vec::new(),
            },
            None => Vec::new(),
        }
    }

    async fn knowledge_answer(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let kb = self.knowledge();
        let hits = kb.search(text, lang, 3);
        let Some(best) = hits.first() else {
            return self.not_understood(lang, &[]);
        };
        if best.confidence >= CONFIDENT {
            // The same topic a third time in a row: the answer is not helping.
            let repeats = record
                .recent_topics
                .iter()
                .rev()
                .take(2)
                .filter(|t| **t == best.id)
                .count();
            if repeats == 2 {
                return self.escalate(record, EscalationReason::Unresolved, lang, text, msg.now);
            }
            return self.faq_answer(record, &best.id, lang, msg).await;
        }
        if best.confidence >= UNSURE {
            let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
            return self.not_understood(lang, &ids);
        }
        self.not_understood(lang, &[])
    }

    fn not_understood(&self, lang: Lang, ids: &[&str]) -> Outcome {
        let kb = self.knowledge();
        let mut rows: Vec<Vec<Button>> = ids
            .iter()
            .filter_map(|id| faq_button(&kb, id, lang))
            .map(|b| vec![b])
            .collect();
        rows.push(vec![person_button(lang)]);
        let text = if ids.is_empty() {
            format!(
                "{}\n\n{}",
                texts::not_understood(lang),
                texts::capabilities(lang)
            )
        } else {
            texts::did_you_mean(lang).to_string()
        };
        let mut out = Outcome::new(Intent::Clarify, lang, Reply::text(text).with_buttons(rows));
        out.sources = ids.iter().map(|id| format!("faq:{id}")).collect();
        out
    }

    async fn faq_answer(
        &self,
        record: &mut UserRecord,
        id: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let kb = self.knowledge();
        let Some(topic) = kb.topic(id) else {
            return self.not_understood(lang, &[]);
        };
        let body = &topic.text(lang).answer;
        let mut text = String::new();
        if LIVE_TOPICS.contains(&id)
            && let Some(line) = self.live_line(record, lang, msg).await
        {
            text.push_str(&line);
            text.push_str("\n\n");
        }
        text.push_str(&format!("**{}**\n{}", topic.text(lang).title, body.trim()));
        record.recent_topics.push(id.to_string());
        if record.recent_topics.len() > 5 {
            record.recent_topics.remove(0);
        }
        let related: Vec<Vec<Button>> = topic
            .related
            .iter()
            .take(2)
            .filter_map(|r| faq_button(&kb, r, lang))
            .map(|b| vec![b])
            .chain(std::iter::once(vec![person_button(lang)]))
            .collect();

        // Topics that are about money at risk also open a ticket.
        if topic.escalate
            && let Some(reason) = escalation_for_topic(id)
        {
            let mut out = self.escalate(record, reason, lang, &format!("[faq:{id}]"), msg.now);
            out.replies.insert(0, Reply::text(text));
            out.sources.insert(0, format!("faq:{id}"));
            return out;
        }
        let mut out = Outcome::new(Intent::Faq, lang, Reply::text(text).with_buttons(related));
        out.sources.push(format!("faq:{id}"));
        out
    }

    /// One line about an address for staff: "HF 1.31 (risky) · collateral $12,000.00 · debt
    /// $8,400.00", read live; `None` without a market, on a read failure it says so.
    pub async fn position_summary(&self, address: Address, lang: Lang) -> Option<String> {
        let reader = self.chain.as_ref()?;
        let position = match reader.position(address).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "position read for staff failed");
                return Some(texts::chain_unavailable(lang).to_string());
            }
        };
        if position.is_empty() {
            return Some(lang.pick("no position", "无仓位").to_string());
        }
        let report = report::assess(&position, self.settings.target_health_factor);
        let unit = position.base_currency_unit;
        let hf = crate::chain::format::health_factor(report.totals.health_factor);
        Some(match lang {
            Lang::En => format!(
                "HF {hf} ({}) · collateral ${} · debt ${}",
                band_word(lang, report.band),
                crate::chain::format::usd(report.totals.total_collateral_base, unit),
                crate::chain::format::usd(report.totals.total_debt_base, unit),
            ),
            Lang::Zh => format!(
                "健康因子 {hf}（{}）· 抵押 ${} · 债务 ${}",
                band_word(lang, report.band),
                crate::chain::format::usd(report.totals.total_collateral_base, unit),
                crate::chain::format::usd(report.totals.total_debt_base, unit),
            ),
        })
    }

    /// "Your HF is 1.31 (risky…)": the user's own figure for FAQ answers, when cheap to get.
    async fn live_line(&self, record: &UserRecord, lang: Lang, msg: &Incoming) -> Option<String> {
        let reader = self.chain.as_ref()?;
        let address = msg
            .addresses
            .first()
            .copied()
            .or_else(|| record.links.first().map(|l| l.address))?;
        let position = reader.position(address).await.ok()?;
        if position.is_empty() {
            return None;
        }
        let report = report::assess(&position, self.settings.target_health_factor);
        let hf = crate::chain::format::health_factor(report.totals.health_factor);
        Some(match lang {
            Lang::En => format!(
                "Your health factor right now is **{hf}** ({}). Here is what that means:",
                band_word(lang, report.band)
            ),
            Lang::Zh => format!(
                "你现在的健康因子是 **{hf}**（{}）。含义如下：",
                band_word(lang, report.band)
            ),
        })
    }

    async fn position(
        &self,
        record: &mut UserRecord,
        named: &[Address],
        lang: Lang,
        msg: &Incoming,
        focus: PositionFocus,
        what_if: Option<&WhatIf>,
    ) -> Outcome {
        let Some(reader) = &self.chain else {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::no_market(lang)));
        };
        let mut addresses: Vec<Address> = named.to_vec();
        if addresses.is_empty() {
            if msg.chat == ChatKind::Group {
                // Never show someone's linked position in a group unless they name it there.
                return Outcome::new(
                    Intent::Clarify,
                    lang,
                    Reply::text(texts::need_address(lang)),
                );
            }
            addresses.extend(msg.addresses.iter().copied());
            addresses.extend(record.links.iter().map(|l| l.address));
            addresses.dedup();
        }
        if addresses.is_empty() {
            return Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_address(lang)),
            );
        }
        let mut replies = Vec::new();
        let mut sources = Vec::new();
        for address in addresses.iter().take(3) {
            match reader.position(*address).await {
                Ok(position) => {
                    let report = report::assess(&position, self.settings.target_health_factor);
                    let text = position_answer::render(
                        lang,
                        &position,
                        &report,
                        focus,
                        what_if,
                        self.settings.comfort_health_factor,
                    );
                    sources.push(format!(
                        "chain:{}:{}@{}",
                        position.market,
                        address.to_checksum(None),
                        position.block_number
                    ));
                    let buttons = if report.totals.total_debt_base.is_zero() {
                        Vec::new()
                    } else {
                        vec![
                            [-1_000i64, -2_000, -3_000]
                                .iter()
                                .map(|bps| Button {
                                    label: match lang {
                                        Lang::En => format!(
                                            "What if prices fall {}%",
                                            bps.unsigned_abs() / 100
                                        ),
                                        Lang::Zh => {
                                            format!("如果下跌 {}%", bps.unsigned_abs() / 100)
                                        }
                                    },
                                    data: format!("whatif:{bps}"),
                                })
                                .collect(),
                        ]
                    };
                    replies.push(Reply::text(text).with_buttons(buttons));
                }
                Err(e) => {
                    tracing::warn!(user = record.id, error = %e, "position read failed");
                    return Outcome::new(
                        Intent::Error,
                        lang,
                        Reply::text(texts::chain_unavailable(lang)),
                    );
                }
            }
        }
        if !named.is_empty()
            && msg.chat == ChatKind::Private
            && !record.links.iter().any(|l| named.contains(&l.address))
        {
            replies.push(Reply::text(lang.pick(
                "Tip: /link this address and next time just ask \"how am I doing?\"",
                "提示：用 /link 绑定这个地址，下次直接问“我的仓位怎么样？”即可。",
            )));
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

    fn escalate(
        &self,
        record: &UserRecord,
        reason: EscalationReason,
        lang: Lang,
        summary: &str,
        now: u64,
    ) -> Outcome {
        match self.tickets.open(record.id, reason, lang, summary, now) {
            Ok((ticket, new)) => {
                let minutes = self.tickets.response_minutes(&ticket);
                let mut out = Outcome::new(
                    Intent::Escalate,
                    lang,
                    Reply::text(texts::ticket_opened(lang, reason, ticket.id, minutes, new)),
                );
                out.ticket = Some(ticket.id);
                out.actions.push(Action::NotifyStaff);
                out
            }
            Err(e) => {
                tracing::error!(user = record.id, error = %e, "cannot open ticket");
                Outcome::new(Intent::Error, lang, Reply::text(texts::ticket_failed(lang)))
            }
        }
    }

    fn set_lang(&self, record: &mut UserRecord, arg: Option<&str>) -> Outcome {
        let current = record.lang.unwrap_or_default();
        match arg.and_then(Lang::from_code) {
            Some(chosen) => {
                record.lang = Some(chosen);
                Outcome::new(
                    Intent::Command,
                    chosen,
                    Reply::text(texts::lang_set(chosen)),
                )
            }
            None => {
                let buttons = lang_buttons();
                Outcome::new(
                    Intent::Command,
                    current,
                    Reply::text(texts::lang_usage(current)).with_buttons(buttons),
                )
            }
        }
    }

    fn link(&self, record: &mut UserRecord, arg: Option<&str>, lang: Lang) -> Outcome {
        let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
            return Outcome::new(Intent::Command, lang, Reply::text(texts::link_usage(lang)));
        };
        match crate::chain::parse_address(arg) {
            Ok(address) => {
                let new = record.link(address);
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::linked(lang, &address.to_checksum(None), new)),
                )
            }
            Err(crate::chain::AddressError::Shortened(_)) => Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_full_address(lang, arg)),
            ),
            Err(e) => Outcome::new(
                Intent::Error,
                lang,
                Reply::text(texts::bad_address(lang, &e.to_string())),
            ),
        }
    }

    async fn command(
        &self,
        record: &mut UserRecord,
        text: &str,
        lang: Lang,
        msg: &Incoming,
    ) -> Outcome {
        let mut parts = text.splitn(2, char::is_whitespace);
        let head = parts.next().unwrap_or_default();
        let arg = parts.next().map(str::trim).filter(|a| !a.is_empty());
        // "/start@lendesk_bot" → "start"
        let name = head
            .trim_start_matches('/')
            .split('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match name.as_str() {
            "start" => {
                let lang = record.lang.or(msg.lang_hint).unwrap_or_default();
                let buttons = lang_buttons();
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::welcome(lang)).with_buttons(buttons),
                )
            }
            "help" => Outcome::new(Intent::Command, lang, Reply::text(texts::help(lang))),
            "lang" | "language" => self.set_lang(record, arg),
            "link" => self.link(record, arg, lang),
            "unlink" => {
                let Some(arg) = arg else {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::unlink_usage(lang)),
                    );
                };
                match crate::chain::parse_address(arg) {
                    Ok(address) => {
                        let before = record.links.len();
                        record.links.retain(|l| l.address != address);
                        let found = record.links.len() != before;
                        Outcome::new(
                            Intent::Command,
                            lang,
                            Reply::text(texts::unlinked(lang, &address.to_checksum(None), found)),
                        )
                    }
                    Err(e) => Outcome::new(
                        Intent::Error,
                        lang,
                        Reply::text(texts::bad_address(lang, &e.to_string())),
                    ),
                }
            }
            "position" | "pos" => {
                let named: Vec<Address> =
                    arg.map(|a| intent::addresses(a).valid).unwrap_or_default();
                let mut out = self
                    .position(record, &named, lang, msg, PositionFocus::Overview, None)
                    .await;
                if out.intent == Intent::Position {
                    out.intent = Intent::Command;
                }
                out
            }
            "faq" => {
                let kb = self.knowledge();
                if let Some(query) = arg {
                    return self.knowledge_answer(record, query, lang, msg).await;
                }
                let rows: Vec<Vec<Button>> = kb
                    .topics()
                    .chunks(2)
                    .map(|pair| {
                        pair.iter()
                            .map(|t| Button {
                                label: t.text(lang).title.clone(),
                                data: format!("faq:{}", t.id),
                            })
                            .collect()
                    })
                    .collect();
                Outcome::new(
                    Intent::Command,
                    lang,
                    Reply::text(texts::faq_browse(lang)).with_buttons(rows),
                )
            }
            "human" | "support" | "person" => {
                let summary = arg
                    .map(secrets::redact)
                    .unwrap_or_else(|| "[/human]".into());
                self.escalate(
                    record,
                    EscalationReason::AskedForPerson,
                    lang,
                    &summary,
                    msg.now,
                )
            }
            "ticket" | "tickets" => {
                let tickets = match self.tickets.of_user(record.id) {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot list tickets");
                        Vec::new()
                    }
                };
                if tickets.is_empty() {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::no_tickets(lang)),
                    );
                }
                let lines: Vec<String> = tickets
                    .iter()
                    .take(10)
                    .map(|t| {
                        let status = match (lang, t.status) {
                            (Lang::En, crate::store::TicketStatus::Open) => "waiting for a person",
                            (Lang::En, crate::store::TicketStatus::InProgress) => {
                                "a person is on it"
                            }
                            (Lang::En, crate::store::TicketStatus::Closed) => "closed",
                            (Lang::Zh, crate::store::TicketStatus::Open) => "等待人工处理",
                            (Lang::Zh, crate::store::TicketStatus::InProgress) => "处理中",
                            (Lang::Zh, crate::store::TicketStatus::Closed) => "已关闭",
                        };
                        format!("#{}: {status}", t.id)
                    })
                    .collect();
                Outcome::new(Intent::Command, lang, Reply::text(lines.join("\n")))
            }
            _ => Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::unknown_command(lang)),
            ),
        }
    }
}

fn band_word(lang: Lang, band: report::HealthBand) -> &'static str {
    use report::HealthBand::*;
    match (lang, band) {
        (Lang::En, NoDebt) => "no debt",
        (Lang::En, Comfortable) => "comfortable",
        (Lang::En, Moderate) => "moderate",
        (Lang::En, Risky) => "risky",
        (Lang::En, Danger) => "danger: close to liquidation",
        (Lang::En, Liquidatable) => "liquidatable now",
        (Lang::Zh, NoDebt) => "无借款",
        (Lang::Zh, Comfortable) => "很安全",
        (Lang::Zh, Moderate) => "中等",
        (Lang::Zh, Risky) => "有风险",
        (Lang::Zh, Danger) => "危险：接近清算",
        (Lang::Zh, Liquidatable) => "已可被清算",
    }
}

trait ScriptHint {
    fn max_by_script(self, text: &str) -> Lang;
}

impl ScriptHint for Lang {
    /// A secret warning follows the script the user typed in (a Chinese seed phrase gets a
    /// Chinese warning) unless the user chose a language.
    fn max_by_script(self, text: &str) -> Lang {
        if text.chars().any(lang::is_cjk) {
            Lang::Zh
        } else {
            self
        }
    }
}
