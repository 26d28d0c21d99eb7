"""The triage officers' review web app: server-rendered pages over the triage database.

Everything but /login and /static/* needs a session of an active user; every POST needs the
session's CSRF token; managers alone reach /admin. Every response carries headers that stop
framing, sniffing, inline script and foreign content (the only script is /static/review.js).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import jinja2
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.settings import Settings
from models.db import session_scope
from models.tables import ReportSetting, User
from pipeline.users import ROLES, UserError, add_user, set_password
from review import queries
from review.auth import Sessions, secret_key, verify_csrf
from review.routes_cases import register_cases
from review.routes_items import register_items
from review.routes_login import register_login
from review.routes_performance import register_performance
from review.routes_quarantine import register_quarantine
from review.web import MAX_PASSWORD, Web, officer, require_manager
from workflow.policy import BUILT_IN, load_policy

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
    """The app for one data dir and database; the CLI's `triage web` serves it."""
    url = settings.resolved_database_url
    web = Web(settings=settings, url=url, sessions=Sessions(secret_key(settings.data_dir)),
              templates=_templates(), policy=load_policy(settings.policy))
    sessions, render, redirect, configured_policy = (web.sessions, web.render, web.redirect,
                                                     web.policy)
    app = FastAPI(title="Housing triage review", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(verify_csrf)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def active_role(username: str) -> str | None:
        """The user's role now, or None for a removed or switched-off account: a session
        outlives neither, and a changed role applies at the next page."""
        with session_scope(url) as session:
            user = session.scalar(select(User).where(User.username == username))
            return user.role if user is not None and user.active else None

    @app.middleware("http")
    async def guard(request: Request, call_next) -> Response:
        started = time.perf_counter()
        session = sessions.load(request)
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
        return render(request, "error.html", status_code=exc.status_code,
                      status=exc.status_code, message=str(exc.detail))

    register_login(app, web)

    register_items(app, web)

    register_cases(app, web)

    register_quarantine(app, web)

    register_performance(app, web)

    # --- managers: users and report settings -------------------------------------------

    @app.get("/admin/users", response_class=HTMLResponse,
             dependencies=[Depends(require_manager)])
    def users_page(request: Request) -> Response:
        return render(request, "users.html", users=queries.users(url), roles=ROLES)

    @app.post("/admin/users", dependencies=[Depends(require_manager)])
    def create_user(request: Request, username: Annotated[str, Form()] = "",
                    role: Annotated[str, Form()] = "officer",
                    password: Annotated[str, Form()] = "") -> Response:
        try:
            if not 8 <= len(password) <= MAX_PASSWORD:
                raise UserError("the password must be 8 to 1,024 characters")
            add_user(settings, username.strip(), role, password)
        except UserError as exc:
            return redirect(request, "/admin/users", f"Not added: {exc}.", kind="error")
        return redirect(request, "/admin/users", f"User {username.strip()} added as {role}.")

    @app.post("/admin/users/{username}", dependencies=[Depends(require_manager)])
    def change_user(request: Request, username: str, role: Annotated[str, Form()] = "",
                    active: Annotated[str, Form()] = "",
                    password: Annotated[str, Form()] = "") -> Response:
        me = officer(request)
        with session_scope(url) as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise StarletteHTTPException(404, f"There is no user {username[:100]}.")
            if username == me and (active == "no" or (role and role != user.role)):
                return redirect(request, "/admin/users", "You cannot switch off or demote "
                                "your own account; ask another manager.", kind="error")
            if role:
                if role not in ROLES:
                    return redirect(request, "/admin/users", "Unknown role.", kind="error")
                user.role = role
            if active in {"yes", "no"}:
                user.active = active == "yes"
        if password:
            try:
                if len(password) > MAX_PASSWORD:
                    raise UserError("the password is too long")
                set_password(settings, username, password)
            except UserError as exc:
                return redirect(request, "/admin/users", f"Not changed: {exc}.", kind="error")
        return redirect(request, "/admin/users", f"User {username} updated.")

    def policy_ids() -> list[str]:
        return list(dict.fromkeys([configured_policy.id, *BUILT_IN]))

    @app.get("/admin/reports", response_class=HTMLResponse,
             dependencies=[Depends(require_manager)])
    def report_settings_page(request: Request) -> Response:
        return render(request, "report_settings.html",
                      settings_rows=queries.report_settings(url, policy_ids()),
                      configured=configured_policy.id)

    @app.post("/admin/reports/{policy}", dependencies=[Depends(require_manager)])
    def save_report_settings(request: Request, policy: str,
                             homes: Annotated[str, Form()] = "",
                             due_soon_days: Annotated[str, Form()] = "3") -> Response:
        if policy not in policy_ids():
            raise StarletteHTTPException(404, f"There is no policy {policy[:64]}.")
        try:
            homes_value = int(homes) if homes.strip() else None
            soon_value = int(due_soon_days)
            if (homes_value is not None and not 1 <= homes_value <= 10_000_000) or \
                    not 0 <= soon_value <= 30:
                raise ValueError
        except ValueError:
            return redirect(request, "/admin/reports", "Homes must be a whole number from 1, "
                            "and due soon 0 to 30 working days.", kind="error")
        with session_scope(url) as session:
            row = session.get(ReportSetting, policy) or ReportSetting(policy=policy)
            row.homes, row.due_soon_days, row.updated_by = homes_value, soon_value, \
                officer(request)
            session.add(row)
        return redirect(request, "/admin/reports", f"Report settings for {policy} saved.")

    return app

