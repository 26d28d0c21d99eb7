"""The review queue's order: its filter, a page of it, and an item's place in it (for `j`,
`k` and "12 of 5,000 in the queue"), none of them ranking the whole queue.

The queue's order is: hazards first, the nearest review date, the least
confident, then the id. The first two are columns of the item, cheap to compare; the third
is the item's latest classification, a lookup per item. So the item's place is counted from
the items ahead of its (hazard, date) group, which needs no lookup, plus its place within
its group, the only items whose confidence is read; a neighbour in the next or previous
group is the first or last of that group. A page of the queue is likewise read from the
groups it falls in, found by counting each group's items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, case, func, select, tuple_
from sqlalchemy.orm import Session

from core.labels import CATEGORIES, ItemStatus
from models.db import session_scope
from models.tables import Classification, Item
from workflow.officer_review import REVIEW_REASONS

SOURCES = ("email", "letter")


@dataclass(frozen=True)
class QueueFilter:
    category: str = ""
    source: str = ""
    reason: str = ""

    def cleaned(self) -> QueueFilter:
        """Unknown values are dropped rather than matched: the query stays one of the few."""
        return QueueFilter(self.category if self.category in CATEGORIES else "",
                           self.source if self.source in SOURCES else "",
                           self.reason if self.reason in REVIEW_REASONS or
                           self.reason == "other" else "")

    def query_string(self) -> str:
        return urlencode({k: v for k, v in (("category", self.category),
                                            ("source", self.source),
                                            ("reason", self.reason)) if v})


def latest_of(column):
    """The item's latest classification's `column`, as a correlated subquery: one lookup in
    the (item_id, id) index per item in review, never a scan of every classification."""
    return (select(column).where(Classification.item_id == Item.id)
            .order_by(Classification.id.desc()).limit(1).correlate(Item).scalar_subquery())


def queue_select(columns: list[Any], filters: QueueFilter) -> Select:
    query = select(*columns).where(Item.status == ItemStatus.NEEDS_REVIEW)
    if filters.category:
        query = query.where(latest_of(Classification.category) == filters.category)
    if filters.source:
        query = query.where(Item.source == filters.source)
    if filters.reason:
        query = query.where(Item.review_reason == filters.reason)
    return query


def queue_order() -> list[Any]:
    """Hazards first, then the nearest deadline, then the least confident; id breaks ties."""
    return [case((Item.hazard.is_(None), 1), else_=0), Item.review_due.asc().nulls_last(),
            latest_of(Classification.confidence).asc().nulls_last(), Item.id]


def ranked_ids(session: Session, filters: QueueFilter, offset: int = 0,
               limit: int | None = None) -> list[int]:
    """The queue ranked in one sort: the definition the reads below are tested against."""
    query = queue_select([Item.id], filters).order_by(*queue_order()).offset(offset)
    return list(session.scalars(query.limit(limit) if limit else query))


# Sort keys with nulls last, as the queue orders them.
RANK_WHOLE = 1000  # items: fewer are ranked in one sort, faster than counting groups first
NO_DATE, NO_CONFIDENCE = date(9999, 12, 31), 2.0


def _keys() -> tuple[Any, Any, Any]:
    return (case((Item.hazard.is_(None), 1), else_=0),
            func.coalesce(Item.review_due, NO_DATE),
            func.coalesce(latest_of(Classification.confidence), NO_CONFIDENCE))


def _groups(session: Session, filters: QueueFilter, first: tuple[int, date],
            last: tuple[int, date]) -> list[int]:
    """The ids of the (hazard, date) groups from `first` to `last`, in the queue's order: the
    only items whose confidence is read."""
    flag, due, confidence = _keys()
    rows = session.execute(queue_select([Item.id, flag, due, confidence], filters)
                           .where(tuple_(flag, due) >= first, tuple_(flag, due) <= last)).all()
    return [row[0] for row in sorted(rows, key=lambda row: (row[1], row[2], row[3], row[0]))]


def _group(session: Session, filters: QueueFilter, group: tuple[int, date]) -> list[int]:
    return _groups(session, filters, group, group)


def _adjacent_group(session: Session, filters: QueueFilter, group: tuple[int, date] | None,
                    after: bool) -> tuple[int, date] | None:
    """The (hazard, date) group just after (or before) `group`; the first when None."""
    flag, due, _ = _keys()
    query = queue_select([flag, due], filters)
    if group is not None:
        query = query.where(tuple_(flag, due) > group if after else tuple_(flag, due) < group)
    order = [flag, due] if after else [flag.desc(), due.desc()]
    found = session.execute(query.order_by(*order).limit(1)).first()
    return (found[0], found[1]) if found is not None else None


def page_ids(session: Session, filters: QueueFilter, offset: int, limit: int) -> list[int]:
    """The ids at places offset+1 to offset+limit of the queue, in its order: each (hazard,
    date) group counted, then only the groups the page falls in read (in one query)."""
    flag, due, _ = _keys()
    keyed = queue_select([flag.label("flag"), due.label("due")], filters).subquery()
    groups = session.execute(select(keyed.c.flag, keyed.c.due, func.count())
                             .group_by(keyed.c.flag, keyed.c.due)
                             .order_by(keyed.c.flag, keyed.c.due)).all()
    needed: list[tuple[int, date]] = []
    start = skip = 0
    for flag_value, due_value, size in groups:
        if start + size > offset:
            skip = skip if needed else offset - start
            needed.append((flag_value, due_value))
        start += size
        if start >= offset + limit:
            break
    if not needed:
        return []
    return _groups(session, filters, needed[0], needed[-1])[skip:skip + limit]


def queue_slice(session: Session, filters: QueueFilter, offset: int, limit: int,
                total: int | None, rank_whole: int = RANK_WHOLE) -> tuple[int, list[int]]:
    """The queue's length (counted if not given) and the ids at places offset+1 to
    offset+limit. A filtered queue is first ranked whole, up to `rank_whole` items: one pass
    gives both when it is that short (as a filtered queue often is)."""
    if total is None:
        ranked = ranked_ids(session, filters, 0, rank_whole + 1)
        if len(ranked) <= rank_whole:
            return len(ranked), ranked[offset:offset + limit]
        total = session.scalar(queue_select([func.count()], filters)) or 0
    if total <= rank_whole:
        return total, ranked_ids(session, filters, offset, limit)
    return total, page_ids(session, filters, offset, limit)


def queue_neighbours(url: str, item_id: int, filters: QueueFilter) -> dict[str, int | None]:
    """The items before and after this one in the queue's order (for `j` and `k`); when this
    one has just left the queue, the one now in its place (the queue's first)."""
    flag, due, _ = _keys()
    with session_scope(url) as session:
        total = session.scalar(queue_select([func.count()], filters)) or 0
        mine = session.execute(queue_select([flag, due], filters)
                               .where(Item.id == item_id)).first()
        if mine is None:
            first = _adjacent_group(session, filters, None, after=True)
            return {"previous": None, "next": _group(session, filters, first)[0]
                    if first is not None else None, "position": None, "total": total}
        group = (mine[0], mine[1])
        ahead = session.scalar(queue_select([func.count()], filters)
                               .where(tuple_(flag, due) < group)) or 0
        members = _group(session, filters, group)
        at = members.index(item_id)
        previous = members[at - 1] if at > 0 else None
        following = members[at + 1] if at + 1 < len(members) else None
        if previous is None and (earlier := _adjacent_group(session, filters, group, False)):
            previous = _group(session, filters, earlier)[-1]
        if following is None and (later := _adjacent_group(session, filters, group, True)):
            following = _group(session, filters, later)[0]
    return {"previous": previous, "next": following, "position": ahead + at + 1,
            "total": total}
