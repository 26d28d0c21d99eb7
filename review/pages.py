"""Page images of scanned letters for the review page, rendered on demand from stored bytes.

Nothing is kept besides the raw scan (already stored, content-addressed): a page is rendered
at a screen resolution when an officer opens it, turned the way OCR read it.
"""

from __future__ import annotations

import io
from pathlib import Path

from ingest.errors import UnreadableItem
from ingest.scanfile import ScanFile
from models.db import session_scope
from models.rawstore import load_raw
from models.tables import Item, ItemPage

REVIEW_DPI = 110


def page_png(url: str, raw_dir: Path, item_id: int, number: int) -> bytes | None:
    """PNG of the item's page `number` (1-based), or None when there is no such page."""
    with session_scope(url) as session:
        item = session.get(Item, item_id)
        if item is None or item.source != "letter" or number < 1:
            return None
        page = next((p for p in item.pages if p.number == number), None)
        rotation = page.rotation if isinstance(page, ItemPage) else 0
        raw_path, digest = item.raw_path, item.sha256
    try:
        raw = load_raw(raw_dir, raw_path, digest)
        with ScanFile(raw) as scan:
            if number > scan.page_count:
                return None
            image = scan.page_image(number - 1, dpi=REVIEW_DPI).image
    except (UnreadableItem, OSError):
        return None
    if rotation:
        image = image.rotate(-rotation, expand=True)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()
