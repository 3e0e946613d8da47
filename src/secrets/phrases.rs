//! Seed phrases made of separate words: runs of BIP39 words (English words or stand-alone
//! Chinese characters), whatever separates them. Rules 1a, 1c and 1d of the module doc.

use std::ops::Range;

use super::checksum::{checksum_valid, distinct, repetitive};
use super::tokens::{Token, TokenKind};
use super::wordlists::{WordClass, corrections, english_first_letter, first_letter};
use super::{Finding, PHRASE_LENGTHS, SecretKind};

/// Consecutive listed words that make a run a seed phrase on their own.
pub(super) const MIN_RUN: usize = 11;
/// Longest gap of non-listed words a flagged run grows over.
const MAX_GAP: usize = 2;
/// Bound on checksum windows tried per finding, to stay linear on pathological input.
const MAX_CHECKSUM_WINDOWS: usize = 64;
/// Bound on checksum windows tried per message for rule 1d.
const MAX_LOOSE_WINDOWS: usize = 256;
/// Rule 1a's bound on the chance that a run with a typo passes by luck, in units of 2⁻⁸ (one
/// 24-word checksum trial; a 12-word trial costs 16): 48 = 3/16. See the module doc.
const CORRECTION_BUDGET: usize = 48;
/// Different words a run needs to count without a valid checksum.
const MIN_DISTINCT: usize = 3;
/// Words that label a position ("Word 1: legal", "W2 - winner"): skipped like the number.
const LABELS: [&str; 3] = ["word", "words", "w"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnitClass {
    Listed(u16),
    /// A typo-like word, packed (English), or a stand-alone character outside the list
    /// (Chinese: `None`, no spelling to correct).
    Typo(Option<u64>),
    Break,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Unit {
    start: usize,
    end: usize,
    class: UnitClass,
    /// Sentence punctuation follows, and not as the list's repeated separator: a run ends here.
    hard_after: bool,
    /// Hash of what separates this unit from the next one (digits count as one `#`).
    gap: u64,
    /// [`Unit::gap`] with every run of whitespace as one space: the same for every word of a
    /// pasted phrase, whatever its padding or line breaks (grids, numbered lines).
    layout: u64,
}

/// English words; numbers and position labels are skipped.
pub(super) fn english_units(text: &str, tokens: &[Token]) -> Vec<Unit> {
    let listed = tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Word(WordClass::Listed(_))))
        .count();
    if listed < MIN_RUN - 1 {
        return Vec::new();
    }
    let mut units = Vec::with_capacity(tokens.len());
    for (k, t) in tokens.iter().enumerate() {
        let class = match t.kind {
            TokenKind::Number => continue,
            _ if is_label(text, t, tokens.get(k + 1)) => continue,
            TokenKind::Word(WordClass::Listed(i)) => UnitClass::Listed(i),
            TokenKind::Word(WordClass::TypoLike(word)) => UnitClass::Typo(Some(word)),
            _ => UnitClass::Break,
        };
        units.push(unit(t, class));
    }
    with_list_separators(text, units)
}

/// Stand-alone characters only: two characters written together break the run (rule 1a).
pub(super) fn chinese_units(text: &str, tokens: &[Token]) -> Vec<Unit> {
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
            TokenKind::Han(_) if is_chinese_label(text, tokens, k) => continue,
            TokenKind::Han(index) => {
                let prev = k.checked_sub(1).and_then(|p| tokens.get(p));
                if glued(prev, Some(t)) || glued(Some(t), tokens.get(k + 1)) {
                    UnitClass::Break
                } else {
                    index.map_or(UnitClass::Typo(None), UnitClass::Listed)
                }
            }
            _ => UnitClass::Break,
        };
        units.push(unit(t, class));
    }
    with_list_separators(text, units)
}

fn unit(t: &Token, class: UnitClass) -> Unit {
    Unit {
        start: t.start,
        end: t.end,
        class,
        hard_after: t.hard_after,
        gap: 0,
        layout: 0,
    }
}

/// Characters that label a position around a number ("第1个：", "第 3 位", "12号"): 第 before
/// it, 个/位/号/個/號 after it. Skipped like the number, so labelled characters keep one
/// separator between them.
fn is_chinese_label(text: &str, tokens: &[Token], k: usize) -> bool {
    let Some(t) = tokens.get(k) else {
        return false;
    };
    let touching = |a: &Token, b: &Token| {
        text.get(a.end..b.start)
            .is_some_and(|gap| gap.trim().is_empty())
    };
    let before_number = tokens
        .get(k + 1)
        .is_some_and(|n| n.kind == TokenKind::Number && touching(t, n));
    let after_number = k
        .checked_sub(1)
        .and_then(|p| tokens.get(p))
        .is_some_and(|p| p.kind == TokenKind::Number && touching(p, t));
    match text.get(t.start..t.end) {
        Some("第") => before_number,
        Some("个" | "位" | "号" | "個" | "號") => after_number,
        _ => false,
    }
}

/// "Word 1", "w12", "word #3": a label word directly before a number.
fn is_label(text: &str, t: &Token, next: Option<&Token>) -> bool {
    let Some(next) = next.filter(|n| n.kind == TokenKind::Number) else {
        return false;
    };
    let between = text.get(t.end..next.start).unwrap_or("?");
    between.bytes().all(|b| matches!(b, b' ' | b'#'))
        && text
            .get(t.start..t.end)
            .is_some_and(|w| LABELS.iter().any(|l| w.eq_ignore_ascii_case(l)))
}

/// Fills in each unit's gap and keeps sentence punctuation from ending a run where it is the
/// list's own separator, repeated between neighbours: `["a", "b"]`, `a; b; c`, `` `a` `b` ``.
fn with_list_separators(text: &str, mut units: Vec<Unit>) -> Vec<Unit> {
    let starts: Vec<usize> = units.iter().skip(1).map(|u| u.start).collect();
    for (u, next_start) in units.iter_mut().zip(starts) {
        let gap = text.get(u.end..next_start).unwrap_or_default();
        u.gap = gap_signature(gap, false);
        u.layout = gap_signature(gap, true);
    }
    for k in 0..units.len() {
        let gap = units[k].gap;
        let same_before = k > 0 && units[k - 1].gap == gap;
        let same_after = units.get(k + 1).is_some_and(|n| n.gap == gap);
        if same_before || same_after {
            units[k].hard_after = false;
        }
    }
    units
}

/// FNV-1a over the gap's characters, with each run of digits (`1`, `①`) as one `#` and `\r`
/// ignored; with `fold_spaces`, each run of whitespace as one space.
fn gap_signature(gap: &str, fold_spaces: bool) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut previous = None;
    for c in gap.chars() {
        let class = match c {
            '\r' => continue,
            c if c.is_numeric() => '#',
            c if fold_spaces && c.is_whitespace() => ' ',
            c => c,
        };
        let repeated = class == '#' || (fold_spaces && class == ' ');
        if repeated && previous == Some(class) {
            continue;
        }
        previous = Some(class);
        hash = (hash ^ u64::from(u32::from(class))).wrapping_mul(0x100_0000_01b3);
    }
    hash
}

/// Finds seed phrases in one language's units and appends them to `out`.
pub(super) fn phrase_findings(units: &[Unit], out: &mut Vec<Finding>) {
    let mut flagged = runs(units);
    flagged.extend(checksummed_stretches(units, &flagged));
    flagged.sort_unstable();
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

/// Rule 1a: runs of listed and typo-like words with no sentence punctuation, grown over
/// short gaps, as unit ranges in order.
fn runs(units: &[Unit]) -> Vec<(usize, usize)> {
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
            let typo_pair = is_typo(u.class) && is_typo(prev.class);
            if u.class == UnitClass::Break || typo_pair || prev.hard_after {
                break;
            }
            j += 1;
        }
        if run_qualifies(&units[i..j]) && (varied(&units[i..j]) || credible_checksum(&units[i..j]))
        {
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
    flagged
}

/// ≥ 11 consecutive listed words joined by one separator, or one typo whose listed neighbours
/// add up to ≥ 10 and that a correction turns into a phrase with a valid checksum
/// ([`corrected_checksum`]).
fn run_qualifies(run: &[Unit]) -> bool {
    let mut before_typo: Option<usize> = None;
    let mut current = 0;
    let mut joined = 0;
    let mut typo_run = false;
    for (k, unit) in run.iter().enumerate() {
        match unit.class {
            UnitClass::Listed(_) => {
                current += 1;
                joined = joined_listed(run, k, joined);
                if joined >= MIN_RUN {
                    return true;
                }
                typo_run |= before_typo.is_some_and(|b| b + 1 + current >= MIN_RUN);
            }
            UnitClass::Typo(_) => {
                typo_run |= current + 1 >= MIN_RUN;
                before_typo = Some(current);
                current = 0;
                joined = 0;
            }
            UnitClass::Break => return false,
        }
    }
    typo_run && corrected_checksum(run)
}

/// How many listed words end at the listed word `k` joined by one separator, given `joined`
/// for the word before (a list of steps mixes `, ` with line breaks and bullets).
fn joined_listed(run: &[Unit], k: usize, joined: usize) -> usize {
    let layout = |i: usize| run[i].layout;
    match joined {
        0 => 1,
        1 => 2,
        _ if layout(k - 1) == layout(k - 2) => joined + 1,
        _ => 2,
    }
}

/// Evidence for a run with a typo (rule 1a): correcting the typo-like words of a window of
/// 12–24 words (each to a listed word one edit away or sharing its first four letters, see
/// [`corrections`]) gives a valid checksum. Windows are tried in [`correction_windows`] order,
/// corrections with the typo's first letter first, while the chance that prose passes stays
/// within [`CORRECTION_BUDGET`]. Stand-alone Chinese characters have no spelling to correct
/// (any of the 2048 could be meant) and need no evidence.
fn corrected_checksum(run: &[Unit]) -> bool {
    if run.iter().any(|u| u.class == UnitClass::Typo(None)) {
        return true;
    }
    let fixes: Vec<Vec<u16>> = run
        .iter()
        .map(|u| match u.class {
            UnitClass::Typo(Some(word)) => corrections_first_letter_first(word),
            _ => Vec::new(),
        })
        .collect();
    let mut budget = CORRECTION_BUDGET;
    for window in correction_windows(run) {
        let typos: Vec<usize> = window.clone().filter(|&k| is_typo(run[k].class)).collect();
        if typos.is_empty()
            || typos.iter().any(|&k| fixes[k].is_empty())
            || !one_separator(&run[window.clone()])
        {
            continue;
        }
        // One trial passes by chance with probability 2^-(n/3): 1/16 for 12 words.
        let cost = 1 << ((PHRASE_LENGTHS[4] - window.len()) / 3);
        if corrections_check_out(run, window, &typos, &fixes, cost, &mut budget) {
            return true;
        }
    }
    false
}

/// Windows of a phrase length, longest first: first where a pasted phrase begins and ends (the
/// whole run, then those that end where it ends, start where it starts, or end right before or
/// start right after a typo-like word), then every other one. At most [`MAX_CHECKSUM_WINDOWS`].
fn correction_windows(run: &[Unit]) -> Vec<Range<usize>> {
    let len = run.len();
    let lengths = move || PHRASE_LENGTHS.into_iter().rev().filter(move |&n| n <= len);
    let at_typos = (0..len).filter(|&k| is_typo(run[k].class)).flat_map(|k| {
        let before = lengths().filter(move |&n| n <= k).map(move |n| k - n..k);
        let after = lengths()
            .filter(move |&n| k + 1 + n <= len)
            .map(move |n| k + 1..k + 1 + n);
        before.chain(after)
    });
    let anchored = lengths()
        .map(|n| len - n..len)
        .chain(lengths().map(|n| 0..n))
        .chain(at_typos);
    let sliding = lengths().flat_map(move |n| (0..=len - n).map(move |s| s..s + n));
    let mut windows: Vec<Range<usize>> = Vec::new();
    for window in anchored.chain(sliding) {
        if windows.len() == MAX_CHECKSUM_WINDOWS {
            break;
        }
        if !windows.contains(&window) {
            windows.push(window);
        }
    }
    windows
}

/// Tries the combinations of corrections for the typo-like words at `typos` (run indices) in
/// `window`, each costing `cost` of `budget`, until one checks out or the budget runs out.
fn corrections_check_out(
    run: &[Unit],
    window: Range<usize>,
    typos: &[usize],
    fixes: &[Vec<u16>],
    cost: usize,
    budget: &mut usize,
) -> bool {
    let mut indices = [0u16; 24];
    fill_indices(&mut indices, &run[window.clone()]);
    let n = window.len();
    let mut choice = vec![0usize; typos.len()];
    loop {
        let Some(left) = budget.checked_sub(cost) else {
            return false;
        };
        *budget = left;
        for (&k, &c) in typos.iter().zip(&choice) {
            indices[k - window.start] = fixes[k][c];
        }
        let words = &indices[..n];
        if checksum_valid(words) && !repetitive(words) {
            return true;
        }
        // The next combination, like an odometer.
        let mut digit = 0;
        loop {
            let Some(&k) = typos.get(digit) else {
                return false;
            };
            choice[digit] += 1;
            if choice[digit] < fixes[k].len() {
                break;
            }
            choice[digit] = 0;
            digit += 1;
        }
    }
}

/// [`corrections`] of a packed typo-like word, those with its first letter first: people
/// rarely mistype the first letter.
fn corrections_first_letter_first(word: u64) -> Vec<u16> {
    let mut fixes = corrections(word);
    let first = first_letter(word);
    fixes.sort_by_key(|&i| english_first_letter(i) != first);
    fixes
}

/// Every word of `window` is separated from the next the same way (see [`Unit::layout`]).
fn one_separator(window: &[Unit]) -> bool {
    let inner = &window[..window.len().saturating_sub(1)];
    inner
        .windows(2)
        .all(|pair| pair[0].layout == pair[1].layout)
}

fn is_typo(class: UnitClass) -> bool {
    matches!(class, UnitClass::Typo(_))
}

/// Rule 1c: the run is not one word or a short pattern over and over, and at least half its
/// words (and [`MIN_DISTINCT`]) are different (a typo counts as one).
fn varied(run: &[Unit]) -> bool {
    let words: Vec<UnitClass> = run
        .iter()
        .map(|u| u.class)
        .filter(|c| *c != UnitClass::Break)
        .collect();
    let typos = words.iter().filter(|c| is_typo(**c)).count();
    let listed = distinct(words.iter().filter_map(|c| match c {
        UnitClass::Listed(i) => Some(*i),
        _ => None,
    }));
    !repetitive(&words) && listed + typos >= MIN_DISTINCT.max(words.len().div_ceil(2))
}

/// Rule 1c: a window of 12–24 listed words that is not a repeated pattern has a valid
/// checksum, and either half its words are different or it closes the run (where a phrase's
/// checksum word stands: `abandon` ×11 `about`, but not "you help help help…").
fn credible_checksum(run: &[Unit]) -> bool {
    let mut indices = [0u16; 24];
    let tail = run
        .iter()
        .rev()
        .take_while(|u| matches!(u.class, UnitClass::Listed(_)))
        .count();
    let closing = PHRASE_LENGTHS.into_iter().filter(|&n| n <= tail).any(|n| {
        fill_indices(&mut indices, &run[run.len() - n..]);
        let words = &indices[..n];
        checksum_valid(words) && !repetitive(words)
    });
    closing
        || checksum_windows(run, |words| {
            distinct(words.iter().copied()) * 2 >= words.len()
        })
}

/// Rule 1d: a stretch of listed words, whatever separates them (hard punctuation included),
/// in which a window of 12–24 words has a valid checksum and nearly no repeated word. Skips
/// the stretches rule 1a flagged already.
fn checksummed_stretches(units: &[Unit], flagged: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut budget = MAX_LOOSE_WINDOWS;
    let mut flagged = flagged.iter().peekable();
    let mut k = 0;
    while k < units.len() && budget > 0 {
        let stretch = units[k..]
            .iter()
            .take_while(|u| matches!(u.class, UnitClass::Listed(_)))
            .count();
        // `flagged` is sorted and disjoint: drop the ranges that end before this stretch.
        while flagged.next_if(|&&(_, b)| b <= k).is_some() {}
        let covered = flagged
            .peek()
            .is_some_and(|&&(a, b)| a <= k && k + stretch <= b);
        if stretch >= PHRASE_LENGTHS[0]
            && !covered
            && has_checksummed_window(&units[k..k + stretch], &mut budget)
        {
            found.push(grow(units, k, k + stretch));
        }
        k += stretch.max(1);
    }
    found
}

/// Some window of a valid phrase length (longest first) checks out and repeats at most two
/// words (a random phrase repeats one with a chance of about 3%).
fn has_checksummed_window(stretch: &[Unit], budget: &mut usize) -> bool {
    let mut indices = [0u16; 24];
    for n in PHRASE_LENGTHS
        .into_iter()
        .rev()
        .filter(|&n| n <= stretch.len())
    {
        for window in stretch.windows(n) {
            let Some(spent) = budget.checked_sub(1) else {
                return false;
            };
            *budget = spent;
            fill_indices(&mut indices, window);
            let words = &indices[..n];
            if distinct(words.iter().copied()) + 2 >= n && checksum_valid(words) {
                return true;
            }
        }
    }
    false
}

fn fill_indices(indices: &mut [u16; 24], window: &[Unit]) {
    for (slot, unit) in indices.iter_mut().zip(window) {
        if let UnitClass::Listed(i) = unit.class {
            *slot = i;
        }
    }
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

/// See the module doc: `Some(true)` if a valid-length window of listed words that is not a
/// repeated pattern checks out.
fn run_checksum(run: &[Unit]) -> Option<bool> {
    let mut tried = false;
    let valid = checksum_windows(run, |_| {
        tried = true;
        true
    });
    (valid || tried).then_some(valid)
}

/// Whether some window of 12–24 consecutive listed words in `run`, accepted by `accept`, is not
/// a repeated pattern and has a valid checksum (at most [`MAX_CHECKSUM_WINDOWS`] tried).
fn checksum_windows(run: &[Unit], mut accept: impl FnMut(&[u16]) -> bool) -> bool {
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
                    return false;
                }
                tried += 1;
                fill_indices(&mut indices, &run[from..from + n]);
                let words = &indices[..n];
                if accept(words) && checksum_valid(words) && !repetitive(words) {
                    return true;
                }
            }
        }
        k += stretch.max(1);
    }
    false
}
