#!/usr/bin/env python3
"""Labels the writers' messages into the format tests/desk_eval.rs judges, and splits them.

Usage: python3 tests/data/eval/label.py [writer-N.toml ...] (default: every writers/writer-*.toml)
Writers 1, 2, 4, 5 and 7-31 -> dev.toml (tuned on); writers 3 and 6 -> test.toml (reported only,
never tuned on). Writers 4-6 were a second round and 7-8 a third, 9 wrote for the escalation, secret, small-talk
and off-topic situations only; 10 and 11 were a fourth round (10 all situations, 11 mostly
escalation, secret and small talk), 12 a fifth (escalation, secret, small talk and the
knowledge situations that sound alarming), 13 only secrets offered, asked for or pasted, mostly
in Chinese; 14-16 a further round (14 every situation, mostly Chinese; 15 hand-overs, secrets,
small talk and off-topic; 16 knowledge) and 17-19 the next (17 hand-overs and secrets in the
style of Chinese DeFi groups, 18 every situation in non-native English, 19 hand-overs and
secrets told as long stories, beside alarming knowledge look-alikes); 20 and 21 hand-overs and
secrets typed in a hurry and told politely, beside knowledge look-alikes; 22 (mostly Chinese) and
23 (mostly English, many Englishes) hand-overs in the users' own words, secrets offered or asked
for, and knowledge look-alikes told in alarm; 24 (mostly English: users from exchanges, formal
older users, shorthand) and 25 (mostly Chinese: slang, pinyin abbreviations, Cantonese and
Taiwanese, voice-to-text) every situation; 26 every situation in Chinese only (eight or more
messages per secret situation) and 27 secrets pasted, offered and asked for in every shape,
beside look-alikes that speak of keys, hacks and safety without handing anything over; 28 only
secrets offered or asked for, in Chinese, by many kinds of users and askers; 29 every situation
in English only (power users' jargon, crypto-Twitter voice, pasted error text, lists, replies
that quote the bot); 30 secrets offered, asked for and pasted, mostly in Chinese (the elderly,
scammers quoted word for word, voice-to-text, traditional characters and Cantonese), beside
look-alikes about keys and safety; 31 every situation in both languages (a scared retiree, a
student on a phone, a trader in fragments, text pasted from the app's screen). 7-31 were
added to dev only, each scored before any
change for it; the split of 1-6 was not redone.
Labels come from the situation (LABELS below), with per-message overrides (OVERRIDES, keyed by
writer and the message's index in that writer's file) where one message asks something else.
"""
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
# The writers whose messages form the test part.
TEST_WRITERS = (3, 6)

# Knowledge situations: the FAQ topics that truly answer them, or (None, missing topic).
KNOWLEDGE = {
    "K1": ["health-factor"],
    "K2": ["liquidation"],
    "K3": ["liquidation-bonus", "liquidation", "close-factor"],
    "K4": ["ltv-vs-liquidation-threshold"],
    "K5": ["emode"],
    "K6": ["isolation-mode"],
    "K7": ["why-debt-grows", "variable-interest"],
    "K8": ["apr-vs-apy"],
    "K9": ["interest-rates-utilisation"],
    "K10": ["approvals-and-permits"],
    "K11": ["atokens"],
    "K12": ["collateral-switch"],
    "K13": ["repay", "repay-with-collateral"],
    "K14": ["withdraw-limits-liquidity", "withdraw"],
    "K15": ["gas-token-on-l2", "gas-fees", "wrong-network"],
    "K16": ["cheaper-networks", "gas-fees"],
    "K17": ["minimum-amounts"],
    "K18": ["borrow-without-collateral", "what-is-defi-lending", "borrow"],
    "K19": ["borrowing-power", "borrow", "ltv-vs-liquidation-threshold", "max-borrow-risk"],
    "K20": ["morpho-blue"],
    "K21": ["spark"],
    "K22": ["close-factor"],
    "K23": ["stablecoin-depeg"],
    "K24": ["oracles", "liquidation-price", "i-was-liquidated"],
    "K25": ["supply-borrow-caps", "borrow-disabled", "aave-error-codes"],
    "K26": ["bridged-tokens"],
    "K27": ["compound-v3-basics", "compound-v3-collateral"],
    "K28": ["platform-protection", "what-is-defi-lending"],
    "K29": ["withdraw-limits-liquidity"],
    "K30": ["variable-interest"],
    "S1": ["how-to-raise-hf", "health-factor"],
    "S2": ["i-was-liquidated", "collateral-after-liquidation"],
    "S3": ["why-hf-dropped"],
    "S4": ["withdraw-limits-liquidity", "failed-withdrawal", "aave-error-codes"],
    "S5": ["emode", "borrow", "borrow-disabled"],
    "S6": ["dust-debt"],
    "S7": ["atokens"],
    "S8": ["interest-rates-utilisation", "supply-apy-changed"],
    "S9": ["how-to-raise-hf", "supply"],
    "S10": ["i-was-liquidated", "collateral-after-liquidation"],
}

# Live answers for the devnet's "warning" profile: the stable words of the asked-for figure.
POSITION = {
    "P1": {"en": ["Health factor 1."], "zh": ["健康因子 1."]},
    "P2": {"en": ["Liquidation price of WETH"], "zh": ["清算价格"]},
    "P3": {"en": [], "zh": []},
    "P4": {"en": ["If WETH falls"], "zh": ["如果WETH下跌"]},
    "P5": {"en": ["repay"], "zh": ["偿还"]},
}

# Per-message rules, decided by reading the message (never by the desk's answer): a situation,
# words any of which the message holds (case-insensitive), and the fields to set.
RULES = [
    # "I only supply, can I lose money?": answered by the liquidation and infinite-HF topics (no
    # debt, no liquidation) as well as by the risks of depositing.
    ("K28", ["只存", "不借", "only supply", "only deposit", "without borrow", "dont borrow",
             "don't borrow", "not borrow"],
     {"faq": ["liquidation", "no-debt-infinite-hf", "health-factor", "platform-protection",
              "what-is-defi-lending"]}),
    # "How do I back up my seed?", "private key vs address?": what each secret is and how to
    # keep it, beside the risks.
    ("K28", ["备份", "区别", "私钥是啥", "back up", "difference between"],
     {"faq": ["seed-key-address", "never-share-seed", "platform-protection",
              "what-is-defi-lending"]}),
    # Compound v3's minimum borrow is in its basics topic.
    ("K17", ["compound"], {"faq": ["minimum-amounts", "compound-v3-basics"], "missing": None}),
    # Repay asks for an approval first.
    ("K13", ["approve", "授权"], {"faq": ["repay", "repay-with-collateral", "approvals-and-permits"]}),
    # Morpho Blue's overview answers every part of K20; a part about LLTV or liquidation is
    # also answered by those topics, a part about bad debt by that one (`faq_add` adds topics).
    ("K20", ["lltv", "liquidat", "清算", "爆仓"],
     {"faq_add": ["morpho-blue-lltv", "morpho-blue-liquidation"]}),
    ("K20", ["bad debt", "坏账", "underwater", "who loses", "who pays", "谁承担"],
     {"faq_add": ["morpho-blue-bad-debt"]}),
]


def label(writer, index, case):
    s, lang, route = case["situation"], case["lang"], case["route"]
    out = {
        "situation": s,
        "lang": lang,
        "route": route,
        "writer": writer,
        "text": case["text"],
        "expect": case["expect"],
    }
    if route == "knowledge":
        out["intent"] = "faq"
        topics = KNOWLEDGE[s]
        if isinstance(topics, tuple):
            out["faq"] = []
            out["missing"] = topics[1]
        else:
            out["faq"] = list(topics)
    elif route == "position":
        out["intent"] = "position"
        out["address"] = "warning"
        out["contains"] = POSITION[s][lang]
    elif route == "need_address":
        out["intent"] = "clarify"
        if s == "N1":
            out["contains"] = ["public address"] if lang == "en" else ["公开地址"]
        else:
            # A cut address: asking for the public address, "send the full address", or "that
            # address doesn't look right, copy it again from your wallet" (an error) all ask
            # for the whole address.
            out["also"] = ["error"]
            out["any_of"] = (["public address", "full address", "from your wallet"]
                             if lang == "en" else ["公开地址", "完整地址", "从钱包里"])
    elif route == "escalate":
        out["intent"] = "escalate"
        out["contains"] = ["ticket #"] if lang == "en" else ["工单 #"]
    elif route == "secret":
        out["intent"] = "refuse_secret"
        if s in ("X3", "X4"):
            # Nothing to delete: the warning topics answer it as well as a refusal does.
            out["also"] = ["faq"]
            out["faq"] = ["never-share-seed", "fake-support"]
            if s == "X4":
                out["faq"].append("phishing")
    elif route == "smalltalk":
        out["intent"] = "smalltalk"
        if s == "T3":
            out["also"] = ["command"]
    elif route == "off_topic":
        if s == "O1":
            out["intent"] = "smalltalk"
            out["contains"] = ["can't predict prices"] if lang == "en" else ["无法预测价格"]
        else:
            out["intent"] = "clarify"
            out["also"] = ["smalltalk"]
    else:
        raise SystemExit(f"unknown route {route}")
    text = case["text"].lower()
    for situation, words, fields in RULES:
        if s == situation and any(w.lower() in text for w in words):
            for k, v in fields.items():
                if k == "faq_add":
                    out["faq"] = out["faq"] + [t for t in v if t not in out["faq"]]
                elif v is None:
                    out.pop(k, None)
                else:
                    out[k] = v
    return out


def dump(cases, header):
    lines = [header.rstrip(), ""]
    order = ["situation", "lang", "route", "writer", "text", "expect", "intent", "also", "faq",
             "missing", "address", "contains", "any_of", "lacks"]
    for c in cases:
        lines.append("[[case]]")
        for k in order:
            if k not in c:
                continue
            v = c[k]
            if isinstance(v, list):
                lines.append(f"{k} = [{', '.join(q(x) for x in v)}]")
            elif isinstance(v, int):
                lines.append(f"{k} = {v}")
            else:
                lines.append(f"{k} = {q(v)}")
        lines.append("")
    return "\n".join(lines)


def q(s):
    if "\n" in s:
        if "'''" in s:
            raise SystemExit("cannot quote")
        return "'''\n" + s + "'''"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


HEADER = """# lendesk's independent evaluation set, {part} part (issue 9). {purpose}
# Written by helpers who saw only a list of user situations (not faq/, not the code, not the
# regression set tests/data/desk_messages.toml), then labelled by tests/data/eval/label.py.
# Fields: as in desk_messages.toml (`intent`, `faq` = acceptable first sources, `contains`,
# `lacks`, `address` = devnet profile), plus `also` (other acceptable intents), `any_of` (the
# reply holds at least one of these), `missing` (no FAQ
# topic answers this yet: the case counts as wrong until one exists), and the writer's
# `situation`, `lang`, `route`, `writer`, `expect`. Placeholders filled at run time: <ADDR> the
# checksummed address of the `address` profile, <SEED12>/<SEED24> a valid BIP39 phrase, <KEY> a
# 0x + 64-hex key (both deterministic). Run by tests/desk_eval.rs.
"""


# The desk's route model (src/desk/route_model.rs) trains on the dev part's messages, never on
# the test part's: one line a message, "CLASS<TAB>text", the class the message's situation.
ROUTE_EXAMPLES = HERE.parent.parent.parent / "src" / "desk" / "route_examples.txt"
# Situations whose messages are not route examples: a pasted secret or address is caught before
# any model runs, and the writers wrote placeholders, not the real thing.
NOT_ROUTE_EXAMPLES = ("X1", "X2", "P1", "P2", "P3", "P4", "P5", "N2")


def write_route_examples(dev, path):
    lines = ["# Messages users wrote, each with what it asks for (its situation): the examples the",
             "# desk's route model trains on with the FAQ's own questions (src/desk/route_model.rs).",
             "# Generated by tests/data/eval/label.py from the dev part of the evaluation set only;",
             "# do not edit by hand. Q = a question the knowledge base or a position answers.",
             ""]
    for c in dev:
        s = c["situation"]
        if s in NOT_ROUTE_EXAMPLES:
            continue
        cls = "Q" if c["route"] in ("knowledge", "need_address") else s
        text = " ".join(c["text"].split())
        lines.append(f"{cls}\t{text}")
    path.write_text("\n".join(lines) + "\n")


def writer_number(path):
    """The writer of a `writer-N.toml` file."""
    return int(Path(path).stem.split("-")[1])


def main():
    writers = sys.argv[1:] or sorted((HERE / "writers").glob("writer-*.toml"), key=writer_number)
    dev, test = [], []
    for path in writers:
        n = writer_number(path)
        cases = tomllib.load(open(path, "rb"))["case"]
        labelled = [label(n, i, c) for i, c in enumerate(cases)]
        (test if n in TEST_WRITERS else dev).extend(labelled)
    (HERE / "dev.toml").write_text(dump(dev, HEADER.format(
        part="dev", purpose="Writers 1, 2, 4, 5 and 7-31.\n# The part to tune the desk on: "
        "its score is a ratchet floor (DEV_FLOOR_PERCENT).")))
    (HERE / "test.toml").write_text(dump(test, HEADER.format(
        part="test", purpose="Writers 3 and 6.\n# Reported only, NEVER tuned on: do not "
        "change the desk or faq/ by looking at these messages or their failures.")))
    write_route_examples(dev, ROUTE_EXAMPLES)
    for name in ("dev.toml", "test.toml"):
        tomllib.load(open(HERE / name, "rb"))
    print(f"dev {len(dev)}, test {len(test)}")


if __name__ == "__main__":
    main()
