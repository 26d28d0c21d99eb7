"""Server time of the review app's queue, items list and search, case page and cases list,
and of the item page, with 100,000 cases and 5,000 items in review, on the local PostgreSQL
server. Prints figures (p50, p95, max per page) and whether each page meets issue 17's
target (p95 at most 50 ms; the item page, which also writes its claim and access-log row, is
reported beside them); asserts nothing.

    .venv/bin/python -m bench.web [--cases 100000] [--review 5000] [--requests 60]

It creates the database `triage_bench_web` on 127.0.0.1:5432 (user postgres) and drops it
afterwards. Server time is the app's own `Server-Timing` figure (from the request reaching
the app to the response being ready: session, database, template, access log), requests sent
in-process. The machine's load average is printed before and after: figures taken on a busy
machine are not the app's.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import insert

from core.settings import Settings
from models.db import get_engine, migrate
from models.tables import (
    Case,
    CaseEvent,
    Classification,
    ExtractedFields,
    Item,
)
from pipeline.users import add_user

DATABASE = "triage_bench_web"
ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
CATEGORIES = ("complaint", "service_request", "excluded", "compliment", "other")
REASONS = ("low-confidence", "proposed-exclusion", "anonymous-complaint", "low-ocr-confidence",
           "thread-mismatch")
HAZARDS = ("damp_mould", "gas", "electrical", "water_leak", "no_heating")
CHUNK = 5000
TARGET_MS = 50.0  # issue 17: p95 of server time
BESIDE_TARGET = {"item page (queue neighbours for j/k)"}


def create_database() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database() -> None:
    get_engine.cache_clear()
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _insert(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start:start + CHUNK])


def populate(cases: int, in_review: int) -> None:
    """Cases with an opening event (a fifth acknowledged, a tenth closed) and the item that
    opened each, plus the items waiting for review, each with a classification and fields."""
    rng = random.Random(8)
    today = date.today()
    now = datetime.now(UTC)
    engine = get_engine(URL)
    with engine.begin() as connection:
        case_rows, event_rows = [], []
        for n in range(1, cases + 1):
            respond_by = today + timedelta(days=rng.randint(-60, 60))
            case_rows.append({
                "id": n, "ref": f"CMP-2025-{n:06d}", "policy": "code-2024",
                "stage": 1 + (n % 9 == 0),
                "status": "open" if n % 10 < 7 else "closed", "handler": "complaints officer",
                "received_at": now - timedelta(days=rng.randint(0, 400)),
                "stage_started": respond_by - timedelta(days=14),
                "acknowledge_by": respond_by - timedelta(days=9), "respond_by": respond_by,
                "hazard": HAZARDS[n % 5] if n % 20 == 0 else None,
                "name": f"Resident {n}", "postcode": f"PR{n % 9 + 1} {n % 10}AB",
                "received_on": respond_by - timedelta(days=14),
                "acknowledged_on": respond_by - timedelta(days=10) if n % 5 == 0 else None,
                "extension_days": 0, "earlier_officers": [],
                "created_at": now, "updated_at": now})
            event_rows.append({"case_id": n, "kind": "opened", "stage": 1, "at": now,
                               "detail": {"respond_by": respond_by.isoformat()}})
            if n % 5 == 0:
                event_rows.append({"case_id": n, "kind": "acknowledged", "stage": 1, "at": now,
                                   "detail": {}})
        _insert(connection, Case.__table__, case_rows)
        _insert(connection, CaseEvent.__table__, event_rows)
        item_rows, label_rows, field_rows = [], [], []
        for n in range(1, cases + in_review + 1):
            waiting = n > cases
            category = CATEGORIES[n % 5]
            confidence = round(rng.uniform(0.2, 0.79) if waiting else rng.uniform(0.8, 1), 4)
            item_rows.append({
                "id": n, "source": "email" if n % 4 else "letter", "source_ref": f"bench:{n}",
                "sha256": f"{n:064x}", "raw_path": f"raw/{n}", "size_bytes": 1000,
                "received_at": now - timedelta(days=rng.randint(0, 30)),
                "subject": f"Item {n}", "text": "The boiler has been broken for weeks.",
                "text_source": "body", "status": "needs_review" if waiting else "staged",
                "attempts": 1, "case_id": None if waiting else n,
                "hazard": HAZARDS[n % 5] if waiting and n % 25 == 0 else None,
                "review_due": today + timedelta(days=rng.randint(-3, 10)) if waiting else None,
                "review_reason": REASONS[n % 5] if waiting else None,
                "created_at": now, "updated_at": now})
            label_rows.append({
                "item_id": n, "category": category, "confidence": confidence,
                "excluded_reason": "out_of_time" if category == "excluded" else None,
                "escalation": False, "hazard": None,
                "probabilities": {c: round(confidence if c == category else
                                           (1 - confidence) / 4, 4) for c in CATEGORIES},
                "model_version": "bench", "needs_review": waiting,
                "action": "open_case", "rule_results": {"results": []}, "policy": "code-2024",
                "created_at": now})
            field_rows.append({"item_id": n, "name": f"Resident {n}",
                               "postcode": f"PR{n % 9 + 1} {n % 10}AB", "staff": []})
        _insert(connection, Item.__table__, item_rows)
        _insert(connection, Classification.__table__, label_rows)
        _insert(connection, ExtractedFields.__table__, field_rows)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def server_ms(client: TestClient, path: str) -> float:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    timing = response.headers["server-timing"]
    return float(timing.split("dur=")[1])


def time_pages(client: TestClient, pages: dict[str, str], requests: int) -> None:
    """Each page `requests` times, the pages taken in turn (round after round), so a burst of
    other work on the machine falls on every page alike rather than on one."""
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for path in pages.values():
        for _ in range(3):
            server_ms(client, path)
    times: dict[str, list[float]] = {label: [] for label in pages}
    for _ in range(requests):
        for label, path in pages.items():
            times[label].append(server_ms(client, path))
    print(f"server time over {requests} requests each (after 3 to warm up; the pages in "
          f"turn), ms; target p95 <= {TARGET_MS:.0f}")
    print(f"{'page':<40} {'p50':>7} {'p95':>7} {'max':>7}  target")
    for label, taken in times.items():
        taken.sort()
        p95 = taken[max(0, round(0.95 * len(taken)) - 1)]
        met = ("(beside)" if label in BESIDE_TARGET
               else "met" if p95 <= TARGET_MS else "NOT met")
        print(f"{label:<40} {statistics.median(taken):7.1f} {p95:7.1f} {taken[-1]:7.1f}  {met}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--review", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true",
                        help="leave the database for a later --reuse (and for EXPLAIN)")
    parser.add_argument("--reuse", action="store_true",
                        help="time the database a --keep run left, without filling it again")
    args = parser.parse_args()
    if not args.reuse:
        create_database()
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), database_url=URL, _env_file=None)
            migrate(URL)
            if not args.reuse:
                started = time.perf_counter()
                populate(args.cases, args.review)
                print(f"{args.cases:,} cases (each with its item) and {args.review:,} items "
                      f"in review stored in {time.perf_counter() - started:.1f} s")
                add_user(settings, "bench", "officer", "bench password")
            from review.app import serving_app
            from tests.review_fixtures import csrf_of

            client = TestClient(serving_app(settings), follow_redirects=False)  # as served
            token = csrf_of(client.get("/login").text)
            client.post("/login", data={"username": "bench", "password": "bench password",
                                        "csrf_token": token})
            pages = {
                "queue, first page": "/",
                "queue, page 60 (of 100)": "/?page=60",
                "queue, filtered by category": "/?category=complaint",
                "queue, filtered by source and reason": "/?source=letter&reason=low-confidence",
                "item page (queue neighbours for j/k)": f"/items/{args.cases + 7}",
                "cases, open, first page": "/cases",
                "cases, all, page 1,000": "/cases?status=all&page=1000",
                "cases, overdue": "/cases?due=overdue",
                "cases, due soon": "/cases?due=soon",
                "cases, by postcode": "/cases?ref=PR3+2AB",
                "case page": "/cases/CMP-2025-004242",
                "items, first page": "/items",
                "items, automatically handled": "/items?handled=auto",
                "search: surname words": "/items?q=resident+4242",
                "search: partial postcode": "/items?q=pr3+2",
                "search: reference fragment": "/items?q=004242",
                "search: free text (in every item)": "/items?q=boiler+broken",
            }
            time_pages(client, pages, args.requests)
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
