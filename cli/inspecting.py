"""`triage inspect`: the pipeline's reading and judging of files, with nothing written."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from core.settings import Settings
from ingest.errors import UnreadableItem
from ingest.folder import LETTER_SUFFIXES
from ingest.items import RawItem
from ingest.names import shown_name
from ingest.reading import read_item
from ingest.scanfile import ScanLimits
from ingest.splitting import LetterPart, split_letters
from pipeline.batch import landlord_of, load_model, thresholds_of
from workflow.policy import load_policy
from workflow.triage import contract_view, triage_item


def source_of(path: Path) -> str:
    return "letter" if path.suffix.lower() in LETTER_SUFFIXES else "email"


def inspect_file(path: Path, settings: Settings, model, policy, *, explain: bool = False
                 ) -> list[dict[str, object]]:
    """The file's contract objects: one, or one per letter of a batch scan (each with its
    "pages" in the file), or [{"path", "error"}] when it cannot be read or parsed."""
    shown = shown_name(str(path))  # any bytes a file name holds, as valid one-line text
    try:
        raw = path.read_bytes()
        if len(raw) > settings.max_item_bytes:
            return [{"path": shown, "error": f"too_large: {len(raw)} bytes; the limit is "
                                             f"{settings.max_item_bytes}"}]
        received = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        source = source_of(path)
        parts = ([LetterPart(raw)] if source == "email" else
                 split_letters(raw, ScanLimits(settings.max_pdf_pages, settings.max_image_pixels)))
        items = [read_item(RawItem(source, part.raw, f"file:{path.name}", received,
                                   page_range=part.page_range),
                           max_pdf_pages=settings.max_pdf_pages,
                           max_image_pixels=settings.max_image_pixels)
                 for part in parts]
    except UnreadableItem as exc:
        return [{"path": shown, "error": str(exc)}]
    except OSError as exc:
        return [{"path": shown, "error": f"cannot read the file: {exc.strerror or exc}"}]
    views = []
    for part, item in zip(parts, items, strict=True):
        result = triage_item(item, model=model, policy=policy,
                             thresholds=thresholds_of(settings, model),
                             landlord=landlord_of(settings))
        view = contract_view(shown, result)
        if part.page_range:
            view["pages"] = list(part.page_range)
        if explain:  # only when asked: the contract's object is otherwise unchanged
            view["explanation"] = [phrase.as_dict() for phrase in result.prediction.explanation]
        views.append(view)
    return views


def inspect_paths(paths: list[Path], settings: Settings, *, as_json: bool,
                  console: Console, errors: Console, explain: bool = False) -> int:
    """Print each path's object in the order given; returns how many failed."""
    model = load_model(settings)
    policy = load_policy(settings.policy)
    failed = 0
    table = Table("path", "category", "confidence", "review", "hazards", "name", "postcode",
                  *(["why (share of the category's score)"] if explain else []))
    views = (view for given in paths
             for view in inspect_file(given, settings, model, policy, explain=explain))
    for view in views:
        if "error" in view:
            failed += 1
            errors.print(f"{view['path']}: {view['error']}", markup=False)
        if as_json:
            sys.stdout.write(json.dumps(view, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        elif "error" not in view:
            fields = view["fields"]
            category = view["category"] + (f" ({view['excluded_reason']})"
                                           if view["excluded_reason"] else "")
            pages = view.get("pages")
            shown = f"{view['path']} pages {pages[0]}-{pages[1]}" if pages else view["path"]
            table.add_row(shown, category, f"{view['confidence']:.2f}",
                          "yes" if view["needs_review"] else "no",
                          ", ".join(h["type"] for h in view["hazards"]),
                          fields["name"] or "", fields["postcode"] or "",
                          *([shown_explanation(view["explanation"])] if explain else []))
    if not as_json:
        console.print(table)
    return failed


def shown_explanation(phrases: list[dict[str, object]]) -> str:
    """`"black mould" +0.21, "since January" +0.08`: one line for the table."""
    return ", ".join(f'"{p["phrase"]}" {float(p["weight"]):+.2f}' for p in phrases) or "—"
