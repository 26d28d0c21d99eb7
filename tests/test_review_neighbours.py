"""An item's place in the review queue, and a page of the queue, found without ranking the
whole queue, are those the whole queue's ranking gives: hazards first, then the review date
(none last), then the least confident (none last), then the id; on SQLite and PostgreSQL,
filtered or not."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from core.settings import Settings
from models.db import session_scope
from models.tables import Classification, Item
from review.queue_order import (
    QueueFilter,
    page_ids,
    queue_neighbours,
    queue_slice,
    ranked_ids,
)
from tests.review_fixtures import add_waiting_item

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _queue(settings: Settings) -> list[int]:
    """Items with few review dates and confidences, so groups and ties are many; some with
    no date, some with no classification, one decided (not in the queue)."""
    rng = random.Random(17)
    ids = []
    for n in range(40):
        ids.append(add_waiting_item(
            settings, subject=f"Item {n}", text="The gate is broken.",
            category=rng.choice(["complaint", "service_request"]),
            confidence=rng.choice([0.4, 0.5, 0.5, 0.6]), received=RECEIVED,
            hazard="damp_mould" if n % 7 == 0 else None,
            source="letter" if n % 3 == 0 else "email",
            review_due=date(2026, 3, 3) + timedelta(days=rng.randint(0, 2)),
            status="staged" if n == 5 else "needs_review"))
    with session_scope(settings.resolved_database_url) as session:
        for item_id in ids[10:13]:
            session.get(Item, item_id).review_due = None
        session.query(Classification).filter(Classification.item_id.in_(ids[20:22])).delete()
    return ids


def test_pages_and_each_items_neighbours_are_those_of_the_whole_ranking(
        database_settings: Settings) -> None:
    url = database_settings.resolved_database_url
    ids = _queue(database_settings)
    for filters in (QueueFilter(), QueueFilter(source="letter"),
                    QueueFilter(category="complaint")):
        with session_scope(url) as session:
            ranked = ranked_ids(session, filters)
            pages = {(offset, limit): page_ids(session, filters, offset, limit)
                     for offset in (0, 1, 7, 13, 39, 60) for limit in (1, 5, 50)}
            sliced = [queue_slice(session, filters, offset, 5, total, rank_whole)
                      for offset in (0, 12) for total in (None, len(ranked))
                      for rank_whole in (3, 1000)]
        assert len(ranked) > 5
        for (offset, limit), ids_there in pages.items():
            assert ids_there == ranked[offset:offset + limit], (filters, offset, limit)
        assert sliced == [(len(ranked), ranked[offset:offset + 5])
                          for offset in (0, 12) for _ in range(4)]
        for at, item_id in enumerate(ranked):
            assert queue_neighbours(url, item_id, filters) == {
                "previous": ranked[at - 1] if at else None,
                "next": ranked[at + 1] if at + 1 < len(ranked) else None,
                "position": at + 1, "total": len(ranked)}, (filters, item_id)
        outside = ids[5] if ids[5] not in ranked else None
        if filters == QueueFilter():
            assert outside is not None
        if outside is not None:
            assert queue_neighbours(url, outside, filters) == {
                "previous": None, "next": ranked[0], "position": None,
                "total": len(ranked)}
