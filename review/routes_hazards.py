"""The hazard lane: /hazards (every open hazard by time left) and /hazards/{id}, with a form
for each lifecycle step; the queue at / shows the lane above it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline import hazards
from review import hazard_queries
from review.web import Web, officer
from workflow.lifecycle import RefusedTransition
from workflow.staging import LANDLORD_TIMEZONE

STEPS = {"confirm": "confirm_severity", "investigate": "investigate",
         "summary-sent": "send_summary", "made-safe": "make_safe",
         "accommodation": "offer_accommodation", "preventative": "start_preventative",
         "complete": "complete"}


def _when(value: str) -> datetime | None:
    """A datetime-local field, as the officer's UK wall clock; blank is now."""
    if not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise hazards.HazardError(f"not a date and time: {value[:30]!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=LANDLORD_TIMEZONE)


def register_hazards(app: FastAPI, web: Web) -> None:
    settings = web.settings

    @app.get("/hazards", response_class=HTMLResponse)
    def lane(request: Request) -> Response:
        return web.render(request, "hazards.html", lane=hazard_queries.lane(settings))

    @app.get("/hazards/{hazard_id}", response_class=HTMLResponse)
    def hazard(request: Request, hazard_id: int) -> Response:
        view = hazard_queries.hazard_page(settings, hazard_id)
        if view is None:
            raise StarletteHTTPException(404, f"There is no hazard {hazard_id}.")
        return web.render(request, "hazard.html", hazard=view)

    @app.post("/hazards/{hazard_id}/{step}")
    def change(request: Request, hazard_id: int, step: str,
               at: Annotated[str, Form()] = "", severity: Annotated[str, Form()] = "",
               reason: Annotated[str, Form()] = "", found: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "") -> Response:
        here = f"/hazards/{hazard_id}"
        if step not in STEPS:
            raise StarletteHTTPException(404, "No such step.")
        values: dict[str, object] = {}
        if step == "confirm":
            values = {"severity": severity, "reason": reason}
        elif step == "investigate":
            values = {"found": found == "yes", "note": note or None}
        elif step in ("made-safe",):
            values = {"how": note or None}
        elif step == "accommodation":
            values = {"where": note or None}
        elif step == "preventative":
            values = {"what": note or None}
        elif step == "complete":
            values = {"note": note or None}
        try:
            hazards.change(settings, hazard_id, STEPS[step], at=_when(at),
                           by=officer(request), **values)
        except (RefusedTransition, hazards.HazardError) as exc:
            return web.redirect(request, here, str(exc), kind="error")
        return web.redirect(request, here, f"Hazard {hazard_id}: {step.replace('-', ' ')} "
                            "recorded.")
