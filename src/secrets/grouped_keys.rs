//! Rule 2b: a 64-hex private key written in equal groups (2 × 32, 4 × 16 or 8 × 8 hex digits)
//! separated by spaces, tabs, dashes or line breaks, with or without `0x` in front.
//!
//! Only the whole key counts: the groups must be equal, make exactly 64 digits, and hold both
//! letters and digits. Sixteen 8-digit groups (a signature, a hash pair) or groups separated by
//! commas (a list of ids) are not a key.

use super::keys::could_be_scalar;
use super::{Finding, SecretKind};

const KEY_DIGITS: usize = 64;
const GROUP_SIZES: [usize; 3] = [8, 16, 32];
/// Longest separator between two groups (`" - "`, `"\r\n"`).
const MAX_SEPARATOR: usize = 3;

/// One ASCII alphanumeric run of `text` that is a hex group (or a lone `0x`).
#[derive(Clone, Copy)]
struct Group {
    start: usize,
    /// Where the hex digits start (after `0x`).
    digits: usize,
    end: usize,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.digits
    }
}

/// Appends every grouped key in `text`.
pub(super) fn grouped_key_findings(text: &str, out: &mut Vec<Finding>) {
    let mut chain: Vec<Group> = Vec::new();
    let mut prev_end = None;
    for group in alphanumeric_runs(text).filter_map(|(s, e)| hex_group(text, s, e)) {
        let joined = prev_end.is_some_and(|p| separates(text.get(p..group.start)));
        let same_size = chain.last().is_some_and(|last| last.len() == group.len());
        let prefixed = group.digits != group.start;
        if !(joined && same_size && !prefixed) {
            finish(text, &chain, out);
            chain.clear();
        }
        chain.push(group);
        prev_end = Some(group.end);
    }
    finish(text, &chain, out);
}

/// Maximal runs of ASCII letters and digits, as byte ranges.
fn alphanumeric_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        (start < i).then_some((start, i))
    })
}

fn hex_group(text: &str, start: usize, end: usize) -> Option<Group> {
    let run = text.get(start..end)?;
    let digits = if run.starts_with("0x") || run.starts_with("0X") {
        start + 2
    } else {
        start
    };
    let body = text.get(digits..end)?;
    let sized = GROUP_SIZES.contains(&body.len()) && body.bytes().all(|b| b.is_ascii_hexdigit());
    sized.then_some(Group { start, digits, end })
}

fn separates(gap: Option<&str>) -> bool {
    gap.is_some_and(|g| {
        (1..=MAX_SEPARATOR).contains(&g.len())
            && g.bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'-'))
    })
}

/// A chain of equal groups that makes exactly one plausible key.
fn finish(text: &str, chain: &[Group], out: &mut Vec<Finding>) {
    let (Some(first), Some(last)) = (chain.first(), chain.last()) else {
        return;
    };
    if chain.len() < 2 || chain.len() * first.len() != KEY_DIGITS {
        return;
    }
    let mut key = [0u8; KEY_DIGITS];
    let mut filled = 0;
    for g in chain {
        let body = text.as_bytes().get(g.digits..g.end).unwrap_or_default();
        if let Some(slot) = key.get_mut(filled..filled + body.len()) {
            slot.copy_from_slice(body);
        }
        filled += body.len();
    }
    let mixed = key.iter().any(u8::is_ascii_digit) && key.iter().any(u8::is_ascii_alphabetic);
    let plausible = std::str::from_utf8(&key).is_ok_and(could_be_scalar);
    key.fill(0);
    std::hint::black_box(&key);
    if mixed && plausible {
        out.push(Finding {
            kind: SecretKind::PrivateKey,
            span: first.start..last.end,
            words: 0,
            checksum_valid: None,
        });
    }
}
