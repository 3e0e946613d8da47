//! The two languages lendesk speaks, telling them apart in a message, and one way of writing
//! the Chinese it reads: traditional characters (Hong Kong, Taiwan, formal letters) simplified,
//! pinyin-input slips in its terms put right.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::LazyLock;

/// A user-facing language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Parses "en", "zh", "zh-hans", "zh-CN", "en-US"… (Telegram's `language_code`).
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Self::Zh)
        } else if code.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The ISO code: "en" or "zh".
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh",
        }
    }

    /// Picks English or Chinese text.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Self::En => en,
            Self::Zh => zh,
        }
    }
}

/// OpenCC's traditional → simplified characters (Apache-2.0, `src/lang/ts_characters.txt`):
/// `traditional<TAB>simplified [more]`.
const TS_CHARACTERS: &str = include_str!("lang/ts_characters.txt");

/// Traditional character → its simplified one, where that is one character and the traditional
/// one is not itself written in simplified text too (乾 stays: 乾坤 is simplified as well).
static SIMPLIFIED: LazyLock<FxHashMap<char, char>> = LazyLock::new(|| {
    let mut map = FxHashMap::default();
    for line in TS_CHARACTERS.lines().filter(|l| !l.starts_with('#')) {
        let Some((key, values)) = line.split_once('\t') else {
            continue;
        };
        let one = |s: &str| {
            let mut chars = s.chars();
            chars.next().filter(|_| chars.next().is_none())
        };
        let Some(traditional) = one(key) else {
            continue;
        };
        let mut values = values.split_whitespace();
        let first = values.next().and_then(one);
        if let Some(simplified) = first
            && simplified != traditional
            && !values.any(|v| one(v) == Some(traditional))
        {
            map.insert(traditional, simplified);
        }
    }
    map
});

/// `c` in simplified Chinese: 鑰 → 钥, 記 → 记; any other character as it is.
pub fn simplified(c: char) -> char {
    if (c as u32) < 0x3400 {
        return c;
    }
    SIMPLIFIED.get(&c).copied().unwrap_or(c)
}

/// `text` with its traditional characters simplified ([`simplified`]); borrowed when it has none.
pub fn simplified_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| simplified(c) == c) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(simplified).collect())
    }
}

/// Common pinyin-input slips in the terms lendesk reads, put right before segmentation: the
/// slip sounds like the term (建康度 → 健康度, 青算 → 清算), and cut as it stands it would
/// leave an unknown word or a wrong cut (`青算是` → `青` `算是`).
const ZH_SLIPS: &[(&str, &str)] = &[
    ("建康", "健康"),
    ("青算", "清算"),
    ("清酸", "清算"),
    ("抵压", "抵押"),
    ("低押", "抵押"),
    ("利律", "利率"),
    ("利绿", "利率"),
    ("利西", "利息"),
    ("思钥", "私钥"),
    ("私匙", "私钥"),
    ("住记词", "助记词"),
    ("住机词", "助记词"),
    ("助机词", "助记词"),
    ("注记词", "助记词"),
];

/// `text` with its pinyin-input slips ([`ZH_SLIPS`]) put right.
pub fn fix_slips(text: &mut String) {
    for (slip, term) in ZH_SLIPS {
        if text.contains(slip) {
            *text = text.replace(slip, term);
        }
    }
}

/// True for CJK ideographs (the characters Chinese is written in).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// The language a message is written in: Chinese when it has any run of Chinese characters
/// that outweighs its Latin letters, English when it is mostly Latin letters, else `None`
/// (numbers, addresses, emoji: let the hint or the saved choice decide).
pub fn detect(text: &str) -> Option<Lang> {
    let mut cjk = 0usize;
    let mut latin_words = 0usize;
    let mut in_word = false;
    let mut in_hex = false;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // A `0x…` address or hash is no word of any language (`0x3C44…BC 我的HF多少`).
        let starts_hex = c == '0'
            && !prev.is_ascii_alphanumeric()
            && chars.peek().is_some_and(|n| *n == 'x' || *n == 'X');
        prev = c;
        if starts_hex {
            in_hex = true;
        }
        if in_hex {
            if c.is_ascii_alphanumeric() {
                continue;
            }
            in_hex = false;
        }
        if is_cjk(c) {
            cjk += 1;
            in_word = false;
        } else if c.is_ascii_alphabetic() {
            if !in_word {
                latin_words += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    // An address or hash is one "word" of letters and digits: do not let it decide.
    if cjk > 0 && cjk * 2 >= latin_words {
        Some(Lang::Zh)
    } else if latin_words > 0 && cjk == 0 {
        let meaningful = text.split_whitespace().any(|w| {
            w.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2 && !w.starts_with("0x")
        });
        meaningful.then_some(Lang::En)
    } else if latin_words > 0 {
        Some(Lang::En)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_traditional_characters_simplified() {
        assert_eq!(
            simplified_text("若需核實身份，鄙人可提供私鑰"),
            "若需核实身份，鄙人可提供私钥"
        );
        assert_eq!(simplified_text("助記詞俾你驗證"), "助记词俾你验证");
        // Simplified text, English and characters written the same in both stay as they are.
        for same in ["我的健康因子是多少", "what is my HF", "乾坤", "0x3C44Cd"] {
            assert!(matches!(simplified_text(same), Cow::Borrowed(_)), "{same}");
        }
    }

    #[test]
    fn detects_chinese_english_and_neither() {
        assert_eq!(detect("我的健康因子是多少？"), Some(Lang::Zh));
        assert_eq!(detect("我的 HF 是多少"), Some(Lang::Zh));
        assert_eq!(detect("what is my health factor"), Some(Lang::En));
        assert_eq!(detect("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), None);
        assert_eq!(detect("👍 123"), None);
        // An address's letters are not English words.
        let address = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
        assert_eq!(detect(&format!("{address} 我的HF多少")), Some(Lang::Zh));
        assert_eq!(
            detect(&format!("我地址{address}健康因子多少")),
            Some(Lang::Zh)
        );
        assert_eq!(detect(&format!("{address} whats my hf")), Some(Lang::En));
    }

    #[test]
    fn telegram_codes_map_to_languages() {
        assert_eq!(Lang::from_code("zh-hans"), Some(Lang::Zh));
        assert_eq!(Lang::from_code("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
    }
}
