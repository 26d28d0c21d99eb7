"""The one wrapper around the Tesseract program: page images in, text and confidence out."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from ingest.errors import QuarantineReason, UnreadableItem
from ingest.items import PageText

OCR_TIMEOUT_SECONDS = 120


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_pages(images: list[Image.Image], *, first_page: int = 1) -> list[PageText]:
    """OCR pages in parallel, one single-threaded Tesseract per page.

    On two cores Tesseract's own OpenMP threading is about four times slower than one thread
    per page, so OMP_THREAD_LIMIT=1 and a process per page.
    """
    if not tesseract_available():
        raise UnreadableItem(
            QuarantineReason.OCR_FAILED,
            "the page has no text layer and Tesseract is not installed (apt-get install "
            "tesseract-ocr tesseract-ocr-eng, or run make demo)",
        )
    workers = max(1, min(len(images), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_ocr_one, images))
    return [
        PageText(number=first_page + index, text=text, ocr_confidence=confidence)
        for index, (text, confidence) in enumerate(results)
    ]


def _ocr_one(image: Image.Image) -> tuple[str, float]:
    with tempfile.TemporaryDirectory(prefix="triage-ocr-") as workdir:
        page_path = Path(workdir) / "page.png"
        image.save(page_path)
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(
                ["tesseract", str(page_path), "stdout", "-l", "eng", "--psm", "3", "tsv"],
                capture_output=True,
                timeout=OCR_TIMEOUT_SECONDS,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise UnreadableItem(QuarantineReason.OCR_FAILED, "Tesseract timed out") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise UnreadableItem(QuarantineReason.OCR_FAILED, f"Tesseract failed: {message}")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> tuple[str, float]:
    """Rebuild lines and paragraphs from Tesseract's TSV; confidence is the mean over words."""
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
    mean = sum(confidences) / len(confidences) / 100 if confidences else 0.0
    return "\n".join(out), round(mean, 3)
