# ruff: noqa: F811 - the app tests' fixtures are imported, then asked for by name
"""The whole item (issue 17, part 6): sender, To and Cc, each attachment with its type and
size, and an attached image shown only as the server redrew it, never as sent."""

from __future__ import annotations

import io
from email.message import EmailMessage

from fastapi.testclient import TestClient
from PIL import Image

from core.settings import Settings
from tests.review_fixtures import add_waiting_item
from tests.test_review_app import (  # noqa: F401 - fixtures shared with the app's tests
    BASE,
    _logged_in,
    client,
    ids,
    seeded,
    settings,
)

PAYLOAD = b"<script>window.__pwned=1</script>"


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 40)).save(buffer, format="PNG")
    return buffer.getvalue() + PAYLOAD  # bytes after the image end: never served


def _solicitors_email() -> bytes:
    message = EmailMessage()
    message["From"] = "Harrington Lowe Solicitors <claims@hlsolicitors.example>"
    message["To"] = "complaints@northbrook-homes.example.org"
    message["Cc"] = "Dana Resident <dana@example.com>"
    message["Subject"] = "Our client's complaint: mould"
    message["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    message.set_content("We act for Ms Resident. Photographs of the mould are attached.")
    message.add_attachment(_photo(), maintype="image", subtype="png", filename="mould.png")
    message.add_attachment(b"%PDF-1.4 not much of a pdf", maintype="application",
                           subtype="pdf", filename="letter of claim.pdf")
    return message.as_bytes()


def test_sender_recipients_and_attachments_are_shown(client: TestClient,
                                                     settings: Settings) -> None:
    item_id = add_waiting_item(settings, subject="Our client's complaint: mould",
                               text="We act for Ms Resident.", category="complaint",
                               confidence=0.6, received=BASE, raw=_solicitors_email())
    _logged_in(client)
    page = client.get(f"/items/{item_id}").text
    assert "Harrington Lowe Solicitors &lt;claims@hlsolicitors.example&gt;" in page
    assert "complaints@northbrook-homes.example.org" in page
    assert "Dana Resident &lt;dana@example.com&gt;" in page
    assert f"mould.png — image/png, {len(_photo()):,} bytes" in page
    assert "letter of claim.pdf — application/pdf" in page
    assert f'src="/items/{item_id}/attachments/1.png"' in page
    image = client.get(f"/items/{item_id}/attachments/1.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content != _photo() and PAYLOAD not in image.content
    with Image.open(io.BytesIO(image.content)) as redrawn:
        assert redrawn.size == (64, 48) and redrawn.getpixel((5, 5)) == (40, 90, 40)
    assert client.get(f"/items/{item_id}/attachments/2.png").status_code == 404  # the PDF
    assert client.get(f"/items/{item_id}/attachments/9.png").status_code == 404


def _drawn_pdf(pages: int) -> bytes:
    """A real PDF (A4), each page a black square in its top-left quarter, with a script the
    officer's browser must never see."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    for number in range(1, pages + 1):
        pdf.setFillColorRGB(0, 0, 0)
        pdf.rect(50, 842 - 250, 200, 200, fill=1, stroke=0)
        pdf.drawString(72, 400, f"Page {number} of the letter of claim")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue().replace(b"%%EOF", b"% app.alert('pwned') %%EOF")


def test_an_attached_pdf_is_shown_as_pages_the_server_drew(client: TestClient,
                                                            settings: Settings) -> None:
    """An attached PDF appears as its pages, drawn to PNG by the server (at most a set number,
    at most 1600 px a side); the PDF as sent is never served, an unreadable one is only
    listed, and any page or picture can be enlarged in place by its "Full width" box."""
    message = EmailMessage()
    message["From"] = "Harrington Lowe Solicitors <claims@hlsolicitors.example>"
    message["To"] = "complaints@northbrook-homes.example.org"
    message["Subject"] = "Letter of claim"
    message.set_content("Our letter of claim is attached.")
    pdf = _drawn_pdf(12)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="claim.pdf")
    message.add_attachment(b"%PDF-1.4 not much of a pdf", maintype="application",
                           subtype="pdf", filename="broken.pdf")
    item_id = add_waiting_item(settings, subject="Letter of claim", text="Attached.",
                               category="complaint", confidence=0.6, received=BASE,
                               raw=message.as_bytes())
    _logged_in(client)
    page = client.get(f"/items/{item_id}").text
    assert "12 pages, drawn by the server" in page and "the first 10 are shown" in page
    for number in range(1, 11):
        assert f'src="/items/{item_id}/attachments/1/pages/{number}.png"' in page
    assert "/attachments/1/pages/11.png" not in page
    assert "The server could not open this PDF" in page
    assert page.count('class="enlarge"') == 10
    drawn = client.get(f"/items/{item_id}/attachments/1/pages/2.png")
    assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/png"
    assert "no-store" in drawn.headers["cache-control"]
    assert b"%PDF" not in drawn.content and b"app.alert" not in drawn.content
    with Image.open(io.BytesIO(drawn.content)) as image:
        assert image.format == "PNG" and max(image.size) <= 1600
        width, height = image.size
        assert abs(width / height - 595 / 842) < 0.01
        inside = image.getpixel((round(width * 150 / 595), round(height * 150 / 842)))
        outside = image.getpixel((round(width * 450 / 595), round(height * 150 / 842)))
        assert inside == (0, 0, 0) and outside == (255, 255, 255)
    for missing in ("1/pages/11.png", "1/pages/13.png", "2/pages/1.png", "3/pages/1.png"):
        assert client.get(f"/items/{item_id}/attachments/{missing}").status_code == 404
    assert client.get(f"/items/{item_id}/attachments/1.png").status_code == 404  # not an image
