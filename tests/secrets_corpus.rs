//! Generated corpora for the secret scanner (`lendesk::secrets`), through its public API.
//!
//! * Secrets: seed phrases in every shape users paste them (spaces, lines, numbering, `Word 1:`
//!   labels, JSON arrays, quoted lists, `;` `:` `.` separators, backticks, bullets, glued,
//!   capitals, tabs, Chinese `、` `，` and unspaced lines), from both BIP39 lists, 12–24 words,
//!   with valid and invalid checksums and one typo, alone and inside longer messages in both
//!   languages; and keys (64 hex with and without `0x`, in case, in 2/4/8 groups, WIF, xprv).
//!   Every one must be caught, and its redaction must keep none of it.
//! * Ordinary messages: what people send a lending help desk, in English and Chinese, with tx
//!   hashes in tx context, addresses, calldata, signatures, amounts, URLs, JSON errors, lists,
//!   long sentences of everyday words (many of them BIP39 words) and words repeated over and
//!   over. None may be flagged. The FAQ folder and the desk's message table are checked too.
//!
//! The generator is deterministic (SplitMix64 with fixed seeds), so a failure always
//! reproduces. Counts are printed (`--nocapture`) and quoted in the README.

use bip39::{Language, Mnemonic};
use lendesk::secrets::{contains_secret, redact};

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG
// ---------------------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn hex(&mut self, digits: usize) -> String {
        hex::encode(self.bytes(digits.div_ceil(2)))[..digits].to_owned()
    }

    /// A secp256k1-plausible key: no long run of leading zeros, below the curve order.
    fn key(&mut self) -> String {
        loop {
            let k = self.hex(64);
            if !k.starts_with("0000") && !k.starts_with("ffffffff") {
                return k;
            }
        }
    }

    /// An address with mixed case, as wallets show it.
    fn address(&mut self) -> String {
        let body: String = self
            .hex(40)
            .chars()
            .map(|c| {
                if self.chance(50) {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        format!("0x{body}")
    }

    fn amount(&mut self) -> String {
        match self.below(4) {
            0 => format!("{}", self.below(5000) + 1),
            1 => format!("{}.{}", self.below(100), self.below(100)),
            2 => format!("{},{:03}", self.below(90) + 1, self.below(1000)),
            _ => format!("0.{:04}", self.below(10_000)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/// What must not survive redaction.
enum Evidence {
    /// English words (lowercase): no three consecutive ones, whatever separates them.
    Words(Vec<String>),
    /// Chinese characters: no three consecutive ones.
    Han(Vec<char>),
    /// Hex or base58 key material: no 16-character window, separators and case ignored.
    Key(String),
}

struct SecretCase {
    format: String,
    message: String,
    evidence: Evidence,
}

#[derive(Clone, Copy, PartialEq)]
enum Checksum {
    Valid,
    Invalid,
    Typo,
}

impl Checksum {
    fn name(self) -> &'static str {
        match self {
            Checksum::Valid => "valid",
            Checksum::Invalid => "invalid checksum",
            Checksum::Typo => "one typo",
        }
    }
}

/// A phrase of `n` words from `language`'s list: valid, with a broken checksum, or valid with
/// one word mistyped. Returns the words as pasted and the true words.
fn phrase(
    rng: &mut Rng,
    language: Language,
    n: usize,
    checksum: Checksum,
) -> (Vec<String>, Vec<String>) {
    let list = language.word_list();
    let mut words: Vec<String> = if checksum == Checksum::Invalid {
        loop {
            let words: Vec<String> = (0..n).map(|_| rng.pick(list).to_string()).collect();
            if Mnemonic::parse_in(language, words.join(" ")).is_err() {
                break words;
            }
        }
    } else {
        let entropy = rng.bytes(n * 4 / 3);
        let mnemonic = Mnemonic::from_entropy_in(language, &entropy).expect("valid entropy length");
        mnemonic.words().map(str::to_owned).collect()
    };
    let truth = words.clone();
    if checksum == Checksum::Typo {
        mistype(rng, language, &mut words);
    }
    (words, truth)
}

/// Changes one word the way people mistype: a letter changed, dropped, doubled or swapped (a
/// Chinese character replaced by one outside the list).
fn mistype(rng: &mut Rng, language: Language, words: &mut [String]) {
    if language == Language::SimplifiedChinese {
        let at = rng.below(words.len());
        words[at] = rng.pick(&["龘", "鑫", "犇", "淼", "骉", "羴"]).to_string();
        return;
    }
    let long: Vec<usize> = (0..words.len()).filter(|&i| words[i].len() >= 5).collect();
    let at = *rng.pick(&long);
    let mut letters: Vec<u8> = words[at].bytes().collect();
    let i = 1 + rng.below(letters.len() - 2);
    match rng.below(4) {
        0 => letters[i] = b'a' + ((letters[i] - b'a' + 1 + rng.below(24) as u8) % 26),
        1 => {
            letters.remove(i);
        }
        2 => letters.insert(i, letters[i]),
        _ => letters.swap(i, i + 1),
    }
    words[at] = String::from_utf8(letters).expect("ascii");
}

type Layout = fn(&[String], &mut Rng) -> String;

fn joined(words: &[String], f: impl Fn(usize, &str) -> String) -> String {
    words.iter().enumerate().map(|(i, w)| f(i + 1, w)).collect()
}

fn title(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// English layouts: (name, needs a valid checksum, layout).
fn english_layouts() -> Vec<(&'static str, bool, Layout)> {
    vec![
        ("spaces", false, |w, _| w.join(" ")),
        ("one word per line", false, |w, _| w.join("\n")),
        ("numbered lines", false, |w, _| {
            joined(w, |i, w| format!("{i}. {w}\n"))
        }),
        ("numbered inline", false, |w, _| {
            joined(w, |i, w| format!("{i}) {w} "))
        }),
        ("numbered dash", false, |w, _| {
            joined(w, |i, w| format!("{i}-{w} "))
        }),
        ("hash numbered", false, |w, _| {
            joined(w, |i, w| format!("#{i} {w}\n"))
        }),
        ("word labels inline", false, |w, _| {
            joined(w, |i, w| format!("Word {i}: {w}, "))
                .trim_end_matches(", ")
                .to_owned()
        }),
        ("word labels lines", false, |w, _| {
            joined(w, |i, w| format!("Word {i}: {w}\n"))
        }),
        ("json array", false, |w, _| {
            format!(
                "[{}]",
                w.iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        ("json array compact", false, |w, _| {
            format!(
                "[{}]",
                w.iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }),
        ("single-quoted comma list", false, |w, _| {
            w.iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        ("double-quoted comma list", false, |w, _| {
            w.iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        ("curly-quoted list", false, |w, _| {
            w.iter()
                .map(|w| format!("“{w}”"))
                .collect::<Vec<_>>()
                .join(" ")
        }),
        ("semicolons", false, |w, _| w.join("; ")),
        ("colons", false, |w, _| w.join(": ")),
        ("periods", false, |w, _| joined(w, |_, w| format!("{w}. "))),
        ("backticks", false, |w, _| {
            w.iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(" ")
        }),
        ("backticks with commas", false, |w, _| {
            w.iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        ("dash bullets", false, |w, _| {
            joined(w, |_, w| format!("- {w}\n"))
        }),
        ("dot bullets", false, |w, _| {
            joined(w, |_, w| format!("• {w}\n"))
        }),
        ("star bullets", false, |w, _| {
            joined(w, |_, w| format!("* {w}\n"))
        }),
        ("capitals", false, |w, _| w.join(" ").to_uppercase()),
        ("title case", false, |w, _| {
            w.iter().map(|w| title(w)).collect::<Vec<_>>().join(" ")
        }),
        ("tabs", false, |w, _| w.join("\t")),
        ("commas", false, |w, _| w.join(", ")),
        ("commas without spaces", false, |w, _| w.join(",")),
        ("grid of three per line", false, |w, _| {
            w.chunks(3)
                .enumerate()
                .map(|(line, c)| {
                    c.iter()
                        .enumerate()
                        .map(|(i, w)| format!("{:>2}. {w:<10}", line * 3 + i + 1))
                        .collect::<String>()
                        + "\n"
                })
                .collect()
        }),
        ("code block", false, |w, _| {
            format!("```\n{}\n```", w.join(" "))
        }),
        ("glued", true, |w, _| w.concat()),
        ("glued title case", true, |w, _| {
            w.iter().map(|w| title(w)).collect()
        }),
        ("mixed separators", true, |w, rng| {
            w.iter()
                .map(|w| {
                    format!(
                        "{w}{}",
                        rng.pick(&[", ", "; ", ". ", " ", "\n", " - ", ": "])
                    )
                })
                .collect()
        }),
    ]
}

/// Chinese layouts: (name, needs a valid checksum, layout).
fn chinese_layouts() -> Vec<(&'static str, bool, Layout)> {
    vec![
        ("chinese spaces", false, |w, _| w.join(" ")),
        ("chinese 、", false, |w, _| w.join("、")),
        ("chinese ，", false, |w, _| w.join("，")),
        ("chinese numbered", false, |w, _| {
            joined(w, |i, w| format!("{i}.{w} "))
        }),
        ("chinese one per line", false, |w, _| w.join("\n")),
        ("chinese json array", false, |w, _| {
            format!(
                "[{}]",
                w.iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        ("chinese semicolons", false, |w, _| w.join("；")),
        ("chinese unspaced line", true, |w, _| {
            format!("\n{}\n", w.concat())
        }),
        ("chinese unspaced grid", true, |w, _| {
            w.chunks(4).map(|c| c.concat() + "\n").collect()
        }),
        ("chinese after 助记词是", true, |w, _| {
            format!("我的助记词是{}，", w.concat())
        }),
        ("chinese after 助记词：", true, |w, _| {
            format!("我的助记词：{}", w.concat())
        }),
    ]
}

const ENGLISH_WRAPPERS: [(&str, &str); 6] = [
    (
        "my wallet got drained last night, here is my seed phrase so you can check: ",
        "\nplease help me",
    ),
    (
        "Support asked me for my recovery words, is this right?\n",
        "",
    ),
    (
        "hi, I restored my wallet with these words and the balance is zero:\n",
        "\nwhat happened to my funds?",
    ),
    ("", "\n^ that's my phrase, can you see my position now"),
    ("Is this backup correct? ", " Thanks in advance!"),
    (
        "the dapp popup wants me to type my 12/24 words to 'validate' the wallet:\n\n",
        "\n\nis that legit??",
    ),
];

const CHINESE_WRAPPERS: [(&str, &str); 5] = [
    ("我的钱包被盗了，这是我的助记词：\n", "\n请帮我查一下"),
    ("客服让我提供恢复短语，是这个吗？\n", ""),
    ("", "\n这是我的种子，为什么余额是零"),
    ("请问这个备份对不对？", "谢谢！"),
    (
        "导入钱包的时候输入了下面这些词：\n",
        "\n但是资产不见了，怎么办",
    ),
];

fn phrase_cases(rng: &mut Rng) -> Vec<SecretCase> {
    let mut cases = Vec::new();
    let languages = [
        (Language::English, english_layouts()),
        (Language::SimplifiedChinese, chinese_layouts()),
    ];
    for (language, layouts) in languages {
        for (name, needs_checksum, layout) in layouts {
            for checksum in [Checksum::Valid, Checksum::Invalid, Checksum::Typo] {
                if needs_checksum && checksum != Checksum::Valid {
                    continue;
                }
                for wrap in 0..3 {
                    let n = *rng.pick(&[12, 15, 18, 21, 24]);
                    let (pasted, truth) = phrase(rng, language, n, checksum);
                    let body = layout(&pasted, rng);
                    let (before, after) = match wrap {
                        0 => ("", ""),
                        1 => *rng.pick(&ENGLISH_WRAPPERS),
                        _ => *rng.pick(&CHINESE_WRAPPERS),
                    };
                    let evidence = if language == Language::English {
                        Evidence::Words(truth)
                    } else {
                        Evidence::Han(truth.iter().flat_map(|w| w.chars()).collect())
                    };
                    cases.push(SecretCase {
                        format: format!("{name}, {n} words, {}, wrap {wrap}", checksum.name()),
                        message: format!("{before}{body}{after}"),
                        evidence,
                    });
                }
            }
        }
    }
    cases
}

/// 64 hex digits laid out as users paste them.
/// A way to write a 64-hex key.
type KeyLayout = fn(&str) -> String;

fn key_layouts() -> Vec<(&'static str, KeyLayout)> {
    fn groups(key: &str, size: usize, sep: &str) -> String {
        key.as_bytes()
            .chunks(size)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(sep)
    }
    vec![
        ("bare hex", |k| k.to_owned()),
        ("0x hex", |k| format!("0x{k}")),
        ("upper-case hex", |k| k.to_uppercase()),
        ("0x upper-case hex", |k| format!("0x{}", k.to_uppercase())),
        ("0x typed twice", |k| format!("0x0x{k}")),
        ("4 x 16 spaces", |k| groups(k, 16, " ")),
        ("4 x 16 dashes", |k| groups(k, 16, "-")),
        ("4 x 16 lines", |k| groups(k, 16, "\n")),
        ("8 x 8 spaces", |k| groups(k, 8, " ")),
        ("8 x 8 dashes", |k| groups(k, 8, "-")),
        ("8 x 8 lines", |k| groups(k, 8, "\n")),
        ("2 x 32 lines", |k| groups(k, 32, "\n")),
        ("2 x 32 spaces", |k| groups(k, 32, " ")),
        ("0x and 4 x 16 spaces", |k| {
            format!("0x{}", groups(k, 16, " "))
        }),
        ("upper-case 8 x 8 dashes", |k| {
            groups(&k.to_uppercase(), 8, " - ")
        }),
    ]
}

const KEY_WRAPPERS: [(&str, &str); 8] = [
    ("", ""),
    (
        "PRIVATE_KEY=",
        " from my .env, my bot fails to call supply()",
    ),
    ("{\"privateKey\":\"", "\",\"network\":\"mainnet\"}"),
    ("my private key is ", ", can you check my position?"),
    ("私钥是 ", "，帮我看看仓位"),
    ("here is the key from my backup:\n", "\nthanks"),
    ("I exported this from MetaMask: ", ""),
    ("导出的私钥：\n", "\n是不是被盗了"),
];

fn key_cases(rng: &mut Rng) -> Vec<SecretCase> {
    let mut cases = Vec::new();
    for (name, layout) in key_layouts() {
        for _ in 0..3 {
            let key = rng.key();
            let (before, after) = *rng.pick(&KEY_WRAPPERS);
            cases.push(SecretCase {
                format: format!("key, {name}"),
                message: format!("{before}{}{after}", layout(&key)),
                evidence: Evidence::Key(key),
            });
        }
    }
    const WIF: &str = "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn";
    const XPRV: &str = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
    for (before, after) in KEY_WRAPPERS {
        for (name, key) in [("wif", WIF), ("xprv", XPRV)] {
            cases.push(SecretCase {
                format: format!("key, {name}"),
                message: format!("{before}{key}{after}"),
                evidence: Evidence::Key(key.to_owned()),
            });
        }
    }
    cases
}

fn secret_cases() -> Vec<SecretCase> {
    let mut rng = Rng(0x5EED_0001);
    let mut cases = phrase_cases(&mut rng);
    cases.extend(key_cases(&mut rng));
    cases
}

/// Why a redaction still holds some of the secret, if it does.
fn survives(redacted: &str, evidence: &Evidence) -> Option<String> {
    match evidence {
        Evidence::Words(words) => {
            let found: Vec<String> = redacted
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
            let glued = words.concat();
            if found
                .iter()
                .any(|w| w.len() >= 24 && glued.contains(w.as_str()))
            {
                return Some("glued words".into());
            }
            words
                .windows(3)
                .find(|w| found.windows(3).any(|f| f == *w))
                .map(|w| format!("words {}", w.len()))
        }
        Evidence::Han(chars) => {
            let found: Vec<char> = redacted
                .chars()
                .filter(|c| lendesk::lang::is_cjk(*c))
                .collect();
            chars
                .windows(3)
                .find(|w| found.windows(3).any(|f| f == *w))
                .map(|_| "three characters".into())
        }
        Evidence::Key(key) => {
            let squeezed: String = redacted
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let key = key.to_ascii_lowercase();
            (0..=key.len() - 16)
                .any(|i| squeezed.contains(&key[i..i + 16]))
                .then(|| "16 key characters".into())
        }
    }
}

#[test]
fn every_generated_secret_is_caught_and_redacted_away() {
    let cases = secret_cases();
    let formats: std::collections::BTreeSet<&str> = cases
        .iter()
        .map(|c| c.format.split(',').next().unwrap_or_default())
        .collect();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        if !contains_secret(&case.message) {
            failures.push(format!("#{i} not caught: {}", case.format));
        } else if let Some(what) = survives(&redact(&case.message), &case.evidence) {
            failures.push(format!("#{i} redaction keeps {what}: {}", case.format));
        }
    }
    println!(
        "generated secrets caught: {}/{} ({} formats)",
        cases.len() - failures.len(),
        cases.len(),
        formats.len()
    );
    assert!(cases.len() >= 300, "only {} secret variants", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} secrets missed:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Ordinary messages
// ---------------------------------------------------------------------------------------------

const ASSETS: [&str; 12] = [
    "ETH", "WETH", "wstETH", "USDC", "USDT", "DAI", "WBTC", "LINK", "AAVE", "GHO", "rETH", "cbETH",
];
const EXPLORERS: [&str; 5] = [
    "https://etherscan.io/tx/",
    "https://arbiscan.io/tx/",
    "https://basescan.org/tx/",
    "https://optimistic.etherscan.io/tx/",
    "https://polygonscan.com/tx/",
];
const ENS: [&str; 6] = [
    "vitalik.eth",
    "alice-lends.eth",
    "whale123.eth",
    "0xmaria.eth",
    "defi-dad.eth",
    "老王.eth",
];

/// Makes the value of one template slot.
type Slot = fn(&mut Rng) -> String;

/// Fills the `{slot}`s of a template with fresh random values.
fn fill(template: &str, rng: &mut Rng) -> String {
    let mut out = template.to_owned();
    let slots: [(&str, Slot); 13] = [
        ("{tx}", |r| format!("0x{}", r.hex(64))),
        ("{addr}", |r| r.address()),
        ("{addr_lower}", |r| format!("0x{}", r.hex(40))),
        ("{amount}", |r| r.amount()),
        ("{asset}", |r| r.pick(&ASSETS).to_string()),
        ("{asset2}", |r| r.pick(&ASSETS).to_string()),
        ("{hf}", |r| format!("1.{:02}", r.below(100))),
        ("{explorer}", |r| r.pick(&EXPLORERS).to_string()),
        ("{ens}", |r| r.pick(&ENS).to_string()),
        ("{sig}", |r| {
            format!("0x{}{}", r.hex(128), r.pick(&["1b", "1c"]))
        }),
        ("{calldata}", calldata),
        ("{block}", |r| {
            format!("{}", 19_000_000 + r.below(2_000_000))
        }),
        ("{n}", |r| format!("{}", r.below(48) + 2)),
    ];
    for (slot, make) in slots {
        while let Some(at) = out.find(slot) {
            let value = make(rng);
            out.replace_range(at..at + slot.len(), &value);
        }
    }
    out
}

/// An Aave `supply`, `borrow`, `repay` or ERC-20 `approve` call as a dapp shows it.
fn calldata(rng: &mut Rng) -> String {
    let word_address = |r: &mut Rng| format!("{:0>64}", r.hex(40));
    let word_amount = |r: &mut Rng| format!("{:0>64}", r.hex(14));
    match rng.below(4) {
        0 => format!(
            "0x617ba037{}{}{}{:0>64}",
            word_address(rng),
            word_amount(rng),
            word_address(rng),
            "0"
        ),
        1 => format!(
            "0xa415bcad{}{}{:0>64}{:0>64}{}",
            word_address(rng),
            word_amount(rng),
            "2",
            "0",
            word_address(rng)
        ),
        2 => format!(
            "0x573ade81{}{}{:0>64}{}",
            word_address(rng),
            word_amount(rng),
            "2",
            word_address(rng)
        ),
        _ => format!("0x095ea7b3{}{}", word_address(rng), "f".repeat(64)),
    }
}

const ENGLISH_TEMPLATES: [&str; 49] = [
    "the dapp gave me this permit, is it safe to share? {\"owner\":\"{addr}\",\"spender\":\"{addr}\",\"value\":\"{amount}\",\"nonce\":0,\"deadline\":1735689600,\"v\":27,\"r\":\"{tx}\",\"s\":\"{tx}\"}",
    "v=28 r={tx} s={tx}\nthat's what my wallet shows after I sign, what does it mean?",
    "signature components:\nr: {tx}\ns: {tx}\nv: 27\nis that the right format for repay with permit?",
    "my tx {tx} is stuck for an hour, what should I do?",
    "Transaction {tx} failed with 'execution reverted', why?",
    "{explorer}{tx} this is my repay, it says success but my debt did not change",
    "pending since this morning: {tx}\ngas was 30 gwei",
    "hash {tx} — supplied {amount} {asset} but I can't see it in the dashboard",
    "I sent {amount} {asset} to {addr} by mistake, can you get it back? tx {tx}",
    "my address is {addr}, what is my health factor?",
    "can you check {addr_lower} please, I think I'm close to liquidation",
    "/link {addr}",
    "/verify {sig}",
    "here is the signature the bot asked for: {sig}",
    "my wallet {ens} ({addr}) was liquidated at block {block}, was that fair?",
    "the dapp asks me to sign this, is it safe?\n{calldata}",
    "decoded input data: {calldata}",
    "why does my approve tx want unlimited allowance? data: {calldata}",
    "HF {hf}, collateral {amount} {asset}, debt {amount} {asset2}. am I safe?",
    "I want to borrow {amount} {asset} against my {asset2}, how much can I take without going below {hf}?",
    "what happens if {asset} drops 20%? my hf is {hf}",
    "{n} hours and my withdrawal of {amount} {asset} is still not in my wallet",
    "Error: {\"code\":-32603,\"message\":\"execution reverted: 35\",\"data\":{\"txHash\":\"{tx}\"}}",
    "got this in the console: {\"reason\":\"transaction failed\",\"code\":\"CALL_EXCEPTION\",\"transactionHash\":\"{tx}\"}",
    "Steps I did:\n1. supply {amount} {asset}\n2. enable as collateral\n3. borrow {amount} {asset2}\n4. tx {tx} reverted",
    "- collateral: {amount} {asset}\n- debt: {amount} {asset2}\n- health factor: {hf}\nwhat should I do?",
    "I have a question about the {asset} market on block {block}, the rate jumped to {n}%",
    "is {ens} the same as {addr}? the explorer shows both",
    "repaid with permit, signature {sig}, but the tx {tx} failed",
    "Hello team, I have been using the protocol for a long time and today I noticed that my account balance is lower than I expected, can you please explain why?",
    "please check my transaction {tx} on {explorer}{tx}",
    "why is my interest rate so high this month? I borrowed {amount} {asset} at a lower rate",
    "When I try to withdraw it says the health factor would drop below 1, but my hf is {hf}!",
    "what is e-mode and should I turn it on for {asset}/{asset2}?",
    "I got liquidated!!! {tx} I lost {amount} {asset}. this is a scam. I want my money back",
    "my wife and I share one wallet {addr}, can we both link it?",
    "the bridge says my {amount} {asset} arrived but the supply button is grey",
    "good morning, quick question: can I repay someone else's debt? their address is {addr}",
    "tx {tx}\ntx {tx}\ntx {tx}\nall three are pending",
    "Supplied {amount} {asset} at block {block}, tx: {tx}, still no aToken in my wallet",
    "i think i got phished, i signed something on a fake site, here is the tx {tx}, what do i do now",
    "approve tx {tx} went through but the supply one failed with out of gas",
    "Is it safe to keep {hf} as health factor during the weekend? I don't want to wake up liquidated.",
    "The price of {asset} on your page is different from the price on the exchange, which one is used for liquidation?",
    "My ledger shows {addr} but metamask shows {addr_lower}, which one is mine?",
    "my transaction hash is {tx} can you see why it reverted",
    "receipt from the dapp: {\"blockHash\":\"{tx}\",\"blockNumber\":{block},\"status\":\"0x0\",\"logs\":[]}",
    "the event log has topics [\"{tx}\", \"{tx}\"] and no Supply event, is that normal?",
    "contract {addr} asked for approval, here is the calldata {calldata}, legit?",
];

const CHINESE_TEMPLATES: [&str; 31] = [
    "这是钱包给我的签名：{\"v\":28,\"r\":\"{tx}\",\"s\":\"{tx}\"}，格式对吗？",
    "我的交易 {tx} 卡住了一个小时，怎么办？",
    "交易哈希：{tx}，显示失败，为什么？",
    "{explorer}{tx} 这是我的还款交易，显示成功但是债务没变",
    "我存了 {amount} 个 {asset}，但是页面上看不到，交易是 {tx}",
    "我的地址是 {addr}，帮我看看健康因子",
    "帮我查一下 {addr_lower}，是不是快被清算了",
    "/link {addr}",
    "/verify {sig}",
    "签名是 {sig}",
    "我的钱包 {ens} 在区块 {block} 被清算了，这公平吗？",
    "网站让我签这个，安全吗？\n{calldata}",
    "健康因子 {hf}，抵押 {amount} {asset}，借了 {amount} {asset2}，安全吗",
    "我想用 {asset2} 抵押借 {amount} {asset}，最多能借多少才能保持在 {hf} 以上？",
    "{asset} 跌 20% 的话我会被清算吗？现在健康因子 {hf}",
    "提现 {amount} {asset} 已经 {n} 个小时了还没到账",
    "报错信息：{\"code\":-32603,\"message\":\"execution reverted: 35\"}，交易 {tx}",
    "我的操作步骤：\n1. 存入 {amount} {asset}\n2. 开启抵押\n3. 借出 {amount} {asset2}\n4. 交易 {tx} 失败了",
    "为什么这个月 {asset} 的借款利率这么高？涨到了 {n}%",
    "我被清算了！！！{tx} 损失了 {amount} {asset}，我要退款",
    "跨链过来的 {amount} {asset} 到了，但是存款按钮是灰的",
    "早上好，请问可以帮别人还款吗？他的地址是 {addr}",
    "授权交易 {tx} 成功了，但是存款交易 gas 不够失败了",
    "周末健康因子保持 {hf} 安全吗？我怕睡一觉起来就被清算了",
    "页面上 {asset} 的价格和交易所不一样，清算用哪个价格？",
    "我的 Ledger 显示 {addr}，但是 MetaMask 显示 {addr_lower}，哪个是我的？",
    "我好像被钓鱼了，在假网站上签了名，交易哈希 {tx}，现在怎么办",
    "你好，我用这个协议很久了，今天发现账户余额比预期少了很多，能帮我解释一下吗？",
    "什么是 e-mode？{asset}/{asset2} 应该开吗",
    "合约 {addr} 要我授权，这是调用数据 {calldata}，正常吗？",
    "转账 {tx} 一直未确认，区块浏览器上也查不到",
];

/// Everyday words people use with a help desk, most of them BIP39 words.
const CONTENT_WORDS: [&str; 60] = [
    "account",
    "balance",
    "borrow",
    "supply",
    "token",
    "gas",
    "price",
    "drop",
    "market",
    "crash",
    "interest",
    "rate",
    "health",
    "loan",
    "deposit",
    "reward",
    "claim",
    "pool",
    "vault",
    "bridge",
    "swap",
    "fee",
    "phone",
    "page",
    "error",
    "problem",
    "question",
    "answer",
    "ticket",
    "team",
    "staff",
    "human",
    "agent",
    "person",
    "money",
    "wallet",
    "collateral",
    "debt",
    "position",
    "liquidation",
    "network",
    "chain",
    "screen",
    "button",
    "number",
    "amount",
    "value",
    "limit",
    "cash",
    "dollar",
    "coin",
    "bitcoin",
    "ethereum",
    "stable",
    "risk",
    "time",
    "today",
    "month",
    "morning",
    "night",
];
const OPENERS: [&str; 10] = [
    "Hi,",
    "Hello,",
    "hey",
    "Good morning,",
    "hello team,",
    "Sorry to bother you,",
    "Quick question:",
    "Please help,",
    "Dear support,",
    "",
];
const CLAUSES: [&str; 24] = [
    "I want to {v} my {c} but the {c} is too high",
    "my {c} {c} went down after the {c} {c}",
    "I do not understand why the {c} and the {c} are different",
    "can you please check my {c} and tell me what to do",
    "I tried to {v} again and again but it says {c} {c}",
    "the {c} on the {c} shows a different {c} than yesterday",
    "what is the best way to {v} without losing my {c}",
    "is there any {c} if I {v} now or should I wait for the {c} to recover",
    "I am worried about my {c} because the {c} keeps going up",
    "I have been waiting for a long time and nobody from the {c} answered",
    "my friend told me to {v} first and then {v}, is that right",
    "it would be great if you could explain the {c} in simple words",
    "every time I open the {c} it shows an {c} and I cannot {v}",
    "I think there is a {c} with the {c} because my {c} is wrong",
    "should I {v} more or {v} part of the {c} to stay safe",
    "last month I could {v} but today the {c} is disabled",
    "the {c} says I have enough {c} but I still cannot {v}",
    "how much {c} do I need to keep so the {c} does not get close to one",
    "I really appreciate your help and your patience with my {c}",
    "where can I find the {c} for my {c} and the {c} history",
    "thank you for your time, I will wait for your answer",
    "I lost some {c} during the {c} {c} and I want to know why",
    "please make sure the {c} is correct before I {v} again",
    "why did the {c} change so much in one {c}",
];
const VERBS: [&str; 14] = [
    "borrow", "supply", "repay", "withdraw", "swap", "bridge", "claim", "deposit", "stake",
    "close", "open", "transfer", "switch", "unlock",
];

/// A long message of everyday words the way people write: clauses joined by "and", "but",
/// "so", with function words and punctuation, the content words mostly BIP39 words.
fn long_english(rng: &mut Rng) -> String {
    let mut text = rng.pick(&OPENERS).to_string();
    let clauses = 3 + rng.below(5);
    for k in 0..clauses {
        let clause = rng.pick(&CLAUSES).to_string();
        let mut filled = String::new();
        for part in clause.split(' ') {
            let word = match part {
                "{c}" => rng.pick(&CONTENT_WORDS).to_string(),
                "{v}" => rng.pick(&VERBS).to_string(),
                other => other.to_owned(),
            };
            filled.push_str(&word);
            filled.push(' ');
        }
        let joiner = if k + 1 == clauses {
            rng.pick(&[".", "?", "!", "...", ""]).to_string()
        } else {
            rng.pick(&[", and", ", but", ". Also", " so", ";", ", then", ". "])
                .to_string()
        };
        text = format!("{text} {}{joiner}", filled.trim_end());
    }
    text.trim().to_owned()
}

/// Chinese sentences about lending, joined like a user writes them.
fn long_chinese(rng: &mut Rng) -> String {
    const PARTS: [&str; 20] = [
        "我想知道为什么我的健康因子突然下降了",
        "昨天市场大跌之后我的抵押品价值少了很多",
        "我已经还了一部分借款但是页面上没有变化",
        "请问现在应该补充抵押品还是还款",
        "我不太懂清算线是怎么计算的",
        "客服一直没有回复我的工单",
        "我用手机打开网页的时候总是报错",
        "能不能用简单的话解释一下利率为什么会变",
        "我担心周末价格继续下跌",
        "朋友说先存款再借款比较安全",
        "我的钱包里明明有余额但是无法提现",
        "这个问题已经困扰我好几天了",
        "谢谢你们的耐心和帮助",
        "我是新手不太会操作",
        "每次点击按钮都提示授权失败",
        "我在另一个链上也有仓位",
        "请帮我看看是不是哪里设置错了",
        "利息涨得太快了我想尽快还清",
        "如果被清算了会损失多少",
        "有没有办法提前收到提醒",
    ];
    let n = 2 + rng.below(5);
    let mut text = String::new();
    for k in 0..n {
        let part = *rng.pick(&PARTS);
        let joiner = if k + 1 == n {
            *rng.pick(&["。", "？", "！", "", "…"])
        } else {
            *rng.pick(&["，", "。", "；", "，而且", "，但是"])
        };
        text.push_str(part);
        text.push_str(joiner);
    }
    text
}

/// Words and greetings repeated the way impatient people type them.
fn repeated(rng: &mut Rng) -> String {
    const UNITS: [&str; 14] = [
        "help",
        "please",
        "hello",
        "/link",
        "good morning",
        "thank you",
        "test",
        "wait",
        "answer",
        "hello?",
        "HELP",
        "please help",
        "ok ok",
        "agent",
    ];
    let unit = rng.pick(&UNITS);
    let times = 6 + rng.below(20);
    let sep = rng.pick(&[" ", "\n", ", ", "! ", "!!! ", " ... "]);
    let body = vec![*unit; times].join(sep);
    match rng.below(3) {
        0 => body,
        1 => format!("{body}\nanyone there?"),
        _ => format!("{} {body}", rng.pick(&OPENERS)),
    }
}

/// Bullet lists of assets, steps and questions.
fn list_message(rng: &mut Rng) -> String {
    const ITEMS: [&str; 16] = [
        "supply ETH",
        "borrow USDC",
        "repay part of the loan",
        "check the health factor",
        "switch to e-mode",
        "claim rewards",
        "withdraw the rest",
        "bridge to Arbitrum",
        "swap collateral",
        "close the position",
        "wait for the price",
        "open a ticket",
        "存入 ETH",
        "借出 USDC",
        "查看健康因子",
        "提取剩余资产",
    ];
    let bullet = *rng.pick(&["- ", "• ", "* ", "1. ", "→ "]);
    let items: String = (0..3 + rng.below(8))
        .map(|_| format!("{bullet}{}\n", rng.pick(&ITEMS)))
        .collect();
    format!(
        "{}\n{items}{}",
        rng.pick(&[
            "My plan:",
            "What I did:",
            "我的计划：",
            "Is this order right?"
        ]),
        rng.pick(&["Thanks!", "对吗？", "", "does that make sense"])
    )
}

/// What users report they clicked, as bullets with several steps per line: everyday words,
/// most of them BIP39 words, and typo-like ones ("happens", "thanks", "steps").
fn steps_message(rng: &mut Rng) -> String {
    const STEPS: [&str; 24] = [
        "click supply",
        "approve",
        "confirm",
        "wait",
        "nothing happens",
        "balance still zero",
        "open the app",
        "connect wallet",
        "switch network",
        "try again",
        "refresh",
        "check balance",
        "same error",
        "it says pending",
        "repay all",
        "borrow more",
        "enable collateral",
        "claim reward",
        "close wallet",
        "swap token",
        "sign again",
        "nothing changes",
        "price still wrong",
        "cancel",
    ];
    let bullet = *rng.pick(&["- ", "• ", "* ", "", "> "]);
    let lines: String = (0..2 + rng.below(3))
        .map(|_| {
            let steps: Vec<&str> = (0..1 + rng.below(3)).map(|_| *rng.pick(&STEPS)).collect();
            format!(
                "{bullet}{}\n",
                steps.join(*rng.pick(&[", ", ", then ", " and ", " > "]))
            )
        })
        .collect();
    format!(
        "{}\n{lines}{}",
        rng.pick(&[
            "Steps:",
            "What I did:",
            "My steps:",
            "Tried so far:",
            "steps"
        ]),
        rng.pick(&["Can you help?", "any idea?", "help?", "thanks", "what now"])
    )
}

fn ordinary_messages() -> Vec<(String, String)> {
    let mut rng = Rng(0x0D15_EA5E);
    let mut messages = Vec::new();
    for round in 0..8 {
        for t in ENGLISH_TEMPLATES {
            messages.push((
                format!("english template, round {round}"),
                fill(t, &mut rng),
            ));
        }
        for t in CHINESE_TEMPLATES {
            messages.push((
                format!("chinese template, round {round}"),
                fill(t, &mut rng),
            ));
        }
    }
    for _ in 0..250 {
        messages.push(("long english".into(), long_english(&mut rng)));
    }
    for _ in 0..120 {
        messages.push(("long chinese".into(), long_chinese(&mut rng)));
    }
    for _ in 0..60 {
        messages.push(("repeated words".into(), repeated(&mut rng)));
    }
    for _ in 0..60 {
        messages.push(("list".into(), list_message(&mut rng)));
    }
    messages.push((
        "steps".into(),
        "Steps:\n- click supply, approve, confirm\n- wait\n- nothing happens, balance still zero\nCan you help?"
            .into(),
    ));
    for _ in 0..80 {
        messages.push(("steps".into(), steps_message(&mut rng)));
    }
    for _ in 0..40 {
        let mixed = format!("{} {}", long_chinese(&mut rng), long_english(&mut rng));
        messages.push(("mixed languages".into(), mixed));
    }
    messages
}

#[test]
fn no_generated_ordinary_message_is_flagged() {
    let messages = ordinary_messages();
    let flagged: Vec<String> = messages
        .iter()
        .filter(|(_, text)| contains_secret(text))
        .map(|(kind, text)| format!("[{kind}] {text:?}"))
        .collect();
    println!(
        "generated ordinary messages flagged: {}/{}",
        flagged.len(),
        messages.len()
    );
    assert!(
        messages.len() >= 1000,
        "only {} ordinary messages",
        messages.len()
    );
    assert!(
        flagged.is_empty(),
        "{} ordinary messages flagged:\n{}",
        flagged.len(),
        flagged
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn faq_texts_and_the_desk_message_table_are_not_flagged() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    let faq = std::fs::read_dir(root.join("faq")).expect("faq/ exists");
    for entry in faq.flatten() {
        let content = std::fs::read_to_string(entry.path()).expect("faq file reads");
        texts.extend(content.split("\n\n").map(str::to_owned));
        texts.push(content);
    }
    let table = std::fs::read_to_string(root.join("tests/data/desk_messages.toml"))
        .expect("desk_messages.toml reads");
    let table: toml::Value = table.parse().expect("desk_messages.toml parses");
    let cases = table
        .get("case")
        .and_then(toml::Value::as_array)
        .expect("cases");
    texts.extend(
        cases
            .iter()
            .filter(|c| c.get("intent").and_then(toml::Value::as_str) != Some("refuse_secret"))
            .filter_map(|c| c.get("text").and_then(toml::Value::as_str))
            .map(str::to_owned),
    );
    let flagged: Vec<&String> = texts.iter().filter(|t| contains_secret(t)).collect();
    assert!(texts.len() > 200, "only {} texts", texts.len());
    assert!(flagged.is_empty(), "flagged: {flagged:#?}");
}
