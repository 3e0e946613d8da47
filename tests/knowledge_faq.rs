//! The knowledge base against the real `faq/` folder: the folder passes `faq check`, natural
//! paraphrases (slang and typos, in both languages) find the right topic first, off-topic
//! messages get low confidence, topics round-trip through Markdown, overlays work, and search
//! is fast (`cargo test --release --test knowledge_faq -- --ignored --nocapture`).
//!
//! The queries are written the way users write, not copied from the files' question lists.
//! A few are known to miss top-1 (noted below): the accuracy floors leave room for them rather
//! than the list leaving them out.

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Instant;

use lendesk::knowledge::{CONFIDENT, KnowledgeBase, Topic, UNSURE, check_dir, parse_topic};
use lendesk::lang::Lang;

fn faq_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("faq")
}

static KB: LazyLock<KnowledgeBase> =
    LazyLock::new(|| KnowledgeBase::load_dir(&faq_dir()).expect("faq/ loads"));

/// Topic ids the desk relies on.
/// Right at top-1 but with low confidence, for the reason given where each is listed.
const KNOWN_WEAK: &[&str] = &[
    "what does the health factor actually measure",
    // Found first, but "抵押" and "借" are shared with the borrowing-power, max-borrow-risk and
    // non-collateral-assets topics, so the classifier spreads its probability (0.29).
    "用ETH做抵押怎么借钱",
];

const REQUIRED: &[&str] = &[
    "health-factor",
    "liquidation",
    "close-factor",
    "ltv-vs-liquidation-threshold",
    "isolation-mode",
    "emode",
    "supply",
    "withdraw",
    "borrow",
    "repay",
    "why-debt-grows",
    "gas-fees",
    "stuck-transaction",
    "wrong-network",
    "fake-support",
    "never-share-seed",
    "revoke-approvals",
    "wallet-compromised",
    "reach-a-person",
    "data-we-store",
    "lost-stolen-funds",
    "compound-v3-basics",
    "how-to-raise-hf",
];

/// English paraphrases: (query, expected topic id).
const EN: &[(&str, &str)] = &[
    ("my hf is 1.1 am i rekt", "health-factor"),
    ("how do i not get liqd", "liquidation"),
    ("wat is emode", "emode"),
    // Found first since the question re-ranking, but "measure" is rare vocabulary that only
    // the liquidation answer uses, so coverage stays low: listed in KNOWN_WEAK.
    (
        "what does the health factor actually measure",
        "health-factor",
    ),
    // Known miss: compound-v3-liquidation and reading-position-answer share "position".
    (
        "when exactly does my position get liquidated",
        "liquidation",
    ),
    (
        "how much of my debt can a liquidator repay in one go",
        "close-factor",
    ),
    (
        "difference between max ltv and liq threshold",
        "ltv-vs-liquidation-threshold",
    ),
    ("my asset is isolated, why only stables?", "isolation-mode"),
    ("i want to put my usdc into aave to earn yield", "supply"),
    ("how can i get my eth back out of aave", "withdraw"),
    ("can i take a loan using my eth as collateral", "borrow"),
    ("whats the max i can borrow with 10 eth", "borrowing-power"),
    ("how to pay off my loan", "repay"),
    (
        "my debt keeps going up even though i did nothing",
        "why-debt-grows",
    ),
    ("gas is way too expensive, any way to save", "gas-fees"),
    ("my tx has been pending forever", "stuck-transaction"),
    (
        "sent usdc on polygon but aave shows nothing, wrong chain?",
        "wrong-network",
    ),
    (
        "a mod messaged me privately offering to fix my wallet",
        "fake-support",
    ),
    // Known miss: fake-support (also a fair answer) ranks first, never-share-seed second.
    (
        "should i give my seed phrase to support",
        "never-share-seed",
    ),
    (
        "is it ok to paste my private key into the bot",
        "never-share-seed",
    ),
    (
        "the bot wants my 12 words, is that legit",
        "never-share-seed",
    ),
    (
        "how to cancel an unlimited token allowance",
        "revoke-approvals",
    ),
    ("a hacker drained my wallet, what now", "wallet-compromised"),
    ("let me speak to an actual human", "reach-a-person"),
    (
        "what personal data does this bot keep about me",
        "data-we-store",
    ),
    ("all my money vanished from my wallet", "lost-stolen-funds"),
    (
        "how is compund v3 different from aave",
        "compound-v3-basics",
    ),
    (
        "how can i boost my health factor quickly",
        "how-to-raise-hf",
    ),
    (
        "i was liquidated last night, what happened to my collateral",
        "i-was-liquidated",
    ),
    ("withdrawl keeps failing with an error", "failed-withdrawal"),
];

/// Chinese paraphrases.
const ZH: &[(&str, &str)] = &[
    ("怎么才能不被爆仓", "liquidation"),
    // Known miss: why-hf-dropped ("健康度比昨天低") ranks first, how-to-raise-hf second.
    ("健康度太低怎么办", "how-to-raise-hf"),
    ("提现失败", "failed-withdrawal"),
    ("助记词被盗了", "wallet-compromised"),
    ("HF到底是什么", "health-factor"),
    ("一次最多能清算我多少仓位", "close-factor"),
    ("抵押率和清算线是一回事吗", "ltv-vs-liquidation-threshold"),
    ("什么叫隔离模式，有什么限制", "isolation-mode"),
    ("高效模式有什么好处", "emode"),
    ("我想把USDC存到Aave赚利息", "supply"),
    // Known miss: "存进去的" outweighs "拿出来" (supply first, withdraw second).
    ("怎么把存进去的币拿出来", "withdraw"),
    ("我存在Aave的USDC想取出来，怎么操作", "withdraw"),
    ("怎么赎回我在Aave的资产", "withdraw"),
    // Known miss: withdraw-limits-liquidity's questions talk about "的钱" (withdraw second).
    ("Aave里的钱怎么取回来", "withdraw"),
    ("用ETH做抵押怎么借钱", "borrow"),
    ("借的钱怎么还", "repay"),
    ("为什么我的欠款越来越多", "why-debt-grows"),
    ("矿工费太贵了有办法省吗", "gas-fees"),
    ("交易一直卡着不动", "stuck-transaction"),
    ("转错链了，资产在Polygon上怎么办", "wrong-network"),
    ("有个自称客服的人私聊我", "fake-support"),
    ("能把助记词发给你们吗", "never-share-seed"),
    ("怎么取消之前给合约的授权", "revoke-approvals"),
    ("钱包被黑了，币被转走了", "wallet-compromised"),
    ("我想跟真人客服聊", "reach-a-person"),
    ("机器人记录了我什么信息", "data-we-store"),
    ("我的资产突然不见了", "lost-stolen-funds"),
    ("Compound v3和Aave有什么不同", "compound-v3-basics"),
    // Known miss: as above, why-hf-dropped first.
    ("健康因子太低了想拉高一点", "how-to-raise-hf"),
    ("想把健康因子拉到2以上该怎么做", "how-to-raise-hf"),
    ("快被清算了有什么补救办法", "how-to-raise-hf"),
    ("什么是清算", "liquidation"),
];

const OFF_TOPIC: &[(&str, Lang)] = &[
    ("", Lang::En),
    ("   ", Lang::Zh),
    ("what's the weather like today", Lang::En),
    ("will ETH go up", Lang::En),
    ("should i buy more eth now", Lang::En),
    ("is bitcoin going to 100k", Lang::En),
    ("asdkjh qwezxc", Lang::En),
    ("tell me a joke", Lang::En),
    ("who won the football game last night", Lang::En),
    ("best pizza near me", Lang::En),
    ("what time is it in tokyo", Lang::En),
    ("recommend me a good movie", Lang::En),
    ("今天天气怎么样", Lang::Zh),
    ("ETH会涨吗", Lang::Zh),
    ("比特币明年能涨到多少", Lang::Zh),
    ("给我讲个笑话", Lang::Zh),
    ("附近有什么好吃的", Lang::Zh),
    ("啊啊啊啊啊", Lang::Zh),
    ("👍👍", Lang::Zh),
];

struct Outcome {
    query: &'static str,
    want: &'static str,
    got: Vec<(String, f32)>,
}

impl Outcome {
    fn top1(&self) -> bool {
        self.got.first().is_some_and(|(id, _)| id == self.want)
    }
    fn top3(&self) -> bool {
        self.got.iter().any(|(id, _)| id == self.want)
    }
    fn confidence(&self) -> f32 {
        self.got.first().map_or(0.0, |(_, c)| *c)
    }
}

fn run(set: &'static [(&'static str, &'static str)], lang: Lang) -> Vec<Outcome> {
    set.iter()
        .map(|&(query, want)| Outcome {
            query,
            want,
            got: KB
                .search(query, lang, 3)
                .into_iter()
                .map(|h| (h.id, h.confidence))
                .collect(),
        })
        .collect()
}

/// Prints the outcomes and checks the floors; returns (top-1 hits, total).
fn check_set(name: &str, outcomes: &[Outcome], min_top1: usize) -> (usize, usize) {
    for o in outcomes {
        let mark = if o.top1() { "ok  " } else { "MISS" };
        println!("{mark} {:<60} want {:<28} got {:?}", o.query, o.want, o.got);
    }
    let top1: Vec<&Outcome> = outcomes.iter().filter(|o| o.top1()).collect();
    let top3 = outcomes.iter().filter(|o| o.top3()).count();
    let confident = top1.iter().filter(|o| o.confidence() >= CONFIDENT).count();
    println!(
        "{name}: top-1 {}/{}, top-3 {top3}/{}, confident when right {confident}/{}",
        top1.len(),
        outcomes.len(),
        outcomes.len(),
        top1.len()
    );
    assert!(
        top1.len() >= min_top1,
        "{name}: only {} right at top-1",
        top1.len()
    );
    assert!(
        top3 + 1 >= outcomes.len(),
        "{name}: only {top3} in the top 3"
    );
    // Right answers are never "no idea" (but for the documented weak ones), and most are
    // confident.
    for o in top1.iter().filter(|o| !KNOWN_WEAK.contains(&o.query)) {
        assert!(
            o.confidence() >= UNSURE,
            "{name}: {:?} right but {:.2}",
            o.query,
            o.confidence()
        );
    }
    assert!(
        confident * 4 >= top1.len() * 3,
        "{name}: only {confident} confident"
    );
    (top1.len(), outcomes.len())
}

#[test]
fn faq_folder_passes_check() {
    let report = check_dir(&faq_dir());
    println!("{report}");
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.topics, KB.topics().len());
    for id in REQUIRED {
        assert!(KB.topic(id).is_some(), "faq/ has no {id}.md");
    }
}

#[test]
fn english_paraphrases_find_their_topic() {
    let (hits, total) = check_set("EN", &run(EN, Lang::En), 26);
    assert!(hits >= 20 && total >= 20);
}

#[test]
fn chinese_paraphrases_find_their_topic() {
    let (hits, total) = check_set("ZH", &run(ZH, Lang::Zh), 27);
    assert!(hits >= 20 && total >= 20);
}

#[test]
fn every_required_topic_is_found_in_both_languages() {
    for (set, lang) in [(EN, Lang::En), (ZH, Lang::Zh)] {
        let outcomes = run(set, lang);
        for id in REQUIRED {
            assert!(
                outcomes.iter().any(|o| o.want == *id && o.top1()),
                "{lang:?}: no paraphrase finds {id} first"
            );
        }
    }
}

#[test]
fn off_topic_queries_get_low_confidence() {
    for &(q, lang) in OFF_TOPIC {
        let hits = KB.search(q, lang, 3);
        let c = hits.first().map_or(0.0, |h| h.confidence);
        println!("{q:?}: {c:.2} {:?}", hits.first().map(|h| &h.id));
        assert!(
            c < UNSURE,
            "{q:?} got {c:.2} for {:?}",
            hits.first().map(|h| &h.id)
        );
    }
}

#[test]
fn chinese_user_writing_hf_finds_the_health_factor() {
    for q in ["HF?", "我的HF多少算安全", "hf是啥"] {
        let hits = KB.search(q, Lang::Zh, 3);
        assert_eq!(
            hits.first().map(|h| h.id.as_str()),
            Some("health-factor"),
            "{q}: {hits:?}"
        );
    }
}

#[test]
fn every_topic_round_trips_through_markdown() {
    for t in KB.topics() {
        let again = parse_topic(&format!("{}.md", t.id), &t.to_markdown()).expect("reparses");
        assert_eq!(&again, t);
    }
}

#[test]
fn overlay_replaces_and_removes_real_topics() {
    let mut edited: Topic = KB.topic("gas-fees").expect("gas-fees").clone();
    edited
        .en
        .questions
        .push("why is the zorblax fee so high".to_string());
    let kb = KB.with_overlay(vec![edited.clone()], &["emode".to_string()]);
    assert_eq!(kb.topics().len(), KB.topics().len() - 1);
    assert_eq!(kb.topic("gas-fees"), Some(&edited));
    assert!(kb.topic("emode").is_none());
    // The added question finds its topic (a bare "zorblax fee" goes to `fees` now: the
    // classifier weighs "fee", which the fees topic is about, over one new word).
    assert_eq!(
        kb.search("why is the zorblax fee so high?", Lang::En, 1)[0].id,
        "gas-fees"
    );
    assert!(
        kb.search("wat is emode", Lang::En, 3)
            .iter()
            .all(|h| h.id != "emode")
    );
    assert_eq!(KB.search("wat is emode", Lang::En, 1)[0].id, "emode");
}

/// `cargo test --release --test knowledge_faq -- --ignored --nocapture search_speed`
#[test]
#[ignore = "timing; run in release"]
fn search_speed() {
    let kb = &*KB;
    let queries: &[(&str, Lang)] = &[
        (
            "my health factor dropped to 1.1 how do i avoid liquidation",
            Lang::En,
        ),
        (
            "why did my withdraw transaction fail with an error today",
            Lang::En,
        ),
        (
            "someone from support asked for my seed phrase is that ok",
            Lang::En,
        ),
        (
            "what is the difference between ltv and liquidation threshold exactly",
            Lang::En,
        ),
        ("我的健康因子掉到1.1了怎么才能不被清算", Lang::Zh),
        ("为什么我的取款交易一直失败还扣了手续费", Lang::Zh),
    ];
    for &(q, l) in queries {
        assert!(!kb.search(q, l, 3).is_empty());
    }
    let topics = kb.topics().to_vec();
    let start = Instant::now();
    let rebuilt = KnowledgeBase::from_topics(topics);
    println!(
        "index build: {:.1} ms for {} topics",
        start.elapsed().as_secs_f64() * 1e3,
        rebuilt.topics().len()
    );
    let rounds = 20_000;
    let mut report = Vec::new();
    for (label, set) in [("en", &queries[..4]), ("zh", &queries[4..])] {
        let start = Instant::now();
        let mut n = 0usize;
        for _ in 0..rounds {
            for &(q, l) in set {
                n += kb.search(std::hint::black_box(q), l, 3).len();
            }
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / (rounds * set.len()) as f64;
        println!("{label}: {per:.2} µs/query ({n} hits)");
        report.push(per);
    }
    if !cfg!(debug_assertions) {
        assert!(report.iter().all(|&us| us < 20.0), "{report:?} µs");
    }
}
