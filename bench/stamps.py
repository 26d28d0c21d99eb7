"""Words kept under a RECEIVED stamp: letters of the development set rendered with no stamp,
with the stamp across the sender's block and with it across the body, page one read by the
pipeline's OCR (through an image-only PDF at the post room's 200 dpi, as a scan arrives).

For each letter: the share of the sender's own words (name line, address lines, a date under
them) found in the page's text, and the share of all the letter's words found (the body's
words under a stamp are among them). Letters are split into two halves by writer so a
change tuned on one half is checked on the other. Prints figures; asserts nothing.
`.venv/bin/python -m bench.stamps [LETTERS]` (default 24 letters a half).
"""

from __future__ import annotations

import re
import sys
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ingest.ocr import ocr_worker_count, read_page
from ingest.scanfile import OCR_DPI, ScanFile
from postroom.letter import PostLetter, load_letters
from postroom.render import render_pdf

REPO = Path(__file__).resolve().parents[1]
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def recall(gold: Counter[str], found: Counter[str]) -> float | None:
    total = sum(gold.values())
    return sum((gold & found).values()) / total if total else None


def sender_words(letter: PostLetter) -> Counter[str]:
    lines = [letter.sender_name_line or "", *letter.sender_lines]
    if letter.date_side == "under_sender":
        lines.append(letter.date_text)
    return tokens("\n".join(lines))


def all_words(letter: PostLetter) -> Counter[str]:
    parts = [letter.sender_name_line or "", *letter.sender_lines, letter.date_text,
             *letter.recipient, letter.heading or "", letter.salutation, *letter.body]
    return tokens("\n".join(parts))


def page_one(letter: PostLetter, **style: object) -> Counter[str]:
    with ScanFile(render_pdf(letter, **style)) as scan:
        return tokens(read_page(scan.page_image(0, OCR_DPI)).text)


def measure(letter: PostLetter) -> dict[str, float | None]:
    fixed = {"holes": False, "staple": False}
    plain = page_one(letter, stamp=False, **fixed)
    on_sender = page_one(letter, stamp=True, stamp_place="sender", **fixed)
    on_body = page_one(letter, stamp=True, stamp_place="body", **fixed)
    sender, words = sender_words(letter), all_words(letter)
    # Only the words page one holds count: those the unstamped page gives back.
    reachable = words & plain
    return {"sender_plain": recall(sender, plain), "sender_stamped": recall(sender, on_sender),
            "body_stamped": recall(reachable, on_body)}


def half(letter: PostLetter) -> str:
    return "odd" if zlib.crc32(str(letter.labels.get("writer")).encode()) % 2 else "even"


def main() -> None:
    per_half = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    chosen: dict[str, list[PostLetter]] = {"odd": [], "even": []}
    for letter in load_letters(REPO / "data/letters"):
        if letter.kind == "letter" and letter.letterhead is None and letter.sender_lines:
            group = chosen[half(letter)]
            if len(group) < per_half:
                group.append(letter)
    start = time.perf_counter()
    for name, letters in chosen.items():
        with ThreadPoolExecutor(max_workers=ocr_worker_count() + 1) as pool:
            results = list(pool.map(measure, letters))
        print(f"{name} writers, {len(letters)} letters (resident's own, no letterhead):")
        for key, label in (("sender_plain", "sender's words, no stamp"),
                           ("sender_stamped", "sender's words, stamp on the sender's block"),
                           ("body_stamped", "page one's words, stamp across the body")):
            values = [r[key] for r in results if r[key] is not None]
            print(f"  {label}: {sum(values) / len(values):.3f} "
                  f"(min {min(values):.2f}, {sum(v < 0.9 for v in values)} below 0.90)")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
