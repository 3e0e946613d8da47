//! The two BIP39 word lists (English, Simplified Chinese), built once, and the classification of
//! one word or character against them: listed, typo-like or plain. Nothing here looks at more
//! than one word.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use bip39::Language;
use unicode_normalization::char::decompose_compatible;

/// Four-letter English words that are also the first four letters of a BIP39 word ("than" →
/// "thank", "them" → "theme"): ordinary prose, not an abbreviated seed word.
pub(super) const COMMON_WORDS: [&str; 40] = [
    "than", "them", "then", "they", "this", "with", "were", "will", "your", "have", "from", "into",
    "when", "what", "been", "does", "done", "just", "very", "some", "also", "only", "even", "here",
    "need", "know", "said", "tell", "told", "help", "much", "many", "most", "less", "each", "both",
    "once", "over", "like", "make",
];

#[derive(Default)]
pub(super) struct MixHasher(u64);

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

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;
pub(super) type FastSet<K> = HashSet<K, BuildHasherDefault<MixHasher>>;

pub(super) struct Wordlists {
    /// Packed English word → index.
    pub(super) english: FastMap<u64, u16>,
    /// Packed first four letters of every English word of 4+ letters → index (unique by BIP39).
    pub(super) abbreviations: FastMap<u64, u16>,
    /// Every English word with one letter removed, packed (for typo matching).
    pub(super) one_deletion: FastSet<u64>,
    /// Simplified Chinese character → index.
    pub(super) chinese: FastMap<char, u16>,
    /// Common English words that are not BIP39 words: never read as a 4-letter abbreviation.
    pub(super) common: FastSet<u64>,
}

pub(super) static WORDLISTS: LazyLock<Wordlists> = LazyLock::new(|| {
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
pub(super) fn pack(letters: &[u8]) -> Option<u64> {
    pack_without(letters, usize::MAX)
}

/// [`pack`] with the letter at `skip` left out.
pub(super) fn pack_without(letters: &[u8], skip: usize) -> Option<u64> {
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

pub(super) fn classify_word(word: &[u8]) -> WordClass {
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
    match pack(word) {
        Some(key) if (3..=9).contains(&word.len()) && typo_like(word, lists) => {
            WordClass::TypoLike(key)
        }
        _ => WordClass::Plain,
    }
}

/// One edit (insertion, deletion, substitution, adjacent swap) from a listed word, or the same
/// first four letters as one.
pub(super) fn typo_like(word: &[u8], lists: &Wordlists) -> bool {
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

/// The listed words a typo-like word (packed, as [`WordClass::TypoLike`] holds it) may stand
/// for: one insertion, deletion, substitution or adjacent swap away, or sharing its first four
/// letters. Sorted, without duplicates; at most a few dozen for the shortest words.
pub(super) fn corrections(packed: u64) -> Vec<u16> {
    let lists = &*WORDLISTS;
    let mut letters = [0u8; 12];
    let len = unpack(packed, &mut letters);
    let word = &letters[..len];
    let mut found = Vec::new();
    let mut lookup = |candidate: &[u8]| {
        if let Some(&index) = pack(candidate).and_then(|k| lists.english.get(&k)) {
            found.push(index);
        }
    };
    let mut edited = [0u8; 12];
    for i in 0..len {
        // Deletion.
        edited[..i].copy_from_slice(&word[..i]);
        edited[i..len - 1].copy_from_slice(&word[i + 1..]);
        lookup(&edited[..len - 1]);
        // Substitution.
        edited[..len].copy_from_slice(word);
        for c in b'a'..=b'z' {
            edited[i] = c;
            lookup(&edited[..len]);
        }
        // Adjacent swap.
        if i + 1 < len {
            edited[..len].copy_from_slice(word);
            edited.swap(i, i + 1);
            lookup(&edited[..len]);
        }
    }
    if len < letters.len() {
        for i in 0..=len {
            edited[..i].copy_from_slice(&word[..i]);
            edited[i + 1..=len].copy_from_slice(&word[i..]);
            for c in b'a'..=b'z' {
                edited[i] = c;
                lookup(&edited[..=len]);
            }
        }
    }
    if let Some(&index) = word
        .get(..4)
        .and_then(pack)
        .and_then(|k| lists.abbreviations.get(&k))
    {
        found.push(index);
    }
    letters.fill(0);
    edited.fill(0);
    std::hint::black_box((&letters, &edited));
    found.sort_unstable();
    found.dedup();
    found
}

/// The first letter of a [`pack`]ed word, as its 5-bit code.
pub(super) fn first_letter(key: u64) -> u64 {
    let mut key = key;
    while key >> 5 != 0 {
        key >>= 5;
    }
    key
}

/// The first letter of English BIP39 word `index`, as a 5-bit code like [`first_letter`].
pub(super) fn english_first_letter(index: u16) -> u64 {
    Language::English
        .word_list()
        .get(usize::from(index))
        .and_then(|w| w.bytes().next())
        .map_or(0, |b| u64::from(b - b'a' + 1))
}

/// The letters [`pack`] packed into `key`, written to `out`; returns how many.
fn unpack(key: u64, out: &mut [u8; 12]) -> usize {
    let len = (0..out.len()).take_while(|&i| key >> (5 * i) != 0).count();
    for (i, slot) in out.iter_mut().take(len).enumerate() {
        let code = (key >> (5 * (len - 1 - i))) & 31;
        *slot = b'a' - 1 + u8::try_from(code).unwrap_or(0);
    }
    len
}

/// The index of an exact English BIP39 word (any case).
pub(super) fn english_index(word: &[u8]) -> Option<u16> {
    pack(word).and_then(|key| WORDLISTS.english.get(&key).copied())
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

/// The BIP39 Chinese index of `c` after NFKD, if it is a listed character.
pub(super) fn han_index(c: char) -> Option<u16> {
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WordClass {
    Listed(u16),
    /// Not listed, but close to a listed word; holds the word [`pack`]ed, lowercase.
    TypoLike(u64),
    Plain,
}
