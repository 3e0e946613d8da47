//! Private keys: 64-hex tokens (unless the context makes a `0x` token a transaction hash or a
//! signature's `r`/`s`), WIF and extended private keys.

use super::base58::base58check_valid;
use super::tokens::{Token, TokenKind};
use super::tx_context::{TxContext, signature_component_in_context, tx_hash_in_context};
use super::{Finding, SecretKind};

pub(super) const EXTENDED_PREFIXES: [&str; 10] = [
    "xprv", "tprv", "yprv", "zprv", "uprv", "vprv", "Yprv", "Zprv", "Uprv", "Vprv",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeyClass {
    /// `0x` + 64 hex: a key unless the context says tx hash.
    PrefixedHex,
    /// 64 hex, no prefix: always a key.
    BareHex,
    Wif,
    Extended,
}

pub(super) fn is_base58(b: u8) -> bool {
    b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l')
}

pub(super) fn classify_key(token: &str) -> Option<KeyClass> {
    // "0x0x…": a prefix typed before a key that had one already; the key is what follows.
    let token = strip_extra_hex_prefixes(token);
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

/// `token` without the `0x` prefixes before its last one ("0x0xab…" → "0xab…"); unchanged when
/// it has one prefix or none.
fn strip_extra_hex_prefixes(token: &str) -> &str {
    let is_prefix = |t: &str| t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x"));
    let mut token = token;
    while is_prefix(token) && token.get(2..).is_some_and(is_prefix) {
        token = &token[2..];
    }
    token
}

/// Whether 64 hex digits can be a secp256k1 private key in practice: not a padded ABI word
/// (16+ leading zero digits: an address, an amount, an event topic; a random key starts that way
/// with probability 2⁻⁶⁴) and below the curve order (rules out `uint256` max, the "unlimited
/// approval" amount users paste).
pub(super) fn could_be_scalar(hex64: &str) -> bool {
    const ORDER: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    let leading_zeros = hex64.bytes().take_while(|&b| b == b'0').count();
    let below_order = hex64
        .bytes()
        .map(|b| b.to_ascii_lowercase())
        .lt(ORDER.bytes());
    leading_zeros < 16 && below_order
}

pub(super) fn key_findings(text: &str, tokens: &[Token], out: &mut Vec<Finding>) {
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
                if tx_hash_in_context(text, token.start, context)
                    || signature_component_in_context(text, token.start, context)
                {
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
