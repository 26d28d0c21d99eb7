"""Officers' work on drafted letters: edit one before it goes, send it by SMTP (when a server
is configured), or record that it went by post or from the landlord's own mail. Each is one
transaction and an event in the case's log with who did it; a sent letter is never edited.
An acknowledgement that goes records the case's acknowledgement, as `triage drafts --send`
does.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from core.settings import Settings
from models.casework import record_change
from models.db import session_scope
from models.tables import DraftLetter
from pipeline import outbox
from pipeline.casework.cases import CaseworkError, happened_on
from workflow.lifecycle import CaseChange
from workflow.staging import LANDLORD_TIMEZONE

MAX_SUBJECT, MAX_BODY = 500, 20_000
SENT_BY = ("post", "landlord_email", "hand")
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class LetterOutcome:
    message: str
    case_ref: str | None


def _unsent(session: Session, draft_id: int) -> DraftLetter:
    draft = session.get(DraftLetter, draft_id)
    if draft is None:
        raise CaseworkError(f"there is no drafted letter {draft_id}")
    if draft.sent_at is not None:
        raise CaseworkError(f"letter {draft_id} was already sent "
                            f"({draft.sent_to or 'no address recorded'}); draft a new one")
    return draft


def _log(session: Session, draft: DraftLetter, kind: str, detail: dict[str, object],
         by: str) -> str | None:
    case = draft.case
    if case is None:
        return None
    record_change(session, case, CaseChange(kind, draft.stage or case.stage,
                                            {"letter": draft.id, "kind": draft.kind,
                                             **detail}), by=by)
    return case.ref


def edit_draft(settings: Settings, draft_id: int, subject: str, body: str, by: str
               ) -> LetterOutcome:
    """The officer's wording replaces the draft's; the log keeps the old and the new."""
    subject, body = " ".join(subject.split()), body.replace("\r\n", "\n").strip()
    if not subject or not body:
        raise CaseworkError("a letter needs a subject and a body")
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise CaseworkError(f"a letter's subject is at most {MAX_SUBJECT} characters and its "
                            f"body {MAX_BODY:,}")
    with session_scope(settings.resolved_database_url) as session:
        draft = _unsent(session, draft_id)
        if (draft.subject, draft.body) == (subject, body):
            return LetterOutcome(f"Letter {draft_id}: nothing changed.",
                                 draft.case.ref if draft.case else None)
        detail = {"old_subject": draft.subject, "new_subject": subject,
                  "old_body": draft.body, "new_body": body}
        draft.subject, draft.body = subject, body
        ref = _log(session, draft, "letter_edited", detail, by)
        return LetterOutcome(f"Letter {draft_id} saved.", ref)


def mark_sent(settings: Settings, draft_id: int, by: str, how: str, on: date | None = None
              ) -> LetterOutcome:
    """Record that the letter went by post (or from the landlord's own mail, or by hand) on
    `on`; an acknowledgement sent acknowledges the case."""
    if how not in SENT_BY:
        raise CaseworkError(f"a letter goes by one of {', '.join(SENT_BY)}")
    day = happened_on(on, "record a letter as sent")
    with session_scope(settings.resolved_database_url) as session:
        draft = _unsent(session, draft_id)
        draft.sent_at = datetime.combine(day, time(12), LANDLORD_TIMEZONE).astimezone(UTC)
        draft.sent_to, draft.send_error = how, None
        ref = _log(session, draft, "letter_sent", {"how": how, "on": day.isoformat()}, by)
        outbox.acknowledged_by_sending(session, draft, settings)
        return LetterOutcome(f"Letter {draft_id} recorded as sent ({how.replace('_', ' ')}).",
                             ref)


def send_draft(settings: Settings, draft_id: int, by: str, to: str | None = None
               ) -> LetterOutcome:
    """Send one letter by SMTP now, to `to` or the address the resident wrote from; it is
    marked sent as soon as the server accepts it."""
    outbox.require_smtp(settings)
    to = (to or "").strip() or None
    if to is not None and (len(to) > 320 or not _ADDRESS.match(to)):
        raise CaseworkError(f"{to[:80]!r} is not an email address")
    with session_scope(settings.resolved_database_url) as session:
        draft = _unsent(session, draft_id)
        found, thread = outbox.recipient_and_thread(session, draft)
        to = to or found
        if not to:
            raise CaseworkError("no email address is known for this letter: give one, or "
                                "send it by post and record that")
        message = outbox.message_for(settings, draft, to, thread)
    client = outbox.smtp_client(settings)
    try:
        client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        with session_scope(settings.resolved_database_url) as session:
            failed = session.get(DraftLetter, draft_id)
            if failed is not None:
                failed.send_error = f"{type(exc).__name__}: {exc}"[:500]
        raise CaseworkError(f"the mail server refused letter {draft_id}: {exc}") from exc
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    with session_scope(settings.resolved_database_url) as session:
        draft = session.get(DraftLetter, draft_id)
        assert draft is not None
        draft.sent_at, draft.sent_to, draft.send_error = datetime.now(UTC), to, None
        ref = _log(session, draft, "letter_sent", {"how": "email", "to": to}, by)
        outbox.acknowledged_by_sending(session, draft, settings)
        return LetterOutcome(f"Letter {draft_id} sent to {to}.", ref)
