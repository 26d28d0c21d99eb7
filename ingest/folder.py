"""A folder of files standing in for a source: the demo mailbox and the post room's scans."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ingest.items import RawItem, Source

EMAIL_SUFFIXES = {".eml", ".msg", ".txt"}
LETTER_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"}


def list_folder(folder: Path, source: Source) -> list[Path]:
    """The files to take, oldest name first; hidden and partial files are left alone."""
    suffixes = EMAIL_SUFFIXES if source == "email" else LETTER_SUFFIXES
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in suffixes
    )


def read_folder(folder: Path, source: Source) -> Iterator[RawItem]:
    """Every file's bytes; a letter's received time is when the post room scanned it (mtime)."""
    for path in list_folder(folder, source):
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        yield RawItem(
            source=source,
            raw=path.read_bytes(),
            source_ref=f"file:{path.name}",
            received_at=modified,
        )
