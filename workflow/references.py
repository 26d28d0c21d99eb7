"""Case references as residents quote them: ours (CMP-2026-00001) and the landlord's older
ones brought in by `triage import cases` (HC/2024/0193, 204518, ...), compared by a key that
ignores case, spaces and separators, so "hc 2024 0193" finds HC/2024/0193."""

from __future__ import annotations

import re

# Longest reference a case may carry (the column is 20 characters).
MAX_REFERENCE_LENGTH = 20
# A reference's written form: letters, digits and the separators references use.
REFERENCE_FORM = re.compile(r"^[A-Z0-9](?:[A-Z0-9]|[-/ ._](?=[A-Z0-9])){2,19}$", re.I)

# Any token of letters and digits joined by - or /, holding a digit ("CMP-2026-00001", "HC/24/19").
_TOKEN = re.compile(r"(?<![A-Z0-9])[A-Z0-9]+(?:[-/.][A-Z0-9]+)*(?![A-Z0-9])", re.I)
# After a cue word a reference may be written with spaces ("your ref: HC 2024 0193").
_CUED = re.compile(
    r"\b(?:ref(?:erence)?|case|complaint)\b(?:\s*(?:no\.?|number|ref(?:erence)?|id))?"
    r"\s*[:#.]?\s*([A-Z0-9]+(?:[-/ .][A-Z0-9]+){0,3})", re.I)
_MAX_CANDIDATES = 200


def reference_key(reference: str) -> str:
    """The form references are compared in: upper case, letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", reference.upper())


def is_reference(reference: str) -> bool:
    """Whether a reference can be stored and later recognised when a resident quotes it."""
    key = reference_key(reference)
    return (bool(REFERENCE_FORM.match(reference.strip())) and len(key) >= 4
            and any(ch.isdigit() for ch in key))


def quoted_reference_keys(subject: str | None, text: str | None) -> list[str]:
    """Keys of every token that could be a quoted reference, in the order written (subject
    first): tokens holding a digit, and after a cue word the same joined across spaces.

    Only keys of cases that exist ever match, so a date or a phone number among them costs a
    lookup, never a wrong thread."""
    written = f"{subject or ''}\n{text or ''}"
    found: list[tuple[int, str]] = []
    for match in _CUED.finditer(written):
        parts = re.split(r"[-/ .]", match.group(1))
        found += [(match.start(1), "".join(parts[:n])) for n in range(len(parts), 0, -1)]
    found += [(m.start(), reference_key(m.group(0))) for m in _TOKEN.finditer(written)]
    found.sort(key=lambda pair: pair[0])  # stable: the longest cued form first at a place
    usable = [key.upper() for _, key in found
              if len(key) >= 4 and any(ch.isdigit() for ch in key)]
    return list(dict.fromkeys(usable))[:_MAX_CANDIDATES]
