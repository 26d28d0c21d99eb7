"""The landlord's own complaint form, filled in and posted back: its printed labels found in
the OCR text (forgiving OCR's slips), and each answer read from the lines under its label.

The labels are the form's own wording (data/complaint_form.json); a landlord that prints
another form lists its labels there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

FORM_LABELS = Path(__file__).resolve().parents[2] / "data" / "complaint_form.json"
# At least this many of the form's labels found: the page is the form.
MIN_LABELS = 3
_SIMILAR = 0.8


@dataclass(frozen=True)
class FormAnswers:
    """What the resident wrote in each box; None where a box is empty or not found."""

    name: str | None = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    what_happened: str | None = None
    desired_outcome: str | None = None
    staff: str | None = None
    contact_method: str | None = None


@lru_cache(maxsize=1)
def _form_data() -> dict[str, dict[str, list[str]]]:
    return json.loads(FORM_LABELS.read_text(encoding="utf-8"))


def form_labels() -> dict[str, tuple[str, ...]]:
    """Each answer's printed label(s), from the data file."""
    return {field: tuple(labels) for field, labels in _form_data()["labels"].items()}


# An empty box as OCR reads it: "[]", "[_]", "{_]", "(J", "CJ", "[}".
_EMPTY_BOX = re.compile(r"^[\[{(C|][_ ]?[\]})J|]?$")


# A box the OCR measured on the page image (ingest/checkboxes.py): "[x] Phone", "[ ] Email".
_MEASURED_BOX = re.compile(r"^\[([x ])\]\s+(.+?)\s*$", re.M)


def ticked_contact(text: str) -> str | None:
    """The contact method whose box is ticked: where OCR measured the boxes on the page, the
    one marked "[x]"; else, of the option lines as read ("WA Phone", "[_] Letter"), the one
    line whose box is not read as empty (a tick OCR drops leaves no box at all)."""
    options = _form_data().get("contact_options", {})
    labels = {_fold(word): method for method, words in options.items() for word in words}
    measured = [(mark, labels[_fold(label)]) for mark, label in _MEASURED_BOX.findall(text)
                if _fold(label) in labels]
    if measured:
        marked = {method for mark, method in measured if mark == "x"}
        return marked.pop() if len(marked) == 1 else None
    ticked: set[str] = set()
    for line in text.splitlines():
        for method, words in options.items():
            for word in words:
                found = re.fullmatch(rf"\W*?(\S{{0,3}}?)\s*{re.escape(word)}\s*", line.strip(" '"),
                                     re.I)
                if found and not _EMPTY_BOX.match(found.group(1)):
                    ticked.add(method)
    return ticked.pop() if len(ticked) == 1 else None


def _fold(text: str) -> str:
    return re.sub(r"[^a-z ]", "", text.lower()).strip()


# OCR's specks before a printed label on a faint copy: "oo . Your name", "a - Postcode".
_SPECKS_BEFORE = re.compile(r"^\W*(?:[A-Za-z]{1,2}\W+){1,2}(?=[A-Z])")


def _label_of(line: str) -> tuple[str, str] | None:
    """The field whose label the line starts with (after OCR's specks), and what follows the
    label on the line."""
    found = _label_at_start(line)
    if found is None and _SPECKS_BEFORE.match(line):
        found = _label_at_start(_SPECKS_BEFORE.sub("", line))
    return found


def _label_at_start(line: str) -> tuple[str, str] | None:
    folded = _fold(line)
    for field, labels in form_labels().items():
        for label in labels:
            wanted = _fold(label)
            head = folded[: len(wanted)]
            if head and SequenceMatcher(None, head, wanted).ratio() >= _SIMILAR:
                written = re.sub(r"^[^A-Za-z]+", "", line.strip())  # "; Your address."
                rest = written[len(label):] if len(written) > len(label) + 2 else ""
                return field, rest.strip(" :|")
    return None


def read_form(text: str) -> FormAnswers | None:
    """The answers when the text is the filled-in form, else None."""
    answers: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        found = _label_of(line) if line.strip() else None
        if found:
            current, rest = found
            answers.setdefault(current, [])
            if rest:
                answers[current].append(rest)
        elif current and line.strip():
            answers[current].append(line.strip())
    if len(answers) < MIN_LABELS:
        return None
    values = {field: " ".join(lines).strip() or None for field, lines in answers.items()
              if field in FormAnswers.__dataclass_fields__}
    values["contact_method"] = ticked_contact(text)
    return FormAnswers(**values)
