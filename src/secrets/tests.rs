use bip39::{Language, Mnemonic};

use super::checksum::checksum_valid;
use super::chinese::lending_words;
use super::phrases::MIN_RUN;
use super::wordlists::{WORDLISTS, WordClass, classify_word, corrections, han_index};
use super::*;

const ABANDON_ABOUT: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const LEGAL_12: &str =
    "legal winner thank year wave sausage worth useful legal winner thank yellow";
const LETTER_12: &str =
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage above";
const ZOO_12: &str = "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong";
const LEGAL_24: &str = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";
const HEX_KEY: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const TX_HASH: &str = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060";
const ADDRESS: &str = "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2";
/// BIP32 test vector 1, master key.
const XPRV: &str = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
const XPUB: &str = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
const WIF_UNCOMPRESSED: &str = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
const WIF_COMPRESSED: &str = "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn";

fn phrase_from_entropy(language: Language, entropy: &[u8]) -> Vec<&'static str> {
    let list = language.word_list();
    Mnemonic::from_entropy_in(language, entropy)
        .expect("test entropy has a valid length")
        .word_indices()
        .map(|i| list[i])
        .collect()
}

fn only(text: &str) -> Finding {
    let found = scan(text);
    assert_eq!(
        found.len(),
        1,
        "expected one finding in {text:?}, got {found:?}"
    );
    found[0].clone()
}

fn assert_clean(text: &str) {
    assert_eq!(scan(text), Vec::new(), "false positive on {text:?}");
    assert!(!contains_secret(text));
    assert_eq!(redact(text), text);
}

/// `redact` leaves no two consecutive secret words and none of the hex/base58 material.
fn assert_redacted(text: &str, secret_words: &[&str]) {
    let clean = redact(text);
    assert!(clean.contains(REDACTED), "{clean}");
    for pair in secret_words.windows(2) {
        assert!(
            !clean.contains(&pair.join(" ")),
            "{pair:?} survived in {clean}"
        );
    }
    for word in secret_words.iter().filter(|w| w.len() >= 20) {
        assert!(!clean.contains(word), "{word} survived in {clean}");
        let bare = word.trim_start_matches("0x");
        assert!(!clean.contains(bare), "{bare} survived in {clean}");
    }
    assert!(
        !contains_secret(&clean),
        "redacted text still holds a secret: {clean}"
    );
}

// --- word lists and primitives -------------------------------------------------------

#[test]
fn wordlists_have_2048_entries_and_chinese_words_are_single_characters() {
    assert_eq!(WORDLISTS.english.len(), 2048);
    assert_eq!(
        WORDLISTS.abbreviations.len(),
        2048 - english_three_letter_words()
    );
    assert_eq!(WORDLISTS.chinese.len(), 2048);
}

fn english_three_letter_words() -> usize {
    Language::English
        .word_list()
        .iter()
        .filter(|w| w.len() == 3)
        .count()
}

#[test]
fn checksum_agrees_with_bip39_crate() {
    for entropy in [[0u8; 16], [0xff; 16], [0x7f; 16], [0x80; 16]] {
        let phrase = phrase_from_entropy(Language::English, &entropy);
        let indices: Vec<u16> = phrase
            .iter()
            .map(|w| match classify_word(w.as_bytes()) {
                WordClass::Listed(i) => i,
                other => panic!("{w} is {other:?}"),
            })
            .collect();
        assert!(checksum_valid(&indices));
        let mut broken = indices.clone();
        broken[0] ^= 1;
        assert_eq!(
            checksum_valid(&broken),
            Mnemonic::parse_in(Language::English, {
                let list = Language::English.word_list();
                broken
                    .iter()
                    .map(|&i| list[usize::from(i)])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .is_ok()
        );
    }
}

// --- English seed phrases ----------------------------------------------------------

#[test]
fn classic_valid_12_word_phrase_is_detected_with_valid_checksum() {
    let f = only(ABANDON_ABOUT);
    assert_eq!(f.kind, SecretKind::SeedPhrase);
    assert_eq!(f.span, 0..ABANDON_ABOUT.len());
    assert_eq!(f.words, 12);
    assert_eq!(f.checksum_valid, Some(true));
    assert_redacted(ABANDON_ABOUT, &ABANDON_ABOUT.split(' ').collect::<Vec<_>>());
    assert_eq!(redact(ABANDON_ABOUT), REDACTED);
}

#[test]
fn other_valid_12_word_phrases_are_detected_with_valid_checksum() {
    let generated: Vec<String> = [[0x13u8; 16], [0xa5; 16], [0x42; 16]]
        .iter()
        .map(|e| phrase_from_entropy(Language::English, e).join(" "))
        .collect();
    for phrase in [LEGAL_12, LETTER_12, ZOO_12]
        .into_iter()
        .chain(generated.iter().map(String::as_str))
    {
        let f = only(phrase);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)), "{phrase}");
        assert_redacted(phrase, &phrase.split(' ').collect::<Vec<_>>());
    }
}

#[test]
fn twelve_listed_words_with_a_bad_checksum_are_still_a_phrase() {
    // LETTER_12 with its last word changed until the checksum breaks.
    let mut words: Vec<&str> = LETTER_12.split(' ').collect();
    let mut replacement = Language::English.word_list().iter();
    while checksum_valid(&indices(&words)) {
        words[11] = replacement.next().expect("some word breaks the checksum");
    }
    let f = only(&words.join(" "));
    assert_eq!(f.words, 12);
    assert_eq!(f.checksum_valid, Some(false));
}

fn indices(words: &[&str]) -> Vec<u16> {
    words
        .iter()
        .filter_map(|w| match classify_word(w.as_bytes()) {
            WordClass::Listed(i) => Some(i),
            _ => None,
        })
        .collect()
}

#[test]
fn a_word_or_short_pattern_repeated_is_not_a_phrase() {
    for text in [
        "help ".repeat(12),
        "help help help help help help help help help help help helo".to_owned(),
        "good morning ".repeat(6),
        "/link ".repeat(12),
        "please\n".repeat(15),
        "thank you ".repeat(8),
        "hello? ".repeat(12),
        "[\"test\", \"test\", \"test\", \"test\", \"test\", \"test\", \"test\", \"test\", \"test\", \"test\", \"test\", \"test\"]".to_owned(),
        "abandon ".repeat(12),
        "的 ".repeat(12),
    ] {
        assert_clean(&text);
    }
}

#[test]
fn a_repeating_phrase_with_a_valid_checksum_is_still_a_phrase() {
    // Two different words, but a valid checksum and no repeated pattern.
    for phrase in [ABANDON_ABOUT, ZOO_12] {
        assert_eq!(only(phrase).checksum_valid, Some(true), "{phrase}");
        let json = format!("[\"{}\"]", phrase.replace(' ', "\", \""));
        assert_eq!(only(&json).checksum_valid, Some(true), "{json}");
    }
}

#[test]
fn numbered_24_word_phrase_on_separate_lines_is_detected() {
    let words: Vec<&str> = LEGAL_24.split(' ').collect();
    let text: String = words
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{}. {w}\n", i + 1))
        .collect();
    let f = only(&text);
    assert_eq!((f.words, f.checksum_valid), (24, Some(true)));
    assert_redacted(&text, &words);
    assert_eq!(redact(&text).trim(), format!("1. {REDACTED}"));
}

#[test]
fn every_numbering_style_is_skipped() {
    let words: Vec<&str> = LEGAL_12.split(' ').collect();
    let styles: [fn(usize, &str) -> String; 8] = [
        |i, w| format!("{i}) {w} "),
        |i, w| format!("{i}-{w} "),
        |i, w| format!("#{i} {w} "),
        |i, w| format!("{i}.{w}"),
        |i, w| format!("({i}) {w}\t"),
        |i, w| format!("{}{w} ", char::from_u32(0x245F + i as u32).unwrap_or('?')),
        |i, w| format!("{i}{w}\r\n"),
        |i, w| format!("{i}、{w}，"),
    ];
    for style in styles {
        let text: String = words
            .iter()
            .enumerate()
            .map(|(i, w)| style(i + 1, w))
            .collect();
        let f = only(&text);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)), "{text:?}");
        assert_redacted(&text, &words);
    }
}

#[test]
fn comma_separated_phrase_is_detected() {
    let text = LETTER_12.replace(' ', ", ");
    assert_eq!(only(&text).checksum_valid, Some(true));
    assert_redacted(&text, &LETTER_12.split(' ').collect::<Vec<_>>());
    assert!(contains_secret(&LETTER_12.replace(' ', ",")));
}

#[test]
fn uppercase_and_mixed_case_phrases_are_detected() {
    let upper = LEGAL_12.to_uppercase();
    assert_eq!(only(&upper).checksum_valid, Some(true));
    assert_redacted(&upper, &upper.split(' ').collect::<Vec<_>>());
    let title: String = LEGAL_12
        .split(' ')
        .map(|w| format!("{}{} ", w[..1].to_uppercase(), &w[1..]))
        .collect();
    assert_eq!(only(&title).checksum_valid, Some(true));
}

#[test]
fn full_width_and_accented_phrases_are_normalized() {
    let full_width: String = ZOO_12
        .chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            c => char::from_u32(c as u32 - 0x20 + 0xFF00).unwrap_or(c),
        })
        .collect();
    let f = only(&full_width);
    assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
    assert_eq!(f.span, 0..full_width.len());
    assert_eq!(redact(&full_width), REDACTED);

    let accented = ABANDON_ABOUT.replace("abandon", "aba\u{301}ndon");
    assert_eq!(only(&accented).checksum_valid, Some(true));
}

#[test]
fn phrase_with_one_typo_is_still_detected() {
    let typo = LETTER_12.replacen("amount", "amout", 1);
    let f = only(&typo);
    assert_eq!(f.span, 0..typo.len());
    assert_eq!(f.words, 12);
    assert_eq!(f.checksum_valid, None);
    assert_redacted(&typo, &typo.split(' ').collect::<Vec<_>>());

    for typo in [
        LEGAL_12.replace("sausage", "sausgae"),
        LEGAL_12.replace("yellow", "yelow"),
        LEGAL_12.replace("legal", "leagl"),
        LETTER_12.replace("doctor", "docter"),
    ] {
        assert_eq!(only(&typo).span, 0..typo.len(), "{typo}");
    }
}

#[test]
fn phrase_with_two_typos_is_redacted_whole() {
    let words: Vec<&str> = LEGAL_24.split(' ').collect();
    let mut typo = words.clone();
    typo[4] = "wvae";
    typo[5] = "sausgae";
    typo[17] = "yaer";
    let text = typo.join(" ");
    let f = only(&text);
    assert_eq!(f.span, 0..text.len());
    assert_eq!(f.words, 24);
    assert_eq!(redact(&text), REDACTED);
}

#[test]
fn eleven_word_phrase_missing_a_word_is_detected() {
    let eleven: Vec<&str> = LEGAL_12.split(' ').skip(1).collect();
    let f = only(&eleven.join(" "));
    assert_eq!(f.words, 11);
    assert_eq!(f.checksum_valid, None);
}

#[test]
fn four_letter_abbreviations_count_as_words() {
    let abbreviated: String = LETTER_12.split(' ').map(|w| format!("{:.4} ", w)).collect();
    let f = only(&abbreviated);
    assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
    // "than" (thank) is ordinary English, so it reads as a typo, and the phrase still counts.
    let entropy: [u8; 32] = std::array::from_fn(|i| (i * 37 + 11) as u8);
    let mut words = phrase_from_entropy(Language::English, &entropy);
    words[11] = "thank";
    let abbreviated: String = words.iter().map(|w| format!("{:.4} ", w)).collect();
    let f = only(&abbreviated);
    assert_eq!(f.words, 24);
    assert_eq!(f.span, 0..abbreviated.trim_end().len());
}

#[test]
fn phrase_inside_a_sentence_is_redacted_and_the_rest_kept() {
    let text = format!("support told me to paste it in the form: {LETTER_12} — is it safe?");
    let f = only(&text);
    assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
    assert_eq!(
        redact(&text),
        format!("support told me to paste it in the form: {REDACTED} — is it safe?")
    );
}

#[test]
fn list_words_touching_a_phrase_are_redacted_with_it() {
    // "seed" and "phrase" are BIP39 words: nobody can tell where the phrase starts, so the
    // redaction errs on the side of hiding more. Punctuation ("here:") does end a run.
    let text = format!("seed phrase {LETTER_12}");
    let f = only(&text);
    assert_eq!((f.words, f.checksum_valid), (14, Some(true)));
    assert_eq!(redact(&text), REDACTED);
    let text = format!("paste my phrase here: {LETTER_12}");
    assert_eq!(redact(&text), format!("paste my phrase here: {REDACTED}"));
}

#[test]
fn spans_are_byte_ranges_after_multibyte_text() {
    let text = format!("你好 👋 {ZOO_12}");
    let f = only(&text);
    assert_eq!(&text[f.span.clone()], ZOO_12);
}

// --- Chinese seed phrases ----------------------------------------------------------

#[test]
fn chinese_phrase_separated_by_spaces_is_detected() {
    let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
    let text = words.join(" ");
    let f = only(&text);
    assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
    assert_eq!(redact(&text), REDACTED);
    for w in &words {
        assert!(!redact(&text).contains(w));
    }
}

#[test]
fn chinese_phrase_with_numbering_and_commas_is_detected() {
    let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x33; 24]);
    let numbered: String = words
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{}.{w} ", i + 1))
        .collect();
    assert_eq!(only(&numbered).words, 18);
    let commas = words.join("，");
    assert_eq!(only(&commas).checksum_valid, Some(true));
    let ideographic = words.join("、");
    assert_eq!(only(&ideographic).words, 18);
}

#[test]
fn chinese_spaced_phrase_with_one_wrong_character_is_detected() {
    let mut words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
    let outside = ["龘", "鑫", "犇", "淼"]
        .into_iter()
        .find(|c| !Language::SimplifiedChinese.word_list().contains(c))
        .expect("a character outside the list");
    words[6] = outside;
    let f = only(&words.join(" "));
    assert_eq!((f.words, f.checksum_valid), (12, None));
}

#[test]
fn chinese_unseparated_phrase_with_valid_checksum_alone_on_its_line_is_detected() {
    let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
    let glued = words.concat();
    let text = format!("请帮我看看\n{glued}\n谢谢");
    let f = only(&text);
    assert_eq!(&text[f.span.clone()], glued);
    assert_eq!((f.words, f.checksum_valid), (12, Some(true)));
    assert_eq!(redact(&text), format!("请帮我看看\n{REDACTED}\n谢谢"));

    let classic = phrase_from_entropy(Language::SimplifiedChinese, &[0; 16]).concat();
    assert_eq!(only(&classic).span, 0..classic.len());
}

#[test]
fn a_chinese_question_whose_characters_pass_the_checksum_by_chance_is_prose() {
    // Every character is in the list and the checksum holds (one line in sixteen does).
    let question = "链上有没有看信用分的贷款";
    let indices: Vec<u16> = question.chars().filter_map(han_index).collect();
    assert!(indices.len() == 12 && checksum_valid(&indices));
    assert_clean(question);
    // Named as a seed phrase, the same characters are redacted.
    assert_eq!(only(&format!("我的助记词：{question}")).words, 12);
}

#[test]
fn a_terse_chinese_error_report_whose_characters_pass_the_checksum_is_prose() {
    // No function characters, but lending words: "withdrawal failed, says health factor too low".
    let report = "取款失败 提示健康因子过低";
    let indices: Vec<u16> = report.chars().filter_map(han_index).collect();
    assert!(indices.len() == 12 && checksum_valid(&indices));
    assert_clean(report);
    assert_eq!(
        only(&format!("助记词：{}", report.replace(' ', ""))).words,
        12
    );
    // Generated phrases are no more often taken for prose than before: the new guard needs
    // two lending words side by side, which no random phrase here holds.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut prose = 0;
    for _ in 0..2_000 {
        let entropy: Vec<u8> = (0..16)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let glued = phrase_from_entropy(Language::SimplifiedChinese, &entropy).concat();
        let indices: Vec<u16> = glued.chars().filter_map(han_index).collect();
        assert!(lending_words(&indices) < 2, "{glued}");
        prose += usize::from(crate::secrets::scan(&glued).is_empty());
    }
    // The function-character guard lets about 1% of 12-word phrases through (see chinese.rs).
    assert!(prose <= 40, "{prose} of 2000 random phrases read as prose");
}

#[test]
fn chinese_unseparated_phrase_split_over_lines_or_after_a_named_colon_is_detected() {
    let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x21; 32]);
    let grid: String = words.chunks(4).map(|c| c.concat() + "\n").collect();
    assert_eq!(only(&grid).words, 24);
    let named = format!("我的助记词：{}", words.concat());
    let f = only(&named);
    assert_eq!(&named[f.span.clone()], words.concat());
}

#[test]
fn chinese_unseparated_run_without_valid_checksum_is_not_flagged() {
    let list = Language::SimplifiedChinese.word_list();
    let mut words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
    let valid = |w: &[&str]| {
        let indices: Vec<u16> = w
            .iter()
            .flat_map(|c| c.chars())
            .filter_map(han_index)
            .collect();
        indices.len() == 12 && checksum_valid(&indices)
    };
    // Change the last character until the checksum breaks (at most 1 in 16 stay valid).
    let mut replacement = list.iter();
    while valid(&words) {
        words[11] = replacement
            .next()
            .expect("some replacement breaks the checksum");
    }
    assert_clean(&words.concat());
    assert_clean(&format!("{}\n", words.concat()));
    assert_clean(&"的".repeat(12));
}

#[test]
fn chinese_unseparated_phrase_with_other_text_on_the_line_is_not_flagged() {
    let glued = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]).concat();
    assert_clean(&format!("请问{glued}"));
    assert_clean(&format!("{glued}是什么意思？"));
}

#[test]
fn ordinary_chinese_sentence_is_not_a_phrase() {
    let sentence = "我的健康因子是多少我应该怎么办才能不被清算";
    let listed = sentence.chars().filter(|&c| han_index(c).is_some()).count();
    assert!(listed >= 12, "most characters are BIP39 words ({listed})");
    assert_clean(sentence);
}

#[test]
fn ordinary_chinese_lending_messages_are_not_flagged() {
    for text in [
        "我的健康因子是多少我应该怎么办才能不被清算",
        "为什么我的借款利息一直在涨？我什么都没做",
        "请问怎么把抵押品从 ETH 换成 wstETH，会不会被清算？",
        "我昨天存了 2 个 ETH，借了 3000 USDC，现在健康因子 1.35，安全吗",
        "清算线是多少？价格跌到多少我会被清算",
        "你好，我想知道 Aave 的供应上限是什么意思，为什么我存不进去",
        "我 被 清 算 了 怎 么 办",
        "钱包连不上，一直显示网络错误，能帮我看看吗？地址是 0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2",
        "我想还款但是提示授权失败，是不是要先批准代币？我的交易一直在等待中",
        "这个平台安全吗？有没有被黑过？我担心我的资产",
    ] {
        assert_clean(text);
    }
}

// --- private keys --------------------------------------------------------------------

#[test]
fn prefixed_64_hex_key_is_detected() {
    let text = format!("here is my key 0x{HEX_KEY} can you check my position");
    let f = only(&text);
    assert_eq!(f.kind, SecretKind::PrivateKey);
    assert_eq!(&text[f.span.clone()], format!("0x{HEX_KEY}"));
    assert_eq!((f.words, f.checksum_valid), (0, None));
    assert_redacted(&text, &[&format!("0x{HEX_KEY}")]);
}

#[test]
fn a_key_with_its_prefix_typed_twice_is_detected() {
    for prefix in ["0x0x", "0X0x", "0x0x0x"] {
        let text = format!("PRIVATE_KEY={prefix}{HEX_KEY} my script fails, why");
        let f = only(&text);
        assert_eq!(f.kind, SecretKind::PrivateKey, "{text}");
        assert_redacted(&text, &[&format!("{prefix}{HEX_KEY}")]);
    }
    // A prefix typed twice before an address or a short hex is no key.
    assert_clean("send it to 0x0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2 please");
}

#[test]
fn bare_64_hex_key_is_detected_even_next_to_tx_words() {
    for text in [
        HEX_KEY.to_owned(),
        HEX_KEY.to_uppercase(),
        format!("my tx failed, hash {HEX_KEY} is stuck"),
        format!("https://etherscan.io/tx/{HEX_KEY}"),
        format!("私钥:{HEX_KEY}"),
    ] {
        let f = only(&text);
        assert_eq!(f.kind, SecretKind::PrivateKey, "{text}");
        assert!(!looks_like_tx_hash(&text, f.span.clone()));
        assert_redacted(&text, &[HEX_KEY, &HEX_KEY.to_uppercase()]);
    }
}

#[test]
fn tx_hash_in_a_message_about_a_transaction_is_not_a_key() {
    for text in [
        format!("my tx {TX_HASH} is stuck"),
        format!("Transaction {TX_HASH} failed, why?"),
        format!("pending for an hour: {TX_HASH}"),
        format!("{TX_HASH} never got confirmed"),
        format!("我的交易 {TX_HASH} 一直没有确认"),
        format!("转账哈希是{TX_HASH}"),
    ] {
        assert_clean(&text);
        let start = text.find("0x").unwrap_or_default();
        assert!(looks_like_tx_hash(&text, start..start + 66), "{text}");
    }
}

#[test]
fn etherscan_url_holds_a_tx_hash_not_a_key() {
    for text in [
        format!("https://etherscan.io/tx/{TX_HASH}"),
        format!("look: arbiscan.io/tx/{TX_HASH}#eventlog"),
        format!("https://dashboard.tenderly.co/tx/mainnet/{TX_HASH}"),
        format!("explorer?txhash={TX_HASH} private key leaked?"),
    ] {
        assert_clean(&text);
    }
}

#[test]
fn prefixed_hex_without_tx_context_or_with_key_words_is_a_key() {
    for text in [
        TX_HASH.to_owned(),
        format!("why can't I borrow more? {TX_HASH}"),
        format!("support asked me to confirm my private key {TX_HASH}"),
        format!("客服让我发私钥确认交易 {TX_HASH}"),
        // The key named in traditional characters, by a pinyin-input slip, or as what proves
        // who the user is, beside words of a transaction.
        format!("私鑰 {TX_HASH} 幫我簽一下還款交易"),
        format!("思钥是 {TX_HASH} 你帮我签一下那个还款交易"),
        format!("验证身份用 {TX_HASH} 请尽快处理我的清算申诉"),
        format!("here's my identity proof {TX_HASH} for the failed tx"),
    ] {
        let f = only(&text);
        assert_eq!(f.kind, SecretKind::PrivateKey, "{text}");
        assert!(!looks_like_tx_hash(&text, f.span.clone()), "{text}");
    }
}

#[test]
fn addresses_signatures_and_odd_lengths_are_not_keys() {
    let sig = format!("0x{}{}1b", HEX_KEY, HEX_KEY);
    for text in [
        ADDRESS.to_owned(),
        format!("my address is {ADDRESS}, health factor 1.02"),
        ADDRESS.trim_start_matches("0x").to_owned(),
        format!("0x{}", &HEX_KEY[1..]),
        format!("0x{HEX_KEY}0"),
        format!("{HEX_KEY}f"),
        sig,
        format!("id{HEX_KEY}"),
        format!("topic 0x000000000000000000000000{}", &ADDRESS[2..]),
        format!("0x{}", "0".repeat(62) + "20"),
        format!("approved 0x{}", "f".repeat(64)),
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141".to_owned(),
        format!("0x{}", "g".repeat(64)),
    ] {
        assert_clean(&text);
    }
}

#[test]
fn keys_just_inside_the_plausible_range_are_still_keys() {
    for text in [
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140".to_owned(),
        format!("0x000000000000000{}", &HEX_KEY[15..]),
    ] {
        assert_eq!(only(&text).kind, SecretKind::PrivateKey, "{text}");
    }
}

#[test]
fn very_long_inputs_are_handled_in_one_pass() {
    let words = format!("{ABANDON_ABOUT} ").repeat(2000);
    let f = only(&words);
    assert_eq!((f.words, f.checksum_valid), (24_000, Some(true)));
    let hashes = format!("https://etherscan.io/tx/{TX_HASH}/").repeat(2000);
    assert_clean(&hashes);
    let long_xprv = format!("{XPRV}{}", "z".repeat(100_000));
    let f = only(&long_xprv);
    assert_eq!(
        (f.kind, f.checksum_valid),
        (SecretKind::ExtendedPrivateKey, Some(false))
    );
    let runs = format!("{LEGAL_12} xyzzy qwrtp vvkq ").repeat(500);
    assert_eq!(scan(&runs).len(), 500);
}

#[test]
fn looks_like_tx_hash_rejects_bad_spans_and_non_prefixed_tokens() {
    let text = format!("tx {TX_HASH}");
    assert!(looks_like_tx_hash(&text, 3..69));
    assert!(!looks_like_tx_hash(&text, 3..70));
    assert!(!looks_like_tx_hash(&text, 0..2));
    let (start, end) = (60, 10);
    assert!(!looks_like_tx_hash(&text, start..end));
    let bare = format!("tx {HEX_KEY}");
    assert!(!looks_like_tx_hash(&bare, 3..67));
    let chinese = format!("交易{TX_HASH}");
    assert!(
        !looks_like_tx_hash(&chinese, 1..67),
        "not on a char boundary"
    );
    assert!(looks_like_tx_hash(&chinese, 6..72));
}

// --- extended keys and WIF ---------------------------------------------------------

#[test]
fn xprv_is_an_extended_private_key_with_valid_checksum() {
    let text = format!("is this safe to share? {XPRV}");
    let f = only(&text);
    assert_eq!(f.kind, SecretKind::ExtendedPrivateKey);
    assert_eq!(f.checksum_valid, Some(true));
    assert_eq!(redact(&text), format!("is this safe to share? {REDACTED}"));

    let typo = XPRV.replace("ZrQH", "ZrQJ");
    let f = only(&typo);
    assert_eq!(
        (f.kind, f.checksum_valid),
        (SecretKind::ExtendedPrivateKey, Some(false))
    );
    for prefix in ["tprv", "yprv", "zprv", "uprv", "vprv"] {
        assert!(
            contains_secret(&XPRV.replacen("xprv", prefix, 1)),
            "{prefix}"
        );
    }
}

#[test]
fn xpub_and_short_xprv_are_not_secrets() {
    assert_clean(XPUB);
    assert_clean(&format!("my xpub is {XPUB}"));
    assert_clean(&XPRV[..90]);
}

#[test]
fn wif_keys_are_private_keys_with_checksum() {
    for wif in [WIF_UNCOMPRESSED, WIF_COMPRESSED] {
        let text = format!("imported {wif} into my wallet");
        let f = only(&text);
        assert_eq!(
            (f.kind, f.checksum_valid),
            (SecretKind::PrivateKey, Some(true))
        );
        assert_redacted(&text, &[wif]);
    }
    let broken = WIF_COMPRESSED.replace("Bf89", "Bf88");
    assert_eq!(only(&broken).checksum_valid, Some(false));
    assert_clean(&WIF_UNCOMPRESSED.replace('5', "6"));
}

// --- ordinary English --------------------------------------------------------------

#[test]
fn health_factor_question_is_not_a_phrase() {
    let text = "I want to borrow more but my health factor is low what should I do about it";
    let listed: Vec<&str> = text
        .split(' ')
        .filter(|w| matches!(classify_word(w.as_bytes()), WordClass::Listed(_)))
        .collect();
    assert!(listed.len() < MIN_RUN, "{listed:?}");
    assert_clean(text);
}

#[test]
fn ordinary_english_lending_messages_are_not_flagged() {
    for text in [
        "I want to borrow more but my health factor is low what should I do about it",
        "hi, my account balance shows zero after I supplied 2 ETH yesterday, where did it go?",
        "Why did my debt grow? I borrowed 1000 USDC last month and now I owe 1012.",
        "Can you explain what the liquidation threshold means for my position and how close I am?",
        "I was liquidated last night even though the price only dropped a little. Is that a bug or an exploit? I want a refund.",
        "How do I repay my loan? The repay button is grey and the wallet says insufficient allowance.",
        "what is the best way to avoid liquidation during a market crash, should I add more collateral or repay part of the debt",
        "Please help, the app keeps asking me to approve again and again, and the gas fee is very high today.",
        "My address is 0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2, can you check my position and tell me my health factor?",
        "I bought some wrapped bitcoin on another chain and bridged it, but I can't use it as collateral here. Why is that, and is there any way around it?",
        "Hello, I am new here. I have a question about the supply cap: it says the market is full, so where else can I deposit my tokens for a good interest rate?",
        "garden castle orange bridge, ocean window silver hammer: these are just my favorite words, nothing else",
        "Step 1: supply ETH. Step 2: enable it as collateral. Step 3: borrow USDC. Step 4: watch your health factor above 1.5.",
    ] {
        assert_clean(text);
    }
}

#[test]
fn long_message_full_of_bip39_words_is_not_a_phrase() {
    let text = "Hi, I need help with my account. I supplied some bitcoin and ethereum as collateral \
        last week, then I decided to borrow a small amount of stable coins to buy a new phone. Today \
        the market dropped, my balance looks wrong, and the app says my position is at risk. What \
        should I do about it? Should I repay the loan, add more collateral, or just wait for the price \
        to recover? I am worried because I read that liquidation has a penalty and I do not want to \
        lose my money. Thank you for your time and your patience, I really appreciate any advice.";
    assert_clean(text);
    assert_clean(&text.repeat(20));
}

#[test]
fn empty_and_whitespace_messages_have_no_findings() {
    assert_clean("");
    assert_clean(" \n\t ");
    assert_clean("12 15 18 21 24");
    assert_clean("①②③④⑤⑥⑦⑧⑨⑩⑪⑫");
}

// --- API properties ----------------------------------------------------------------

#[test]
fn several_secrets_are_reported_in_order_and_all_redacted() {
    let text =
        format!("key 0x{HEX_KEY}\nphrase:\n{LEGAL_12}\nbackup {XPRV} and tx {TX_HASH} is stuck");
    let found = scan(&text);
    let kinds: Vec<SecretKind> = found.iter().map(|f| f.kind).collect();
    // The message talks about a key, so even the "tx … is stuck" hash counts as one.
    assert_eq!(
        kinds,
        [
            SecretKind::PrivateKey,
            SecretKind::SeedPhrase,
            SecretKind::ExtendedPrivateKey,
            SecretKind::PrivateKey
        ]
    );
    assert!(found.windows(2).all(|w| w[0].span.end <= w[1].span.start));
    let clean = redact(&text);
    assert!(!clean.contains(HEX_KEY));
    assert!(!clean.contains(XPRV));
    assert!(!clean.contains("legal winner"));
    assert!(!clean.contains("key 0x"));
}

#[test]
fn debug_output_never_contains_the_secret() {
    let text = format!("{ABANDON_ABOUT} 0x{HEX_KEY}");
    let debug = format!("{:?}", scan(&text));
    assert!(!debug.contains("abandon"));
    assert!(!debug.contains(HEX_KEY));
    assert!(debug.contains("SeedPhrase"));
}

#[test]
fn secret_kind_serializes_as_snake_case() {
    let json = serde_json::to_string(&[
        SecretKind::SeedPhrase,
        SecretKind::PrivateKey,
        SecretKind::ExtendedPrivateKey,
    ])
    .expect("serializes");
    assert_eq!(
        json,
        r#"["seed_phrase","private_key","extended_private_key"]"#
    );
}

// --- any separators, labels, glued words -------------------------------------------------

#[test]
fn phrase_between_repeated_sentence_punctuation_is_detected() {
    let words: Vec<&str> = LETTER_12.split(' ').collect();
    let quoted = |q: &str| {
        words
            .iter()
            .map(|w| format!("{q}{w}{q}"))
            .collect::<Vec<_>>()
    };
    for text in [
        format!("[{}]", quoted("\"").join(", ")),
        quoted("'").join(", "),
        quoted("`").join(" "),
        words.join("; "),
        words.join(": "),
        words.iter().map(|w| format!("{w}. ")).collect(),
        words.iter().map(|w| format!("* {w} *\n")).collect(),
    ] {
        let f = only(&text);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)), "{text}");
        assert_redacted(&text, &words);
    }
}

#[test]
fn word_labels_are_skipped_like_numbers() {
    let words: Vec<&str> = LEGAL_12.split(' ').collect();
    for sep in [", ", "\n"] {
        let text = words
            .iter()
            .enumerate()
            .map(|(i, w)| format!("Word {}: {w}", i + 1))
            .collect::<Vec<_>>()
            .join(sep);
        let f = only(&text);
        assert_eq!((f.words, f.checksum_valid), (12, Some(true)), "{text}");
        assert_redacted(&text, &words);
    }
}

#[test]
fn chinese_position_labels_are_skipped_like_numbers() {
    let entropy: [u8; 16] = std::array::from_fn(|i| (i * 29 + 3) as u8);
    let words = phrase_from_entropy(Language::SimplifiedChinese, &entropy);
    for (label, sep) in [
        (("第", "个："), "，"),
        (("第", "位: "), "\n"),
        (("", "号 "), "、"),
    ] {
        let text = words
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{}{}{}{w}", label.0, i + 1, label.1))
            .collect::<Vec<_>>()
            .join(sep);
        let f = only(&text);
        assert_eq!(f.checksum_valid, Some(true), "{text}");
        assert_redacted(&text, &words);
    }
}

#[test]
fn phrase_with_mixed_punctuation_is_detected_by_its_checksum() {
    let entropy: [u8; 16] = std::array::from_fn(|i| (i * 53 + 7) as u8);
    let words = phrase_from_entropy(Language::English, &entropy);
    let seps = [". ", "; ", ", ", "! ", ": ", "? "];
    let text: String = words
        .iter()
        .zip(seps.iter().cycle())
        .map(|(w, s)| format!("{w}{s}"))
        .collect();
    let f = only(&text);
    assert_eq!((f.words, f.checksum_valid), (12, Some(true)), "{text}");
    assert_redacted(&text, &words);
}

#[test]
fn sentences_of_listed_words_with_mixed_punctuation_are_not_a_phrase() {
    // Twelve and more listed words in a row once punctuation is ignored, no valid checksum.
    for text in [
        "Hello. Good morning! Please help: account balance wrong, borrow limit zero. Thank you!",
        "Supply, borrow, repay. Swap? Bridge! Claim reward; check health; wait. Thank you. Hello again.",
    ] {
        assert_clean(text);
    }
}

#[test]
fn glued_phrase_is_detected_and_long_ordinary_tokens_are_not() {
    for phrase in [LETTER_12, LEGAL_24] {
        let glued = phrase.replace(' ', "");
        let text = format!("backup: {glued} ok?");
        let f = only(&text);
        assert_eq!(&text[f.span.clone()], glued);
        assert_eq!(f.checksum_valid, Some(true));
        let title: String = phrase
            .split(' ')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        assert!(contains_secret(&title), "{title}");
    }
    for text in [
        "helphelphelphelphelphelphelphelphelphelphelphelp".to_owned(),
        "abandon".repeat(12),
        "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZCB0ZXh0".to_owned(),
        "https://app.aave.com/reserve-overview/?underlyingAsset=0xa0b86991&marketName=proto_mainnet_v3".to_owned(),
        "getUserAccountDataAndHealthFactorForEveryReserveInTheMarket".to_owned(),
        "supercalifragilisticexpialidocious".repeat(2),
    ] {
        assert_clean(&text);
    }
}

// --- keys in groups -------------------------------------------------------------------------

#[test]
fn key_split_into_equal_groups_is_detected() {
    let groups = |size: usize, sep: &str| -> String {
        HEX_KEY
            .as_bytes()
            .chunks(size)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(sep)
    };
    for text in [
        groups(16, " "),
        groups(16, "-"),
        groups(16, "\n"),
        groups(8, " "),
        groups(8, " - "),
        groups(32, "\n"),
        format!("0x{}", groups(16, " ")),
        format!("私钥：{}，帮我看看", groups(8, " ").to_uppercase()),
    ] {
        let f = only(&text);
        assert_eq!(f.kind, SecretKind::PrivateKey, "{text}");
        assert_redacted(&text, &[HEX_KEY]);
        let squeezed: String = redact(&text)
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect();
        assert!(!squeezed.to_lowercase().contains(&HEX_KEY[..16]), "{text}");
    }
}

#[test]
fn hex_groups_that_are_not_one_key_are_not_flagged() {
    let g16: Vec<&str> = (0..4).map(|i| &HEX_KEY[i * 16..i * 16 + 16]).collect();
    for text in [
        g16.join(", "),
        g16[..3].join(" "),
        format!("{} {}", g16.join(" "), &HEX_KEY[..16]),
        format!("{} {}", &HEX_KEY[..16], &HEX_KEY[..32]),
        "request 550e8400-e29b-41d4-a716-446655440000 failed".to_owned(),
        "12345678 23456789 34567890 45678901 56789012 67890123 78901234 89012345".to_owned(),
        format!("{} {}", "0".repeat(16), g16[1..].join(" ")),
    ] {
        assert_clean(&text);
    }
}

#[test]
fn tx_hash_after_a_liquidation_is_not_a_key() {
    assert_clean(&format!("I got liquidated!!! {TX_HASH} I lost 2 ETH"));
    assert_clean(&format!("我被清算了 {TX_HASH}"));
    assert!(contains_secret(&format!(
        "liquidated, here is my private key {TX_HASH}"
    )));
}

#[test]
fn chinese_unseparated_phrase_after_a_named_colon_ends_where_the_checksum_says() {
    let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x21; 32]);
    let text = format!("我的助记词：{}谢谢！", words.concat());
    let f = only(&text);
    assert_eq!(&text[f.span.clone()], words.concat());
    assert_eq!((f.words, f.checksum_valid), (24, Some(true)));
}

#[test]
fn chinese_unseparated_phrase_right_after_its_name_is_detected() {
    let words = phrase_from_entropy(Language::SimplifiedChinese, &[0x5a; 16]);
    for text in [
        format!("我的助记词是{}，帮我看看", words.concat()),
        format!("种子 {} 谢谢", words.concat()),
    ] {
        let f = only(&text);
        assert_eq!(&text[f.span.clone()], words.concat(), "{text}");
    }
    assert_clean("我的助记词是不是要保密？我不知道助记词在哪里，请问种子短语是什么意思");
}

#[test]
fn hashes_in_receipts_and_logs_are_not_keys() {
    for text in [
        format!("{{\"blockHash\":\"{TX_HASH}\",\"status\":\"0x0\"}}"),
        format!("event log topics: [{TX_HASH}]"),
        format!("receipt for {TX_HASH} shows status 0"),
    ] {
        assert_clean(&text);
    }
    assert!(contains_secret(&format!(
        "blockHash? no, my private key: {TX_HASH}"
    )));
}

#[test]
fn everyday_lists_with_one_typo_like_word_are_not_a_phrase() {
    for text in [
        "Steps:\n- click supply, approve, confirm\n- wait\n- nothing happens, balance still zero\nCan you help?",
        "Steps:\n- open the app, connect wallet\n- click supply, approve, confirm\n- nothing happens, balance still zero\nany idea?",
        "My steps:\n- open wallet, connect, approve, supply\n- wait, nothing happens\n- balance still zero, try again\nhelp?",
    ] {
        assert_clean(text);
    }
}

#[test]
fn a_typo_counts_only_if_a_correction_gives_a_valid_checksum() {
    // LETTER_12 with its checksum word changed: eleven good words and a wrong last one.
    let broken = LETTER_12.replace("above", "absent");
    assert!(!checksum_valid(&indices(
        &broken.split(' ').collect::<Vec<_>>()
    )));
    assert_clean(&broken.replacen("amount", "amout", 1));
    let typo = LETTER_12.replacen("amount", "amout", 1);
    assert_eq!(only(&typo).span, 0..typo.len());
}

#[test]
fn a_phrase_with_a_typo_is_found_between_other_listed_words() {
    let typo = LEGAL_12.replace("sausage", "sausgae");
    for text in [
        format!("seed {typo} please"),
        format!("{typo} that is all"),
        format!("my old seed {typo}"),
    ] {
        let f = only(&text);
        assert!(f.span.start <= text.find("legal").unwrap_or(0), "{text}");
        assert_redacted(&text, &typo.split(' ').collect::<Vec<_>>());
    }
}

#[test]
fn corrections_are_one_edit_away_or_share_the_first_four_letters() {
    let list = Language::English.word_list();
    let fixes = |word: &str| match classify_word(word.as_bytes()) {
        WordClass::TypoLike(packed) => corrections(packed)
            .into_iter()
            .map(|i| list[usize::from(i)])
            .collect::<Vec<_>>(),
        other => panic!("{word} is {other:?}"),
    };
    assert_eq!(fixes("amout"), ["about", "amount"]);
    assert_eq!(fixes("sausgae"), ["sausage"]);
    assert_eq!(fixes("happens"), ["happy"]);
    assert_eq!(fixes("than"), ["thank", "that", "then"]);
    assert!(fixes("gide").contains(&"guide"));
    assert!(fixes("ABANDOM").contains(&"abandon"));
}

#[test]
fn signature_components_are_not_keys() {
    let r = HEX_KEY;
    let s = &TX_HASH[2..];
    for text in [
        format!(
            r#"{{"owner":"{ADDRESS}","spender":"{ADDRESS}","value":"1995000000","deadline":1735689600,"v":27,"r":"0x{r}","s":"0x{s}"}}"#
        ),
        format!("v=28 r=0x{r} s=0x{s}"),
        format!("my permit signature:\nr: 0x{r}\ns: 0x{s}"),
        format!("这是签名 {{'r': '0x{r}', 's': '0x{s}'}}"),
    ] {
        assert_clean(&text);
    }
}

#[test]
fn r_and_s_labels_do_not_hide_keys_without_a_signature_or_with_key_words() {
    let r = HEX_KEY;
    for text in [
        // No `v` and no word for a signature: an `r` label alone proves nothing.
        format!(r#"{{"r":"0x{r}"}}"#),
        // Key words win, as for tx hashes.
        format!(r#"my private key for the permit: {{"v":27,"r":"0x{r}"}}"#),
        // Another label in a signature message.
        format!(r#"{{"v":27,"key":"0x{r}"}}"#),
        // A longer label that ends in r.
        format!(r#"signature {{"owner":"0x{r}"}}"#),
    ] {
        assert_eq!(only(&text).kind, SecretKind::PrivateKey, "{text}");
    }
}

#[test]
fn the_shortest_secrets_are_longer_than_the_scan_shortcut() {
    // 12 Chinese characters written together: the shortest secret in bytes.
    let zh = phrase_from_entropy(Language::SimplifiedChinese, &[7u8; 16]).concat();
    assert_eq!(zh.len(), 36);
    assert!(contains_secret(&zh), "{zh}");
    assert!(MIN_SECRET_BYTES <= zh.len());
    // And everything shorter than the shortcut is left alone without a scan.
    assert!(scan(&zh[..21]).is_empty());
}
