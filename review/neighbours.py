"""An item's place in the review queue (for `j`, `k` and "12 of 5,000 in the queue") without
ranking the whole queue.

The queue's order (review/queries.py) is: hazards first, the nearest review date, the least
confident, then the id. The first two are columns of the item, cheap to compare; the third
is the item's latest classification, a lookup per item. So the item's place is counted from
the items ahead of its (hazard, date) group, which needs no lookup, plus its place within
its group, the only items whose confidence is read; a neighbour in the next or previous
group is the first or last of that group.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, tuple_
from sqlalchemy.orm import Session

from models.db import session_scope
from models.tables import Classification, Item
from review.queries import QueueFilter, _latest, _queue_select

# Sort keys with nulls last, as the queue orders them.
NO_DATE, NO_CONFIDENCE = date(9999, 12, 31), 2.0


def _keys() -> tuple[Any, Any, Any]:
    return (case((Item.hazard.is_(None), 1), else_=0),
            func.coalesce(Item.review_due, NO_DATE),
            func.coalesce(_latest(Classification.confidence), NO_CONFIDENCE))


def _group(session: Session, filters: QueueFilter, group: tuple[int, date]) -> list[int]:
    """The ids of one (hazard, date) group in the queue's order."""
    flag, due, confidence = _keys()
    rows = session.execute(_queue_select([Item.id, confidence], filters)
                           .where(flag == group[0], due == group[1])).all()
    return [row.id for row in sorted(rows, key=lambda row: (row[1], row.id))]


def _adjacent_group(session: Session, filters: QueueFilter, group: tuple[int, date] | None,
                    after: bool) -> tuple[int, date] | None:
    """The (hazard, date) group just after (or before) `group`; the first when None."""
    flag, due, _ = _keys()
    query = _queue_select([flag, due], filters)
    if group is not None:
        query = query.where(tuple_(flag, due) > group if after else tuple_(flag, due) < group)
    order = [flag, due] if after else [flag.desc(), due.desc()]
    found = session.execute(query.order_by(*order).limit(1)).first()
    return (found[0], found[1]) if found is not None else None


def queue_neighbours(url: str, item_id: int, filters: QueueFilter) -> dict[str, int | None]:
    """The items before and after this one in the queue's order (for `j` and `k`); when this
    one has just left the queue, the one now in its place (the queue's first)."""
    flag, due, _ = _keys()
    with session_scope(url) as session:
        total = session.scalar(_queue_select([func.count(Item.id)], filters)) or 0
        mine = session.execute(_queue_select([flag, due], filters)
                               .where(Item.id == item_id)).first()
        if mine is None:
            first = _adjacent_group(session, filters, None, after=True)
            return {"previous": None, "next": _group(session, filters, first)[0]
                    if first is not None else None, "position": None, "total": total}
        group = (mine[0], mine[1])
        ahead = session.scalar(_queue_select([func.count(Item.id)], filters)
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
