"""Every item, findable: the items list at /items with its filters and search.

Search matches any of: the words of the subject and text and of the names, addresses and
email the fields hold (SQLite FTS5 on the embedded default, built by migration 0012;
PostgreSQL full-text search over the stored tsvector columns of migration 0013), a postcode's
start in any case or spacing, a case reference fragment ("00004", "2026-0001"), an email
address, or an item id.

The matching ids are read once, newest first and up to a bound, and the page is a slice of
them. On PostgreSQL a common word is found by checking the newest items row by row (stopping
at the bound), a rare one through the GIN index: either way the work is bounded, never a sort
of every match of a word that is in every item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session

from core.labels import CATEGORIES, HAZARDS, ItemStatus
from models.db import session_scope
from models.tables import Case, Classification, ExtractedFields, Item, ReviewDecision
from review.queries import COUNT_LIMIT, PAGE_SIZE, local_time
from review.queue_order import SOURCES
from workflow.staging import LANDLORD_TIMEZONE

STATUSES = tuple(status.value for status in ItemStatus)
HANDLED = ("auto", "officer")
# The expression migration 0012 indexes on PostgreSQL: a query must repeat it exactly.
POSTCODE_KEY = "replace(upper(coalesce(extracted_fields.postcode, '')), ' ', '')"
MAX_QUERY = 200
# A search with words keeps its newest matches up to this many; a common word is looked for
# row by row among this many newest items first (PostgreSQL).
WORDS_LIMIT, WALK_WINDOW = 500, 2000
# The stored tsvector columns migration 0013 made from those expressions.
ITEM_VECTOR = literal_column("items.search_words")
FIELD_VECTOR = literal_column("extracted_fields.search_words")
# A case reference or a fragment of one: letters, digits and dashes with a run of digits.
REFERENCE_FRAGMENT = re.compile(r"(?:[A-Z]{1,6}-?)?[0-9-]*\d{3}[0-9-]*")


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


def _newest_first(received_at: Any, item_id: Any) -> list[Any]:
    return [received_at.desc().nulls_last(), item_id.desc()]


NEWEST = _newest_first(Item.received_at, Item.id)


def _tsquery(words: list[str]) -> Any:
    return func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))


def _word_branches(session: Session, base: Select, words: list[str], limit: int) -> list[Select]:
    """The newest items whose words (or their fields' words) match every word as a prefix:
    SQLite's FTS5 table, or PostgreSQL's GIN indexes on the stored tsvector columns."""
    if session.get_bind().dialect.name == "sqlite":
        fts = " ".join(f'"{word}"*' for word in words)
        matched = Item.id.in_(select(literal_column("rowid")).select_from(text("item_search"))
                              .where(text("item_search MATCH :fts").bindparams(fts=fts)))
        return [base.where(matched).order_by(*NEWEST).limit(limit)]
    query = _tsquery(words)
    return [base.where(ITEM_VECTOR.op("@@")(query)).order_by(*NEWEST).limit(limit),
            base.where(Item.id.in_(select(ExtractedFields.item_id).where(
                FIELD_VECTOR.op("@@")(query)))).order_by(*NEWEST).limit(limit)]


def _walk_newest(session: Session, base: Select, words: list[str], limit: int,
                 window: int) -> list[int] | None:
    """PostgreSQL: the `limit` newest matches of a common word, found by checking the newest
    `window` items row by row (a GIN index would hand back every match to be sorted); None
    when fewer match there (the word is rare: the index then finds them cheaply)."""
    if session.get_bind().dialect.name == "sqlite":
        return None
    recent = (base.add_columns(ITEM_VECTOR.label("words")).order_by(*NEWEST).limit(window)
              .subquery())
    query = _tsquery(words)
    # The fields' words only where the item's own do not match: one key lookup a row.
    fields_match = exists().where(ExtractedFields.item_id == recent.c.id,
                                  FIELD_VECTOR.op("@@")(query))
    found = list(session.scalars(
        select(recent.c.id).where(or_(recent.c.words.op("@@")(query), fields_match))
        .order_by(*_newest_first(recent.c.received_at, recent.c.id)).limit(limit)))
    return found if len(found) == limit else None


def _other_branches(session: Session, base: Select, q: str) -> list[Select]:
    """A postcode's start, a reference fragment, an email address, an item id: each its own
    query through its own index."""
    branches = []
    squashed = re.sub(r"\s+", "", q).upper()
    if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d?[A-Z]{0,2}", squashed):
        branches.append(base.where(_among(session, Item.id, ExtractedFields.item_id,
                                          literal_column(POSTCODE_KEY).like(_inline(f"{squashed}%")))))
    if len(squashed) <= 20 and REFERENCE_FRAGMENT.fullmatch(squashed):
        branches.append(base.where(_among(session, Item.case_id, Case.id,
                                          Case.ref.like(_inline(f"%{squashed}%")))))
    if "@" in q and " " not in q:
        branches.append(base.where(_among(
            session, Item.id, ExtractedFields.item_id,
            func.lower(ExtractedFields.email).like(_inline(f"%{q.lower()}%")))))
    if q.isdigit() and len(q) <= 18:
        branches.append(base.where(Item.id == int(q)))
    return branches


def _inline(pattern: str) -> Any:
    """A LIKE pattern written into the statement, not sent beside it: a prepared statement's
    generic plan cannot use an index for a pattern it does not know."""
    return bindparam(None, pattern, type_=String(), literal_execute=True)


def _among(session: Session, column: Any, found: Any, condition: Any) -> Any:
    """`column` is one of the `found` values the condition picks. PostgreSQL gets them as one
    array first, so the items are looked up by key rather than joined by a scan of them all."""
    if session.get_bind().dialect.name == "sqlite":
        return column.in_(select(found).where(condition))
    found_array = select(func.array_agg(found)).where(condition).scalar_subquery()
    return column == func.any(cast(found_array, ARRAY(Integer)))


def _matching_ids(session: Session, f: ItemFilter, limit: int, window: int) -> list[int]:
    """Up to `limit` ids of the items the filters and the search match, newest first."""
    base = _filtered(select(Item.id, Item.received_at), f)
    if not f.q:
        return list(session.scalars(select(base.order_by(*NEWEST).limit(limit).subquery().c.id)))
    words, branches = _words(f.q), _other_branches(session, base, f.q)
    walked = _walk_newest(session, base, words, limit, window) if words else None
    if words and walked is None:
        branches += _word_branches(session, base, words, limit)
    if walked is not None:
        branches.append(base.where(Item.id.in_(walked)))
    if not branches:
        return []
    found = union(*(select(b.subquery()) for b in branches)).subquery()
    return list(session.scalars(select(found.c.id).order_by(
        *_newest_first(found.c.received_at, found.c.id)).limit(limit)))


def _filtered(query: Select, f: ItemFilter) -> Select:
    """The filters other than the search words, on items."""
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


def items_page(url: str, f: ItemFilter, page: int = 1, page_size: int = PAGE_SIZE, *,
               words_limit: int = WORDS_LIMIT, window: int = WALK_WINDOW) -> dict[str, Any]:
    """One page of items, newest first. The matching ids are read once, up to a bound (the
    page is a slice of them): 5,000 for a listing, fewer for a search with words ("500 or
    more" is all an officer needs to narrow it). A listing's deeper pages skip index entries."""
    limit = (words_limit if f.q and _words(f.q) else COUNT_LIMIT) + 1
    with session_scope(url) as session:
        found = _matching_ids(session, f, limit, window)
        more, total = len(found) > limit - 1, min(len(found), limit - 1)
        pages = max(1, ceil(total / page_size))
        page = max(page, 1) if more and not f.q else min(max(page, 1), pages)
        start = (page - 1) * page_size
        ids = found[start:min(start + page_size, total)]
        if start >= total and more:
            ids = list(session.scalars(select(
                _filtered(select(Item.id, Item.received_at), f).order_by(*NEWEST)
                .offset(start).limit(page_size).subquery().c.id)))
        rows = _rows(session, ids)
    if more and not f.q and len(ids) == page_size:
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
