//! Every fixed sentence the desk says, in English and Simplified Chinese.
//!
//! Wording lives here so a reviewer can read both languages side by side; renderers combine
//! these with figures.

use crate::chain::{AddressError, Shown};
use crate::lang::Lang;
use crate::tickets::EscalationReason;

/// Warning after a pasted seed phrase or private key.
pub fn secret_warning(lang: Lang) -> &'static str {
    lang.pick(
        "⚠️ You just posted what looks like a seed phrase or private key. I have deleted it where I could and I have not stored it.\n\n\
         **Nobody needs it: not me, not our staff, not any support team.** Anyone who asks for it is trying to steal from you.\n\n\
         Treat this wallet as compromised: create a NEW wallet (new seed phrase, offline), move your funds there now, starting with \
         what is easiest to steal (tokens in the wallet, then withdraw and repay positions), and revoke token approvals of the old wallet.\n\
         Need help moving a lending position safely? Ask for a person; we will never ask for your phrase or key.",
        "⚠️ 你刚刚发送的内容看起来像助记词或私钥。我已尽可能删除该消息，并且没有保存它。\n\n\
         **任何人都不需要它：我不需要，我们的工作人员不需要，任何客服都不需要。** 向你索要它的人都是在试图盗取你的资产。\n\n\
         请把这个钱包视为已泄露：立即创建一个新钱包（新的助记词，离线生成），尽快把资产转过去，先转最容易被盗的（钱包里的代币），\
         再处理借贷仓位（还款、取回），并撤销旧钱包的代币授权。\n\
         如需帮助安全地迁移借贷仓位，可以要求人工客服；我们永远不会索要你的助记词或私钥。",
    )
}

/// The answer to a secret offered or asked for (nothing pasted, nothing to delete).
pub fn secret_offer_warning(lang: Lang) -> &'static str {
    lang.pick(
        "⛔ Please don't send it: never share your seed phrase (the 12 or 24 words) or private key, with me or anyone.\n\n\
         **Nobody legitimate needs it: not me, not our staff, not any admin, support agent or website.** Anyone who asks for it, \
         to \"verify\", \"unlock\", \"sync\" or \"recover\" your funds, is trying to steal them. Whoever has the words has the wallet.\n\n\
         - To show an address is yours, sign a message instead: /verify (free, moves nothing).\n\
         - If you already typed the words or key into a site or sent them to someone, treat the wallet as compromised: make a new wallet and move your funds now, then ask for a person (/human).",
        "⛔ 请不要发送：永远不要把助记词（12 或 24 个单词）或私钥交给我或任何人。\n\n\
         **任何正规的一方都不需要它：我不需要，我们的工作人员不需要，任何管理员、客服或网站都不需要。** 以“验证”“解锁”“同步”“找回资金”为由索要的，都是想盗取你的资产。谁拿到助记词，谁就拥有这个钱包。\n\n\
         - 要证明地址是你的，请改用签名：/verify（免费，不动用任何资产）。\n\
         - 如果你已经在某个网站输入过或发给过别人，请把钱包视为已泄露：立即新建钱包并转移资产，然后联系人工客服（/human）。",
    )
}

/// What the bot can do, for greetings and fallbacks.
pub fn capabilities(lang: Lang) -> &'static str {
    lang.pick(
        "I can:\n- read your Aave v3 position live (send your public address or /link it): health factor, liquidation prices, safe withdraw and borrow amounts, what to repay\n- explain lending: health factor, liquidation, LTV, E-Mode, isolation mode, interest…\n- hand you to a person (/human) for lost funds, stuck transactions, bugs or anything else.",
        "我可以：\n- 实时读取你的 Aave v3 仓位（发送你的公开地址或用 /link 绑定）：健康因子、清算价格、可安全取出和借出的数量、需要还多少\n- 讲解借贷知识：健康因子、清算、LTV、E-Mode、隔离模式、利息……\n- 为你转接人工客服（/human）：资金丢失、交易卡住、疑似漏洞或其他问题。",
    )
}

/// Who the user is talking to.
pub fn who_am_i(lang: Lang) -> &'static str {
    lang.pick(
        "I'm lendesk, an automated assistant: a bot, not a person. I can explain lending, read your position live and answer from our knowledge base. A person from the support team is one tap away: press the button below or send /human.",
        "我是 lendesk，一个自动助手：是机器人，不是真人。我可以讲解借贷知识、实时读取你的仓位、回答常见问题。需要真人客服时，点下面的按钮或发送 /human 即可。",
    )
}

/// Greeting reply.
pub fn hello(lang: Lang) -> &'static str {
    lang.pick(
        "Hi! 👋 How can I help with your lending today?",
        "你好！👋 今天有什么借贷问题可以帮你？",
    )
}

/// Reply to thanks.
pub fn thanks(lang: Lang) -> &'static str {
    lang.pick(
        "You're welcome! Ask me anytime. Stay safe: keep your health factor comfortably above 1.",
        "不客气！随时来问。注意安全：让健康因子保持在 1 以上足够远的位置。",
    )
}

/// Reply to goodbye.
pub fn bye(lang: Lang) -> &'static str {
    lang.pick("Goodbye! Your position keeps running while you're away, so check your health factor now and then.", "再见！你不在的时候仓位也在运行，记得时常看看健康因子。")
}

/// Reply to "ok", "got it", a thumbs-up.
pub fn acknowledged(lang: Lang) -> &'static str {
    lang.pick(
        "👍 Anything else? Ask me about your position or any lending question.",
        "👍 还有别的问题吗？可以问我你的仓位或任何借贷问题。",
    )
}

/// Reply to price predictions and investment advice.
pub fn out_of_scope(lang: Lang) -> &'static str {
    lang.pick(
        "I can't predict prices or give investment advice. What I can do is show how a price move would affect your position: try \"what if ETH drops 20%\" with your address linked.",
        "我无法预测价格，也不提供投资建议。我能做的是告诉你价格变动会如何影响你的仓位：绑定地址后试试问“如果 ETH 跌 20% 会怎样”。",
    )
}

/// A tax question: not ours to answer, and what helps with it.
pub fn tax(lang: Lang) -> &'static str {
    lang.pick(
        "I can't advise on taxes: the rules depend on your country, so please ask a local tax adviser or accountant. What helps them: every deposit, borrow, repay, withdrawal and the interest earned are public on-chain transactions, so a block explorer or a crypto tax tool can export your history from your public address.",
        "我无法提供税务建议：规则取决于你所在的国家或地区，请咨询当地的税务顾问或会计师。对他们有用的是：每一笔存款、借款、还款、取款以及获得的利息都是公开的链上交易，区块浏览器或加密税务工具可以根据你的公开地址导出完整记录。",
    )
}

/// After a general explanation of the user's own situation: their exact figures need an address.
pub fn address_for_exact_figures(lang: Lang) -> &'static str {
    lang.pick(
        "For your exact figures, send your wallet's **public address** (0x…, 42 characters) or link it with /link 0x…",
        "想看你自己的准确数据，请发送钱包的**公开地址**（0x 开头，共 42 个字符），或用 /link 0x… 绑定。",
    )
}

/// Asking for an address for a position question.
pub fn need_address(lang: Lang) -> &'static str {
    lang.pick(
        "To check your position I need your wallet's **public address** (it starts with 0x and has 42 characters). Send it here or link it with /link 0x…\n\nAn address is public data, like an account number: it lets me read, never move, your funds. Never send your seed phrase or private key to anyone.",
        "查询仓位需要你钱包的**公开地址**（以 0x 开头，共 42 个字符）。直接发给我，或用 /link 0x… 绑定。\n\n地址是公开信息，就像账号一样：我只能读取，无法动用你的资产。永远不要把助记词或私钥发给任何人。",
    )
}

/// A shortened address was given.
pub fn need_full_address(lang: Lang, short: &str) -> String {
    match lang {
        Lang::En => format!(
            "\"{short}\" is a shortened address, so I can't look it up. Please send the full address (0x followed by 40 characters); copy it from your wallet."
        ),
        Lang::Zh => format!(
            "“{short}”是缩写地址，无法查询。请发送完整地址（0x 加 40 个字符），可以从钱包里直接复制。"
        ),
    }
}

/// A malformed address, and what is wrong with it, in the user's language.
pub fn bad_address(lang: Lang, e: &AddressError) -> String {
    match lang {
        Lang::En => {
            format!("That address doesn't look right: {e}. Please copy it again from your wallet.")
        }
        Lang::Zh => format!(
            "这个地址格式不对：{}。请从钱包里重新复制。",
            address_error_zh(e)
        ),
    }
}

fn address_error_zh(e: &AddressError) -> String {
    let shown = |s: &Shown| match s {
        Shown::Quoted(q) => q.clone(),
        Shown::Long(n) => format!("输入内容（{n} 个字符）"),
    };
    match e {
        AddressError::Empty => "没有提供地址".into(),
        AddressError::Shortened(s) => {
            format!("{} 是缩写地址，需要完整的 42 个字符的地址", shown(s))
        }
        AddressError::MissingPrefix(s) => format!("{} 不是地址：地址必须以 0x 开头", shown(s)),
        AddressError::WrongLength { input, found } => format!(
            "{} 不是地址：0x 后面应有 40 个十六进制字符，这里有 {found} 个",
            shown(input)
        ),
        AddressError::NotHex(s) => format!("{} 不是地址：含有不是十六进制的字符", shown(s)),
        AddressError::BadChecksum(s) => format!(
            "{} 的大小写校验（EIP-55）不通过，可能有字符输错了",
            shown(s)
        ),
    }
}

/// The chain could not be read.
pub fn chain_unavailable(lang: Lang) -> &'static str {
    lang.pick(
        "I can't reach the blockchain node right now, so I can't show live figures. Please try again in a minute; if it persists, ask for a person (/human).",
        "暂时无法连接区块链节点，无法显示实时数据。请一分钟后再试；如果一直不行，请联系人工客服（/human）。",
    )
}

/// The node cannot be read while the user's ticket is open: no "ask for a person", one is
/// coming and has the message.
pub fn chain_unavailable_on_ticket(lang: Lang, ticket: u64) -> String {
    match lang {
        Lang::En => format!(
            "I can't reach the blockchain node right now, so I can't show live figures. Please try again in a minute. Your message also went to the team on ticket #{ticket}."
        ),
        Lang::Zh => format!(
            "暂时无法连接区块链节点，无法显示实时数据。请一分钟后再试。你的消息也已转给负责工单 #{ticket} 的团队。"
        ),
    }
}

/// Some markets answered, these could not be read (under a position answer).
pub fn markets_unavailable(lang: Lang, markets: &[&str]) -> String {
    let list = markets.join(", ");
    match lang {
        Lang::En => format!(
            "I couldn't read {list} right now, so a position there is not shown. Please try again in a minute."
        ),
        Lang::Zh => format!("暂时无法读取 {list} 的数据，那里的仓位没有显示。请一分钟后再试。"),
    }
}

/// The same for staff, in a few words.
pub fn markets_unavailable_short(lang: Lang, markets: &[&str]) -> String {
    let list = markets.join(", ");
    match lang {
        Lang::En => format!("unreadable: {list}"),
        Lang::Zh => format!("无法读取：{list}"),
    }
}

/// A button names a market this desk no longer reads.
pub fn market_gone(lang: Lang) -> &'static str {
    lang.pick(
        "That button belongs to a market this desk no longer reads. Ask about your position again for fresh buttons.",
        "这个按钮对应的市场本服务已不再读取。请重新查询你的仓位以获取新的按钮。",
    )
}

/// No market is configured for position answers.
pub fn no_market(lang: Lang) -> &'static str {
    lang.pick(
        "Live positions are not configured on this desk yet, so I can only answer general questions.",
        "本服务尚未配置链上数据，目前只能回答一般问题。",
    )
}

/// Low-confidence: did you mean.
pub fn did_you_mean(lang: Lang) -> &'static str {
    lang.pick(
        "I'm not sure I understood. Did you mean one of these?",
        "我不太确定你的意思。你是想问下面这些吗？",
    )
}

/// No idea at all.
pub fn not_understood(lang: Lang) -> &'static str {
    lang.pick(
        "Sorry, I don't know how to answer that yet.",
        "抱歉，这个问题我暂时还回答不了。",
    )
}

/// A message the desk cannot answer while the user's ticket is open: it went to the team.
pub fn sent_to_team(lang: Lang, ticket: u64) -> String {
    match lang {
        Lang::En => format!(
            "I've passed your message to the team on ticket #{ticket}; a person will answer you here."
        ),
        Lang::Zh => format!("你的消息已转给负责工单 #{ticket} 的团队，客服会在这里回复你。"),
    }
}

/// Label of the "talk to a person" button.
pub fn person_button(lang: Lang) -> &'static str {
    lang.pick("🙋 Talk to a person", "🙋 转人工客服")
}

/// Footer after an FAQ answer.
pub fn faq_footer(lang: Lang) -> &'static str {
    lang.pick(
        "Not what you needed? Ask me differently or talk to a person.",
        "没有解决你的问题？换个说法问我，或转人工客服。",
    )
}

/// Why a ticket was opened, as told to the user.
fn reason_text(lang: Lang, reason: EscalationReason) -> &'static str {
    use EscalationReason::*;
    match (lang, reason) {
        (Lang::En, AskedForPerson) => "You asked for a person.",
        (Lang::Zh, AskedForPerson) => "你要求人工客服。",
        (Lang::En, LostOrStolenFunds) => "Lost or stolen funds need a person's attention.",
        (Lang::Zh, LostOrStolenFunds) => "资金丢失或被盗需要人工处理。",
        (Lang::En, HackedWallet) => "A compromised wallet needs a person's attention.",
        (Lang::Zh, HackedWallet) => "钱包被盗需要人工处理。",
        (Lang::En, WrongAddress) => {
            "Funds sent to a wrong address or network need a person to look at the transaction."
        }
        (Lang::Zh, WrongAddress) => "转错地址或转错网络需要人工查看交易。",
        (Lang::En, FailedWithdrawal) => {
            "A withdrawal that still fails after the usual checks needs a person."
        }
        (Lang::Zh, FailedWithdrawal) => "常规排查后仍然失败的提取需要人工处理。",
        (Lang::En, BugOrExploit) => "A possible bug or exploit goes straight to our team.",
        (Lang::Zh, BugOrExploit) => "疑似漏洞或攻击会直接交给我们的团队。",
        (Lang::En, Complaint) => "I'm sorry about your experience; a person will read this.",
        (Lang::Zh, Complaint) => "很抱歉给你带来不好的体验，会有专人查看。",
        (Lang::En, Unresolved) => "My answers didn't solve this, so a person will take over.",
        (Lang::Zh, Unresolved) => "我的回答没能解决问题，将由人工接手。",
    }
}

/// What to prepare, per reason.
fn prepare_text(lang: Lang, reason: EscalationReason) -> &'static str {
    use EscalationReason::*;
    match (lang, reason) {
        (Lang::En, LostOrStolenFunds | HackedWallet) => {
            "- move any funds left to a NEW wallet now and revoke approvals of the old one\n- your public address, the network, and the transaction hashes of the losses\n- when it happened and any site, app or link you used before it"
        }
        (Lang::Zh, LostOrStolenFunds | HackedWallet) => {
            "- 立即把剩余资产转到一个新钱包，并撤销旧钱包的授权\n- 你的公开地址、所在网络、相关交易哈希\n- 发生时间，以及之前使用过的网站、应用或链接"
        }
        (Lang::En, WrongAddress) => {
            "- the transaction hash\n- the network you sent on and the one you meant\n- the address you sent to and the one you meant"
        }
        (Lang::Zh, WrongAddress) => {
            "- 交易哈希\n- 实际使用的网络和本应使用的网络\n- 实际转入的地址和本应转入的地址"
        }
        (Lang::En, FailedWithdrawal) => {
            "- your public address and the network\n- the asset and amount\n- the transaction hash or the exact error message and a screenshot"
        }
        (Lang::Zh, FailedWithdrawal) => {
            "- 你的公开地址和网络\n- 资产和数量\n- 交易哈希，或准确的报错信息和截图"
        }
        (Lang::En, BugOrExploit) => {
            "- what you saw, step by step, with transaction hashes\n- please don't share it publicly until our team has looked"
        }
        (Lang::Zh, BugOrExploit) => {
            "- 你观察到的情况（按步骤）以及交易哈希\n- 在团队查看之前请不要公开传播"
        }
        (Lang::En, _) => {
            "- your public address and the network (if it's about a position)\n- what you tried and what happened (transaction hash, screenshot)"
        }
        (Lang::Zh, _) => {
            "- 你的公开地址和网络（如果与仓位有关）\n- 你尝试过什么、发生了什么（交易哈希、截图）"
        }
    }
}

/// The reply when a ticket is opened (or an open one is updated).
pub fn ticket_opened(
    lang: Lang,
    reason: EscalationReason,
    ticket: u64,
    minutes: u64,
    new: bool,
) -> String {
    let wait = human_minutes(lang, minutes);
    match lang {
        Lang::En => format!(
            "{}\n\n{} ticket #{ticket}. A person from our support team will reply right here, usually within {wait}.\n\nTo speed things up, prepare:\n{}\n\n🔒 We will never ask for your seed phrase, private key or any code, and staff never DM you first.",
            reason_text(lang, reason),
            if new {
                "I've opened"
            } else {
                "I've added this to your open"
            },
            prepare_text(lang, reason)
        ),
        Lang::Zh => format!(
            "{}\n\n{}工单 #{ticket}。客服人员会在这里直接回复你，通常在 {wait} 内。\n\n为了更快处理，请准备：\n{}\n\n🔒 我们永远不会索要你的助记词、私钥或任何验证码，工作人员也不会主动私信你。",
            reason_text(lang, reason),
            if new {
                "我已为你创建"
            } else {
                "我已把这条消息加入你未关闭的"
            },
            prepare_text(lang, reason)
        ),
    }
}

fn human_minutes(lang: Lang, minutes: u64) -> String {
    match (lang, minutes) {
        (Lang::En, m) if m % 60 == 0 && m >= 60 => {
            let h = m / 60;
            format!("{h} hour{}", if h == 1 { "" } else { "s" })
        }
        (Lang::En, m) => format!("{m} minutes"),
        (Lang::Zh, m) if m % 60 == 0 && m >= 60 => format!("{} 小时", m / 60),
        (Lang::Zh, m) => format!("{m} 分钟"),
    }
}

/// Ticket could not be stored.
pub fn ticket_failed(lang: Lang) -> &'static str {
    lang.pick(
        "I couldn't open a ticket because of an internal error. Please try /human again in a minute.",
        "由于内部错误，暂时无法创建工单。请一分钟后再试 /human。",
    )
}

/// The /start welcome.
pub fn welcome(lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Welcome to lendesk, your help desk for DeFi lending. 👋\n\n{}\n\n🔒 Safety: our staff never DM you first and never ask for your seed phrase, private key or any code. Anyone who does is a scammer.\n\nLanguage: /lang zh 切换中文",
            capabilities(lang)
        ),
        Lang::Zh => format!(
            "欢迎使用 lendesk，你的 DeFi 借贷助手。👋\n\n{}\n\n🔒 安全提示：我们的工作人员不会主动私信你，也绝不会索要你的助记词、私钥或任何验证码。这样做的都是骗子。\n\nLanguage: /lang en for English",
            capabilities(lang)
        ),
    }
}

/// /help.
pub fn help(lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{}\n\nCommands:\n/position — your linked positions\n/link 0x… — link a public address (and prove it is yours)\n/link — your linked addresses\n/verify 0x… — send the signature that proves an address is yours\n/unlink 0x… — remove it\n/alerts — liquidation-risk alerts: on|off, your levels (/alerts 1.5 1.2), quiet hours\n/watch 0x… — alerts for any address, without linking it\n/unwatch 0x… — stop watching it\n/faq — browse topics\n/human — talk to a person\n/ticket — your tickets\n/announcements on|off — news from the team\n/mydata — everything stored about you\n/forget — delete your data\n/lang en|zh — language",
            capabilities(lang)
        ),
        Lang::Zh => format!(
            "{}\n\n命令：\n/position — 查看已绑定地址的仓位\n/link 0x… — 绑定公开地址（并证明地址归你所有）\n/link — 查看已绑定的地址\n/verify 0x… — 发送证明地址归属的签名\n/unlink 0x… — 解除绑定\n/alerts — 清算风险提醒：on|off、自定义提醒线（/alerts 1.5 1.2）、免打扰时段\n/watch 0x… — 无需绑定，监控任意地址\n/unwatch 0x… — 停止监控该地址\n/faq — 浏览常见问题\n/human — 转人工客服\n/ticket — 我的工单\n/announcements on|off — 接收或关闭团队公告\n/mydata — 查看保存的关于你的全部数据\n/forget — 删除你的数据\n/lang en|zh — 切换语言",
            capabilities(lang)
        ),
    }
}

/// Language switched.
pub fn lang_set(lang: Lang) -> &'static str {
    lang.pick("OK, I'll answer in English.", "好的，我会用中文回答。")
}

/// /lang without a valid argument.
pub fn lang_usage(lang: Lang) -> &'static str {
    lang.pick(
        "Choose a language: /lang en or /lang zh",
        "选择语言：/lang en 或 /lang zh",
    )
}

/// Address linked.
pub fn linked(lang: Lang, address: &str, new: bool) -> String {
    match (lang, new) {
        (Lang::En, true) => format!(
            "Linked {address} (not verified). Ask me about your position anytime, e.g. \"what's my health factor?\""
        ),
        (Lang::En, false) => format!("{address} is already linked."),
        (Lang::Zh, true) => {
            format!("已绑定 {address}（未验证）。随时问我仓位情况，例如“我的健康因子是多少？”")
        }
        (Lang::Zh, false) => format!("{address} 已经绑定过了。"),
    }
}

/// /link of an address already proven to be the user's.
pub fn already_verified(lang: Lang, address: &str) -> String {
    match lang {
        Lang::En => format!("{address} is already linked and verified ✅."),
        Lang::Zh => format!("{address} 已经绑定并验证过了 ✅。"),
    }
}

/// Address unlinked.
pub fn unlinked(lang: Lang, address: &str, found: bool) -> String {
    match (lang, found) {
        (Lang::En, true) => format!("Unlinked {address}."),
        (Lang::En, false) => format!("{address} was not linked."),
        (Lang::Zh, true) => format!("已解除绑定 {address}。"),
        (Lang::Zh, false) => format!("{address} 没有绑定过。"),
    }
}

/// /link without an argument.
pub fn link_usage(lang: Lang) -> &'static str {
    lang.pick(
        "Send /link followed by your public address: /link 0x…",
        "请在 /link 后面加上你的公开地址：/link 0x…",
    )
}

/// /unlink without an argument.
pub fn unlink_usage(lang: Lang) -> &'static str {
    lang.pick(
        "Send /unlink followed by the address to remove: /unlink 0x…",
        "请在 /unlink 后面加上要解除的地址：/unlink 0x…",
    )
}

/// No tickets.
pub fn no_tickets(lang: Lang) -> &'static str {
    lang.pick(
        "You have no tickets. If you need a person, send /human.",
        "你还没有工单。需要人工客服请发送 /human。",
    )
}

/// /faq intro.
pub fn faq_browse(lang: Lang) -> &'static str {
    lang.pick("Pick a topic:", "请选择一个主题：")
}

/// Unknown command.
pub fn unknown_command(lang: Lang) -> &'static str {
    lang.pick(
        "I don't know that command. Send /help to see what I can do.",
        "我不认识这个命令。发送 /help 查看我能做什么。",
    )
}

/// Appended when a message was cut for processing.
pub fn trimmed(lang: Lang) -> &'static str {
    lang.pick(
        "(Your message was long; I read its first part.)",
        "（你的消息较长，我只读取了前面部分。）",
    )
}

/// Empty or non-text message (a photo, sticker or voice message without a caption).
pub fn empty_message(lang: Lang) -> &'static str {
    lang.pick(
        "I can read text only, so I can't see photos, files, stickers or voice messages. Please describe it in words, or send /human to talk to a person.",
        "我只能读取文字，看不到图片、文件、贴纸或语音。请用文字描述你的问题，或发送 /human 转人工客服。",
    )
}

/// The only reply a banned user gets.
pub fn banned(lang: Lang) -> &'static str {
    lang.pick(
        "This account is blocked from this support bot.",
        "此账号已被禁止使用本客服机器人。",
    )
}

/// Flood control: said once when a user sends too many messages in a minute.
pub fn throttled(lang: Lang) -> &'static str {
    lang.pick(
        "You're sending messages very fast; I'll answer again in a moment.",
        "你发送消息的速度太快了，请稍等片刻，我马上会继续回复你。",
    )
}

/// The maintenance notice in front of every answer while it is on.
pub fn maintenance(lang: Lang, notice: &str) -> String {
    match lang {
        Lang::En => format!("⚠️ Notice: {notice}"),
        Lang::Zh => format!("⚠️ 通知：{notice}"),
    }
}

fn stars(n: u8) -> String {
    "⭐".repeat(usize::from(n.min(5)))
}

/// A rating was recorded: thanks, and the offer of a comment.
pub fn rated(lang: Lang, ticket: u64, n: u8) -> String {
    match lang {
        Lang::En => format!(
            "Thank you for rating ticket #{ticket}: {}\n\nIf you'd like to tell us more, write a comment in one message, or send /skip.",
            stars(n)
        ),
        Lang::Zh => format!(
            "感谢你为工单 #{ticket} 评分：{}\n\n如果想补充意见，请用一条消息写下你的评价，或发送 /skip 跳过。",
            stars(n)
        ),
    }
}

/// A rating button that cannot count (not this user's ticket, not closed, bad data).
pub fn rating_refused(lang: Lang) -> &'static str {
    lang.pick(
        "I can't record that rating: only closed tickets of your own can be rated. Send /ticket to see yours.",
        "无法记录这个评分：只能为你自己已关闭的工单评分。发送 /ticket 查看你的工单。",
    )
}

/// A rating button pressed after the ticket was rated: the first rating stays.
pub fn already_rated(lang: Lang, ticket: u64) -> String {
    match lang {
        Lang::En => format!(
            "Ticket #{ticket} is already rated, thank you. A ticket is rated once, so your first rating stays."
        ),
        Lang::Zh => {
            format!("工单 #{ticket} 已经评过分了，谢谢。每个工单只能评分一次，保留你的第一次评分。")
        }
    }
}

/// The comment after a rating was saved.
pub fn comment_saved(lang: Lang) -> &'static str {
    lang.pick(
        "Thank you, your comment is saved. It helps us improve our support.",
        "谢谢，你的评价已保存，它能帮助我们改进服务。",
    )
}

/// /skip after a rating.
pub fn comment_skipped(lang: Lang) -> &'static str {
    lang.pick(
        "OK, your rating is saved without a comment. Thank you!",
        "好的，评分已保存，不附评价。谢谢！",
    )
}

/// /announcements: the current state.
pub fn announcements_state(lang: Lang, opted_out: bool) -> &'static str {
    match (lang, opted_out) {
        (Lang::En, false) => {
            "You receive announcements from the team (incidents, upgrades, important changes). Send /announcements off to stop them."
        }
        (Lang::En, true) => {
            "Announcements are off for you. Send /announcements on to receive news from the team again."
        }
        (Lang::Zh, false) => {
            "你会收到团队公告（故障、升级、重要变更）。发送 /announcements off 可以关闭。"
        }
        (Lang::Zh, true) => "你已关闭团队公告。发送 /announcements on 可以重新接收。",
    }
}

/// /announcements on|off done.
pub fn announcements_set(lang: Lang, opted_out: bool) -> &'static str {
    match (lang, opted_out) {
        (Lang::En, true) => {
            "Done: you won't receive announcements anymore. Answers to your questions and tickets are not affected. Send /announcements on to turn them back on."
        }
        (Lang::En, false) => {
            "Done: you'll receive announcements from the team again. Send /announcements off to stop them."
        }
        (Lang::Zh, true) => {
            "已关闭：你将不再收到团队公告。你的提问和工单回复不受影响。发送 /announcements on 可以重新开启。"
        }
        (Lang::Zh, false) => "已开启：你会重新收到团队公告。发送 /announcements off 可以关闭。",
    }
}

/// /announcements with an argument other than on/off.
pub fn announcements_usage(lang: Lang) -> &'static str {
    lang.pick(
        "Send /announcements off to stop announcements, or /announcements on to receive them.",
        "发送 /announcements off 关闭公告，或 /announcements on 开启公告。",
    )
}

/// /mydata: what comes before the JSON document.
pub fn my_data_intro(lang: Lang, retention_days: u64) -> String {
    match lang {
        Lang::En => format!(
            "Everything lendesk stores about you, as one JSON document: your user record (language, linked addresses, verification, settings), the conversation kept for support, your tickets, statistics events that name you (kept {retention_days} days), and a ban if there is one. Send /forget to delete it."
        ),
        Lang::Zh => format!(
            "以下是 lendesk 保存的关于你的全部数据（一个 JSON 文档）：你的用户记录（语言、绑定的地址、验证状态、设置）、为客服保留的对话、你的工单、记有你的统计事件（保留 {retention_days} 天），以及封禁记录（如有）。发送 /forget 可以删除。"
        ),
    }
}

/// /mydata or /forget could not read or delete the data.
pub fn privacy_failed(lang: Lang) -> &'static str {
    lang.pick(
        "Sorry, I couldn't do that just now (a storage problem). Please try again in a minute, or ask for a person with /human.",
        "抱歉，现在无法完成（存储出现问题）。请稍后再试，或发送 /human 联系人工客服。",
    )
}

/// /forget: the question before anything is deleted.
pub fn forget_confirm(lang: Lang) -> &'static str {
    lang.pick(
        "Delete everything lendesk stores about you? This removes your language choice, linked addresses, saved conversation and statistics that name you. Your tickets stay with our support team without your name or id (they may need them for records). This cannot be undone.",
        "确定删除 lendesk 保存的关于你的全部数据吗？这会删除你的语言设置、绑定的地址、保存的对话以及记有你的统计数据。你的工单会保留给客服团队，但不再带有你的名字或 id（可能需要留档）。此操作无法撤销。",
    )
}

/// /forget: the confirmation button.
pub fn forget_yes(lang: Lang) -> &'static str {
    lang.pick("Yes, delete my data", "确认删除我的数据")
}

/// /forget: the button that keeps everything.
pub fn forget_no(lang: Lang) -> &'static str {
    lang.pick("No, keep it", "不，保留")
}

/// /forget confirmed: what was done.
pub fn forgotten(lang: Lang, tickets: usize) -> String {
    match (lang, tickets) {
        (Lang::En, 0) => "Done: everything lendesk stored about you is deleted.".into(),
        (Lang::En, n) => format!(
            "Done: everything lendesk stored about you is deleted. Your {n} ticket(s) stay with our support team without your name or id."
        ),
        (Lang::Zh, 0) => "已完成：lendesk 保存的关于你的数据已全部删除。".into(),
        (Lang::Zh, n) => format!(
            "已完成：lendesk 保存的关于你的数据已全部删除。你的 {n} 个工单保留给客服团队，但不再带有你的名字或 id。"
        ),
    }
}

/// /forget declined.
pub fn forget_cancelled(lang: Lang) -> &'static str {
    lang.pick("OK, nothing was deleted.", "好的，没有删除任何数据。")
}

/// How to prove an address is yours, after /link: the exact message to sign.
pub fn proof_request(lang: Lang, message: &str) -> String {
    match lang {
        Lang::En => format!(
            "To prove this address is yours (optional), sign this exact message with that wallet, using its \"sign message\" feature (personal_sign):\n\n{message}\n\nthen send /verify followed by the signature (0x…, 132 characters). The request is valid for one hour.\n\n🔒 Signing this text is not a transaction: it costs nothing and cannot move funds. Never send your seed phrase or private key, and never sign anything else someone sends you."
        ),
        Lang::Zh => format!(
            "如需证明这个地址归你所有（可选），请用该钱包的“签名消息”功能（personal_sign）对下面这段文字原样签名：\n\n{message}\n\n然后发送 /verify 加上签名（0x…，共 132 个字符）。该请求一小时内有效。\n\n🔒 签名这段文字不是交易：不花费任何费用，也无法转走资产。永远不要发送助记词或私钥，也不要签署别人发给你的其他内容。"
        ),
    }
}

/// /link with no argument: the linked addresses, verified or not.
pub fn links_list(lang: Lang, links: &[(String, bool)]) -> String {
    let lines: Vec<String> = links
        .iter()
        .map(|(address, verified)| match (lang, verified) {
            (Lang::En, true) => format!("- {address} ✅ verified"),
            (Lang::En, false) => format!("- {address} (not verified)"),
            (Lang::Zh, true) => format!("- {address} ✅ 已验证"),
            (Lang::Zh, false) => format!("- {address}（未验证）"),
        })
        .collect();
    match lang {
        Lang::En => format!(
            "Your linked addresses:\n{}\n\nLink another with /link 0x…; to prove an unverified one is yours, send /link with it again and follow the steps.",
            lines.join("\n")
        ),
        Lang::Zh => format!(
            "你绑定的地址：\n{}\n\n用 /link 0x… 绑定新地址；如需验证未验证的地址，再次发送 /link 加该地址并按提示操作。",
            lines.join("\n")
        ),
    }
}

/// One line under a position: whether the user proved the address is theirs.
pub fn ownership_line(lang: Lang, verified: bool) -> &'static str {
    match (lang, verified) {
        (Lang::En, true) => "✅ Address verified as yours.",
        (Lang::En, false) => "Linked, not verified (/link it again to prove it is yours).",
        (Lang::Zh, true) => "✅ 已验证该地址归你所有。",
        (Lang::Zh, false) => "已绑定，未验证（再次 /link 该地址即可验证归属）。",
    }
}

/// /verify without a proof in progress (or an expired one).
pub fn verify_no_pending(lang: Lang) -> &'static str {
    lang.pick(
        "There is no ownership check in progress (a request is valid for one hour). Send /link followed by your address first; I'll give you a message to sign.",
        "目前没有进行中的地址验证（验证请求一小时内有效）。请先发送 /link 加上你的地址，我会给你一段需要签名的文字。",
    )
}

/// /verify without a signature.
pub fn verify_usage(lang: Lang, message: &str) -> String {
    match lang {
        Lang::En => {
            format!("Send /verify followed by the signature of this exact message:\n\n{message}")
        }
        Lang::Zh => format!("请发送 /verify 加上对下面这段文字的签名：\n\n{message}"),
    }
}

/// A signature that does not parse.
pub fn bad_signature(lang: Lang) -> &'static str {
    lang.pick(
        "That doesn't look like a signature. A signature is 0x followed by 130 hex characters (65 bytes); copy it in full from your wallet and send /verify 0x….",
        "这看起来不是有效的签名。签名是 0x 加 130 个十六进制字符（65 字节）；请从钱包里完整复制，然后发送 /verify 0x…。",
    )
}

/// The signature proves the address.
pub fn verified(lang: Lang, address: &str) -> String {
    match lang {
        Lang::En => format!("✅ Verified: {address} is yours. Thank you!"),
        Lang::Zh => format!("✅ 验证成功：{address} 归你所有。谢谢！"),
    }
}

/// The signature is valid but from another address.
pub fn wrong_signer(lang: Lang, signer: &str, expected: &str) -> String {
    match lang {
        Lang::En => format!(
            "That signature does not match: it was signed by {signer}, not by {expected}. Sign the message with the wallet that holds {expected} and send /verify again."
        ),
        Lang::Zh => format!(
            "签名不匹配：它是由 {signer} 签署的，而不是 {expected}。请用持有 {expected} 的钱包签名后再次发送 /verify。"
        ),
    }
}

// ── Liquidation-risk alerts: /alerts, /watch, /unwatch and the alert buttons ──────────────

/// The levels as a sentence fragment: "a warning below HF 1.30 and a critical alert below 1.10".
fn alert_levels(lang: Lang, warning: &str, critical: &str) -> String {
    match lang {
        Lang::En => {
            format!("a warning below health factor {warning} and a critical alert below {critical}")
        }
        Lang::Zh => format!("健康因子低于 {warning} 时预警，低于 {critical} 时发紧急提醒"),
    }
}

/// /alerts: the first line, whether the linked addresses are watched and at which levels.
pub fn alerts_state(lang: Lang, enabled: bool, warning: &str, critical: &str) -> String {
    let levels = alert_levels(lang, warning, critical);
    match (lang, enabled) {
        (Lang::En, true) => format!("🔔 Alerts are **on** for your linked addresses: {levels}."),
        (Lang::En, false) => {
            format!("🔕 Alerts for your linked addresses are **off**. When on: {levels}.")
        }
        (Lang::Zh, true) => format!("🔔 已绑定地址的清算风险提醒**已开启**：{levels}。"),
        (Lang::Zh, false) => {
            format!("🔕 已绑定地址的清算风险提醒**已关闭**。开启后：{levels}。")
        }
    }
}

/// /alerts: the heading of the linked addresses.
pub fn alerts_linked_heading(lang: Lang) -> &'static str {
    lang.pick("Linked addresses:", "已绑定的地址：")
}

/// /alerts: one linked address and whether it is watched.
pub fn alerts_linked_line(lang: Lang, address: &str, enabled: bool, muted: bool) -> String {
    let state = match (lang, enabled, muted) {
        (Lang::En, _, true) => "🔕 stopped",
        (Lang::En, true, false) => "🔔 watched",
        (Lang::En, false, false) => "not watched while alerts are off",
        (Lang::Zh, _, true) => "🔕 已停止提醒",
        (Lang::Zh, true, false) => "🔔 监控中",
        (Lang::Zh, false, false) => "提醒关闭期间不监控",
    };
    match lang {
        Lang::En => format!("- {address} ({state})"),
        Lang::Zh => format!("- {address}（{state}）"),
    }
}

/// /alerts and /watch: the heading of the addresses watched without linking.
pub fn alerts_watched_heading(lang: Lang) -> &'static str {
    lang.pick(
        "Watched with /watch (they alert even while alerts for linked addresses are off):",
        "用 /watch 监控的地址（即使已绑定地址的提醒关闭，它们也会提醒）：",
    )
}

/// /alerts (or alerts turned on) with no address to watch.
pub fn alerts_no_address(lang: Lang) -> &'static str {
    lang.pick(
        "There is no address to watch yet: link yours with /link 0x…, or watch any address with /watch 0x… (positions are public, so you don't need to link it).",
        "目前没有可监控的地址：用 /link 0x… 绑定你的地址，或用 /watch 0x… 监控任意地址（仓位是公开的，不必绑定）。",
    )
}

/// A span of time in words: "55 min", "3 h 5 min", "2 days".
pub fn alert_span(lang: Lang, secs: u64) -> String {
    let minutes = secs.div_ceil(60);
    let (days, hours, mins) = (minutes / 1_440, (minutes / 60) % 24, minutes % 60);
    match lang {
        Lang::En if days >= 2 => format!("{days} days"),
        Lang::En if minutes >= 60 && mins == 0 => format!("{} h", minutes / 60),
        Lang::En if minutes >= 60 => format!("{} h {mins} min", days * 24 + hours),
        Lang::En => format!("{minutes} min"),
        Lang::Zh if days >= 2 => format!("{days} 天"),
        Lang::Zh if minutes >= 60 && mins == 0 => format!("{} 小时", minutes / 60),
        Lang::Zh if minutes >= 60 => format!("{} 小时 {mins} 分钟", days * 24 + hours),
        Lang::Zh => format!("{minutes} 分钟"),
    }
}

/// /alerts: the snooze in force, until `until` ("15:03 UTC"), `left` to go.
pub fn alerts_snoozed(lang: Lang, until: &str, left: &str) -> String {
    match lang {
        Lang::En => format!(
            "🔕 Snoozed until {until} ({left} left): warnings wait, critical alerts still come."
        ),
        Lang::Zh => format!("🔕 已暂停到 {until}（还剩 {left}）：预警会等待，紧急提醒照常发送。"),
    }
}

/// /alerts: the quiet hours ("23:00–07:00 UTC+8").
pub fn alerts_quiet(lang: Lang, hours: &str) -> String {
    match lang {
        Lang::En => format!(
            "🌙 Quiet hours {hours}: warnings wait until they end, critical alerts come at any time."
        ),
        Lang::Zh => format!("🌙 免打扰时段 {hours}：预警会等到时段结束，紧急提醒随时发送。"),
    }
}

/// /alerts: the last alert sent about one of the user's addresses.
pub fn alerts_last(
    lang: Lang,
    critical: bool,
    address: &str,
    market: &str,
    health_factor: &str,
    ago: &str,
) -> String {
    match lang {
        Lang::En => format!(
            "Last alert: {} for {address} on {market}, health factor {health_factor}, {ago} ago.",
            if critical { "critical" } else { "warning" }
        ),
        Lang::Zh => format!(
            "最近一次提醒：{address}（{market}）{}，健康因子 {health_factor}，{ago}前。",
            if critical { "紧急提醒" } else { "预警" }
        ),
    }
}

/// /alerts: how to change the settings.
pub fn alerts_usage(lang: Lang) -> &'static str {
    lang.pick(
        "Change them:\n/alerts on · /alerts off\n/alerts 1.5 1.2 — your levels (warning, then critical)\n/alerts quiet 23:00-07:00 UTC+8 — quiet hours (/alerts quiet off)\n/alerts snooze 1h · 24h · off\n/watch 0x… · /unwatch 0x… — any address, without linking",
        "修改设置：\n/alerts on（开）· /alerts off（关）\n/alerts 1.5 1.2 — 自定义提醒线（先预警线，后紧急线）\n/alerts quiet 23:00-07:00 UTC+8 — 免打扰时段（/alerts quiet off 取消）\n/alerts snooze 1h · 24h · off — 暂停提醒\n/watch 0x… · /unwatch 0x… — 监控任意地址，无需绑定",
    )
}

/// /alerts with an argument it does not know.
pub fn alerts_unknown(lang: Lang) -> String {
    format!(
        "{}\n\n{}",
        lang.pick(
            "I didn't understand that /alerts setting.",
            "没有看懂这个 /alerts 设置。",
        ),
        alerts_usage(lang)
    )
}

/// Alert settings are changed in a private chat, not in a group.
pub fn alerts_private_only(lang: Lang) -> &'static str {
    lang.pick(
        "Alerts are set up in a private chat with me, so your addresses stay between us. Open a chat with me and send /alerts there.",
        "提醒需要在与我的私聊中设置，这样你的地址不会公开。请私聊我并发送 /alerts。",
    )
}

/// Alerts turned on: the levels in force, the user's own or the configured defaults.
pub fn alerts_on(lang: Lang, warning: &str, critical: &str, own: bool, defaults: &str) -> String {
    let levels = alert_levels(lang, warning, critical);
    match (lang, own) {
        (Lang::En, true) => format!(
            "🔔 Alerts are on for your linked addresses: {levels}. These are the levels you set earlier; /alerts {defaults} goes back to the defaults."
        ),
        (Lang::En, false) => format!(
            "🔔 Alerts are on for your linked addresses: {levels} (the defaults; set your own with e.g. /alerts 1.5 1.2)."
        ),
        (Lang::Zh, true) => format!(
            "🔔 已开启已绑定地址的清算风险提醒：{levels}。这是你之前设置的提醒线；发送 /alerts {defaults} 可恢复默认值。"
        ),
        (Lang::Zh, false) => format!(
            "🔔 已开启已绑定地址的清算风险提醒：{levels}（默认值；可用 /alerts 1.5 1.2 之类自定义）。"
        ),
    }
}

/// Alerts for linked addresses turned off; `watched` addresses of /watch still alert.
pub fn alerts_off(lang: Lang, watched: usize) -> String {
    match (lang, watched) {
        (Lang::En, 0) => {
            "🔕 Alerts for your linked addresses are off. Send /alerts on to turn them back on."
                .into()
        }
        (Lang::En, n) => format!(
            "🔕 Alerts for your linked addresses are off. The {n} address(es) you watch with /watch still alert; /unwatch 0x… stops one. Send /alerts on to turn the linked ones back on."
        ),
        (Lang::Zh, 0) => "🔕 已关闭已绑定地址的清算风险提醒。发送 /alerts on 可重新开启。".into(),
        (Lang::Zh, n) => format!(
            "🔕 已关闭已绑定地址的清算风险提醒。你用 /watch 监控的 {n} 个地址仍会提醒，用 /unwatch 0x… 可逐个停止。发送 /alerts on 可重新开启已绑定地址的提醒。"
        ),
    }
}

/// New levels saved (which also turns alerts on).
pub fn alerts_levels_set(lang: Lang, warning: &str, critical: &str) -> String {
    let levels = alert_levels(lang, warning, critical);
    match lang {
        Lang::En => format!("✅ Levels set, and alerts are on: {levels}."),
        Lang::Zh => format!("✅ 提醒线已设置，提醒已开启：{levels}。"),
    }
}

/// Levels that cannot be used, and why.
pub fn alerts_bad_levels(lang: Lang, error: &super::alert_args::LevelError) -> String {
    use super::alert_args::LevelError::*;
    let why = match (lang, error) {
        (Lang::En, NotANumber(t)) => format!("\"{t}\" is not a health factor."),
        (Lang::Zh, NotANumber(t)) => format!("“{t}”不是健康因子数值。"),
        (Lang::En, TooManyDecimals(t)) => {
            format!("{t} has more than 2 decimals; levels take at most 2 (like 1.25).")
        }
        (Lang::Zh, TooManyDecimals(t)) => {
            format!("{t} 的小数超过 2 位；提醒线最多 2 位小数（例如 1.25）。")
        }
        (Lang::En, Count(_)) => "I need two health factors: the warning level and the critical one.".into(),
        (Lang::Zh, Count(_)) => "需要两个健康因子：预警线和紧急线。".into(),
        (Lang::En, CriticalBelowOne) => "The critical level must be at least 1.00: below 1.00 a position can already be liquidated, so an alert there would come too late.".into(),
        (Lang::Zh, CriticalBelowOne) => "紧急线不能低于 1.00：健康因子低于 1.00 时仓位已经可以被清算，那时提醒就太晚了。".into(),
        (Lang::En, AboveTen) => "Levels go up to 10.".into(),
        (Lang::Zh, AboveTen) => "提醒线最高为 10。".into(),
        (Lang::En, Equal) => "The two levels must differ: the warning comes first, above the critical level.".into(),
        (Lang::Zh, Equal) => "两条提醒线不能相同：预警线应高于紧急线。".into(),
    };
    match lang {
        Lang::En => format!(
            "{why} Nothing was changed.\n\nSend two levels, for example /alerts 1.5 1.2: a warning below 1.5 and a critical alert below 1.2."
        ),
        Lang::Zh => format!(
            "{why}设置未更改。\n\n请发送两条提醒线，例如 /alerts 1.5 1.2：低于 1.5 预警，低于 1.2 发紧急提醒。"
        ),
    }
}

/// Quiet hours set.
pub fn alerts_quiet_set(lang: Lang, hours: &str, end: &str) -> String {
    match lang {
        Lang::En => format!(
            "🌙 Quiet hours set: {hours}. Warnings that come then wait until {end}; critical alerts come at any time. /alerts quiet off removes them."
        ),
        Lang::Zh => format!(
            "🌙 免打扰时段已设置：{hours}。期间的预警会等到 {end} 再发送；紧急提醒随时发送。发送 /alerts quiet off 可取消。"
        ),
    }
}

/// Quiet hours removed (`had`: there were some).
pub fn alerts_quiet_off(lang: Lang, had: bool) -> &'static str {
    match (lang, had) {
        (Lang::En, true) => "Quiet hours removed: alerts come as they happen, day and night.",
        (Lang::En, false) => "You have no quiet hours: alerts come as they happen.",
        (Lang::Zh, true) => "已取消免打扰时段：提醒会随时发送。",
        (Lang::Zh, false) => "你没有设置免打扰时段：提醒会随时发送。",
    }
}

/// Quiet hours that do not parse.
pub fn alerts_bad_quiet(lang: Lang) -> &'static str {
    lang.pick(
        "I couldn't read those quiet hours. Send the start and end in your time, and your time zone (UTC when none), for example /alerts quiet 23:00-07:00 UTC+8, /alerts quiet 22:30-06:00 UTC-5, or /alerts quiet off. Nothing was changed.",
        "没有看懂这个免打扰时段。请发送开始和结束时间（你当地的时间）以及时区（不写则为 UTC），例如 /alerts quiet 23:00-07:00 UTC+8、/alerts quiet 22:30-06:00 UTC-5，或 /alerts quiet off。设置未更改。",
    )
}

/// Snoozed until `until` ("15:03 UTC"), `tomorrow` when that is the next day in UTC.
pub fn alerts_snooze_set(lang: Lang, until: &str, tomorrow: bool) -> String {
    match lang {
        Lang::En => format!(
            "🔕 Snoozed until {until}{}: warnings wait until then (one comes afterwards if the position is still under the level). Critical alerts still come at once.",
            if tomorrow { " tomorrow" } else { "" }
        ),
        Lang::Zh => format!(
            "🔕 已暂停到{}{until}：期间的预警会等待（结束后若仓位仍低于提醒线会再发一次）。紧急提醒仍会立即发送。",
            if tomorrow { "明天 " } else { " " }
        ),
    }
}

/// Snooze ended (`was`: there was one).
pub fn alerts_snooze_off(lang: Lang, was: bool) -> &'static str {
    match (lang, was) {
        (Lang::En, true) => "🔔 Snooze ended: alerts come again as they happen.",
        (Lang::En, false) => "Alerts are not snoozed: they come as they happen.",
        (Lang::Zh, true) => "🔔 已结束暂停：提醒会照常发送。",
        (Lang::Zh, false) => "提醒没有暂停，会照常发送。",
    }
}

/// A snooze other than 1 h or 24 h.
pub fn alerts_bad_snooze(lang: Lang) -> &'static str {
    lang.pick(
        "Alerts snooze for 1 h or 24 h: /alerts snooze 1h, /alerts snooze 24h, or /alerts snooze off. Nothing was changed.",
        "提醒可暂停 1 小时或 24 小时：/alerts snooze 1h、/alerts snooze 24h，或 /alerts snooze off。设置未更改。",
    )
}

/// The alert settings could not be read or saved.
pub fn alerts_failed(lang: Lang) -> &'static str {
    lang.pick(
        "Sorry, I couldn't change your alerts just now (a storage problem). Please try again in a minute, or ask for a person with /human.",
        "抱歉，暂时无法修改你的提醒设置（存储出现问题）。请稍后再试，或发送 /human 联系人工客服。",
    )
}

/// /watch of a new address.
pub fn watching(lang: Lang, address: &str, warning: &str, critical: &str) -> String {
    let levels = alert_levels(lang, warning, critical);
    match lang {
        Lang::En => format!(
            "👀 Watching {address}: {levels}, whether or not it is linked. /unwatch {address} stops it; /alerts shows all your alerts."
        ),
        Lang::Zh => format!(
            "👀 开始监控 {address}：{levels}，无论是否绑定。发送 /unwatch {address} 可停止；/alerts 查看全部提醒设置。"
        ),
    }
}

/// /watch of an address watched already.
pub fn already_watching(lang: Lang, address: &str) -> String {
    match lang {
        Lang::En => format!("{address} is already watched. /watch lists what you watch."),
        Lang::Zh => format!("{address} 已经在监控中。发送 /watch 查看监控列表。"),
    }
}

/// /watch beyond the most addresses a user may watch.
pub fn watch_full(lang: Lang, max: usize) -> String {
    match lang {
        Lang::En => format!(
            "You already watch {max} addresses, the most I keep per user. /unwatch one first (/watch lists them)."
        ),
        Lang::Zh => format!(
            "你已经监控了 {max} 个地址，这是每位用户的上限。请先用 /unwatch 停止一个（/watch 可查看列表）。"
        ),
    }
}

/// /watch alone with nothing watched.
pub fn watch_usage(lang: Lang) -> &'static str {
    lang.pick(
        "You watch no address yet. Send /watch followed by any address to get liquidation-risk alerts for it without linking it (positions are public): /watch 0x…",
        "你还没有监控任何地址。发送 /watch 加任意地址，无需绑定即可收到它的清算风险提醒（仓位是公开的）：/watch 0x…",
    )
}

/// /watch alone: how to stop one of the listed addresses.
pub fn watch_list_footer(lang: Lang) -> &'static str {
    lang.pick(
        "/unwatch 0x… stops one; /alerts shows your levels.",
        "发送 /unwatch 0x… 可停止监控；/alerts 查看提醒线。",
    )
}

/// /unwatch without an address.
pub fn unwatch_usage(lang: Lang) -> &'static str {
    lang.pick(
        "Send /unwatch followed by the address to stop watching: /unwatch 0x…",
        "请在 /unwatch 后面加上要停止监控的地址：/unwatch 0x…",
    )
}

/// /unwatch done (`found`: it was watched).
pub fn unwatched(lang: Lang, address: &str, found: bool) -> String {
    match (lang, found) {
        (Lang::En, true) => format!("Stopped watching {address}."),
        (Lang::En, false) => {
            format!("{address} was not watched (/watch lists the addresses you watch).")
        }
        (Lang::Zh, true) => format!("已停止监控 {address}。"),
        (Lang::Zh, false) => format!("{address} 不在监控列表中（发送 /watch 查看）。"),
    }
}

/// The stop button: no more alerts for this address.
pub fn alert_stopped(lang: Lang, address: &str) -> String {
    match lang {
        Lang::En => format!(
            "🔕 No more alerts for {address}. Changed your mind? Press Resume below; /alerts shows everything."
        ),
        Lang::Zh => {
            format!("🔕 不再提醒 {address}。改变主意了？点下面的“恢复提醒”；/alerts 查看全部设置。")
        }
    }
}

/// The stop button of an address that is not watched (any more).
pub fn alert_not_watched(lang: Lang, address: &str) -> String {
    match lang {
        Lang::En => format!(
            "{address} is not watched, so no alerts come for it. /alerts shows what is watched."
        ),
        Lang::Zh => format!("{address} 没有在监控，不会收到它的提醒。/alerts 查看监控中的地址。"),
    }
}

/// Alerts back on for an address (`linked_off`: it is linked, but alerts for linked addresses
/// are off).
pub fn alert_resumed(lang: Lang, address: &str, linked_off: bool) -> String {
    match (lang, linked_off) {
        (Lang::En, false) => format!("🔔 Alerts for {address} are back on."),
        (Lang::En, true) => format!(
            "{address} is no longer stopped, but alerts for your linked addresses are off: send /alerts on to turn them on."
        ),
        (Lang::Zh, false) => format!("🔔 已恢复 {address} 的提醒。"),
        (Lang::Zh, true) => {
            format!("{address} 已取消停止，但已绑定地址的提醒目前是关闭的：发送 /alerts on 开启。")
        }
    }
}

/// The resume button of an address already alerting.
pub fn alert_already_on(lang: Lang, address: &str) -> String {
    match lang {
        Lang::En => format!("Alerts for {address} are already on."),
        Lang::Zh => format!("{address} 的提醒已经是开启的。"),
    }
}

/// Labels of the buttons under /alerts and the stop answer.
pub fn alert_button(lang: Lang, which: AlertButton, address: &str) -> String {
    match (lang, which) {
        (Lang::En, AlertButton::TurnOn) => "🔔 Turn alerts on".into(),
        (Lang::Zh, AlertButton::TurnOn) => "🔔 开启提醒".into(),
        (Lang::En, AlertButton::TurnOff) => "🔕 Turn alerts off".into(),
        (Lang::Zh, AlertButton::TurnOff) => "🔕 关闭提醒".into(),
        (Lang::En, AlertButton::Snooze1h) => "🔕 Snooze 1 h".into(),
        (Lang::Zh, AlertButton::Snooze1h) => "🔕 暂停 1 小时".into(),
        (Lang::En, AlertButton::Snooze24h) => "🔕 Snooze 24 h".into(),
        (Lang::Zh, AlertButton::Snooze24h) => "🔕 暂停 24 小时".into(),
        (Lang::En, AlertButton::Unsnooze) => "🔔 Resume now".into(),
        (Lang::Zh, AlertButton::Unsnooze) => "🔔 立即恢复".into(),
        (Lang::En, AlertButton::Stop) => format!("🔕 Stop {address}"),
        (Lang::Zh, AlertButton::Stop) => format!("🔕 停止 {address}"),
        (Lang::En, AlertButton::Resume) => format!("🔔 Resume {address}"),
        (Lang::Zh, AlertButton::Resume) => format!("🔔 恢复提醒 {address}"),
    }
}

/// Which alert-settings button [`alert_button`] labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertButton {
    /// Turn alerts for linked addresses on.
    TurnOn,
    /// Turn them off.
    TurnOff,
    /// Snooze for an hour.
    Snooze1h,
    /// Snooze for a day.
    Snooze24h,
    /// End the snooze.
    Unsnooze,
    /// Stop one address.
    Stop,
    /// Resume one address.
    Resume,
}
