//! Secret detection: seed phrases and private keys pasted into a chat.
//!
//! The desk, the staff side and the Telegram adapter call [`scan`] (or [`contains_secret`],
//! [`redact`]) before anything is relayed, logged or stored. On a hit the desk deletes the
//! message, warns the user, and only ever keeps [`redact`]ed text. A [`Finding`] holds a byte
//! span, never the secret itself, so it is safe to log with `{:?}`. This module is a leaf: it
//! imports nothing from the rest of the crate.
//!
//! Submodules: `wordlists` (the two BIP39 lists, one word's class), `tokens` (one pass over
//! the characters), `phrases` (separated words, rules 1a, 1c, 1d), `chinese` (rule 1b),
//! `glued` (rule 1e), `checksum` (BIP39 checksum, word mix), `keys` and `grouped_keys`
//! (rules 2, 2b, 3), `tx_context` (hash, signature or key?), `base58`, and the unit `tests`.
//!
//! # How secrets are told apart from ordinary text
//!
//! The text is tokenized once, left to right. Each character is NFKD-normalized on its own
//! (full-width `ａｂａｎｄｏｎ` → `abandon`, `①` → `1`, accents dropped), so spans always refer
//! to the original bytes. ASCII letters and digits form alphanumeric tokens; every CJK ideograph
//! is a token of its own; everything else (spaces, tabs, line breaks, punctuation, `、`, `，`)
//! separates tokens. A token that mixes digits and letters is cut at each digit/letter boundary,
//! so numbering glued to a word (`1.abandon`, `1)abandon`, `1-abandon`, `#1`, `①abandon`) leaves
//! a plain word. Number tokens are transparent: they never start, end or break a run, and
//! neither does a position label before a number (`Word 1: legal, Word 2: winner`, `w3`).
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
//! **1a. Runs.** A *run* is a stretch of listed and typo-like words with no other word, no two
//! typo-like words side by side, and no sentence punctuation: a word with `.` `?` `!` `:` `;` a
//! closing bracket or quote or `*` or `` ` `` attached to its end *and then whitespace* ends the
//! run, **unless the same separator also stands between the word and its neighbour**: a list's
//! own separator is not a sentence end (`["legal", "winner", …]`, `legal; winner; …`,
//! `legal. winner. …`, `` `legal` `winner` ``, `legal: winner: …`). Numbering (`1.`, `2)`)
//! belongs to a number, not a word. A run is a seed phrase when it passes rule 1c and either
//! * holds **11 or more consecutive listed words joined by one separator**: the text between
//!   each word and the next is the same, counting a run of digits as one and a run of whitespace
//!   as one space (`, `, `\n#. `, `", "`, a grid's padding). A list of steps mixes `, ` inside a
//!   line with bullets and line breaks between lines, while a pasted phrase is one block
//!   (*decision:* eleven listed words in mixed separators need the checksum of rule 1d); or
//! * has **a typo-like word whose listed neighbours on both sides add up to 10 or more, and
//!   evidence**: correcting the typo-like words of a window of 12, 15, 18, 21 or 24 words that is
//!   joined by one separator gives a valid checksum. A typo-like word's corrections are the
//!   listed words one insertion, deletion, substitution or adjacent swap away, or sharing its
//!   first four letters (one for 87% of single typos, at most 4 for 99%; tried first-letter
//!   first). Windows are tried where a pasted phrase begins and ends first (the whole run, then
//!   ending where it ends, starting where it starts, ending before or starting after a
//!   typo-like word), then any other. **False-positive bound:** one trial passes by chance with
//!   probability 2^-(n/3) (1/16 for 12 words); trials stop once their sum reaches 3/16, so a
//!   run that looks like a phrase with a typo passes by chance with probability at most 3/16
//!   (1/16 for a 12-word run whose typo-like word has one correction, like "happens" → happy or
//!   "thanks" → thank). A list with bullets, or with `, ` between some words and spaces between
//!   others, has no such window and never passes; lines without bullets fold into one
//!   separator and fall under the bound. A real phrase with one typo passes for its true
//!   correction. *Decisions:* a phrase with a broken
//!   checksum **and** a typo is not flagged (nothing tells it from prose); stand-alone Chinese
//!   characters have no spelling to correct (any of the 2048 could be meant, so a checksum would
//!   pass by chance) and need no evidence: characters written one by one are not Chinese prose.
//!
//! Once a run is flagged, it grows over gaps of at most two non-listed words to further
//! stretches of at least two listed words, so a second or third typo cannot leave half a phrase
//! unredacted. Listed words touching a phrase ("seed phrase abandon …") are redacted with it.
//!
//! **1b. Chinese written together.** BIP39 Chinese words are single characters that are also
//! the most common characters of ordinary text, so characters that stand alone (separated by
//! spaces, commas, `、`, numbering) follow rule 1a like English words (a stand-alone character
//! outside the list is typo-like; two or more characters written together break the run), and
//! characters written together count only when a line, or a block of consecutive lines, holds
//! nothing but listed characters and whitespace, the total is exactly 12, 15, 18, 21 or 24
//! characters, and the BIP39 **checksum is valid**. The same applies to the tail of a line
//! after its last colon (`助记词：…`) when the message names a seed phrase (`助记词`, `种子`,
//! `恢复短语`, `mnemonic`, `seed`, `phrase`, `recovery`), cut to the longest phrase length with a
//! valid checksum (`助记词：…谢谢！`), and to what follows a Chinese name directly
//! (`我的助记词是…`, `种子 …`). *Decision:* an unspaced Chinese
//! phrase with a broken checksum (a typo) is **not** flagged: without the checksum, 12 common
//! characters on a line are indistinguishable from a short Chinese sentence.
//!
//! **1c. Word mix, not repetition.** A run counts only if it is not a pattern of at most four
//! words repeated ("help" ×12, "good morning" ×6, "/link" ×12) and at least half its words
//! (and at least three) are different (a typo counts as one), *or* a window of 12–24 of its
//! words that is not such a pattern has a valid checksum and either half its words are
//! different or it closes the run, where a phrase's checksum word stands: `abandon` ×11
//! `about` is a phrase, "you help help help…" is not. A random phrase repeats a word with a
//! chance of about 3%. *Decision:* the all-`abandon` test vector **with a typo** is not
//! flagged (two different words and no checksum: it looks exactly like "help" ×12).
//! The word mix is judged on the run itself, before it grows.
//!
//! **1d. Any separators, with the checksum.** Ignoring punctuation altogether, a stretch of
//! consecutive listed words (numbers and labels skipped) in which a window of 24, 21, 18, 15 or
//! 12 words has a valid checksum and repeats at most two words is a phrase, whatever
//! separates the words (`legal.winner;thank, year…`, mixed bullets). The checksum keeps prose
//! out: a run of 12 listed words is already rare in prose, and passes one time in 16 at most.
//! At most 256 windows are tried per message.
//!
//! **1e. Glued words.** A letter token of 36–192 letters that splits completely into 12, 15,
//! 18, 21 or 24 English BIP39 words (dynamic programming over the split positions) with a
//! valid, non-repeating checksum is a phrase (`legalwinnerthankyear…`, `LegalWinnerThank…`).
//! Glued words with a typo, or glued abbreviations, are not detected.
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
//!   revert(ed), confirm…, unconfirmed, liquidat…, block, receipt, topic(s), logs, event, any
//!   `*hash` word such as `blockHash`, 交易, 哈希, 转账, 区块浏览器, 卡住, 失败, 未确认, 待确认,
//!   清算) **and**
//!   does not also talk about keys (key, private, privkey, pk, secret, seed, mnemonic, 私钥,
//!   密钥, 秘钥, 助记词): "confirm" is also what scammers say, so a key word wins.
//!
//! A `0x` + 64 hex token is a **signature component** instead (`r` or `s` of an ECDSA / EIP-2612
//! permit / EIP-712 signature pasted as JSON or `r=…`) when its label (JSON key, `r=`, `s:`) is
//! `r` or `s` and the message has a `v` component (`"v":27`, `v=28`) or names a signature
//! (signature, sig, permit, 签名), **and** it does not talk about keys: the key words win, as
//! for hashes. An `r` label alone, or another label, proves nothing.
//!
//! *Decision:* a bare 64-hex token without `0x` is always a key, even a Bitcoin txid in a
//! message about a transaction: wallets export keys that way, EVM explorers show hashes with
//! `0x`, and a wrongly deleted txid costs the user a resend while a missed key costs the funds.
//!
//! **2b. Keys in groups.** 64 hex digits written as 2 × 32, 4 × 16 or 8 × 8 equal groups
//! separated by spaces, tabs, dashes or line breaks (optionally `0x` on the first group), with
//! both letters and digits and the same plausibility test, are a key. Groups separated by
//! commas, unequal groups, or more than 64 digits in total are not.
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
//! `LazyLock`. Checksums (one SHA-256 of at most 32 bytes each) are computed only for runs of
//! 12 or more listed words (at most 64 windows per run and 256 per message for rule 1d; a run
//! with a typo stops at the 3/16 budget above: at most 48 checksums, 3 of 12 words) and for
//! complete splits of long letter tokens (at most 64 per token); base58 only for key-shaped
//! tokens of bounded length; the URL look-back for tx hashes is capped at 512 bytes. Every step
//! stays linear in the input.

mod base58;
mod checksum;
mod chinese;
mod glued;
mod grouped_keys;
mod keys;
mod phrases;
mod tokens;
mod tx_context;
mod wordlists;

#[cfg(test)]
mod tests;

use std::ops::Range;

use chinese::unseparated_chinese;
use glued::glued_findings;
use grouped_keys::grouped_key_findings;
use keys::{KeyClass, classify_key, key_findings};
use phrases::{chinese_units, english_units, phrase_findings};
use tokens::{TokenKind, tokenize};
use tx_context::{TxContext, tx_hash_in_context};

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
    if text.len() < MIN_SECRET_BYTES {
        return Vec::new();
    }
    let tokens = tokenize(text);
    let mut found = Vec::new();

    key_findings(text, &tokens, &mut found);
    grouped_key_findings(text, &mut found);
    phrase_findings(&english_units(text, &tokens), &mut found);
    phrase_findings(&chinese_units(text, &tokens), &mut found);
    glued_findings(text, &tokens, &mut found);
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

const REDACTED: &str = "[redacted]";
/// No text shorter than this (in bytes) holds a secret, so most of what the store redacts
/// (topic ids, intents, names) and short questions skip the scan. The shortest secrets are 12
/// Chinese characters written together (36 bytes: every ideograph takes 3) and 36 glued
/// letters; no character expands to more than 4 letters in 3 bytes under NFKD (`㎉` → `kcal`),
/// so 24 bytes hold at most 32 letters, 8 ideographs, or a third of a hex key.
const MIN_SECRET_BYTES: usize = 24;
// The densest letters NFKD gives (4 in 3 bytes; the tokenizer reads at most 4 parts of a
// character) stay short of the 36 letters of the shortest glued phrase.
const _: () = assert!(MIN_SECRET_BYTES * 4 / 3 < 36);
/// Valid BIP39 phrase lengths, shortest first.
const PHRASE_LENGTHS: [usize; 5] = [12, 15, 18, 21, 24];

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
