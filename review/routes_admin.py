"""Managers' pages: users (/admin/users), report settings (/admin/reports) and the access log
(/admin/access).

Every route here depends on `require_manager`, so anyone else gets a 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.db import session_scope
from models.tables import ReportSetting
from pipeline import security
from pipeline.users import ROLES, UserError, add_user, change_user, set_password
from review import queries
from review.web import MAX_PASSWORD, Web, officer, require_manager
from workflow.policy import BUILT_IN

MANAGERS_ONLY = [Depends(require_manager)]


def register_admin(app: FastAPI, web: Web) -> None:
    """The users page and its forms, then the report settings page and its form."""
    _register_users(app, web)
    _register_report_settings(app, web)


def _register_users(app: FastAPI, web: Web) -> None:
    """List, add and change users; a manager cannot switch off or demote themselves."""
    url, settings = web.url, web.settings

    @app.get("/admin/users", response_class=HTMLResponse, dependencies=MANAGERS_ONLY)
    def users_page(request: Request) -> Response:
        return web.render(request, "users.html", users=queries.users(url), roles=ROLES)

    @app.post("/admin/users", dependencies=MANAGERS_ONLY)
    def create_user(request: Request, username: Annotated[str, Form()] = "",
                    role: Annotated[str, Form()] = "officer",
                    password: Annotated[str, Form()] = "") -> Response:
        try:
            if not 8 <= len(password) <= MAX_PASSWORD:
                raise UserError("the password must be 8 to 1,024 characters")
            add_user(settings, username.strip(), role, password)
        except UserError as exc:
            return web.redirect(request, "/admin/users", f"Not added: {exc}.", kind="error")
        return web.redirect(request, "/admin/users",
                            f"User {username.strip()} added as {role}.")

    @app.post("/admin/users/{username}", dependencies=MANAGERS_ONLY)
    def change_user_route(request: Request, username: str, role: Annotated[str, Form()] = "",
                          active: Annotated[str, Form()] = "",
                          password: Annotated[str, Form()] = "") -> Response:
        try:
            change_user(settings, username, officer(request), role, active)
            if password:
                set_password(settings, username, password)
        except LookupError as exc:
            raise StarletteHTTPException(404, f"There is no user {username[:100]}.") from exc
        except UserError as exc:
            text = str(exc)
            return web.redirect(request, "/admin/users", f"Not changed: {text[0].upper()}"
                                f"{text[1:]}.", kind="error")
        return web.redirect(request, "/admin/users", f"User {username} updated.")

    @app.get("/admin/access", response_class=HTMLResponse, dependencies=MANAGERS_ONLY)
    def access_page(request: Request, user: str = "", target: str = "") -> Response:
        rows = security.access_log(url, user[:100], target[:40])
        failures = security.failed_attempts(url)
        for row in rows + failures:
            row["when"] = queries.local_time(row["at"])
        return web.render(request, "access.html", rows=rows, failures=failures,
                          by_user=user[:100], by_target=target[:40])


def _register_report_settings(app: FastAPI, web: Web) -> None:
    """Per policy: the landlord's number of homes and how many working days are "due soon"."""
    url = web.url

    def policy_ids() -> list[str]:
        return list(dict.fromkeys([web.policy.id, *BUILT_IN]))

    @app.get("/admin/reports", response_class=HTMLResponse, dependencies=MANAGERS_ONLY)
    def report_settings_page(request: Request) -> Response:
        return web.render(request, "report_settings.html",
                          settings_rows=queries.report_settings(url, policy_ids()),
                          configured=web.policy.id)

    @app.post("/admin/reports/{policy}", dependencies=MANAGERS_ONLY)
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
            return web.redirect(request, "/admin/reports", "Homes must be a whole number "
                                "from 1, and due soon 0 to 30 working days.", kind="error")
        with session_scope(url) as session:
            row = session.get(ReportSetting, policy) or ReportSetting(policy=policy)
            row.homes, row.due_soon_days, row.updated_by = homes_value, soon_value, \
                officer(request)
            session.add(row)
        return web.redirect(request, "/admin/reports", f"Report settings for {policy} saved.")
