"""Rows for scanned letters: the pages as read, and which items came from a scanned file."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ingest.items import PageText
from models.tables import Item, ItemPage


def save_pages(session: Session, item: Item, pages: tuple[PageText, ...]) -> None:
    """The letter's pages as this reading found them (a retry replaces the last reading)."""
    if item.pages:
        item.pages.clear()
        session.flush()  # old rows go before new ones take their (item, number)
    item.pages.extend([
        ItemPage(number=page.number, source_page=page.source_page, text_source=page.text_source,
                 text=page.text, ocr_confidence=page.ocr_confidence, rotation=page.rotation)
        for page in pages
    ])


def items_of_scan(session: Session, scan_sha256: str) -> list[Item]:
    """Every item a scanned file became: itself, or the letters cut out of it."""
    query = (select(Item).where(or_(Item.scan_sha256 == scan_sha256,
                                    Item.sha256 == scan_sha256))
             .order_by(Item.first_page.nulls_first(), Item.id))
    return list(session.scalars(query))
