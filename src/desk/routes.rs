//! Routes recognised in paraphrase, not by exact phrases: a secret offered or asked for (no
//! secret in the message), a disputed outcome or a demand for compensation, an app that is
//! broken or a transaction stuck for long, and an insistent demand for a person. Each route is
//! a combination of cue lists in both languages (a subject and what is done with it), applied
//! to the folded text ([`super::intent::fold`]); no I/O.

use super::intent::{any, any_word, without};
use crate::tickets::EscalationReason;

/// What a seed phrase or a private key is called.
const SECRET_NOUNS: &[&str] = &[
    "seed",
    "phrase",
    "mnemonic",
    "private key",
    "privatekey",
    "priv key",
    "pk ",
    "12 words",
    "24 words",
    "12 word",
    "24 word",
    "twelve words",
    "secret words",
    "recovery words",
    "backup words",
    "助记词",
    "私钥",
    "密钥",
    "秘钥",
    "12个词",
    "24个词",
    "12个单词",
    "24个单词",
    "十二个单词",
    "十二个词",
    "二十四个单词",
    "二十四个词",
    "恢复短语",
    "备份短语",
    "恢复词",
    "种子",
    "keystore",
    "wallet password",
    "secret code",
    "my backup",
    "钱包密码",
    "备份的单词",
    "英文单词",
    "那串英文",
    "纸上的英文",
    "钱包的钥匙",
    "那个key",
    "钱包key",
    "钱包的key",
    // Pinyin abbreviations: 助记词 (zhu ji ci), 私钥 (si yao).
    "zjc",
    "siyao",
    "私匙",
    "口令",
    "密语",
    "写在纸上的",
    "纸上的那些",
    "导出的那串",
    "那几个词",
    "那些单词",
    // A private key by its length: "那串64位的东西", "the 64-character thing".
    "那串64",
    "64位的",
    "64位字符",
    "64个字符",
    "64 character",
    "64-character",
    "64 char ",
    "64 hex",
];

/// Handing a secret over: to the bot, a person, a site.
const HAND_OVER: &[&str] = &[
    "send",
    "give",
    "dm ",
    "dm you",
    "share",
    "paste",
    "provide",
    "show you",
    "tell you",
    "enter",
    "type in",
    "input",
    "submit",
    "upload",
    "verify",
    "validate",
    "prove",
    "sync",
    "unlock",
    // Not "import" alone: "important" holds it.
    "import my",
    "import it",
    "import the",
    "import them",
    "import into",
    "import to",
    "发给",
    "发你",
    "给你",
    "给他",
    "给她",
    "给对方",
    "提供",
    "输入",
    "填写",
    "填入",
    "告诉",
    "验证",
    "证明",
    "同步",
    "解锁",
    "解冻",
    "激活",
    "领取",
    "导入",
    "交出",
    "发过来",
    "发过去",
    "发送给",
    "传给",
    "send over",
    "send it over",
    "export",
    "log in",
    "念给",
    "拍照",
    "照片",
    "复制给",
    "贴出来",
    "提交",
    "gave you",
    "gave u",
    "given you",
    "sent you",
    "sent u",
    "给那个",
    "给客服",
    "给不给",
    "交给",
    "要填",
    "填了",
    "填进",
    "要输",
    "输进",
    "输到",
    "先发",
    "put my",
    "put it in",
    "put them in",
    "fill in",
    "fill out",
    "google form",
    "填表",
    // Cantonese 俾 (give): "俾你", "俾佢".
    "俾你",
    "俾佢",
    "authorize",
    "authorise",
    "回复您的",
    "回复你的",
    "reply with",
    "还要发",
    "要不要发",
    "发了前面",
    "发了后面",
    "发了一半",
];

/// Someone else asking for something.
const ASKED_BY_OTHERS: &[&str] = &[
    "asked for my",
    "asking for my",
    "asks for my",
    "asking for",
    "asked for",
    "asks for",
    "dmd me",
    "dm'd me",
    "dmed me",
    "messaged me",
    "asked me for",
    "asked me to",
    "asking me to",
    "asks me to",
    "told me to",
    "tells me to",
    "wants my",
    "needs my",
    "need my",
    "requires my",
    "needed my",
    "wanted my",
    "says i need",
    "said i need",
    "says to",
    "让我",
    "要我",
    "叫我",
    "问我要",
    "找我要",
    "需要我",
    "要求我",
    "要求提供",
    "说要",
    "才能",
    "私聊",
    "私信",
    "said to",
    "said put",
    "said i should",
    "says i should",
    "emailed",
    "e-mailed",
    "requested my",
    "requested our",
    "has requested",
    "requesting my",
    "called me",
    "phoned me",
    "打电话",
    "来电",
    "索要",
    "讨要",
    "说只要",
    "不给私钥",
    "不给助记词",
    "还要剩下",
    "they say",
    "they said",
    "收到邮件",
    "收到短信",
    "邮件说",
    "短信说",
];

/// A secret said never to have been handed over.
const NEVER_HANDED_OVER: &[&str] = &[
    "never shared",
    "never share it",
    "never gave",
    "never sent",
    "never entered",
    "never typed",
    "never told",
    "didnt share",
    "didn't share",
    "did not share",
    "havent shared",
    "haven't shared",
    "have not shared",
    "从没给",
    "从来没给",
    "没给过",
    "没有给过",
    "从没告诉",
    "没告诉过",
    "没泄露",
    "没有泄露",
    "从没泄露",
    "没输入过",
    "没有输入过",
    "didn't give",
    "didnt give",
    "did not give",
    "haven't given",
    "never given",
    "didn't send",
    "didnt send",
    "did not send",
    "didn't enter",
    "did not enter",
    "谁也没给",
    "没给任何人",
    "没发给",
];

/// The user hands over only a public address ("只给你地址 不给助记词", "this is my public address,
/// not my key"): a lookup, not an offer.
const ADDRESS_ONLY: &[&str] = &[
    "只给你地址",
    "只给地址",
    "只发地址",
    "只发你地址",
    "公开地址，不是",
    "公开地址 不是",
    "only my address",
    "just my address",
    "only the address",
    "just the address",
    "public address only",
    "public address, not",
    "public address not",
];

/// Asking how to keep a secret or what it is ("助记词拍照存云盘安全吗", "safest way to back up a
/// recovery phrase", "difference between a private key and an address"): the knowledge base
/// answers, nothing is being handed over.
const KEEPING_OR_ASKING_WHAT: &[&str] = &[
    "back up",
    "backup my",
    "backup a",
    "backup the",
    "store my seed",
    "store a seed",
    "store the seed",
    "store my phrase",
    "storing",
    "metal plate",
    "password manager",
    "write it down",
    "difference between",
    "what is a private key",
    "what is a seed",
    "what's a seed",
    "whats a seed",
    "which ones can i share",
    "which one can i share",
    "怎么备份",
    "如何备份",
    "备份比较",
    "备份安全",
    "备份几份",
    "存云盘",
    "存在云",
    "存手机",
    "存备忘录",
    "抄纸上好",
    "抄纸上还是",
    "怎么保存",
    "如何保存",
    "怎么保管",
    "如何保管",
    "有什么区别",
    "有啥区别",
    "的区别",
    "私钥是啥",
    "私钥是什么",
    "助记词是什么",
    "助记词是啥",
    "expose my key",
    "reveal my key",
    "give away my key",
    "会不会把我的私钥",
    "会泄露私钥",
    "会不会泄露",
];

/// Handing something to a person or to the bot: "给你", "发给", "send you".
const TO_SOMEONE: &[&str] = &[
    "给你",
    "发你",
    "发给",
    "给他",
    "给她",
    "给客服",
    "给对方",
    "to you",
    "send you",
    "send u ",
    "show you",
];

/// How to keep a secret or what it is, asked by the user alone ([`KEEPING_OR_ASKING_WHAT`]):
/// "客服让我备份助记词到他们网站" is somebody asking for it, "我把抄在纸上的拍照发你" hands it over.
pub fn asks_how_to_keep_or_what(text: &str) -> bool {
    any(text, KEEPING_OR_ASKING_WHAT) && !any(text, TO_SOMEONE) && !any(text, ASKED_BY_OTHERS)
}

/// The user offers the bot a secret ("want me to send my 24 words?"), or asks about handing
/// it to someone who asked ("the admin needs my key to unlock my funds, normal?"): either way
/// the answer is the refusal and the warning. A question about keeping a phrase safe or having
/// lost one is not this.
pub fn secret_offered_or_asked(folded: &str) -> bool {
    // "key" and "words" alone are too common: they count only with the secret's context.
    let strong_noun = any(folded, SECRET_NOUNS) || counts_words(folded);
    if !strong_noun && !any_word(folded, &["pk", "key", "keys", "words"]) {
        return false;
    }
    // Only an address handed over.
    if any(folded, ADDRESS_ONLY) {
        return false;
    }
    // "I never shared my seed phrase, but my ETH got moved" tells a theft, for a person.
    let hand_over = any(folded, HAND_OVER) && !any(folded, NEVER_HANDED_OVER);
    let asked = any(folded, ASKED_BY_OTHERS);
    let to_us = any(
        folded,
        &[
            "want me to",
            "should i send",
            "should i give",
            "can i send",
            "i can send",
            "i can dm",
            "i can give",
            "do you need",
            "do u need",
            "要不要",
            "我发给你",
            "我可以发",
            "可以发给你",
            "用不用",
            "要不我",
            "我可以把",
            "我可以给",
            "is it ok if i give",
            "can i give you",
            "happy to share",
            "happy to send",
            "glad to hand",
            "i could send my",
            "i'll send my",
            "i will send my",
            "do you want",
            "do u want",
            "you want my",
            "u want my",
            "if i gave",
            "if i give",
            "if i send",
            "if i sent",
        ],
    );
    // How to keep a secret or what it is, asked by the user alone.
    if asks_how_to_keep_or_what(folded) && !to_us {
        return false;
    }
    // "will sending my key get my claim approved quicker?": the user's own key, handed over.
    let own_secret = any(
        folded,
        &["my key", "my keys", "my pk", "my words", "our key"],
    );
    (strong_noun && (hand_over || asked || to_us || wanted(folded)))
        || ((to_us || asked || own_secret) && hand_over)
        || (asked && own_secret)
}

/// "the first 6 words", "剩下的18个词", "前六个单词": a count of words, which with a hand-over
/// can only be a phrase's.
fn counts_words(folded: &str) -> bool {
    const EN_COUNTS: &[&str] = &[
        "6 words",
        "8 words",
        "12 words",
        "18 words",
        "24 words",
        "six words",
        "remaining words",
        "rest of the words",
    ];
    const ZH_NOUNS: &[&str] = &["个词", "个单词", "个英文"];
    const ZH_COUNTS: &str = "0123456789一二三四五六七八九十两几";
    any(folded, EN_COUNTS)
        || ZH_NOUNS.iter().any(|noun| {
            folded.match_indices(noun).any(|(at, _)| {
                folded[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| ZH_COUNTS.contains(c))
            })
        })
}

/// "要私钥", "要我的助记词", "他想要zjc": somebody wants the secret ("只要私钥在", "不要私钥",
/// "需要私钥吗" ask something else).
fn wanted(folded: &str) -> bool {
    const NOUNS: &[&str] = &["私钥", "助记词", "zjc", "秘钥", "密钥"];
    const WHOSE: &[&str] = &["", "我的", "你的", "我", "用户的"];
    folded.match_indices('要').any(|(at, _)| {
        let before = folded[..at].chars().next_back();
        let after = &folded[at + '要'.len_utf8()..];
        !matches!(before, Some('不' | '需' | '重' | '只' | '主' | '必'))
            && WHOSE.iter().any(|whose| {
                after
                    .strip_prefix(whose)
                    .is_some_and(|rest| NOUNS.iter().any(|n| rest.starts_with(n)))
            })
    })
}

/// The user contests an outcome rather than asking whether it can be undone: "这个清算我不认",
/// "不合理，给我个说法", "this is unfair, make it right", "我要求退回我的ETH", "这个钱谁来出？给我退回来"
/// ("any way to reverse?" only asks).
fn contests_it(folded: &str) -> bool {
    any(
        folded,
        &[
            "给我个说法",
            "给个说法",
            "讨个说法",
            "我不认",
            "不认这个",
            "不合理",
            "不公平",
            "unfair",
            "not fair",
            "make it right",
            "make this right",
            "异议",
            "dispute this",
            "dispute the",
            "formally dispute",
            "i dispute",
            "contest this",
            "contest the",
            "i demand",
            "我要求",
            "给我退",
            "谁来出",
            "得负责",
            "要负责",
        ],
    ) || wants_money_back(folded)
}

/// Money demanded back: "I want my refund", "想申请退款", "who will pay me back": a person
/// decides, even when it comes with a question ("想申请退款，请问要怎样处理？"). Whether a thing
/// can be refunded at all ("can I get my gas fee refunded?") is a question the FAQ may answer.
fn wants_money_back(folded: &str) -> bool {
    any(
        folded,
        &[
            "want my refund",
            "want a refund",
            "want refund",
            "refund me",
            "give me a refund",
            "demand a refund",
            "request a refund",
            "requesting a refund",
            "claim a refund",
            "compensate me",
            "want compensation",
            "demand compensation",
            "request compensation",
            "reimburse me",
            "pay me back",
            "money back",
            "difference back",
            "申请退款",
            "要求退款",
            "我要退款",
            "给我退款",
            "申请赔偿",
            "要求赔偿",
            "赔偿我",
            "申请补偿",
            "要求补偿",
            "予以补偿",
            "补偿我",
            "赔钱",
            "退给我",
            "谁来赔",
            "要还给我",
            "得还给我",
            "必须还给我",
            "paying me back",
            "make me whole",
            "made whole",
        ],
    )
}

/// A demand to undo or pay for an outcome: a refund, compensation, a reversal (what
/// [`contests_it`] already holds is not repeated here).
fn demands_redress(folded: &str) -> bool {
    // "is there any way to undo it?" asks whether it can be undone (the knowledge base says
    // no, and why); "undo it!" demands it.
    const ASKS_IF_IT_CAN: &[&str] = &[
        "any way to undo",
        "any way to reverse",
        "a way to undo",
        "a way to reverse",
        "can it be undone",
        "can it be reversed",
        "can this be undone",
        "can this be reversed",
        "can i undo",
        "can i reverse",
        "possible to undo",
        "possible to reverse",
    ];
    let unasked = without(folded, ASKS_IF_IT_CAN);
    any(
        &unasked,
        &[
            "compensat",
            "refund",
            "reimburs",
            "reverse",
            "reversal",
            "undo the",
            "undo my",
            "give it back",
            "give back my",
            "赔偿",
            "赔我",
            "必须赔",
            "要求赔",
            "退钱",
            "退款",
            "退还",
            "要补偿",
            "撤销",
            "撤回清算",
            "回滚",
            "还我",
            "申诉",
            "维权",
            "赔付",
            "赔返",
            "roll back",
            "rollback",
            "undo it",
            "undo this",
            "cover my loss",
            "cover the loss",
            "pay for my loss",
            "who pays for",
            "要求退回",
            "退回给我",
            "退回我的",
            "谁来负责",
            "必须负责",
            "求补偿",
            "补偿损失",
            "还给我",
            "还回来",
            "你们退回",
            "撤回来",
            // Not "pay back my" alone: "how do I pay back my loan" is a repayment.
            "pay back my money",
            "pay back my funds",
            "pay back my loss",
            "pay me back",
            "return my money",
            "return my funds",
            "give me back",
            "补给我",
            "能否撤销",
            "申请退还",
            "退还这些",
            "should cover",
            "claim compensation",
            "undo whatever",
            "undo the overcharge",
        ],
    )
}

/// A disputed outcome or a demand for money back: a person must look. An outcome contested in
/// so many words ([`contests_it`]: "unfair", "我不认", a refund demanded) is one by itself; a claim
/// that something was wrong needs the outcome beside it.
pub fn disputes_an_outcome(folded: &str) -> bool {
    let demand = demands_redress(folded);
    let unfair = any(
        folded,
        &[
            "never existed",
            "wrong price",
            "bad price",
            "price was wrong",
            "screwed me",
            "your fault",
            "your oracle",
            "your system",
            "your site",
            "your app",
            "你们的问题",
            "系统的问题",
            "你们系统",
            "你们的错",
            "价格明显异常",
            "价格异常",
            "价格不对",
        ],
    );
    // A transaction that went through, with a result the user says is wrong.
    let went_through = any(
        folded,
        &[
            "went through",
            "went thru",
            "confirmed",
            "on chain",
            "onchain",
            "on-chain",
            "tx succeeded",
            "succeeded",
            "executed",
            "上链",
            "已确认",
            "确认了",
            "成功了",
            "执行了",
            "到账",
            "成功咗",
        ],
    );
    // A liquidation is an outcome too, but "I got liquidated and lost half my ETH" tells what
    // happened: only a claim that it was wrong makes it a dispute.
    let liquidated = any(
        folded,
        &[
            "got liquidated",
            "was liquidated",
            "partially liquidated",
            "被清算",
            "清算了",
        ],
    );
    // "多少了" (how much now) holds "少了" (less).
    let unasked = without(folded, &["多少"]);
    let wrong_result = any(
        &unasked,
        &[
            "got less",
            "way less",
            "much less",
            "less than expected",
            "less than the quote",
            "less than quoted",
            "less than shown",
            "worse than",
            "missing",
            "wrong amount",
            "only got",
            "only received",
            "少了",
            "少很多",
            "差了",
            "只到账",
            "少咗",
            "少了一截",
            "对不上",
            "took more",
            "charged more",
            "more than expected",
            "went up by",
            "only ~",
            "actually got",
            "多扣",
            "扣多了",
            "多收",
            "多拿",
        ],
    );
    let claims_wrong = any(
        folded,
        &[
            "doesnt add up",
            "doesn't add up",
            "not right",
            "shouldnt have",
            "shouldn't have",
            "不对",
            "有问题",
            "不应该",
            "异常",
            "excessive",
            "过多",
            "多很多",
        ],
    );
    let look = any(
        folded,
        &[
            "someone needs to",
            "someone look",
            "someone check",
            "look into",
            "investigate",
            "review",
            "帮我查",
            "查一下",
            "复核",
            "核实",
            "核查",
            "调查",
            "交俾团队",
            "交给团队",
            "帮我交",
            "搵人睇",
            "睇下",
        ],
    );
    demand
        || contests_it(folded)
        || ((unfair || claims_wrong) && (went_through || liquidated || look))
        || (wrong_result && (went_through || look))
}

/// The app or site is broken, shows wrong numbers, or a transaction has been stuck for long:
/// someone must look.
pub fn reports_broken_app(folded: &str) -> bool {
    let broken = any(
        folded,
        &[
            "ui is broken",
            "ui broken",
            "site is broken",
            "site broken",
            "app is broken",
            "app broken",
            "dashboard is broken",
            "page crash",
            "keeps crashing",
            "crashes",
            "crashed",
            "blank page",
            "white screen",
            "wont load",
            "won't load",
            "doesnt load",
            "doesn't load",
            "shows wrong",
            "showing wrong",
            "wrong numbers",
            "wrong balance",
            "displays wrong",
            "glitch",
            "打不开",
            "崩了",
            "崩溃",
            "加载不出",
            "显示错误",
            "显示不对",
            "数据不对",
            "数字不对",
            "余额不对",
            "页面卡死",
            "卡死",
            "freezes",
            "frozen white",
            "just spins",
            "keeps spinning",
            "nothing happens",
            "display error",
            "someone else's",
            "someone elses",
            "somebody else's",
            "report an issue",
            "report a problem",
            "issue with your",
            "problem with your",
            "别人的仓位",
            "别人的余额",
            "别人的账户",
            "不是我的余额",
            "余额不是我的",
            "网站有问题",
            "页面有问题",
            "没反应",
            "冇反应",
            "转圈",
            "成日圈",
            "一直转",
        ],
    );
    let stuck_long = any(
        folded,
        &["pending", "stuck", "卡住", "卡了", "一直在等", "没确认"],
    ) && any(
        folded,
        &[
            "hours",
            "hour",
            "hrs",
            "days",
            "since yesterday",
            "overnight",
            "小时",
            "一天",
            "几天",
            "两天",
            "三天",
            "天了",
            "小时了",
            "昨天",
            "一晚",
        ],
    );
    // "the site shows my debt as 0, pls have someone look": asked to look at what the app shows.
    let look = asks_someone_to_look(folded) || folded.contains("帮忙看下");
    let shown = any(
        folded,
        &[
            "site",
            "app",
            "page",
            "dashboard",
            "ui",
            "shows",
            "pending",
            "网站",
            "页面",
            "网页",
            "显示",
            "界面",
            "卡",
        ],
    );
    broken || stuck_long || (look && shown) || shows_the_impossible(folded)
}

/// The app shows what cannot be ("Health factor: NaN", "collateral as $0 but etherscan shows my
/// aTokens", 白屏): a person must look even when the user asks it as a question.
fn shows_the_impossible(folded: &str) -> bool {
    let endless = any(folded, &["infinity", "infinite", "∞", "无穷"])
        && any(
            folded,
            &[
                "but i have",
                "but i do have",
                "open borrow",
                "open loan",
                "明明有",
                "但是我有",
                "可是我有",
            ],
        );
    endless
        || folded
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "nan" || w == "undefined")
        || any(
            folded,
            &[
                "-0.00",
                "as $0",
                "shows $0",
                "showing $0",
                "显示为0",
                "白屏",
                "网站挂了",
                "闪退",
            ],
        )
}

/// The user asks for a person to look at or review their case ("pls have someone look",
/// "please escalate", "我要申诉", "请技术人员看一下"); "someone … look/check/review" is read by
/// [`someone_then_look`], not listed.
pub fn asks_someone_to_look(folded: &str) -> bool {
    someone_then_look(folded)
        || asks_to_be_contacted(folded)
        || any(
            folded,
            &[
                "someone take a look",
                "get someone to",
                "please escalate",
                "pls escalate",
                "escalate this",
                "escalate it",
                "找人看",
                "有人能看",
                "技术人员",
                "请人看",
                "找人查",
                "让人查",
                "搵人睇",
                "交俾团队",
                "交给团队",
                "联系团队",
                "找你们技术",
                "找技术",
                "developer take a look",
                "dev take a look",
                "developer to look",
                "dev team",
                "申诉",
                "your staff",
                "someone from your",
                "please look into",
                "technical team",
                "tech team",
                "技术团队",
                "人工核查",
                "人工处理",
                "人工审核",
                "请人工",
                "someone from ur",
                "someone to actually",
                "who reviews",
                "team review",
                "review this",
                "forward to",
                "forward this",
                "pass this to",
                "派人",
                "专人",
                // The team asked to act on the case: investigate, look, review, push, fix.
                "please investigate",
                "pls investigate",
                "kindly investigate",
                "kindly look",
                "investigate this",
                "investigate it",
                "want this reviewed",
                "want it reviewed",
                "want this investigated",
                "look into this",
                "look into it",
                "i want you check",
                "i want you to check",
                "can you push it",
                "push my transaction",
                "push my tx",
                "要求核查",
                "要求核实",
                "要求调查",
                "你们检查一下",
                "你们查一下",
                "让技术看",
                "技术看看",
                "技术看下",
                "技术查",
                "谁能帮我看",
                "有人帮我看",
                "有没有人帮我看",
                "能不能有人",
                "谁来管",
                "谁来处理",
                "负责人",
                "找个人跟我",
                "你们工作人员查",
                "工作人员查",
                "made right",
                "sort it out",
                "sort this out",
                "get this sorted",
                "need this sorted",
                "unstuck",
                "处理一下",
                "核查一下",
                "贵方核查",
                "帮忙核实",
                "能否安排",
                // Someone on the team's side asked to verify, trace or maintain.
                "你们核实",
                "你们核对",
                "你们那边有人",
                "跟我们对接",
                "跟我对接",
                "把这事查清",
                "这事查清",
                "负责的人",
                "whoever maintains",
                "whoever runs",
                "whoever built",
                "someone on your side",
                "someone on your team",
                "anyone on your team",
                "somebody on your team",
                "someone on your end",
                "from your side",
                "nobody fixes",
                "no one fixes",
                "pull the tx",
                "go through the numbers",
                "review and return",
            ],
        )
}

/// "someone pls look at this", "can somebody from the team trace it": a person word, then
/// (past a few filler words) what they should do; "someone who does not check the app" is not.
fn someone_then_look(folded: &str) -> bool {
    const WHO: &[&str] = &["someone", "somebody", "anyone", "anybody"];
    const DO: &[&str] = &[
        "look",
        "check",
        "review",
        "trace",
        "investigate",
        "fix",
        "help",
        "contact",
        "call",
    ];
    const FILLER: &[&str] = &[
        "pls", "plz", "please", "to", "from", "ur", "your", "the", "team", "can", "could", "needs",
        "need", "must", "should", "will", "actually", "just", "here",
    ];
    // Most messages hold no person word: one pass of the shared automaton, no word list.
    if !any(folded, WHO) {
        return false;
    }
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        WHO.contains(w)
            && words[i + 1..]
                .iter()
                .find(|d| !FILLER.contains(d))
                .is_some_and(|d| DO.iter().any(|v| d.starts_with(v)))
    })
}

/// A call, an email or a way to reach the team: "can I get a callback", "留个联系方式", "有没有
/// 电话", "get back to me".
fn asks_to_be_contacted(folded: &str) -> bool {
    any(
        folded,
        &[
            "callback",
            "call me",
            "call back",
            "get back to me",
            "contact me",
            "reach me",
            "who do i email",
            "联系方式",
            "有没有电话",
            "电话号码",
            "打电话",
            "电话沟通",
            "与本人联系",
            "联系我",
        ],
    )
}

/// Words of funds gone that a known mechanism explains, with no word of funds taken: the loss
/// a liquidation causes, asked about ("是一下子全没了吗", "liquidated, is it all gone?"), or a
/// deposit that became aTokens ("my USDC is gone, only aUSDC now, was it stolen?"). A wallet
/// drained, funds moved out or a hack still reach a person.
pub fn gone_but_explained(folded: &str) -> bool {
    let taken = any(
        folded,
        &[
            "drained",
            "transferred out",
            "sent out",
            "moved out",
            "hacker",
            "hacked",
            "someone took",
            "signed",
            "approved",
            "phishing",
            "fake site",
            "转走",
            "转出",
            "被转",
            "黑客",
            "被黑",
            "清空",
            "签了",
            "授权",
            "钓鱼",
            "假网站",
            "划走",
            "didnt sign",
            "didn't sign",
            "did not sign",
            "blocked me",
            "没签",
            "没有签",
            "没授权",
            "没有授权",
        ],
    );
    let guesses_theft = any(
        folded,
        &[
            "是被盗",
            "被盗了吗",
            "是不是被盗",
            "被偷了吗",
            "被黑了吗",
            "是不是被黑",
            "以为被盗",
            "以为被偷",
            "以为被黑",
            "像被盗",
            "hacked or",
            "hacked?",
            "was i hacked",
            "am i hacked",
            "stolen or",
            "stolen?",
            "thought i was hacked",
            "thought i got hacked",
            "thought it was stolen",
        ],
    );
    let liquidation = any(folded, &["清算", "爆仓", "liquidat", "liq'd", "rekt"])
        && (guesses_theft || !any(folded, &["stolen", "stole", "被盗", "被偷"]));
    let atokens = any(
        folded,
        &[
            "ausdc", "ausdt", "adai", "aweth", "aeth", "abas", "aarb", "aopt", "apol", "atoken",
            "a token", "a代币", "a币",
        ],
    ) && is_question(folded);
    // "HF fell though I did nothing, was I hacked?": the drop is what the FAQ explains, the
    // theft only a guess; "could I wake up and find it all gone?" asks about a risk.
    let hf_fell = any(folded, &["health factor", "健康因子", "健康度", "hf"])
        && any(
            folded,
            &["drop", "fell", "falling", "down", "decreas", "掉", "降"],
        );
    // Debt that grew by itself ("债务自己在涨 是被盗了吗"): interest, the theft a guess.
    let debt_grew = any(folded, &["debt", "债务", "欠的", "借的", "借款"])
        && any(
            folded,
            &[
                "grow", "increas", "went up", "goes up", "涨", "增加", "变多",
            ],
        );
    let hypothetical = any(
        folded,
        &[
            "万一",
            "会不会一",
            "会不会突然",
            "could i lose",
            "can i lose",
            "will i lose",
            "would i lose",
            "what if",
        ],
    );
    !taken && (liquidation || atokens || ((hf_fell || debt_grew) && guesses_theft) || hypothetical)
}

/// An escalation cue inside a question ("is this a bug?", "any way to reverse it?", "会不会被
/// 黑"), for a reason where the knowledge base may hold the answer: the desk answers from it
/// when it is confident. Lost or stolen funds, a wrong address and a demand for a person
/// always reach a person.
pub fn may_be_answered(reason: EscalationReason, folded: &str) -> bool {
    use EscalationReason::*;
    matches!(
        reason,
        BugOrExploit | HackedWallet | Complaint | FailedWithdrawal
    ) && is_question(folded)
        && !asks_someone_to_look(folded)
        && !asks_us_to_look(folded)
        && !contests_it(folded)
        && !shows_the_impossible(folded)
}

/// "能帮忙看一下吗", "can you look into it": beside a bug or a complaint, a request to look at
/// this case (beside a position question it asks for the figures, so it is not a person cue).
fn asks_us_to_look(folded: &str) -> bool {
    any(
        folded,
        &[
            "帮忙看",
            "帮我看一下",
            "帮我看看",
            "帮忙查",
            "能帮我查",
            "can you look",
            "can u look",
            "could you look",
            "can you check",
            "can u check",
            "could you check",
            "please check",
            "pls check",
            "look into it",
        ],
    )
}

/// The message asks something (rather than states or demands).
fn is_question(folded: &str) -> bool {
    let first = folded.split_whitespace().next().unwrap_or_default();
    folded.contains('?')
        || [
            "is", "are", "can", "could", "does", "do", "why", "how", "what", "will", "should",
            "would", "any",
        ]
        .contains(&first)
        || any(
            folded,
            &[
                "is this a",
                "is it a",
                "is that a",
                "is this normal",
                "is it normal",
                "or what",
                "or did i",
                "did i lose",
                "or something",
                "or smth",
                "吗",
                "么",
                "是不是",
                "会不会",
                "能不能",
                "可不可以",
                "有没有",
                "怎么",
                "为什么",
                "为啥",
                "咋",
                "如何",
            ],
        )
}

/// An insistent demand for a person, in words the plain list does not hold.
pub fn demands_a_person(folded: &str) -> bool {
    let no_bot = any(
        folded,
        &[
            "dont want the bot",
            "don't want the bot",
            "dont want a bot",
            "don't want a bot",
            "no bot",
            "not a bot",
            "stop the bot",
            "not the bot",
            "not you bot",
            "不要机器人",
            "别用机器人",
            "不想跟机器人",
            "不要ai",
            "不是机器人",
            "不想跟ai",
            "不想和ai",
            "不跟ai",
            "不想跟机器人",
            "不想和机器人",
            "talk to a bot",
            "talk to an ai",
            "not an ai",
        ],
    );
    let staff = any(
        folded,
        &[
            "support staff",
            "support team",
            "your team",
            "a person",
            "a human",
            "real human",
            "actual person",
            "actual human",
            "someone real",
            "a real one",
            "an admin",
            "a moderator",
            "a manager",
            "supervisor",
            "an email",
            "email address",
            "phone number",
            "工作人员",
            "负责人",
            "管理员",
            "客服",
            "人工",
            "真人",
            "活人",
            "有没有人",
            "有人吗",
            "your manager",
            "in charge",
            "actual support",
            "real support",
            "anyone from the team",
            "someone from the team",
            "团队的人",
            "你们团队",
        ],
    );
    let want = any(
        folded,
        &[
            "transfer me",
            "connect me",
            "put me through",
            "get me",
            "give me",
            "let me talk",
            "let me speak",
            "i want",
            "i need",
            "want to talk",
            "want to speak",
            "escalate",
            "asked",
            "times",
            "转",
            "找",
            "要",
            "联系",
            "叫",
            "让你们",
            "来人",
            "没人理",
            "没人回",
            "人员呢",
            "客服呢",
            "i'll wait",
            "ill wait",
            "is there an actual",
            "is there a real",
            "is there anyone",
            "is there someone",
        ],
    );
    no_bot || (staff && want) || asks_someone_to_look(folded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::intent::fold;

    #[test]
    fn asking_whether_it_can_be_undone_is_no_demand() {
        for m in [
            "price recovered 1 hour after liquidation. is there any way to undo it",
            "ETH is back up 15% since my liquidation. is there a way to undo it",
            "can it be reversed?",
        ] {
            assert!(!demands_redress(&fold(m)), "{m}");
        }
        for m in ["undo it now", "reverse this liquidation", "I want a refund"] {
            assert!(demands_redress(&fold(m)), "{m}");
        }
    }

    #[test]
    fn secrets_offered_or_asked_for_in_paraphrase() {
        for m in [
            "want me to send my 12 words so u can verify its my wallet?",
            "i can dm you my private key to prove ownership",
            "需要我提供助记词验证身份吗",
            "support agent asked for my private key to sync my wallet. normal?",
            "有个网站让我输入私钥才能领取补偿 安全吗",
            "the group admin says he needs my key to unlock my funds",
            // The many names of a secret, and ways of handing it over.
            "钱包密码我还记得，要不我直接告诉你，你帮我解锁一下？",
            "那串英文我存在手机备忘录里了，我复制给你？",
            "种子我写在本子上了，有个字母糊了，我把照片给你你帮我辨认下？",
            "钱包的那个key我可以给你，你们后台能不能直接帮我把抵押品撤出来",
            "I can export my keystore json + password and send it over",
            "A guy called me claiming to be from Compound, said he needed my secret phrase",
            "有封邮件要求本人在指定页面提交钱包私钥以完成资产审计，是官方的吗",
            "glad to hand over the 12 words if you tell me where to send them",
            "i'll send my key over, it proves the wallet is mine",
            // A count of words, a secret wanted ("要私钥"), the bot asked whether it wants one.
            "要zjc吗 我发",
            "客服问我要私匙",
            "把小狐狸导出的那串发你，帮我看看为啥提不出来",
            "对方说不给私钥资产会被永久冻结",
            "做任务领U的页面最后一步要填钱包密语，填了会怎样",
            "我先发前6个词 你验证下是不是我的钱包",
            "我已经把前面6个词给那个客服了 他还要剩下的 给不给？？",
            "电报上一个自称开发者的说我的仓位需要rectify 要私钥 这是啥情况",
            "有个借贷网站connect wallet的时候有个手动连接，要输12个词，正常吗",
            "do you want my seed so you can look at my health factor? np",
            "would u be able to get my liquidated eth back if i gave u my private key??",
            "discord dev says my position needs to be rectified and he needs my key. is this a thing",
        ] {
            assert!(secret_offered_or_asked(&fold(m)), "{m}");
        }
        for m in [
            "how do i back up my seed phrase",
            "i lost my seed phrase",
            "助记词丢了怎么办",
            "what is a private key",
            "send me the docs",
            "what are the key risks",
            "忘了钱包密码怎么办",
            "how do i export my transaction history",
            "can i log in with my ledger",
            "截图里的健康因子是什么意思，我把照片发给你",
            "where do i send the usdc to repay, which key should i press",
            "i'll send the tx hash, the key question is why it failed",
            "in other words send me the answer",
            "只要私钥还在就能恢复钱包吗",
            "签名需要私钥吗",
            "我发现助记词被盗了 钱包空了",
            "存款到aave的话aave会拿到我的私钥吗",
            "我借了12个币 要还多少",
            "那些单词是什么意思",
            "把利息交给谁",
        ] {
            assert!(!secret_offered_or_asked(&fold(m)), "{m}");
        }
    }

    #[test]
    fn funds_gone_by_a_known_mechanism_are_explained_unless_taken() {
        let f = |t: &str| fold(t);
        assert!(gone_but_explained(&f(
            "爆仓到底是怎么个过程啊 是一下子全没了吗"
        )));
        assert!(gone_but_explained(&f(
            "got liquidated last night, is everything gone now?"
        )));
        assert!(gone_but_explained(&f(
            "my USDC is gone, i only see aUSDC, was it stolen?"
        )));
        assert!(!gone_but_explained(&f(
            "my wallet got drained, all my aUSDC is gone"
        )));
        assert!(!gone_but_explained(&f(
            "签了一个东西，今天早上发现钱包里的ETH和aWETH全没了，怎么办？"
        )));
        assert!(!gone_but_explained(&f(
            "liquidated?? no, my ETH was stolen"
        )));
        assert!(!gone_but_explained(&f(
            "all my funds are gone from my wallet"
        )));
    }

    #[test]
    fn an_app_showing_the_impossible_reaches_a_person() {
        let f = |t: &str| fold(t);
        assert!(reports_broken_app(&f(
            "The Borrow page shows 'Health factor: NaN'"
        )));
        assert!(!may_be_answered(
            crate::tickets::EscalationReason::BugOrExploit,
            &f("site shows my debt as $0 but i def have a loan??")
        ));
        // "binance" and "banana" hold no NaN.
        assert!(!shows_the_impossible(&f(
            "binance price never went below my liq price, how??"
        )));
    }

    #[test]
    fn a_contested_outcome_reaches_a_person_an_asked_one_is_answered() {
        use crate::tickets::EscalationReason::Complaint;
        let f = |t: &str| fold(t);
        assert!(!may_be_answered(
            Complaint,
            &f("就插针了一下我就被爆仓了？？这个清算我不认 能不能回滚")
        ));
        assert!(may_be_answered(
            Complaint,
            &f("liquidated then eth pumped 10%. reverse it?")
        ));
    }

    #[test]
    fn disputes_broken_apps_and_demands_for_a_person() {
        for m in [
            "your oracle screwed me, i want compensation",
            "liquidated at a price that never existed anywhere. want it reversed",
            "这次清算不公平 要求撤销",
            "清算不合理 就插了一下针 要求回滚",
            "swap之后到账比显示的少了很多 交易已经上链了",
        ] {
            assert!(disputes_an_outcome(&fold(m)), "{m}");
        }
        for m in [
            "how does liquidation work",
            "why is my debt growing",
            "清算是什么意思",
        ] {
            assert!(!disputes_an_outcome(&fold(m)), "{m}");
        }
        assert!(reports_broken_app(&fold("网页一直白屏 打不开")));
        assert!(reports_broken_app(&fold("supply tx pending 3 hours")));
        assert!(!reports_broken_app(&fold("why is my tx pending")));
        assert!(demands_a_person(&fold(
            "i've asked 4 times. I DONT WANT THE BOT. transfer me to support staff"
        )));
        assert!(demands_a_person(&fold("我要找你们负责人")));
        assert!(demands_a_person(&fold(
            "Please I need someone to look at this, what do I do now??"
        )));
        assert!(demands_a_person(&fold(
            "Somebody needs to check this tx and explain"
        )));
        assert!(!demands_a_person(&fold("what is a health factor")));
    }

    #[test]
    fn demands_and_reviews_in_more_words_reach_a_person() {
        use crate::tickets::EscalationReason::{BugOrExploit, Complaint};
        let f = |t: &str| fold(t);
        for m in [
            "清算罚金退给我，是你们预言机延迟造成的",
            "app一点提醒都没有，亏了两万多，你们得负责",
            "I should like to formally dispute this transaction",
            "还款1000 USDC，钱包实际扣了1050多，多扣的钱怎么算？请人工核查",
        ] {
            assert!(disputes_an_outcome(&f(m)), "{m}");
        }
        // Demanded, not asked: never answered from the FAQ, even with a question mark.
        assert!(!may_be_answered(
            Complaint,
            &f("你们的预言机有问题吧？我要求退回我的ETH！！")
        ));
        assert!(!may_be_answered(
            BugOrExploit,
            &f("提款交易pending了5个多小时了，能帮忙看一下吗")
        ));
        // Asked whether it can be undone: answered.
        assert!(!disputes_an_outcome(&f(
            "请问被清算的抵押资产是否可以申请退回？"
        )));
        assert!(reports_broken_app(&f(
            "dashboard is showing someone else's balance"
        )));
        assert!(reports_broken_app(&f(
            "Health factor shows 'Infinity' but I have an open borrow of 5,000 DAI"
        )));
        assert!(!reports_broken_app(&f(
            "why is my health factor infinity? i have no debt"
        )));
        assert!(demands_a_person(&f("我不想跟AI聊，让你们团队的人来回复我")));
        assert!(demands_a_person(&f(
            "who's in charge here? get me your manager"
        )));
        assert!(!demands_a_person(&f("群管理员让我点这个链接，安全吗")));
        assert!(secret_offered_or_asked(&f(
            "我可以把24个词发过来，你直接帮我恢复行不行"
        )));
        // Money demanded back is a person's call even beside a question; whether a fee can
        // be refunded at all is a question.
        assert!(!may_be_answered(
            Complaint,
            &f("gas费好像被收了两次，想申请退款，请问要怎样处理？")
        ));
        assert!(may_be_answered(
            Complaint,
            &f("can I get my gas fee refunded?")
        ));
        // A person word, then what they should do; a relative clause is not a request.
        assert!(demands_a_person(&f(
            "wtf does 35 even mean. someone pls look at this"
        )));
        assert!(demands_a_person(&f(
            "can someone from ur team trace where it went"
        )));
        assert!(!demands_a_person(&f(
            "how much is safe for someone who does not check the app every day?"
        )));
        // Asking to be called or contacted.
        for m in [
            "can I get a callback?",
            "能不能留个联系方式？",
            "请贵方安排专人与本人联系，电话沟通为宜",
        ] {
            assert!(demands_a_person(&f(m)), "{m}");
        }
    }

    #[test]
    fn the_seventh_rounds_kinds() {
        use crate::tickets::EscalationReason::Complaint;
        let f = |t: &str| fold(t);
        // The user's own key offered, with no word of a seed; "important" holds "import".
        assert!(secret_offered_or_asked(&f(
            "if i send you my key will my claim go through faster?"
        )));
        assert!(secret_offered_or_asked(&f("把十二个单词发给你们行不行")));
        assert!(!secret_offered_or_asked(&f(
            "what's my key takeaway, is hf or ltv more important"
        )));
        assert!(!secret_offered_or_asked(&f(
            "is it important to keep my seed phrase offline"
        )));
        // The team, on its side, asked to verify, trace or look.
        for m in [
            "麻烦你们核实下这次清算的价格",
            "希望你们那边有人能跟进",
            "找个负责的人把这事查清楚",
            "can whoever runs the site look at my balance, it shows zero",
            "nobody fixes anything, someone on your side needs to",
            "please review and return what was taken",
        ] {
            assert!(demands_a_person(&f(m)), "{m}");
        }
        // Money demanded back, even beside a question; asked whether it comes back, answered.
        assert!(!may_be_answered(
            Complaint,
            &f("扣多了吧？多扣的部分得还给我")
        ));
        assert!(disputes_an_outcome(&f(
            "i expect to be made whole for this"
        )));
        assert!(!disputes_an_outcome(&f(
            "price recovered, will aave return my collateral?"
        )));
        // A health factor that fell, with theft only guessed at, and a loss only imagined, are
        // explained; a theft told beside a fallen health factor is not.
        assert!(gone_but_explained(&f(
            "健康因子自己掉了好多，是被盗了还是怎么回事？"
        )));
        assert!(gone_but_explained(&f("存进去会不会突然全没了？")));
        assert!(!gone_but_explained(&f("钱被盗了，健康因子也掉了怎么办")));
        assert!(!gone_but_explained(&f(
            "hf dropped because my wallet got drained, was i hacked?"
        )));
        // Paying back a loan is a repayment, not money demanded back; someone on the team
        // asked to look is a person.
        assert!(!disputes_an_outcome(&f(
            "best way to pay back my loan, repay button or repay with collateral?"
        )));
        assert!(disputes_an_outcome(&f(
            "pay back my money, it was your bug"
        )));
        assert!(demands_a_person(&f(
            "could someone on your team take a look at my balance"
        )));
    }

    #[test]
    fn the_ninth_rounds_kinds() {
        let f = |t: &str| fold(t);
        // Traditional characters, Cantonese, a key named by its length, homophones typed by
        // pinyin input, a phishing mail quoted, a part already sent.
        for m in [
            "若需核實身份，鄙人可提供私鑰，請示下",
            "頃接自稱平台客服者來函，索取本人錢包私鑰以便「解凍」，請問此舉是否屬實？",
            "有個自稱官方嘅人叫我俾私鑰佢 話幫我解鎖個倉 係咪呃人㗎",
            "使唔使我send埋啲助記詞俾你驗證呀",
            "我可以把住机词发给你吗 你帮我看看为什么取不出来",
            "客服机器人 你要我钱包那串64位的东西吗",
            "收到邮件：您的Compound账户需要升级，请回复您的恢复短语。真的假的",
            "我上一条发了前面三个词又撤回了 剩下的还要发吗",
            "they say no withdraw until I 'authorize' with my seed. stuck 3 days",
            // Somebody asking for a backup is still somebody asking.
            "客服让我备份助记词到他们网站上",
        ] {
            assert!(secret_offered_or_asked(&f(m)), "{m}");
        }
        // Keeping a secret, what it is, only an address given, a secret never handed over.
        for m in [
            "助记词拍照存云盘安全吗 还是抄纸上好",
            "difference between a private key, seed phrase and wallet address? which ones can I share",
            "why does it ask me to approve? does approving expose my keys or anything",
            "只给你地址 不给助记词 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC 我的仓位怎么样",
            "I signed a bad approval on a fake site, my USDC is gone. I didn't give them my phrase",
        ] {
            assert!(!secret_offered_or_asked(&f(m)), "{m}");
        }
    }
}
