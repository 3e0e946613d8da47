//! Rule 1e: BIP39 words glued together with no separator (`legalwinnerthank…`). A long letter
//! run counts only when it splits completely into 12, 15, 18, 21 or 24 English words with a
//! valid checksum, so URLs, base64 and identifiers (which almost never split that way, and then
//! pass the checksum one time in 16 or less) stay clean.

use super::checksum::{checksum_valid, repetitive};
use super::tokens::{Token, TokenKind};
use super::wordlists::{WordClass, english_index};
use super::{Finding, PHRASE_LENGTHS, SecretKind};

/// BIP39 English words have 3 to 8 letters.
const WORD_LENGTHS: std::ops::RangeInclusive<usize> = 3..=8;
const MIN_LETTERS: usize = 12 * 3;
const MAX_LETTERS: usize = 24 * 8;
/// Bound on complete splits checked per token (BIP39 words can hide others: "act" in "action").
const MAX_SPLITS: usize = 64;

/// Appends every glued phrase among the letter tokens of `text`.
pub(super) fn glued_findings(text: &str, tokens: &[Token], out: &mut Vec<Finding>) {
    for t in tokens {
        if t.kind != TokenKind::Word(WordClass::Plain) || t.end - t.start < MIN_LETTERS {
            continue;
        }
        let Some(word) = text.get(t.start..t.end) else {
            continue;
        };
        if let Some(words) = checksummed_split(word.as_bytes()) {
            out.push(Finding {
                kind: SecretKind::SeedPhrase,
                span: t.start..t.end,
                words,
                checksum_valid: Some(true),
            });
        }
    }
}

/// The number of words of a complete split of `word` into listed words that passes the
/// checksum, if there is one.
fn checksummed_split(word: &[u8]) -> Option<usize> {
    if !(MIN_LETTERS..=MAX_LETTERS).contains(&word.len())
        || !word.iter().all(u8::is_ascii_alphabetic)
    {
        return None;
    }
    let n = word.len();
    // counts[i] has bit c set when word[i..] splits into exactly c listed words.
    let mut counts = [0u32; MAX_LETTERS + 1];
    counts[n] = 1;
    for i in (0..n).rev() {
        for len in WORD_LENGTHS {
            let Some(&rest) = counts.get(i + len) else {
                break;
            };
            if rest != 0 && english_index(&word[i..i + len]).is_some() {
                counts[i] |= (rest << 1) & ((1 << 25) - 1);
            }
        }
    }
    let mut split = Split {
        word,
        counts: &counts,
        indices: [0; 24],
        tries: MAX_SPLITS,
    };
    let found = PHRASE_LENGTHS
        .into_iter()
        .find(|&words| counts[0] & (1 << words) != 0 && split.search(0, 0, words));
    split.indices.fill(0);
    std::hint::black_box(&split.indices);
    found
}

struct Split<'a> {
    word: &'a [u8],
    counts: &'a [u32],
    indices: [u16; 24],
    tries: usize,
}

impl Split<'_> {
    /// Depth-first over the splits of `word[at..]` into `left` more words; `counts` prunes
    /// every branch that cannot end exactly at the end of the word.
    fn search(&mut self, at: usize, filled: usize, left: usize) -> bool {
        if left == 0 {
            let Some(tries) = self.tries.checked_sub(1) else {
                return false;
            };
            self.tries = tries;
            let words = &self.indices[..filled];
            return checksum_valid(words) && !repetitive(words);
        }
        for len in WORD_LENGTHS {
            let reachable = self
                .counts
                .get(at + len)
                .is_some_and(|c| c & (1 << (left - 1)) != 0);
            let Some(index) = self
                .word
                .get(at..at + len)
                .filter(|_| reachable)
                .and_then(english_index)
            else {
                continue;
            };
            if let Some(slot) = self.indices.get_mut(filled) {
                *slot = index;
            }
            if self.search(at + len, filled + 1, left - 1) {
                return true;
            }
            if self.tries == 0 {
                return false;
            }
        }
        false
    }
}
