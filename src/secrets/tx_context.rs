//! Telling a `0x` + 64-hex transaction hash or signature component from a private key by what
//! the message talks about, by the URL the token sits in and by the label in front of it.

#[derive(Default)]
pub(super) struct TxContext {
    transaction: bool,
    key: bool,
    /// The message names a signature (signature, sig, permit, 签名) or has a `v` component.
    signature: bool,
}

impl TxContext {
    const TX_WORDS: [&str; 28] = [
        "tx",
        "txn",
        "txns",
        "txs",
        "txid",
        "txids",
        "txhash",
        "hash",
        "hashes",
        "explorer",
        "blockscout",
        "snowtrace",
        "pending",
        "stuck",
        "fail",
        "fails",
        "failed",
        "failing",
        "revert",
        "reverted",
        "reverts",
        "unconfirmed",
        "block",
        "receipt",
        "topic",
        "topics",
        "logs",
        "event",
    ];
    const TX_PREFIXES: [&str; 4] = ["transaction", "confirm", "etherscan", "liquidat"];
    const TX_CHINESE: [&str; 10] = [
        "交易",
        "哈希",
        "转账",
        "区块浏览器",
        "区块链浏览器",
        "卡住",
        "失败",
        "未确认",
        "待确认",
        "清算",
    ];
    const KEY_WORDS: [&str; 12] = [
        "key",
        "keys",
        "private",
        "privkey",
        "privatekey",
        "pk",
        "secret",
        "seed",
        "mnemonic",
        "priv",
        "siyao",
        // "verify my identity with 0x…": nobody proves who they are with a transaction hash.
        "identity",
    ];
    /// Matched in the text with its traditional characters simplified (私鑰 → 私钥) and its
    /// pinyin slips put right (思钥, 私匙 → 私钥; 住记词 → 助记词).
    const KEY_CHINESE: [&str; 5] = ["私钥", "密钥", "秘钥", "助记词", "身份"];
    const SIGNATURE_WORDS: [&str; 5] = ["signature", "signatures", "sig", "sigs", "permit"];

    pub(super) fn of(text: &str) -> Self {
        let mut ctx = Self::default();
        let mut lower = [0u8; 24];
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            let Some(slot) = lower.get_mut(..word.len()) else {
                continue;
            };
            if word.is_empty() {
                continue;
            }
            slot.copy_from_slice(word.as_bytes());
            slot.make_ascii_lowercase();
            let Ok(w) = std::str::from_utf8(slot) else {
                continue;
            };
            if Self::TX_WORDS.contains(&w)
                || Self::TX_PREFIXES.iter().any(|p| w.starts_with(p))
                || (w.len() > 4 && (w.ends_with("scan") || w.ends_with("hash")))
            {
                ctx.transaction = true;
            }
            if Self::KEY_WORDS.contains(&w) {
                ctx.key = true;
            }
            if Self::SIGNATURE_WORDS.contains(&w) {
                ctx.signature = true;
            }
        }
        if !text.is_ascii() {
            let mut chinese = crate::lang::simplified_text(text).into_owned();
            crate::lang::fix_slips(&mut chinese);
            ctx.transaction |= Self::TX_CHINESE.iter().any(|k| chinese.contains(k));
            ctx.key |= Self::KEY_CHINESE.iter().any(|k| chinese.contains(k));
        }
        ctx.signature |= text.contains("签名") || has_v_component(text);
        ctx
    }
}

/// The token at `start` is the `r` or `s` of a signature: labelled `r` or `s` (JSON key,
/// `r=`, `s:`), in a message that names a signature or has a `v` component, and that does not
/// talk about keys.
pub(super) fn signature_component_in_context(
    text: &str,
    start: usize,
    context: &TxContext,
) -> bool {
    context.signature
        && !context.key
        && matches!(label_before(text, start), Some(b'r' | b's' | b'R' | b'S'))
}

/// The one-letter label right before `start`: `"r":"`, `r=`, `s: `, `'s': '`. `None` when the
/// label is missing or longer than one letter.
fn label_before(text: &str, start: usize) -> Option<u8> {
    let before = text.as_bytes().get(..start)?;
    let mut rest = before;
    let trim = |rest: &mut &[u8], skip: fn(u8) -> bool| {
        while let Some((&last, init)) = rest.split_last()
            && skip(last)
        {
            *rest = init;
        }
    };
    trim(&mut rest, |b| matches!(b, b'"' | b'\'' | b' ' | b'\t'));
    let (&separator, init) = rest.split_last()?;
    if !matches!(separator, b':' | b'=') {
        return None;
    }
    rest = init;
    trim(&mut rest, |b| matches!(b, b'"' | b'\'' | b' ' | b'\t'));
    let (&letter, init) = rest.split_last()?;
    let standalone = init
        .last()
        .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_');
    (letter.is_ascii_alphabetic() && standalone).then_some(letter)
}

/// Some `v` component is labelled in the text: `"v":27`, `v=28`, `v: 0x1b`.
fn has_v_component(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        if !matches!(b, b'v' | b'V') {
            return false;
        }
        let standalone = i == 0
            || bytes
                .get(i - 1)
                .is_some_and(|p| !p.is_ascii_alphanumeric() && *p != b'_');
        let after = bytes.get(i + 1..).unwrap_or_default();
        let skip = after
            .iter()
            .take_while(|c| matches!(c, b'"' | b'\'' | b' ' | b'\t'))
            .count();
        standalone && matches!(after.get(skip), Some(b':' | b'='))
    })
}

pub(super) fn tx_hash_in_context(text: &str, start: usize, context: &TxContext) -> bool {
    in_tx_url(text, start) || (context.transaction && !context.key)
}

/// The token at `start` follows a `tx`-like path or query segment of a URL-ish chunk.
pub(super) fn in_tx_url(text: &str, start: usize) -> bool {
    const SEGMENTS: [&str; 8] = [
        "tx",
        "txs",
        "txn",
        "txhash",
        "tx_hash",
        "hash",
        "transaction",
        "transactions",
    ];
    /// Longest URL prefix looked at, so many hashes in one chunk stay linear.
    const MAX_LOOKBACK: usize = 512;
    let from = (start.saturating_sub(MAX_LOOKBACK)..start)
        .find(|&k| text.is_char_boundary(k))
        .unwrap_or(start);
    let Some(before) = text.get(from..start) else {
        return false;
    };
    let chunk_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let chunk = before.get(chunk_start..).unwrap_or_default();
    chunk.ends_with(['/', '='])
        && chunk
            .split(['/', '?', '&', '#', '='])
            .any(|s| SEGMENTS.iter().any(|seg| s.eq_ignore_ascii_case(seg)))
}
