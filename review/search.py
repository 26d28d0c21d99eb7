"""Every item, findable: the items list at /items with its filters and search.

Search matches any of: the words of the subject and text and of the names, addresses and
email the fields hold (SQLite FTS5 on the embedded default, PostgreSQL full-text search with
GIN indexes; both built by migration 0012), a postcode's start in any case or spacing, a case
reference fragment ("00004", "2026-0001"), an email address, or an item id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, and_, exists, func, literal_column, select, text, union
from sqlalchemy.orm import Session

from core.labels import CATEGORIES, HAZARDS, ItemStatus
from models.db import session_scope
from models.tables import Case, Classification, ExtractedFields, Item, ReviewDecision
from review.queries import COUNT_LIMIT, PAGE_SIZE, SOURCES, local_time
from workflow.staging import LANDLORD_TIMEZONE

STATUSES = tuple(status.value for status in ItemStatus)
HANDLED = ("auto", "officer")
# The expressions migration 0012 indexes on PostgreSQL: a query must repeat them exactly.
ITEM_WORDS = "coalesce(items.subject, '') || ' ' || coalesce(items.text, '')"
FIELD_WORDS = ("coalesce(extracted_fields.name, '') || ' ' || "
               "coalesce(extracted_fields.representative, '') || ' ' || "
               "coalesce(extracted_fields.email, '') || ' ' || "
               "coalesce(extracted_fields.address, '')")
POSTCODE_KEY = "replace(upper(coalesce(extracted_fields.postcode, '')), ' ', '')"
MAX_QUERY = 200


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ItemFilter:
    """The items list's filters; unknown values are dropped rather than matched."""

    q: str = ""
    category: str = ""
    source: str = ""
    status: str = ""
    hazard: str = ""
    handled: str = ""  # auto: no officer decided it; officer: one did
    officer: str = ""  # decided by this officer
    since: str = ""
    until: str = ""

    def cleaned(self) -> ItemFilter:
        return ItemFilter(
            " ".join(self.q.split())[:MAX_QUERY],
            self.category if self.category in CATEGORIES else "",
            self.source if self.source in SOURCES else "",
            self.status if self.status in STATUSES else "",
            self.hazard if self.hazard in (*HAZARDS, "any") else "",
            self.handled if self.handled in HANDLED else "", self.officer.strip()[:100],
            self.since if _day(self.since) else "", self.until if _day(self.until) else "")

    def query_string(self) -> str:
        return urlencode({k: v for k, v in self.__dict__.items() if v})


def _words(q: str) -> list[str]:
    return re.findall(r"\w+", q.lower())[:8]


def _text_match(session: Session, q: str) -> list[Any]:
    """Conditions on items whose words match every word of `q` (each as a prefix)."""
    words = _words(q)
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        fts = " ".join(f'"{word}"*' for word in words)
        return [Item.id.in_(select(literal_column("rowid")).select_from(text("item_search"))
                            .where(text("item_search MATCH :fts").bindparams(fts=fts)))]
    tsquery = func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
    return [func.to_tsvector("simple", literal_column(ITEM_WORDS)).op("@@")(tsquery),
            Item.id.in_(select(ExtractedFields.item_id).where(
                func.to_tsvector("simple", literal_column(FIELD_WORDS)).op("@@")(tsquery)))]


def _search(session: Session, q: str) -> Any:
    """Any of: the words, a postcode's start, a reference fragment, an email, an item id.
    Each is its own query through its own index; the item is in their union. Words can match
    most items, so only their newest are kept (enough for a page and the bounded count): a
    top-N sort over the index's matches, never a row-by-row join."""
    found = [_newest(condition) for condition in _text_match(session, q)]
    squashed = re.sub(r"\s+", "", q).upper()
    if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d?[A-Z]{0,2}", squashed):
        found.append(select(ExtractedFields.item_id.label("id")).where(
            literal_column(POSTCODE_KEY).like(f"{squashed}%")))
    if re.fullmatch(r"[A-Z0-9-]{3,20}", squashed) and re.search(r"\d{3}", squashed):
        found.append(select(Item.id).where(Item.case_id.in_(
            select(Case.id).where(Case.ref.like(f"%{squashed}%")))))
    if "@" in q and " " not in q:
        found.append(select(ExtractedFields.item_id.label("id")).where(
            func.lower(ExtractedFields.email).like(f"%{q.lower()}%")))
    if q.isdigit() and len(q) <= 18:
        found.append(select(Item.id).where(Item.id == int(q)))
    if not found:
        return Item.id.is_(None)
    return Item.id.in_(union(*(select(branch.subquery().c.id) for branch in found)))


def _newest(condition: Any) -> Select:
    return (select(Item.id).where(condition)
            .order_by(Item.received_at.desc().nulls_last(), Item.id.desc())
            .limit(COUNT_LIMIT + 1))


def _filtered(session: Session, columns: list[Any], f: ItemFilter) -> Select:
    query = select(*columns)
    if f.q:
        query = query.where(_search(session, f.q))
    if f.category:
        latest = (select(Classification.category).where(Classification.item_id == Item.id)
                  .order_by(Classification.id.desc()).limit(1).correlate(Item)
                  .scalar_subquery())
        query = query.where(latest == f.category)
    for column, value in ((Item.source, f.source), (Item.status, f.status)):
        if value:
            query = query.where(column == value)
    if f.hazard:
        query = query.where(Item.hazard.is_not(None) if f.hazard == "any"
                            else Item.hazard == f.hazard)
    decided = exists().where(ReviewDecision.item_id == Item.id)
    if f.handled == "auto":
        query = query.where(~decided, Item.status.in_([ItemStatus.STAGED, ItemStatus.IGNORED]))
    elif f.handled == "officer":
        query = query.where(decided)
    if f.officer:
        query = query.where(exists().where(ReviewDecision.item_id == Item.id,
                                           ReviewDecision.officer == f.officer))
    for bound, after in ((_day(f.since), True), (_day(f.until), False)):
        if bound is not None:
            edge = datetime.combine(bound + timedelta(days=0 if after else 1), time(),
                                    LANDLORD_TIMEZONE)
            query = query.where(Item.received_at >= edge if after else Item.received_at < edge)
    return query


def items_page(url: str, f: ItemFilter, page: int = 1, page_size: int = PAGE_SIZE
               ) -> dict[str, Any]:
    """One page of items, newest first, counted up to a bound like the cases list."""
    with session_scope(url) as session:
        counted = _filtered(session, [Item.id], f).limit(COUNT_LIMIT + 1).subquery()
        total = session.scalar(select(func.count()).select_from(counted)) or 0
        more, total = total > COUNT_LIMIT, min(total, COUNT_LIMIT)
        pages = max(1, ceil(total / page_size))
        page = max(page, 1) if more else min(max(page, 1), pages)
        ids = list(session.scalars(
            _filtered(session, [Item.id], f)
            .order_by(Item.received_at.desc().nulls_last(), Item.id.desc())
            .offset((page - 1) * page_size).limit(page_size)))
        rows = _rows(session, ids)
    if more and len(ids) == page_size:
        pages = max(pages, page + 1)
    return {"rows": rows, "total": total, "more": more, "page": page, "pages": pages,
            "filters": f, "query": f.query_string()}


def _rows(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    latest = (select(func.max(Classification.id)).where(Classification.item_id == Item.id)
              .correlate(Item).scalar_subquery())
    shown = (select(Item.id, Item.received_at, Item.source, Item.subject, Item.status,
                    Item.hazard, Classification.category, Classification.confidence,
                    ExtractedFields.name, ExtractedFields.postcode, Case.ref)
             .outerjoin(Classification, and_(Classification.item_id == Item.id,
                                             Classification.id == latest))
             .outerjoin(ExtractedFields, ExtractedFields.item_id == Item.id)
             .outerjoin(Case, Case.id == Item.case_id).where(Item.id.in_(ids)))
    found = {row.id: row for row in session.execute(shown)}
    deciders: dict[int, str] = {}
    for item_id, name in session.execute(
            select(ReviewDecision.item_id, ReviewDecision.officer)
            .where(ReviewDecision.item_id.in_(ids)).order_by(ReviewDecision.id)):
        deciders[item_id] = name
    return [{"id": row.id, "received": local_time(row.received_at), "source": row.source,
             "subject": row.subject or "", "status": row.status, "hazard": row.hazard,
             "category": row.category or "", "name": row.name, "postcode": row.postcode,
             "case_ref": row.ref, "handled_by": deciders.get(row.id) or (
                 "triage" if row.status in (ItemStatus.STAGED, ItemStatus.IGNORED) else "")}
            for row in (found[item_id] for item_id in ids)]
