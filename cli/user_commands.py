"""`triage user …`: users of the review web app."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.shared_commands import err, out, ready
from core.settings import get_settings

user_app = typer.Typer(help="Users of the review web app.")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="officer or manager")] = "officer",
) -> None:
    """Create a user of the review web app; the password comes from stdin or a prompt."""
    from pipeline.users import UserError, add_user, read_password

    settings = get_settings()
    ready(settings)
    try:
        add_user(settings, username, role, read_password())
    except UserError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"user {username} added as {role}")
