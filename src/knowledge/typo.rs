//! Typo tolerance: English query words at edit distance 1 from a known word.
//!
//! The lexicon holds every English surface word of the FAQ (five letters or more once stemmed,
//! with the term it indexes as), the Latin jargon forms (`liquidated` → `liquidation`) and the
//! stop words (a misspelt stop word is dropped rather than counted as unknown). A deletion
//! index, every entry with one letter removed, is built once; a query word then needs only its
//! own deletions looked up (symmetric delete), never a scan of the vocabulary.

use rustc_hash::FxHashMap as HashMap;

use super::normalize;

/// Words longer than this are not corrected.
const MAX_TYPO_LEN: usize = 32;

/// Words known to the index (and jargon), with a deletion index for distance-1 correction.
#[derive(Clone, Default)]
pub(crate) struct Lexicon {
    /// Word → entry index.
    words: HashMap<Box<str>, u32>,
    entries: Vec<LexEntry>,
    /// A word with one letter deleted → entries it came from.
    deletes: HashMap<Box<str>, Vec<u32>>,
}

#[derive(Clone)]
struct LexEntry {
    word: Box<str>,
    /// Term ids the word stands for; empty for a stop word.
    terms: Box<[u32]>,
    /// How often it occurs in the FAQ (jargon gets a bonus): the tie-breaker.
    count: u32,
}

impl Lexicon {
    /// Builds the lexicon from the index's word terms and the surface forms seen in the FAQ
    /// (word → (term id, occurrences)), plus the Latin jargon forms and the stop words.
    pub(crate) fn build(
        terms: &HashMap<Box<str>, u32>,
        surfaces: HashMap<String, (u32, u32)>,
    ) -> Lexicon {
        let mut lex = Lexicon::default();
        let add = |lex: &mut Lexicon, word: &str, ids: Vec<u32>, count: u32| {
            if word.len() < 4 || word.len() > MAX_TYPO_LEN || lex.words.contains_key(word) {
                return;
            }
            let idx = lex.entries.len() as u32;
            lex.words.insert(word.into(), idx);
            lex.entries.push(LexEntry {
                word: word.into(),
                terms: ids.into_boxed_slice(),
                count,
            });
        };
        for (form, canon) in normalize::latin_jargon_forms() {
            let ids: Option<Vec<u32>> = canon.iter().map(|c| terms.get(*c).copied()).collect();
            if let Some(ids) = ids {
                add(&mut lex, form, ids, 1_000);
            }
        }
        let mut surfaces: Vec<(String, (u32, u32))> = surfaces.into_iter().collect();
        surfaces.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (word, (id, count)) in surfaces {
            add(&mut lex, &word, vec![id], count);
        }
        for w in normalize::stop_words() {
            add(&mut lex, w, Vec::new(), 1);
        }
        let mut buf = String::with_capacity(MAX_TYPO_LEN);
        for (idx, e) in lex.entries.iter().enumerate() {
            for i in 0..e.word.len() {
                buf.clear();
                buf.push_str(&e.word[..i]);
                buf.push_str(&e.word[i + 1..]);
                let list = lex.deletes.entry(buf.as_str().into()).or_default();
                if list.last() != Some(&(idx as u32)) {
                    list.push(idx as u32);
                }
            }
        }
        lex
    }

    /// Number of known words.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The terms of the known word at Damerau distance 1 from `w` (ASCII lowercase), preferring
    /// the most frequent; `None` when there is none.
    pub(crate) fn correct(&self, w: &str) -> Option<&[u32]> {
        let n = w.len();
        if !(5..=MAX_TYPO_LEN).contains(&n) || !w.is_ascii() {
            return None;
        }
        let mut best: Option<&LexEntry> = None;
        let mut consider = |idx: u32| {
            let e = &self.entries[idx as usize];
            if !within_one(w.as_bytes(), e.word.as_bytes()) {
                return;
            }
            let better = match best {
                None => true,
                Some(b) => e.count > b.count || (e.count == b.count && e.word < b.word),
            };
            if better {
                best = Some(e);
            }
        };
        // `w` lacks a letter.
        if let Some(list) = self.deletes.get(w) {
            list.iter().for_each(|&i| consider(i));
        }
        let bytes = w.as_bytes();
        let mut buf = [0u8; MAX_TYPO_LEN];
        for i in 0..n {
            if i > 0 && bytes[i] == bytes[i - 1] {
                continue;
            }
            buf[..i].copy_from_slice(&bytes[..i]);
            buf[i..n - 1].copy_from_slice(&bytes[i + 1..]);
            let Ok(d) = std::str::from_utf8(&buf[..n - 1]) else {
                continue;
            };
            // `w` has an extra letter.
            if let Some(&i) = self.words.get(d) {
                consider(i);
            }
            // `w` has a wrong or swapped letter.
            if let Some(list) = self.deletes.get(d) {
                list.iter().for_each(|&i| consider(i));
            }
        }
        best.map(|e| &*e.terms)
    }
}

/// True when `a` and `b` differ by one insertion, deletion, substitution or adjacent swap.
fn within_one(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) else {
                return false;
            };
            if a[i + 1..] == b[i + 1..] {
                return true;
            }
            // An adjacent swap.
            i + 1 < a.len() && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..]
        }
        1 => {
            let p = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[p..] == long[p + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_one() {
        assert!(within_one(b"withdrawl", b"withdrawal"));
        assert!(within_one(b"chian", b"chain"));
        assert!(within_one(b"borow", b"borrow"));
        assert!(within_one(b"suply", b"supply"));
        assert!(within_one(b"colateral", b"collateral"));
        assert!(within_one(b"liquidaton", b"liquidation"));
        assert!(!within_one(b"abcd", b"abdc1"));
        assert!(!within_one(b"abcde", b"badce"));
        assert!(!within_one(b"same", b"same"));
    }

    #[test]
    fn corrects_to_the_most_frequent_neighbour() {
        let mut terms = HashMap::default();
        terms.insert("liquidation".into(), 7u32);
        let mut surfaces = HashMap::default();
        surfaces.insert("collateral".to_string(), (1u32, 10u32));
        surfaces.insert("collaterals".to_string(), (2u32, 1u32));
        let lex = Lexicon::build(&terms, surfaces);
        assert_eq!(lex.correct("colateral"), Some(&[1u32][..]));
        assert_eq!(lex.correct("liquidaton"), Some(&[7u32][..]));
        assert_eq!(lex.correct("liquidatde"), Some(&[7u32][..]));
        assert_eq!(lex.correct("pleese"), Some(&[][..]));
        assert_eq!(lex.correct("zzzzzz"), None);
        assert_eq!(lex.correct("liq"), None);
    }
}
