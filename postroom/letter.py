"""A letter's parts as plain data (the format of data/letters/README.md), loaded from JSON Lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Letterhead:
    kind: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class FormAnswers:
    """The landlord's complaint form as the resident filled it in."""

    name: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    contact_method: str | None = None
    what_happened: str = ""
    desired_outcome: str = ""
    staff: str = ""


@dataclass(frozen=True)
class PostLetter:
    """One letter's parts, not its layout: the renderer decides where each part goes."""

    id: str
    kind: str = "letter"
    letterhead: Letterhead | None = None
    sender_side: str = "right"
    sender_name_line: str | None = None
    sender_lines: tuple[str, ...] = ()
    date_text: str = ""
    date_side: str = "under_sender"
    recipient: tuple[str, ...] = ()
    refs: tuple[tuple[str, str], ...] = ()
    heading: str | None = None
    salutation: str = ""
    body: tuple[str, ...] = ()
    closing: str = ""
    signature: str = ""
    signature_title: str | None = None
    form: FormAnswers | None = None
    received_at: str = ""
    labels: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.body)


_REF_LABELS = {"your_ref": "Your ref", "our_ref": "Our ref"}


def letter_from_dict(data: dict[str, Any]) -> PostLetter:
    """A letter from one JSON object; labels (category, fields, ...) are kept apart."""
    head = data.get("letterhead")
    sender = data.get("sender") or {}
    form = data.get("form")
    refs = tuple((_REF_LABELS.get(k, k.replace("_", " ").capitalize()), str(v))
                 for k, v in (data.get("refs") or {}).items() if v)
    label_keys = ("category", "excluded_reason", "escalation", "hazards", "hazard", "fields",
                  "date", "writer", "voice", "received_at")
    return PostLetter(
        id=str(data["id"]),
        kind=data.get("kind") or "letter",
        letterhead=Letterhead(head.get("kind", ""), tuple(head.get("lines") or ()))
        if head else None,
        sender_side=data.get("sender_side") or "right",
        sender_name_line=sender.get("name_line"),
        sender_lines=tuple(sender.get("lines") or ()),
        date_text=data.get("date_text") or "",
        date_side=data.get("date_side") or "under_sender",
        recipient=tuple(data.get("recipient") or ()),
        refs=refs,
        heading=data.get("heading"),
        salutation=data.get("salutation") or "",
        body=tuple(data.get("body") or ()),
        closing=data.get("closing") or "",
        signature=data.get("signature") or "",
        signature_title=data.get("signature_title"),
        form=FormAnswers(**{k: v or ("" if k != "contact_method" else None)
                            for k, v in form.items() if k in FormAnswers.__dataclass_fields__})
        if form else None,
        received_at=data.get("received_at") or "",
        labels={k: data.get(k) for k in label_keys if k in data},
    )


def load_letters(folder: Path) -> list[PostLetter]:
    """Every letter in folder/*.jsonl, in file and line order; blank lines skipped."""
    letters: list[PostLetter] = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                letters.append(letter_from_dict(json.loads(line)))
    return letters
