"""The review queue and one item: / , /items/{id} with its decision, hazard and field forms,
and the scanned pages' images.

Every item page carries the queue's filter along (as `back`), so a decision leads to the next
item of the same filtered queue.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import FastAPI, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline import casework
from pipeline.batch import landlord_of
from pipeline.casework import residents as casework_residents
from pipeline.users import active_officers
from review import hazard_queries, queries, search
from review.original import (
    ATTACHMENT_PDF_PAGES,
    PageImages,
    attachment_pdf_pages,
    attachment_pdf_png,
    attachment_png,
    email_envelope,
    email_html,
)
from review.provenance_view import annotate_fields
from review.queue_order import SOURCES, queue_neighbours
from review.web import PageNumber, RowId, Web, officer
from workflow.officer_review import DecisionError, OfficerChoice, quoted_references


def _queue_filter(query: str) -> queries.QueueFilter:
    """A queue filter from a query string the page carried along; anything odd is dropped, so
    a redirect built from it always stays on this site."""
    values = parse_qs(query[:500])

    def first(name: str) -> str:
        return (values.get(name) or [""])[0]

    return queries.QueueFilter(first("category"), first("source"), first("reason")).cleaned()


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def register_items(app: FastAPI, web: Web) -> None:
    """The queue and the item page (GET), then the item's forms (POST) and page images."""
    _register_item_pages(app, web)
    _register_item_forms(app, web)
    _register_page_images(app, web)


def _register_item_pages(app: FastAPI, web: Web) -> None:
    """What an officer reads: the queue at / and an item at /items/{id}."""
    url, settings = web.url, web.settings
    page_images = PageImages(settings.raw_dir, settings.max_pdf_pages)
    landlord = landlord_of(settings)

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request, category: str = "", source: str = "", reason: str = "",
              page: PageNumber = 1) -> Response:
        filters = queries.QueueFilter(category.strip(), source.strip(), reason.strip()).cleaned()
        listing = queries.queue_page(url, filters, page)
        held = casework.holders(settings, [row["id"] for row in listing["rows"]])
        for row in listing["rows"]:
            row["held_by"] = held[row["id"]].officer if row["id"] in held else ""
        lane = hazard_queries.lane(settings)
        return web.render(request, "queue.html", **listing, choices=queries.CHOICES,
                          lane=lane[:hazard_queries.LANE_ON_QUEUE], lane_total=len(lane),
                          sources=SOURCES, officers=active_officers(settings),
                          allowed_reasons=web.policy.exclusions)

    @app.get("/items", response_class=HTMLResponse)
    def items(request: Request, q: str = "", category: str = "", source: str = "",
              status: str = "", hazard: str = "", handled: str = "", officer: str = "",
              since: str = "", until: str = "", page: PageNumber = 1) -> Response:
        filters = search.ItemFilter(q, category, source, status, hazard, handled, officer,
                                    since, until).cleaned()
        return web.render(request, "items.html", **search.items_page(url, filters, page),
                          choices=queries.CHOICES, sources=SOURCES,
                          statuses=search.STATUSES, handled_choices=search.HANDLED)

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    def item(request: Request, item_id: RowId) -> Response:
        detail = queries.item_detail(url, item_id)
        if detail is None:
            raise StarletteHTTPException(404, f"There is no item {item_id}.")
        filters = _queue_filter(request.url.query)
        html, pages, sent, pdf_pages = None, 0, None, {}
        if detail["source"] == "email":
            html = email_html(settings.raw_dir, detail["raw_path"], detail["sha256"])
            sent = email_envelope(settings.raw_dir, detail["raw_path"], detail["sha256"])
            pdf_pages = attachment_pdf_pages(settings.raw_dir, detail["raw_path"],
                                             detail["sha256"], sent)
        else:
            pages = page_images.count(detail["raw_path"], detail["sha256"])
            annotate_fields(detail, landlord)
        postcode = next((f["value"] for f in detail["fields"] if f["name"] == "postcode"), "")
        me = officer(request)
        holder = None
        if detail["waiting"]:  # opening a waiting item holds it, unless another already does
            holder = (casework.claim(settings, item_id, me, viewed=request.url.path)
                      or casework.holders(settings, [item_id]).get(item_id))
            request.state.access_recorded = True  # with the claim, in one transaction
        residency = casework_residents.item_residency_of(settings, item_id)
        return web.render(request, "item.html", item=detail, html=html, pages=pages,
                          residency=residency,
                          neighbours=queue_neighbours(url, item_id, filters),
                          back=filters.query_string(), choices=queries.CHOICES,
                          allowed_reasons=_exclusions(web, detail),
                          candidate_cases=(queries.open_case_refs(url, postcode or None)
                                           if detail["waiting"] else []),
                          contact_methods=casework.CONTACT_METHODS,
                          quoted_refs=quoted_references(detail["text"]), holder=holder,
                          envelope=sent, pdf_pages=pdf_pages,
                          pdf_pages_shown=ATTACHMENT_PDF_PAGES,
                          held_by_another=bool(holder and holder.officer != me),
                          safety=hazard_queries.item_safety(settings, item_id))


def _exclusions(web: Web, detail: dict) -> tuple[str, ...]:
    """The reasons the policy the item was triaged under lists (the configured one's if that
    policy is not set up here: the decision is then refused, saying why)."""
    label = detail.get("classification") or {}
    try:
        return casework.policy_for(web.settings, label.get("policy", web.policy.id)).exclusions
    except casework.PolicyError:
        return web.policy.exclusions


def _register_item_forms(app: FastAPI, web: Web) -> None:
    """What an officer does to an item: decide it, mark a hazard, correct its fields."""
    url, settings = web.url, web.settings

    @app.post("/items/{item_id}/decision")
    def decide(request: Request, item_id: RowId,
               action: Annotated[str, Form()] = "",
               correct: Annotated[str, Form()] = "",
               excluded_reason: Annotated[str, Form()] = "",
               case_ref: Annotated[str, Form()] = "",
               escalate: Annotated[str, Form()] = "",
               earlier_ref: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "",
               back: Annotated[str, Form()] = "") -> Response:
        filters = _queue_filter(back)
        here = _with_query(f"/items/{item_id}", filters.query_string())
        if correct:
            action = "correct"
        choice = OfficerChoice(action=action, category=correct or None,
                               excluded_reason=excluded_reason or None,
                               case_ref=case_ref or None, escalate=escalate == "yes",
                               note=note, earlier_ref=earlier_ref or None)
        following = queue_neighbours(url, item_id, filters)
        try:
            outcome = casework.decide(settings, item_id, officer(request), choice)
        except DecisionError as exc:
            return web.redirect(request, here, str(exc), kind="error")
        upcoming = queries.next_in_queue(
            url, [i for i in (following["next"], following["previous"]) if i], filters)
        to = (_with_query(f"/items/{upcoming}", filters.query_string()) if upcoming
              else _with_query("/", filters.query_string()))
        return web.redirect(request, to, outcome.message, case_ref=outcome.case_ref)

    @app.post("/items/{item_id}/reopen")
    def reopen(request: Request, item_id: RowId, why: Annotated[str, Form()] = "",
               back: Annotated[str, Form()] = "") -> Response:
        here = _with_query(f"/items/{item_id}", _queue_filter(back).query_string())
        try:
            outcome = casework.reopen_item(settings, item_id, officer(request), why)
        except (DecisionError, ValueError) as exc:
            return web.redirect(request, here, str(exc), kind="error")
        return web.redirect(request, here, outcome.message)

    @app.post("/items/{item_id}/hazard")
    def hazard(request: Request, item_id: RowId, hazard: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = ""
               ) -> Response:
        here = _with_query(f"/items/{item_id}", _queue_filter(back).query_string())
        try:
            outcome = casework.mark_hazard(settings, item_id, officer(request),
                                            hazard or None, note)
        except DecisionError as exc:
            return web.redirect(request, here, str(exc), kind="error")
        return web.redirect(request, here, outcome.message)

    @app.post("/items/{item_id}/fields")
    async def fields(request: Request, item_id: RowId) -> Response:
        form = await request.form()
        values = {name: str(form.get(name, "")) for name in casework.EDITABLE_FIELDS
                  if name in form}
        here = _with_query(f"/items/{item_id}",
                           _queue_filter(str(form.get("back", ""))).query_string())
        try:
            outcome = await run_in_threadpool(casework.edit_fields, settings, item_id,
                                              officer(request), values)
        except DecisionError as exc:
            return web.redirect(request, here, str(exc), kind="error")
        return web.redirect(request, here, outcome.message)


def _register_page_images(app: FastAPI, web: Web) -> None:
    """A scanned letter's pages as PNG, which the item page shows beside the OCR text."""
    url, settings = web.url, web.settings

    @app.get("/items/{item_id}/pages/{number}.png")
    def page_image(item_id: RowId, number: Annotated[int, Path(ge=1, le=100_000)]
                   ) -> Response:
        from review.pages import page_png

        png = page_png(url, settings.raw_dir, item_id, number)
        if png is None:
            raise StarletteHTTPException(404, f"Item {item_id} has no page {number}.")
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, no-store"})

    @app.get("/items/{item_id}/attachments/{number}.png")
    def attachment_image(item_id: RowId, number: Annotated[int, Path(ge=1, le=1000)]
                         ) -> Response:
        detail = queries.item_detail(url, item_id)
        png = (attachment_png(settings.raw_dir, detail["raw_path"], detail["sha256"], number)
               if detail is not None and detail["source"] == "email" else None)
        if png is None:
            raise StarletteHTTPException(404, f"Item {item_id} has no image {number}.")
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, no-store"})

    @app.get("/items/{item_id}/attachments/{number}/pages/{page}.png")
    def attachment_page(item_id: RowId, number: Annotated[int, Path(ge=1, le=1000)],
                        page: Annotated[int, Path(ge=1, le=1000)]) -> Response:
        detail = queries.item_detail(url, item_id)
        png = (attachment_pdf_png(settings.raw_dir, detail["raw_path"], detail["sha256"],
                                  number, page)
               if detail is not None and detail["source"] == "email" else None)
        if png is None:
            raise StarletteHTTPException(404, f"Item {item_id} has no attached page {page} "
                                              f"of attachment {number}.")
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, no-store"})

