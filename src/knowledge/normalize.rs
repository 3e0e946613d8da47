//! Text normalization shared by FAQ documents and user queries, in English and Chinese.
//!
//! The pipeline:
//! 1. [`normalize`]: NFKC (which also folds full-width letters, digits and punctuation to
//!    half-width), lowercase, apostrophes dropped (`can't` → `cant`), `∞` spelled `infinite`,
//!    every other punctuation mark and symbol becomes a space. A `.` is kept only inside a
//!    word (`usdc.e`, `revoke.cash`).
//! 2. The text is cut into runs of Latin letters/digits and runs of Chinese characters.
//! 3. Latin runs: multi-word jargon (`health factor`, `loan to value`, `e mode`, `seed phrase`)
//!    is matched first, then single words. A word in the jargon map (`jargon.txt`, about 120
//!    groups and 900 forms in both languages) becomes its canonical term (`liqd` →
//!    `liquidation`, `apy` → `rate`). Other words lose English stop words (`stop_en.txt`) and
//!    are lightly stemmed (plural `s`, `-ing`, `-ed`, final `e`). A decimal (`1.05`, usually a
//!    health factor) becomes `decimal`; other numbers, single letters, addresses and hashes
//!    are dropped.
//! 4. Chinese runs: every character bigram is emitted (robust against segmentation), and the
//!    run is segmented with jieba in search mode, with the Chinese jargon added as user words
//!    so `健康度` or `被清算` come out whole. jieba loads `jieba_dict.txt`, the part of its
//!    dictionary that matters here (every character, every word the knowledge base holds, the
//!    20,000 commonest words; written by `scripts/jieba-dict.py`): a tenth of the full one's
//!    load time, with the same cuts of the knowledge base. Jargon maps to the same canonical terms as English
//!    (`爆仓` → `liquidation`), so a Chinese query can hit an English-only keyword and back.
//!    A few cues are found by substring because jieba cuts across them (`不被爆仓` → `avoid`);
//!    `快被…了` (about to) drops the past-tense reading; a word with a directional complement
//!    (`取回来`) is looked up without it. Stop words (`stop_zh.txt`) and other single
//!    characters are dropped.
//!
//! Typo tolerance needs the vocabulary, so it lives in the index: a word term carries its
//! surface form when it came from plain stemming, and the index may correct it.
//!
//! A query is analyzed once into an `Analysis` (the normalized text and the pieces, owned),
//! which both the index and the classifier read; documents stream through `analyze`.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

use jieba_rs::Jieba;
use unicode_normalization::UnicodeNormalization;

use crate::lang::is_cjk;

/// One unit of analyzed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// A word-level term: a canonical jargon term, a stemmed English word or a Chinese word.
    Word {
        /// The term.
        term: &'a str,
        /// The lowercase surface form when `term` came from plain stemming of an ASCII word of
        /// five letters or more (so the index may typo-correct it); `None` otherwise.
        typo: Option<&'a str>,
    },
    /// Two consecutive Chinese characters, packed with [`pack_bigram`].
    Bigram(u64),
}

/// Packs two characters into one bigram key.
pub(crate) fn pack_bigram(a: char, b: char) -> u64 {
    ((a as u64) << 21) | b as u64
}

/// Jargon and slang, one group a line: `canonical terms: form | form | …` (see the file).
const JARGON: &str = include_str!("jargon.txt");
/// jieba's dictionary, cut down to what lendesk reads (see the module doc).
const JIEBA_DICT: &str = include_str!("jieba_dict.txt");
/// English stop words, whitespace-separated.
const STOP_EN: &str = include_str!("stop_en.txt");
/// Chinese stop words, whitespace-separated.
const STOP_ZH: &str = include_str!("stop_zh.txt");

/// Terms that carry little evidence about which topic is meant (asset tickers, the protocol
/// name): the index gives them a small query weight.
pub(crate) const WEAK_TERMS: &[&str] = &[
    "eth", "btc", "usdc", "usdt", "dai", "weth", "wbtc", "steth", "wsteth", "aave", "lendesk",
];

/// Terms that qualify a topic but do not name one ("increase", "fail", "avoid"): a query whose
/// only matches are these (and weak terms) is not confident (see `index`).
pub(crate) const ASPECT_TERMS: &[&str] = &[
    "increase", "decrease", "avoid", "fail", "cannot", "wrong", "low", "once", "safe", "risk",
    "contact", "missing", "send", "cancel", "action", "decimal", "amount",
];

/// Chinese cues that something is about to happen (`快被清算了`): the past-tense reading of
/// `清算了` is dropped and `avoid` is added.
const ZH_IMMINENT: &[&str] = &["快被", "快要", "快爆", "快清算", "即将", "马上要", "马上就"];

/// Chinese directional complements: `取回来` is looked up as `取回` when it is not known whole.
const ZH_COMPLEMENTS: &[&str] = &[
    "出来", "回来", "进去", "出去", "起来", "下来", "上去", "来", "去",
];

/// Chinese cues found by substring, before segmentation: short patterns that jieba tends to
/// cut across (`不被爆仓` → `不` `被爆仓`).
const ZH_CUES: &[(&str, &[&str])] = &[
    ("不被", &["avoid"]),
    ("别被", &["avoid"]),
    ("越来越", &["increase"]),
    ("不见", &["missing"]),
];

/// Index of a jargon group (its canonical terms) in `Tables::groups`.
type Group = usize;

/// The words of a phrase after its first, and the group it maps to.
type Phrase = (Vec<&'static str>, Group);

struct Tables {
    /// Canonical terms of each jargon line.
    groups: Vec<Vec<&'static str>>,
    /// Single-word jargon (English and Chinese) → group.
    single: HashMap<&'static str, Group>,
    /// First word of a phrase → (remaining words, group), longest first.
    phrases: HashMap<&'static str, Vec<Phrase>>,
    /// (Latin word, Chinese prefix of the next run, group), e.g. `e` + `模式`.
    mixed: Vec<(&'static str, &'static str, Group)>,
    stop_en: HashSet<&'static str>,
    stop_zh: HashSet<&'static str>,
    jieba: Jieba,
}

static TABLES: LazyLock<Tables> = LazyLock::new(Tables::build);

/// The jargon lines: (canonical terms, forms). A line without a colon is skipped (a unit test
/// checks there is none).
fn jargon_lines() -> impl Iterator<Item = (Vec<&'static str>, Vec<&'static str>)> {
    JARGON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (canon, forms) = l.split_once(':')?;
            let forms = forms.split('|').map(str::trim).filter(|f| !f.is_empty());
            Some((canon.split_whitespace().collect(), forms.collect()))
        })
}

/// The words of a word-list file, skipping `#` comment lines.
fn word_list(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
}

impl Tables {
    fn build() -> Self {
        let mut groups = Vec::new();
        let mut single = HashMap::default();
        let mut phrases: HashMap<&'static str, Vec<Phrase>> = HashMap::default();
        let mut mixed = Vec::new();
        let mut jieba = shipped_jieba();
        for (canon, forms) in jargon_lines() {
            let group = groups.len();
            groups.push(canon);
            for form in forms {
                let has_cjk = form.chars().any(is_cjk);
                let has_latin = form.chars().any(|c| c.is_ascii_alphanumeric());
                if has_cjk && has_latin {
                    let split = form.find(|c: char| is_cjk(c)).unwrap_or(form.len());
                    mixed.push((&form[..split], &form[split..], group));
                } else if form.contains(' ') {
                    let mut words = form.split(' ');
                    if let Some(first) = words.next() {
                        phrases
                            .entry(first)
                            .or_default()
                            .push((words.collect(), group));
                    }
                } else {
                    if has_cjk && form.chars().count() > 1 {
                        jieba.add_word(form, None, None);
                    }
                    single.insert(form, group);
                }
            }
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|(rest, _)| std::cmp::Reverse(rest.len()));
        }
        Tables {
            groups,
            single,
            phrases,
            mixed,
            stop_en: word_list(STOP_EN).collect(),
            stop_zh: word_list(STOP_ZH).collect(),
            jieba,
        }
    }
}

/// jieba over the shipped dictionary; the full one if that could not be read (a unit test
/// makes sure it can).
fn shipped_jieba() -> Jieba {
    Jieba::with_dict(&mut JIEBA_DICT.as_bytes()).unwrap_or_else(|_| Jieba::new())
}

/// NFKC, lowercase, full-width → half-width, traditional characters → simplified, pinyin
/// slips put right, punctuation → single spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    if text.is_ascii() {
        push_normalized(&mut out, text.chars());
    } else {
        push_normalized(&mut out, text.nfkc().map(crate::lang::simplified));
        crate::lang::fix_slips(&mut out);
    }
    if out.ends_with('.') {
        out.pop();
    }
    out
}

fn push_normalized(out: &mut String, chars: impl Iterator<Item = char>) {
    let mut space = false;
    let push = |out: &mut String, space: &mut bool, c: char| {
        if *space && !out.is_empty() {
            if out.ends_with('.') {
                out.pop();
            }
            out.push(' ');
        }
        *space = false;
        out.push(c);
    };
    for c in chars {
        if c.is_ascii_alphanumeric() {
            push(out, &mut space, c.to_ascii_lowercase());
        } else if matches!(c, '\'' | '`' | '’' | '‘') {
            // Joined: "can't" → "cant".
        } else if c == '.' {
            if !space && out.ends_with(|p: char| p.is_ascii_alphanumeric()) {
                out.push('.');
            } else {
                space = true;
            }
        } else if is_cjk(c) {
            push(out, &mut space, c);
        } else if c == '∞' {
            space = true;
            for l in "infinite".chars() {
                push(out, &mut space, l);
            }
            space = true;
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                push(out, &mut space, l);
            }
        } else {
            space = true;
        }
    }
}

#[derive(Clone, Copy)]
struct Run<'a> {
    text: &'a str,
    cjk: bool,
}

/// Cuts normalized text into runs of Chinese characters and runs of everything else.
fn split_runs(norm: &str) -> Vec<Run<'_>> {
    let mut runs = Vec::with_capacity(16);
    let mut start: Option<(usize, bool)> = None;
    for (i, c) in norm.char_indices() {
        let class = (c != ' ').then(|| is_cjk(c));
        if let Some((s, cjk)) = start
            && class != Some(cjk)
        {
            runs.push(Run {
                text: norm[s..i].trim_matches('.'),
                cjk,
            });
            start = None;
        }
        if start.is_none() {
            start = class.map(|k| (i, k));
        }
    }
    if let Some((s, cjk)) = start {
        runs.push(Run {
            text: norm[s..].trim_matches('.'),
            cjk,
        });
    }
    runs.retain(|r| !r.text.is_empty());
    runs
}

/// Light English stemming into `buf`: plural `s`/`es`/`ies`, `-ing`, `-ed`, final `e`.
fn stem<'b>(word: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    let w = word;
    let n = w.len();
    let base: &str;
    let mut y = false;
    if n > 4 && (w.ends_with("ies") || w.ends_with("ied")) {
        base = &w[..n - 3];
        y = true;
    } else if n > 4 && w.ends_with("sses") {
        base = &w[..n - 2];
    } else if n > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        base = &w[..n - 1];
    } else if n > 5 && w.ends_with("ing") {
        base = undouble(&w[..n - 3]);
    } else if n > 4 && w.ends_with("ed") && !w.ends_with("eed") {
        base = undouble(&w[..n - 2]);
    } else {
        base = w;
    }
    buf.push_str(base);
    if y {
        buf.push('y');
    } else if buf.len() >= 3 && buf.ends_with('e') {
        buf.pop();
    }
    buf
}

/// `gett` → `get`, but `call` and `pass` stay.
fn undouble(s: &str) -> &str {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 3
        && b[n - 1] == b[n - 2]
        && !matches!(b[n - 1], b'l' | b's' | b'z')
        && !is_vowel(b[n - 1])
    {
        &s[..n - 1]
    } else {
        s
    }
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// A text analyzed once, owned: its normalized form and its pieces in order. A query is
/// analyzed once and read by both the index and the classifier.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    /// The text after [`normalize`].
    norm: String,
    /// The word pieces' terms and surface forms, one after another.
    words: String,
    pieces: Vec<StoredPiece>,
    /// The classifiers' feature hashes, computed once (the FAQ's and the route model read the
    /// same).
    features: std::sync::OnceLock<Vec<u64>>,
}

/// A [`Piece`] with its strings as byte ranges of [`Analysis::words`].
#[derive(Debug, Clone, Copy)]
enum StoredPiece {
    Word {
        term: (u32, u32),
        typo: Option<(u32, u32)>,
    },
    Bigram(u64),
}

impl Analysis {
    /// Analyzes `text`.
    pub(crate) fn of(text: &str) -> Analysis {
        let norm = normalize(text);
        let mut words = String::with_capacity(2 * norm.len());
        let mut pieces = Vec::with_capacity(32);
        let mut keep = |s: &str| {
            let start = words.len() as u32;
            words.push_str(s);
            (start, words.len() as u32)
        };
        analyze_normalized(&norm, &mut |p| {
            pieces.push(match p {
                Piece::Word { term, typo } => StoredPiece::Word {
                    term: keep(term),
                    typo: typo.map(&mut keep),
                },
                Piece::Bigram(k) => StoredPiece::Bigram(k),
            })
        });
        Analysis {
            norm,
            words,
            pieces,
            features: std::sync::OnceLock::new(),
        }
    }

    /// The classifiers' feature hashes of this text, computed by `compute` the first time.
    pub(crate) fn features_with(&self, compute: impl FnOnce(&Analysis) -> Vec<u64>) -> &[u64] {
        self.features.get_or_init(|| compute(self))
    }

    /// The normalized text.
    pub(crate) fn normalized(&self) -> &str {
        &self.norm
    }

    /// The pieces, in order, as [`analyze`] gives them.
    pub(crate) fn pieces(&self) -> impl Iterator<Item = Piece<'_>> {
        let word = |(start, end): (u32, u32)| &self.words[start as usize..end as usize];
        self.pieces.iter().map(move |p| match *p {
            StoredPiece::Word { term, typo } => Piece::Word {
                term: word(term),
                typo: typo.map(word),
            },
            StoredPiece::Bigram(k) => Piece::Bigram(k),
        })
    }
}

/// Analyzes `text` into pieces, calling `sink` for each, in order.
pub(crate) fn analyze(text: &str, sink: &mut dyn FnMut(Piece<'_>)) {
    analyze_normalized(&normalize(text), sink);
}

/// [`analyze`] for text that is already [`normalize`]d.
fn analyze_normalized(norm: &str, sink: &mut dyn FnMut(Piece<'_>)) {
    let t = &*TABLES;
    let runs = split_runs(norm);
    let mut buf = String::new();
    let mut i = 0;
    while i < runs.len() {
        let run = runs[i];
        if run.cjk {
            t.cjk(run.text, run.text, sink);
            i += 1;
            continue;
        }
        if let Some((consumed, group)) = t.phrase(&runs[i..]) {
            emit_canon(&t.groups[group], sink);
            i += consumed;
            continue;
        }
        if let Some(next) = runs.get(i + 1).filter(|r| r.cjk)
            && let Some(&(_, prefix, group)) = t
                .mixed
                .iter()
                .find(|(w, p, _)| *w == run.text && next.text.starts_with(p))
        {
            emit_canon(&t.groups[group], sink);
            t.cjk(next.text, &next.text[prefix.len()..], sink);
            i += 2;
            continue;
        }
        t.word(run.text, &mut buf, sink);
        i += 1;
    }
}

fn emit_canon(canon: &[&str], sink: &mut dyn FnMut(Piece<'_>)) {
    for &term in canon {
        sink(Piece::Word { term, typo: None });
    }
}

impl Tables {
    /// A phrase starting at `runs[0]`: (runs consumed, group).
    fn phrase(&self, runs: &[Run<'_>]) -> Option<(usize, Group)> {
        let list = self.phrases.get(runs.first()?.text)?;
        'candidates: for (rest, group) in list {
            if runs.len() <= rest.len() {
                continue;
            }
            for (k, want) in rest.iter().enumerate() {
                let r = runs[k + 1];
                let plural = r.text.strip_suffix('s') == Some(*want);
                if r.cjk || (r.text != *want && !plural) {
                    continue 'candidates;
                }
            }
            return Some((rest.len() + 1, *group));
        }
        None
    }

    /// One Latin word.
    fn word(&self, w: &str, buf: &mut String, sink: &mut dyn FnMut(Piece<'_>)) {
        if w.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            // A decimal like 1.05 is usually a health factor or a rate: one shared term.
            if w.contains('.') {
                sink(Piece::Word {
                    term: "decimal",
                    typo: None,
                });
            }
            return;
        }
        // Single letters; addresses and hashes (`0x…`, long runs with digits) name no topic.
        let long_code = w.len() > 16 && w.bytes().any(|b| b.is_ascii_digit());
        if w.len() < 2 || long_code || (w.starts_with("0x") && w.len() > 6) {
            return;
        }
        if let Some(&g) = self.single.get(w) {
            return emit_canon(&self.groups[g], sink);
        }
        if self.stop_en.contains(w) {
            return;
        }
        if !w.bytes().all(|b| b.is_ascii_alphanumeric()) {
            // `usdc.e`, `revoke.cash`, non-Latin letters: kept whole.
            return sink(Piece::Word {
                term: w,
                typo: None,
            });
        }
        let s = stem(w, buf);
        if let Some(&g) = self.single.get(s) {
            return emit_canon(&self.groups[g], sink);
        }
        if self.stop_en.contains(s) || s.len() < 2 {
            return;
        }
        let typo = (w.len() >= 5 && w.bytes().all(|b| b.is_ascii_lowercase())).then_some(w);
        sink(Piece::Word { term: s, typo });
    }

    /// A run of Chinese characters: bigrams over `bigram_text`, jieba words over `cut_text`.
    fn cjk(&self, bigram_text: &str, cut_text: &str, sink: &mut dyn FnMut(Piece<'_>)) {
        let mut prev = None;
        for c in bigram_text.chars() {
            if let Some(p) = prev {
                sink(Piece::Bigram(pack_bigram(p, c)));
            }
            prev = Some(c);
        }
        for (cue, canon) in ZH_CUES {
            if bigram_text.contains(cue) {
                emit_canon(canon, sink);
            }
        }
        let imminent = ZH_IMMINENT.iter().any(|c| bigram_text.contains(c));
        if imminent {
            sink(Piece::Word {
                term: "avoid",
                typo: None,
            });
        }
        if cut_text.is_empty() {
            return;
        }
        let mut emit = |canon: &[&str]| {
            for &term in canon {
                if !(imminent && term == "liquidated") {
                    sink(Piece::Word { term, typo: None });
                }
            }
        };
        for token in self.jieba.cut_for_search(cut_text, false) {
            let w = token.word;
            if let Some(&g) = self.single.get(w) {
                emit(&self.groups[g]);
            } else if self.stop_zh.contains(w) || w.chars().nth(1).is_none() {
                continue;
            } else if let Some(&g) = ZH_COMPLEMENTS
                .iter()
                .filter_map(|c| w.strip_suffix(c))
                .find_map(|stem| self.single.get(stem))
            {
                emit(&self.groups[g]);
            } else {
                emit(&[w]);
            }
        }
    }
}

/// The word-level terms of `text` (no bigrams), for tests and debugging.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    analyze(text, &mut |p| {
        if let Piece::Word { term, .. } = p {
            out.push(term.to_string());
        }
    });
    out
}

/// The canonical terms a jargon word or phrase maps to (`"liqd"` → `["liquidation"]`).
pub fn canonical(form: &str) -> Option<&'static [&'static str]> {
    let norm = normalize(form);
    let t: &'static Tables = &TABLES;
    if let Some(&g) = t.single.get(norm.as_str()) {
        return Some(&t.groups[g]);
    }
    let runs = split_runs(&norm);
    match t.phrase(&runs) {
        Some((n, g)) if n == runs.len() => Some(&t.groups[g]),
        _ => None,
    }
}

/// Every single-word Latin jargon form, for the typo lexicon.
pub(crate) fn latin_jargon_forms() -> impl Iterator<Item = (&'static str, &'static [&'static str])>
{
    let t: &'static Tables = &TABLES;
    t.single
        .iter()
        .filter(|(f, _)| f.bytes().all(|b| b.is_ascii_lowercase()))
        .map(|(&f, &g)| (f, &t.groups[g][..]))
}

/// Every English stop word.
pub(crate) fn stop_words() -> impl Iterator<Item = &'static str> {
    word_list(STOP_EN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_addresses_and_hashes() {
        assert_eq!(
            terms("why is 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 at hf 1.05"),
            ["healthfactor", "decimal"]
        );
    }

    #[test]
    fn normalizes_width_case_and_punctuation() {
        assert_eq!(normalize("ＨＦ　１．２？"), "hf 1.2");
        assert_eq!(normalize("What's my HF?!"), "whats my hf");
        assert_eq!(normalize("USDC.e vs USDC."), "usdc.e vs usdc");
        assert_eq!(normalize("健康因子，多少？"), "健康因子 多少");
        assert_eq!(normalize("hf shows ∞"), "hf shows infinite");
        assert_eq!(normalize("e-mode"), "e mode");
    }

    #[test]
    fn puts_pinyin_slips_right() {
        assert_eq!(terms("青算是怎么触发的"), terms("清算是怎么触发的"));
        assert_eq!(terms("建康度是神马"), terms("健康度是神马"));
        assert!(terms("抵压10000u能借几个eth").contains(&"collateral".to_string()));
    }

    #[test]
    fn maps_english_jargon_and_slang() {
        assert_eq!(
            terms("my hf is 1.1 am i rekt"),
            ["healthfactor", "decimal", "liquidation"]
        );
        assert_eq!(terms("I got liquidated"), ["liquidation", "liquidated"]);
        assert_eq!(terms("about to get liquidated"), ["avoid", "liquidation"]);
        assert_eq!(
            terms("whats the max i can borrow with 10 eth"),
            ["amount", "borrow", "eth"]
        );
        assert_eq!(terms("wat is emode"), ["emode"]);
        assert_eq!(terms("Health-Factor"), ["healthfactor"]);
        assert_eq!(terms("how do i not get liqd"), ["avoid", "liquidation"]);
        assert_eq!(terms("E-Mode"), ["emode"]);
        assert_eq!(
            terms("loan-to-value vs liquidation threshold"),
            ["ltv", "vs", "liqthreshold"]
        );
        assert_eq!(terms("seed phrase"), ["secret"]);
        assert_eq!(terms("can't withdraw"), ["cannot", "withdraw"]);
    }

    #[test]
    fn stems_lightly() {
        let mut b = String::new();
        assert_eq!(stem("getting", &mut b), "get");
        assert_eq!(stem("supplies", &mut b), "supply");
        assert_eq!(stem("contracts", &mut b), "contract");
        assert_eq!(stem("trade", &mut b), "trad");
        assert_eq!(stem("traded", &mut b), "trad");
        assert_eq!(stem("trading", &mut b), "trad");
        assert_eq!(stem("speed", &mut b), "speed");
        assert_eq!(stem("status", &mut b), "status");
        assert_eq!(terms("signatures"), ["sign"]);
    }

    #[test]
    fn maps_chinese_jargon() {
        for (q, want) in [
            ("怎么才能不被爆仓", "liquidation"),
            ("健康度太低怎么办", "healthfactor"),
            ("提现失败", "withdraw"),
            ("助记词被盗了", "secret"),
            ("E模式是什么", "emode"),
            ("gas费太贵", "gas"),
            ("清算阈值", "liqthreshold"),
        ] {
            let t = terms(q);
            assert!(t.iter().any(|x| x == want), "{q}: {t:?}");
        }
        assert!(terms("提现失败").iter().any(|x| x == "fail"));
        assert!(terms("助记词被盗了").iter().any(|x| x == "stolen"));
        // Cues found across jieba's cuts, and directional complements.
        assert!(terms("怎么才能不被爆仓").iter().any(|x| x == "avoid"));
        assert!(
            terms("Aave里的钱怎么取回来")
                .iter()
                .filter(|x| *x == "withdraw")
                .count()
                >= 1
        );
        // "快被清算了" is about to happen, not past.
        let t = terms("快被清算了");
        assert!(
            t.iter().any(|x| x == "avoid") && !t.iter().any(|x| x == "liquidated"),
            "{t:?}"
        );
        assert!(terms("我被清算了").iter().any(|x| x == "liquidated"));
        // Mixed scripts: a Chinese message about HF.
        assert!(terms("我的HF是多少").iter().any(|x| x == "healthfactor"));
    }

    #[test]
    fn emits_chinese_bigrams() {
        let mut n = 0;
        analyze("清算线", &mut |p| {
            if matches!(p, Piece::Bigram(_)) {
                n += 1;
            }
        });
        assert_eq!(n, 2);
    }

    #[test]
    fn jargon_table_is_large_and_consistent() {
        let lines = JARGON
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
        assert_eq!(
            lines.count(),
            jargon_lines().count(),
            "a jargon line has no `:`"
        );
        let groups: Vec<_> = jargon_lines().collect();
        assert!(groups.len() >= 60, "{}", groups.len());
        let forms: usize = groups.iter().map(|(_, f)| f.len()).sum();
        assert!(forms >= 300, "{forms}");
        let stop: HashSet<&str> = word_list(STOP_EN).collect();
        for (canon, forms) in &groups {
            assert!(!canon.is_empty() && !forms.is_empty());
            for c in canon {
                assert!(!stop.contains(c), "{c} is a stop word");
            }
            for f in forms {
                assert_eq!(normalize(f), *f, "jargon form {f:?} is not normalized");
            }
        }
        assert_eq!(canonical("loan to value"), Some(&["ltv"][..]));
        assert_eq!(canonical("LIQD"), Some(&["liquidation"][..]));
    }

    #[test]
    fn shipped_jieba_dictionary_cuts_the_knowledge_base_like_the_full_one() {
        assert!(Jieba::with_dict(&mut JIEBA_DICT.as_bytes()).is_ok());
        let shipped = &TABLES.jieba;
        let mut full = Jieba::new();
        for form in TABLES.single.keys() {
            if form.chars().any(is_cjk) && form.chars().nth(1).is_some() {
                full.add_word(form, None, None);
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![include_str!("off_topic.txt").to_string()];
        for entry in std::fs::read_dir(root.join("faq")).unwrap() {
            texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        let mut runs = 0;
        for line in texts.iter().flat_map(|t| t.lines()) {
            let norm = normalize(line);
            for run in norm.split(|c: char| !is_cjk(c)).filter(|r| !r.is_empty()) {
                let cut = |j: &Jieba| -> Vec<String> {
                    j.cut_for_search(run, false)
                        .into_iter()
                        .map(|t| t.word.to_string())
                        .collect()
                };
                assert_eq!(
                    cut(shipped),
                    cut(&full),
                    "{run:?} is cut differently: run `python3 scripts/jieba-dict.py`"
                );
                runs += 1;
            }
        }
        assert!(runs > 5_000, "{runs}");
    }
}
