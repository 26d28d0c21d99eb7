"""`triage user …`: users of the review web app."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.shared_commands import err, out, print_jsonl, ready
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


@user_app.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every user of the review web app, with role and whether active."""
    from pipeline.users import list_users

    settings = get_settings()
    ready(settings)
    users = list_users(settings)
    if as_json:
        print_jsonl(users)
        return
    for user in users:
        state = "" if user["active"] else " (inactive)"
        out.print(f"{user['username']}  {user['role']}{state}", markup=False)


@user_app.command("reset-password")
def user_reset_password(username: str) -> None:
    """A new password for a user (from stdin or a prompt): the way back for a locked-out
    manager, run by whoever runs the server."""
    from pipeline.users import UserError, read_password, set_password

    settings = get_settings()
    ready(settings)
    try:
        set_password(settings, username, read_password())
    except UserError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"password of {username} reset")
