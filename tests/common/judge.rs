//! Judging the desk against a labelled message set (tests/data/desk_messages.toml and the
//! evaluation sets in tests/data/eval/): one verdict per case, with the kind of failure, and
//! the per-route × per-language table the evaluation prints.

use std::collections::BTreeMap;
use std::path::Path;

use bip39::Mnemonic;
use lendesk::desk::{Desk, Incoming, Outcome};
use lendesk::lang::Lang;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::Chain;

/// A message set file.
#[derive(Deserialize)]
pub struct Cases {
    pub case: Vec<Case>,
}

/// One labelled message.
#[derive(Deserialize, Clone)]
pub struct Case {
    pub text: String,
    /// The right intent.
    pub intent: String,
    /// Other intents that are right too (e.g. `command` for "help").
    #[serde(default)]
    pub also: Vec<String>,
    #[serde(default)]
    pub lang: Option<String>,
    /// Acceptable FAQ topics for the answer's first source (checked when the desk answered
    /// from the FAQ).
    #[serde(default)]
    pub faq: Vec<String>,
    /// No FAQ topic answers this yet: the case is wrong until one exists.
    #[serde(default)]
    pub missing: Option<String>,
    #[serde(default)]
    pub contains: Vec<String>,
    /// The reply must hold at least one of these.
    #[serde(default)]
    pub any_of: Vec<String>,
    #[serde(default)]
    pub lacks: Vec<String>,
    /// A devnet profile: put where `<ADDR>` stands, or else linked like `ask --address`.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub situation: Option<String>,
    #[serde(default)]
    pub route: Option<String>,
    #[serde(default)]
    pub writer: Option<u32>,
    #[serde(default)]
    pub expect: Option<String>,
}

/// Why a case is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The desk took it for something else.
    WrongIntent,
    /// "I don't know how to answer that" (no suggestion) where an answer was due.
    NotUnderstood,
    /// A "did you mean" whose first suggestion is not a right topic.
    DidYouMeanWrong,
    /// A "did you mean" whose first suggestion is a right topic.
    DidYouMean,
    /// Answered from the FAQ, but with a wrong topic.
    WrongTopic,
    /// No topic answers it yet (`missing`).
    MissingKnowledge,
    /// Right route, but the reply lacks a required fact (or holds a forbidden one).
    MissingFact,
    /// Replied in the other language.
    WrongLanguage,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::WrongIntent => "wrong intent",
            Self::NotUnderstood => "wrong intent: not understood",
            Self::DidYouMeanWrong => "wrong intent: did you mean (wrong topic first)",
            Self::DidYouMean => "did you mean (right topic first)",
            Self::WrongTopic => "wrong topic",
            Self::MissingKnowledge => "missing knowledge",
            Self::MissingFact => "missing fact",
            Self::WrongLanguage => "wrong language",
        }
    }
}

/// The judgement of one case.
pub struct Verdict {
    pub index: usize,
    /// The first kind of failure, if wrong.
    pub kind: Option<Kind>,
    /// Every problem found.
    pub problems: Vec<String>,
    /// The message as sent (placeholders filled).
    pub text: String,
    pub reply: String,
}

/// Reads a message set under tests/data.
pub fn load(relative: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"));
    let cases: Cases =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{relative} is not a valid set: {e}"));
    cases.case
}

fn digest(label: &str, n: usize) -> [u8; 32] {
    Sha256::digest(format!("lendesk eval {label} {n}").as_bytes()).into()
}

/// A valid BIP39 phrase of `words` words, the same for the same `n`.
pub fn mnemonic(words: usize, n: usize) -> String {
    let bytes = digest("seed", n);
    let entropy = &bytes[..words / 3 * 4];
    Mnemonic::from_entropy(entropy)
        .expect("12 or 24 words")
        .to_string()
}

/// A 0x + 64-hex private key, the same for the same `n`.
pub fn private_key(n: usize) -> String {
    let bytes = digest("key", n);
    format!(
        "0x{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// The message with its placeholders filled; the address is the `address` profile's.
pub fn fill(case: &Case, chain: &Chain, n: usize) -> String {
    let mut text = case.text.clone();
    if text.contains("<ADDR>") {
        let profile = case
            .address
            .as_deref()
            .expect("a case with <ADDR> names its address profile");
        let address = super::account(&chain.manifest, profile);
        text = text.replace("<ADDR>", &address.to_checksum(None));
    }
    text = text.replace("<SEED12>", &mnemonic(12, n));
    text = text.replace("<SEED24>", &mnemonic(24, n));
    text.replace("<KEY>", &private_key(n))
}

/// Judges one reply against its case.
pub fn judge(case: &Case, out: &Outcome) -> (Option<Kind>, Vec<String>) {
    let mut problems = Vec::new();
    let mut kind = None;
    let mut note = |k: Kind, p: String, kind: &mut Option<Kind>| {
        kind.get_or_insert(k);
        problems.push(p);
    };
    let intent = out.intent.name();
    let first = out.sources.first().cloned().unwrap_or_default();
    let right_topic = |source: &str| case.faq.iter().any(|id| source == format!("faq:{id}"));
    if let Some(missing) = &case.missing {
        note(
            Kind::MissingKnowledge,
            format!("no topic yet: {missing}"),
            &mut kind,
        );
    }
    let accepted = intent == case.intent || case.also.iter().any(|a| a == intent);
    if !accepted {
        let k = match (intent, first.is_empty()) {
            ("clarify", false) if case.intent == "faq" && right_topic(&first) => Kind::DidYouMean,
            ("clarify", false) => Kind::DidYouMeanWrong,
            ("clarify", true) => Kind::NotUnderstood,
            _ => Kind::WrongIntent,
        };
        note(
            k,
            format!("intent {intent} {first} (expected {})", case.intent),
            &mut kind,
        );
    }
    let lang = case
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::En);
    // An emoji or a sticker alone ("🙏🙏") holds no language to answer in: the writer's label
    // says who they imagined, not what the message shows.
    let has_language = case.text.chars().any(char::is_alphabetic);
    if out.lang != lang && has_language {
        note(
            Kind::WrongLanguage,
            format!("lang {:?} (expected {lang:?})", out.lang),
            &mut kind,
        );
    }
    if accepted && intent == "faq" && !case.faq.is_empty() && !right_topic(&first) {
        note(
            Kind::WrongTopic,
            format!("source {first:?} (expected one of {:?})", case.faq),
            &mut kind,
        );
    }
    let reply = out.text();
    for fact in &case.contains {
        if !reply.contains(fact.as_str()) {
            note(
                Kind::MissingFact,
                format!("reply lacks {fact:?}"),
                &mut kind,
            );
        }
    }
    if !case.any_of.is_empty() && !case.any_of.iter().any(|f| reply.contains(f.as_str())) {
        note(
            Kind::MissingFact,
            format!("reply holds none of {:?}", case.any_of),
            &mut kind,
        );
    }
    for wrong in &case.lacks {
        if reply.contains(wrong.as_str()) {
            note(
                Kind::MissingFact,
                format!("reply holds {wrong:?}"),
                &mut kind,
            );
        }
    }
    (kind, problems)
}

/// Sends every case to `desk` (each from its own user, starting at `first_user`) and judges it.
pub async fn run(desk: &Desk, chain: &Chain, cases: &[Case], first_user: i64) -> Vec<Verdict> {
    let mut verdicts = Vec::with_capacity(cases.len());
    for (i, case) in cases.iter().enumerate() {
        let text = fill(case, chain, i);
        let addresses = match case.address.as_deref() {
            Some(profile) if !case.text.contains("<ADDR>") => {
                vec![super::account(&chain.manifest, profile)]
            }
            _ => Vec::new(),
        };
        let out = desk
            .handle(Incoming {
                user: first_user + i as i64,
                text: text.clone(),
                addresses,
                now: 1_700_000_000,
                ..Default::default()
            })
            .await;
        let (kind, problems) = judge(case, &out);
        verdicts.push(Verdict {
            index: i,
            kind,
            problems,
            text,
            reply: out.text(),
        });
    }
    verdicts
}

/// One line for a wrong case.
pub fn failure_line(case: &Case, v: &Verdict) -> String {
    let short = |s: &str, n: usize| s.chars().take(n).collect::<String>().replace('\n', " ⏎ ");
    format!(
        "#{} [{}] {} {}: {:?}: {}\n    reply: {}",
        v.index,
        v.kind.map(Kind::name).unwrap_or("right"),
        case.situation.as_deref().unwrap_or("-"),
        case.lang.as_deref().unwrap_or("en"),
        short(&v.text, 100),
        v.problems.join("; "),
        short(&v.reply, 140)
    )
}

/// The shape of a message, as the issue's bars count them: a situation told ("the app shows 1.08
/// in red, what now", a hack, a dispute, a broken page: S and E ids) or a question asked (the rest).
fn shape(situation: &str) -> &'static str {
    if situation.starts_with('S') || situation.starts_with('E') {
        "situations"
    } else {
        "questions"
    }
}

/// The evaluation table: right / total per route × language, overall, failure kinds with counts,
/// the missing topics, and one line per wrong case. Returns (right, total) and the text.
pub fn report(title: &str, cases: &[Case], verdicts: &[Verdict]) -> (usize, usize, String) {
    let mut cells: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let mut routes: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut langs: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut writers: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    let mut shapes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut kinds: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    let (mut right, total) = (0, verdicts.len());
    for v in verdicts {
        let case = &cases[v.index];
        let route = case.route.clone().unwrap_or_else(|| case.intent.clone());
        let lang = case.lang.clone().unwrap_or_else(|| "en".into());
        let ok = v.kind.is_none();
        right += ok as usize;
        let mut counted = vec![
            cells.entry((route.clone(), lang.clone())).or_default(),
            routes.entry(route).or_default(),
            langs.entry(lang).or_default(),
        ];
        if let Some(w) = case.writer {
            counted.push(writers.entry(w).or_default());
        }
        if let Some(shape) = case.situation.as_deref().map(shape) {
            counted.push(shapes.entry(shape).or_default());
        }
        for cell in counted {
            cell.0 += ok as usize;
            cell.1 += 1;
        }
        if let Some(k) = v.kind {
            *kinds.entry(k).or_default() += 1;
        }
        if let Some(m) = &case.missing {
            *missing.entry(m.clone()).or_default() += 1;
        }
    }
    let pct = |(r, t): (usize, usize)| {
        if t == 0 {
            "-".to_string()
        } else {
            format!("{r}/{t} ({:.0}%)", 100.0 * r as f64 / t as f64)
        }
    };
    let mut s = format!("== {title}: {} right\n", pct((right, total)));
    s += &format!("{:<14}{:>16}{:>16}{:>16}\n", "route", "en", "zh", "both");
    for (route, both) in &routes {
        let get = |l: &str| {
            pct(cells
                .get(&(route.clone(), l.to_string()))
                .copied()
                .unwrap_or_default())
        };
        s += &format!(
            "{route:<14}{:>16}{:>16}{:>16}\n",
            get("en"),
            get("zh"),
            pct(*both)
        );
    }
    let lang = |l: &str| pct(langs.get(l).copied().unwrap_or_default());
    s += &format!(
        "{:<14}{:>16}{:>16}{:>16}\n",
        "all",
        lang("en"),
        lang("zh"),
        pct((right, total))
    );
    // "by writer: writer 3 237/274 (86%), …", "by shape: questions …, situations …".
    let by = |what: &str, each: Vec<String>| format!("by {what}: {}\n", each.join(", "));
    if writers.len() > 1 {
        let each = writers
            .iter()
            .map(|(w, c)| format!("writer {w} {}", pct(*c)));
        s += &by("writer", each.collect());
    }
    if !shapes.is_empty() {
        let each = shapes
            .iter()
            .map(|(shape, c)| format!("{shape} {}", pct(*c)));
        s += &by("shape", each.collect());
    }
    s += "failures by kind:\n";
    for (k, n) in &kinds {
        s += &format!("  {:<48}{n:>4}\n", k.name());
    }
    if !missing.is_empty() {
        s += "missing topics (cases):\n";
        for (m, n) in &missing {
            s += &format!("  {n:>3}  {m}\n");
        }
    }
    s += "wrong cases:\n";
    for v in verdicts.iter().filter(|v| v.kind.is_some()) {
        s += &format!("  {}\n", failure_line(&cases[v.index], v));
    }
    (right, total, s)
}
