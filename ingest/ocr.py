"""The one wrapper around the Tesseract program: page images in, text and confidence out.

One single-threaded Tesseract process per page (OMP_THREAD_LIMIT=1): on two cores Tesseract's
own OpenMP threading is about four times slower than one thread per page. A process-wide
semaphore holds the number of Tesseract processes to the cores, however many letters and
pages are being read at once, so pages of several letters share the cores without
oversubscribing them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image

from ingest.checkboxes import mark_ticks
from ingest.errors import QuarantineReason, UnreadableItem
from ingest.items import PageText, TextBlock
from ingest.pageclean import A4_WIDTH_INCHES, Box, clean_page, unread_ink
from ingest.pagelayout import Block, Word, build_blocks, mean_confidence, page_text, parse_words
from ingest.postcode_choices import CROP_MARGIN, mended, misread_postcodes

OCR_TIMEOUT_SECONDS = 120
# A page read below this mean word confidence may be sideways or upside down: only then is
# Tesseract's orientation detection (OSD) run, so upright pages cost one pass, not two.
OSD_BELOW_CONFIDENCE = 0.70
# OSD's own orientation confidence below which its answer is ignored (it guesses on pages
# with little text); Tesseract's documentation treats values above ~2 as meaningful.
OSD_MIN_CONFIDENCE = 2.0
OSD_MIN_DPI = 150
_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.M)
_ORIENTATION_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.M)


def ocr_worker_count() -> int:
    """Cores this process may use (respects CPU affinity in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_SLOTS = threading.BoundedSemaphore(ocr_worker_count())


@dataclass(frozen=True)
class PageImage:
    """A page to read and the resolution it was rendered or scanned at (None: unknown)."""

    image: Image.Image
    dpi: int | None = 300
    # Black and white only (a cleaned page): handed to Tesseract as one bit a pixel, which it
    # reads as it is instead of thresholding again (the same words, about an eighth less CPU).
    binary: bool = False


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def require_tesseract() -> None:
    if not tesseract_available():
        raise UnreadableItem(
            QuarantineReason.OCR_FAILED,
            "the page has no text layer and Tesseract is not installed (apt-get install "
            "tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd, or run make demo)",
        )


# A page, or a function rendering it when its turn comes (so a long letter is never held
# in memory as fifty 9-megapixel images at once).
PageSource = PageImage | Callable[[], PageImage]


def ocr_pages(pages: list[PageSource], *, first_page: int = 1) -> list[PageText]:
    """OCR pages in parallel, one single-threaded Tesseract per page, upright or turned."""
    if not pages:
        return []
    require_tesseract()
    # Twice the slots: the next pages are rendered while the current ones are read.
    workers = max(1, min(len(pages), 2 * ocr_worker_count()))

    def read(source: PageSource) -> PageRead:
        return read_page(source if isinstance(source, PageImage) else source())

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr") as pool:
        results = list(pool.map(read, pages))
    return [
        PageText(number=first_page + index, text=read.text, ocr_confidence=read.confidence,
                 rotation=read.rotation, text_source="ocr",
                 blocks=tuple(TextBlock(b.text, b.side, b.confidence,
                                        (b.box.left, b.box.top, b.box.right, b.box.bottom))
                              for b in read.blocks),
                 handwritten=read.handwritten)
        for index, read in enumerate(results)
    ]


@dataclass(frozen=True)
class PageRead:
    text: str
    confidence: float | None
    rotation: int = 0
    blocks: tuple[Block, ...] = ()
    handwritten: bool = False


def read_page(page: PageImage) -> PageRead:
    """Text of one page; a badly read page is checked with OSD and re-read turned upright."""
    read = recognise(page)
    if read.confidence is None or read.confidence >= OSD_BELOW_CONFIDENCE:
        return read
    rotation = detect_rotation(page)
    if rotation == 0:
        return read
    # Tesseract's "Rotate: N" is clockwise; Pillow's rotate() turns anticlockwise.
    turned = recognise(PageImage(page.image.rotate(-rotation, expand=True), page.dpi))
    if turned.confidence is not None and turned.confidence > read.confidence:
        return PageRead(turned.text, turned.confidence, rotation, turned.blocks,
                        turned.handwritten)
    return read


def recognise(page: PageImage) -> PageRead:
    """Every block of a page: cleaned, read once with word boxes, ink that gave no words read
    again on its own, the page rebuilt from the words' positions."""
    clean = PageImage(clean_page(page.image).image, page.dpi, binary=True)
    words = parse_words(_tsv(clean, "3"))
    words += reread_unread_ink(clean, words)
    words = reread_misread_postcodes(clean, words)
    words = mark_ticks(clean.image, words, clean.dpi or clean.image.size[0] / A4_WIDTH_INCHES)
    blocks = build_blocks(words, clean.image.size[0])
    confidence = mean_confidence(words)
    return PageRead(page_text(blocks), confidence, blocks=tuple(blocks),
                    handwritten=reads_as_handwriting(words))


# At most this many postcode-shaped pairs of a page are read again (two small runs each).
MAX_POSTCODE_REREADS = 4
# A re-read region's words below this confidence are noise (a stamp's edge, a blot).
REREAD_MIN_CONFIDENCE = 45.0
_STRIP_GAP = 24


def reread_unread_ink(page: PageImage, words: list[Word]) -> list[Word]:
    """Words from the ink the page's reading skipped: the regions stacked into one strip
    image and read as one uniform block (--psm 6, which reads text tangled with a stamp better
than --psm 4 or 11), so a page costs one extra run at most."""
    regions = unread_ink(page.image, [w.box for w in words])
    if not regions:
        return []
    width = max(r.width for r in regions) + 2 * _STRIP_GAP
    height = sum(r.height + _STRIP_GAP for r in regions) + _STRIP_GAP
    strip = Image.new("L", (width, height), 255)
    placed: list[tuple[int, Box]] = []
    y = _STRIP_GAP
    for region in regions:
        strip.paste(page.image.crop((region.left, region.top, region.right, region.bottom)),
                    (_STRIP_GAP, y))
        placed.append((y, region))
        y += region.height + _STRIP_GAP
    found = parse_words(_tsv(PageImage(strip, page.dpi, page.binary), "6"), key_offset=10_000)
    moved: list[Word] = []
    for word in found:
        for top, region in placed:
            if top - _STRIP_GAP // 2 <= word.box.top < top + region.height:
                dx, dy = region.left - _STRIP_GAP, region.top - top
                box = Box(word.box.left + dx, word.box.top + dy, word.box.right + dx,
                          word.box.bottom + dy)
                if word.confidence >= REREAD_MIN_CONFIDENCE and not _read_already(box, words):
                    moved.append(Word(word.text, box, word.confidence, word.line_key))
                break
    return moved


def reread_misread_postcodes(page: PageImage, words: list[Word]) -> list[Word]:
    """Words shaped like a postcode but not one as read, read again on their own with each
    character's alternatives (see postcode_choices): as a line (--psm 7), and only when that
    mends nothing as a word (--psm 8, whose list of alternatives sometimes keeps a character
    the line's drops). Most pages have no such pair; a page of codes (a reference list) is
    read again for its first few only, so it never costs more than a few small runs."""
    for pair in misread_postcodes(words)[:MAX_POSTCODE_REREADS]:
        box = pair.box
        crop = PageImage(page.image.crop((max(0, box.left - CROP_MARGIN),
                                          max(0, box.top - CROP_MARGIN),
                                          box.right + CROP_MARGIN, box.bottom + CROP_MARGIN)),
                         page.dpi, page.binary)
        for mode in ("7", "8"):
            done = _tesseract(crop, ["-l", "eng", "--psm", mode, "-c", "lstm_choice_mode=2",
                                     "hocr"])
            read = (mended(words, pair, done.stdout.decode("utf-8", "replace"))
                    if done.returncode == 0 else words)
            if read is not words:
                words = read
                break
    return words


def _read_already(box: Box, words: list[Word]) -> bool:
    """True when the box's middle lies in a word the page's reading already has."""
    x, y = (box.left + box.right) // 2, (box.top + box.bottom) // 2
    return any(w.box.left <= x <= w.box.right and w.box.top <= y <= w.box.bottom for w in words)


# Typed text reads with most words above 80; a hand leaves many words Tesseract half-guesses.
HANDWRITING_WEAK_WORD = 75.0
HANDWRITING_WEAK_SHARE = 0.4


def reads_as_handwriting(words: list[Word]) -> bool:
    """True when a large share of the page's words read weakly, as handwriting does."""
    scored = [w for w in words if w.confidence >= 0 and sum(c.isalpha() for c in w.text) >= 3]
    if len(scored) < 20:
        return False
    weak = sum(1 for w in scored if w.confidence < HANDWRITING_WEAK_WORD)
    return weak / len(scored) >= HANDWRITING_WEAK_SHARE


def _tsv(page: PageImage, psm: str) -> str:
    done = _tesseract(page, ["-l", "eng", "--psm", psm, "tsv"])
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise UnreadableItem(QuarantineReason.OCR_FAILED, f"Tesseract failed: {message}")
    return done.stdout.decode("utf-8", "replace")


def detect_rotation(page: PageImage) -> int:
    """Clockwise degrees (0, 90, 180, 270) that turn the page upright, by Tesseract's OSD,
    run on the page at half its resolution when that stays at 150 dpi or more: orientation
    shows in the shapes of letters as well at 150 dpi, for a quarter of the pixels."""
    if page.dpi and page.dpi >= 2 * OSD_MIN_DPI:
        page = PageImage(page.image.reduce(2), page.dpi // 2)
    done = _tesseract(page, ["-l", "osd", "--psm", "0"])
    # OSD fails on a page with too few characters; the page is then left as it is.
    return parse_osd(done.stdout.decode("utf-8", "replace")) if done.returncode == 0 else 0


def parse_osd(output: str) -> int:
    rotate = _ROTATE.search(output)
    confidence = _ORIENTATION_CONFIDENCE.search(output)
    if not rotate or not confidence or float(confidence.group(1)) < OSD_MIN_CONFIDENCE:
        return 0
    degrees = int(rotate.group(1)) % 360
    return degrees if degrees in (90, 180, 270) else 0


def _tesseract(page: PageImage, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """One Tesseract run on the page, written as an uncompressed PGM (a PBM when black and
    white) to a private temporary file (on tmpfs where there is one): PNG encoding would
    cost a tenth of the OCR, and Tesseract reads stdin a byte at a time, which costs a fifth."""
    if page.binary:
        image = page.image.convert("1", dither=Image.Dither.NONE)  # written as a PBM
    else:
        image = page.image if page.image.mode == "L" else page.image.convert("L")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.NamedTemporaryFile(prefix="triage-ocr-",
                                     suffix=".pbm" if page.binary else ".pgm",
                                     dir=_scratch_dir()) as scratch:
        image.save(scratch, format="PPM")
        scratch.flush()
        command = ["tesseract", scratch.name, "stdout", *args]
        if page.dpi:
            command[3:3] = ["--dpi", str(page.dpi)]
        with _SLOTS:
            try:
                return subprocess.run(command, capture_output=True, timeout=OCR_TIMEOUT_SECONDS,
                                      env=env, check=False)
            except subprocess.TimeoutExpired as exc:
                raise UnreadableItem(QuarantineReason.OCR_FAILED, "Tesseract timed out") from exc
            except OSError as exc:
                raise UnreadableItem(QuarantineReason.OCR_FAILED,
                                     f"Tesseract could not be run: {exc}") from exc


def _scratch_dir() -> str | None:
    """/dev/shm (memory) when writable, else the system's temporary directory."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def parse_tsv(tsv: str) -> tuple[str, float | None]:
    """Rebuild lines and paragraphs from Tesseract's TSV; confidence is the mean over words.

    A page with no words (a blank sheet, a photograph) has no confidence rather than zero,
    so it neither drags a letter into review nor passes for a well-read page.
    """
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(word)
        confidence = float(row.get("conf") or -1)
        if confidence >= 0:
            confidences.append(confidence)
    out: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, par, _line), words in lines.items():
        if previous is not None and previous != (block, par):
            out.append("")
        out.append(" ".join(words))
        previous = (block, par)
    mean = round(sum(confidences) / len(confidences) / 100, 3) if confidences else None
    return "\n".join(out), mean
