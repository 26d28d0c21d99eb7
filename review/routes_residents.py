"""Residents: a resident's page at /residents/{id} (every contact, case and letter, newest
first), and the officer's forms: link or unlink an item, merge two residents, split one."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.casework import CaseworkError
from pipeline.casework import residents as service
from review.web import Web, officer, require_manager


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").split() if part.isdigit()]


def register_residents(app: FastAPI, web: Web) -> None:
    """The resident's page (GET) and the four officer actions (POST, each back to a page)."""
    settings = web.settings

    @app.get("/residents/{resident_id}", response_class=HTMLResponse)
    def resident_page(request: Request, resident_id: int) -> Response:
        try:
            view = service.show(settings, resident_id)
        except CaseworkError as exc:
            raise StarletteHTTPException(404, str(exc)) from exc
        return web.render(request, "resident.html", resident=view)

    @app.post("/residents/{resident_id}/export")
    def export(request: Request, resident_id: int) -> Response:
        """A manager's subject access export: the archive, downloaded (and audited)."""
        import tempfile
        from pathlib import Path

        from pipeline.resident_rights import export_resident

        require_manager(request)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"resident-{resident_id}.zip"
            try:
                export_resident(settings, resident_id, out, by=officer(request))
            except CaseworkError as exc:
                raise StarletteHTTPException(404, str(exc)) from exc
            data = out.read_bytes()
        return Response(data, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="resident-{resident_id}.zip"',
            "Cache-Control": "private, no-store"})

    @app.post("/items/{item_id}/resident")
    def link_item(request: Request, item_id: int, resident_id: Annotated[str, Form()] = "",
                  action: Annotated[str, Form()] = "link") -> Response:
        here = f"/items/{item_id}"
        try:
            if action == "unlink":
                service.unlink(settings, item_id, officer(request))
                return web.redirect(request, here, f"Item {item_id} unlinked.")
            if not resident_id.strip().isdigit():
                return web.redirect(request, here, "Give the resident's number.", kind="error")
            service.link(settings, item_id, int(resident_id), officer(request))
        except CaseworkError as exc:
            return web.redirect(request, here, str(exc), kind="error")
        return web.redirect(request, here, f"Item {item_id} linked to resident {resident_id}.")

    @app.post("/residents/{resident_id}/merge")
    def merge(request: Request, resident_id: int, other_id: Annotated[str, Form()] = ""
              ) -> Response:
        here = f"/residents/{resident_id}"
        others = _ids(other_id)
        if len(others) != 1:
            return web.redirect(request, here, "Give one resident's number to merge.",
                                kind="error")
        try:
            view = service.merge(settings, resident_id, others[0], officer(request))
        except CaseworkError as exc:
            return web.redirect(request, here, str(exc), kind="error")
        return web.redirect(request, f"/residents/{view['id']}",
                            f"Resident {others[0]} merged into {view['id']}.")

    @app.post("/residents/{resident_id}/split")
    def split(request: Request, resident_id: int, item_ids: Annotated[str, Form()] = ""
              ) -> Response:
        here = f"/residents/{resident_id}"
        try:
            view = service.split(settings, resident_id, _ids(item_ids), officer(request))
        except CaseworkError as exc:
            return web.redirect(request, here, str(exc), kind="error")
        return web.redirect(request, f"/residents/{view['id']}",
                            f"A new resident {view['id']} from items {item_ids}.")
