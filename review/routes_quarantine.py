"""Quarantine: the items the pipeline could not read (/quarantine) and a retry for each."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from pipeline import casework
from review import queries
from review.web import RowId, Web
from workflow.officer_review import DecisionError


def register_quarantine(app: FastAPI, web: Web) -> None:
    """The quarantine list and its retry button."""

    @app.get("/quarantine", response_class=HTMLResponse)
    def quarantine(request: Request) -> Response:
        return web.render(request, "quarantine.html", rows=queries.quarantined_rows(web.url))

    @app.post("/quarantine/{item_id}/retry")
    def retry(request: Request, item_id: RowId) -> Response:
        try:
            outcome = casework.retry_quarantined(web.settings, item_id)
        except DecisionError as exc:
            return web.redirect(request, "/quarantine", str(exc), kind="error")
        return web.redirect(request, "/quarantine", outcome.message)
