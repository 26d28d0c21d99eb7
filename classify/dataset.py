"""Labelled examples kept in `data/`: loading and validation, with clear errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.labels import CATEGORIES, EXCLUDED_REASONS, HAZARDS

__all__ = ["CATEGORIES", "EXCLUDED_REASONS", "HAZARDS", "DatasetError", "Example"]

class DatasetError(ValueError):
    """A labelled file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    id: str
    subject: str
    body: str
    source: str
    received_at: date
    category: str
    excluded_reason: str | None
    escalation: bool
    hazard: str | None
    fields: dict[str, object] | None = None
    # Who wrote it, for holding data out writer by writer: the file's `writer`, else
    # `writer_of` derives one from the file and the id's prefix (one writer per file).
    writer: str | None = None
    origin: str = ""


def writer_of(example: Example) -> str:
    """The example's writer group: its `writer`, else its file and id prefix
    (`h1-residents:tr-h1`), since each file without writers was written by one hand."""
    if example.writer:
        return example.writer
    prefix = example.id.rsplit("-", 1)[0] if "-" in example.id else example.id
    return f"{example.origin}:{prefix}"


def split_subject(text: str) -> tuple[str, str]:
    """Examples store an email as "Subject: ..." then a blank line, then the body."""
    if text.startswith("Subject:"):
        first, _, rest = text.partition("\n")
        return first.removeprefix("Subject:").strip(), rest.lstrip("\n")
    return "", text


def load_examples(folder: Path) -> list[Example]:
    """Every example in `folder/*.jsonl`, in file then line order."""
    examples: list[Example] = []
    seen: set[str] = set()
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise DatasetError(f"no labelled examples (*.jsonl) in {folder}")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            example = parse_example(line, f"{path}:{number}", origin=path.stem)
            if example.id in seen:
                raise DatasetError(f"{path}:{number}: duplicate id {example.id!r}")
            seen.add(example.id)
            examples.append(example)
    return examples


def parse_example(line: str, where: str, origin: str = "") -> Example:
    """One JSON line of a labelled file, checked; `where` (file:line) names it in errors."""
    try:
        row = json.loads(line)
        subject, body = split_subject(row["text"])
        example = Example(
            id=str(row["id"]),
            subject=subject,
            body=body,
            source=row.get("source", "email"),
            received_at=date.fromisoformat(row["received_at"][:10]),
            category=row["category"],
            excluded_reason=row.get("excluded_reason"),
            escalation=bool(row.get("escalation", False)),
            hazard=row.get("hazard"),
            fields=row.get("fields"),
            writer=str(row["writer"]) if row.get("writer") else None,
            origin=origin,
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"{where}: {type(exc).__name__}: {exc}") from exc
    if example.category not in CATEGORIES:
        raise DatasetError(f"{where}: unknown category {example.category!r}")
    if (example.category == "excluded") != (example.excluded_reason in EXCLUDED_REASONS):
        raise DatasetError(f"{where}: excluded_reason {example.excluded_reason!r} "
                           f"does not fit category {example.category!r}")
    if example.hazard is not None and example.hazard not in HAZARDS:
        raise DatasetError(f"{where}: unknown hazard {example.hazard!r}")
    return example


def fingerprint(folder: Path) -> str:
    """A hash of the training files, so a model trained on other data is never reused."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
