"""Text preparation shared by extraction and the classifier: quoted replies cut away."""

from __future__ import annotations

import re

# Where a reply's quoted history starts (Gmail, Outlook, Apple Mail, and plain "> " quoting).
_QUOTE_STARTS = [
    re.compile(r"^\s*On .{4,200}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),
    re.compile(r"^\s*From:\s.+$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
]
_QUOTED_LINE = re.compile(r"^\s*>")


def split_quoted(body: str) -> tuple[str, str]:
    """The writer's own words, and the quoted history beneath them (which may be empty)."""
    lines = body.splitlines()
    for index, line in enumerate(lines):
        starts_history = any(pattern.match(line) for pattern in _QUOTE_STARTS)
        if (starts_history and index > 0) or (
            _QUOTED_LINE.match(line) and _mostly_quoted(lines[index:])
        ):
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
    own = [line for line in lines if not _QUOTED_LINE.match(line)]
    quoted = [line for line in lines if _QUOTED_LINE.match(line)]
    return "\n".join(own).strip(), "\n".join(quoted).strip()


def _mostly_quoted(rest: list[str]) -> bool:
    non_blank = [line for line in rest if line.strip()]
    quoted = sum(1 for line in non_blank if _QUOTED_LINE.match(line))
    return bool(non_blank) and quoted / len(non_blank) >= 0.8


def classifier_text(subject: str, body: str) -> str:
    """What the model reads: the subject, the writer's own words, and a short quoted tail."""
    own, quoted = split_quoted(body)
    parts = [subject.strip(), own or body.strip()]
    if quoted:
        parts.append(quoted[:600])
    return "\n".join(part for part in parts if part)[:8000]
