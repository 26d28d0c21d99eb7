"""Drafted letters: listed for officers, and sent by SMTP only when a server is configured."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from core.settings import Settings
from ingest.mail import OUTBOUND_MARKER_HEADER
from models.casework import apply_transition, state_of
from models.db import session_scope
from models.tables import Case, DraftLetter, ExtractedFields, Item
from workflow import lifecycle
from workflow.staging import LANDLORD_TIMEZONE

ACKNOWLEDGING = ("acknowledgement", "stage_acknowledgement")


def draft_rows(settings: Settings, unsent_only: bool = False) -> list[dict[str, Any]]:
    query = select(DraftLetter, Case.ref).outerjoin(Case, Case.id == DraftLetter.case_id)
    if unsent_only:
        query = query.where(DraftLetter.sent_at.is_(None))
    with session_scope(settings.resolved_database_url) as session:
        return [
            {"id": draft.id, "case_ref": ref, "item_id": draft.item_id, "kind": draft.kind,
             "stage": draft.stage, "subject": draft.subject, "body": draft.body,
             "created_at": draft.created_at.isoformat(timespec="seconds"),
             "sent_at": draft.sent_at.isoformat(timespec="seconds") if draft.sent_at else None,
             "sent_to": draft.sent_to, "send_error": draft.send_error}
            for draft, ref in session.execute(query.order_by(DraftLetter.id))
        ]


def print_drafts(rows: list[dict[str, Any]], console: Console) -> None:
    table = Table("id", "case", "item", "kind", "stage", "subject", "sent")
    for row in rows:
        table.add_row(str(row["id"]), row["case_ref"] or "", str(row["item_id"] or ""),
                      row["kind"], str(row["stage"] or ""), row["subject"],
                      row["sent_at"] or (f"error: {row['send_error']}" if row["send_error"]
                                         else "not sent"))
    console.print(table)


def require_smtp(settings: Settings) -> None:
    if not settings.smtp_host or not settings.smtp_from:
        raise ValueError("sending needs TRIAGE_SMTP_HOST and TRIAGE_SMTP_FROM; without them, "
                         "send the drafts from the landlord's mail system")


def smtp_client(settings: Settings) -> smtplib.SMTP:
    require_smtp(settings)
    timeout = settings.smtp_timeout_seconds
    if settings.smtp_security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port or 465,
                                               timeout=timeout,
                                               context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port or 587, timeout=timeout)
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if settings.smtp_user and settings.smtp_password:
        client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
    return client


def recipient_and_thread(session, draft: DraftLetter) -> tuple[str | None, str | None]:
    item_id = draft.item_id
    if item_id is None and draft.case_id is not None:
        item_id = session.scalar(select(Item.id).where(Item.case_id == draft.case_id)
                                 .order_by(Item.id).limit(1))
    if item_id is None:
        return None, None
    fields = session.get(ExtractedFields, item_id)
    item = session.get(Item, item_id)
    return (fields.email if fields else None), (item.message_id if item else None)


def message_for(settings: Settings, draft: DraftLetter, to: str, thread: str | None
             ) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = draft.subject
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rsplit("@", 1)[-1])
    # Our marker: if this comes back (a bounce, a loop), intake drops it as our own mail.
    message[OUTBOUND_MARKER_HEADER] = f"draft-{draft.id}"
    if thread:
        message["In-Reply-To"] = thread
        message["References"] = thread
    message.set_content(draft.body)
    return message


def send_unsent(settings: Settings) -> dict[str, int]:
    """Send every unsent draft that has an address; an acknowledgement sent acknowledges.

    Each draft is marked sent in its own transaction straight after the server accepts it, so
    a failure later in the run never leaves a sent letter looking unsent (and sent twice).
    """
    require_smtp(settings)
    report = {"sent": 0, "failed": 0, "no_address": 0}
    url = settings.resolved_database_url
    with session_scope(url) as session:
        draft_ids = list(session.scalars(select(DraftLetter.id)
                                         .where(DraftLetter.sent_at.is_(None))
                                         .order_by(DraftLetter.id)))
    if not draft_ids:
        return report
    client = smtp_client(settings)
    try:
        for draft_id in draft_ids:
            with session_scope(url) as session:
                draft = session.get(DraftLetter, draft_id)
                if draft is None or draft.sent_at is not None:
                    continue
                to, thread = recipient_and_thread(session, draft)
                if not to:
                    report["no_address"] += 1
                    continue
                try:
                    client.send_message(message_for(settings, draft, to, thread))
                except (smtplib.SMTPException, OSError) as exc:
                    draft.send_error = f"{type(exc).__name__}: {exc}"[:500]
                    report["failed"] += 1
                    continue
                draft.sent_at, draft.sent_to, draft.send_error = datetime.now(UTC), to, None
                report["sent"] += 1
                acknowledged_by_sending(session, draft, settings)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    return report


def acknowledged_by_sending(session, draft: DraftLetter, settings: Settings) -> None:
    from pipeline.casework import policy_for

    case = session.get(Case, draft.case_id) if draft.case_id else None
    if (case is None or draft.kind not in ACKNOWLEDGING or draft.stage != case.stage
            or case.status != lifecycle.CaseStatus.OPEN or case.acknowledged_on is not None):
        return
    policy = policy_for(settings, case.policy)
    sent_day = draft.sent_at.astimezone(LANDLORD_TIMEZONE).date()
    try:
        new, change = lifecycle.acknowledge(state_of(case), policy, sent_day)
    except lifecycle.RefusedTransition:
        return  # sent, but the case has moved on: nothing to acknowledge
    apply_transition(session, case, new, change, by="smtp")
