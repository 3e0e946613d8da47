#!/usr/bin/env python3
"""Writes src/knowledge/jieba_dict.txt: the part of jieba's dictionary lendesk segments with.

jieba's full dictionary (349,045 words) takes about 80 ms to load, more than half the start-up
budget of `lendesk ask`. Segmentation only needs the words that can appear in what lendesk
reads or is likely to be sent, so this keeps:
  - every single character (their frequencies steer how runs are cut);
  - every longer word that occurs in the knowledge base (faq/) or in the word lists of
    src/knowledge/ (as written, and NFKC-lowercased as the analyzer sees it);
  - the most frequent COMMON longer words of everyday Chinese, so a user's message is cut as the
    full dictionary would cut it;
  - one padding entry (U+E000, never in text) carrying the frequency of everything dropped, so
    the total, and with it every word's probability, is the full dictionary's.
Words lendesk's corpus holds are thus cut exactly as the full dictionary cuts them
(`knowledge::normalize` tests this on every FAQ question). Run it after editing faq/:

    python3 scripts/jieba-dict.py [PATH/TO/jieba-rs/src/data/dict.txt]
"""
import glob
import os
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "knowledge" / "jieba_dict.txt"
COMMON = 20_000
PAD = "\ue000"


def full_dict():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    found = sorted(glob.glob(f"{home}/registry/src/*/jieba-rs-0.11.*/src/data/dict.txt"))
    if not found:
        raise SystemExit("jieba-rs 0.11 is not in the cargo registry: run `cargo fetch` first")
    return Path(found[-1])


def corpus():
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "faq").rglob("*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "src" / "knowledge").glob("*.txt"))
              if p != OUT]
    text = "\n".join(texts)
    return text + "\n" + unicodedata.normalize("NFKC", text).lower()


def main():
    entries = []
    for line in full_dict().read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts:
            entries.append((parts[0], int(parts[1]) if len(parts) > 1 else 0, line))
    total = sum(f for _, f, _ in entries)
    text = corpus()
    multi = [e for e in entries if len(e[0]) > 1]
    common = {w for w, _, _ in sorted(multi, key=lambda e: -e[1])[:COMMON]}
    kept = [e for e in entries if len(e[0]) == 1 or e[0] in common or e[0] in text]
    pad = total - sum(f for _, f, _ in kept)
    # No header: jieba reads every line as an entry.
    lines = [line for _, _, line in kept] + [f"{PAD} {pad} x"]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(kept)} of {len(entries)} words "
          f"({sum(1 for w, _, _ in kept if len(w) > 1)} longer than one character)")


if __name__ == "__main__":
    main()
