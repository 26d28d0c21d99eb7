"""The triage officers' review web app: server-rendered pages over the triage database.

Everything but /login and /static/* needs a session; every POST needs the session's CSRF
token; every response carries headers that stop framing, sniffing and foreign content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from review import queries
from review.auth import Sessions, current_session, new_csrf_token, secret_key, verify_csrf
from triage.settings import Settings
from triage.users import check_password

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Longer values cannot be a real account, so they are refused before any hashing work.
MAX_USERNAME, MAX_PASSWORD = 100, 1024


def _templates() -> Jinja2Templates:
    """Autoescape on for every template, whatever its extension: item text is hostile input."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return Jinja2Templates(env=env)


def _is_public(path: str) -> bool:
    return path == "/login" or path.startswith("/static/")


def create_app(settings: Settings) -> FastAPI:
    """The app for one data dir and database; the CLI's `triage web` serves it."""
    url = settings.resolved_database_url
    sessions = Sessions(secret_key(settings.data_dir))
    templates = _templates()
    app = FastAPI(title="Housing triage review", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(verify_csrf)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        session = current_session(request)
        context.update(user=session.get("user"), role=session.get("role"),
                       csrf_token=session.get("csrf", ""))
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @app.middleware("http")
    async def guard(request: Request, call_next) -> Response:
        request.state.session = sessions.load(request)
        if _is_public(request.url.path) or request.state.session.get("user"):
            response = await call_next(request)
        else:
            response = RedirectResponse("/login", status_code=303)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"  # pages hold residents' details
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render(request, "error.html", status_code=exc.status_code,
                      status=exc.status_code, message=str(exc.detail))

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        session = current_session(request)
        if session.get("user"):
            return RedirectResponse("/", status_code=303)
        if not session.get("csrf"):
            # A pre-login session only carries the token, so the login form is CSRF-safe too.
            request.state.session = {"csrf": new_csrf_token()}
        response = render(request, "login.html")
        sessions.save(request, response, request.state.session)
        return response

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "") -> Response:
        user = None
        if 0 < len(username) <= MAX_USERNAME and 0 < len(password) <= MAX_PASSWORD:
            user = check_password(settings, username, password)
        if user is None:
            return render(request, "login.html", status_code=401, username=username,
                          error="The username or password is wrong.")
        response = RedirectResponse("/", status_code=303)
        # A fresh token at log-in, so one seen before it is worthless after.
        sessions.save(request, response,
                      {"user": user.username, "role": user.role, "csrf": new_csrf_token()})
        return response

    @app.post("/logout")
    def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        sessions.clear(request, response)
        return response

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request, category: str = "") -> Response:
        category = category.strip()
        return render(request, "queue.html", category=category,
                      categories=queries.categories(url),
                      rows=queries.queue_rows(url, category or None),
                      quarantined=queries.quarantined_rows(url))

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    def item(request: Request, item_id: int) -> Response:
        detail = queries.item_detail(url, item_id)
        if detail is None:
            raise StarletteHTTPException(404, f"There is no item {item_id}.")
        return render(request, "item.html", item=detail)

    @app.get("/items/{item_id}/pages/{number}.png")
    def page_image(item_id: int, number: int) -> Response:
        from review.pages import page_png

        png = page_png(url, settings.raw_dir, item_id, number)
        if png is None:
            raise StarletteHTTPException(404, f"Item {item_id} has no page {number}.")
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, no-store"})

    @app.get("/cases", response_class=HTMLResponse)
    def cases(request: Request) -> Response:
        return render(request, "cases.html", cases=queries.case_rows(url))

    @app.get("/cases/{ref}", response_class=HTMLResponse)
    def case_detail(request: Request, ref: str) -> Response:
        detail = queries.case_detail(url, ref)
        if detail is None:
            raise StarletteHTTPException(404, f"There is no case {ref}.")
        return render(request, "case.html", case=detail)

    return app
