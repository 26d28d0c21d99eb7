"""The item page's note beside each field of a scanned letter: which block of which page it
came from and how well OCR read that block (classify/provenance.py decides; this only joins
the stored pages' blocks to the shown fields)."""

from __future__ import annotations

from typing import Any

from classify.fields import Landlord
from classify.provenance import find_provenance
from models.scans import blocks_from_rows

# Dates are written in words on a letter ("9th December 2026"): no block holds the ISO form.
_NOT_TRACED = frozenset({"incident_date", "written_on", "contact_method"})


def annotate_fields(detail: dict[str, Any], landlord: Landlord) -> None:
    """Add `source` ("the sender's block, page 1, read at 0.91") to each field of the item's
    detail whose value a stored OCR block holds; nothing for a letter read without blocks."""
    pages = [(page["number"], blocks_from_rows(page.get("blocks")))
             for page in detail.get("pages", [])]
    if not any(blocks for _, blocks in pages):
        return
    values = {f["name"]: f["value"] for f in detail["fields"] if f["name"] not in _NOT_TRACED}
    found = find_provenance(values, pages, landlord)
    for shown in detail["fields"]:
        if shown["name"] in found:
            shown["source"] = found[shown["name"]].describe()
