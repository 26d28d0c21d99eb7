"""Scanned letters: the text layer when it is real, real Tesseract when it is not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from ingest.errors import QuarantineReason, UnreadableItem
from ingest.letters import extract_letter_text, has_real_text
from ingest.ocr import parse_tsv, tesseract_available
from tests.scanrender import render_letter_pages, render_letter_pdf

LETTER = """> 7 Hawthorn Terrace
> Lancaster LA1 3QZ

12 October 2026

Dear Sir or Madam,

I am writing about the damp and black mould in my back bedroom. I first
reported it in July and nobody has been to look at it.

Yours faithfully,

Dorothy Pemberton
"""

needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason="Tesseract missing")


def text_layer_pdf(lines: list[str], **options) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, **options)
    for index, line in enumerate(lines):
        pdf.drawString(72, 760 - 16 * index, line)
    pdf.save()
    return buffer.getvalue()


def test_a_real_text_layer_is_used_without_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.letters

    def no_ocr(*_args, **_kwargs):
        raise AssertionError("OCR ran although the PDF has a text layer")

    monkeypatch.setattr(ingest.letters, "ocr_pages", no_ocr)
    raw = text_layer_pdf(["Dear Sir, the lift in Ribble House has been broken for weeks.",
                          "Yours faithfully, Albert Finch"])
    item = extract_letter_text(raw)
    assert item.text_source == "text_layer"
    assert "Albert Finch" in item.text
    assert item.ocr_confidence is None


@needs_tesseract
@pytest.mark.ocr
def test_image_only_scan_is_read_by_tesseract(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    render_letter_pdf(LETTER, path, seed=7)
    item = extract_letter_text(path.read_bytes())
    assert item.text_source == "ocr"
    assert "Pemberton" in item.text
    assert "LA1 3QZ" in item.text
    assert item.ocr_confidence is not None and item.ocr_confidence > 0.6


@needs_tesseract
@pytest.mark.ocr
def test_garbage_text_layer_is_replaced_by_ocr() -> None:
    pages = render_letter_pages(LETTER, seed=3)
    page_png = io.BytesIO()
    pages[0].save(page_png, format="PNG")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    from reportlab.lib.utils import ImageReader

    pdf.drawImage(ImageReader(io.BytesIO(page_png.getvalue())), 0, 0, 595, 842)
    pdf.setFillAlpha(0)
    pdf.drawString(72, 700, "xq zzkt vbbq rrr ttp kkkq mmnz qqp xx zz")  # a scanner's poor OCR
    pdf.save()
    item = extract_letter_text(buffer.getvalue())
    assert item.text_source == "ocr"
    assert "Pemberton" in item.text


@needs_tesseract
@pytest.mark.ocr
def test_multi_page_tiff(tmp_path: Path) -> None:
    pages = render_letter_pages(LETTER + "\f" + "Page two.\n\nThe mould is worse now.", seed=5)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    item = extract_letter_text(buffer.getvalue())
    assert [page.number for page in item.pages] == list(range(1, len(pages) + 1))
    assert len(pages) >= 2
    assert "worse" in item.text


def test_encrypted_pdf_is_refused_with_its_reason() -> None:
    raw = text_layer_pdf(["Dear Sir, about my rent account."], encrypt="secret")
    with pytest.raises(UnreadableItem) as caught:
        extract_letter_text(raw)
    assert caught.value.reason == QuarantineReason.ENCRYPTED_PDF


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"", QuarantineReason.EMPTY),
     (b"%PDF-1.4\n1 0 obj <<>> endobj trailer <<>> %%EOF", QuarantineReason.CORRUPT_PDF),
     (b"GIF89a not really", QuarantineReason.UNSUPPORTED_TYPE),
     (b"hello, plain text", QuarantineReason.UNSUPPORTED_TYPE)],
)
def test_unreadable_files_are_refused_with_their_reason(raw: bytes,
                                                        reason: QuarantineReason) -> None:
    with pytest.raises(UnreadableItem) as caught:
        extract_letter_text(raw)
    assert caught.value.reason == reason


def test_too_many_pages_is_refused() -> None:
    raw = text_layer_pdf(["Dear Sir, page."] * 3)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for _ in range(4):
        pdf.drawString(72, 700, "Dear Sir, this page has some words on it for the test.")
        pdf.showPage()
    pdf.save()
    assert extract_letter_text(raw, max_pages=1)
    with pytest.raises(UnreadableItem) as caught:
        extract_letter_text(buffer.getvalue(), max_pages=3)
    assert caught.value.reason == QuarantineReason.TOO_MANY_PAGES


def test_decompression_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")
    with pytest.raises(UnreadableItem) as caught:
        extract_letter_text(buffer.getvalue())
    assert caught.value.reason == QuarantineReason.IMAGE_TOO_LARGE


@pytest.mark.parametrize(
    ("text", "real"),
    [("Dear Sir, the boiler has broken down again this week.", True),
     ("", False), ("xq zzkt vbbq rrr ttp kkkq mmnz qqp", False), ("1234 5678", False)],
)
def test_real_text_detection(text: str, real: bool) -> None:
    assert has_real_text(text) is real


def test_tesseract_tsv_is_rebuilt_into_lines() -> None:
    header = "\t".join(["level", "page_num", "block_num", "par_num", "line_num", "word_num",
                        "left", "top", "width", "height", "conf", "text"])
    rows = [header,
            "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t96\tDear",
            "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t90\tSir,",
            "5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t-1\t",
            "5\t1\t2\t1\t1\t2\t0\t0\t1\t1\t70\tBoiler"]
    text, confidence = parse_tsv("\n".join(rows))
    assert text == "Dear Sir,\n\nBoiler"
    assert confidence == pytest.approx(0.853, abs=0.001)
