"""The README's command reference names every command `triage --help` offers."""

from __future__ import annotations

import re

import typer.main

from cli.main import app
from tests.conftest import REPO


def command_paths() -> list[str]:
    group = typer.main.get_group(app)
    paths = []
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            paths.extend(f"{name} {sub}" for sub in subcommands)
        else:
            paths.append(name)
    return sorted(paths)


def test_readme_lists_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `triage ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", readme,
                            flags=re.M))
    missing = [path for path in command_paths() if path not in listed]
    assert not missing, f"README's Commands table lacks: {missing}"
