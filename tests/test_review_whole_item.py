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
