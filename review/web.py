"""What every area of the review app's routes shares: the settings and database, the policy,
and one way to render a page or redirect with a flash message.

The app factory (review/app.py) builds one `Web` and hands it to each `register_…` function,
so a route module needs no globals and two apps (as in the tests) never share state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.settings import Settings
from review.auth import Sessions, current_session
from workflow.policy import Policy

# Longer values cannot be a real account, so they are refused before any hashing work.
MAX_USERNAME, MAX_PASSWORD = 100, 1024
# Row ids the databases can hold (a 64-bit signed integer): anything else is no such page,
# never a database error. Page numbers of a listing stop well before an offset overflows.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]


@dataclass(frozen=True)
class Web:
    """The shared dependencies of one app; built once by `create_app`."""

    settings: Settings
    url: str
    sessions: Sessions
    templates: Jinja2Templates
    policy: Policy

    def render(self, request: Request, name: str, status_code: int = 200,
               **context: Any) -> Response:
        """A page with the signed-in user, the CSRF token and any flash message filled in;
        a shown flash is dropped from the session so it appears once."""
        session = current_session(request)
        flash = session.pop("flash", None) if isinstance(session, dict) else None
        context.update(user=session.get("user"), role=session.get("role"),
                       csrf_token=session.get("csrf", ""), flash=flash,
                       path=request.url.path)
        response = self.templates.TemplateResponse(request, name, context,
                                                   status_code=status_code)
        if flash is not None:
            self.sessions.save(request, response, session)
        return response

    def redirect(self, request: Request, to: str, message: str | None = None,
                 kind: str = "success", case_ref: str | None = None) -> Response:
        """A 303 after a form (so a reload never re-posts), with the message to show next."""
        response = RedirectResponse(to, status_code=303)
        if message:
            session = dict(current_session(request))
            session["flash"] = {"message": message, "kind": kind, "case_ref": case_ref}
            self.sessions.save(request, response, session)
        return response


def client_address(request: Request) -> str:
    """The address the request came from, as the server saw it (behind a proxy, run uvicorn
    with --proxy-headers and --forwarded-allow-ips so this is the browser's)."""
    return request.client.host if request.client else "unknown"


def officer(request: Request) -> str:
    """The signed-in user's name, recorded against what they do."""
    return str(current_session(request).get("user"))


def require_manager(request: Request) -> None:
    """Route dependency for the /admin pages: anyone but a manager gets a 403."""
    if current_session(request).get("role") != "manager":
        raise StarletteHTTPException(403, "Only a manager can do this.")
