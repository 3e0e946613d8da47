#!/usr/bin/env python3
"""Regenerates the held-out corpus for the wallet-secret detector.

    python3 tests/data/secrets_heldout/make_corpus.py

Writes, next to this script:
  ordinary.txt           ordinary help-desk messages (must NOT be flagged)
  ordinary_ambiguous.txt ordinary messages that by chance contain a run of
                         BIP39 words with a VALID checksum (reported, not asserted)
  secrets.txt            messages that each contain a secret; first line of
                         each block is "# format: <name>"
  secrets_expected.txt   per secret block, same order: a kind line
                         (words | chars | hex | b58) and a line with the
                         secret's tokens as they appear in the message
Blocks are separated by a line holding only "---".
Deterministic: seeded PRNG, no third-party modules. Word lists are read from
the bip39-2.2.2 crate sources in ~/.cargo/registry.
"""
import glob
import hashlib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261205


# --------------------------------------------------------------------------
# word lists
def load_words(name):
    pats = glob.glob(os.path.expanduser(
        "~/.cargo/registry/src/*/bip39-2.2.2/src/language/%s.rs" % name))
    if not pats:
        sys.exit("bip39-2.2.2 sources not found in ~/.cargo/registry")
    words = re.findall(r'"([^"]+)"', open(sorted(pats)[0], encoding="utf-8").read())
    assert len(words) == 2048, (name, len(words))
    return words


EN = load_words("english")
ZH = load_words("chinese_simplified")
EN_IDX = {w: i for i, w in enumerate(EN)}
ZH_IDX = {w: i for i, w in enumerate(ZH)}


# --------------------------------------------------------------------------
# keccak-256 (Ethereum flavour), pure python, for EIP-55 addresses/selectors
_RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
       0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
       0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
       0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
       0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
       0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61],
        [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M = (1 << 64) - 1


def _rol(v, n):
    return ((v << n) | (v >> (64 - n))) & _M if n else v


def _f(A):
    for rc in _RC:
        C = [A[x][0] ^ A[x][1] ^ A[x][2] ^ A[x][3] ^ A[x][4] for x in range(5)]
        D = [C[(x - 1) % 5] ^ _rol(C[(x + 1) % 5], 1) for x in range(5)]
        A = [[A[x][y] ^ D[x] for y in range(5)] for x in range(5)]
        B = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                B[y][(2 * x + 3 * y) % 5] = _rol(A[x][y], _ROT[x][y])
        A = [[B[x][y] ^ ((~B[(x + 1) % 5][y]) & B[(x + 2) % 5][y]) for y in range(5)]
             for x in range(5)]
        A[0][0] ^= rc
    return A


def keccak256(data):
    rate = 136
    msg = bytearray(data) + b"\x01"
    while len(msg) % rate:
        msg.append(0)
    msg[-1] |= 0x80
    A = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        blk = msg[off:off + rate]
        for i in range(rate // 8):
            A[i % 5][i // 5] ^= int.from_bytes(blk[8 * i:8 * i + 8], "little")
        A = _f(A)
    out = b"".join(A[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def checksum_addr(hex40):
    h = keccak256(hex40.lower().encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c
                          for i, c in enumerate(hex40.lower()))


assert checksum_addr("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48") == \
    "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"


def selector(sig):
    return keccak256(sig.encode())[:4].hex()


assert selector("supply(address,uint256,address,uint16)") == "617ba037"
assert selector("transfer(address,uint256)") == "a9059cbb"


# --------------------------------------------------------------------------
# BIP39
def checksum_ok(indices):
    n = len(indices)
    if n % 3 or n < 12:
        return False
    total = 0
    for i in indices:
        total = (total << 11) | i
    cs = n * 11 // 33
    ent_bits = n * 11 - cs
    ent = (total >> cs).to_bytes(ent_bits // 8, "big")
    want = hashlib.sha256(ent).digest()[0] >> (8 - cs)
    return (total & ((1 << cs) - 1)) == want


assert checksum_ok([EN_IDX["abandon"]] * 11 + [EN_IDX["about"]])
assert not checksum_ok([EN_IDX["abandon"]] * 12)
assert checksum_ok([EN_IDX["abandon"]] * 23 + [EN_IDX["art"]])


def mnemonic(rng, wl, n):
    ent_bits = n * 32 // 3
    cs = n * 11 - ent_bits
    ent = bytes(rng.getrandbits(8) for _ in range(ent_bits // 8))
    h = hashlib.sha256(ent).digest()
    total = (int.from_bytes(ent, "big") << cs) | (h[0] >> (8 - cs))
    idx = [(total >> (11 * (n - 1 - i))) & 2047 for i in range(n)]
    assert checksum_ok(idx)
    return [wl[i] for i in idx]


def bad_checksum_words(rng, wl, n):
    while True:
        idx = [rng.randrange(2048) for _ in range(n)]
        if not checksum_ok(idx):
            return [wl[i] for i in idx]


# --------------------------------------------------------------------------
# base58check for WIF / xprv
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + s


SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def rand_key(rng):
    while True:
        k = rng.getrandbits(256)
        if 0 < k < SECP_N:
            return k.to_bytes(32, "big")


# ==========================================================================
# ORDINARY MESSAGES
# ==========================================================================
REAL_TOKENS = {
    "USDC": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
    "WETH": "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
    "USDT": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
    "DAI": "0x6B175474E89094C44Da98b954EedeAC495271d0F",
    "WBTC": "0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599",
}
AAVE_POOL = "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2"
TRANSFER_TOPIC = "0x" + keccak256(b"Transfer(address,address,uint256)").hex()
ASSETS = ["ETH", "WETH", "USDC", "USDT", "DAI", "WBTC", "wstETH", "rETH", "cbETH", "LINK",
          "AAVE", "GHO", "ARB", "OP", "MATIC", "weETH", "LUSD", "FRAX", "sDAI", "crvUSD"]
CHAINS = ["Ethereum", "Arbitrum", "Optimism", "Polygon", "Base", "Avalanche", "BNB Chain",
          "Gnosis", "Scroll", "zkSync", "Linea", "Metis"]
CHAINS_ZH = ["以太坊主网", "Arbitrum", "Optimism", "Polygon", "Base 链", "Avalanche",
             "BNB 链", "Gnosis", "Scroll", "zkSync", "Linea"]
EXPLORERS = ["https://etherscan.io", "https://arbiscan.io", "https://optimistic.etherscan.io",
             "https://polygonscan.com", "https://basescan.org", "https://snowtrace.io",
             "https://bscscan.com", "https://gnosisscan.io", "https://scrollscan.com"]
ENS = ["vitalik", "alice", "moonfarmer", "bobthebuilder", "degenmike", "cryptoaunt",
       "zhangwei", "lilylend", "jasonyield", "stakingsam", "aavefan", "wenlambo", "xiaoming",
       "satoshifan", "defidad", "gmgm", "liquidlisa", "hodlhannah"]


class Slots:
    def __init__(self, rng):
        self.rng = rng
        self.cache = {}

    def hexs(self, n):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def addr(self):
        h = self.hexs(40)
        return checksum_addr(h) if self.rng.random() < 0.7 else "0x" + h

    def word(self, v):
        return v.replace("0x", "").lower().rjust(64, "0")

    def amount_word(self):
        r = self.rng.random()
        if r < 0.15:
            return "f" * 64
        dec = self.rng.choice([6, 18, 8])
        v = self.rng.randint(1, 50000) * 10 ** (dec - self.rng.randint(0, 3))
        return "%064x" % v

    def calldata(self, kind):
        a = self.rng.choice(sorted(REAL_TOKENS.values()))
        me = self.get("addr")
        if kind == "supply":
            words = [self.word(a), self.amount_word(), self.word(me), "0" * 64]
            sel = selector("supply(address,uint256,address,uint16)")
        elif kind == "borrow":
            words = [self.word(a), self.amount_word(), "%064x" % 2, "0" * 64, self.word(me)]
            sel = selector("borrow(address,uint256,uint256,uint16,address)")
        elif kind == "repay":
            words = [self.word(a), self.amount_word(), "%064x" % 2, self.word(me)]
            sel = selector("repay(address,uint256,uint256,address)")
        elif kind == "withdraw":
            words = [self.word(a), self.amount_word(), self.word(me)]
            sel = selector("withdraw(address,uint256,address)")
        else:
            words = [self.word(AAVE_POOL), "f" * 64 if self.rng.random() < 0.5 else self.amount_word()]
            sel = selector("approve(address,uint256)")
        self.cache["_words_" + kind] = (sel, words)
        return "0x" + sel + "".join(words)

    def etherscan_input(self, kind):
        self.get(kind)
        sel, words = self.cache["_words_" + kind]
        lines = ["Function: %s" % {"supply": "supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode)",
                                    "borrow": "borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)",
                                    "repay": "repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf)",
                                    "withdraw": "withdraw(address asset, uint256 amount, address to)",
                                    "approve": "approve(address spender, uint256 amount)"}[kind],
                 "", "MethodID: 0x" + sel]
        lines += ["[%d]:  %s" % (i, w) for i, w in enumerate(words)]
        return "\n".join(lines)

    def gen(self, name):
        r = self.rng
        base = name.rstrip("0123456789")
        if base == "tx":
            return "0x" + self.hexs(64)
        if base == "txnox":
            return self.hexs(64)
        if base == "txup":
            return "0x" + self.hexs(64).upper()
        if base == "blockhash":
            return "0x" + self.hexs(64)
        if base == "addr":
            return self.addr()
        if base == "addrlow":
            return "0x" + self.hexs(40)
        if base == "short":
            a = self.get("addr")
            return a[:6] + "…" + a[-4:]
        if base == "shorttx":
            t = self.get("tx")
            return t[:10] + "..." + t[-6:]
        if base == "sig":
            return "0x" + self.hexs(128) + r.choice(["1b", "1c"])
        if base == "rs":
            return "0x" + self.hexs(64)
        if base in ("supply", "borrow", "repay", "withdraw", "approve"):
            return self.calldata(base)
        if base.startswith("input"):
            return self.etherscan_input(name[len("input"):] or "supply")
        if base == "url":
            return r.choice(EXPLORERS) + "/tx/" + self.get("tx")
        if base == "addrurl":
            return r.choice(EXPLORERS) + "/address/" + self.get("addr")
        if base == "asset":
            return r.choice(ASSETS)
        if base == "token":
            return r.choice(sorted(REAL_TOKENS))
        if base == "tokenaddr":
            return REAL_TOKENS[self.get("token")]
        if base == "pool":
            return AAVE_POOL
        if base == "topic":
            return TRANSFER_TOPIC
        if base == "chain":
            return r.choice(CHAINS)
        if base == "chainzh":
            return r.choice(CHAINS_ZH)
        if base == "ens":
            return r.choice(ENS) + ".eth"
        if base == "amt":
            return r.choice(["%d" % r.randint(1, 999), "%.2f" % (r.random() * 5000),
                             "{:,}".format(r.randint(1000, 250000)), "%.4f" % (r.random() * 10),
                             "0.%02d" % r.randint(1, 99)])
        if base == "hf":
            return "%.2f" % (1 + r.random() * 0.3) if r.random() < 0.7 else "%.3f" % (0.9 + r.random() * 0.2)
        if base == "pct":
            return "%.1f" % (r.random() * 90)
        if base == "gwei":
            return "%d" % r.randint(3, 180)
        if base == "nonce":
            return "%d" % r.randint(0, 900)
        if base == "block":
            return "%d" % r.randint(17_000_000, 21_500_000)
        if base == "num":
            return "%d" % r.randint(2, 60)
        if base == "time":
            return "%02d:%02d" % (r.randint(0, 23), r.randint(0, 59))
        if base == "hexid":
            return self.hexs(16)
        if base == "blockhex":
            return hex(int(self.get("block")))
        if base == "addrpad":
            return "0x" + "0" * 24 + self.hexs(40)
        if base == "amountword":
            return "0x%064x" % int(self.get("amountwei"))
        if base == "amountwei":
            return str(r.randint(10 ** 15, 10 ** 21))
        raise KeyError(name)

    def get(self, name):
        if name not in self.cache:
            self.cache[name] = self.gen(name)
        return self.cache[name]


SLOT_RE = re.compile(r"<([a-z]+[0-9]?)>")


def fill(template, rng):
    s = Slots(rng)
    return SLOT_RE.sub(lambda m: s.get(m.group(1)), template).strip("\n")


def split_templates(text):
    return [t.strip("\n") for t in text.split("\n~~\n") if t.strip()]


EN_TEMPLATES = split_templates(r"""
Hi, my transaction <tx> has been pending for over an hour. I tried to repay my <asset> loan on Aave and it just says pending. What should I do?
~~
tx hash: <tx>
it's stuck, gas was <gwei> gwei. can you check?
~~
Why did my supply fail? Here is the link: <url>
~~
I got liquidated last night!! <url> — my health factor was <hf> when I went to bed. How is that possible?
~~
hello, my wallet address is <addr>, can you tell me why my health factor shows <hf>? I only borrowed <amt> <asset>.
~~
Can you check my position? address <addr> on <chain>
~~
my ens is <ens>, the position is on <chain>. I supplied <amt> <asset> and borrowed <amt2> USDC. Is my account safe?
~~
/verify <sig>
~~
/verify <addr> <sig>
~~
Here is the signature you asked for: <sig>
~~
I signed the message in MetaMask and got this signature:
<sig>
Does that prove I own <addr>?
~~
The dapp asked me to sign and then showed this calldata, is it a normal Aave supply call?
<supply>
~~
MetaMask shows this hex data before I confirm, is it safe?

<borrow>
~~
This is the input data from etherscan, I think the amount is wrong:

<inputsupply>
~~
Decoded input from the explorer:
<inputborrow>

Why is interestRateMode 2?
~~
I copied the raw input of my repay: <repay>
the tx was <tx> and it reverted.
~~
Approval tx <tx> went through but then supply failed. The approve data was <approve>
~~
<inputapprove>

is this an unlimited approval? I don't remember giving infinite allowance to the pool <pool>
~~
Error: execution reverted: 35
{"code":-32603,"message":"Internal JSON-RPC error.","data":{"code":3,"message":"execution reverted: 35","data":"0x08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000023335000000000000000000000000000000000000000000000000000000000000"}}
what does 35 mean??
~~
I keep getting this:
```
MetaMask - RPC Error: Internal JSON-RPC error.
{ "code": -32000, "message": "insufficient funds for gas * price + value" }
```
but I have <amt> ETH in my wallet
~~
Got this in the console when I clicked withdraw:
{"jsonrpc":"2.0","id":<num>,"error":{"code":-32000,"message":"nonce too low"}}
then it tried again with nonce <nonce> and the hash was <tx>
~~
Receipt of my failed tx, in case it helps:
{
  "transactionHash": "<tx>",
  "blockHash": "<blockhash>",
  "blockNumber": "<blockhex>",
  "from": "<addrlow>",
  "to": "<pool>",
  "status": "0x0",
  "gasUsed": "0x3a2f1"
}
~~
logs from the receipt:
[{"address":"<tokenaddr>","topics":["<topic>","<addrpad>","0x00000000000000000000000087870bca3f3fd6335c3f4ce8392d69350b4fa4e2"],"data":"<amountword>","transactionHash":"<tx>"}]
~~
The app crashed with this log:
2024-11-0<num> <time>:12 ERROR tx_sender: replacement transaction underpriced hash=<tx> nonce=<nonce>
2024-11-0<num> <time>:15 WARN  tx_sender: retrying with gas price <gwei> gwei
~~
Could you please look at <url> and <url2>? The first one worked, the second one failed and I paid gas twice.
~~
my repay to the pool went to the wrong address? I sent <amt> <asset> to <addr> instead of the pool, tx: <tx>
~~
Transaction hash <txup> (sorry for caps, copied from my phone)
I want to know if it's confirmed
~~
tx: <txnox>
it was a withdraw of <amt> <asset> on <chain>, nothing arrived in my wallet
~~
Hash of the bridge tx: <tx>
Bridged <amt> USDC from Ethereum to <chain> 3 hours ago, still nothing on the other side. Which bridge should I use next time?
~~
The permit signature the frontend produced:
{"owner":"<addr>","spender":"<pool>","value":"<amountwei>","deadline":1735689600,"v":28,"r":"<rs>","s":"<rs2>"}
and then supplyWithPermit reverted. why?
~~
Hello? Is anyone there? I have a question about my account. Can you help me?
~~
How do I know if I am about to be liquidated? What health factor is too low?
~~
what is the liquidation threshold for <asset> on <chain>?
~~
Please make sure you answer me today, I have to decide whether to repay or add more collateral before the price drop gets worse, and I don't have enough time to read all the docs again.
~~
I want to borrow some stable coins against my ETH but I am not sure how much is safe, can you give me a simple example with numbers?
~~
The price of <asset> dropped <pct>% and now my position looks scary. Should I add collateral or repay part of the debt? I have about <amt> USDC spare.
~~
okay so basically I have a simple question, if I supply more collateral and then borrow a little more, will my health factor go up or down, and is there any fee for that, because last time I had to pay a lot of gas and I want to avoid that this time if possible
~~
You know, I have been using this protocol for a long time and never had any problem, but this month everything is slow, every transaction takes forever, the gas price is crazy, the app shows the wrong balance, and support never answers. What is going on?
~~
Hey team,
1. I supplied <amt> <asset>
2. I enabled it as collateral
3. I tried to borrow <amt2> GHO
4. the button is grey and says "not enough collateral"
What did I do wrong?
~~
Steps I followed:
- open the app
- connect wallet
- select <asset>
- click supply, approve, confirm
- wait
- nothing happens, balance still zero
Can you help?
~~
My assets right now:
• <asset>: <amt>
• <asset2>: <amt2>
• USDC: <amt3>
• debt: <amt4> USDT
Is this a safe position or should I do something?
~~
List of my collateral: ETH, wstETH, cbETH, rETH, WBTC, LINK, AAVE. Which ones count for e-mode?
~~
Is the bridge safe? I want to move <amt> <asset> from <chain> to <chain2> and then supply it there because the rates are better, but I am afraid the bridge will hold my funds for days.
~~
what is the difference between variable rate and stable rate? which one is better for a long loan?
~~
The app says "Health factor: <hf>" but the other dashboard says <hf2>. Which one is correct?
~~
I can't withdraw. It says: Error: "Action requires an active reserve". What does that mean?
~~
Error message: "CALL_EXCEPTION" reason="execution reverted: 26" code=CALL_EXCEPTION version=providers/5.7.2
~~
Withdraw button gives: "You can not withdraw this amount because it will cause collateral call"
~~
my wallet disconnected in the middle of the transaction and now I don't know whether it went through. nonce <nonce>. address <addr>
~~
I accidentally clicked "repay with collateral" instead of "repay". Can I undo it? tx <tx>
~~
Good morning! Quick question: is there a minimum amount for supplying <asset>?
~~
thanks a lot, that solved it 🙏
~~
thank you!!! 🎉🎉🎉 my position is safe now
~~
😭😭😭 liquidated again
~~
👋 hi, is the Aave interface down? I get a blank page on app.aave.com
~~
Is <url> a liquidation? I don't understand the events tab.
~~
can I repay someone else's debt? My friend <ens> is about to be liquidated and he is asleep, his address is <addr>
~~
I sent the funds from Binance directly to my Aave position address <addr>, did I lose them?
~~
Someone in a Telegram group said they are Aave support and asked me for my recovery phrase. Is that you? I didn't send anything.
~~
Should I ever share my private key or seed phrase with support? Just checking before I continue.
~~
A website asked me to "validate my wallet" by typing my 12 words. I closed it. Was that a scam?
~~
I think my wallet got drained. All my tokens were moved to <addr> in tx <tx>. What can I do? Can you freeze it?
~~
I lost my seed phrase but I still have MetaMask open on my laptop. How do I make a backup?
~~
How do I export my account from MetaMask to Rabby without losing my Aave positions?
~~
where can I see the history of my interest payments?
~~
The APY changed from <pct>% to <pct2>% in one day, why?
~~
Is there a way to get notified when my health factor goes below <hf>?
~~
I'm trying to use e-mode for ETH correlated assets but it says I have a borrow that is not in the category. I only have <asset> debt.
~~
my gho borrow rate seems high, can I use stkAAVE discount?
~~
Can you explain isolation mode in simple words? I supplied <asset> and now I can only borrow stablecoins.
~~
why is my <asset> not shown as collateral? The toggle is off and I can't turn it on
~~
I supplied on <chain> but I see nothing on the dashboard. tx <tx>, block <block>
~~
the block <block> contains my tx, explorer shows success, but the app shows nothing
~~
Does flash loan have fees? I want to do a collateral swap from <asset> to <asset2>.
~~
I want to close everything: repay all debt and withdraw all collateral. What's the order? Do I need to keep some ETH for gas?
~~
Tried to repay max but a tiny amount of debt is left, like 0.000001 <asset>. How do I clear the dust?
~~
Hi, I am new to DeFi. What is a health factor? Is it like a credit score?
~~
Can I borrow and supply the same asset? Like a loop? Is it risky?
~~
gas price is <gwei> gwei right now, is it a good time to repay or should I wait?
~~
The transaction was replaced (sped up) and now I have two hashes:
old: <tx>
new: <tx2>
Which one counts?
~~
My Ledger shows "blind signing required" when I try to supply. Is it safe to enable it?
~~
Ledger error 0x6985 when signing the borrow, what does that mean?
~~
Hardware wallet keeps saying "Data is invalid" when I approve <asset>.
~~
WalletConnect session expired and now the dapp shows address <short> which is not mine??
~~
I see an address <addr> in my approvals list that I don't recognise, should I revoke it?
~~
What happens to my aTokens if I send them to another wallet <addr2>? Will the interest follow?
~~
I'd like to know the current supply cap and borrow cap for <asset> on <chain>.
~~
is the <asset> market frozen? I can't supply any more
~~
Any news about the governance proposal to change the <asset> LTV?
~~
please help, urgent, health factor <hf>, price still dropping, what do I do first
~~
help help help help help help help help help help help
~~
help help help help help
~~
hello hello hello hello hello hello hello hello hello hello hello hello hello? anyone?
~~
good morning good morning good morning good morning good morning good morning
~~
/link /link /link /link /link /link /link /link /link /link /link /link
~~
/link
/link
/link
/link
/link
/link
/link
/link
/link
/link
/link
/link
~~
please please please please please please please please please please please please please please please answer
~~
ok ok ok ok ok ok ok ok ok ok ok ok ok
~~
test test test test test test test test test test test test
~~
/start
~~
/help
~~
/position <addr>
~~
/position <ens>
~~
/link <addr>
~~
/alerts on <hf>
~~
/tx <tx>
~~
/status <tx>
~~
check <tx> please
~~
etherscan says "Fail with error 'SafeERC20: low-level call failed'" for <url>
~~
Warning! Error encountered during contract execution [execution reverted]
<url>
~~
In the tenderly trace I see: CALL Pool.borrow(asset=<tokenaddr>, amount=<amountwei>, interestRateMode=2, referralCode=0, onBehalfOf=<addr>) -> REVERT "36"
~~
Why is the token approval to <pool> needed every time? Can't I approve once?
~~
Is this the right pool address? <pool>
I want to verify before I send anything.
~~
Contract I interacted with: <addrlow> — is this an official Aave contract?
~~
Bridge status from the bridge UI:
Source tx: <tx>
Destination tx: pending
Amount: <amt> <asset>
Route: Ethereum → <chain>
ETA: 20 min (it's been 2 hours)
~~
I want to repay with aTokens, is that possible? I have a<asset> and debt in <asset>.
~~
when I try to swap collateral the quote changes every second and then it fails with "slippage". tx <tx>
~~
Health factor history:
Monday <hf>
Tuesday <hf2>
Wednesday <hf3>
Today <hf4>
why does it go down if I did nothing?
~~
my balance in the app: <amt> <asset>
my balance on etherscan: <amt2> <asset>
why different??
~~
I have a question about taxes, does Aave give a report of interest earned?
~~
Do you have a Chinese speaking support? 你好，有中文客服吗？
~~
sorry my english not good. i borrow usdt, price go down, app say danger. what i do? address <addr>
~~
i'm a bit worried: last week i supplied <amt> <asset>, then borrowed some stable, then the market moved and now the app shows a red number. is it the liquidation price? how far away am i? i'd rather not lose everything, i saved for a long time.
~~
Here's what I see on the dashboard:

Net worth $<amt>
Net APY <pct>%
Health factor <hf>

Supplies: <asset> <amt2>, <asset2> <amt3>
Borrows: USDC <amt4>

Is this good?
~~
Claim rewards failed with "execution reverted" — tx <tx> on <chain>
~~
the merkl rewards / incentives, where do I claim them?
~~
Whenever I open the app on my phone it says "unsupported network". I'm on <chain>.
~~
Does Aave support Solana or Bitcoin directly? I have BTC on an exchange and want to use it as collateral.
~~
I used a DeFi Saver automation and it repaid part of my debt: <url>. Was that a liquidation or not?
~~
My multisig (Safe) <addr> can't execute the borrow, it says GS013. The safe tx hash is <tx>.
~~
Safe transaction hash: <tx>
Nonce: <nonce>
Signers: 2/3
One of the signers is away, can we still supply?
~~
I bought the dip with borrowed money and the dip kept dipping 😅 HF <hf>, what are my options
~~
just to confirm, if I borrow <amt> USDC at <pct>% variable, how much interest do I pay per month?
~~
interest rate went crazy on USDT, utilization 99%. when can I withdraw my supply?
~~
What wallet do you recommend? I use MetaMask on Chrome and Trust Wallet on my phone.
~~
I got an airdrop of a token I don't know into my wallet, should I interact with it?
""")

ZH_TEMPLATES = split_templates(r"""
你好，我的交易 <tx> 已经等了一个多小时还没确认，我是在 Aave 上还 <asset> 的借款，请问怎么办？
~~
交易哈希：<tx>
一直卡着，gas 给的是 <gwei> gwei，麻烦帮我查一下
~~
为什么我存款失败了？链接在这里：<url>
~~
我昨晚被清算了！<url> 睡觉前健康因子还是 <hf>，怎么会这样？
~~
你好，我的钱包地址是 <addr>，为什么健康因子显示 <hf>？我只借了 <amt> <asset>。
~~
帮我看看仓位可以吗？地址 <addr>，在 <chainzh> 上
~~
我的 ENS 是 <ens>，仓位在 <chainzh>。存了 <amt> <asset>，借了 <amt2> USDC，账户安全吗？
~~
/verify <sig>
~~
这是你们要的签名：<sig>
~~
我在小狐狸里签了名，得到这个签名：
<sig>
这样能证明 <addr> 是我的吗？
~~
dapp 让我签名，然后显示了下面这段数据，这是正常的 Aave supply 调用吗？
<supply>
~~
确认之前 MetaMask 显示这段十六进制数据，安全吗？

<borrow>
~~
这是区块浏览器上的输入数据，我觉得金额不对：

<inputsupply>
~~
浏览器解码出来的输入：
<inputborrow>

为什么 interestRateMode 是 2？
~~
我复制了还款的原始数据：<repay>
交易是 <tx>，结果回滚了。
~~
授权交易 <tx> 成功了，但是存款失败。授权的数据是 <approve>
~~
<inputapprove>

这是无限授权吗？我不记得给过资金池 <pool> 无限额度
~~
报错：execution reverted: 35
{"code":-32603,"message":"Internal JSON-RPC error.","data":{"code":3,"message":"execution reverted: 35"}}
35 是什么意思？？
~~
一直出现这个：
```
MetaMask - RPC Error: Internal JSON-RPC error.
{ "code": -32000, "message": "insufficient funds for gas * price + value" }
```
可是我钱包里有 <amt> ETH 啊
~~
点取款的时候控制台出现：
{"jsonrpc":"2.0","id":<num>,"error":{"code":-32000,"message":"nonce too low"}}
然后又用 nonce <nonce> 重试了，哈希是 <tx>
~~
失败交易的回执，可能有用：
{
  "transactionHash": "<tx>",
  "blockHash": "<blockhash>",
  "blockNumber": "<blockhex>",
  "from": "<addrlow>",
  "to": "<pool>",
  "status": "0x0"
}
~~
回执里的日志：
[{"address":"<tokenaddr>","topics":["<topic>","<addrpad>","<addrpad2>"],"data":"<amountword>","transactionHash":"<tx>"}]
~~
App 崩溃了，日志如下：
2024-11-0<num> <time>:12 ERROR tx_sender: replacement transaction underpriced hash=<tx> nonce=<nonce>
2024-11-0<num> <time>:15 WARN  tx_sender: retrying with gas price <gwei> gwei
~~
麻烦看一下 <url> 和 <url2>，第一笔成功了，第二笔失败了，gas 付了两次。
~~
我还款好像转错地址了？把 <amt> <asset> 转到了 <addr> 而不是资金池，交易：<tx>
~~
交易哈希 <txup>（手机复制的，大写了不好意思）
想知道确认了没有
~~
交易：<txnox>
是在 <chainzh> 上取 <amt> <asset>，钱包里什么都没收到
~~
跨链桥交易哈希：<tx>
三个小时前从以太坊跨了 <amt> USDC 到 <chainzh>，对面还是没到账。下次应该用哪个桥？
~~
前端生成的 permit 签名：
{"owner":"<addr>","spender":"<pool>","value":"<amountwei>","deadline":1735689600,"v":27,"r":"<rs>","s":"<rs2>"}
然后 supplyWithPermit 就回滚了，为什么？
~~
在吗？有人吗？我的账户有问题想问一下
~~
怎么知道自己快要被清算了？健康因子多少算太低？
~~
<asset> 在 <chainzh> 上的清算阈值是多少？
~~
请一定今天回复我，我得决定是还款还是补充抵押品，价格还在跌，我没有时间再把文档从头看一遍了。
~~
我想用 ETH 抵押借一些稳定币，但是不确定借多少比较安全，能不能举个简单的例子？
~~
<asset> 跌了 <pct>%，现在仓位看着很吓人。我应该补抵押品还是先还一部分债？手上还有大概 <amt> USDC。
~~
就是想问一个很简单的问题，如果我再存一些抵押品然后再多借一点，健康因子是会上升还是下降，有没有手续费，因为上次 gas 付了很多，这次想尽量省一点
~~
说实话我用这个协议很久了一直没出过问题，但是这个月什么都慢，每笔交易都要等很久，gas 贵得离谱，app 显示的余额也不对，客服也不回，到底怎么回事？
~~
你好，
1. 我存了 <amt> <asset>
2. 打开了抵押开关
3. 想借 <amt2> GHO
4. 按钮是灰色的，提示"抵押品不足"
我哪里做错了？
~~
我的操作步骤：
- 打开 app
- 连接钱包
- 选择 <asset>
- 点存款，授权，确认
- 等待
- 没反应，余额还是零
能帮忙看看吗？
~~
我现在的资产：
• <asset>：<amt>
• <asset2>：<amt2>
• USDC：<amt3>
• 负债：<amt4> USDT
这个仓位安全吗，需要做什么吗？
~~
我的抵押品：ETH、wstETH、cbETH、rETH、WBTC、LINK、AAVE，哪些可以用 e-mode？
~~
跨链桥安全吗？我想把 <amt> <asset> 从 <chainzh> 转到 <chainzh2>，那边利率更高，但是怕桥把钱卡好几天。
~~
浮动利率和固定利率有什么区别？长期借款用哪个好？
~~
App 上显示健康因子 <hf>，另一个看板显示 <hf2>，哪个是对的？
~~
取不出来，提示 Error: "Action requires an active reserve"，这是什么意思？
~~
错误信息："CALL_EXCEPTION" reason="execution reverted: 26" code=CALL_EXCEPTION
~~
点取款提示："You can not withdraw this amount because it will cause collateral call"，什么意思
~~
交易进行到一半钱包断开了，现在不知道有没有成功。nonce <nonce>，地址 <addr>
~~
我不小心点了"用抵押品还款"而不是"还款"，能撤销吗？交易 <tx>
~~
早上好！问一下，存 <asset> 有最低金额吗？
~~
非常感谢，问题解决了 🙏
~~
谢谢！！！🎉🎉 仓位安全了
~~
😭😭 又被清算了
~~
👋 你好，Aave 网站是不是挂了？打开 app.aave.com 一片空白
~~
<url> 这笔是清算吗？事件那一栏我看不懂
~~
可以帮别人还款吗？我朋友 <ens> 快被清算了，他在睡觉，地址是 <addr>
~~
我从币安直接提币到我的 Aave 仓位地址 <addr>，钱是不是丢了？
~~
有个电报群里的人说他是 Aave 客服，让我发助记词给他，是你们吗？我什么都没发。
~~
请问客服会不会要我的私钥或者助记词？先确认一下再继续。
~~
有个网站让我输入 12 个单词"验证钱包"，我关掉了，那是骗局吧？
~~
我钱包好像被盗了，所有币都被转到了 <addr>，交易是 <tx>。怎么办？能冻结吗？
~~
助记词丢了，但是电脑上的小狐狸还能打开，怎么备份？
~~
怎么把账户从 MetaMask 转到 Rabby，Aave 的仓位会不会丢？
~~
在哪里能看到利息的历史记录？
~~
APY 一天之内从 <pct>% 变成了 <pct2>%，为什么？
~~
健康因子低于 <hf> 的时候能不能通知我？
~~
我想给 ETH 相关资产开 e-mode，但是提示有不在这个类别的借款，我只借了 <asset>。
~~
GHO 借款利率好像很高，可以用 stkAAVE 打折吗？
~~
能不能用简单的话解释一下隔离模式？我存了 <asset>，现在只能借稳定币。
~~
为什么我的 <asset> 不算抵押品？开关是关着的，打不开
~~
我在 <chainzh> 存了款，可是看板上什么都没有。交易 <tx>，区块 <block>
~~
区块 <block> 里有我的交易，浏览器显示成功，但 app 里什么都没有
~~
闪电贷有手续费吗？我想把抵押品从 <asset> 换成 <asset2>。
~~
我想全部平仓：还清所有债务，取出所有抵押品。顺序是什么？需要留点 ETH 付 gas 吗？
~~
还款选了最大，但还剩一点点债，比如 0.000001 <asset>，这点灰尘怎么清掉？
~~
你好，我刚接触 DeFi，健康因子是什么？跟信用分一样吗？
~~
同一个资产可以又存又借吗？循环贷风险大不大？
~~
现在 gas 是 <gwei> gwei，现在还款合适吗还是再等等？
~~
交易被加速替换了，现在有两个哈希：
旧的：<tx>
新的：<tx2>
以哪个为准？
~~
Ledger 存款时提示"需要盲签"，打开安全吗？
~~
签借款的时候 Ledger 报错 0x6985，什么意思？
~~
硬件钱包授权 <asset> 的时候一直提示 "Data is invalid"。
~~
WalletConnect 会话过期了，现在 dapp 显示的地址是 <short>，不是我的？？
~~
授权列表里有个不认识的地址 <addr>，要不要撤销？
~~
如果我把 aToken 转到另一个钱包 <addr2>，利息会跟着过去吗？
~~
想了解一下 <asset> 在 <chainzh> 上现在的存款上限和借款上限。
~~
<asset> 市场是不是冻结了？存不进去了
~~
关于修改 <asset> LTV 的治理提案有消息吗？
~~
救命，急，健康因子 <hf>，价格还在跌，我先做什么
~~
在吗在吗在吗在吗在吗在吗在吗在吗在吗在吗在吗在吗
~~
你好你好你好你好你好你好
~~
帮帮我 帮帮我 帮帮我 帮帮我 帮帮我 帮帮我 帮帮我 帮帮我
~~
早上好 早上好 早上好 早上好 早上好 早上好
~~
谢谢谢谢谢谢谢谢谢谢谢谢谢谢谢谢
~~
/position <addr>
~~
/tx <tx>
~~
查一下 <tx> 谢谢
~~
etherscan 上显示 "Fail with error 'SafeERC20: low-level call failed'"，链接 <url>
~~
Tenderly 里看到：CALL Pool.borrow(asset=<tokenaddr>, amount=<amountwei>, interestRateMode=2, referralCode=0, onBehalfOf=<addr>) -> REVERT "36"
~~
为什么每次都要给 <pool> 授权？不能授权一次就好吗？
~~
这个资金池地址对吗？<pool>
发钱之前想先核实一下。
~~
我交互的合约是 <addrlow>，这是 Aave 官方合约吗？
~~
跨链桥界面上的状态：
源链交易：<tx>
目标链交易：等待中
数量：<amt> <asset>
路线：以太坊 → <chainzh>
预计：20 分钟（已经两个小时了）
~~
可以用 aToken 还款吗？我有 a<asset>，欠的也是 <asset>。
~~
换抵押品的时候报价每秒都在变，然后提示滑点过大失败了。交易 <tx>
~~
健康因子变化：
周一 <hf>
周二 <hf2>
周三 <hf3>
今天 <hf4>
我什么都没做，为什么一直在下降？
~~
app 里的余额：<amt> <asset>
etherscan 上的余额：<amt2> <asset>
为什么不一样？？
~~
Aave 会给利息收入的报表吗？报税要用
~~
Do you speak English? 我英文不太好，可以用中文吗？
~~
我上周存了 <amt> <asset>，然后借了一些稳定币，结果行情一变现在 app 上显示一个红色的数字，这是清算价格吗？离清算还有多远？这是我攒了很久的钱，真的不想全亏了。
~~
看板上是这样的：

净资产 $<amt>
净年化 <pct>%
健康因子 <hf>

存款：<asset> <amt2>，<asset2> <amt3>
借款：USDC <amt4>

这样算好吗？
~~
领取奖励失败，提示 "execution reverted"，交易 <tx>，在 <chainzh>
~~
手机上打开 app 总是提示"不支持的网络"，我在 <chainzh> 上。
~~
Aave 支持 Solana 或者比特币吗？我交易所里有 BTC，想拿来做抵押。
~~
我用了 DeFi Saver 自动化，它帮我还了一部分债：<url>，这算清算吗？
~~
我的多签 Safe <addr> 执行借款失败，提示 GS013，Safe 交易哈希是 <tx>。
~~
Safe 交易哈希：<tx>
Nonce：<nonce>
签名人：2/3
有一个签名人不在，还能存款吗？
~~
借钱抄底结果越抄越低 😅 健康因子 <hf>，现在有什么办法
~~
确认一下，如果我按 <pct>% 的浮动利率借 <amt> USDC，每个月大概付多少利息？
~~
USDT 利率疯涨，利用率 99%，我的存款什么时候能取出来？
~~
推荐用什么钱包？我电脑上用小狐狸，手机上用 Trust Wallet。
~~
钱包里收到一个不认识的空投代币，要不要理它？
~~
我想问一下，我在以太坊上存了一些 ETH 作为抵押品，然后借了 USDC，现在想把 USDC 跨到 Arbitrum 上去参与别的活动，这样做会不会影响我在主网上的健康因子？如果 ETH 价格下跌的话，我是不是需要及时回来还款？
~~
你们的机器人是不是坏了？我发 /position 没有反应，发了好几次了
~~
昨天晚上十二点左右我发起了一笔还款，钱包显示已发送，可是到现在 Aave 上的负债一点都没少，区块浏览器上也搜不到这笔交易，是不是被丢弃了？要不要重新发一次？会不会重复还款？
~~
问一下大家一般健康因子保持在多少比较放心？我现在是 <hf>，晚上睡觉总担心半夜价格暴跌被清算。
~~
我的情况：
一、主网存了 <amt> ETH
二、借了 <amt2> USDC
三、USDC 跨到了 <chainzh>
四、在那边又存进了 Aave
请问这样算循环借贷吗？风险在哪里？
~~
客服你好，我是新手，今天第一次用 Aave，存了一点 USDC 进去，页面上显示的 aUSDC 数量每分钟都在变多，这是正常的吗？利息是实时计算的吗？取出来的时候要不要付手续费？
~~
提示"健康因子过低，无法借款"，可是我的健康因子明明是 <hf>
~~
请问 GHO 是什么？和 USDC 有什么不同？借 GHO 会不会更便宜？
~~
我把钱包换了新手机，导入之后 Aave 上的仓位还在吗？
~~
官方有没有中文教程？英文的文档看不太懂，特别是关于清算和利率模型那部分
~~
为什么我取款的时候只能取一部分？剩下的提示"可用流动性不足"
~~
今天市场大跌，我的健康因子从 <hf> 掉到了 <hf2>，还差一点就被清算了，吓死了，幸好及时还了一部分款
~~
请问清算罚金是多少？被清算的时候是全部抵押品都没了，还是只卖掉一部分？
~~
我发现 app 上的价格和交易所的价格不一样，Aave 用的是哪个价格？是 Chainlink 吗？
""")

SPECIAL_ORDINARY = [
    # long everyday-English messages, dense in BIP39 words
    "I have enough balance in my account to make sure the loan is safe, but the price of the token can drop any time and the gas fee is high, so what should I do about it?",
    "Please check my account balance, I want to borrow more but the app says I don't have enough, and I also want to know if I should repay first or add more collateral before the price goes down again.",
    "Can you tell me if it is a good time to buy more, or should I wait until the market is stable, because I have some cash and I want to avoid another loss like last month?",
    "my wallet is empty after the bridge, the token never arrived, I paid the gas, the explorer says success, so where is my money, please help me find it",
    "Thank you for the quick answer, I will try again later tonight when the gas price is lower and I will let you know if the problem is still there.",
    "I just want to make sure I understand: if the price of ETH goes down by half, my health factor also goes down, and if it reaches one, someone can liquidate part of my loan, right?",
    "Sorry for the long message. I opened the position a year ago, supplied some ether, borrowed a little stable coin to pay a bill, then forgot about it. Today I see the debt has grown a lot because of the interest and the health factor is close to the limit. What is the easiest and cheapest way to close it all without a big loss?",
    "Where do I find the button to repay? I looked on the dashboard, in the menu, under my account, and in the settings, but I only see supply, borrow, withdraw and swap.",
    "Morning all. Coffee first, then question: does the interest on my deposit compound every block, every day, or only when I withdraw? Asking because the number on the screen keeps moving.",
    "This is the third time I ask the same question and nobody has given me a clear answer yet: why was my loan liquidated when the price on every exchange was above my liquidation price?",
    "Assets I hold: ETH, WBTC, USDC, USDT, DAI, LINK, AAVE, UNI, MKR, SNX, CRV, BAL, LDO, RPL, wstETH, rETH, cbETH, GHO, LUSD, FRAX.",
    "supply, borrow, repay, withdraw, swap, bridge, stake, claim, approve, revoke, transfer, deposit — which of these cost gas?",
    "Things I tried: clear cache, another browser, another wallet, another network, restart phone, reinstall app, wait one day. Nothing works.",
    "Order of operations please:\n1) approve\n2) supply\n3) enable collateral\n4) borrow\n5) bridge\n6) repay\n7) withdraw\nDid I get it right?",
    "Checklist before going to sleep:\n- health factor above 1.5\n- enough ETH for gas\n- alerts enabled\n- phone charged\nAnything else?",
    "again again again, the transaction failed again, same error, same wallet, same amount, same network, what is wrong",
    "wait wait wait wait wait wait wait wait wait wait wait wait — don't close my ticket, it's not solved",
    "no no no no no no no no no no no no no, I did NOT approve that",
    "hello?\nhello?\nhello?\nhello?\nhello?\nhello?\nhello?\nhello?\nhello?\nhello?\nhello?\nhello?",
    "🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏 please",
    "gm gm gm gm gm gm gm gm gm gm gm gm",
    "Help me understand the word 'liquidation': is it like a margin call on an exchange, or different?",
    "I asked a friend and he said never share a seed phrase, never share a private key, never sign a message you don't understand, and never approve unlimited amounts. Is that good advice?",
    "What do these words mean: LTV, liquidation threshold, liquidation bonus, reserve factor, utilization, e-mode, isolation mode, siloed borrowing?",
    "the game is over for me, lost everything in the crash, just want to know if any dust is left in the account",
    "your bot told me to link my wallet with /link and an address, I did, and now it says the address is already linked. I only have one wallet. Please fix.",
    "ENS names I own: alice.eth, alice-vault.eth, savings.alice.eth — can the bot link all three?",
    "Balance changed from 1,234.56 USDC to 1,229.10 USDC overnight. Borrow APY 5.21%, supply APY 3.10%, HF 1.84 → 1.79.",
    "My numbers: collateral $12,500, debt $6,100, LT 82.5%, HF = 12500*0.825/6100 = 1.69. Did I compute it right?",
    "你好 hello 我想问一下 health factor 是什么意思，为什么 my position 显示 warning？",
    "Can I talk to a human? 我想找人工客服 please",
    "The app in Chinese says 健康因子 but the docs say health factor, are they the same thing? 谢谢",
    "我的助记词和私钥都在纸上抄着，放在家里保险箱，这样安全吗？",
    "网上说千万不要把助记词告诉任何人，客服也不会问你要，是真的吗？",
    "有人私信我说帮我解决清算问题，要我先把钱包导入他的网站，我没理他，这种是骗子吧",
    "一二三四五六七八九十，我数了十遍还是不知道哪里出错了，交易就是发不出去",
    "我的资产清单：ETH、USDC、USDT、DAI、WBTC、LINK、AAVE、GHO、wstETH、cbETH，都在主网上",
    "存款、借款、还款、取款、兑换、跨链、质押、领取奖励，哪些操作需要付 gas？",
    "我试过的办法：清缓存、换浏览器、换钱包、换网络、重启手机、重装 app、等一天，都不行。",
    "请问操作顺序是不是这样：\n1）授权\n2）存款\n3）打开抵押\n4）借款\n5）跨链\n6）还款\n7）取款",
    "睡前检查清单：\n- 健康因子高于 1.5\n- 留够 ETH 付 gas\n- 打开提醒\n- 手机充好电\n还有别的吗？",
    "又失败了又失败了又失败了，同样的错误，同样的钱包，同样的金额，到底怎么回事",
    "等等等等等等，先别关工单，问题还没解决",
    "不是不是不是不是不是不是，我没有授权那笔交易",
    "为什么为什么为什么我的钱不见了",
    "余额从 1,234.56 USDC 一晚上变成了 1,229.10 USDC。借款年化 5.21%，存款年化 3.10%，健康因子 1.84 → 1.79。",
    "我的数据：抵押 12,500 美元，负债 6,100 美元，清算阈值 82.5%，健康因子 = 12500*0.825/6100 = 1.69，我算得对吗？",
    "老师您好，我父亲年纪大了，他之前在 Aave 上存了一些钱，现在他想取出来但是不会操作，我可以帮他操作吗？需要他的什么信息？",
    "我想说一下我的经历：上个月我把一部分积蓄换成了以太坊，然后听朋友说可以存到 Aave 里面赚利息，还可以抵押借出稳定币去买别的，我就照做了，一开始还挺好的，后来市场大跌，我的健康因子一路往下掉，我不知道该怎么办，只好来问你们，希望能给我一些建议。",
    "是不是只要健康因子大于一就不会被清算？那我保持在一点一是不是就可以了？",
    "中文界面里的\"可借额度\"和\"剩余额度\"有什么区别？",
    "今天天气很好，心情也不错，就是仓位有点亏，想问问你们有没有什么好的建议，谢谢，祝你们工作顺利",
    "你们好，我想咨询一下关于利率的问题，为什么最近借款利率变化这么大，有时候一天之内变好几次，有没有什么办法可以锁定利率？",
    "请问在中国大陆可以使用吗？需要科学上网吗？",
    "我只是想知道我的钱还在不在，其他什么都不想知道了",
]


# --------------------------------------------------------------------------
# ambiguity checks on ordinary text
CJK_RE = re.compile(r"[\u3400-\u9fff]")
ZH_SEPS = set(" \t\n、，,;；")


def valid_windows(idx_run):
    for n in (12, 15, 18, 21, 24):
        for s in range(0, len(idx_run) - n + 1):
            if checksum_ok(idx_run[s:s + n]):
                return True
    return False


def en_runs(text):
    runs, cur = [], []
    for tok in re.split(r"[^A-Za-z]+", text):
        if not tok:
            continue
        i = EN_IDX.get(tok.lower())
        if i is None:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(i)
    if cur:
        runs.append(cur)
    return runs


def zh_runs(text):
    runs, cur = [], []
    pending_sep = False
    for ch in text:
        if ch in ZH_SEPS:
            pending_sep = True
            continue
        i = ZH_IDX.get(ch)
        if i is None:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(i)
        pending_sep = False
    if cur:
        runs.append(cur)
    return runs


def ambiguous(text):
    return any(valid_windows(r) for r in en_runs(text) + zh_runs(text) if len(r) >= 12)


def max_distinct_run(text):
    best = 0
    for r in en_runs(text) + zh_runs(text):
        if len(set(r)) > 1 or len(r) < 12:
            best = max(best, len(r)) if len(set(r)) > 1 else best
    return best


# ==========================================================================
# SECRET MESSAGES
# ==========================================================================
def num_lines(fmt):
    return lambda ws: "\n".join(fmt.format(i=i + 1, w=w) for i, w in enumerate(ws))


def grid(cols):
    def r(ws):
        cells = ["%d. %s" % (i + 1, w) for i, w in enumerate(ws)]
        return "\n".join("   ".join(cells[k:k + cols]) for k in range(0, len(cells), cols))
    return r


EN_FORMATS = {
    "spaces": lambda ws: " ".join(ws),
    "double-spaces": lambda ws: "  ".join(ws),
    "newlines": lambda ws: "\n".join(ws),
    "numbered-dot": num_lines("{i}. {w}"),
    "numbered-paren": num_lines("{i}) {w}"),
    "numbered-dash": num_lines("{i}-{w}"),
    "numbered-hash": num_lines("#{i} {w}"),
    "numbered-inline": lambda ws: " ".join("%d. %s" % (i + 1, w) for i, w in enumerate(ws)),
    "numbered-grid": grid(3),
    "word-n-colon": lambda ws: ", ".join("Word %d: %s" % (i + 1, w) for i, w in enumerate(ws)),
    "json-array": lambda ws: json.dumps(ws),
    "json-array-compact": lambda ws: json.dumps(ws, separators=(",", ":")),
    "json-object": lambda ws: json.dumps({"mnemonic": " ".join(ws)}),
    "quoted-comma-double": lambda ws: ", ".join('"%s"' % w for w in ws),
    "quoted-comma-single": lambda ws: ", ".join("'%s'" % w for w in ws),
    "semicolons": lambda ws: "; ".join(ws),
    "colons": lambda ws: ": ".join(ws),
    "periods": lambda ws: " ".join(w + "." for w in ws),
    "backticks-each": lambda ws: " ".join("`%s`" % w for w in ws),
    "backticks-whole": lambda ws: "`%s`" % " ".join(ws),
    "code-block": lambda ws: "```\n%s\n```" % " ".join(ws),
    "bullets-dash": lambda ws: "\n".join("- " + w for w in ws),
    "bullets-dot": lambda ws: "\n".join("• " + w for w in ws),
    "bullets-star": lambda ws: "\n".join("* " + w for w in ws),
    "glued": lambda ws: "".join(ws),
    "capitals": lambda ws: " ".join(w.upper() for w in ws),
    "title-case": lambda ws: " ".join(w.capitalize() for w in ws),
    "tabs": lambda ws: "\t".join(ws),
    "commas": lambda ws: ", ".join(ws),
    "commas-nospace": lambda ws: ",".join(ws),
    "hyphens": lambda ws: "-".join(ws),
    "pipes": lambda ws: " | ".join(ws),
    "numbered-nospace": num_lines("{i}.{w}"),
    "numbered-colon": num_lines("{i}: {w}"),
    "word-n-colon-lines": num_lines("Word {i}: {w}"),
    "rows-of-4": lambda ws: "\n".join(" ".join(ws[k:k + 4]) for k in range(0, len(ws), 4)),
}

ZH_FORMATS = {
    "zh-spaces": lambda ws: " ".join(ws),
    "zh-nospace": lambda ws: "".join(ws),
    "zh-dunhao": lambda ws: "、".join(ws),
    "zh-fullwidth-comma": lambda ws: "，".join(ws),
    "zh-ascii-comma": lambda ws: ", ".join(ws),
    "zh-newlines": lambda ws: "\n".join(ws),
    "zh-numbered-dot": num_lines("{i}. {w}"),
    "zh-numbered-paren": num_lines("{i}) {w}"),
    "zh-numbered-grid": grid(4),
    "zh-json-array": lambda ws: json.dumps(ws, ensure_ascii=False),
    "zh-quoted-comma": lambda ws: ", ".join('"%s"' % w for w in ws),
    "zh-bullets-dash": lambda ws: "\n".join("- " + w for w in ws),
    "zh-bullets-dot": lambda ws: "\n".join("• " + w for w in ws),
    "zh-tabs": lambda ws: "\t".join(ws),
    "zh-semicolons": lambda ws: "；".join(ws),
    "zh-rows-of-3-nospace": lambda ws: "\n".join("".join(ws[k:k + 3]) for k in range(0, len(ws), 3)),
    "zh-spaced-dunhao": lambda ws: " 、 ".join(ws),
    "zh-numbered-inline": lambda ws: " ".join("%d.%s" % (i + 1, w) for i, w in enumerate(ws)),
    "zh-word-n-colon": lambda ws: "，".join("第%d个：%s" % (i + 1, w) for i, w in enumerate(ws)),
}

EN_WRAPS = [
    "{s}",
    "{s}",
    "my wallet got drained, here is my seed phrase so you can check: {s}",
    "Here is my recovery phrase:\n{s}\nplease restore my account",
    "seed phrase: {s}",
    "mnemonic = {s}",
    "Support asked me for my 12 words, here they are\n\n{s}\n\nthanks",
    "I can't log in, my secret phrase is {s} what do I do",
    "{s}\n\nis this phrase still valid? metamask says invalid",
    "Hi! Is this the right recovery phrase format? {s}",
    "I wrote this down when I created the wallet:\n{s}",
    "backup words -> {s}",
]
ZH_WRAPS = [
    "{s}",
    "{s}",
    "助记词：{s}",
    "我的钱包被盗了，这是我的助记词，帮我查一下：{s}",
    "你好，我导入钱包一直失败，助记词是\n{s}\n是不是哪里写错了？",
    "这是我的助记词 {s} 麻烦帮我恢复账户",
    "{s}\n\n这个助记词还能用吗",
    "客服说要验证钱包，我的助记词如下：\n{s}",
    "my seed phrase (Chinese wordlist): {s}",
    "钱包备份的时候抄下来的：{s}",
]
KEY_WRAPS_EN = [
    "{s}",
    "{s}",
    "my private key is {s}",
    "Private key: {s}",
    "here is my key, please restore my wallet:\n{s}",
    "I exported the private key from MetaMask: {s} — can you check the balance?",
    "Is this the correct private key format?\n\n{s}\n\nthanks",
    "PRIVATE_KEY={s}",
    "wallet hacked, funds gone. key {s} please help",
]
KEY_WRAPS_ZH = [
    "私钥是 {s}",
    "我的私钥：{s}",
    "这是我从小狐狸导出的私钥\n{s}\n帮我看看余额",
    "钱包被盗了，私钥 {s}，能帮我追回吗",
    "{s}\n这个私钥格式对吗？",
]


def block_wrap(wrap):
    """Put a multi-line secret on lines of its own inside the wrapping sentence."""
    w = re.sub(r"[ \t]*\{s\}[ \t]*", "\n{s}\n", wrap)
    w = re.sub(r"\n{3,}", "\n\n", w)
    return w.strip("\n")


def typo(rng, w, wl_set):
    for _ in range(100):
        i = rng.randrange(len(w))
        if rng.random() < 0.5 and len(w) > 4:
            t = w[:i] + w[i + 1:]
        else:
            t = w[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + w[i + 1:]
        if t != w and t not in wl_set:
            return t
    raise RuntimeError("no typo for " + w)


ZH_NON_LIST = [c for c in "押贷款账仓兑绑删驶铺锁疯蚀矿" if c not in ZH_IDX]


def cjk_only(s):
    return "".join(CJK_RE.findall(s))


def safe_secret(kind, tokens, surrounding):
    low = surrounding.lower()
    if kind == "words":
        return all(t.lower() not in low for t in tokens if len(t) >= 4)
    if kind == "chars":
        c = cjk_only(surrounding)
        return all(tokens[i] + tokens[i + 1] not in c for i in range(len(tokens) - 1)) and \
            not any(t in c for t in tokens)
    if kind == "hex":
        return all(t.lower() not in low for t in tokens)
    return all(t not in surrounding for t in tokens)


def build_secrets(rng):
    out = []  # (format, message, kind, tokens)
    lengths = [12, 24, 12, 15, 18, 21, 24, 12]

    def add_phrase(fmt_name, render, wl, wraps, kind, n, mode="valid"):
        wl_set = set(wl)
        for _ in range(200):
            if mode == "bad-checksum":
                ws = bad_checksum_words(rng, wl, n)
            else:
                ws = mnemonic(rng, wl, n)
            shown = list(ws)
            if mode == "typo":
                j = rng.randrange(n)
                if kind == "words":
                    shown[j] = typo(rng, ws[j], wl_set)
                else:
                    shown[j] = rng.choice(ZH_NON_LIST)
            wrap = rng.choice(wraps)
            body = render(shown)
            if "\n" in body:
                wrap = block_wrap(wrap)
            msg = wrap.format(s=body)
            surrounding = wrap.format(s=render([""] * n))
            toks = [t.lower() for t in shown] if kind == "words" else shown
            if safe_secret(kind, toks, surrounding):
                name = fmt_name if mode == "valid" else "%s+%s" % (fmt_name, mode)
                out.append(("%s/%d" % (name, n), msg, kind, toks))
                return
        raise RuntimeError("could not place secret")

    k = 0
    for name in EN_FORMATS:
        for rep in range(6 if name in ("spaces", "newlines", "numbered-dot") else 5):
            add_phrase(name, EN_FORMATS[name], EN, EN_WRAPS, "words", lengths[k % len(lengths)])
            k += 1
    for name in ZH_FORMATS:
        for rep in range(6 if name in ("zh-spaces", "zh-nospace") else 5):
            add_phrase(name, ZH_FORMATS[name], ZH, ZH_WRAPS, "chars", lengths[k % len(lengths)])
            k += 1
    # one typo
    for name in ["spaces", "newlines", "numbered-dot", "commas", "json-array", "capitals",
                 "spaces", "title-case", "bullets-dash", "tabs"]:
        add_phrase(name, EN_FORMATS[name], EN, EN_WRAPS, "words", lengths[k % len(lengths)], "typo")
        k += 1
    for name in ["zh-spaces", "zh-numbered-dot", "zh-newlines"]:
        add_phrase(name, ZH_FORMATS[name], ZH, ZH_WRAPS, "chars", 12, "typo")
    # invalid checksum (random words from the list)
    for name in ["spaces", "newlines", "numbered-dot", "numbered-paren", "json-array",
                 "commas", "bullets-dot", "word-n-colon", "spaces", "capitals"]:
        add_phrase(name, EN_FORMATS[name], EN, EN_WRAPS, "words", lengths[k % len(lengths)], "bad-checksum")
        k += 1
    for name in ["zh-spaces", "zh-numbered-dot", "zh-newlines"]:
        add_phrase(name, ZH_FORMATS[name], ZH, ZH_WRAPS, "chars", 12, "bad-checksum")

    # private keys
    def add_key(fmt_name, wraps, render, group):
        key = rand_key(rng).hex()
        body = render(key)
        wrap = rng.choice(wraps)
        if "\n" in body:
            wrap = block_wrap(wrap)
        msg = wrap.format(s=body)
        toks = [key[i:i + group] for i in range(0, 64, group)]
        assert safe_secret("hex", toks, wrap.format(s=""))
        out.append((fmt_name, msg, "hex", toks))

    def grouped(size, sep, prefix=""):
        return lambda k: prefix + sep.join(k[i:i + size] for i in range(0, 64, size))

    key_formats = [
        ("key-hex-lower", lambda k: k, 16),
        ("key-0x-lower", lambda k: "0x" + k, 16),
        ("key-hex-upper", lambda k: k.upper(), 16),
        ("key-0x-upper", lambda k: "0x" + k.upper(), 16),
        ("key-mixed-case", lambda k: "".join(c.upper() if i % 3 == 0 else c for i, c in enumerate(k)), 16),
        ("key-4x16-space", grouped(16, " "), 16),
        ("key-4x16-dash", grouped(16, "-"), 16),
        ("key-4x16-newline", grouped(16, "\n"), 16),
        ("key-8x8-space", grouped(8, " "), 8),
        ("key-8x8-dash", grouped(8, "-"), 8),
        ("key-8x8-newline", grouped(8, "\n"), 8),
        ("key-2x32-space", grouped(32, " "), 32),
        ("key-2x32-newline", grouped(32, "\n"), 32),
        ("key-2x32-dash", grouped(32, "-"), 32),
        ("key-0x-4x16-space", grouped(16, " ", "0x"), 16),
        ("key-quoted", lambda k: '"0x%s"' % k, 16),
        ("key-backticks", lambda k: "`%s`" % k, 16),
    ]
    for name, render, group in key_formats:
        for rep in range(4):
            add_key(name, KEY_WRAPS_EN, render, group)
        for rep in range(2):
            add_key(name + "-zh", KEY_WRAPS_ZH, render, group)

    # WIF and xprv
    for rep in range(8):
        key = rand_key(rng)
        comp = rep % 2 == 0
        wif = b58check(b"\x80" + key + (b"\x01" if comp else b""))
        wrap = rng.choice(KEY_WRAPS_EN if rep < 5 else KEY_WRAPS_ZH)
        toks = [wif[i:i + 16] for i in range(0, len(wif), 16) if len(wif[i:i + 16]) >= 8]
        assert safe_secret("b58", toks, wrap.format(s=""))
        out.append(("wif-compressed" if comp else "wif-uncompressed", wrap.format(s=wif), "b58", toks))
    for rep in range(8):
        key = rand_key(rng)
        payload = (bytes.fromhex("0488ADE4") + bytes([rng.randrange(4)]) +
                   bytes(rng.getrandbits(8) for _ in range(4)) +
                   rng.getrandbits(31).to_bytes(4, "big") +
                   bytes(rng.getrandbits(8) for _ in range(32)) + b"\x00" + key)
        x = b58check(payload)
        wrap = rng.choice(["{s}", "xprv: {s}", "my extended private key {s}", "扩展私钥：{s}",
                           "exported from my wallet:\n{s}"])
        toks = [x[i:i + 16] for i in range(0, len(x), 16) if len(x[i:i + 16]) >= 8]
        assert x.startswith("xprv")
        out.append(("xprv", wrap.format(s=x), "b58", toks))
    return out


# ==========================================================================
def main():
    rng = random.Random(SEED)

    # ---- ordinary
    ordinary = []
    for rnd in range(4):
        for t in EN_TEMPLATES:
            if rnd == 3 or (rnd and "<" not in t):
                continue  # fixed texts only once
            ordinary.append(("en", fill(t, rng)))
        for t in ZH_TEMPLATES:
            if rnd and "<" not in t:
                continue
            ordinary.append(("zh", fill(t, rng)))
    for t in SPECIAL_ORDINARY:
        ordinary.append(("zh" if CJK_RE.search(t) else "en", t))
    seen, keep, amb = set(), [], []
    for lang, m in ordinary:
        if m in seen:
            continue
        seen.add(m)
        assert "\n---\n" not in "\n" + m + "\n", m
        (amb if ambiguous(m) else keep).append((lang, m))

    # ---- secrets
    secrets = build_secrets(rng)
    for fmt, msg, kind, toks in secrets:
        assert "\n---\n" not in "\n" + msg + "\n"
        assert not msg.startswith("# format:")

    def write(name, blocks):
        with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as f:
            f.write("\n---\n".join(blocks) + "\n")

    write("ordinary.txt", [m for _, m in keep])
    write("ordinary_ambiguous.txt", [m for _, m in amb])
    write("secrets.txt", ["# format: %s\n%s" % (fmt, msg) for fmt, msg, _, _ in secrets])
    write("secrets_expected.txt", ["%s\n%s" % (kind, " ".join(toks)) for _, _, kind, toks in secrets])

    # ---- stats
    en = sum(1 for l, _ in keep if l == "en")
    print("ordinary: %d (en %d, zh %d); ambiguous (checksum-valid run by chance): %d"
          % (len(keep), en, len(keep) - en, len(amb)))
    long_runs = [m for _, m in keep if max_distinct_run(m) >= 12]
    print("ordinary with a run of >=12 list words (not all identical): %d" % len(long_runs))
    for m in long_runs:
        print("   ", max_distinct_run(m), repr(m[:80]))
    print("secrets: %d" % len(secrets))
    counts = {}
    for fmt, _, _, _ in secrets:
        base = fmt.split("/")[0]
        counts[base] = counts.get(base, 0) + 1
    for k in sorted(counts):
        print("  %-32s %d" % (k, counts[k]))
    bylen = {}
    for fmt, _, kind, _ in secrets:
        key = ("%s/%s" % (kind, fmt.split("/")[1])) if "/" in fmt else kind
        bylen[key] = bylen.get(key, 0) + 1
    print("by kind/length:", ", ".join("%s=%d" % (k, bylen[k]) for k in sorted(bylen)))


if __name__ == "__main__":
    main()
