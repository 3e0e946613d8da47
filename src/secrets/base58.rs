//! Base58check, for WIF and extended keys: the checksum is the first four bytes of a double
//! SHA-256 (the `sha2` crate) of the payload.

use sha2::{Digest, Sha256};

pub(super) fn base58_decode(s: &str) -> Option<Vec<u8>> {
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

pub(super) fn base58check_valid(s: &str) -> bool {
    let Some(bytes) = base58_decode(s) else {
        return false;
    };
    let Some(split) = bytes.len().checked_sub(4).filter(|&n| n > 0) else {
        return false;
    };
    let (payload, checksum) = bytes.split_at(split);
    Sha256::digest(Sha256::digest(payload)).get(..4) == Some(checksum)
}
