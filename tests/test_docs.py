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


def _readme_section(title: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n## {title}\n")
    end = readme.find("\n## ", start + 1)
    return readme[start: end if end != -1 else None]


def documented_settings() -> set[str]:
    """Every variable the Configuration table's first column names. `TRIAGE_IMAP_HOST`,
    `_PORT` means TRIAGE_IMAP_PORT: a short name stands in for as many trailing words of the
    row's first name as it has."""
    names: set[str] = set()
    for line in _readme_section("Configuration").splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        cell = re.findall(r"`([A-Z0-9_]+)`", first_cell)
        full = cell[0]
        names.add(full)
        for short in cell[1:]:
            if short.startswith("TRIAGE_"):
                names.add(short)
                continue
            words = short.strip("_").split("_")
            names.add("_".join(full.split("_")[: -len(words)] + words))
    return names


def test_every_documented_setting_exists_and_every_setting_is_documented() -> None:
    from core.settings import Settings

    fields = {f"TRIAGE_{name.upper()}" for name in Settings.model_fields}
    documented = documented_settings()
    assert documented - fields == set(), "the README documents settings that do not exist"
    assert fields - documented == set(), "settings the README's Configuration table lacks"


def readme_commands() -> list[list[str]]:
    """Each command of the README's Commands table, as the words before its arguments."""
    commands = []
    for line in _readme_section("Commands").splitlines():
        found = re.match(r"^\| `triage ((?:--)?[a-z][a-z-]*(?: [a-z][a-z-]*)?)", line)
        if found:
            commands.append(found.group(1).split())
    return commands


def test_every_command_in_the_readme_runs_with_help() -> None:
    from typer.testing import CliRunner

    commands = readme_commands()
    assert len(commands) >= 30 and ["backup"] in commands and ["migrate"] in commands
    runner = CliRunner()
    for words in commands:
        args = words if words == ["--version"] else [*words, "--help"]
        result = runner.invoke(app, args, prog_name="triage")
        assert result.exit_code == 0, (words, result.output)
        if words != ["--version"]:
            assert "Usage: triage " + " ".join(words) in " ".join(result.output.split()), words
