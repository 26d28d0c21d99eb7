"""The triage officers' review web app: server-rendered pages over the triage database.

Everything but /login and /static/* needs a session of an active user; every POST needs the
session's CSRF token; managers alone reach /admin. Every response carries headers that stop
framing, sniffing, inline script and foreign content (the only script is /static/review.js).

`create_app` builds the shared pieces (review/web.py) and lists the routes, one
`register_…` call per area; each area's handlers live in a review/routes_*.py module.
"""

from __future__ import annotations

import time
from pathlib import Path

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.settings import Settings
from models.db import session_scope
from models.tables import User
from review import queries
from review.auth import Sessions, secret_key, verify_csrf
from review.routes_admin import register_admin
from review.routes_cases import register_cases
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
    web = Web(settings=settings, url=settings.resolved_database_url,
              sessions=Sessions(secret_key(settings.data_dir)), templates=_templates(),
              policy=load_policy(settings.policy))
    app = FastAPI(title="Housing triage review", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(verify_csrf)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _guard_every_request(app, web)
    register_login(app, web)        # /login, /logout
    register_items(app, web)        # /, /items/{id} and its forms, /items/{id}/pages/{n}.png
    register_cases(app, web)        # /cases, /cases/{ref}
    register_residents(app, web)    # /residents/{id}, its merge and split, /items/{id}/resident
    register_quarantine(app, web)   # /quarantine, /quarantine/{id}/retry
    register_performance(app, web)  # /performance
    register_admin(app, web)        # /admin/users[/{username}], /admin/reports[/{policy}]
    return app


def _guard_every_request(app: FastAPI, web: Web) -> None:
    """Sign-in check and security headers on every response, and errors as a page."""

    def active_role(username: str) -> str | None:
        """The user's role now, or None for a removed or switched-off account: a session
        outlives neither, and a changed role applies at the next page."""
        with session_scope(web.url) as session:
            user = session.scalar(select(User).where(User.username == username))
            return user.role if user is not None and user.active else None

    @app.middleware("http")
    async def guard(request: Request, call_next) -> Response:
        started = time.perf_counter()
        session = web.sessions.load(request)
        if session.get("user"):
            role = await run_in_threadpool(active_role, str(session["user"]))
            session = {**session, "role": role} if role else {}
        request.state.session = session
        if _is_public(request.url.path) or session.get("user"):
            response = await call_next(request)
        else:
            response = RedirectResponse("/login", status_code=303)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"  # pages hold residents' details
        # How long the server took, for the browser's network panel and bench/web.py.
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return web.render(request, "error.html", status_code=exc.status_code,
                          status=exc.status_code, message=str(exc.detail))
