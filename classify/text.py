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
# A line that only separates ("---", "_____", "=====") and the header lines of a quoted message.
_SEPARATOR = re.compile(r"^\s*(?:[-_=*~]\s*){3,}$")
_HEADER = re.compile(r"^\s*(?:From|Sent|To|Cc|Date|Subject)\s*:", re.I)
_FORWARD_MARK = re.compile(r"^\s*[-_]{2,}\s*(?:Forwarded|Original)\s+message\s*[-_]*\s*$", re.I)


def split_quoted(body: str) -> tuple[str, str]:
    """The writer's own words, and the quoted history beneath them (which may be empty)."""
    lines = body.splitlines()
    for index, line in enumerate(lines):
        starts_history = any(pattern.match(line) for pattern in _QUOTE_STARTS)
        if (starts_history and index > 0) or (
            _QUOTED_LINE.match(line) and _mostly_quoted(lines[index:])
        ):
            if not any(_own_line(before) for before in lines[:index]):
                return _written_below(lines)
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
    own = [line for line in lines if not _QUOTED_LINE.match(line)]
    quoted = [line for line in lines if _QUOTED_LINE.match(line)]
    return "\n".join(own).strip(), "\n".join(quoted).strip()


def _own_line(line: str) -> bool:
    return bool(line.strip()) and not (
        _SEPARATOR.match(line) or _HEADER.match(line) or _FORWARD_MARK.match(line)
        or any(pattern.match(line) for pattern in _QUOTE_STARTS))


def _written_below(lines: list[str]) -> tuple[str, str]:
    """A forward with the new words at the bottom: they follow the last separator line."""
    for index in range(len(lines) - 1, 0, -1):
        if _SEPARATOR.match(lines[index]) and not _FORWARD_MARK.match(lines[index]):
            below = "\n".join(lines[index + 1 :]).strip()
            if below:
                return below, "\n".join(lines[:index]).strip()
    return "", "\n".join(lines).strip()


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
