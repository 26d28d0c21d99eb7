# ruff: noqa: F811 - the app tests' fixtures are imported, then asked for by name
"""Every case action on the web (issue 17, part 1), through the casework service the command
line calls, against a real SQLite database and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.settings import Settings
from models.db import session_scope
from models.tables import Case, CaseEvent, DraftLetter
from tests.test_casework import smtp_server  # noqa: F401 - a real SMTP server
from tests.test_review_app import (  # noqa: F401 - fixtures shared with the app's tests
    _decide,
    _logged_in,
    _token,
    client,
    ids,
    seeded,
    settings,
)


def _act(client: TestClient, ref: str, action: str, **data: str) -> str:
    """Post a case form and return the message shown on the page it leads to."""
    response = client.post(f"/cases/{ref}/{action}",
                           data={"csrf_token": _token(client, f"/cases/{ref}"), **data})
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    flash = re.search(r'id="flash">\s*<p>(.*?)</p>', page, re.S)
    assert flash, page
    return flash.group(1)


def _opened_case(client: TestClient, item_id: int) -> str:
    response = _decide(client, item_id, action="accept")
    ref = re.search(r"CMP-\d{4}-\d{5}", client.get(response.headers["location"]).text)
    assert ref
    return ref.group(0)


def _case(settings: Settings, ref: str) -> tuple[Case, list[CaseEvent], list[DraftLetter]]:
    with session_scope(settings.resolved_database_url) as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        return case, list(case.events), list(case.drafts)


def test_a_complaint_is_run_from_the_web_and_refusals_say_why(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    ref = _opened_case(client, ids["unsure"])
    page = client.get(f"/cases/{ref}").text
    assert '<option value="boss"' in page and '<option value="officer1"' in page
    assert "complaints officer</option>" not in page
    assert "Assigned to</dt><dd>nobody yet" in page
    assert "assigned to boss" in _act(client, ref, "assign", officer="boss")
    assert "acknowledged" in _act(client, ref, "acknowledge")
    refused = _act(client, ref, "extend", days="11", reason="a surveyor must visit")
    assert "Not done" in refused and "allows at most 10 at stage 1" in refused
    assert "needs the reason" in _act(client, ref, "extend", days="5", reason=" ")
    assert "extended" in _act(client, ref, "extend", days="5", reason="a surveyor must visit")
    assert "Not done" in _act(client, ref, "close", outcome="sort_of")
    assert "closed: partly upheld" in _act(client, ref, "close", outcome="partly_upheld",
                                           remedy="£150 for the time without heating")
    # Stage 2 must be handled by someone other than stage 1's officer (the Code's rule).
    assert "must be handled by a different person" in _act(client, ref, "escalate",
                                                           officer="boss")
    assert "escalated to stage 2" in _act(client, ref, "escalate", officer="officer1")
    assert "does not allow refusing" in _act(client, ref, "refuse", reason="vexatious")
    assert "refused" in _act(client, ref, "refuse", reason="legal_proceedings",
                             note="The court is deciding this.")
    case, events, drafts = _case(settings, ref)
    assert (case.status, case.stage, case.refused_reason) == ("refused", 2, "legal_proceedings")
    kinds = [(e.kind, e.detail.get("by")) for e in events]
    assert kinds == [("opened", None), ("assigned", "officer1"), ("acknowledged", "officer1"),
                     ("extended", "officer1"), ("closed", "officer1"),
                     ("escalated", "officer1"), ("refused", "officer1")]
    assert events[4].detail["remedy"] == "£150 for the time without heating"
    assert [d.kind for d in drafts] == ["acknowledgement", "extension",
                                        "stage_acknowledgement", "refusal"]
    assert "a surveyor must visit" in drafts[1].body


def test_a_letter_is_edited_then_recorded_as_sent_by_post(
        client: TestClient, settings: Settings, ids: dict[str, int]) -> None:
    _logged_in(client)
    ref = _opened_case(client, ids["unsure"])
    (draft,) = _case(settings, ref)[2]
    base = f"/cases/{ref}/letters/{draft.id}"
    page = client.get(f"/cases/{ref}").text
    assert "Email is not configured" in page and f'id="body-{draft.id}"' in page
    body = draft.body.replace("Dear", "Dear Ms Resident,\n\nDear", 1) + "\nEdited by hand."
    edited = client.post(f"{base}/edit", data={"csrf_token": _token(client, f"/cases/{ref}"),
                                               "subject": "Your complaint " + ref,
                                               "body": body})
    assert edited.status_code == 303
    assert "not configured" in client.get(edited.headers["location"]).text
    posted = client.post(f"{base}/mark-sent", data={"csrf_token": _token(client), "how": "post"})
    assert "recorded as sent (post)" in client.get(posted.headers["location"]).text
    again = client.post(f"{base}/edit", data={"csrf_token": _token(client), "subject": "x",
                                              "body": "y"})
    assert "already sent" in client.get(again.headers["location"]).text
    case, events, drafts = _case(settings, ref)
    assert drafts[0].body == body.strip() and drafts[0].sent_to == "post"
    assert case.acknowledged_on is not None  # an acknowledgement that went acknowledges
    edit = next(e for e in events if e.kind == "letter_edited")
    assert edit.detail["old_body"] == draft.body and edit.detail["new_body"] == body.strip()
    assert edit.detail["by"] == "officer1"
    assert [e.kind for e in events][-2:] == ["letter_sent", "acknowledged"]


def test_a_letter_is_sent_by_smtp_when_configured(settings: Settings, ids: dict[str, int],
                                                  smtp_server) -> None:
    from review.app import create_app

    port, server = smtp_server
    configured = settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
        "smtp_from": "complaints@landlord.example"})
    client = _logged_in(TestClient(create_app(configured), follow_redirects=False))
    ref = _opened_case(client, ids["unsure"])
    (draft,) = _case(settings, ref)[2]
    token = _token(client, f"/cases/{ref}")
    bad = client.post(f"/cases/{ref}/letters/{draft.id}/send",
                      data={"csrf_token": token, "to": "not an address"})
    assert "is not an email address" in client.get(bad.headers["location"]).text
    sent = client.post(f"/cases/{ref}/letters/{draft.id}/send",
                       data={"csrf_token": token, "to": "dana@example.org"})
    assert "sent to dana@example.org" in client.get(sent.headers["location"]).text
    ((recipients, raw),) = server.messages
    assert recipients == ["dana@example.org"] and ref.encode() in raw
    assert _case(settings, ref)[2][0].sent_to == "dana@example.org"


def test_unknown_case_actions_and_letters_are_404(client: TestClient) -> None:
    _logged_in(client)
    token = _token(client)
    assert client.post("/cases/CMP-2025-00001/delete",
                       data={"csrf_token": token}).status_code == 404
    assert client.post("/cases/CMP-2025-00001/letters/99999999999999999999/edit",
                       data={"csrf_token": token}).status_code == 404
    missing = client.post("/cases/CMP-2025-00001/letters/999/mark-sent",
                          data={"csrf_token": token, "how": "post"})
    assert "no drafted letter 999" in client.get(missing.headers["location"]).text
