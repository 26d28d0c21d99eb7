"""Batch work at the edge: store raw bytes first, then triage stored items one transaction each.

Flows call these; each item's failure is contained (quarantined with its reason) so the batch
and the run go on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select

from classify.fields import Landlord
from classify.model import TrainedModel, load_or_train
from ingest.errors import QuarantineReason, UnreadableItem
from ingest.items import RawItem
from models.db import session_scope
from models.rawstore import load_raw
from models.repository import find_thread, mark_quarantined, record_raw, save_result
from models.tables import Item
from triage.pipeline import read_item, triage_item
from triage.settings import Settings
from workflow.policy import Policy, load_policy
from workflow.rules import Thresholds

log = logging.getLogger("triage.batch")
# Told (phase, count): ("stored", 1), ("triage_total", n), ("triaged", 1).
Progress = Callable[[str, int], None]


@dataclass
class BatchReport:
    """What a batch did, by outcome; item ids only, never personal data."""

    stored: list[int] = field(default_factory=list)
    duplicates: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def merge(self, other: BatchReport) -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.outcomes.update(other.outcomes)


def store_raw_items(settings: Settings, raws: Iterable[RawItem],
                    progress: Progress | None = None) -> BatchReport:
    """Write and commit each item's bytes before anything reads them: nothing can be lost."""
    report = BatchReport()
    for raw in raws:
        with session_scope(settings.resolved_database_url) as session:
            item, created = record_raw(session, settings.raw_dir, raw)
            session.flush()
            if created:
                report.stored.append(item.id)
            else:
                report.duplicates += 1
        if progress:
            progress("stored", 1)
    return report


@lru_cache(maxsize=4)
def _cached_model(training_dir: str, model_dir: str) -> TrainedModel:
    from pathlib import Path

    return load_or_train(Path(training_dir), Path(model_dir))


def load_model(settings: Settings) -> TrainedModel:
    return _cached_model(str(settings.training_dir), str(settings.model_dir))


def thresholds_of(settings: Settings) -> Thresholds:
    return Thresholds(auto=settings.auto_threshold, suggest=settings.suggest_threshold)


def triage_stored_items(settings: Settings, item_ids: list[int],
                        progress: Progress | None = None) -> BatchReport:
    """Read, classify and stage each stored item; unreadable ones are quarantined."""
    model = load_model(settings)
    policy = load_policy(settings.policy)
    report = BatchReport()
    for item_id in item_ids:
        report.outcomes[_triage_one(settings, item_id, model, policy)] += 1
        if progress:
            progress("triaged", 1)
    return report


def _triage_one(settings: Settings, item_id: int, model: TrainedModel, policy: Policy) -> str:
    with session_scope(settings.resolved_database_url) as session:
        item = session.get(Item, item_id)
        if item is None:
            return "missing"
        try:
            if item.size_bytes > settings.max_item_bytes:
                raise UnreadableItem(
                    QuarantineReason.TOO_LARGE,
                    f"{item.size_bytes} bytes; the limit is {settings.max_item_bytes}",
                )
            raw = RawItem(item.source, load_raw(settings.raw_dir, item.raw_path, item.sha256),
                          item.source_ref, item.received_at)
            parsed = read_item(raw, max_pdf_pages=settings.max_pdf_pages)
            result = triage_item(parsed, model=model, policy=policy,
                                 thresholds=thresholds_of(settings),
                                 thread=find_thread(session, parsed), landlord=Landlord())
            save_result(session, item, result, policy)
            return item.status
        except UnreadableItem as exc:
            log.warning("item %s quarantined: %s", item_id, exc.reason.value)
            mark_quarantined(item, exc.reason.value, exc.detail)
            return item.status
        except Exception as exc:  # a bug must not stop the run: keep the item, say why
            log.exception("item %s failed unexpectedly", item_id)
            session.rollback()
            item = session.get(Item, item_id)
            assert item is not None
            mark_quarantined(item, QuarantineReason.INTERNAL_ERROR.value,
                             f"{type(exc).__name__}: {exc}")
            return item.status


def item_ids_with_status(settings: Settings, statuses: tuple[str, ...]) -> list[int]:
    with session_scope(settings.resolved_database_url) as session:
        return list(session.scalars(select(Item.id).where(Item.status.in_(statuses))
                                    .order_by(Item.received_at, Item.id)))
