"""Signing in and out (/login, /logout: the only pages open without a session) and changing
one's own password (/account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline import security
from pipeline.users import UserError, change_own_password
from review.auth import current_session, new_csrf_token
from review.web import MAX_PASSWORD, MAX_USERNAME, Web, client_address, officer
from workflow.staging import LANDLORD_TIMEZONE


def register_login(app: FastAPI, web: Web) -> None:
    """The log-in form, log-in and log-out, and the account page."""

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        session = current_session(request)
        if session.get("user"):
            return RedirectResponse("/", status_code=303)
        if not session.get("csrf"):
            # A pre-login cookie only carries the token, so the login form is CSRF-safe too.
            request.state.session = {"csrf": new_csrf_token()}
        response = web.render(request, "login.html")
        web.sessions.save(request, response, request.state.session)
        return response

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "") -> Response:
        answer = security.SignIn(None)
        if 0 < len(username) <= MAX_USERNAME and 0 < len(password) <= MAX_PASSWORD:
            answer = security.sign_in(web.settings, username, password, client_address(request))
        if answer.locked_until is not None:
            until = answer.locked_until.astimezone(LANDLORD_TIMEZONE).strftime("%H:%M")
            return web.render(request, "login.html", status_code=429, username=username,
                              error=f"Too many failed attempts: log-in is locked until "
                                    f"{until}. Ask a manager if you have forgotten the "
                                    f"password.")
        if answer.user is None:
            return web.render(request, "login.html", status_code=401, username=username,
                              error="The username or password is wrong.")
        response = RedirectResponse("/", status_code=303)
        token, _csrf = security.start_session(web.settings, answer.user.username,
                                              client_address(request))
        web.sessions.begin(request, response, token)
        return response

    @app.post("/logout")
    def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        web.sessions.end(request, response, current_session(request))
        return response

    @app.get("/account", response_class=HTMLResponse)
    def account(request: Request) -> Response:
        return web.render(request, "account.html")

    @app.post("/account/password")
    def change_password(request: Request, current: Annotated[str, Form()] = "",
                        new: Annotated[str, Form()] = "", again: Annotated[str, Form()] = ""
                        ) -> Response:
        me = officer(request)
        try:
            if new != again:
                raise UserError("the two new passwords differ")
            change_own_password(web.settings, me, current, new)
        except UserError as exc:
            return web.redirect(request, "/account", f"Not changed: {exc}.", kind="error")
        # Every session ended with the change, this one too: this browser gets a new one.
        response = RedirectResponse("/account", status_code=303)
        token, _csrf = security.start_session(web.settings, me, client_address(request))
        security.set_flash(web.url, security.token_hash(token), {
            "message": "Password changed; every other session of yours has ended.",
            "kind": "success", "case_ref": None})
        web.sessions.begin(request, response, token)
        return response
