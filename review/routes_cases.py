"""Cases: the list at /cases (by status, due date or reference) and one case at /cases/{ref}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from review import queries
from review.web import Web


def register_cases(app: FastAPI, web: Web) -> None:
    """The case list and a case's page; "due soon" is the manager's setting for the policy."""
    url, policy = web.url, web.policy

    def soon_days() -> int:
        return queries.due_soon_days(url, policy.id)

    @app.get("/cases", response_class=HTMLResponse)
    def cases(request: Request, status: str = "open", due: str = "", ref: str = "",
              page: int = 1) -> Response:
        listing = queries.cases_page(url, status=status, due=due, ref=ref, page=page,
                                     soon_days=soon_days(), nation=policy.nation)
        return web.render(request, "cases.html", **listing)

    @app.get("/cases/{ref:path}", response_class=HTMLResponse)  # imported refs hold "/"
    def case_page(request: Request, ref: str) -> Response:
        detail = queries.case_detail(url, ref, soon_days(), policy.nation)
        if detail is None:
            raise StarletteHTTPException(404, f"There is no case {ref[:20]}.")
        return web.render(request, "case.html", case=detail)
