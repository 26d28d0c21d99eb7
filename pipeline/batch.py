"""Batch work at the edge: store raw bytes first, then triage stored items one transaction each.

Flows call these; each item's failure is contained (quarantined with its reason) so the batch
and the run go on.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from classify.fields import Extraction, Landlord, normalise_postcode
from classify.model import TrainedModel, load_trained
from classify.predict import Prediction
from core.settings import Settings
from ingest.errors import QuarantineReason, UnreadableItem
from ingest.items import IntakeItem, RawItem
from ingest.ocr import ocr_worker_count
from ingest.reading import read_item
from models.db import session_scope
from models.plans import save_result
from models.rawstore import load_raw
from models.repository import find_replied_request, find_thread, mark_quarantined, record_raw
from models.tables import Item, ItemStatus
from pipeline.residency import assess_residency, record_residency
from workflow.policy import Policy, load_policy
from workflow.rules import Thresholds
from workflow.staging import receipt_day
from workflow.triage import assess_many, decide

log = logging.getLogger("pipeline.batch")
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
def _cached_model(training_dir: Path, model_dir: Path, promoted_stamp: int) -> TrainedModel:
    return load_trained(training_dir, model_dir)


def load_model(settings: Settings) -> TrainedModel:
    """The model in use, loaded once per process, and again after a promotion anywhere.
    Triage never trains: without a saved model this raises `ModelNotTrained` saying how.

    A scheduled retrain runs in another process (or machine): the promotion file's change
    time is part of the cache key, so a long-lived process (`triage serve`'s web app) picks
    the promoted model up at its next batch.
    """
    from classify.model import PROMOTED

    marker = settings.model_dir / PROMOTED
    stamp = marker.stat().st_mtime_ns if marker.exists() else 0
    return _cached_model(settings.training_dir, settings.model_dir, stamp)


def forget_loaded_models() -> None:
    """After `triage train` promotes a model, the next load reads it from disk."""
    _cached_model.cache_clear()


def thresholds_of(settings: Settings, model: TrainedModel | None = None) -> Thresholds:
    """The settings' thresholds where set, else those chosen with the model."""
    model = model or load_model(settings)
    auto = settings.auto_threshold if settings.auto_threshold is not None else (
        model.auto_threshold)
    suggest = settings.suggest_threshold if settings.suggest_threshold is not None else (
        model.suggest_threshold)
    return Thresholds(auto=auto, suggest=min(suggest, auto), ocr=settings.ocr_review_threshold)


def landlord_of(settings: Settings) -> Landlord:
    """The landlord's identity from settings; each word of its names is no one's name."""
    words = [word for name in settings.landlord_names for word in name.split()
             if len(word) >= 3 and word[0].isupper()]
    return Landlord(
        names=tuple(dict.fromkeys([*settings.landlord_names, *words])),
        email_domains=tuple(d.lower() for d in settings.landlord_email_domains),
        postcodes=tuple(normalise_postcode(p) for p in settings.landlord_postcodes),
        addresses=tuple(settings.landlord_addresses),
    )


# Outcome of an item another worker claimed first: it is theirs, not an error.
TAKEN = "taken"


def triage_stored_items(settings: Settings, item_ids: list[int],
                        progress: Progress | None = None,
                        claimable: tuple[str, ...] = (ItemStatus.PENDING,)) -> BatchReport:
    """Read, classify and stage each stored item; unreadable ones are quarantined.

    `claimable` are the statuses an item may be in to be (re)processed: pending for intake,
    quarantined too for `triage retry`.
    """
    model = load_model(settings)
    policy = load_policy(settings.policy)
    landlord = landlord_of(settings)
    report = BatchReport()
    readings = list(read_stored_items(settings, item_ids))
    assessed = _assess(readings, model, policy, landlord,
                       settings.ocr_review_threshold)
    for item_id, reading in readings:
        report.outcomes[_triage_one(settings, item_id, reading, assessed.get(item_id), policy,
                                    thresholds_of(settings, model), claimable)] += 1
        if progress:
            progress("triaged", 1)
    return report


Assessment = tuple[Extraction, Prediction] | BaseException


def _assess(readings: list[tuple[int, Reading]], model: TrainedModel, policy: Policy,
            landlord: Landlord, min_ocr_confidence: float = 0.0) -> dict[int, Assessment]:
    """spaCy and the classifier once for the whole batch; one item at a time only if that
    fails, so a bug one item trips is that item's alone."""
    readable = [(item_id, r) for item_id, r in readings if isinstance(r, IntakeItem)]
    try:
        found = assess_many([r for _, r in readable], model=model, policy=policy,
                            landlord=landlord, min_ocr_confidence=min_ocr_confidence)
        return {item_id: one for (item_id, _), one in zip(readable, found, strict=True)}
    except Exception:
        log.exception("a batch of %d could not be assessed together", len(readable))
    assessed: dict[int, Assessment] = {}
    for item_id, reading in readable:
        try:
            assessed[item_id] = assess_many([reading], model=model, policy=policy,
                                            landlord=landlord,
                                            min_ocr_confidence=min_ocr_confidence)[0]
        except Exception as exc:
            assessed[item_id] = exc
    return assessed


Reading = IntakeItem | BaseException | None


def read_stored_items(settings: Settings, item_ids: list[int]) -> Iterator[tuple[int, Reading]]:
    """Each item's reading (or why it failed), in the order given, read ahead in parallel.

    Reading is most of a scanned letter's cost and Tesseract uses one core a page, so letters
    are read as many at once as there are cores (ingest/ocr.py caps the Tesseract processes);
    classification and saving stay sequential, in order, so a reply follows its original.
    """
    # Twice as many readers as Tesseract slots: while one letter is being read, the next is
    # loaded and rendered, so a slot never waits for Python to prepare its page.
    readers = 2 * ocr_worker_count()
    pending = iter(item_ids)
    with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="read") as pool:
        ahead: deque[tuple[int, Future[IntakeItem | None]]] = deque()
        for item_id in islice(pending, readers + 2):
            ahead.append((item_id, pool.submit(_read_stored, settings, item_id)))
        while ahead:
            item_id, future = ahead.popleft()
            following = next(pending, None)
            if following is not None:
                ahead.append((following, pool.submit(_read_stored, settings, following)))
            try:
                yield item_id, future.result()
            except Exception as exc:
                yield item_id, exc


def _read_stored(settings: Settings, item_id: int) -> IntakeItem | None:
    with session_scope(settings.resolved_database_url) as session:
        item = session.get(Item, item_id)
        if item is None:
            return None
        if item.size_bytes > settings.max_item_bytes:
            raise UnreadableItem(
                QuarantineReason.TOO_LARGE,
                f"{item.size_bytes} bytes; the limit is {settings.max_item_bytes}",
            )
        page_range = (item.first_page, item.last_page) if item.first_page and item.last_page \
            else None
        stored = load_raw(settings.raw_dir, item.raw_path, item.sha256)
        if len(stored) != item.size_bytes:  # a message too large to fetch: headers only
            raise UnreadableItem(
                QuarantineReason.TOO_LARGE,
                f"{item.size_bytes} bytes on the server; only its headers were fetched")
        raw = RawItem(item.source, stored, item.source_ref, item.received_at,
                      item.scan_sha256, page_range)
    return read_item(raw, max_pdf_pages=settings.max_pdf_pages,
                     max_image_pixels=settings.max_image_pixels)


def claim(session: Session, item_id: int, claimable: tuple[str, ...]) -> bool:
    """Take the item for this transaction, if it is still in a claimable status.

    The claim is a write, so it is the transaction's first lock: PostgreSQL holds the row
    until commit (a second worker waits, then finds it triaged) and SQLite serialises
    writers. Exactly one worker saves each item; the other is told it was taken.
    """
    claimed = session.execute(
        update(Item).where(Item.id == item_id, Item.status.in_(claimable))
        .values(attempts=Item.attempts).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def _triage_one(settings: Settings, item_id: int, reading: Reading,
                assessment: Assessment | None, policy: Policy, thresholds: Thresholds,
                claimable: tuple[str, ...]) -> str:
    """Decide and save one item in its own transaction, in order, so a reply finds the case
    its original opened a moment before."""
    with session_scope(settings.resolved_database_url) as session:
        if not claim(session, item_id, claimable):
            return TAKEN if session.get(Item, item_id) is not None else "missing"
        item = session.get(Item, item_id)
        if item is None or reading is None:
            return "missing"
        try:
            if isinstance(reading, BaseException):
                raise reading
            if isinstance(assessment, BaseException):
                raise assessment
            assert assessment is not None
            extraction, prediction = assessment
            residency = assess_residency(session, reading, extraction,
                                         receipt_day(reading.received_at, policy))
            result = decide(reading, extraction, prediction, policy=policy,
                            thresholds=thresholds, thread=find_thread(session, reading),
                            replied_request=find_replied_request(session, reading),
                            related=residency.related)
            save_result(session, item, result, policy)
            record_residency(session, item, residency, result.decision)
            return item.status
        except UnreadableItem as exc:
            log.warning("item %s quarantined: %s", item_id, exc.reason.value)
            mark_quarantined(item, exc.reason.value, exc.detail)
            return item.status
        except (OperationalError, InterfaceError):
            raise  # the database, not the item: the task is retried, the item stays as it was
        except Exception as exc:  # a bug must not stop the run: keep the item, say why
            log.exception("item %s failed unexpectedly", item_id)
            session.rollback()
            if not claim(session, item_id, claimable):
                return TAKEN
            item = session.get(Item, item_id)
            assert item is not None
            mark_quarantined(item, QuarantineReason.INTERNAL_ERROR.value,
                             f"{type(exc).__name__}: {exc}")
            return item.status


def triage_in_batches(settings: Settings, item_ids: list[int],
                      claimable: tuple[str, ...] = (ItemStatus.PENDING,), *,
                      run_batch: Callable[[list[int]], BatchReport] | None = None,
                      progress: Progress | None = None) -> BatchReport:
    """Items triaged `settings.batch_size` at a time; a flow passes its Prefect task as
    `run_batch`, so there is one task per batch, never one per item."""
    if progress:
        progress("triage_total", len(item_ids))
    run_batch = run_batch or (lambda ids: triage_stored_items(settings, ids, progress,
                                                              claimable))
    report = BatchReport()
    for start in range(0, len(item_ids), settings.batch_size):
        report.merge(run_batch(item_ids[start : start + settings.batch_size]))
    return report


def is_transient_database_error(exc: BaseException) -> bool:
    """A locked SQLite file or a dropped PostgreSQL connection passes; a bad query does not."""
    return isinstance(exc, (OperationalError, InterfaceError))


def item_ids_with_status(settings: Settings, statuses: tuple[str, ...]) -> list[int]:
    with session_scope(settings.resolved_database_url) as session:
        return list(session.scalars(select(Item.id).where(Item.status.in_(statuses))
                                    .order_by(Item.received_at, Item.id)))
