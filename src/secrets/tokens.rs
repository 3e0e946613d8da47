//! Tokenizing: one pass over the characters that cuts a message into words, numbers, CJK
//! characters and key-shaped tokens, each with its byte span in the original text and what
//! separates it from the next token.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::keys::{KeyClass, classify_key};
use super::wordlists::{WORDLISTS, WordClass, classify_word, is_han};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenKind {
    Number,
    Word(WordClass),
    /// One CJK ideograph, with its BIP39 Chinese index if listed.
    Han(Option<u16>),
    Key(KeyClass),
    Other,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: TokenKind,
    /// Sentence punctuation (`.` `?` `!` `:` `;` closing brackets, quotes, `*`) is attached to
    /// the end of this token and followed by whitespace: prose, not a word list.
    pub(super) hard_after: bool,
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

pub(super) fn tokenize(text: &str) -> Vec<Token> {
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
