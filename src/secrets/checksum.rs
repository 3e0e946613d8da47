//! The BIP39 checksum of a phrase given as word indices, and the word-mix test that keeps a
//! repeated word ("help" ×12, "good morning" ×6) from counting as a phrase.

use sha2::{Digest, Sha256};

use super::PHRASE_LENGTHS;

/// Longest repeating pattern (in words) that marks a run as repetition, not a phrase.
const MAX_PERIOD: usize = 4;

/// BIP39 checksum of a phrase given as word indices (12, 15, 18, 21 or 24 of them): the last
/// `n / 3` bits are the first bits of the SHA-256 of the entropy before them.
pub(super) fn checksum_valid(indices: &[u16]) -> bool {
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
    let checksum_bits = n / 3;
    let entropy_len = n * 4 / 3;
    // 24 words: the checksum is the 33rd byte; fewer: the bits left in `acc`.
    let checksum = if bits == 0 {
        u32::from(bytes[entropy_len])
    } else {
        acc
    };
    let digest = Sha256::digest(&bytes[..entropy_len]);
    let valid = u32::from(digest[0] >> (8 - checksum_bits)) == checksum;
    bytes.fill(0);
    std::hint::black_box(&bytes);
    valid
}

/// The words repeat a pattern of at most [`MAX_PERIOD`] words ("link link link…", "good
/// morning good morning…"). A generated phrase does that only if its entropy was chosen to.
pub(super) fn repetitive<T: PartialEq>(words: &[T]) -> bool {
    (1..=MAX_PERIOD.min(words.len().saturating_sub(1)))
        .any(|p| words.iter().zip(&words[p..]).all(|(a, b)| a == b))
}

/// How many different word indices `indices` holds (a 2048-bit set on the stack).
pub(super) fn distinct(indices: impl Iterator<Item = u16>) -> usize {
    let mut seen = [0u64; 32];
    let mut count = 0;
    for i in indices {
        let (slot, bit) = (usize::from(i >> 6) & 31, 1u64 << (i & 63));
        if let Some(word) = seen.get_mut(slot)
            && *word & bit == 0
        {
            *word |= bit;
            count += 1;
        }
    }
    count
}
