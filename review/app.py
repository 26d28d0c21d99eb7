"""The triage officers' review web app: server-rendered pages over the triage database.

Everything but /login and /static/* needs a session of an active user; every POST needs the
session's CSRF token; managers alone reach /admin. Every response carries headers that stop
framing, sniffing, inline script and foreign content (the only script is /static/review.js).

`create_app` builds the shared pieces (review/web.py) and lists the routes, one
`register_…` call per area; each area's handlers live in a review/routes_*.py module.
"""

from __future__ import annotations

import gc
import logging
import re
import time
from pathlib import Path

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.settings import Settings
from pipeline import security
from review import queries
from review.auth import Sessions, secret_key, verify_csrf
from review.routes_admin import register_admin
from review.routes_cases import register_cases
from review.routes_claims import register_claims
from review.routes_hazards import register_hazards
from review.routes_items import register_items
from review.routes_login import register_login
from review.routes_performance import register_performance
from review.routes_quarantine import register_quarantine
from review.routes_residents import register_residents
from review.web import Web
from workflow.policy import load_policy

HERE = Path(__file__).resolve().parent
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _templates() -> Jinja2Templates:
    """Autoescape on for every template, whatever its extension: item text is hostile input."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["label"] = queries.label_of
    return Jinja2Templates(env=env)


def _is_public(path: str) -> bool:
    return path == "/login" or path.startswith("/static/")


def create_app(settings: Settings) -> FastAPI:
    """The app for one data dir and database; the CLI's `triage web` serves it.

    This is the one place that lists the app's routes, area by area.
    """
    url = settings.resolved_database_url
    key = secret_key(settings.data_dir, _configured_key(settings))
    web = Web(settings=settings, url=url, sessions=Sessions(key, url, settings.session_hours),
              templates=_templates(), policy=load_policy(settings.policy))
    app = FastAPI(title="Housing triage review", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(verify_csrf)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _guard_every_request(app, web)
    register_login(app, web)        # /login, /logout, /account
    register_claims(app, web)       # /items/bulk, /items/{id}/claim, /items/{id}/release
    register_items(app, web)        # /, /items, /items/{id} and its forms, its pages' images
    register_cases(app, web)        # /cases, /cases/{ref}
    register_hazards(app, web)      # /hazards, /hazards/{id} and its steps (the lane is on /)
    register_residents(app, web)    # /residents/{id}, its merge and split, /items/{id}/resident
    register_quarantine(app, web)   # /quarantine, /quarantine/{id}/retry
    register_performance(app, web)  # /performance
    register_admin(app, web)        # /admin/users[/{username}], /admin/reports[/{policy}],
    #                                 /admin/access
    return app


def serving_app(settings: Settings) -> FastAPI:
    """The app as `triage web` and `triage serve` run it: built, then everything alive so far
    (modules, routes, templates, the ORM's mappers, some 200,000 objects) moved out of the
    cycle collector's reach (`gc.freeze`). Without it every full collection walked them all:
    on bench/web.py's database, 12 of 120 requests of the items list took 85 to 145 ms more.
    Objects still die by reference counting as before."""
    app = create_app(settings)
    gc.collect()
    gc.freeze()
    return app


# What the access log records: a page or form of one item or one case (a scanned page's
# image is part of viewing its item, so it is not logged again).
_AUDITED = re.compile(r"^/(?:items/(?P<item>\d{1,19})|cases/(?P<case>[^/]{1,40}))(?P<rest>/.*)?$")
log = logging.getLogger(__name__)


def _audit_target(request: Request) -> tuple[str, str, str] | None:
    """(viewed or changed, item or case, its id or reference) for an audited request."""
    match = _AUDITED.match(request.url.path)
    if match is None or (match["rest"] or "").startswith(("/pages/", "/attachments/")):
        return None
    action = "viewed" if request.method in {"GET", "HEAD"} else "changed"
    kind = "item" if match["item"] else "case"
    return action, kind, (match["item"] or match["case"]).upper()


def _guard_every_request(app: FastAPI, web: Web) -> None:
    """Sign-in check and security headers on every response (errors too), errors as the app's
    own page, and the access log of who read or changed which item or case."""

    @app.middleware("http")
    async def guard(request: Request, call_next) -> Response:
        started = time.perf_counter()
        static = request.url.path.startswith("/static/")  # public: no session to look up
        request.state.session = {} if static else await run_in_threadpool(web.sessions.load,
                                                                          request)
        user = request.state.session.get("user")
        try:
            if _is_public(request.url.path) or user:
                response = await call_next(request)
            else:
                response = RedirectResponse("/login", status_code=303)
        except Exception:  # any fault is the app's 500 page, with the headers
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = web.render(request, "error.html", status_code=500, status=500,
                                  message="Something went wrong on the server; it has been "
                                          "logged. Try again, or tell the system's keeper.")
        audited = (_audit_target(request) if user and response.status_code < 400
                   and not getattr(request.state, "access_recorded", False) else None)
        if audited is not None:
            await run_in_threadpool(security.record_access, web.url, str(user), *audited,
                                    request.url.path)
        response.headers.update(SECURITY_HEADERS)
        if not static:
            response.headers["Cache-Control"] = "no-store"  # pages hold residents' details
        # How long the server took, for the browser's network panel and bench/web.py.
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return web.render(request, "error.html", status_code=exc.status_code,
                          status=exc.status_code, message=str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """An id out of range or not a number in the address is no such page; any other value
        the app cannot use is named on the app's own error page (never the raw JSON)."""
        errors = exc.errors()
        if any(error.get("loc", ("",))[0] == "path" for error in errors):
            return web.render(request, "error.html", status_code=404, status=404,
                              message="There is no such page.")
        names = sorted({str(error.get("loc", ("", "?"))[-1]) for error in errors})
        return web.render(request, "error.html", status_code=400, status=400,
                          message=f"The request had a value the app cannot use: "
                                  f"{', '.join(names)[:200]}.")


def _configured_key(settings: Settings) -> str | None:
    return settings.secret_key.get_secret_value() if settings.secret_key else None
