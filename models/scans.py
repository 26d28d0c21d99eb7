"""Rows for scanned letters: the pages as read, and which items came from a scanned file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ingest.items import PageText, TextBlock
from models.tables import Item, ItemPage


def save_pages(session: Session, item: Item, pages: tuple[PageText, ...]) -> None:
    """The letter's pages as this reading found them (a retry replaces the last reading)."""
    if item.pages:
        item.pages.clear()
        session.flush()  # old rows go before new ones take their (item, number)
    item.pages.extend([
        ItemPage(number=page.number, source_page=page.source_page, text_source=page.text_source,
                 text=page.text, ocr_confidence=page.ocr_confidence, rotation=page.rotation,
                 blocks=[block_row(block) for block in page.blocks] or None)
        for page in pages
    ])


def block_row(block: TextBlock) -> dict[str, object]:
    """One OCR block as its JSON row holds it."""
    return {"text": block.text, "side": block.side, "confidence": block.confidence,
            "box": list(block.box)}


def blocks_from_rows(rows: list[Any] | None) -> tuple[TextBlock, ...]:
    """A stored page's OCR blocks again (none for a text layer or a page read before 0013)."""
    blocks = []
    for row in rows or []:
        if not isinstance(row, dict):
            continue
        box = [int(v) for v in row.get("box") or ()][:4]
        confidence = row.get("confidence")
        blocks.append(TextBlock(str(row.get("text", "")), str(row.get("side", "full")),
                                float(confidence) if confidence is not None else None,
                                (box[0], box[1], box[2], box[3]) if len(box) == 4
                                else (0, 0, 0, 0)))
    return tuple(blocks)


def items_of_scan(session: Session, scan_sha256: str) -> list[Item]:
    """Every item a scanned file became: itself, or the letters cut out of it."""
    query = (select(Item).where(or_(Item.scan_sha256 == scan_sha256,
                                    Item.sha256 == scan_sha256))
             .order_by(Item.first_page.nulls_first(), Item.id))
    return list(session.scalars(query))
