//! Secret detection: seed phrases and private keys pasted into a chat.
//!
//! The desk calls [`scan`] first on every incoming message. On a hit it deletes the message,
//! warns the user, and only ever keeps [`redact`]ed text: no reply, log line, ticket or store
//! record may hold the secret. A [`Finding`] holds a byte span, never the secret itself, so it is
//! safe to log with `{:?}`.
//!
//! # How secrets are told apart from ordinary text
//!
//! The text is tokenized once, left to right. Each character is NFKD-normalized on its own
//! (full-width `ａｂａｎｄｏｎ` → `abandon`, `①` → `1`, accents dropped), so spans always refer
//! to the original bytes. ASCII letters and digits form alphanumeric tokens; every CJK ideograph
//! is a token of its own; everything else (spaces, tabs, line breaks, punctuation, `、`, `，`)
//! separates tokens. A token that mixes digits and letters is cut at each digit/letter boundary,
//! so numbering glued to a word (`1.abandon`, `1)abandon`, `1-abandon`, `#1`, `①abandon`) leaves
//! a plain word. Number tokens are transparent: they never start, end or break a run.
//!
//! ## 1. Seed phrases (BIP39, English and Simplified Chinese)
//!
//! Every word token is classified, case-insensitively, as
//! * **listed**: an exact BIP39 word, or a 4-letter abbreviation of one (BIP39 words are unique
//!   by their first four letters and metal back-ups often store only those), unless that
//!   abbreviation is a common English word ("than", "them", "have", "with"…);
//! * **typo-like**: 3–9 letters, not listed, but one insertion, deletion, substitution or
//!   adjacent swap away from a listed word, or sharing the first four letters of one;
//! * **other**: anything else. Other words, hex, URLs and (for English) Chinese characters
//!   break a run.
//!
//! A *run* is a stretch of listed and typo-like words with no other word, no two typo-like
//! words side by side, and no sentence punctuation: a word with `.` `?` `!` `:` `;` a closing
//! bracket or quote or `*` attached to its end *and then whitespace* ends the run (numbering
//! such as `1.` or `2)` belongs to a number, not a word, and `abandon.ability` has no space, so
//! neither ends a run). A run is a seed phrase when it holds **11 or more consecutive listed
//! words**, or **a single typo-like word whose listed neighbours on both sides add up to 10 or
//! more** (an 11–25 word run with one typo). Once a run is flagged, it grows over gaps of at most
//! two non-listed words to further stretches of at least two listed words, so a second or third
//! typo cannot leave half a phrase unredacted. Listed words touching a phrase ("seed phrase
//! abandon …") are redacted with it: nobody can tell where a phrase starts.
//!
//! Why ordinary English does not trigger: many everyday words are BIP39 words ("you", "about",
//! "account", "balance", "borrow", "make", "sure", "have"…), but no BIP39 word is shorter than
//! three letters, and real sentences are full of short function words ("I", "to", "my", "is",
//! "it", "do", "of", "a"…) and of sentence punctuation, both of which end a run long before it
//! reaches 11 listed words. "I want to borrow more but my health factor is low what should I do
//! about it" never has more than two listed words in a row (see the tests). Function words alone
//! are not enough ("make sure you have enough token for gas" is nine listed words and two
//! typo-like ones); the punctuation rule is what keeps prose such as the FAQ clean.
//!
//! Chinese: BIP39 Chinese words are single characters that are also the most common characters
//! of ordinary text, so
//! * (a) characters that stand alone (separated by spaces, commas, `、`, numbering) follow the
//!   same run rule as English words (a stand-alone character outside the list is typo-like; two
//!   or more characters written together break the run);
//! * (b) characters written together count only when a line, or a block of consecutive lines,
//!   holds nothing but listed characters and whitespace, the total is exactly 12, 15, 18, 21 or
//!   24 characters, and the BIP39 **checksum is valid**. The same applies to the tail of a line
//!   after its last colon (`助记词：…`) when the message names a seed phrase (`助记词`, `种子`,
//!   `恢复短语`, `mnemonic`, `seed`, `phrase`, `recovery`). "我的健康因子是多少我应该怎么办才能不被清算"
//!   is not flagged: it has other text around it or fails the checksum.
//!
//! `checksum_valid` is `Some(true)` when some window of 12/15/18/21/24 consecutive listed words
//! inside the finding has a valid BIP39 checksum, `Some(false)` when such windows exist but none
//! is valid, and `None` when there is no such window (too few words, or a typo in every one).
//!
//! ## 2. Private keys (64 hex characters)
//!
//! A standalone alphanumeric token of exactly 64 hex digits, with or without `0x`, is a private
//! key. Exactly 64: an Ethereum address (`0x` + 40 hex), a signature or calldata (longer) and
//! anything glued to other letters or digits is never a key. Nor is a value that cannot be a
//! secp256k1 key in practice: 16 or more leading zero digits (a padded address, amount or event
//! topic; a random key starts that way with probability 2⁻⁶⁴) or a value at or above the curve
//! order (`uint256` max, the "unlimited approval" amount). A `0x` + 64 hex token is a
//! **transaction hash** instead (see [`looks_like_tx_hash`]) when
//! * it sits in a URL path or query right after a `tx`/`txs`/`txn`/`transaction(s)`/`hash`/
//!   `txhash` segment (`https://etherscan.io/tx/0x…`), or
//! * the message talks about a transaction (tx, txn, txs, txid, txhash, hash, transaction,
//!   etherscan or any `*scan` explorer, blockscout, explorer, pending, stuck, fail/failed,
//!   revert(ed), confirm…, unconfirmed, 交易, 哈希, 转账, 区块浏览器, 卡住, 失败, 未确认, 待确认) **and**
//!   does not also talk about keys (key, private, privkey, pk, secret, seed, mnemonic, 私钥,
//!   密钥, 秘钥, 助记词): "confirm" is also what scammers say, so a key word wins.
//!
//! A bare 64-hex token without `0x` is always a key: wallets export keys that way, EVM explorers
//! show hashes with `0x`.
//!
//! ## 3. Extended private keys and WIF
//!
//! `xprv`, `tprv`, `yprv`, `zprv`, `uprv`, `vprv` (and `Yprv`, `Zprv`, `Uprv`, `Vprv`) followed
//! by 100 or more base58 characters is an [`SecretKind::ExtendedPrivateKey`]; a WIF key (51
//! base58 characters starting with `5`, or 52 starting with `K` or `L`) is a
//! [`SecretKind::PrivateKey`]. Both report whether their base58check checksum is valid, and both
//! are flagged either way (a typo must not let a key through).
//!
//! Keystore JSON is out of scope.
//!
//! # Cost
//!
//! One pass over the characters, O(1) hash lookups per token, word lists built once in a
//! [`LazyLock`]. Checksums are computed only for runs that are already flagged (at most 64
//! windows per run), base58 only for key-shaped tokens of bounded length, and the URL look-back
//! for tx hashes is capped at 512 bytes, so every step stays linear in the input. In release
//! builds a typical 100-byte message scans in a few microseconds.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::LazyLock;

use bip39::{Language, Mnemonic};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// What kind of secret a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// A BIP39 mnemonic (English or Simplified Chinese).
    SeedPhrase,
    /// A raw 64-hex private key or a WIF key.
    PrivateKey,
    /// A BIP32 extended private key (`xprv…`).
    ExtendedPrivateKey,
}

/// One secret found in a message. It holds only where the secret is, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub kind: SecretKind,
    /// Byte range in the input.
    pub span: Range<usize>,
    /// Seed words in the span (listed and typo-like); 0 for keys.
    pub words: usize,
    /// Seed phrase: see the module doc. WIF / extended keys: base58check validity. Hex keys: `None`.
    pub checksum_valid: Option<bool>,
}

/// Every secret in `text`, in order. Spans never overlap.
pub fn scan(text: &str) -> Vec<Finding> {
    let tokens = tokenize(text);
    let mut found = Vec::new();

    key_findings(text, &tokens, &mut found);
    phrase_findings(&english_units(&tokens), &mut found);
    phrase_findings(&chinese_units(&tokens), &mut found);
    let listed_han = tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Han(Some(_))))
        .count();
    if listed_han >= PHRASE_LENGTHS[0] {
        unseparated_chinese(text, &mut found);
    }
    merge(found)
}

/// True when `text` holds any secret.
pub fn contains_secret(text: &str) -> bool {
    !scan(text).is_empty()
}

/// `text` with every finding replaced by `[redacted]`: safe to log or store.
pub fn redact(text: &str) -> String {
    let findings = scan(text);
    if findings.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for finding in &findings {
        if let Some(clear) = text.get(last..finding.span.start) {
            out.push_str(clear);
        }
        out.push_str(REDACTED);
        last = last.max(finding.span.end);
    }
    if let Some(clear) = text.get(last..) {
        out.push_str(clear);
    }
    out
}

/// Whether the `0x` + 64 hex token at `span` is, by its context in `text`, a transaction hash
/// rather than a private key: it follows a `tx`-like URL path segment, or the message talks about
/// a transaction and not about keys. A token without `0x`, of another length, or a span that is
/// not a valid range of `text` is never a tx hash.
pub fn looks_like_tx_hash(text: &str, span: Range<usize>) -> bool {
    let Some(token) = text.get(span.clone()) else {
        return false;
    };
    classify_key(token) == Some(KeyClass::PrefixedHex)
        && tx_hash_in_context(text, span.start, &TxContext::of(text))
}

// ---------------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------------

const REDACTED: &str = "[redacted]";
/// Valid BIP39 phrase lengths, shortest first.
const PHRASE_LENGTHS: [usize; 5] = [12, 15, 18, 21, 24];
/// Consecutive listed words that make a run a seed phrase on their own.
const MIN_RUN: usize = 11;
/// Longest gap of non-listed words a flagged run grows over.
const MAX_GAP: usize = 2;
/// Bound on checksum windows tried per finding, to stay linear on pathological input.
const MAX_CHECKSUM_WINDOWS: usize = 64;
const EXTENDED_PREFIXES: [&str; 10] = [
    "xprv", "tprv", "yprv", "zprv", "uprv", "vprv", "Yprv", "Zprv", "Uprv", "Vprv",
];
const SEED_NAMES: [&str; 7] = [
    "助记词",
    "种子",
    "恢复短语",
    "mnemonic",
    "seed",
    "phrase",
    "recovery",
];

/// Four-letter English words that are also the first four letters of a BIP39 word ("than" →
/// "thank", "them" → "theme"): ordinary prose, not an abbreviated seed word.
const COMMON_WORDS: [&str; 40] = [
    "than", "them", "then", "they", "this", "with", "were", "will", "your", "have", "from", "into",
    "when", "what", "been", "does", "done", "just", "very", "some", "also", "only", "even", "here",
    "need", "know", "said", "tell", "told", "help", "much", "many", "most", "less", "each", "both",
    "once", "over", "like", "make",
];

/// Multiplicative hasher for the packed-word and `char` keys of the word lists.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        let x = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^ (x >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(29) ^ n;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<MixHasher>>;

struct Wordlists {
    /// Packed English word → index.
    english: FastMap<u64, u16>,
    /// Packed first four letters of every English word of 4+ letters → index (unique by BIP39).
    abbreviations: FastMap<u64, u16>,
    /// Every English word with one letter removed, packed (for typo matching).
    one_deletion: FastSet<u64>,
    /// Simplified Chinese character → index.
    chinese: FastMap<char, u16>,
    /// Common English words that are not BIP39 words: never read as a 4-letter abbreviation.
    common: FastSet<u64>,
}

static WORDLISTS: LazyLock<Wordlists> = LazyLock::new(|| {
    let mut lists = Wordlists {
        english: FastMap::default(),
        abbreviations: FastMap::default(),
        one_deletion: FastSet::default(),
        chinese: FastMap::default(),
        common: FastSet::default(),
    };
    for (i, word) in Language::English.word_list().iter().enumerate() {
        let Ok(index) = u16::try_from(i) else {
            continue;
        };
        let bytes = word.as_bytes();
        if let Some(key) = pack(bytes) {
            lists.english.insert(key, index);
        }
        if let Some(key) = bytes.get(..4).and_then(pack) {
            lists.abbreviations.insert(key, index);
        }
        for skip in 0..bytes.len() {
            if let Some(key) = pack_without(bytes, skip) {
                lists.one_deletion.insert(key);
            }
        }
    }
    for word in COMMON_WORDS {
        if let Some(key) = pack(word.as_bytes())
            && !lists.english.contains_key(&key)
        {
            lists.common.insert(key);
        }
    }
    for (i, word) in Language::SimplifiedChinese.word_list().iter().enumerate() {
        let Ok(index) = u16::try_from(i) else {
            continue;
        };
        let mut chars = word.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            lists.chinese.insert(c, index);
        }
    }
    lists
});

/// Letters a–z (any case) packed 5 bits each; `None` for other bytes or more than 12 letters.
fn pack(letters: &[u8]) -> Option<u64> {
    pack_without(letters, usize::MAX)
}

/// [`pack`] with the letter at `skip` left out.
fn pack_without(letters: &[u8], skip: usize) -> Option<u64> {
    let mut key = 0u64;
    let mut count = 0;
    for (i, &b) in letters.iter().enumerate() {
        if i == skip {
            continue;
        }
        let b = b.to_ascii_lowercase();
        if !b.is_ascii_lowercase() || count == 12 {
            return None;
        }
        key = key << 5 | u64::from(b - b'a' + 1);
        count += 1;
    }
    Some(key)
}

fn classify_word(word: &[u8]) -> WordClass {
    let lists = &*WORDLISTS;
    if let Some(key) = pack(word) {
        if let Some(&index) = lists.english.get(&key) {
            return WordClass::Listed(index);
        }
        if word.len() == 4
            && !lists.common.contains(&key)
            && let Some(&index) = lists.abbreviations.get(&key)
        {
            return WordClass::Listed(index);
        }
    }
    if (3..=9).contains(&word.len()) && typo_like(word, lists) {
        WordClass::TypoLike
    } else {
        WordClass::Plain
    }
}

/// One edit (insertion, deletion, substitution, adjacent swap) from a listed word, or the same
/// first four letters as one.
fn typo_like(word: &[u8], lists: &Wordlists) -> bool {
    if word.len() >= 5
        && word
            .get(..4)
            .and_then(pack)
            .is_some_and(|k| lists.abbreviations.contains_key(&k))
    {
        return true;
    }
    if pack(word).is_some_and(|k| lists.one_deletion.contains(&k)) {
        return true;
    }
    (0..word.len()).any(|skip| {
        pack_without(word, skip)
            .is_some_and(|k| lists.english.contains_key(&k) || lists.one_deletion.contains(&k))
    })
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

/// The BIP39 Chinese index of `c` after NFKD, if it is a listed character.
fn han_index(c: char) -> Option<u16> {
    let lists = &*WORDLISTS;
    if let Some(&index) = lists.chinese.get(&c) {
        return Some(index);
    }
    let mut single = None;
    let mut parts = 0;
    decompose_compatible(c, |d| {
        parts += 1;
        single = Some(d);
    });
    match (parts, single) {
        (1, Some(d)) if d != c => lists.chinese.get(&d).copied(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordClass {
    Listed(u16),
    TypoLike,
    Plain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyClass {
    /// `0x` + 64 hex: a key unless the context says tx hash.
    PrefixedHex,
    /// 64 hex, no prefix: always a key.
    BareHex,
    Wif,
    Extended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenKind {
    Number,
    Word(WordClass),
    /// One CJK ideograph, with its BIP39 Chinese index if listed.
    Han(Option<u16>),
    Key(KeyClass),
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    start: usize,
    end: usize,
    kind: TokenKind,
    /// Sentence punctuation (`.` `?` `!` `:` `;` closing brackets, quotes, `*`) is attached to
    /// the end of this token and followed by whitespace: prose, not a word list.
    hard_after: bool,
}

#[derive(Default)]
struct Tokenizer {
    tokens: Vec<Token>,
    /// The current alphanumeric token, NFKD-normalized, case kept.
    buf: String,
    /// Original byte range of the character behind each byte of `buf`.
    src: Vec<(usize, usize)>,
    /// `buf` holds a letter outside ASCII (Cyrillic, kana…): never a word or a key.
    foreign: bool,
    /// Separators seen since the last token.
    gap_len: usize,
    /// The first separator after the last token was sentence punctuation.
    gap_hard: bool,
    /// Some separator after the last token was whitespace.
    gap_space: bool,
}

impl Tokenizer {
    /// Appends a token, closing the gap after the previous one.
    fn emit(&mut self, start: usize, end: usize, kind: TokenKind) {
        if let Some(prev) = self.tokens.last_mut() {
            prev.hard_after = self.gap_hard && self.gap_space;
        }
        self.gap_len = 0;
        self.gap_hard = false;
        self.gap_space = false;
        self.tokens.push(Token {
            start,
            end,
            kind,
            hard_after: false,
        });
    }

    /// A separator character (after NFKD) between tokens.
    fn separator(&mut self, c: char) {
        self.flush();
        if c.is_whitespace() {
            self.gap_space = true;
        } else if self.gap_len == 0 {
            self.gap_hard = matches!(
                c,
                '.' | '?'
                    | '!'
                    | ':'
                    | ';'
                    | '"'
                    | '*'
                    | ')'
                    | ']'
                    | '}'
                    | '>'
                    | '`'
                    | '。'
                    | '”'
                    | '」'
                    | '』'
                    | '》'
            );
        }
        self.gap_len += 1;
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        self.buf.push(c);
        for _ in 0..c.len_utf8() {
            self.src.push((start, end));
        }
    }

    fn flush(&mut self) {
        let (Some(&(start, _)), Some(&(_, end))) = (self.src.first(), self.src.last()) else {
            return;
        };
        if let Some(key) = classify_key(&self.buf) {
            self.emit(start, end, TokenKind::Key(key));
        } else if self.foreign {
            self.emit(start, end, TokenKind::Other);
        } else {
            // Cut at every digit/letter boundary: "1abandon" → "1" "abandon".
            let buf = std::mem::take(&mut self.buf);
            let bytes = buf.as_bytes();
            let mut from = 0;
            while from < bytes.len() {
                let digits = bytes[from].is_ascii_digit();
                let to = bytes[from..]
                    .iter()
                    .position(|b| b.is_ascii_digit() != digits)
                    .map_or(bytes.len(), |n| from + n);
                let kind = if digits {
                    TokenKind::Number
                } else {
                    TokenKind::Word(classify_word(&bytes[from..to]))
                };
                if let (Some(&(s, _)), Some(&(_, e))) = (self.src.get(from), self.src.get(to - 1)) {
                    self.emit(s, e, kind);
                }
                from = to;
            }
            // Keep the allocation for the next token.
            self.buf = buf;
        }
        self.buf.clear();
        self.src.clear();
        self.foreign = false;
    }
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut t = Tokenizer::default();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                t.push(c, i, end);
            } else {
                t.separator(c);
            }
            continue;
        }
        let mut parts = ['\0'; 4];
        let mut n = 0;
        let mut overflow = false;
        decompose_compatible(c, |d| match parts.get_mut(n) {
            Some(slot) => {
                *slot = d;
                n += 1;
            }
            None => overflow = true,
        });
        if overflow {
            t.separator(c);
            continue;
        }
        if let [single] = parts[..n]
            && is_han(single)
        {
            t.flush();
            let index = WORDLISTS.chinese.get(&single).copied();
            t.emit(i, end, TokenKind::Han(index));
            continue;
        }
        for &d in &parts[..n] {
            if d.is_ascii_alphanumeric() {
                t.push(d, i, end);
            } else if is_combining_mark(d) {
                // Accents vanish: "abándon" reads as "abandon".
            } else if d.is_alphabetic() {
                t.foreign = true;
                t.push(d, i, end);
            } else {
                t.separator(d);
            }
        }
    }
    t.flush();
    // Best effort: do not leave the last normalized token lying around in freed memory.
    let mut scratch = std::mem::take(&mut t.buf).into_bytes();
    scratch.fill(0);
    std::hint::black_box(&scratch);
    t.tokens
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

fn is_base58(b: u8) -> bool {
    b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l')
}

fn classify_key(token: &str) -> Option<KeyClass> {
    let b = token.as_bytes();
    let all =
        |from: usize, f: fn(u8) -> bool| b.get(from..).is_some_and(|r| r.iter().all(|&c| f(c)));
    let hex = |c: u8| c.is_ascii_hexdigit();
    match b.len() {
        66 if (token.starts_with("0x") || token.starts_with("0X"))
            && all(2, hex)
            && token.get(2..).is_some_and(could_be_scalar) =>
        {
            Some(KeyClass::PrefixedHex)
        }
        64 if all(0, hex) && could_be_scalar(token) => Some(KeyClass::BareHex),
        51 if token.starts_with('5') && all(0, is_base58) => Some(KeyClass::Wif),
        52 if token.starts_with(['K', 'L']) && all(0, is_base58) => Some(KeyClass::Wif),
        n if n >= 104
            && EXTENDED_PREFIXES.iter().any(|p| token.starts_with(p))
            && all(0, is_base58) =>
        {
            Some(KeyClass::Extended)
        }
        _ => None,
    }
}

/// Whether 64 hex digits can be a secp256k1 private key in practice: not a padded ABI word
/// (16+ leading zero digits: an address, an amount, an event topic; a random key starts that way
/// with probability 2⁻⁶⁴) and below the curve order (rules out `uint256` max, the "unlimited
/// approval" amount users paste).
fn could_be_scalar(hex64: &str) -> bool {
    const ORDER: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    let leading_zeros = hex64.bytes().take_while(|&b| b == b'0').count();
    let below_order = hex64
        .bytes()
        .map(|b| b.to_ascii_lowercase())
        .lt(ORDER.bytes());
    leading_zeros < 16 && below_order
}

fn key_findings(text: &str, tokens: &[Token], out: &mut Vec<Finding>) {
    let mut context = None;
    for token in tokens {
        let TokenKind::Key(class) = token.kind else {
            continue;
        };
        let raw = text.get(token.start..token.end).unwrap_or_default();
        let (kind, checksum_valid) = match class {
            KeyClass::BareHex => (SecretKind::PrivateKey, None),
            KeyClass::PrefixedHex => {
                let context = context.get_or_insert_with(|| TxContext::of(text));
                if tx_hash_in_context(text, token.start, context) {
                    continue;
                }
                (SecretKind::PrivateKey, None)
            }
            KeyClass::Wif => (SecretKind::PrivateKey, Some(base58check_valid(raw))),
            KeyClass::Extended => (
                SecretKind::ExtendedPrivateKey,
                // A serialized extended key is 82 bytes: 111 or 112 base58 characters.
                Some(raw.len() <= 112 && base58check_valid(raw)),
            ),
        };
        out.push(Finding {
            kind,
            span: token.start..token.end,
            words: 0,
            checksum_valid,
        });
    }
}

/// What a message talks about, for telling tx hashes from keys.
#[derive(Default)]
struct TxContext {
    transaction: bool,
    key: bool,
}

impl TxContext {
    const TX_WORDS: [&str; 22] = [
        "tx",
        "txn",
        "txns",
        "txs",
        "txid",
        "txids",
        "txhash",
        "hash",
        "hashes",
        "explorer",
        "blockscout",
        "snowtrace",
        "pending",
        "stuck",
        "fail",
        "fails",
        "failed",
        "failing",
        "revert",
        "reverted",
        "reverts",
        "unconfirmed",
    ];
    const TX_PREFIXES: [&str; 3] = ["transaction", "confirm", "etherscan"];
    const TX_CHINESE: [&str; 9] = [
        "交易",
        "哈希",
        "转账",
        "区块浏览器",
        "区块链浏览器",
        "卡住",
        "失败",
        "未确认",
        "待确认",
    ];
    const KEY_WORDS: [&str; 10] = [
        "key",
        "keys",
        "private",
        "privkey",
        "privatekey",
        "pk",
        "secret",
        "seed",
        "mnemonic",
        "priv",
    ];
    const KEY_CHINESE: [&str; 4] = ["私钥", "密钥", "秘钥", "助记词"];

    fn of(text: &str) -> Self {
        let mut ctx = Self::default();
        let mut lower = [0u8; 24];
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            let Some(slot) = lower.get_mut(..word.len()) else {
                continue;
            };
            if word.is_empty() {
                continue;
            }
            slot.copy_from_slice(word.as_bytes());
            slot.make_ascii_lowercase();
            let Ok(w) = std::str::from_utf8(slot) else {
                continue;
            };
            if Self::TX_WORDS.contains(&w)
                || Self::TX_PREFIXES.iter().any(|p| w.starts_with(p))
                || (w.len() > 4 && w.ends_with("scan"))
            {
                ctx.transaction = true;
            }
            if Self::KEY_WORDS.contains(&w) {
                ctx.key = true;
            }
        }
        ctx.transaction |= Self::TX_CHINESE.iter().any(|k| text.contains(k));
        ctx.key |= Self::KEY_CHINESE.iter().any(|k| text.contains(k));
        ctx
    }
}

fn tx_hash_in_context(text: &str, start: usize, context: &TxContext) -> bool {
    in_tx_url(text, start) || (context.transaction && !context.key)
}

/// The token at `start` follows a `tx`-like path or query segment of a URL-ish chunk.
fn in_tx_url(text: &str, start: usize) -> bool {
    const SEGMENTS: [&str; 8] = [
        "tx",
        "txs",
        "txn",
        "txhash",
        "tx_hash",
        "hash",
        "transaction",
        "transactions",
    ];
    /// Longest URL prefix looked at, so many hashes in one chunk stay linear.
    const MAX_LOOKBACK: usize = 512;
    let from = (start.saturating_sub(MAX_LOOKBACK)..start)
        .find(|&k| text.is_char_boundary(k))
        .unwrap_or(start);
    let Some(before) = text.get(from..start) else {
        return false;
    };
    let chunk_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let chunk = before.get(chunk_start..).unwrap_or_default();
    chunk.ends_with(['/', '='])
        && chunk
            .split(['/', '?', '&', '#', '='])
            .any(|s| SEGMENTS.iter().any(|seg| s.eq_ignore_ascii_case(seg)))
}

fn base58_decode(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut le: Vec<u8> = Vec::with_capacity(s.len());
    for c in s.bytes() {
        let mut carry = u32::try_from(ALPHABET.iter().position(|&a| a == c)?).ok()?;
        for byte in &mut le {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xFF) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            le.push((carry & 0xFF) as u8);
            carry >>= 8;
        }
    }
    le.extend(s.bytes().take_while(|&c| c == b'1').map(|_| 0));
    le.reverse();
    Some(le)
}

fn base58check_valid(s: &str) -> bool {
    let Some(bytes) = base58_decode(s) else {
        return false;
    };
    let Some(split) = bytes.len().checked_sub(4).filter(|&n| n > 0) else {
        return false;
    };
    let (payload, checksum) = bytes.split_at(split);
    sha256(&sha256(payload)).get(..4) == Some(checksum)
}

/// SHA-256 (FIPS 180-4), for base58check only.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let bit_len = (data.len() as u64).wrapping_mul(8);
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (slot, word) in w.iter_mut().zip(block.chunks_exact(4)) {
            *slot = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for (k, wt) in K.iter().zip(w) {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(wt);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (state, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *state = state.wrapping_add(v);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, v) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&v.to_be_bytes());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Seed phrases
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnitClass {
    Listed(u16),
    Typo,
    Break,
}

#[derive(Clone, Copy, Debug)]
struct Unit {
    start: usize,
    end: usize,
    class: UnitClass,
    /// Sentence punctuation follows: a run ends here.
    hard_after: bool,
}

fn english_units(tokens: &[Token]) -> Vec<Unit> {
    let listed = tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Word(WordClass::Listed(_))))
        .count();
    if listed < MIN_RUN - 1 {
        return Vec::new();
    }
    tokens
        .iter()
        .filter(|t| t.kind != TokenKind::Number)
        .map(|t| Unit {
            start: t.start,
            end: t.end,
            hard_after: t.hard_after,
            class: match t.kind {
                TokenKind::Word(WordClass::Listed(i)) => UnitClass::Listed(i),
                TokenKind::Word(WordClass::TypoLike) => UnitClass::Typo,
                _ => UnitClass::Break,
            },
        })
        .collect()
}

/// Stand-alone characters only: two characters written together break the run (rule 1a).
fn chinese_units(tokens: &[Token]) -> Vec<Unit> {
    let listed = tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Han(Some(_))))
        .count();
    if listed < MIN_RUN - 1 {
        return Vec::new();
    }
    let glued = |a: Option<&Token>, b: Option<&Token>| match (a, b) {
        (Some(a), Some(b)) => {
            matches!(a.kind, TokenKind::Han(_))
                && matches!(b.kind, TokenKind::Han(_))
                && a.end == b.start
        }
        _ => false,
    };
    let mut units = Vec::with_capacity(tokens.len());
    for (k, t) in tokens.iter().enumerate() {
        let class = match t.kind {
            TokenKind::Number => continue,
            TokenKind::Han(index) => {
                let prev = k.checked_sub(1).and_then(|p| tokens.get(p));
                if glued(prev, Some(t)) || glued(Some(t), tokens.get(k + 1)) {
                    UnitClass::Break
                } else {
                    index.map_or(UnitClass::Typo, UnitClass::Listed)
                }
            }
            _ => UnitClass::Break,
        };
        units.push(Unit {
            start: t.start,
            end: t.end,
            class,
            hard_after: t.hard_after,
        });
    }
    units
}

/// Finds runs (rule 1) in one language's units and appends them to `out`.
fn phrase_findings(units: &[Unit], out: &mut Vec<Finding>) {
    let mut flagged: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < units.len() {
        if units[i].class == UnitClass::Break {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while let Some(u) = units.get(j) {
            let prev = units[j - 1];
            let typo_pair = u.class == UnitClass::Typo && prev.class == UnitClass::Typo;
            if u.class == UnitClass::Break || typo_pair || prev.hard_after {
                break;
            }
            j += 1;
        }
        if run_qualifies(&units[i..j]) {
            let (a, b) = grow(units, i, j);
            match flagged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => flagged.push((a, b)),
            }
            // Whatever the run grew over is flagged already: never scan it twice.
            j = j.max(b);
        }
        i = j;
    }
    for (a, b) in flagged {
        let run = &units[a..b];
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            continue;
        };
        out.push(Finding {
            kind: SecretKind::SeedPhrase,
            span: first.start..last.end,
            words: run.iter().filter(|u| u.class != UnitClass::Break).count(),
            checksum_valid: run_checksum(run),
        });
    }
}

/// ≥ 11 consecutive listed words, or one typo whose listed neighbours add up to ≥ 10.
fn run_qualifies(run: &[Unit]) -> bool {
    let mut before_typo: Option<usize> = None;
    let mut current = 0;
    for unit in run {
        match unit.class {
            UnitClass::Listed(_) => {
                current += 1;
                if current >= MIN_RUN || before_typo.is_some_and(|b| b + 1 + current >= MIN_RUN) {
                    return true;
                }
            }
            UnitClass::Typo => {
                if current + 1 >= MIN_RUN {
                    return true;
                }
                before_typo = Some(current);
                current = 0;
            }
            UnitClass::Break => return false,
        }
    }
    false
}

/// Grows the flagged run `[a, b)` over gaps of at most [`MAX_GAP`] non-listed units to further
/// stretches of at least two listed words, in both directions.
fn grow(units: &[Unit], mut a: usize, mut b: usize) -> (usize, usize) {
    let listed = |k: usize| matches!(units.get(k).map(|u| u.class), Some(UnitClass::Listed(_)));
    loop {
        let gap = (b..units.len()).take_while(|&k| !listed(k)).count();
        let stretch = (b + gap..units.len()).take_while(|&k| listed(k)).count();
        if gap > MAX_GAP || stretch < 2 {
            break;
        }
        b += gap + stretch;
    }
    loop {
        let gap = (0..a).rev().take_while(|&k| !listed(k)).count();
        let stretch = (0..a - gap).rev().take_while(|&k| listed(k)).count();
        if gap > MAX_GAP || stretch < 2 {
            break;
        }
        a -= gap + stretch;
    }
    (a, b)
}

/// See the module doc: `Some(true)` if a valid-length window of listed words checks out.
fn run_checksum(run: &[Unit]) -> Option<bool> {
    let mut tried = 0;
    let mut indices = [0u16; 24];
    let mut k = 0;
    while k < run.len() {
        let stretch = run[k..]
            .iter()
            .take_while(|u| matches!(u.class, UnitClass::Listed(_)))
            .count();
        for n in PHRASE_LENGTHS.into_iter().filter(|&n| n <= stretch) {
            for from in k..=k + stretch - n {
                if tried == MAX_CHECKSUM_WINDOWS {
                    return Some(false);
                }
                tried += 1;
                for (slot, unit) in indices.iter_mut().zip(&run[from..from + n]) {
                    if let UnitClass::Listed(i) = unit.class {
                        *slot = i;
                    }
                }
                if checksum_valid(&indices[..n]) {
                    return Some(true);
                }
            }
        }
        k += stretch.max(1);
    }
    (tried > 0).then_some(false)
}

/// BIP39 checksum of a phrase given as word indices (12, 15, 18, 21 or 24 of them).
fn checksum_valid(indices: &[u16]) -> bool {
    let n = indices.len();
    if !PHRASE_LENGTHS.contains(&n) {
        return false;
    }
    let mut bytes = [0u8; 33];
    let mut filled = 0;
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &index in indices {
        acc = (acc << 11) | u32::from(index & 0x7FF);
        bits += 11;
        while bits >= 8 {
            bits -= 8;
            if let Some(slot) = bytes.get_mut(filled) {
                *slot = ((acc >> bits) & 0xFF) as u8;
            }
            filled += 1;
        }
        acc &= (1 << bits) - 1;
    }
    let entropy_len = n * 4 / 3;
    let valid = Mnemonic::from_entropy_in(Language::English, &bytes[..entropy_len])
        .is_ok_and(|m| m.word_indices().eq(indices.iter().map(|&i| usize::from(i))));
    bytes.fill(0);
    std::hint::black_box(&bytes);
    valid
}

/// Rule 1b: Chinese characters written together, alone on their line(s), valid checksum.
fn unseparated_chinese(text: &str, out: &mut Vec<Finding>) {
    struct Line {
        start: usize,
        end: usize,
        indices: Vec<u16>,
    }
    let mut push = |start: usize, end: usize, indices: &[u16]| {
        if checksum_valid(indices) {
            out.push(Finding {
                kind: SecretKind::SeedPhrase,
                span: start..end,
                words: indices.len(),
                checksum_valid: Some(true),
            });
        }
    };
    let mut named = None;
    let mut block: Vec<Line> = Vec::new();
    let mut offset = 0;
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let line_start = offset;
        offset += line.len() + 1;
        let clean = clean_han_line(line, line_start);
        let last_line = lines.peek().is_none();
        let clean_found = clean.is_some();
        if let Some(line) = clean {
            block.push(line);
        } else if let Some(colon) = line.rfind([':', '：']) {
            let colon_len = line
                .get(colon..)
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8);
            let tail_at = colon + colon_len;
            let named = *named.get_or_insert_with(|| names_a_seed(text));
            if named
                && let Some(tail) = line
                    .get(tail_at..)
                    .and_then(|tail| clean_han_line(tail, line_start + tail_at))
            {
                push(tail.start, tail.end, &tail.indices);
            }
        }
        if (clean_found && !last_line) || block.is_empty() {
            continue;
        }
        let all: Vec<u16> = block
            .iter()
            .flat_map(|l| l.indices.iter().copied())
            .collect();
        if let (Some(first), Some(last)) = (block.first(), block.last())
            && PHRASE_LENGTHS.contains(&all.len())
            && checksum_valid(&all)
        {
            push(first.start, last.end, &all);
        } else if block.len() > 1 {
            for l in &block {
                push(l.start, l.end, &l.indices);
            }
        }
        block.clear();
    }

    fn clean_han_line(line: &str, base: usize) -> Option<Line> {
        let mut indices = Vec::new();
        let mut first = None;
        let mut end = 0;
        for (i, c) in line.char_indices() {
            if c.is_whitespace() {
                continue;
            }
            indices.push(han_index(c)?);
            first.get_or_insert(base + i);
            end = base + i + c.len_utf8();
        }
        first.map(|start| Line {
            start,
            end,
            indices,
        })
    }

    fn names_a_seed(text: &str) -> bool {
        let lower = text.to_lowercase();
        SEED_NAMES.iter().any(|name| lower.contains(name))
    }
}

/// Sorts findings and merges any that overlap (the union keeps the first one's kind).
fn merge(mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by_key(|f| (f.span.start, std::cmp::Reverse(f.span.end)));
    let mut merged: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        match merged.last_mut() {
            Some(last) if f.span.start < last.span.end => {
                last.span.end = last.span.end.max(f.span.end);
            }
            _ => merged.push(f),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    const LEGAL_12: &str =
        "legal winner thank year wave sausage worth useful legal winner thank yellow";
    const LETTER_12: &str =
        "letter advice cage absurd amount doctor acoustic avoid letter advice cage above";
    const ZOO_12: &str = "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong";
    const LEGAL_24: &str = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";
    const HEX_KEY: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    const TX_HASH: &str = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060";
    const ADDRESS: &str = "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2";
    /// BIP32 test vector 1, master key.
    const XPRV: &str = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
    const XPUB: &str = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
    const WIF_UNCOMPRESSED: &str = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
    const WIF_COMPRESSED: &str = "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn";

    fn phrase_from_entropy(language: Language, entropy: &[u8]) -> Vec<&'static str> {
        let list = language.word_list();
        Mnemonic::from_entropy_in(language, entropy)
            .expect("test entropy has a valid length")
            .word_indices()
            .map(|i| list[i])
            .collect()
    }

    fn only(text: &str) -> Finding {
        let found = scan(text);
        assert_eq!(
            found.len(),
            1,
            "expected one finding in {text:?}, got {found:?}"
        );
        found[0].clone()
    }

    fn assert_clean(text: &str) {
        assert_eq!(scan(text), Vec::new(), "false positive on {text:?}");
        assert!(!contains_secret(text));
        assert_eq!(redact(text), text);
    }

    /// `redact` leaves no two consecutive secret words and none of the hex/base58 material.
    fn assert_redacted(text: &str, secret_words: &[&str]) {
        let clean = redact(text);
        assert!(clean.contains(REDACTED), "{clean}");
        for pair in secret_words.windows(2) {
            assert!(
                !clean.contains(&pair.join(" ")),
                "{pair:?} survived in {clean}"
            );
        }
        for word in secret_words.iter().filter(|w| w.len() >= 20) {
            assert!(!clean.contains(word), "{word} survived in {clean}");
            let bare = word.trim_start_matches("0x");
            assert!(!clean.contains(bare), "{bare} survived in {clean}");
        }
        assert!(
            !contains_secret(&clean),
            "redacted text still holds a secret: {clean}"
        );
    }

    // --- word lists and primitives -------------------------------------------------------

    #[test]
    fn wordlists_have_2048_entries_and_chinese_words_are_single_characters() {
        assert_eq!(WORDLISTS.english.len(), 2048);
        assert_eq!(
            WORDLISTS.abbreviations.len(),
            2048 - english_three_letter_words()
        );
        assert_eq!(WORDLISTS.chinese.len(), 2048);
    }

    fn english_three_letter_words() -> usize {
        Language::English
            .word_list()
            .iter()
            .filter(|w| w.len() == 3)
            .count()
    }

    #[test]
    fn sha256_matches_known_vectors() {
        assert_eq!(
            hex::encode(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex::encode(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let long = vec![b'a'; 1000];
        assert_eq!(sha256(&long), sha256(&long.clone()));
        assert_eq!(
            hex::encode(sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn checksum_agrees_with_bip39_crate() {
        for entropy in [[0u8; 16], [0xff; 16], [0x7f; 16], [0x80; 16]] {
            let phrase = phrase_from_entropy(Language::English, &entropy);
            let indices: Vec<u16> = phrase
                .iter()
                .map(|w| match classify_word(w.as_bytes()) {
                    WordClass::Listed(i) => i,
                    other => panic!("{w} is {other:?}"),
                })
                .collect();
            assert!(checksum_valid(&indices));
            let mut broken = indices.clone();
            broken[0] ^= 1;
            assert_eq!(
                checksum_valid(&broken),
                Mnemonic::parse_in(Language::English, {
                    let list = Language::English.word_list();
                    broken
                        .iter()
                        .map(|&i| list[usize::from(i)])
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .is_ok()
            );
        }
    }

    // --- English seed phrases ----------------------------------------------------------

    #[test]
    fn classic_valid_12_word_phrase_is_detected_with_valid_checksum() {
        let f = only(ABANDON_ABOUT);
        assert_eq!(f.kind, SecretKind::SeedPhrase);
        assert_eq!(f.span, 0..ABANDON_ABOUT.len());
        assert_eq!(f.words, 12);
        assert_eq!(f.checksum_valid, Some(true));
        assert_redacted(ABANDON_ABOUT, &ABANDON_ABOUT.split(' ').collect::<Vec<_>>());
        assert_eq!(redact(ABANDON_ABOUT), REDACTED);
    }

    #[test]
    fn other_valid_12_word_phrases_are_detected_with_valid_checksum() {
        let generated: Vec<String> = [[0x13u8; 16], [0xa5; 16], [0x42; 16]]
            .iter()
            .map(|e| phrase_from_entropy(Language::English, e).join(" "))
            .collect();
        for phrase in [LEGAL_12, LETTER_12, ZOO_12]
            .into_iter()
            .chain(generated.iter().map(String::as_str))
        {
            let f = only(phrase);
            assert_eq!((f.words, f.checksum_valid), (12, Some(true)), "{phrase}");
            assert_redacted(phrase, &phrase.split(' ').collect::<Vec<_>>());
        }
    }

    #[test]
    fn twelve_listed_words_with_a_bad_checksum_are_still_a_phrase() {
        let phrase = "abandon ".repeat(12);
        let f = only(&phrase);
        assert_eq!(f.words, 12);
        assert_eq!(f.checksum_valid, Some(false));
    }

    #[test]
    fn numbered_24_word_phrase_on_separate_lines_is_detected() {
        let words: Vec<&str> = LEGAL_24.split(' ').collect();
        let text: String = words
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{}. {w}\n", i + 1))
            .collect();
        let f = only(&text);
        assert_eq!((f.words, f.checksum_valid), (24, Some(true)));
        assert_redacted(&text, &words);
        assert_eq!(redact(&text).trim(), format!("1. {REDACTED}"));
    }

    #[test]
    fn every_numbering_style_is_skipped() {
        let words: Vec<&str> = LEGAL_12.split(' ').collect();
        let styles: [fn(usize, &str) -> String; 8] = [
            |i, w| format!("{i}) {w} "),
            |i, w| format!("{i}-{w} "),
            |i, w| format!("#{i} {w} "),
            |i, w| format!("{i}.{w}"),
            |i, w| format!("({i}) {w}\t"),
            |i, w| format!("{}{w} ", char::from_u32(0x245F + i as u32).unwrap_or('?')),
            |i, w| format!("{i}{w}\r\n"),
            |i, w| format!("{i}、{w}，"),
        ];
        for style in styles {
            let text: String = words
                .iter()
                .enumerate()
                .map(|(i, w)| style(i + 1, w))
                .collect();
            let f = only(&text);
            assert_eq!((f.words, f.checksum_valid), (12, Some(true)), "{text:?}");
            assert_redacted(&text, &words);
        }
    }

    #[test]
    fn comma_separated_phrase_is_detected() {
        let text = LETTER_12.replace(' ', ", ");
        assert_eq!(only(&text).checksum_valid, Some(true));
        assert_redacted(&text, &LETTER_12.split(' ').collect::<Vec<_>>());
        assert!(contains_secret(&LETTER_12.replace(' ', ",")));
    }

    #[test]
    fn uppercase_and_mixed_case_phrases_are_detected() {
        let upper = LEGAL_12.to_uppercase();
        assert_eq!(only(&upper).checksum_valid, Some(true));
        assert_redacted(&upper, &upper.split(' ').collect::<Vec<_>>());
        let title: String = LEGAL_12
            .split(' ')
            .map(|w| format!("{}{} ", w[..1].to_uppercase(), &w[1..]))
            .collect();
        assert_eq!(only(&title).checksum_valid, Some(true));
    }

    #[test]
    fn full_width_and_accented_phrases_are_normalized() {
        let full_width: String = ZOO_12
            .chars()
            .map(|c| match c {
                ' ' => '\u{3000}',
                c => char::from_u32(c as u32 - 0x20 + 0xFF00).unwrap_or(c),
            })
            .collect();
        let f = only(&full_width);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
        assert_eq!(f.span, 0..full_width.len());
        assert_eq!(redact(&full_width), REDACTED);

        let accented = ABANDON_ABOUT.replace("abandon", "aba\u{301}ndon");
        assert_eq!(only(&accented).checksum_valid, Some(true));
    }

    #[test]
    fn phrase_with_one_typo_is_still_detected() {
        let typo = ABANDON_ABOUT.replacen("abandon", "abandn", 1);
        let f = only(&typo);
        assert_eq!(f.span, 0..typo.len());
        assert_eq!(f.words, 12);
        assert_eq!(f.checksum_valid, None);
        assert_redacted(&typo, &typo.split(' ').collect::<Vec<_>>());

        for typo in [
            LEGAL_12.replace("sausage", "sausgae"),
            LEGAL_12.replace("yellow", "yelow"),
            LEGAL_12.replace("legal", "leagl"),
            LETTER_12.replace("doctor", "docter"),
        ] {
            assert_eq!(only(&typo).span, 0..typo.len(), "{typo}");
        }
    }

    #[test]
    fn phrase_with_two_typos_is_redacted_whole() {
        let words: Vec<&str> = LEGAL_24.split(' ').collect();
        let mut typo = words.clone();
        typo[4] = "wvae";
        typo[5] = "sausgae";
        typo[17] = "yaer";
        let text = typo.join(" ");
        let f = only(&text);
        assert_eq!(f.span, 0..text.len());
        assert_eq!(f.words, 24);
        assert_eq!(redact(&text), REDACTED);
    }

    #[test]
    fn eleven_word_phrase_missing_a_word_is_detected() {
        let eleven: Vec<&str> = LEGAL_12.split(' ').skip(1).collect();
        let f = only(&eleven.join(" "));
        assert_eq!(f.words, 11);
        assert_eq!(f.checksum_valid, None);
    }

    #[test]
    fn four_letter_abbreviations_count_as_words() {
        let abbreviated: String = LETTER_12.split(' ').map(|w| format!("{:.4} ", w)).collect();
        let f = only(&abbreviated);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
        // "than" (thank) is ordinary English, so it reads as a typo, and the phrase still counts.
        let abbreviated: String = LEGAL_24.split(' ').map(|w| format!("{:.4} ", w)).collect();
        let f = only(&abbreviated);
        assert_eq!((f.words, f.checksum_valid), (24, None));
    }

    #[test]
    fn phrase_inside_a_sentence_is_redacted_and_the_rest_kept() {
        let text = format!("support told me to paste it in the form: {LETTER_12} — is it safe?");
        let f = only(&text);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
        assert_eq!(
            redact(&text),
            format!("support told me to paste it in the form: {REDACTED} — is it safe?")
        );
    }

    #[test]
    fn list_words_touching_a_phrase_are_redacted_with_it() {
        // "seed" and "phrase" are BIP39 words: nobody can tell where the phrase starts, so the
        // redaction errs on the side of hiding more. Punctuation ("here:") does end a run.
        let text = format!("seed phrase {LETTER_12}");
        let f = only(&text);
        assert_eq!((f.words, f.checksum_valid), (14, Some(true)));
        assert_eq!(redact(&text), REDACTED);
        let text = format!("paste my phrase here: {LETTER_12}");
        assert_eq!(redact(&text), format!("paste my phrase here: {REDACTED}"));
    }

    #[test]
    fn spans_are_byte_ranges_after_multibyte_text() {
        let text = format!("你好 👋 {ZOO_12}");
        let f = only(&text);
        assert_eq!(&text[f.span.clone()], ZOO_12);
    }

    // --- Chinese seed phrases ----------------------------------------------------------

    #[test]
    fn chinese_phrase_separated_by_spaces_is_detected() {
        let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
        let text = words.join(" ");
        let f = only(&text);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
        assert_eq!(redact(&text), REDACTED);
        for w in &words {
            assert!(!redact(&text).contains(w));
        }
    }

    #[test]
    fn chinese_phrase_with_numbering_and_commas_is_detected() {
        let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x33; 24]);
        let numbered: String = words
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{}.{w} ", i + 1))
            .collect();
        assert_eq!(only(&numbered).words, 18);
        let commas = words.join("，");
        assert_eq!(only(&commas).checksum_valid, Some(true));
        let ideographic = words.join("、");
        assert_eq!(only(&ideographic).words, 18);
    }

    #[test]
    fn chinese_spaced_phrase_with_one_wrong_character_is_detected() {
        let mut words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
        let outside = ["龘", "鑫", "犇", "淼"]
            .into_iter()
            .find(|c| !Language::SimplifiedChinese.word_list().contains(c))
            .expect("a character outside the list");
        words[6] = outside;
        let f = only(&words.join(" "));
        assert_eq!((f.words, f.checksum_valid), (12, None));
    }

    #[test]
    fn chinese_unseparated_phrase_with_valid_checksum_alone_on_its_line_is_detected() {
        let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
        let glued = words.concat();
        let text = format!("请帮我看看\n{glued}\n谢谢");
        let f = only(&text);
        assert_eq!(&text[f.span.clone()], glued);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
        assert_eq!(redact(&text), format!("请帮我看看\n{REDACTED}\n谢谢"));

        let classic = phrase_from_entropy(Language::SimplifiedChinese, &[0; 16]).concat();
        assert_eq!(only(&classic).span, 0..classic.len());
    }

    #[test]
    fn chinese_unseparated_phrase_split_over_lines_or_after_a_named_colon_is_detected() {
        let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x21; 32]);
        let grid: String = words.chunks(4).map(|c| c.concat() + "\n").collect();
        assert_eq!(only(&grid).words, 24);
        let named = format!("我的助记词：{}", words.concat());
        let f = only(&named);
        assert_eq!(&named[f.span.clone()], words.concat());
    }

    #[test]
    fn chinese_unseparated_run_without_valid_checksum_is_not_flagged() {
        let list = Language::SimplifiedChinese.word_list();
        let mut words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
        let valid = |w: &[&str]| {
            let indices: Vec<u16> = w
                .iter()
                .flat_map(|c| c.chars())
                .filter_map(han_index)
                .collect();
            indices.len() == 12 && checksum_valid(&indices)
        };
        // Change the last character until the checksum breaks (at most 1 in 16 stay valid).
        let mut replacement = list.iter();
        while valid(&words) {
            words[11] = replacement
                .next()
                .expect("some replacement breaks the checksum");
        }
        assert_clean(&words.concat());
        assert_clean(&format!("{}\n", words.concat()));
        assert_clean(&"的".repeat(12));
    }

    #[test]
    fn chinese_unseparated_phrase_with_other_text_on_the_line_is_not_flagged() {
        let glued = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]).concat();
        assert_clean(&format!("请问{glued}"));
        assert_clean(&format!("{glued}是什么意思？"));
    }

    #[test]
    fn ordinary_chinese_sentence_is_not_a_phrase() {
        let sentence = "我的健康因子是多少我应该怎么办才能不被清算";
        let listed = sentence.chars().filter(|&c| han_index(c).is_some()).count();
        assert!(listed >= 12, "most characters are BIP39 words ({listed})");
        assert_clean(sentence);
    }

    #[test]
    fn ordinary_chinese_lending_messages_are_not_flagged() {
        for text in [
            "我的健康因子是多少我应该怎么办才能不被清算",
            "为什么我的借款利息一直在涨？我什么都没做",
            "请问怎么把抵押品从 ETH 换成 wstETH，会不会被清算？",
            "我昨天存了 2 个 ETH，借了 3000 USDC，现在健康因子 1.35，安全吗",
            "清算线是多少？价格跌到多少我会被清算",
            "你好，我想知道 Aave 的供应上限是什么意思，为什么我存不进去",
            "我 被 清 算 了 怎 么 办",
            "钱包连不上，一直显示网络错误，能帮我看看吗？地址是 0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2",
            "我想还款但是提示授权失败，是不是要先批准代币？我的交易一直在等待中",
            "这个平台安全吗？有没有被黑过？我担心我的资产",
        ] {
            assert_clean(text);
        }
    }

    // --- private keys --------------------------------------------------------------------

    #[test]
    fn prefixed_64_hex_key_is_detected() {
        let text = format!("here is my key 0x{HEX_KEY} can you check my position");
        let f = only(&text);
        assert_eq!(f.kind, SecretKind::PrivateKey);
        assert_eq!(&text[f.span.clone()], format!("0x{HEX_KEY}"));
        assert_eq!((f.words, f.checksum_valid), (0, None));
        assert_redacted(&text, &[&format!("0x{HEX_KEY}")]);
    }

    #[test]
    fn bare_64_hex_key_is_detected_even_next_to_tx_words() {
        for text in [
            HEX_KEY.to_owned(),
            HEX_KEY.to_uppercase(),
            format!("my tx failed, hash {HEX_KEY} is stuck"),
            format!("https://etherscan.io/tx/{HEX_KEY}"),
            format!("私钥:{HEX_KEY}"),
        ] {
            let f = only(&text);
            assert_eq!(f.kind, SecretKind::PrivateKey, "{text}");
            assert!(!looks_like_tx_hash(&text, f.span.clone()));
            assert_redacted(&text, &[HEX_KEY, &HEX_KEY.to_uppercase()]);
        }
    }

    #[test]
    fn tx_hash_in_a_message_about_a_transaction_is_not_a_key() {
        for text in [
            format!("my tx {TX_HASH} is stuck"),
            format!("Transaction {TX_HASH} failed, why?"),
            format!("pending for an hour: {TX_HASH}"),
            format!("{TX_HASH} never got confirmed"),
            format!("我的交易 {TX_HASH} 一直没有确认"),
            format!("转账哈希是{TX_HASH}"),
        ] {
            assert_clean(&text);
            let start = text.find("0x").unwrap_or_default();
            assert!(looks_like_tx_hash(&text, start..start + 66), "{text}");
        }
    }

    #[test]
    fn etherscan_url_holds_a_tx_hash_not_a_key() {
        for text in [
            format!("https://etherscan.io/tx/{TX_HASH}"),
            format!("look: arbiscan.io/tx/{TX_HASH}#eventlog"),
            format!("https://dashboard.tenderly.co/tx/mainnet/{TX_HASH}"),
            format!("explorer?txhash={TX_HASH} private key leaked?"),
        ] {
            assert_clean(&text);
        }
    }

    #[test]
    fn prefixed_hex_without_tx_context_or_with_key_words_is_a_key() {
        for text in [
            TX_HASH.to_owned(),
            format!("why can't I borrow more? {TX_HASH}"),
            format!("support asked me to confirm my private key {TX_HASH}"),
            format!("客服让我发私钥确认交易 {TX_HASH}"),
        ] {
            let f = only(&text);
            assert_eq!(f.kind, SecretKind::PrivateKey, "{text}");
            assert!(!looks_like_tx_hash(&text, f.span.clone()), "{text}");
        }
    }

    #[test]
    fn addresses_signatures_and_odd_lengths_are_not_keys() {
        let sig = format!("0x{}{}1b", HEX_KEY, HEX_KEY);
        for text in [
            ADDRESS.to_owned(),
            format!("my address is {ADDRESS}, health factor 1.02"),
            ADDRESS.trim_start_matches("0x").to_owned(),
            format!("0x{}", &HEX_KEY[1..]),
            format!("0x{HEX_KEY}0"),
            format!("{HEX_KEY}f"),
            sig,
            format!("id{HEX_KEY}"),
            format!("topic 0x000000000000000000000000{}", &ADDRESS[2..]),
            format!("0x{}", "0".repeat(62) + "20"),
            format!("approved 0x{}", "f".repeat(64)),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141".to_owned(),
            format!("0x{}", "g".repeat(64)),
        ] {
            assert_clean(&text);
        }
    }

    #[test]
    fn keys_just_inside_the_plausible_range_are_still_keys() {
        for text in [
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140".to_owned(),
            format!("0x000000000000000{}", &HEX_KEY[15..]),
        ] {
            assert_eq!(only(&text).kind, SecretKind::PrivateKey, "{text}");
        }
    }

    #[test]
    fn very_long_inputs_are_handled_in_one_pass() {
        let words = format!("{ABANDON_ABOUT} ").repeat(2000);
        let f = only(&words);
        assert_eq!((f.words, f.checksum_valid), (24_000, Some(true)));
        let hashes = format!("https://etherscan.io/tx/{TX_HASH}/").repeat(2000);
        assert_clean(&hashes);
        let long_xprv = format!("{XPRV}{}", "z".repeat(100_000));
        let f = only(&long_xprv);
        assert_eq!(
            (f.kind, f.checksum_valid),
            (SecretKind::ExtendedPrivateKey, Some(false))
        );
        let runs = format!("{LEGAL_12} xyzzy qwrtp vvkq ").repeat(500);
        assert_eq!(scan(&runs).len(), 500);
    }

    #[test]
    fn looks_like_tx_hash_rejects_bad_spans_and_non_prefixed_tokens() {
        let text = format!("tx {TX_HASH}");
        assert!(looks_like_tx_hash(&text, 3..69));
        assert!(!looks_like_tx_hash(&text, 3..70));
        assert!(!looks_like_tx_hash(&text, 0..2));
        let (start, end) = (60, 10);
        assert!(!looks_like_tx_hash(&text, start..end));
        let bare = format!("tx {HEX_KEY}");
        assert!(!looks_like_tx_hash(&bare, 3..67));
        let chinese = format!("交易{TX_HASH}");
        assert!(
            !looks_like_tx_hash(&chinese, 1..67),
            "not on a char boundary"
        );
        assert!(looks_like_tx_hash(&chinese, 6..72));
    }

    // --- extended keys and WIF ---------------------------------------------------------

    #[test]
    fn xprv_is_an_extended_private_key_with_valid_checksum() {
        let text = format!("is this safe to share? {XPRV}");
        let f = only(&text);
        assert_eq!(f.kind, SecretKind::ExtendedPrivateKey);
        assert_eq!(f.checksum_valid, Some(true));
        assert_eq!(redact(&text), format!("is this safe to share? {REDACTED}"));

        let typo = XPRV.replace("ZrQH", "ZrQJ");
        let f = only(&typo);
        assert_eq!(
            (f.kind, f.checksum_valid),
            (SecretKind::ExtendedPrivateKey, Some(false))
        );
        for prefix in ["tprv", "yprv", "zprv", "uprv", "vprv"] {
            assert!(
                contains_secret(&XPRV.replacen("xprv", prefix, 1)),
                "{prefix}"
            );
        }
    }

    #[test]
    fn xpub_and_short_xprv_are_not_secrets() {
        assert_clean(XPUB);
        assert_clean(&format!("my xpub is {XPUB}"));
        assert_clean(&XPRV[..90]);
    }

    #[test]
    fn wif_keys_are_private_keys_with_checksum() {
        for wif in [WIF_UNCOMPRESSED, WIF_COMPRESSED] {
            let text = format!("imported {wif} into my wallet");
            let f = only(&text);
            assert_eq!(
                (f.kind, f.checksum_valid),
                (SecretKind::PrivateKey, Some(true))
            );
            assert_redacted(&text, &[wif]);
        }
        let broken = WIF_COMPRESSED.replace("Bf89", "Bf88");
        assert_eq!(only(&broken).checksum_valid, Some(false));
        assert_clean(&WIF_UNCOMPRESSED.replace('5', "6"));
    }

    // --- ordinary English --------------------------------------------------------------

    #[test]
    fn health_factor_question_is_not_a_phrase() {
        let text = "I want to borrow more but my health factor is low what should I do about it";
        let listed: Vec<&str> = text
            .split(' ')
            .filter(|w| matches!(classify_word(w.as_bytes()), WordClass::Listed(_)))
            .collect();
        assert!(listed.len() < MIN_RUN, "{listed:?}");
        assert_clean(text);
    }

    #[test]
    fn ordinary_english_lending_messages_are_not_flagged() {
        for text in [
            "I want to borrow more but my health factor is low what should I do about it",
            "hi, my account balance shows zero after I supplied 2 ETH yesterday, where did it go?",
            "Why did my debt grow? I borrowed 1000 USDC last month and now I owe 1012.",
            "Can you explain what the liquidation threshold means for my position and how close I am?",
            "I was liquidated last night even though the price only dropped a little. Is that a bug or an exploit? I want a refund.",
            "How do I repay my loan? The repay button is grey and the wallet says insufficient allowance.",
            "what is the best way to avoid liquidation during a market crash, should I add more collateral or repay part of the debt",
            "Please help, the app keeps asking me to approve again and again, and the gas fee is very high today.",
            "My address is 0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2, can you check my position and tell me my health factor?",
            "I bought some wrapped bitcoin on another chain and bridged it, but I can't use it as collateral here. Why is that, and is there any way around it?",
            "Hello, I am new here. I have a question about the supply cap: it says the market is full, so where else can I deposit my tokens for a good interest rate?",
            "garden castle orange bridge, ocean window silver hammer: these are just my favorite words, nothing else",
            "Step 1: supply ETH. Step 2: enable it as collateral. Step 3: borrow USDC. Step 4: watch your health factor above 1.5.",
        ] {
            assert_clean(text);
        }
    }

    #[test]
    fn long_message_full_of_bip39_words_is_not_a_phrase() {
        let text = "Hi, I need help with my account. I supplied some bitcoin and ethereum as collateral \
            last week, then I decided to borrow a small amount of stable coins to buy a new phone. Today \
            the market dropped, my balance looks wrong, and the app says my position is at risk. What \
            should I do about it? Should I repay the loan, add more collateral, or just wait for the price \
            to recover? I am worried because I read that liquidation has a penalty and I do not want to \
            lose my money. Thank you for your time and your patience, I really appreciate any advice.";
        assert_clean(text);
        assert_clean(&text.repeat(20));
    }

    #[test]
    fn empty_and_whitespace_messages_have_no_findings() {
        assert_clean("");
        assert_clean(" \n\t ");
        assert_clean("12 15 18 21 24");
        assert_clean("①②③④⑤⑥⑦⑧⑨⑩⑪⑫");
    }

    // --- API properties ----------------------------------------------------------------

    #[test]
    fn several_secrets_are_reported_in_order_and_all_redacted() {
        let text = format!(
            "key 0x{HEX_KEY}\nphrase:\n{LEGAL_12}\nbackup {XPRV} and tx {TX_HASH} is stuck"
        );
        let found = scan(&text);
        let kinds: Vec<SecretKind> = found.iter().map(|f| f.kind).collect();
        // The message talks about a key, so even the "tx … is stuck" hash counts as one.
        assert_eq!(
            kinds,
            [
                SecretKind::PrivateKey,
                SecretKind::SeedPhrase,
                SecretKind::ExtendedPrivateKey,
                SecretKind::PrivateKey
            ]
        );
        assert!(found.windows(2).all(|w| w[0].span.end <= w[1].span.start));
        let clean = redact(&text);
        assert!(!clean.contains(HEX_KEY));
        assert!(!clean.contains(XPRV));
        assert!(!clean.contains("legal winner"));
        assert!(!clean.contains("key 0x"));
    }

    #[test]
    fn debug_output_never_contains_the_secret() {
        let text = format!("{ABANDON_ABOUT} 0x{HEX_KEY}");
        let debug = format!("{:?}", scan(&text));
        assert!(!debug.contains("abandon"));
        assert!(!debug.contains(HEX_KEY));
        assert!(debug.contains("SeedPhrase"));
    }

    #[test]
    fn secret_kind_serializes_as_snake_case() {
        let json = serde_json::to_string(&[
            SecretKind::SeedPhrase,
            SecretKind::PrivateKey,
            SecretKind::ExtendedPrivateKey,
        ])
        .expect("serializes");
        assert_eq!(
            json,
            r#"["seed_phrase","private_key","extended_private_key"]"#
        );
    }
}
