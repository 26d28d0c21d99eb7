"""The post room's scan folder and scanned letters, with real Tesseract and real files.

Scans are made by the repository's own renderer (tests/scanrender.py): noisy, skewed,
JPEG-compressed, image-only pages. OCR costs about a second a page on two cores, so each test
reads as few pages as shows what it tests.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas
from sqlalchemy import select

import ingest.ocr
from core.settings import Settings
from ingest.errors import QuarantineReason, UnreadableItem
from ingest.letters import extract_letter_text
from ingest.ocr import tesseract_available
from ingest.scanfolder import ScanFolder, ScanFolders
from ingest.splitting import split_letters
from models.db import session_scope
from models.scans import items_of_scan
from models.tables import Item, ItemStatus
from pipeline import batch
from pipeline import scan_pass as scanpass
from tests.scanrender import blank_page, render_letter_pages, render_letter_pdf

from .conftest import SAMPLES, triage_command, triage_in_process

needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason="Tesseract missing")

ROTATED = """> 4 Ribble Walk
> Preston PR2 8TT

3 November 2026

Dear Sir or Madam,

The kitchen window in my flat will not close and the frame is rotten. I have
asked twice for a carpenter and I am still waiting.

Yours sincerely,

Harold Entwistle
"""


def sample_text(name: str) -> str:
    text = (SAMPLES / "scans" / "text" / name).read_text(encoding="utf-8")
    return text.split("\n", 1)[1] if text.startswith("#render:") else text


def text_layer_pdf(lines: list[str], **options) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, **options)
    for index, line in enumerate(lines):
        pdf.drawString(72, 760 - 16 * index, line)
    pdf.save()
    return buffer.getvalue()


TYPED_LETTER = ["14 Brook Street, Preston PR1 7QQ", "", "Dear Sir or Madam,",
                "The communal lights on our landing have been out for three weeks.",
                "Please could you send an electrician to repair them.",
                "Yours faithfully,", "Joan Ashworth"]


def three_letter_batch() -> tuple[bytes, list[str]]:
    """Three sample letters, one page each, with a blank separator sheet between them."""
    names = ["0001.txt", "0002.txt", "0005.txt"]
    pages: list[Image.Image] = []
    for index, name in enumerate(names):
        if index:
            pages.append(blank_page(seed=index))
        pages += render_letter_pages(sample_text(name), seed=40 + index)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=200)
    return buffer.getvalue(), names


def scan_settings(settings: Settings, incoming: Path, **extra) -> Settings:
    incoming.mkdir(parents=True, exist_ok=True)
    return settings.model_copy(update={"scan_dir": incoming, "scan_settle_seconds": 0.0,
                                       **extra})


def one_pass(settings: Settings) -> scanpass.ScanPassReport:
    """The scan pass without Prefect (the CLI test runs the flow, which runs the same)."""
    return scanpass.run_pass(settings)


def stored_items(settings: Settings) -> list[Item]:
    with session_scope(settings.resolved_database_url) as session:
        items = list(session.query(Item).order_by(Item.id))
        for item in items:
            _ = item.pages, item.fields
        return items


# -- reading ------------------------------------------------------------------------------

def test_a_good_text_layer_is_read_without_running_tesseract(monkeypatch) -> None:
    runs: list[list[str]] = []
    monkeypatch.setattr(ingest.ocr, "_tesseract", lambda page, args: runs.append(args))
    item = extract_letter_text(text_layer_pdf(TYPED_LETTER))
    assert runs == []
    assert item.text_source == "text_layer"
    assert [page.text_source for page in item.pages] == ["text_layer"]
    assert "Joan Ashworth" in item.text and item.ocr_confidence is None


@needs_tesseract
@pytest.mark.ocr
def test_a_noisy_skewed_jpeg_damaged_scan_is_read_with_per_page_confidence(
        tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    render_letter_pdf(sample_text("0003.txt"), path, seed=11, skew_degrees=1.4, noise=0.035,
                      jpeg_quality=35)
    item = extract_letter_text(path.read_bytes())
    assert item.text_source == "ocr"
    assert all(page.text_source == "ocr" and page.ocr_confidence is not None
               for page in item.pages)
    assert item.ocr_confidence == min(page.ocr_confidence for page in item.pages)
    assert "Pickering" in item.text and "FY7 6QP" in item.text


@needs_tesseract
@pytest.mark.ocr
def test_a_page_scanned_upside_down_is_turned_by_osd_and_read() -> None:
    page = render_letter_pages(ROTATED, seed=21, rotate_180=True)[0]
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=200)
    item = extract_letter_text(buffer.getvalue())
    assert item.pages[0].rotation == 180
    assert "Entwistle" in item.text and "PR2 8TT" in item.text
    assert item.ocr_confidence is not None and item.ocr_confidence > 0.75


def test_orientation_output_is_believed_only_when_confident() -> None:
    sure = ("Page number: 0\nOrientation in degrees: 180\nRotate: 180\n"
            "Orientation confidence: 20.98\n")
    unsure = sure.replace("20.98", "1.31")
    assert ingest.ocr.parse_osd(sure) == 180
    assert ingest.ocr.parse_osd(unsure) == 0
    assert ingest.ocr.parse_osd("") == 0


@needs_tesseract
@pytest.mark.ocr
def test_jpeg_and_png_scans_are_read() -> None:
    page = render_letter_pages(ROTATED, seed=5)[0]
    for fmt in ("JPEG", "PNG"):
        buffer = io.BytesIO()
        page.save(buffer, format=fmt, dpi=(200, 200))
        item = extract_letter_text(buffer.getvalue())
        assert "Entwistle" in item.text, fmt


def test_a_pdf_page_too_large_to_render_is_refused_before_rendering() -> None:
    # 200 x 200 inches: 3.6 billion pixels at 300 dpi from a file of a few hundred bytes.
    raw = text_layer_pdf(["Dear Sir, a bomb of a page."], pagesize=(14400, 14400))
    with pytest.raises(UnreadableItem) as caught:
        extract_letter_text(raw)
    assert caught.value.reason == QuarantineReason.IMAGE_TOO_LARGE


def test_a_pdf_hiding_a_huge_image_in_a_small_page_is_refused() -> None:
    """The page renders small, but its embedded image would be decoded whole."""
    from reportlab.lib.utils import ImageReader

    buffer = io.BytesIO()
    Image.new("1", (3_000, 3_000), 1).save(buffer, format="PNG")  # 9 Mpx in a tiny file
    pdf_buffer = io.BytesIO()
    pdf = canvas.Canvas(pdf_buffer, pagesize=(298, 420))  # A6: 2.2 Mpx at 300 dpi
    pdf.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, 298, 420)
    pdf.save()
    with pytest.raises(UnreadableItem) as caught:
        extract_letter_text(pdf_buffer.getvalue(), max_image_pixels=4_000_000)
    assert caught.value.reason == QuarantineReason.IMAGE_TOO_LARGE
    assert "3000x3000" in caught.value.detail


def test_too_many_tiff_frames_are_refused() -> None:
    frames = [Image.new("L", (100, 100), 240) for _ in range(4)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(UnreadableItem) as caught:
        extract_letter_text(buffer.getvalue(), max_pages=3)
    assert caught.value.reason == QuarantineReason.TOO_MANY_PAGES


# -- batch scans ----------------------------------------------------------------------------

def test_a_multi_page_tiff_batch_is_cut_at_blank_sheets() -> None:
    first = render_letter_pages(ROTATED + "\fPage two of my letter.\n\nHarold", seed=1)
    second = render_letter_pages(sample_text("0001.txt"), seed=2)
    frames = [*first, blank_page(3), blank_page(4), *second]
    frames = [Image.frombytes("L", f.size, f.tobytes()) for f in frames]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    parts = split_letters(buffer.getvalue())
    assert [part.page_range for part in parts] == [(1, 2), (5, 5)]
    assert [Image.open(io.BytesIO(part.raw)).n_frames for part in parts] == [2, 1]


def test_cutting_a_pdf_batch_twice_gives_the_same_bytes() -> None:
    """So the same batch claimed by two workers, or retried, stores each letter once."""
    batch_scan = typed_batch()
    first, second = split_letters(batch_scan), split_letters(batch_scan)
    assert [part.page_range for part in first] == [(1, 1), (3, 3), (5, 5)]
    assert [part.raw for part in first] == [part.raw for part in second]
    assert "Peter Holt" in extract_letter_text(first[1].raw).text


def test_a_letter_with_no_separator_stays_one_file() -> None:
    raw = text_layer_pdf(TYPED_LETTER)
    assert [(part.raw, part.page_range) for part in split_letters(raw)] == [(raw, None)]


# -- the scan folder ----------------------------------------------------------------------

@needs_tesseract
@pytest.mark.ocr
def test_a_three_letter_batch_becomes_three_items_each_with_its_pages(
        settings: Settings, tmp_path: Path) -> None:
    configured = scan_settings(settings, tmp_path / "incoming")
    raw, _names = three_letter_batch()
    (configured.scan_dir / "batch-0930.pdf").write_bytes(raw)
    report = one_pass(configured)
    assert report.letters == 3 and report.archived == 1
    items = stored_items(configured)
    assert [(i.first_page, i.last_page) for i in items] == [(1, 1), (3, 3), (5, 5)]
    assert {i.scan_sha256 for i in items} == {hashlib.sha256(raw).hexdigest()}
    assert [i.source_ref for i in items] == [f"scan:batch-0930.pdf#pages={n}-{n}"
                                             for n in (1, 3, 5)]
    assert [i.fields.postcode for i in items] == ["LA1 2PN", "PR1 6HD", "PR1 9XT"]
    assert [[(p.number, p.source_page) for p in i.pages] for i in items] == [
        [(1, 1)], [(1, 3)], [(1, 5)]]
    assert all(i.status in (ItemStatus.STAGED, ItemStatus.NEEDS_REVIEW) for i in items)
    archived = list((configured.scan_dir / "archive").rglob("batch-0930.pdf"))
    assert len(archived) == 1 and archived[0].read_bytes() == raw
    assert not list((configured.scan_dir / "processing").iterdir())

    # The same file dropped in again is recognised by its content hash: nothing new staged.
    (configured.scan_dir / "batch-0930-again.pdf").write_bytes(raw)
    again = one_pass(configured)
    assert again.batch.stored == [] and again.batch.duplicates == 1
    assert len(stored_items(configured)) == 3


def test_corrupt_and_encrypted_pdfs_are_quarantined_with_a_reason_and_the_run_goes_on(
        settings: Settings, tmp_path: Path) -> None:
    configured = scan_settings(settings, tmp_path / "incoming")
    corrupt = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF broken"
    encrypted = text_layer_pdf(["Dear Sir, about my rent account and the arrears letter."],
                               encrypt="secret")
    good = text_layer_pdf(TYPED_LETTER)
    for name, raw in (("a-corrupt.pdf", corrupt), ("b-locked.pdf", encrypted),
                      ("c-typed.pdf", good)):
        (configured.scan_dir / name).write_bytes(raw)
    report = one_pass(configured)
    assert (report.archived, report.quarantined) == (1, 2)
    quarantine = configured.scan_dir / "quarantine"
    assert (quarantine / "a-corrupt.pdf").read_bytes() == corrupt
    assert (quarantine / "b-locked.pdf").read_bytes() == encrypted
    assert "reason: corrupt_pdf" in (quarantine / "a-corrupt.pdf.reason.txt").read_text()
    locked_reason = (quarantine / "b-locked.pdf.reason.txt").read_text()
    assert "reason: encrypted_pdf" in locked_reason and "password" in locked_reason
    by_ref = {item.source_ref: item for item in stored_items(configured)}
    assert by_ref["scan:a-corrupt.pdf"].error_code == "corrupt_pdf"
    assert by_ref["scan:b-locked.pdf"].error_code == "encrypted_pdf"
    assert by_ref["scan:c-typed.pdf"].status != ItemStatus.QUARANTINED
    assert by_ref["scan:c-typed.pdf"].fields.name == "Joan Ashworth"
    assert list((configured.scan_dir / "archive").rglob("c-typed.pdf"))


def test_a_file_still_being_written_is_not_taken_until_complete(
        settings: Settings, tmp_path: Path) -> None:
    configured = scan_settings(settings, tmp_path / "incoming", scan_settle_seconds=1.5)
    raw = text_layer_pdf(TYPED_LETTER)
    target = configured.scan_dir / "slow-scanner.pdf"
    started = threading.Event()

    def scanner_writes_slowly() -> None:
        with target.open("wb") as out:
            for offset in range(0, len(raw), 256):
                out.write(raw[offset : offset + 256])
                out.flush()
                started.set()
                time.sleep(2.0 / (len(raw) / 256))

    writer = threading.Thread(target=scanner_writes_slowly)
    writer.start()
    started.wait(5)
    folder = scanpass.scan_folder(configured)
    while writer.is_alive():
        report = scanpass.take_and_store(configured, folder)
        assert report.taken == 0 and report.waiting == ["slow-scanner.pdf"]
        assert target.exists()
        time.sleep(0.3)
    writer.join()
    early = scanpass.take_and_store(configured, folder)  # complete, but not still for long
    assert early.taken == 0
    time.sleep(1.6)
    report = scanpass.take_and_store(configured, folder)
    assert report.taken == 1 and not target.exists()
    with session_scope(configured.resolved_database_url) as session:
        stored = items_of_scan(session, hashlib.sha256(raw).hexdigest())
        assert [item.size_bytes for item in stored] == [len(raw)]


def test_two_workers_never_take_the_same_file(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for n in range(60):
        (incoming / f"scan-{n:03}.pdf").write_bytes(b"%PDF-1.4 " + bytes([n]) * 50)
    workers = [ScanFolder(ScanFolders.under(incoming), settle_seconds=0) for _ in range(2)]
    workers[0].prepare()
    taken: list[list[str]] = [[], []]
    barrier = threading.Barrier(2)

    def work(index: int) -> None:
        barrier.wait()
        claims, _odd, _waiting = workers[index].claim_ready()
        taken[index] = [claim.name for claim in claims]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(taken[0]).isdisjoint(taken[1])
    assert sorted(taken[0] + taken[1]) == [f"scan-{n:03}.pdf" for n in range(60)]
    assert len(list((incoming / "processing").iterdir())) == 60


def test_a_claim_left_by_a_dead_worker_is_taken_over_and_a_stored_one_filed(
        settings: Settings, tmp_path: Path) -> None:
    configured = scan_settings(settings, tmp_path / "incoming", scan_reclaim_seconds=60)
    folder = scanpass.scan_folder(configured)
    folder.prepare()
    raw = text_layer_pdf(TYPED_LETTER)
    # A worker claimed this two hours ago and died before storing it.
    orphan = configured.scan_dir / "processing" / "20000101T000000Z-0badcafe--orphan.pdf"
    orphan.write_bytes(raw)
    report = one_pass(configured)
    assert report.taken == 1 and report.archived == 1
    assert [item.source_ref for item in stored_items(configured)] == ["scan:orphan.pdf"]
    assert list((configured.scan_dir / "archive").rglob("orphan.pdf"))


def test_other_files_are_quarantined_and_system_files_left_alone(
        settings: Settings, tmp_path: Path) -> None:
    configured = scan_settings(settings, tmp_path / "incoming")
    (configured.scan_dir / "minutes.docx").write_bytes(b"PK\x03\x04 not a scan")
    (configured.scan_dir / "Thumbs.db").write_bytes(b"\x00")
    (configured.scan_dir / ".partial-upload.pdf").write_bytes(b"%PDF-")
    (configured.scan_dir / "link.pdf").symlink_to(tmp_path / "elsewhere.pdf")
    (tmp_path / "elsewhere.pdf").write_bytes(text_layer_pdf(TYPED_LETTER))
    report = one_pass(configured)
    assert report.quarantined == 1 and report.taken == 0
    reason = (configured.scan_dir / "quarantine" / "minutes.docx.reason.txt").read_text()
    assert "unsupported_type" in reason
    assert (configured.scan_dir / "Thumbs.db").exists()
    assert (configured.scan_dir / ".partial-upload.pdf").exists()
    assert report.hidden == [".partial-upload.pdf"]
    assert "1 hidden files left alone" in report.summary()
    assert ".partial-upload.pdf" in report.summary()
    assert (configured.scan_dir / "link.pdf").is_symlink()


def test_an_oversized_file_is_quarantined_unread(settings: Settings, tmp_path: Path) -> None:
    configured = scan_settings(settings, tmp_path / "incoming", max_item_bytes=1000)
    raw = text_layer_pdf(TYPED_LETTER) + b"\n%" + b"x" * 2000
    (configured.scan_dir / "huge.pdf").write_bytes(raw)
    report = one_pass(configured)
    assert report.quarantined == 1 and stored_items(configured) == []
    assert (configured.scan_dir / "quarantine" / "huge.pdf").read_bytes() == raw
    assert "too_large" in (configured.scan_dir / "quarantine" / "huge.pdf.reason.txt").read_text()


def test_a_work_folder_on_another_file_system_is_refused(settings: Settings,
                                                         tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system to test against")
    from ingest.errors import SourceConfigError

    elsewhere = shm / f"triage-test-{tmp_path.name}"
    configured = scan_settings(settings, tmp_path / "incoming", scan_archive_dir=elsewhere)
    try:
        with pytest.raises(SourceConfigError, match="another file system"):
            scanpass.scan_folder(configured).prepare()
    finally:
        if elsewhere.exists():
            elsewhere.rmdir()


# -- the command, through the Prefect flow ------------------------------------------------

def typed_batch() -> bytes:
    """Three typed letters (text layers) with blank separator sheets: no OCR needed."""
    letters = [TYPED_LETTER,
               ["3 Moor Lane, Lancaster LA1 1QD", "", "Dear Sir or Madam,",
                "Thank you to the gas engineer who fixed my boiler so quickly last week.",
                "Yours sincerely,", "Peter Holt"],
               ["9 Weir Street, Blackburn BB2 2AS", "", "Dear Sir or Madam,",
                "I reported a leak under my sink a month ago and nobody has come.",
                "I want it repaired this week.", "Yours faithfully,", "Mary Clegg"]]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for index, lines in enumerate(letters):
        if index:
            pdf.showPage()  # the blank separator sheet
            pdf.showPage()
        for row, line in enumerate(lines):
            pdf.drawString(72, 760 - 16 * row, line)
    pdf.save()
    return buffer.getvalue()


@pytest.mark.slow
def test_ingest_scans_and_inspect_handle_a_batch_and_bad_files(cli_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    incoming = tmp_path / "post-room"
    incoming.mkdir()
    (incoming / "batch.pdf").write_bytes(typed_batch())
    (incoming / "locked.pdf").write_bytes(text_layer_pdf(["Dear Sir, my rent."],
                                                         encrypt="secret"))
    cli_env["TRIAGE_SCAN_SETTLE_SECONDS"] = "0"
    inspected = triage_in_process("inspect", "--json", str(incoming / "batch.pdf"),
                                  str(incoming / "locked.pdf"), env=cli_env, cwd=tmp_path)
    assert inspected.returncode == 1  # the locked file failed; the batch was read
    lines = [json.loads(line) for line in inspected.stdout.splitlines()]
    assert [line.get("pages") for line in lines] == [[1, 1], [3, 3], [5, 5], None]
    assert [line["fields"]["postcode"] for line in lines[:3]] == ["PR1 7QQ", "LA1 1QD",
                                                                  "BB2 2AS"]
    assert [line["fields"]["name"] for line in lines[:3]] == ["Joan Ashworth", "Peter Holt",
                                                              "Mary Clegg"]
    assert lines[3]["error"].startswith("encrypted_pdf")

    done = triage_command("ingest", "scans", str(incoming), env=cli_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "stored 4 new" in done.stdout
    assert "1 archived, 1 quarantined" in done.stdout
    stored = Settings(data_dir=Path(cli_env["TRIAGE_DATA_DIR"]), _env_file=None)
    assert sorted(item.source_ref for item in stored_items(stored)) == [
        "scan:batch.pdf#pages=1-1", "scan:batch.pdf#pages=3-3", "scan:batch.pdf#pages=5-5",
        "scan:locked.pdf"]
    assert (incoming / "quarantine" / "locked.pdf.reason.txt").exists()
    assert list((incoming / "archive").rglob("batch.pdf"))


# -- the review page ----------------------------------------------------------------------

def test_the_review_page_shows_each_page_image_beside_its_text(settings: Settings,
                                                              tmp_path: Path) -> None:
    import re

    from fastapi.testclient import TestClient

    from pipeline.users import add_user
    from review.app import create_app

    configured = scan_settings(settings, tmp_path / "incoming")
    (configured.scan_dir / "typed.pdf").write_bytes(text_layer_pdf(TYPED_LETTER))
    one_pass(configured)
    [item] = stored_items(configured)
    add_user(configured, "officer1", "officer", "correct horse battery")
    client = TestClient(create_app(configured), follow_redirects=False)
    assert client.get(f"/items/{item.id}/pages/1.png").status_code == 303  # no session
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"username": "officer1", "password": "correct horse battery",
                                "csrf_token": token.group(1)})
    page = client.get(f"/items/{item.id}")
    assert f'src="/items/{item.id}/pages/1.png"' in page.text
    assert "text layer" in page.text and "Joan Ashworth" in page.text
    image = client.get(f"/items/{item.id}/pages/1.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size[0] > 500
    assert client.get(f"/items/{item.id}/pages/2.png").status_code == 404


# -- persistence --------------------------------------------------------------------------

def test_batch_letters_and_their_pages_are_stored_on_sqlite_and_postgresql(
        database_settings: Settings) -> None:
    from ingest.items import PageText, RawItem
    from models.repository import record_raw
    from models.scans import save_pages

    url = database_settings.resolved_database_url
    file_digest = "ab" * 32
    with session_scope(url) as session:
        for first, body in ((1, b"%PDF-1.4 letter one"), (3, b"%PDF-1.4 letter two")):
            item, created = record_raw(session, database_settings.raw_dir, RawItem(
                "letter", body, f"scan:batch.pdf#pages={first}-{first}", None,
                scan_sha256=file_digest, page_range=(first, first)))
            assert created
            session.flush()
            save_pages(session, item, (PageText(1, "Dear Sir", 0.91, 180, "ocr", first),))
    with session_scope(url) as session:
        items = items_of_scan(session, file_digest)
        assert [(i.first_page, i.last_page) for i in items] == [(1, 1), (3, 3)]
        assert [(p.source_page, p.rotation, p.ocr_confidence) for p in items[1].pages] == [
            (3, 180, 0.91)]
        # A retry replaces the pages it read last time.
        save_pages(session, items[1], (PageText(1, "Dear Sir,", 0.95, 0, "ocr", 3),
                                       PageText(2, "Yours", 0.9, 0, "ocr", 4)))
    with session_scope(url) as session:
        assert [p.text for p in items_of_scan(session, file_digest)[1].pages] == [
            "Dear Sir,", "Yours"]


# -- low OCR confidence ---------------------------------------------------------------------

def test_a_letter_with_one_badly_read_page_waits_for_an_officer(settings: Settings,
                                                                trained_model) -> None:
    from datetime import UTC, datetime

    from ingest.items import IntakeItem, PageText
    from workflow.policy import load_policy
    from workflow.triage import triage_item

    text = "\n".join(TYPED_LETTER)
    pages = (PageText(1, text, 0.93, text_source="ocr"), PageText(2, "Yours", 0.66,
                                                                 text_source="ocr"))
    item = IntakeItem(source="letter", text=text, received_at=datetime.now(UTC), pages=pages,
                      text_source="ocr")
    assert item.ocr_confidence == 0.66

    def judged(threshold: float):
        configured = settings.model_copy(update={"ocr_review_threshold": threshold})
        return triage_item(item, model=trained_model, policy=load_policy("code-2024"),
                           thresholds=batch.thresholds_of(configured),
                           landlord=batch.landlord_of(configured)).decision

    strict = judged(0.70)
    assert strict.needs_review
    assert any(r.rule == "low-ocr-confidence" and r.hit for r in strict.results)
    assert not any(r.rule == "low-ocr-confidence" and r.hit for r in judged(0.60).results)


def test_a_scanned_pdf_page_is_taken_from_its_image_as_rendering_would_give_it(
        tmp_path: Path) -> None:
    import numpy as np

    from ingest.scanfile import ScanFile

    path = tmp_path / "scan.pdf"
    render_letter_pdf(ROTATED, path, seed=2)
    with ScanFile(path.read_bytes()) as scan:
        quick = np.asarray(scan.page_image(0).image, dtype=int)
        rendered = np.asarray(scan.page_image(0, exact=True).image, dtype=int)
    assert all(abs(q - r) <= 1 for q, r in zip(quick.shape, rendered.shape, strict=True))
    height, width = min(quick.shape[0], rendered.shape[0]), min(quick.shape[1], rendered.shape[1])
    assert np.abs(quick[:height, :width] - rendered[:height, :width]).mean() < 2.0


def test_a_very_long_file_name_is_claimed_under_a_name_the_file_system_takes() -> None:
    from datetime import UTC, datetime

    from ingest.scanfolder import _claim_name, parse_claim_name

    long_name = "Résumé of Mrs Ó Súilleabháin's complaint " * 8 + ".pdf"
    claimed = _claim_name(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), long_name)
    assert len(claimed.encode()) <= 250 and claimed.endswith(".pdf")
    parsed = parse_claim_name(claimed)
    assert parsed is not None and long_name.startswith(parsed[1][:-4])


def _hostile_names():
    """File names as a share may write them: any bytes but `/` and NUL (Latin-1, newlines,
    control characters, reserved Windows names, very long, hidden), with a scan's or another
    suffix. Office lock files (`~$x`) are left alone by design, so not drawn."""
    from hypothesis import strategies as st

    reserved = st.sampled_from([b"CON", b"NUL", b"COM1", b"lettre-\xe9t\xe9", b"a\nfile: forged",
                                b"x" * 240, b"\xff\xfe", b"\x1b[31mred", b".hidden-scan",
                                b".\xe9t\xe9\n"])
    stem = st.one_of(reserved, st.binary(min_size=1, max_size=240)).filter(
        lambda b: b"/" not in b and b"\0" not in b and not b.startswith(b"~$")
        and b not in (b".", b".."))
    suffix = st.sampled_from([b".pdf", b".PDF", b".docx", b""])
    return st.lists(st.tuples(stem, suffix).map(lambda parts: parts[0][:240] + parts[1]),
                    min_size=1, max_size=3, unique=True)


def test_any_file_name_is_claimed_and_filed_and_shown_safely(settings: Settings,
                                                              tmp_path: Path) -> None:
    """Property: whatever the names, one real pass takes every file and archives or
    quarantines it, the pass goes on, and every name shown is valid one-line UTF-8."""
    import os
    import uuid

    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings

    @hypothesis_settings(max_examples=12, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(names=_hostile_names())
    def one_pass_over(names: list[bytes]) -> None:
        incoming = tmp_path / uuid.uuid4().hex
        configured = scan_settings(settings, incoming)
        for index, name in enumerate(names):
            body = text_layer_pdf([f"Letter {uuid.uuid4()}", "The gutter is leaking.",
                                   f"Number {index}"])
            with open(os.path.join(os.fsencode(incoming), name), "wb") as handle:
                handle.write(body)
        report = scanpass.run_pass(configured)
        hidden = [name for name in names if name.startswith(b".")]
        taken = len(names) - len(hidden)
        assert report.archived + report.quarantined == taken, report.summary()
        # Hidden files are left where they are, but every one is counted and named.
        assert len(report.hidden) == len(hidden), report.summary()
        assert f"{len(hidden)} hidden files left alone" in report.summary()
        left = {n for n in os.listdir(os.fsencode(incoming)) if n.startswith(b".")}
        assert left == set(hidden)
        assert not [p for p in (incoming / "processing").iterdir() if p.is_file()]
        filed = [p for p in (incoming / "archive").rglob("*") if p.is_file()] + [
            p for p in (incoming / "quarantine").iterdir() if not p.name.endswith(".reason.txt")]
        assert len(filed) == taken
        for reason in (incoming / "quarantine").glob("*.reason.txt"):
            text = reason.read_bytes().decode("utf-8")  # valid UTF-8, whatever the name was
            assert sum(line.startswith("file: ") for line in text.splitlines()) == 1
        with session_scope(configured.resolved_database_url) as session:
            for ref in session.scalars(select(Item.source_ref)):
                ref.encode("utf-8")
                assert "\n" not in ref and ref.isprintable()
        assert report.summary().isprintable()

    one_pass_over()


def test_a_shown_name_is_one_printable_utf8_line_and_a_plain_name_is_unchanged() -> None:
    import os

    from hypothesis import given
    from hypothesis import strategies as st

    from ingest.names import shown_name

    @given(st.binary(min_size=1, max_size=255))
    def any_bytes(raw: bytes) -> None:
        shown = shown_name(os.fsdecode(raw))
        shown.encode("utf-8")
        assert shown.isprintable() and "\n" not in shown

    @given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf", "Co",
                                                        "Cn")), min_size=1).filter(
        lambda s: s.isprintable()))
    def plain(name: str) -> None:
        assert shown_name(name) == name

    any_bytes()
    plain()
    assert shown_name(os.fsdecode(b"lettre-\xe9t\xe9.pdf")) == "lettre-\\xe9t\\xe9.pdf"
    assert shown_name("a\nfile: forged.pdf") == "a\\nfile: forged.pdf"
