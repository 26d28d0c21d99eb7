"""Cases: the list at /cases (by status, due date or reference), one case at /cases/{ref}, and
every action on it (acknowledge, assign, extend, close, escalate, refuse; edit, send or record
a drafted letter), each through the casework service the command line calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.settings import Settings
from pipeline import casework
from pipeline.users import list_users
from review import queries
from review.web import PageNumber, RowId, Web, officer
from workflow.lifecycle import OUTCOMES

Form = dict[str, str]


def _day(form: Form, name: str = "on") -> date | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise casework.CaseworkError(f"{text[:20]!r} is not a date like 2026-03-31") from exc


def _days(form: Form) -> int:
    try:
        return int(form.get("days", "").strip())
    except ValueError as exc:
        raise casework.CaseworkError("give the extension as a whole number of working days") \
            from exc


def _acknowledge(s: Settings, ref: str, by: str, f: Form) -> str:
    casework.acknowledge(s, ref, _day(f), by)
    return f"Case {ref} acknowledged."


def _assign(s: Settings, ref: str, by: str, f: Form) -> str:
    casework.assign(s, ref, f.get("officer", "").strip(), by=by)
    return f"Case {ref} assigned to {f.get('officer', '').strip()}."


def _extend(s: Settings, ref: str, by: str, f: Form) -> str:
    casework.extend(s, ref, _days(f), f.get("reason", ""), _day(f), by)
    return f"Case {ref} extended; an extension letter to the resident is drafted."


def _close(s: Settings, ref: str, by: str, f: Form) -> str:
    casework.close(s, ref, f.get("outcome", ""), f.get("remedy") or None, _day(f), by)
    return f"Case {ref} closed: {f.get('outcome', '').replace('_', ' ')}."


def _escalate(s: Settings, ref: str, by: str, f: Form) -> str:
    view = casework.escalate(s, ref, _day(f), f.get("officer", "").strip() or None)
    return f"Case {ref} escalated to stage {view['stage']}; its acknowledgement is drafted."


def _refuse(s: Settings, ref: str, by: str, f: Form) -> str:
    casework.refuse(s, ref, f.get("reason", ""), by, f.get("note") or None, _day(f))
    return f"Case {ref} refused; a refusal letter is drafted."


def _reverse_refusal(s: Settings, ref: str, by: str, f: Form) -> str:
    casework.reverse_refusal(s, ref, by, f.get("why", ""))
    return (f"Refusal of {ref} reversed: it is an open complaint again. Do not send the "
            "refusal letter if it has not gone.")


def _undo_escalation(s: Settings, ref: str, by: str, f: Form) -> str:
    view = casework.undo_escalation(s, ref, by, f.get("why", ""))
    return f"Escalation of {ref} undone: back at stage {view['stage']}."


# Each case action: the form's values to one casework call, which refuses what the policy or
# the case's state does not allow and says why. Each returns the message to show.
CASE_ACTIONS: dict[str, Callable[[Settings, str, str, Form], str]] = {
    "acknowledge": _acknowledge, "assign": _assign, "extend": _extend, "close": _close,
    "escalate": _escalate, "refuse": _refuse, "reverse-refusal": _reverse_refusal,
    "undo-escalation": _undo_escalation,
}


def register_cases(app: FastAPI, web: Web) -> None:
    """The case list and a case's page, then the case's and its letters' forms."""
    _register_case_pages(app, web)
    _register_case_forms(app, web)


def _register_case_pages(app: FastAPI, web: Web) -> None:
    url, policy = web.url, web.policy

    def soon_days() -> int:
        return queries.due_soon_days(url, policy.id)

    @app.get("/cases", response_class=HTMLResponse)
    def cases(request: Request, status: str = "open", due: str = "", ref: str = "",
              page: PageNumber = 1) -> Response:
        listing = queries.cases_page(url, status=status, due=due, ref=ref, page=page,
                                     soon_days=soon_days(), nation=policy.nation)
        return web.render(request, "cases.html", **listing)

    @app.get("/cases/{ref:path}", response_class=HTMLResponse)  # imported refs hold "/"
    def case_page(request: Request, ref: str) -> Response:
        detail = queries.case_detail(url, ref, soon_days(), policy.nation)
        if detail is None:
            raise StarletteHTTPException(404, f"There is no case {ref[:20]}.")
        return web.render(request, "case.html", case=detail, **_action_context(web, detail))


def _action_context(web: Web, detail: dict[str, Any]) -> dict[str, Any]:
    """What the case's forms offer: the officers, the outcomes, the refusal reasons and the
    extension the case's policy allows, and whether letters can go by email."""
    try:
        case_policy = casework.policy_for(web.settings, detail["policy"])
        stage = case_policy.stage(detail["stage"])
        reasons, max_extension = case_policy.exclusions, stage.max_extension_days
        final = detail["stage"] >= case_policy.final_stage
    except (casework.PolicyError, ValueError):
        reasons, max_extension, final = (), 0, True
    officers = [u["username"] for u in list_users(web.settings) if u["active"]]
    return {"officers": officers, "outcomes": OUTCOMES, "refusal_reasons": reasons,
            "max_extension": max_extension, "extension_left":
            max(0, max_extension - detail["extension_days"]), "final_stage": final,
            "smtp": bool(web.settings.smtp_host and web.settings.smtp_from),
            "sent_by": casework.SENT_BY, "today": queries.landlord_today().isoformat()}


def _register_case_forms(app: FastAPI, web: Web) -> None:
    settings = web.settings

    def case_url(ref: str, anchor: str = "") -> str:
        return f"/cases/{quote(ref.strip().upper()[:20], safe='')}{anchor}"

    @app.post("/cases/{ref}/{action}")
    async def case_action(request: Request, ref: str, action: str) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        run = CASE_ACTIONS.get(action)
        if run is None:
            raise StarletteHTTPException(404, "There is no such action.")
        try:
            message = await run_in_threadpool(run, settings, ref.strip().upper()[:20],
                                              officer(request), form)
        except ValueError as exc:  # refused by the policy or the case's state: says why
            return web.redirect(request, case_url(ref, "#actions"), _not_done(exc),
                                kind="error")
        return web.redirect(request, case_url(ref), message)

    @app.post("/cases/{ref}/letters/{draft_id}/{action}")
    async def letter_action(request: Request, ref: str, draft_id: RowId, action: str
                            ) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        by = officer(request)
        calls: dict[str, Callable[[], casework.LetterOutcome]] = {
            "edit": lambda: casework.edit_draft(settings, draft_id, form.get("subject", ""),
                                                form.get("body", ""), by),
            "send": lambda: casework.send_draft(settings, draft_id, by, form.get("to")),
            "mark-sent": lambda: casework.mark_sent(settings, draft_id, by,
                                                    form.get("how", ""), _day(form)),
        }
        if action not in calls:
            raise StarletteHTTPException(404, "There is no such action.")
        here = case_url(ref, f"#letter-{draft_id}")
        try:
            outcome = await run_in_threadpool(calls[action])
        except ValueError as exc:
            return web.redirect(request, here, _not_done(exc), kind="error")
        return web.redirect(request, here, outcome.message)


def _not_done(exc: Exception) -> str:
    text = str(exc)
    return f"Not done: {text[:1].upper()}{text[1:]}."
