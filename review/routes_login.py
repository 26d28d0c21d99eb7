"""Signing in and out: /login (GET, POST) and /logout, the only pages open without a session."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.users import check_password
from review.auth import current_session, new_csrf_token
from review.web import MAX_PASSWORD, MAX_USERNAME, Web


def register_login(app: FastAPI, web: Web) -> None:
    """The log-in form, log-in and log-out."""

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        session = current_session(request)
        if session.get("user"):
            return RedirectResponse("/", status_code=303)
        if not session.get("csrf"):
            # A pre-login session only carries the token, so the login form is CSRF-safe too.
            request.state.session = {"csrf": new_csrf_token()}
        response = web.render(request, "login.html")
        web.sessions.save(request, response, request.state.session)
        return response

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "") -> Response:
        user = None
        if 0 < len(username) <= MAX_USERNAME and 0 < len(password) <= MAX_PASSWORD:
            user = check_password(web.settings, username, password)
        if user is None:
            return web.render(request, "login.html", status_code=401, username=username,
                              error="The username or password is wrong.")
        response = RedirectResponse("/", status_code=303)
        # A fresh token at log-in, so one seen before it is worthless after.
        web.sessions.save(request, response,
                          {"user": user.username, "role": user.role, "csrf": new_csrf_token()})
        return response

    @app.post("/logout")
    def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        web.sessions.clear(request, response)
        return response
