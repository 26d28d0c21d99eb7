"""OCR throughput: scanned letters through the pipeline against bare Tesseract, in one run.

The pipeline side reads stored letters exactly as a triage batch does
(`pipeline.batch.read_stored_items`: raw bytes from the store, text-layer check, pages rendered
at 300 dpi, one single-threaded Tesseract per page across the cores, OSD where a page reads
badly). The bare side runs `tesseract` itself (OMP_THREAD_LIMIT=1, one process per core, all
cores busy) over the very page images the pipeline renders, prepared beforehand and not timed.
Rounds alternate so that load from other work on the machine falls on both sides alike.
The pipeline's side includes everything it does beyond that one Tesseract run per page:
cleaning each page (median, binarising, deskewing), reading again the ink the first run
skipped, and reading once more, with each character's alternatives, a postcode the page's
reading broke by a character. The pages are the samples' scans and the first LETTERS
letters of the letters development set (data/letters) rendered as the post room scans them
(postroom/).
Prints figures; asserts nothing. `.venv/bin/python -m bench.ocr [ROUNDS] [LETTERS]`.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from core.settings import Settings
from ingest.items import RawItem
from ingest.ocr import OSD_BELOW_CONFIDENCE, ocr_worker_count
from ingest.scanfile import OCR_DPI, ScanFile
from models.db import migrate
from pipeline.batch import read_stored_items, store_raw_items
from postroom.letter import load_letters
from postroom.render import render_pdf

REPO = Path(__file__).resolve().parents[1]

TARGET = 0.9


def cpu_seconds() -> float:
    """CPU used so far by this process and the Tesseract processes it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare_tesseract(images: list[Path], workers: int) -> float:
    """Seconds for `tesseract` alone over the page images, `workers` processes at a time."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "stdout", "--dpi", str(OCR_DPI), "-l", "eng",
                        "--psm", "3", "tsv"], capture_output=True, env=env, check=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - start


def pipeline(settings: Settings, item_ids: list[int]) -> tuple[float, list]:
    start = time.perf_counter()
    readings = [reading for _id, reading in read_stored_items(settings, item_ids)]
    elapsed = time.perf_counter() - start
    failed = [r for r in readings if isinstance(r, BaseException)]
    if failed:
        raise SystemExit(f"the pipeline failed to read {len(failed)} letters: {failed[0]!r}")
    return elapsed, readings


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    rendered = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    letters = [(path.name, path.read_bytes())
               for path in sorted((REPO / "data/samples/scans").glob("*.pdf"))]
    letters += [(f"{letter.id}.pdf", render_pdf(letter))
                for letter in load_letters(REPO / "data/letters")[:rendered]]
    workers = ocr_worker_count()
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as work:
        work_dir = Path(work)
        settings = Settings(data_dir=work_dir / "var", _env_file=None)
        migrate(settings.resolved_database_url)
        raws = [RawItem("letter", data, f"file:{name}", datetime.now(UTC))
                for name, data in letters]
        item_ids = store_raw_items(settings, raws).stored
        images = []
        for name, data in letters:
            with ScanFile(data) as scan:
                for index in range(scan.page_count):
                    page = scan.page_image(index, OCR_DPI).image
                    target = work_dir / f"{Path(name).stem}-p{index + 1}.pgm"
                    page.save(target)
                    images.append(target)
        pages = len(images)
        print(f"{len(letters)} scanned letters (data/samples/scans and {rendered} rendered "
              f"from data/letters), {pages} pages at "
              f"{OCR_DPI} dpi, {workers} Tesseract processes at a time "
              f"(OMP_THREAD_LIMIT=1), {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.2f} at the start")
        bare_total = pipe_total = bare_cpu = pipe_cpu = 0.0
        readings: list = []
        for number in range(1, rounds + 1):
            before = cpu_seconds()
            bare = bare_tesseract(images, workers)
            middle = cpu_seconds()
            pipe, readings = pipeline(settings, item_ids)
            bare_cpu += middle - before
            pipe_cpu += cpu_seconds() - middle
            bare_total += bare
            pipe_total += pipe
            print(f"round {number}: bare tesseract {bare:6.2f} s = {60 * pages / bare:6.1f} "
                  f"pages/min; pipeline {pipe:6.2f} s = {60 * pages / pipe:6.1f} pages/min; "
                  f"ratio {bare / pipe:.3f}")
        read_pages = [page for item in readings for page in item.pages]
        turned = sum(1 for page in read_pages if page.rotation)
        doubtful = sum(1 for page in read_pages if page.ocr_confidence is not None
                       and page.ocr_confidence < OSD_BELOW_CONFIDENCE)
        print(f"pipeline read {len(read_pages)} pages; {doubtful} read below "
              f"{OSD_BELOW_CONFIDENCE:.2f} confidence (orientation checked), {turned} turned")
        bare_rate, pipe_rate = 60 * pages * rounds / bare_total, 60 * pages * rounds / pipe_total
        ratio = pipe_rate / bare_rate
        print(f"overall: bare tesseract {bare_rate:.1f} pages/min, pipeline {pipe_rate:.1f} "
              f"pages/min")
        print(f"ratio pipeline / bare tesseract: {ratio:.3f} (target >= {TARGET}) "
              f"{'MET' if ratio >= TARGET else 'NOT MET'}; load average "
              f"{os.getloadavg()[0]:.2f} at the end")
        # Wall-clock rates move with whatever else the machine runs; CPU per page does not,
        # and on an otherwise idle machine pages/min = 60 * cores / (CPU seconds per page).
        bare_per_page, pipe_per_page = bare_cpu / (pages * rounds), pipe_cpu / (pages * rounds)
        print(f"CPU per page: bare tesseract {bare_per_page:.3f} s, pipeline "
              f"{pipe_per_page:.3f} s; CPU-time ratio {bare_per_page / pipe_per_page:.3f} "
              f"(the wall-clock ratio an otherwise idle {workers}-core machine would show)")


if __name__ == "__main__":
    main()
