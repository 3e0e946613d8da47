//! Reading what a message asks for: position questions, escalations, small talk, out-of-scope
//! requests, and the addresses and percentages inside a message. Rules in both languages,
//! applied to a lowercased copy; no I/O.

use alloy::primitives::Address;

use crate::chain::{AddressError, parse_address};
use crate::tickets::EscalationReason;

/// Lowercased text with Chinese full-width punctuation folded to ASCII, traditional characters
/// simplified and pinyin slips put right (the knowledge base's own), for matching. Spaces
/// between two Chinese characters are dropped ("找 负 责 人" reads as "找负责人": Chinese has
/// no spaces between words, so they only ever spell a word out).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' '
            && out.chars().next_back().is_some_and(crate::lang::is_cjk)
            && chars.peek().copied().is_some_and(crate::lang::is_cjk)
        {
            continue;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let c = match c {
            '？' => '?',
            '！' => '!',
            '，' => ',',
            '。' => '.',
            '：' => ':',
            '％' => '%',
            '（' => '(',
            '）' => ')',
            c => crate::lang::simplified(c),
        };
        out.extend(c.to_lowercase());
    }
    if !text.is_ascii() {
        crate::lang::fix_slips(&mut out);
    }
    out
}

/// True when `text` contains any of `needles`. Every call site passes a constant list.
///
/// The rules ask ~30 lists about the same message, so all lists seen so far share one
/// Aho-Corasick automaton (per thread): the first question about a text finds every list it
/// matches in one overlapping pass, and the others are a bit test. A list seen for the first
/// time is scanned directly and joins the automaton when the next text comes (one rebuild for
/// all the lists a message met first, not one each: `lendesk ask` answers its one message
/// without building it more than once).
pub(super) fn any(text: &str, needles: &'static [&'static str]) -> bool {
    thread_local! {
        static CUES: std::cell::RefCell<Cues> = std::cell::RefCell::new(Cues::default());
    }
    CUES.with(|cell| match cell.try_borrow_mut() {
        Ok(mut cues) => cues.any(text, needles),
        // Not reentrant, but never wrong: scan directly.
        Err(_) => needles.iter().any(|n| text.contains(n)),
    })
}

/// `folded` with each of `phrases` blanked out (a space for each), so that the cues asked next
/// do not see them: "worst case" is no complaint, "多少了" holds no "少了". Most messages hold
/// none and are not copied.
pub(super) fn without<'a>(
    folded: &'a str,
    phrases: &'static [&'static str],
) -> std::borrow::Cow<'a, str> {
    if !any(folded, phrases) {
        return std::borrow::Cow::Borrowed(folded);
    }
    let mut text = folded.to_string();
    for phrase in phrases {
        text = text.replace(phrase, " ");
    }
    std::borrow::Cow::Owned(text)
}

/// The shared automaton of [`any`] and the lists matched by the last text it scanned.
#[derive(Default)]
struct Cues {
    /// By the address of a static list: its index.
    lists: std::collections::HashMap<usize, usize, std::hash::BuildHasherDefault<AddressHasher>>,
    /// Every list's needles, by index.
    needles: Vec<&'static [&'static str]>,
    /// All needles, deduplicated; `owners[pattern]` are the lists it belongs to.
    automaton: Option<aho_corasick::AhoCorasick>,
    /// How many lists (the first ones) the automaton holds.
    built: usize,
    owners: Vec<Vec<usize>>,
    /// The last text scanned and a bit per list it matches.
    text: String,
    matched: Vec<u64>,
    scanned: bool,
}

impl Cues {
    fn any(&mut self, text: &str, needles: &'static [&'static str]) -> bool {
        let key = needles.as_ptr() as usize ^ needles.len().rotate_left(48);
        let list = match self.lists.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.needles.len();
                self.lists.insert(key, i);
                self.needles.push(needles);
                i
            }
        };
        if !self.scanned || self.text != text {
            if self.built < self.needles.len() {
                self.rebuild();
            }
            self.scan(text);
        }
        match &self.automaton {
            Some(_) if list < self.built => self.matched[list / 64] & (1 << (list % 64)) != 0,
            _ => needles.iter().any(|n| text.contains(n)),
        }
    }

    fn rebuild(&mut self) {
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut index: std::collections::HashMap<&'static str, usize> = Default::default();
        self.owners.clear();
        for (list, needles) in self.needles.iter().enumerate() {
            for &n in needles.iter() {
                let p = *index.entry(n).or_insert_with(|| {
                    patterns.push(n);
                    patterns.len() - 1
                });
                if self.owners.len() <= p {
                    self.owners.push(Vec::new());
                }
                self.owners[p].push(list);
            }
        }
        // Plain literals always build; without an automaton every question scans directly.
        self.automaton = aho_corasick::AhoCorasick::new(&patterns).ok();
        self.built = self.needles.len();
        self.scanned = false;
    }

    fn scan(&mut self, text: &str) {
        self.text.clear();
        self.text.push_str(text);
        self.scanned = true;
        self.matched.clear();
        self.matched.resize(self.needles.len().div_ceil(64), 0);
        let Some(ac) = &self.automaton else {
            return;
        };
        for m in ac.find_overlapping_iter(text) {
            for &list in &self.owners[m.pattern().as_usize()] {
                self.matched[list / 64] |= 1 << (list % 64);
            }
        }
    }
}

/// The keys are addresses of static lists: distinct already, so no hashing is needed.
#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = n as u64;
    }
}

/// English words matched on word boundaries (so "hf" does not match "shf").
pub(super) fn any_word(text: &str, words: &[&str]) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .any(|w| words.contains(&w))
}

/// What the addresses in a message look like.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressMentions {
    /// Valid full addresses, in order, without duplicates.
    pub valid: Vec<Address>,
    /// Shortened forms such as 0x7099…79C8.
    pub shortened: Vec<String>,
    /// Address-like tokens that fail to parse (wrong length, checksum).
    pub invalid: Vec<(String, AddressError)>,
}

/// Finds addresses in free text. 64-hex tokens (keys, hashes) are not addresses and are skipped.
pub fn addresses(text: &str) -> AddressMentions {
    let mut found = AddressMentions::default();
    // Chinese glued to an address (`地址0x3C44…`) separates it too.
    let is_sep = |c: char| {
        c.is_whitespace()
            || crate::lang::is_cjk(c)
            || ",;:()[]{}<>\"'，。：；（）？?!！".contains(c)
    };
    for raw in text.split(is_sep) {
        let token = raw.trim_matches(|c: char| c == '.' || c == '`' || c == '*');
        if !token.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) {
            continue;
        }
        if token.contains('…') || token.contains("...") {
            found.shortened.push(token.to_string());
            continue;
        }
        let hex_len = token[2..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .count();
        if hex_len == 64 || hex_len < 10 {
            continue; // a hash or key (handled elsewhere), or a short hex number
        }
        // An address cut short without an ellipsis (`0xfE03b7c9A1d2`), unless the message is
        // about a transaction, whose hash it may be the start of.
        if hex_len < 40 && hex_len + 2 == token.len() {
            if !names_a_transaction(text) {
                found.shortened.push(token.to_string());
            }
            continue;
        }
        match parse_address(token) {
            Ok(a) if !found.valid.contains(&a) => found.valid.push(a),
            Ok(_) => {}
            Err(e) => found.invalid.push((token.to_string(), e)),
        }
    }
    found
}

/// The message talks about a transaction (its hash), not an address.
fn names_a_transaction(text: &str) -> bool {
    let folded = fold(text);
    any_word(&folded, &["tx", "txn", "hash", "transaction", "txid"]) || folded.contains("交易")
}

/// A "what if X moves Y%" request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIf {
    /// Asset symbol named (uppercase), or `None` for "prices" in general.
    pub symbol: Option<String>,
    /// Signed move in bps.
    pub change_bps: i64,
}

const DOWN_WORDS: &[&str] = &[
    "drop", "drops", "dropped", "fall", "falls", "fell", "crash", "crashes", "dump", "dumps",
    "down", "decline", "declines", "tank", "tanks", "lose", "loses",
];
const UP_WORDS: &[&str] = &[
    "rise",
    "rises",
    "up",
    "pump",
    "pumps",
    "increase",
    "increases",
    "moon",
    "moons",
    "go up",
];

/// Finds a what-if price move: "what if ETH drops 20%", "如果ETH跌30%会怎样", "eth -15%".
pub fn what_if(folded: &str, symbols: &[String]) -> Option<WhatIf> {
    let percent = percentage(folded)?;
    let down = any_word(folded, DOWN_WORDS)
        || any(folded, &["跌", "下跌", "暴跌", "下降", "腰斩"])
        || folded.contains('-');
    let up = any_word(folded, UP_WORDS) || any(folded, &["涨", "上涨", "上升", "暴涨"]);
    let conditional = any(
        folded,
        &["what if", "if ", "suppose", "如果", "假如", "要是", "万一"],
    ) || down
        || up;
    if !conditional || (!down && !up) {
        return None;
    }
    let symbol = symbols
        .iter()
        .find(|s| {
            any_word(folded, &[s.to_lowercase().as_str()]) || folded.contains(&s.to_lowercase())
        })
        .map(|s| s.to_uppercase())
        .or_else(|| {
            // Common names for the wrapped assets, slang included (姨太 ETH, 大饼 BTC).
            if any_word(folded, &["eth", "ether", "ethereum"]) || any(folded, &["以太", "姨太"])
            {
                Some("WETH".into())
            } else if any_word(folded, &["btc", "bitcoin"]) || any(folded, &["比特币", "大饼"])
            {
                Some("WBTC".into())
            } else {
                None
            }
        });
    let bps = i64::from(percent) * 100;
    Some(WhatIf {
        symbol,
        change_bps: if up && !down { bps } else { -bps },
    })
}

/// Percentages written in words, as "N%" for [`what_if`]: "20 percent", "20 pct", "百分之三十",
/// "三成" (three tenths). The text is borrowed unchanged when it holds none.
pub fn percent_signs(folded: &str) -> std::borrow::Cow<'_, str> {
    const WORDS: &[&str] = &[
        " per cent",
        "per cent",
        " percent",
        "percent",
        " pct",
        "pct",
    ];
    if !WORDS.iter().any(|w| folded.contains(w))
        && !folded.contains("百分之")
        && !folded.contains('成')
    {
        return std::borrow::Cow::Borrowed(folded);
    }
    let mut out = String::with_capacity(folded.len());
    let mut rest = folded;
    while let Some(c) = rest.chars().next() {
        // "百分之三十", "百分之30"
        if let Some(after) = rest.strip_prefix("百分之") {
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            let number = if digits.is_empty() {
                chinese_number(after)
            } else {
                digits.parse().ok().map(|n| (n, digits.len()))
            };
            if let Some((n, used)) = number {
                out.push_str(&format!("{n}%"));
                rest = &after[used..];
                continue;
            }
        }
        // "三成", "2成"
        if let Some(n) = tenths(c)
            && rest[c.len_utf8()..].starts_with('成')
        {
            out.push_str(&format!("{}%", n * 10));
            rest = &rest[c.len_utf8() + '成'.len_utf8()..];
            continue;
        }
        // "20 percent", "20pct": the word after digits.
        if c.is_ascii_digit() {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let after = &rest[digits.len()..];
            if let Some(word) = WORDS.iter().find(|w| after.starts_with(*w)) {
                out.push_str(&digits);
                out.push('%');
                rest = &after[word.len()..];
                continue;
            }
            out.push_str(&digits);
            rest = after;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// A digit or Chinese numeral one to nine, as the tenths of "三成".
fn tenths(c: char) -> Option<u32> {
    match c {
        '1'..='9' => c.to_digit(10),
        _ => chinese_digit(c).filter(|n| (1..=9).contains(n)),
    }
}

fn chinese_digit(c: char) -> Option<u32> {
    "零一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|n| n as u32)
        .or((c == '两').then_some(2))
}

/// A Chinese number from 1 to 99 at the start of `text` ("五", "十五", "三十", "二十五") and the
/// bytes it takes.
fn chinese_number(text: &str) -> Option<(u32, usize)> {
    let mut chars = text.char_indices().peekable();
    let (_, first) = *chars.peek()?;
    let (tens, mut used) = if first == '十' {
        chars.next();
        (1, '十'.len_utf8())
    } else {
        let d = chinese_digit(first)?;
        chars.next();
        match chars.peek() {
            Some(&(i, '十')) => {
                chars.next();
                (d, i + '十'.len_utf8())
            }
            _ => return (d > 0).then_some((d, first.len_utf8())),
        }
    };
    let mut n = tens * 10;
    if let Some(&(i, c)) = chars.peek()
        && let Some(d) = chinese_digit(c).filter(|d| *d > 0)
    {
        n += d;
        used = i + c.len_utf8();
    }
    Some((n, used))
}

/// The first "N%" (1–99) in the text.
fn percentage(folded: &str) -> Option<u32> {
    if !folded.contains('%') {
        return None;
    }
    let bytes: Vec<char> = folded.chars().collect();
    for (i, c) in bytes.iter().enumerate() {
        if *c != '%' {
            continue;
        }
        let digits: String = bytes[..i]
            .iter()
            .rev()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(n) = digits.parse::<u32>()
            && (1..=99).contains(&n)
        {
            return Some(n);
        }
    }
    // "百分之二十" is rare enough in support chats to leave to the FAQ.
    None
}

/// Which part of a position a question is about, to lead the answer with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionFocus {
    /// Everything (HF first).
    Overview,
    /// Liquidation prices.
    Liquidation,
    /// Safe withdraw amounts.
    Withdraw,
    /// Safe borrow amounts.
    Borrow,
    /// Repay to be safe.
    Repay,
}

/// Phrases that ask for the sender's own figures.
const OWN_FIGURES_EN: &[&str] = &[
    "my hf",
    "my health",
    "my position",
    "my positions",
    "my liquidation price",
    "my liq price",
    "my ltv",
    "my account",
    "my loan health",
    "my risk",
    "my liquidation risk",
    "my borrowing power",
    "my debt",
    "debt do i have",
    "much do i owe",
    "much i owe",
    "my outstanding",
    "value of my deposit",
    "my collateral worth",
    "my loan",
    "check my",
    "how am i doing",
    "how's my",
    "hows my",
    "how is my",
    "show my",
    "show me my",
    "what price do i get liquidated",
    "what price will i get liquidated",
    "at what price do i",
    "what price would i",
    "when do i get liquidated",
    "when will i get liquidated",
];
const OWN_FIGURES_ZH: &[&str] = &[
    "我的健康",
    "我的hf",
    "我的仓位",
    "我的清算价",
    "我的清算线",
    "我的债务",
    "我的借款",
    "我欠了多少",
    "我欠多少",
    "现在欠多少",
    "我借了多少",
    "我的抵押",
    "抵押品值多少",
    "抵押物值多少",
    "我的ltv",
    "我的风险",
    "我的账户",
    "查一下我的",
    "看看我的",
    "查我的",
    "帮我查",
    "帮我看",
    "跌到多少会被清算",
    "多少钱会被清算",
    "什么价格会被清算",
    "价格到多少会爆仓",
    "跌到多少会爆仓",
];
/// Verbs of amounts one can move.
const AMOUNT_VERBS: &[&str] = &[
    "withdraw", "borrow", "repay", "pay back", "take out", "取出", "提取", "提现", "取回", "取",
    "借", "还",
];

/// True when the message asks about the sender's own position (or one named by address).
pub fn position_focus(folded: &str, has_address: bool) -> Option<PositionFocus> {
    let personal_en = any_word(folded, &["my", "me", "i", "i'm", "im", "mine", "am"]);
    let personal_zh = folded.contains('我');
    let personal = personal_en || personal_zh;
    let own_figures = any(folded, OWN_FIGURES_EN) || any(folded, OWN_FIGURES_ZH);
    let how_much = any(
        folded,
        &[
            "how much",
            "how many",
            "max i can",
            "maximum i can",
            "多少",
            "最多",
        ],
    );
    let amount_verb = any(folded, AMOUNT_VERBS);
    let am_i_safe = any(
        folded,
        &[
            "am i safe",
            "am i ok",
            "am i okay",
            "am i going to get",
            "am i gonna get",
            "will i get liquidated",
            "will i be liquidated",
            "am i at risk",
            "am i close to",
            "i'm close to",
            "im close to",
            "how close am i",
            "how close i am",
            "am i rekt",
            "gonna get rekt",
            "我安全",
            "会不会被清算",
            "会被清算吗",
            "我会爆仓",
            "会不会爆仓",
            "我会不会",
            "安全吗",
        ],
    ) && (personal || folded.contains("安全吗"))
        // "签了安全吗", "aave安全吗": the safety of a signature, a site or the protocol.
        && !any(
            folded,
            &[
                "签", "授权", "permit", "approve", "网站", "链接", "合约", "平台", "协议", "aave",
                "spark", "morpho", "compound",
            ],
        );
    // "how do I withdraw" is a how-to for the FAQ; "how much can I withdraw" is about the position.
    let how_to = any(
        folded,
        &[
            "how do i",
            "how to",
            "how can i",
            "how does",
            "怎么",
            "如何",
        ],
    );
    let short = folded.split_whitespace().count() <= 3 && folded.chars().count() <= 24;
    let bare = short
        && any(
            folded,
            &[
                "position",
                "my hf",
                "hf?",
                "health factor",
                "仓位",
                "健康因子",
            ],
        )
        && personal;

    // A deposit the user is considering ("if I deposit 5 ETH, how much can I borrow?", "存进去
    // 安全吗"): the knowledge base explains it (and offers to compute it for an address).
    if !has_address && considers_a_deposit(folded) {
        return None;
    }
    let wanted = (has_address
        && (short
            || own_figures
            || how_much
            || am_i_safe
            || any(
                folded,
                &[
                    "hf", "health", "position", "liquidat", "check", "健康", "仓位", "清算", "查",
                ],
            )))
        || am_i_safe
        || (own_figures && !how_to)
        || (how_much && amount_verb && personal)
        || bare;
    if !wanted {
        return None;
    }
    let focus = if any(
        folded,
        &[
            "withdraw",
            "take out",
            "取出",
            "提取",
            "提现",
            "取回",
            "取多少",
        ],
    ) {
        PositionFocus::Withdraw
    } else if any(
        folded,
        &["borrow", "借出", "能借", "可以借", "借多少", "再借"],
    ) {
        PositionFocus::Borrow
    } else if any(folded, &["repay", "pay back", "还款", "还多少", "归还"]) {
        PositionFocus::Repay
    } else if any(folded, &["liquidat", "liq", "rekt", "清算", "爆仓"]) {
        PositionFocus::Liquidation
    } else {
        PositionFocus::Overview
    };
    Some(focus)
}

/// The message tells of the user's own figure or event and asks why, what it means or what to
/// do ("my HF is 1.08 and red, what do I do", "我什么都没做健康因子怎么降了", "刚被清算了 接下来
/// 该干啥"), rather than asking for the figure itself ("what's my health factor").
pub fn asks_for_explanation(folded: &str) -> bool {
    any(
        folded,
        &[
            "why",
            "how come",
            "what happened",
            "what does that mean",
            "what does this mean",
            "what does it mean",
            "what do i do",
            "what should i do",
            "what can i do",
            "now what",
            "what now",
            "is this normal",
            "is that normal",
            "explain",
            "what happens",
            "what would happen",
            "what gives",
            "going on",
            "is it because",
            "how??",
            "how?",
            "how do i add",
            "how do i deposit more",
            "how add",
            "step by step",
            "same rules",
            "same liquidation",
            "in one go",
            "at once",
            "does the liquidator",
            "do they take",
            "can they liquidate",
            "what is the",
            "what's the",
            "whats the",
            "good or bad",
            "is that good",
            "is that bad",
            "didnt touch",
            "didn't touch",
            "never touched",
            "even tho",
            "even though",
            "oracle",
            "how much did i lose",
            "损失了多少",
            "亏了多少",
            "预言机",
            "did nothing",
            "did not do",
            "为什么",
            "为啥",
            "怎么回事",
            "咋回事",
            "怎么办",
            "咋办",
            "怎么降",
            "怎么掉",
            "怎么变",
            "什么意思",
            "啥意思",
            "正常吗",
            "该干嘛",
            "该干啥",
            "该怎么",
            "接下来",
            "没动",
            "没操作",
            "什么都没做",
            "会怎样",
            "是因为",
            "怎么会",
            "怎么补",
            "怎么加",
            "哪个更",
            "多远",
            "会怎么样",
            "如果",
            "要是",
            "假如",
            "万一",
            "一次能",
            "一次会",
            "算安全吗",
            "保持多少",
            "a scam",
            "get it back",
            "still owe",
            "even though",
            "didn't make any",
            "didnt make any",
            "没做任何",
            "没有任何操作",
            "明明",
            "get them back",
            "get back my",
            "拿回",
            "要回",
            "是骗局",
            "被骗了吗",
            "quickest way",
            "fastest way",
            "best way to",
            "what are my options",
            "还要还吗",
            "还用还吗",
            "到底损失",
            "发生了什么",
            "凭什么",
            "啥都没干",
            "啥也没干",
            "什么都没干",
            "什么也没干",
            "一笔交易都没",
            "自己往下掉",
            "自己掉",
            "会把我的",
            "全拿走",
            "depeg",
            "脱锚",
            "脱钩",
        ],
    ) || ((folded.starts_with("if ") || folded.contains(" if "))
        // "tell me if I'm close to liquidation" asks for a figure, not a what-if.
        && !any(folded, &["tell me if", "check if", "see if", "know if"]))
        // "… but i still got liquidated?? how"
        || folded.trim_end_matches(['?', '？', '!', ' ']).ends_with(" how")
}

/// Without an address to read, the message is better answered from the knowledge base than by
/// asking for the address: it asks why or what something means ([`asks_for_explanation`]),
/// states the user's own figure ("HF 1.08", "borrowed 2000U", "我有5个ETH"), or tells a story
/// longer than a lookup ("I borrowed USDC last month to pay for a car repair, today…") without
/// asking to look their figures up ("can you check how much I owe").
pub fn explains_more_than_looks_up(folded: &str) -> bool {
    const LONG_WORDS: usize = 16;
    const LONG_CHARS_ZH: usize = 30;
    let states_a_figure = folded.chars().any(|c| c.is_ascii_digit());
    let (words, han) = words_and_han(folded);
    let long = words > LONG_WORDS || han > LONG_CHARS_ZH;
    asks_for_explanation(folded) || states_a_figure || (long && !requests_a_lookup(folded))
}

/// A message's whitespace-separated words and its Chinese characters, the two measures of how
/// long it is.
pub fn words_and_han(text: &str) -> (usize, usize) {
    let words = text.split_whitespace().count();
    let han = text.chars().filter(|c| crate::lang::is_cjk(*c)).count();
    (words, han)
}

/// "check my collateral", "can you tell me how much I owe", "帮我查一下", "看看我的仓位".
fn requests_a_lookup(folded: &str) -> bool {
    any(
        folded,
        &[
            "check",
            "look up",
            "look at my",
            "tell me",
            "how much do i",
            "how much is my",
            "how much debt do",
            "how much collateral do",
            "what's my",
            "whats my",
            "what is my",
            "查",
            "看看",
            "看一下",
            "帮我看",
        ],
    )
}

/// The message weighs a deposit rather than asking about one made: "if I put 10k USDC in",
/// "deposit 5 eth how much can i borrow" (a deposit verb, then an amount), "我准备抵押 5 个
/// ETH", "存进去安全吗". "I deposited 10 ETH" tells what was done.
fn considers_a_deposit(folded: &str) -> bool {
    const VERBS: &[&str] = &["deposit", "put", "supply", "lock", "park"];
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
        .collect();
    let amount =
        |w: &&str| w.starts_with(|c: char| c.is_ascii_digit()) || ["a", "an", "one"].contains(w);
    let verb_then_amount = words
        .iter()
        .enumerate()
        .any(|(i, w)| VERBS.contains(w) && words[i + 1..].iter().take(2).any(amount));
    let zh_amount = ["存", "抵押", "放"].iter().any(|v| {
        folded.match_indices(v).any(|(i, v)| {
            folded[i + v.len()..]
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(2)
                .any(|c| c.is_ascii_digit())
        })
    });
    verb_then_amount
        || zh_amount
        || any(
            folded,
            &[
                "if i deposit",
                "if i put",
                "if i supply",
                "planning to deposit",
                "planning to put",
                "thinking of putting",
                "thinking of depositing",
                "should i deposit",
                "safe to deposit",
                "safe to put",
                "safe to park",
                "如果我存",
                "如果存",
                "假如存",
                "打算存",
                "准备存",
                "准备抵押",
                "想存",
                "存进去安全",
                "存进去有",
                "存钱到",
                "存到aave",
                "放aave",
                "放进去安全",
            ],
        )
}

/// An escalation the message asks for, before any FAQ answer.
pub fn escalation(folded: &str) -> Option<EscalationReason> {
    use EscalationReason::*;
    let person = any(
        folded,
        &[
            "talk to a person",
            "talk to a human",
            "speak to a human",
            "speak to someone",
            "real person",
            "human agent",
            "live agent",
            "customer service",
            "talk to someone",
            "contact support",
            "speak to support",
            "talk to support",
            "need a human",
            "need a person",
            "agent please",
            "who do i talk to",
            "who can i talk to",
            "who should i talk to",
            "who do i contact",
            "who can i contact",
            "找谁",
            "人工客服",
            "转人工",
            "找人工",
            "要人工",
            "真人",
            "联系工作人员",
            "找客服",
            "联系客服",
            "要客服",
            "support staff",
            "speak with a member",
            "member of your support",
            "找个support",
            "找support",
            "找个客服",
            "找个真人",
            "搵真人",
            "搵个真人",
        ],
    ) || folded.trim() == "human";
    // A theft feared, asked about or told of others is not the user's loss; an account that is
    // not a wallet (email, chat, bank) is not lendesk's to look into.
    let told = if names_another_account(folded) {
        std::borrow::Cow::Borrowed("")
    } else {
        without(folded, FEARED_THEFT)
    };
    let stolen = any(
        &told,
        &[
            "stolen",
            "stole",
            "got drained",
            "drained",
            "lost my funds",
            "lost all my",
            "funds are gone",
            "funds disappeared",
            "money is gone",
            "missing funds",
            "everything is gone",
            "everything gone",
            "all gone",
            "is gone from my wallet",
            "are gone from my wallet",
            "wallet is empty",
            "wallet was emptied",
            "wallet got emptied",
            "emptied my wallet",
            "took everything",
            "全没了",
            "都没了",
            "不翼而飞",
            "被清空",
            "被盗走",
            "被盗",
            "被偷",
            "资金不见",
            "钱不见",
            "币不见",
            "被转走",
            "丢失",
            "被钓鱼",
            "划走",
            "no longer there",
            "balance is zero",
            "balance is 0",
            "余额为0",
            "余额为零",
            "余额是0",
            "was gone",
            "were gone",
            "全部没有",
            "全没有了",
            "都不见了",
            "全不见了",
            "被提走",
            "got pulled",
            "掏空",
            "一分不剩",
        ],
    );
    // A protocol in the news hacked is not the user's wallet ("看到新闻说有协议被黑了 帮我看看
    // 我的抵押还在不在" asks for a lookup); funds gone still count as stolen.
    let hacked = any(
        &told,
        &[
            "hacked",
            "compromised",
            "someone has my seed",
            "leaked my",
            "被黑",
            "泄露",
            "黑客",
            "木马",
        ],
    ) && !any(
        folded,
        &[
            "协议被黑",
            "平台被黑",
            "项目被黑",
            "protocol was hacked",
            "protocol got hacked",
            "protocol hacked",
            "protocol being hacked",
        ],
    );
    // Being on the wrong network is a how-to; having sent funds there needs a person.
    let wrong_address = any(
        folded,
        &[
            "转错",
            "发错地址",
            "打错地址",
            "转到了错误",
            "充错",
            "地址复制错",
            "复制错了",
            "粘贴错",
            "地址填错",
            "填错地址",
            "地址错了",
            "选错了网络",
            "选错网络",
            "转错网络",
            "转错链",
            "选错链",
            "发错链",
            "发错网络",
            "打错链",
            "转错地址",
            "网络选错",
            "链选错",
            "选错了链",
        ],
    ) || (any(
        folded,
        &[
            "copied the wrong",
            "pasted the wrong",
            "wrong addr",
            "copied the addr",
            "pasted the addr",
            "address was wrong",
            "address was off",
            "typo in the address",
            "clipboard",
            "to the contract",
            "to the pool contract",
            "to the token contract",
            "contract address",
            "合约地址",
        ],
    ) && any(
        folded,
        &[
            "sent", "send", "moved", "move", "transfer", "withdrew", "withdraw", "转", "发", "提",
        ],
    )) || (any(
        folded,
        &[
            "wrong address",
            "wrong network",
            "wrong chain",
            "wrong wallet",
        ],
    ) && any(
        folded,
        &[
            "sent",
            "send",
            "transferred",
            "transfer",
            "deposited",
            "bridged",
            "转",
            "发",
        ],
    ));
    let failed_withdraw = (any(folded, &["withdraw", "withdrawal", "提现", "提取", "取出"])
        && any(
            folded,
            &[
                "fail",
                "stuck",
                "pending",
                "error",
                "revert",
                "失败",
                "卡住",
                "报错",
                "不成功",
                "一直",
            ],
        ))
        // Still failing after trying: a first report ("tried to withdraw and it failed",
        // "一直失败") gets the usual causes first.
        && any(
            folded,
            &[
                "still",
                "already",
                "again",
                "tried everything",
                "tried all",
                "tried that",
                "tried those",
                "for hours",
                "for days",
                "仍然",
                "还是",
                "已经",
                "试过",
                "好几",
            ],
        );
    let bug = any(
        folded,
        &[
            "bug",
            "exploit",
            "vulnerability",
            "security issue",
            "漏洞",
            "被攻击",
            "攻击",
        ],
    );
    // "Worst case" is not a complaint, nor is "我不是要投诉" or "I'm not disputing anything".
    let claimed = without(folded, DISCLAIMERS);
    let complaint = any(
        &claimed,
        &[
            "complaint",
            "complain",
            "terrible service",
            "scam!",
            "useless bot",
            "worst",
            "unacceptable",
            "投诉",
            "太差",
            "垃圾",
            "差评",
            "lawyer",
            "police",
            "sue you",
            "this is a scam",
            "scammers",
            "律师",
            "报警",
            "曝光",
            "骗子平台",
        ],
    );
    let stolen = stolen && !super::routes::gone_but_explained(folded);
    let dispute = super::routes::disputes_an_outcome(&claimed);
    let broken = super::routes::reports_broken_app(folded);
    let person = person || super::routes::demands_a_person(folded);
    // Order: money at risk first.
    if stolen {
        Some(LostOrStolenFunds)
    } else if hacked {
        Some(HackedWallet)
    } else if bug {
        Some(BugOrExploit)
    } else if wrong_address {
        Some(WrongAddress)
    } else if failed_withdraw {
        Some(FailedWithdrawal)
    } else if broken {
        Some(BugOrExploit)
    } else if complaint || dispute {
        Some(Complaint)
    } else if person {
        Some(AskedForPerson)
    } else {
        None
    }
}

/// A theft only feared, asked about, or told of other people.
const FEARED_THEFT: &[&str] = &[
    "会不会被盗",
    "会不会被黑",
    "会不会被偷",
    "会不会被钓鱼",
    "会被盗吗",
    "会被黑吗",
    "怕被盗",
    "怕被黑",
    "担心被盗",
    "担心被黑",
    "防止被盗",
    "防止被黑",
    "避免被盗",
    "避免被黑",
    "好多人被",
    "很多人被",
    "别人被",
    "有人被盗",
    "有人被黑",
    "worried i got hacked",
    "worried i was hacked",
    "worried i've been hacked",
    "afraid i got hacked",
    "afraid i was hacked",
    "scared i got hacked",
    "could i get hacked",
    "can i get hacked",
    "will i get hacked",
    "could i get drained",
    "can i get drained",
    "avoid getting hacked",
    "avoid getting drained",
    "avoid being hacked",
    "prevent getting hacked",
    "prevent being hacked",
    "not get hacked",
    "not get drained",
    "people got drained",
    "people getting drained",
    "people got hacked",
    "people getting hacked",
];

/// Accounts that are not a wallet: a theft of one is not lendesk's to look into.
const OTHER_ACCOUNTS: &[&str] = &[
    "netflix",
    "gmail",
    "instagram",
    "facebook",
    "email account",
    "icloud",
    "steam",
    "微信号",
    "微信被",
    "qq号",
    "qq被",
    "银行卡",
    "银行app",
    "支付宝",
    "淘宝",
    "邮箱被",
];

/// A message about an account that is not a wallet ("my netflix account got hacked").
pub fn names_another_account(folded: &str) -> bool {
    any(folded, OTHER_ACCOUNTS) && !any(folded, WALLET_WORDS)
}

/// Words that put a wallet or crypto in a message.
const WALLET_WORDS: &[&str] = &[
    "wallet",
    "crypto",
    "usdc",
    "usdt",
    "eth",
    "aave",
    "metamask",
    "funds",
    "token",
    "钱包",
    "币",
    "资产",
    "钱包地址",
];

/// Phrases that name a complaint or a dispute only to say there is none.
const DISCLAIMERS: &[&str] = &[
    "worst case",
    "worst-case",
    "不是要投诉",
    "不是投诉",
    "不想投诉",
    "并非投诉",
    "not complaining",
    "not a complaint",
    "not disputing",
    "not to complain",
    "no complaint",
];

/// The user says the last answer did not solve it.
pub fn still_unresolved(folded: &str) -> bool {
    any(
        folded,
        &[
            "still not",
            "still doesn't",
            "still dont",
            "still don't",
            "didn't help",
            "did not help",
            "doesn't help",
            "not helpful",
            "still the same",
            "still stuck",
            "still failing",
            "that's not it",
            "not what i asked",
            "没用",
            "还是不行",
            "没有解决",
            "没解决",
            "还是一样",
            "不是这个",
            "仍然不行",
        ],
    )
}

/// Greeting, thanks or goodbye, when that is all the message says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    /// "Help", "what can you do": what the bot can do.
    Help,
    /// Hello.
    Hello,
    /// Thanks.
    Thanks,
    /// Goodbye.
    Bye,
    /// "ok", "got it", a thumbs-up, emoji alone.
    Ack,
}

/// Cantonese 唔该: "thanks" when it opens the message, "please" after a request ("…讲下 唔该").
const PLEASE_OR_THANKS: &str = "唔该";

/// Small talk, only for short messages that are nothing else.
pub fn small_talk(folded: &str) -> Option<SmallTalk> {
    if asks_for_help(folded) || announces_a_question(folded) {
        return Some(SmallTalk::Help);
    }
    const THANKS_EN: &[&str] = &[
        "thanks",
        "thank",
        "thx",
        "ty",
        "tysm",
        "tks",
        "appreciate",
        "cheers",
        "thnx",
        "thanx",
    ];
    const THANKS_ZH: &[&str] = &[
        "谢谢",
        "感谢",
        "多谢",
        "谢了",
        "谢啦",
        "谢谢啦",
        "3q",
        "蟹蟹",
        "谢晒",
    ];
    let words = folded.split_whitespace().count();
    let chars = folded.chars().filter(|c| !c.is_whitespace()).count();
    if words > 5 || chars > 30 {
        // "thanks, that helped a lot 🙏": thanks first, then a few words of praise.
        let first = folded
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| !w.is_empty())
            .unwrap_or_default();
        let opens_with_thanks = THANKS_EN.contains(&first)
            || THANKS_ZH.iter().any(|t| folded.starts_with(t))
            || folded.starts_with(PLEASE_OR_THANKS);
        // "Thank you very much for your patience, that was very helpful. Goodbye."
        let last = folded
            .split(|c: char| !c.is_alphanumeric())
            .rfind(|w| !w.is_empty())
            .unwrap_or_default();
        let closes_with_bye = ["bye", "goodbye", "cya"].contains(&last)
            || ["再见", "拜拜"].iter().any(|b| {
                folded
                    .trim_end_matches(['!', '！', '。', '.', ' '])
                    .ends_with(b)
            });
        // "Understood, thank you. Have a pleasant evening."
        let closes_kindly = any(folded, COURTESY_CLOSINGS);
        let lending = any(folded, HELP_LENDING);
        let short_enough = (words <= 8 && chars <= 40)
            || ((closes_with_bye || closes_kindly) && words <= 16)
            // "Thank you very much for your patient explanation. That was most helpful."
            || (words <= 14 && !lending);
        let thanked = opens_with_thanks || (closes_kindly && any_word(folded, THANKS_EN));
        if thanked && short_enough && !folded.contains('?') {
            return Some(SmallTalk::Thanks);
        }
        // "Good morning, I hope you are well.": a greeting and a pleasantry, nothing asked.
        let greets = [
            "hi",
            "hello",
            "hey",
            "morning",
            "afternoon",
            "evening",
            "salam",
        ]
        .contains(&first)
            || ["good morning", "good afternoon", "good evening", "good day"]
                .iter()
                .any(|g| folded.trim_start().starts_with(g))
            || greets_in_chinese(folded, chars);
        return (greets && words <= 10 && any(folded, PLEASANTRIES) && !lending)
            .then_some(SmallTalk::Hello);
    }
    if any_word(folded, THANKS_EN)
        || any(folded, THANKS_ZH)
        || folded.trim_start().starts_with(PLEASE_OR_THANKS)
    {
        Some(SmallTalk::Thanks)
    } else if any_word(folded, &["bye", "goodbye", "cya", "later"])
        || any(folded, &["再见", "拜拜"])
    {
        Some(SmallTalk::Bye)
    } else if any_word(
        folded,
        &[
            "hi", "hello", "hey", "gm", "yo", "hiya", "morning", "evening", "salam",
        ],
    ) || greets_in_chinese(folded, chars)
    {
        Some(SmallTalk::Hello)
    } else if acknowledges(folded) {
        Some(SmallTalk::Ack)
    } else {
        None
    }
}

/// A kind word to close on: "have a good day", "祝您愉快".
const COURTESY_CLOSINGS: &[&str] = &[
    "have a nice",
    "have a good",
    "have a great",
    "have a pleasant",
    "have a lovely",
    "take care",
    "祝您",
    "祝你",
];

/// What goes with a greeting: "I hope you are well", "how are you".
const PLEASANTRIES: &[&str] = &[
    "hope you are well",
    "hope you're well",
    "hope you are doing well",
    "hope you're doing well",
    "hope all is well",
    "how are you",
    "how r u",
    "how's it going",
    "你好吗",
    "您好吗",
    "最近好吗",
];

/// A Chinese greeting that opens the message and is most of it ("你好，在吗", "早"), or a short
/// one anywhere ("老哥在吗"); "您好，请问为什么健康系数下降了？" is a question that opens politely,
/// and "我的钱还在吗" asks whether the money is still there.
fn greets_in_chinese(folded: &str, chars: usize) -> bool {
    const GREETINGS: &[&str] = &[
        "你好",
        "您好",
        "嗨",
        "哈喽",
        "早上好",
        "晚上好",
        "早安",
        "早啊",
        "早晨",
        "在吗",
    ];
    const REST_OF_A_GREETING: usize = 8;
    let opening = folded.trim_start();
    let opens = GREETINGS.iter().any(|g| {
        opening.strip_prefix(g).is_some_and(|rest| {
            rest.chars().filter(|c| c.is_alphanumeric()).count() <= REST_OF_A_GREETING
        })
    });
    opens
        || opening.trim_end_matches(['!', '~', '.', ' ']) == "早"
        || (chars <= 6 && any(folded, GREETINGS) && !folded.contains("还在"))
}

/// "ok", "got it", "收到", or nothing but emoji and punctuation.
fn acknowledges(folded: &str) -> bool {
    let no_words = !folded.chars().any(char::is_alphanumeric);
    let has_symbol = folded.chars().any(|c| !c.is_whitespace());
    if no_words && has_symbol {
        return true;
    }
    // Only a few words, and no question: "great, how do i repay" asks something.
    let words = folded.split_whitespace().count();
    let chars = folded.chars().filter(|c| !c.is_whitespace()).count();
    if words > 3 || chars > 12 || folded.contains('?') {
        return false;
    }
    any_word(
        folded,
        &[
            "ok",
            "okay",
            "okey",
            "k",
            "kk",
            "oki",
            "alright",
            "cool",
            "nice",
            "great",
            "noted",
            "roger",
            "understood",
            "gotcha",
            "np",
            "sure",
            "fine",
            "perfect",
        ],
    ) || folded.contains("got it")
        || any(
            folded,
            &[
                "收到",
                "好的",
                "好滴",
                "明白",
                "了解",
                "知道了",
                "懂了",
                "行吧",
                "好吧",
                "嗯嗯",
            ],
        )
}

/// "Can you check my position or do you just answer questions?": what the desk can do, asked
/// beside a request it could serve.
pub fn asks_what_it_can_do(folded: &str) -> bool {
    any(
        folded,
        &[
            "just answer questions",
            "only answer questions",
            "only answer general",
            "只能回答问题",
            "只会回答问题",
            "只能答题",
            "what can u help",
            "what can you help",
            "kind of questions",
            "questions can i ask",
            "what services",
            "services this",
            "services do you",
            "怎么用你",
            "处理哪些问题",
            "what kind of stuff",
            "what stuff can",
            "帮我做些什么",
            "能做些什么",
            "可以做些什么",
            "处理什么问题",
            "能问哪些",
            "可以问哪些",
            "how does one use",
            "use this service",
            "使用这个服务",
            "用这个服务",
        ],
    )
}

/// A coin's price to come, with no word of a lending position: "btc 100k by eoy yes or no",
/// "大饼年底能到多少", "以太坊几时会升返上去", "is it a good time to put my savings into eth".
fn coin_future(folded: &str) -> bool {
    let coin = any_word(
        folded,
        &[
            "eth", "btc", "bitcoin", "ethereum", "aave", "sol", "bnb", "crypto",
        ],
    ) || any(
        folded,
        &[
            "大饼",
            "姨太",
            "以太坊",
            "以太",
            "比特币",
            "这个币",
            "币价",
            "二饼",
        ],
    );
    let future = any(
        folded,
        &[
            "by eoy",
            "by end of",
            "end of the year",
            "by christmas",
            "next year",
            "price be",
            "will the price",
            "yes or no",
            "good time to put",
            "good time to buy",
            "good time to long",
            "good time to short",
            "long eth",
            "short eth",
            "long btc",
            "short btc",
            "年底",
            "明年",
            "几时",
            "什么时候会",
            "拉盘",
            "能到多少",
            "升返",
            "值得囤",
            "囤吗",
            "会反弹吗",
            "能反弹吗",
            "起飞",
            "要涨了",
            "to the moon",
        ],
    );
    let lending = any(
        folded,
        &[
            "debt",
            "hf",
            "health",
            "liquidat",
            "borrow",
            "repay",
            "collateral",
            "loan",
            "清算",
            "爆仓",
            "健康",
            "借",
            "还款",
            "抵押",
            "仓位",
            "利息",
            "利率",
        ],
    );
    coin && future && !lending
}

/// A question about who the user is talking to ("are you a bot?", "是真人吗"), not a demand
/// for a person ("I want a human", "转人工"): answered, never escalated.
pub fn asks_who_it_is(folded: &str) -> bool {
    let chars = folded.chars().filter(|c| !c.is_whitespace()).count();
    if chars > 80 {
        return false;
    }
    let en_subject = any(
        folded,
        &[
            "are you a",
            "are you an",
            "are you human",
            "are you real",
            "are you ai",
            "are u a",
            "r u a",
            "u a bot",
            "is this a bot",
            "is this ai",
            "is this an ai",
            "is this a real",
            "is this a human",
            "is this human",
            "am i talking to",
            "am i chatting with",
            "who am i talking to",
            "who am i chatting with",
            "bot or human",
            "human or bot",
            "bot or a human",
            "bot or a person",
            "bot or real",
            "is this gpt",
            "is this chatgpt",
            "is this a gpt",
            "is this an llm",
            "are you gpt",
            "are you chatgpt",
            "are u gpt",
            "is it a bot",
            "is it ai",
            "is it a human",
            "is it a real person",
            "u human",
            "human being or",
            "automated system",
            "am i speaking with",
            "am i speaking to",
            "ur a bot",
            "bot?",
            "you a bot",
            "real human?",
            "real person?",
            "is this chat automated",
            "is this automated",
            "this chat automated",
            "are you the official",
            "r u the official",
            "are u the official",
            "is this the official",
            "are you official",
        ],
    );
    let en_what = any_word(
        folded,
        &[
            "bot",
            "robot",
            "ai",
            "human",
            "person",
            "real",
            "chatbot",
            "gpt",
            "chatgpt",
            "automated",
            "official",
        ],
    );
    let zh = any(
        folded,
        &[
            "你是机器人",
            "你是不是机器人",
            "是机器人吗",
            "你是真人",
            "你是不是真人",
            "是真人吗",
            "是人工吗",
            "你是人工",
            "你是ai",
            "你是不是ai",
            "是ai吗",
            "你是人工智能",
            "是人工智能吗",
            "机器人还是真人",
            "真人还是机器人",
            "真人还是ai",
            "ai还是真人",
            "机器人还是人",
            "我在跟谁聊",
            "我在和谁聊",
            "我在跟机器人",
            "我在和机器人",
            "是不是ai",
            "是不是机器人",
            "是不是真人",
            "是gpt吗",
            "是不是gpt",
            "chatgpt吗",
            "自动回复吗",
            "是自动回复",
            "是真人在",
            "真人在回",
            "机械人",
            "系咪机",
            "系咪真人",
            "系唔系真人",
            "bot还是",
            "还是bot",
            "是bot吗",
            "是不是bot",
            "机器人吗",
            "ai吗",
            "真人吗",
            "机器人?",
        ],
    );
    let demands = any(
        folded,
        &[
            "want a",
            "want to talk",
            "want to speak",
            "need a human",
            "need a person",
            "need a real",
            "get me",
            "talk to a",
            "speak to a",
            "speak with a",
            "connect me",
            "transfer me",
            "give me a",
            "let me talk",
            "转人工",
            "找人工",
            "要人工",
            "要真人",
            "找真人",
            "人工客服",
            "搵真人",
            "搵个真人",
            "唔想同机械人",
            "唔想同机器人",
        ],
    );
    // "你是人工客服吗" names a person while asking what the desk is.
    let zh_asks_kind = any(
        folded,
        &[
            "你是人工客服",
            "是人工客服吗",
            "是真人客服吗",
            "人工还是自动",
            "人工还是机器",
            "是人工还是",
            "还是自动回复",
            "真人回复还是",
            "是真人还是",
            "真人还是ai",
            "人工客服还是",
            "真人还是自动",
        ],
    );
    // "who made you", "谁开发的你": where the desk comes from.
    let origin = any(
        folded,
        &[
            "who made you",
            "who built you",
            "who created you",
            "who developed you",
            "who programmed you",
            "who runs you",
            "谁开发的你",
            "谁做的你",
            "谁写的你",
            "你是谁开发",
            "你是谁做的",
            "你是谁写的",
            "你是chatgpt",
            "是不是chatgpt",
            "你是gpt",
        ],
    );
    (((en_subject && en_what) || zh || origin) && !demands) || zh_asks_kind
}

/// "I have a question", "问个问题": a question announced, not yet asked (the answer says what
/// the bot can do, which invites it).
fn announces_a_question(folded: &str) -> bool {
    const ANNOUNCED: &[&str] = &[
        "i have a question",
        "i have a quick question",
        "i have question",
        "have a question",
        "got a question",
        "quick question",
        "i have some questions",
        "can i ask a question",
        "can i ask you something",
        "can i ask something",
        "question please",
        "我有个问题",
        "我有一个问题",
        "有个问题",
        "问个问题",
        "请教个问题",
        "请教一个问题",
        "想问个问题",
        "想问一下",
        "请问一下",
        "咨询一下",
        "我想咨询",
        "one more question",
        "another question",
        "i have another question",
        "a question",
        "还有一个问题",
        "还有个问题",
        "再问一个问题",
        "再问个问题",
        "一个问题",
        "有问题",
        "问题",
    ];
    // What may follow the announcement: "i have a question pls", "我有个问题想问一下".
    const AFTER: &[&str] = &[
        "pls",
        "please",
        "here",
        "about",
        "aave",
        "嗯",
        "啊",
        "哈",
        "呢",
        "了",
        "想问",
        "想问一下",
        "想问问",
        "问一下",
        "问下",
        "请教",
        "请教一下",
    ];
    let bare = folded.trim_matches(|c: char| !c.is_alphanumeric());
    ANNOUNCED.iter().any(|a| {
        bare.strip_prefix(a).is_some_and(|rest| {
            rest.trim_matches(|c: char| !c.is_alphanumeric())
                .split_whitespace()
                .all(|w| AFTER.contains(&w))
        })
    })
}

/// "help", "what can you do", "你能做什么": the message is nothing but a request for what the
/// bot can do (a "help" inside a story is not).
pub fn asks_for_help(folded: &str) -> bool {
    // A message with a word of lending in it is never only a call for help (no phrase of
    // HELP_ASKS, HELP_INSIDE or HELP_FILLER holds one, see the test), and most messages have
    // one: they skip building `bare`.
    if any(folded, HELP_LENDING) {
        return false;
    }
    let bare: String = folded
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .filter(|w| !HELP_FILLER.contains(w))
        .collect::<Vec<_>>()
        .join(" ");
    let words = bare.split_whitespace().count();
    HELP_ASKS.contains(&bare.as_str())
        || (words > 0 && bare.split_whitespace().all(|w| HELP_ASKS.contains(&w)))
        || (words <= 14 && HELP_INSIDE.iter().any(|p| bare.contains(p)))
}

/// Words left out before a call for help is read ("help pls", "bot, what can you do").
const HELP_FILLER: &[&str] = &["please", "pls", "plz", "bot", "lendesk", "me", "hey", "hi"];

/// The whole message, once [`HELP_FILLER`] and punctuation are left out: a call for help.
const HELP_ASKS: &[&str] = &[
    "help",
    "what can you do",
    "what do you do",
    "what can u do",
    "what are you for",
    "how do i use you",
    "how do i use this",
    "how does this work",
    "how does this bot work",
    "what can i ask",
    "what can i ask you",
    "commands",
    "menu",
    "你能做什么",
    "你会什么",
    "你能干嘛",
    "你能干什么",
    "你有什么功能",
    "有什么功能",
    "怎么用",
    "怎么用你",
    "这个机器人怎么用",
    "帮助",
    "我能问什么",
    "能问什么",
    "你能干啥",
    "你能做啥",
    "你会啥",
    "你能帮我什么",
    "你能帮我做什么",
    "怎么用这个机器人",
    "这个bot怎么用",
    "bot怎么用",
    "怎么使用",
    "如何使用",
    "使用说明",
    "what can this bot do",
    "what does this bot do",
    "how to use",
    "how do i use it",
    "how does it work",
    "what are you",
    "what is this bot",
    "what is this",
];

/// Asked inside a few more words ("first time here, how do I use this bot? do I just type
/// questions?"), when nothing in them is about lending.
const HELP_INSIDE: &[&str] = &[
    "what can you do",
    "what can u do",
    "how do i use this",
    "how do i use you",
    "how to use this bot",
    "how does this bot work",
    "what can i ask",
    "你能做什么",
    "你能帮我什么",
    "这个机器人怎么用",
    "怎么用这个机器人",
    "你有什么功能",
    "things can i ask",
    "能问你啥",
    "能问你什么",
    "介绍下功能",
    "介绍一下功能",
    "介绍下你",
    "介绍一下你",
    "咩功能",
    "有啥功能",
    "什么功能",
];

/// Words of lending: a message with one is a question, not a call for help (see
/// [`asks_for_help`]).
const HELP_LENDING: &[&str] = &[
    "liquidat", "health", "hf", "borrow", "repay", "withdraw", "deposit", "supply", "清算", "爆仓",
    "借", "还款", "取", "存",
];

/// Tax: whether and how to declare, what is taxable. A help desk for lending cannot advise on
/// a country's tax law.
pub fn asks_about_tax(folded: &str) -> bool {
    any_word(folded, &["tax", "taxes", "taxed", "taxable", "irs", "hmrc"])
        || any(
            folded,
            &[
                "报税",
                "纳税",
                "缴税",
                "交税",
                "税务",
                "扣税",
                "要不要税",
                "个税",
                "申报",
            ],
        )
}

/// Price predictions and investment advice.
pub fn out_of_scope(folded: &str) -> bool {
    // Up or down, said of a price; said of a debt, a rate or a health factor it is a
    // lending question ("负债会不会涨到把我清算掉").
    let moves = any(
        folded,
        &[
            "go up",
            "go down",
            "会涨吗",
            "会跌吗",
            "能涨",
            "涨到多少",
            "能涨到",
            "会涨到",
            "会不会涨",
            "会不会跌",
            "涨还是跌",
            "涨还是会跌",
        ],
    ) && !any(
        folded,
        &[
            "debt", "interest", "rate", "apy", "apr", "health", "hf", "liquidat", "负债", "欠款",
            "债", "利息", "利率", "年化", "健康", "清算",
        ],
    );
    let predict = moves
        || any(
            folded,
            &[
                "will eth go",
                "will btc go",
                "price prediction",
                "predict",
                "going to pump",
                "going to dump",
                "moon",
                "should i buy",
                "buy now",
                "should i sell",
                "is it a good time to buy",
                "good investment",
                "financial advice",
                "investment advice",
                "better investment",
                "which coin",
                "100x",
                "预测",
                "该买",
                "该卖",
                "值得买",
                "投资建议",
                "抄底",
                "100x",
                "1000x",
                "next gem",
                "this cycle",
                "bull run",
                "bear market",
                "long or short",
                "long here",
                "short here",
                "go long",
                "go short",
                "wait for a dip",
                "buy the dip",
                "is it topping",
                "the top is in",
                "is this the top",
                "is this the bottom",
                "good entry",
                "trading signal",
                "百倍",
                "千倍",
                "梭哈",
                "做多还是做空",
                "该做多",
                "该做空",
                "牛市",
                "熊市",
                "顶部",
                "底部",
                "推荐个币",
                "推荐币",
                "买什么币",
                "能不能买",
                "买什么稳",
                "哪个币最安全",
                "哪个币最稳",
                "safest coin",
                "won't dump",
                "wont dump",
            ],
        )
        || price_target(folded)
        || coin_future(folded);
    // "what if ETH goes down 20%" is a what-if about the position, not a prediction.
    predict && !folded.contains('%')
}

/// "eth to 5k?", "btc 150k this year": a coin and a round price target, asked. A sum the user
/// holds or moves ("I deposited 10 ETH and borrowed 8k USDC") is not a target: the target
/// follows the coin, or "to"/"hit"/"reach".
fn price_target(folded: &str) -> bool {
    const COINS: &[&str] = &[
        "eth", "btc", "bitcoin", "ethereum", "sol", "bnb", "doge", "xrp",
    ];
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let is_target = |w: &str| {
        w.len() >= 2 && w.ends_with('k') && w[..w.len() - 1].bytes().all(|b| b.is_ascii_digit())
    };
    let aimed = words.iter().enumerate().any(|(i, w)| {
        is_target(w)
            && words[i.saturating_sub(2)..i]
                .iter()
                .any(|p| COINS.contains(p) || ["to", "hit", "reach", "hits", "reaches"].contains(p))
    });
    let coin = words.iter().any(|w| COINS.contains(w));
    let liquidation = any(
        folded,
        &["liquidat", "liq", "health", "hf", "清算", "爆仓", "健康"],
    );
    coin && aimed && folded.contains('?') && !liquidation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theft_feared_or_of_another_account_is_no_hand_over() {
        for m in [
            "钱包连上借贷网站会不会被盗？有哪些风险需要注意",
            "听说好多人被钓鱼，怎么防？",
            "查一下我的负债 我怕被盗了",
            "check my account, is my collateral still there? worried i got hacked",
            "my netflix account got hacked, how do i get it back",
            "我微信号被盗了怎么找回",
        ] {
            assert_eq!(escalation(&fold(m)), None, "{m}");
        }
        for m in [
            "钱包被掏空了 只剩一点gas 我是不是中了木马",
            "my wallet got hacked, netflix too",
            "我的u没了 地址里一分不剩 到底怎么被黑的",
        ] {
            assert!(escalation(&fold(m)).is_some(), "{m}");
        }
    }

    #[test]
    fn one_pass_matching_agrees_with_scanning_each_list() {
        // Lists met in a different order, texts repeated and interleaved, a list that first
        // shows up after texts were scanned, and needles shared by several lists.
        const A: &[&str] = &["health factor", "hf", "健康因子"];
        const B: &[&str] = &["factor", "清算", "liq"];
        const C: &[&str] = &["因子", "withdraw", "zzz"];
        let texts = [
            "what is my health factor",
            "健康因子是多少",
            "can i withdraw",
            "",
            "liquidation 清算",
            "what is my health factor",
            "nothing here",
        ];
        for round in 0..3 {
            for text in texts {
                let lists: &[&'static [&'static str]] = match round {
                    0 => &[A, B],
                    1 => &[C, A, B],
                    _ => &[B, C, A, C],
                };
                for &list in lists {
                    let naive = list.iter().any(|n| text.contains(n));
                    assert_eq!(any(text, list), naive, "{text:?} {list:?}");
                }
            }
        }
    }

    fn syms() -> Vec<String> {
        ["WETH", "USDC", "DAI", "WBTC"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn finds_addresses_and_tells_shortened_from_broken() {
        let m = addresses(
            "check 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, and 0x7099…79C8 and 0x1234567890abcdef1234567890abcdef12345678a and 0xfE03b7c9A1d2",
        );
        assert_eq!(m.valid.len(), 1);
        // Cut with an ellipsis, or without one (too few digits).
        assert_eq!(m.shortened, ["0x7099…79C8", "0xfE03b7c9A1d2"]);
        // Too many digits.
        assert_eq!(m.invalid.len(), 1);
        // Glued to Chinese.
        let glued = addresses("还多少U才不会爆 地址0x70997970C51812dc3A010C7d01b50e0d17dc79C8吗");
        assert_eq!(glued.valid.len(), 1);
        // The start of a transaction hash is no address.
        assert!(
            addresses("tx 0x5c504ed432cb5113 failed")
                .shortened
                .is_empty()
        );
        let hash = format!("0x{}", "ab".repeat(32));
        assert!(addresses(&hash).valid.is_empty() && addresses(&hash).invalid.is_empty());
    }

    #[test]
    fn what_if_reads_direction_asset_and_size() {
        assert_eq!(
            what_if(&fold("What if ETH drops 20%?"), &syms()),
            Some(WhatIf {
                symbol: Some("WETH".into()),
                change_bps: -2_000
            })
        );
        assert_eq!(
            what_if(&fold("如果WBTC跌30%会怎样"), &syms()),
            Some(WhatIf {
                symbol: Some("WBTC".into()),
                change_bps: -3_000
            })
        );
        assert_eq!(
            what_if(&fold("if prices fall 10 %"), &syms()).map(|w| w.change_bps),
            Some(-1_000)
        );
        assert_eq!(what_if(&fold("what is the health factor"), &syms()), None);
        // Percentages in words.
        let worded = |t: &str| {
            let folded = fold(t);
            what_if(&percent_signs(&folded), &syms()).map(|w| w.change_bps)
        };
        assert_eq!(worded("what happen if eth dump 20 percent"), Some(-2000));
        assert_eq!(
            worded("要是大饼姨太再跌三成 我这个仓位扛得住不"),
            Some(-3000)
        );
        assert_eq!(
            what_if(&percent_signs(&fold("姨太再跌三成会怎样")), &syms()).and_then(|w| w.symbol),
            Some("WETH".to_string())
        );
        assert_eq!(worded("如果以太坊再跌百分之三十会怎么样"), Some(-3000));
        assert_eq!(worded("如果ETH跌百分之25"), Some(-2500));
        assert_eq!(worded("如果ETH跌百分之十五"), Some(-1500));
        assert_eq!(percent_signs("变成了0 成功了"), "变成了0 成功了");
        assert_eq!(
            percent_signs("what is the health factor"),
            "what is the health factor"
        );
    }

    #[test]
    fn position_questions_are_personal_and_how_tos_are_not() {
        assert_eq!(
            position_focus(&fold("what's my health factor?"), false),
            Some(PositionFocus::Overview)
        );
        assert_eq!(
            position_focus(&fold("how much can I withdraw"), false),
            Some(PositionFocus::Withdraw)
        );
        assert_eq!(
            position_focus(&fold("am i safe"), false),
            Some(PositionFocus::Overview)
        );
        assert_eq!(
            position_focus(&fold("我的健康因子是多少"), false),
            Some(PositionFocus::Overview)
        );
        assert_eq!(
            position_focus(&fold("我还能借多少"), false),
            Some(PositionFocus::Borrow)
        );
        assert_eq!(position_focus(&fold("how do I withdraw?"), false), None);
        assert_eq!(
            position_focus(&fold("what is a health factor"), false),
            None
        );
        assert_eq!(position_focus(&fold("怎么还款"), false), None);
    }

    #[test]
    fn escalations_put_money_at_risk_first() {
        assert_eq!(
            escalation(&fold("my wallet was hacked and funds stolen")),
            Some(EscalationReason::LostOrStolenFunds)
        );
        assert_eq!(
            escalation(&fold("I want to talk to a human")),
            Some(EscalationReason::AskedForPerson)
        );
        assert_eq!(
            escalation(&fold("转人工")),
            Some(EscalationReason::AskedForPerson)
        );
        assert_eq!(
            escalation(&fold("I sent USDC to the wrong address")),
            Some(EscalationReason::WrongAddress)
        );
        assert_eq!(
            escalation(&fold("withdrawal still failing, already tried twice")),
            Some(EscalationReason::FailedWithdrawal)
        );
        assert_eq!(
            escalation(&fold("my withdrawal failed")),
            None,
            "first the usual checks"
        );
        assert_eq!(escalation(&fold("what is a health factor")), None);
    }

    #[test]
    fn a_call_for_help_holds_no_word_of_lending() {
        // `asks_for_help` answers "no" for any message with a word of lending before it reads
        // the phrases: none of them may hold one.
        for p in HELP_ASKS.iter().chain(HELP_INSIDE).chain(HELP_FILLER) {
            assert!(
                !HELP_LENDING.iter().any(|w| p.contains(w)),
                "{p:?} holds a word of lending"
            );
        }
        assert!(asks_for_help("what can you do?"));
        assert!(asks_for_help("你能做什么"));
        assert!(!asks_for_help("what can you do about my borrow"));
    }

    #[test]
    fn a_question_announced_is_met_with_what_the_bot_can_do() {
        for said in [
            "I have a question",
            "quick question!",
            "我有个问题",
            "问个问题？",
            "我有个问题想问一下",
            "还有一个问题",
            "one more question",
            "有问题",
        ] {
            assert_eq!(small_talk(&fold(said)), Some(SmallTalk::Help), "{said}");
        }
        for asked in [
            "i have a question about my health factor",
            "我有个问题，为什么健康因子下降了",
            "有问题的交易谁来管",
        ] {
            assert_eq!(small_talk(&fold(asked)), None, "{asked}");
        }
    }

    #[test]
    fn cantonese_asks_for_a_person_and_whether_it_is_one() {
        assert!(asks_who_it_is(&fold("你系咪真人嚟㗎")));
        assert!(!asks_who_it_is(&fold("唔该帮我搵个真人 我唔想同机械人倾")));
        assert_eq!(
            escalation(&fold("帮我搵个真人")),
            Some(crate::tickets::EscalationReason::AskedForPerson)
        );
    }

    #[test]
    fn spaced_out_chinese_reads_as_words() {
        assert_eq!(fold("找 负 责 人"), "找负责人");
        assert_eq!(fold("我的 HF 多少"), "我的 hf 多少");
        assert_eq!(fold("清算  是什么"), "清算  是什么");
    }

    #[test]
    fn small_talk_only_when_nothing_else() {
        assert_eq!(small_talk(&fold("hi")), Some(SmallTalk::Hello));
        assert_eq!(small_talk(&fold("谢谢！")), Some(SmallTalk::Thanks));
        assert_eq!(
            small_talk(&fold(
                "hi, what happens when my health factor drops below one"
            )),
            None
        );
        assert!(out_of_scope(&fold("will eth go up tomorrow?")));
        assert!(!out_of_scope(&fold("what if eth goes down 20%")));
    }
}

#[cfg(test)]
mod who_and_help_tests {
    use super::*;

    #[test]
    fn asking_who_it_is_is_not_asking_for_a_person() {
        for asked in [
            "are you a bot?",
            "r u a real person",
            "is this ai or a human",
            "am i talking to a bot",
            "你是机器人吗",
            "你是真人还是ai",
            "是真人吗？",
        ] {
            assert!(asks_who_it_is(&fold(asked)), "{asked}");
        }
        for demand in [
            "are you a bot? i want a human now",
            "get me a real person",
            "转人工",
            "你是机器人吗 我要人工客服",
            "what is a health factor",
            "my bot got liquidated",
        ] {
            assert!(!asks_who_it_is(&fold(demand)), "{demand}");
        }
    }

    #[test]
    fn help_is_the_whole_message_or_nothing() {
        for asked in [
            "help",
            "Help!",
            "help pls",
            "what can you do?",
            "你能做什么",
            "怎么用",
        ] {
            assert_eq!(small_talk(&fold(asked)), Some(SmallTalk::Help), "{asked}");
        }
        for other in [
            "help me i got liquidated",
            "help my funds are gone",
            "how do i repay",
        ] {
            assert_ne!(small_talk(&fold(other)), Some(SmallTalk::Help), "{other}");
        }
    }

    #[test]
    fn paraphrased_small_talk_and_price_questions() {
        let f = |t: &str| fold(t);
        // A coin's price to come is out of scope; a price beside a position is not.
        assert!(out_of_scope(&f("btc 100k by eoy yes or no")));
        assert!(out_of_scope(&f("大饼年底能到多少")));
        assert!(!out_of_scope(&f(
            "eth back to 3.2k after i got liquidated, can i get my eth back"
        )));
        // Who the user talks to, asked, is no demand for a person.
        assert!(asks_who_it_is(&f("r u human")));
        assert!(asks_who_it_is(&f("请问是真人在回复吗？")));
        assert!(!asks_who_it_is(&f("i want to talk to a human")));
        // A long thanks that closes with goodbye; Cantonese thanks.
        assert_eq!(
            small_talk(&f(
                "Thank you very much for your patience, that was very helpful. Goodbye."
            )),
            Some(SmallTalk::Thanks)
        );
        assert_eq!(small_talk(&f("唔该晒")), Some(SmallTalk::Thanks));
        // What the desk can do, beside a position request.
        assert!(asks_what_it_can_do(&f(
            "你可以帮我查仓位吗 还是只能回答问题"
        )));
        assert!(!asks_what_it_can_do(&f("can you check my position")));
        // A polite opening is no greeting when a question follows; 唔该 after a request is
        // "please".
        assert_eq!(
            small_talk(&f("您好，请问我没有做任何操作，为什么健康系数下降了？")),
            None
        );
        assert_eq!(small_talk(&f("你好，在吗")), Some(SmallTalk::Hello));
        assert_eq!(small_talk(&f("早")), Some(SmallTalk::Hello));
        assert_eq!(
            small_talk(&f("清算到底系点样work㗎 step by step讲下 唔该")),
            None
        );
        assert!(asks_who_it_is(&f("who made you")));
        assert!(asks_who_it_is(&f("您好，请问您是人工客服还是自动回复？")));
        assert!(asks_about_tax(&f("在香港炒币赚了一点钱，要不要报税")));
        assert!(!asks_about_tax(&f("what is the borrow rate")));
        // "tell me if" asks for the figure, not a what-if.
        assert!(!asks_for_explanation(&f(
            "can you tell me if i'm close to liquidation?"
        )));
    }

    #[test]
    fn situations_told_are_explained_and_weighed_deposits_are_not_positions() {
        let f = |t: &str| fold(t);
        // Told figure + why / what to do: explained (the desk adds the address request).
        assert!(asks_for_explanation(&f(
            "my hf is 1.08 and red, what do i do"
        )));
        assert!(asks_for_explanation(&f("我什么都没做健康因子怎么降了")));
        assert!(asks_for_explanation(&f(
            "if my hf dips to 0.97 does the liquidator take half"
        )));
        // Asking for the figure itself is not.
        assert!(asks_for_explanation(&f(
            "my debt keeps going up and i didnt borrow more?? is this a scam"
        )));
        assert!(asks_for_explanation(&f(
            "price never went below my liq price but i still got liquidated?? how"
        )));
        assert!(!asks_for_explanation(&f("how much is my debt rn")));
        assert!(!asks_for_explanation(&f("what's my health factor")));
        assert!(!asks_for_explanation(&f("我的健康因子是多少")));
        // A figure the user states, or a long story, is explained too; a lookup is not.
        assert!(explains_more_than_looks_up(&f(
            "how much can i borrow with 10k usdc deposited"
        )));
        assert!(explains_more_than_looks_up(&f(
            "我有5个ETH 存进去最多能借多少U"
        )));
        assert!(explains_more_than_looks_up(&f(
            "i opened the app this morning and the thing under my borrows is red and my son is away, should i be worried about it"
        )));
        assert!(!explains_more_than_looks_up(&f(
            "I borrowed some USDC against my ETH a while ago and kind of forgot about it, can you check how much I owe now and whether my collateral is fine"
        )));
        assert!(!explains_more_than_looks_up(&f("whats my health factor")));
        assert!(!explains_more_than_looks_up(&f("帮我查下我现在欠多少钱")));
        // A deposit weighed is no position question; one made still is.
        assert!(considers_a_deposit(&f(
            "deposit 5 eth how much can i borrow"
        )));
        assert!(considers_a_deposit(&f("我准备抵押 5 个 ETH，能借多少")));
        assert!(considers_a_deposit(&f("存进去安全吗")));
        assert!(!considers_a_deposit(&f(
            "i deposited 10 eth, how much can i borrow"
        )));
        assert_eq!(
            position_focus(&f("deposit 5 eth how much can i borrow"), false),
            None
        );
        assert!(position_focus(&f("how much can i borrow"), false).is_some());
    }

    #[test]
    fn price_talk_is_about_prices_not_debts_or_holdings() {
        let f = |t: &str| fold(t);
        assert!(out_of_scope(&f("eth to 5k?")));
        assert!(out_of_scope(&f(
            "will ETH hit 5k this year? thinking of borrowing more"
        )));
        assert!(out_of_scope(&f("你觉得 BTC 下个月会涨还是跌")));
        assert!(!out_of_scope(&f(
            "我负债每天都多一点点，会不会涨到把我清算掉"
        )));
        assert!(!out_of_scope(&f(
            "i deposited 10 eth and borrowed 8k usdc, why can't i withdraw?"
        )));
        assert!(!out_of_scope(&f("arbitrum 上的 gas 用什么币付？")));
    }

    #[test]
    fn chinese_greetings_open_the_message() {
        assert_eq!(small_talk("在吗"), Some(SmallTalk::Hello));
        assert_eq!(small_talk("你好"), Some(SmallTalk::Hello));
        assert_eq!(small_talk("取不出来 我的钱还在吗"), None);
        assert_eq!(
            small_talk(&fold("thanks, that helped a lot 🙏")),
            Some(SmallTalk::Thanks)
        );
    }
}
