//! Chinese seed phrases written without separators (rule 1b of the module doc).

use super::checksum::{checksum_valid, repetitive};
use super::wordlists::han_index;
use super::{Finding, PHRASE_LENGTHS, SecretKind};

pub(super) const SEED_NAMES: [&str; 7] = [
    "助记词",
    "种子",
    "恢复短语",
    "mnemonic",
    "seed",
    "phrase",
    "recovery",
];

/// Chinese names of a seed phrase, after which an unspaced phrase may follow without a colon
/// ("我的助记词是…").
const CHINESE_NAMES: [&str; 4] = ["助记词", "种子", "恢复短语", "恢复词"];
/// What may stand between such a name and the phrase.
const CONNECTORS: [char; 9] = ['是', '为', '如', '下', ':', '：', '，', ',', ' '];
/// Bound on name occurrences looked at per message.
const MAX_NAMED: usize = 8;

/// Rule 1b: Chinese characters written together, alone on their line(s), valid checksum.
pub(super) fn unseparated_chinese(text: &str, out: &mut Vec<Finding>) {
    struct Line {
        start: usize,
        end: usize,
        indices: Vec<u16>,
    }
    let mut push = |start: usize, end: usize, indices: &[u16]| {
        if checksum_valid(indices) && !repetitive(indices) {
            out.push(Finding {
                kind: SecretKind::SeedPhrase,
                span: start..end,
                words: indices.len(),
                checksum_valid: Some(true),
            });
        }
    };
    let mut named = None;
    let mut block: Vec<Line> = Vec::new();
    let mut offset = 0;
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        let line_start = offset;
        offset += line.len() + 1;
        let clean = clean_han_line(line, line_start)
            .filter(|l| !reads_as_prose(l) || *named.get_or_insert_with(|| names_a_seed(text)));
        let last_line = lines.peek().is_none();
        let clean_found = clean.is_some();
        if let Some(line) = clean {
            block.push(line);
        } else if let Some(colon) = line.rfind([':', '：']) {
            let colon_len = line
                .get(colon..)
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8);
            let tail_at = colon + colon_len;
            let named = *named.get_or_insert_with(|| names_a_seed(text));
            if named
                && let Some(tail) = line
                    .get(tail_at..)
                    .and_then(|tail| phrase_after_colon(tail, line_start + tail_at))
            {
                push(tail.start, tail.end, &tail.indices);
            }
        }
        if (clean_found && !last_line) || block.is_empty() {
            continue;
        }
        let all: Vec<u16> = block
            .iter()
            .flat_map(|l| l.indices.iter().copied())
            .collect();
        if let (Some(first), Some(last)) = (block.first(), block.last())
            && PHRASE_LENGTHS.contains(&all.len())
            && checksum_valid(&all)
        {
            push(first.start, last.end, &all);
        } else if block.len() > 1 {
            for l in &block {
                push(l.start, l.end, &l.indices);
            }
        }
        block.clear();
    }

    for (at, name) in CHINESE_NAMES
        .iter()
        .flat_map(|name| text.match_indices(name))
        .take(MAX_NAMED)
    {
        let tail_at = at + name.len();
        let tail = text.get(tail_at..).unwrap_or_default();
        let connector = tail.len() - tail.trim_start_matches(CONNECTORS).len();
        // The connector may be the phrase's first word ("是"), and a checksum can pass by
        // chance on a shorter prefix: report both readings, the findings' union is redacted.
        let skips = if connector == 0 {
            &[0][..]
        } else {
            &[0, connector][..]
        };
        for &skip in skips {
            let Some(phrase) = tail
                .get(skip..)
                .and_then(|rest| phrase_after_colon(rest, tail_at + skip))
            else {
                continue;
            };
            push(phrase.start, phrase.end, &phrase.indices);
        }
    }

    fn clean_han_line(line: &str, base: usize) -> Option<Line> {
        let mut indices = Vec::new();
        let mut first = None;
        let mut end = 0;
        for (i, c) in line.char_indices() {
            if c.is_whitespace() {
                continue;
            }
            indices.push(han_index(c)?);
            first.get_or_insert(base + i);
            end = base + i + c.len_utf8();
        }
        first.map(|start| Line {
            start,
            end,
            indices,
        })
    }

    /// The listed characters right after a named colon (or a Chinese name), cut to the
    /// longest phrase length with a valid checksum: `助记词：…谢谢！` ends where the checksum says.
    fn phrase_after_colon(tail: &str, base: usize) -> Option<Line> {
        let mut indices = Vec::with_capacity(PHRASE_LENGTHS[4]);
        let mut ends = Vec::with_capacity(PHRASE_LENGTHS[4]);
        let mut first = None;
        for (i, c) in tail.char_indices() {
            if c.is_whitespace() {
                continue;
            }
            let (Some(index), true) = (han_index(c), indices.len() < PHRASE_LENGTHS[4]) else {
                break;
            };
            indices.push(index);
            ends.push(base + i + c.len_utf8());
            first.get_or_insert(base + i);
        }
        let n = PHRASE_LENGTHS.into_iter().rev().find(|&n| {
            indices
                .get(..n)
                .is_some_and(|w| checksum_valid(w) && !repetitive(w))
        })?;
        indices.truncate(n);
        Some(Line {
            start: first?,
            end: *ends.get(n - 1)?,
            indices,
        })
    }

    /// A line of characters in the list, written without separators, that reads as a sentence: the
    /// function characters of Chinese prose (的, 了, 吗, 我, 是…) are a handful of the 2,048
    /// words, so a random phrase rarely holds two of them (about 1% of 12-word phrases, 0.3%
    /// of 24-word ones with three) while a question almost always does. Without a seed named
    /// in the message, such a line is prose: `链上有没有看信用分的贷款` passes the checksum by
    /// chance (one line in sixteen does).
    /// A line of repeated words (`的的…的在`, a classic test vector) is no prose.
    fn reads_as_prose(line: &Line) -> bool {
        const PROSE: &str = "的了吗呢吧啊么我你他是有在不没这那怎什能会要就都";
        let mut distinct = line.indices.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let words = line.indices.len();
        if distinct.len() * 2 < words {
            return false;
        }
        let found = PROSE
            .chars()
            .filter_map(han_index)
            .filter(|i| distinct.contains(i))
            .count();
        found >= 2 + words / 24 || lending_words(&line.indices) >= 2
    }

    fn names_a_seed(text: &str) -> bool {
        let lower = text.to_lowercase();
        SEED_NAMES.iter().any(|name| lower.contains(name))
    }
}

/// How many distinct lending words (`健康`, `因子`, `取款`, `失败`…) the line holds, as
/// adjacent characters. A terse report like `取款失败 提示健康因子过低` has no function
/// characters but five such words; in a random phrase any one of them stands at a given
/// place with odds of one in four million, so two are never there by chance.
pub(super) fn lending_words(indices: &[u16]) -> usize {
    const WORDS: &[&str] = &[
        "健康", "因子", "清算", "爆仓", "取款", "提款", "提现", "借款", "还款", "存款", "抵押",
        "利率", "利息", "失败", "报错", "提示", "交易", "钱包", "地址", "余额", "资产", "仓位",
        "杠杆", "价格", "显示", "转账", "授权", "手续",
    ];
    // The words are distinct, so counting them counts distinct words.
    WORDS
        .iter()
        .filter(|w| {
            let pair: Vec<u16> = w.chars().filter_map(han_index).collect();
            pair.len() == 2 && indices.windows(2).any(|win| win == pair.as_slice())
        })
        .count()
}
