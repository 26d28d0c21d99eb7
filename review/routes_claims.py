"""Sharing the queue: take over an item another officer holds, let one go, and act on a
selection of the queue at once (assign to an officer, confirm the same exclusion reason).
Each goes through the casework service (pipeline/casework/claims.py and items.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from pipeline import casework
from review.web import RowId, Web, officer
from workflow.officer_review import OfficerChoice

MAX_SELECTION = 200


def register_claims(app: FastAPI, web: Web) -> None:
    settings = web.settings

    @app.post("/items/{item_id}/claim")
    def take_over(request: Request, item_id: RowId) -> Response:
        held = casework.claim(settings, item_id, officer(request), take_over=True)
        message = (f"You hold item {item_id} now." if held else
                   f"Item {item_id} no longer waits for review.")
        return web.redirect(request, f"/items/{item_id}", message,
                            kind="success" if held else "error")

    @app.post("/items/{item_id}/release")
    def let_go(request: Request, item_id: RowId) -> Response:
        casework.release(settings, item_id, officer(request))
        return web.redirect(request, "/", f"Item {item_id} released for others.")

    @app.post("/items/bulk")
    async def bulk(request: Request, action: Annotated[str, Form()] = "",
                   assignee: Annotated[str, Form()] = "",
                   reason: Annotated[str, Form()] = "") -> Response:
        form = await request.form()
        ids = sorted({int(v) for v in form.getlist("ids") if str(v).isdigit()
                      and len(str(v)) <= 18})[:MAX_SELECTION]
        if not ids:
            return web.redirect(request, "/", "Select the items first.", kind="error")
        me = officer(request)
        if action == "assign":
            try:
                count = await run_in_threadpool(casework.assign_items, settings, ids,
                                                assignee, me)
            except casework.CaseworkError as exc:
                return web.redirect(request, "/", f"Not assigned: {exc}.", kind="error")
            return web.redirect(request, "/", f"{count} item{'s' * (count != 1)} assigned to "
                                              f"{assignee}.")
        if action == "confirm_exclusion":
            return await run_in_threadpool(_confirm_all, web, request, ids, me, reason)
        return web.redirect(request, "/", "Choose what to do with the selection.",
                            kind="error")


def _confirm_all(web: Web, request: Request, ids: list[int], me: str, reason: str
                 ) -> Response:
    """The same exclusion reason confirmed on each selected item; each is its own decision,
    and one refused (not a proposed exclusion, held by another) leaves the rest done."""
    done, refused = [], []
    for item_id in ids:
        try:
            casework.decide(web.settings, item_id, me,
                            OfficerChoice("confirm_exclusion", excluded_reason=reason or None))
            done.append(item_id)
        except (casework.DecisionError, ValueError) as exc:
            refused.append(f"item {item_id}: {exc}")
    message = f"{len(done)} exclusion{'s' * (len(done) != 1)} confirmed"
    message += f"; not done: {'; '.join(refused)[:600]}." if refused else "."
    return web.redirect(request, "/", message, kind="error" if refused else "success")
