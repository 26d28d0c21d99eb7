"""The post room's scan folder: files taken once complete, claimed atomically, then filed.

A scanner or a clerk writes files into `incoming`. A file is taken only when its size and
modification time have been still for `settle_seconds`, measured by the folder's own clock
(the modification time of a probe file written there), so a share whose server clock differs
from ours neither delays nor rushes a file. Taking is a rename into `processing` under a
unique name: a rename within one file system is atomic, so when two workers poll the same
share exactly one of them gets each file. Once the file's items (and cases) are committed it
is renamed into `archive`; a file that cannot be read goes to `quarantine` with a
`.reason.txt` beside it. The folders must be on one file system (they are subfolders of
`incoming` unless configured otherwise) so that every move is a rename.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.files import private_dir, private_file, write_private
from ingest.errors import SourceConfigError
from ingest.folder import LETTER_SUFFIXES
from ingest.names import name_bytes, shown_name

# Files a desktop or a share leaves in any folder; never scans, never quarantined.
SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db"}
_CLAIM_STAMP = "%Y%m%dT%H%M%SZ"


def require_scan_folder(incoming: Path) -> Path:
    """The scan folder, or a SourceConfigError naming the setting when it does not exist."""
    if not Path(incoming).is_dir():
        raise SourceConfigError(f"the scan folder {incoming} does not exist: create it, or "
                                "set TRIAGE_SCAN_DIR (or give the folder) to the right one")
    return Path(incoming)


@dataclass(frozen=True)
class ScanFolders:
    incoming: Path
    processing: Path
    archive: Path
    quarantine: Path

    @classmethod
    def under(cls, incoming: Path, *, processing: Path | None = None,
              archive: Path | None = None, quarantine: Path | None = None) -> ScanFolders:
        """The work folders, by default subfolders of the incoming folder (one file system)."""
        return cls(incoming, processing or incoming / "processing",
                   archive or incoming / "archive", quarantine or incoming / "quarantine")


@dataclass(frozen=True)
class ClaimedScan:
    """A file this or another worker has taken: where it is now and what it was called."""

    path: Path
    name: str  # as the file system has it (maybe not UTF-8): for moving the file only
    claimed_at: datetime
    received_at: datetime
    size: int

    @property
    def shown(self) -> str:
        """The original name as safe text, for reason files, the database and logs."""
        return shown_name(self.name)


@dataclass(frozen=True)
class Unsupported:
    """A complete file in incoming that is not a scan we read (a Word file, say)."""

    claim: ClaimedScan


class ScanFolder:
    def __init__(self, folders: ScanFolders, *, settle_seconds: float) -> None:
        self.folders = folders
        self.settle_seconds = settle_seconds

    def prepare(self) -> None:
        """Create the work folders and refuse a layout where a move would not be a rename."""
        if not self.folders.incoming.is_dir():
            raise SourceConfigError(f"the scan folder {self.folders.incoming} does not exist")
        device = self.folders.incoming.stat().st_dev
        for folder in (self.folders.processing, self.folders.archive, self.folders.quarantine):
            private_dir(folder, tighten=False)  # new ones 0700; a share's own modes stay
            if folder.stat().st_dev != device:
                raise SourceConfigError(
                    f"{folder} is on another file system than {self.folders.incoming}; "
                    "claiming and archiving need atomic renames, so keep them on one share")

    def folder_clock(self) -> float:
        """Now, as the file system holding the folder sees it (a share's server clock)."""
        probe = self.folders.processing / f".clock-{secrets.token_hex(6)}"
        try:
            probe.write_bytes(b"")
            return probe.stat().st_mtime
        except OSError:
            return datetime.now(UTC).timestamp()
        finally:
            probe.unlink(missing_ok=True)

    def claim_ready(self) -> tuple[list[ClaimedScan], list[Unsupported], list[str]]:
        """Take every complete file: (scans, unsupported files, names still being written)."""
        now = self.folder_clock()
        claimed: list[ClaimedScan] = []
        unsupported: list[Unsupported] = []
        waiting: list[str] = []
        for path in sorted(self.folders.incoming.iterdir()):
            if not _is_candidate(path):
                continue
            try:
                before = path.stat()
            except FileNotFoundError:  # another worker took it a moment ago
                continue
            if now - before.st_mtime < self.settle_seconds:
                waiting.append(shown_name(path.name))
                continue
            claim = self._claim(path, before)
            if claim is None:
                waiting.append(shown_name(path.name))
            elif path.suffix.lower() in LETTER_SUFFIXES:
                claimed.append(claim)
            else:
                unsupported.append(Unsupported(claim))
        return claimed, unsupported, waiting

    def hidden_files(self) -> list[str]:
        """Regular files in incoming whose names start with a dot, shown safely.

        They are never taken (a dot is how copy tools and desktops mark a file in the making
        or their own: `.name.XXXXXX` from rsync, `._name` from a Mac), but never passed over
        in silence either: every pass counts them and names them, so a letter saved as
        `.scan.pdf` is renamed by a clerk rather than waiting unseen for ever.
        """
        return [shown_name(path.name) for path in sorted(self.folders.incoming.iterdir())
                if path.name.startswith(".") and path.is_file() and not path.is_symlink()]

    def _claim(self, path: Path, before: os.stat_result) -> ClaimedScan | None:
        """Rename into processing under a unique name, if the file is still unchanged."""
        claimed_at = datetime.now(UTC)
        target = self.folders.processing / _claim_name(claimed_at, path.name)
        try:
            again = path.stat()
            if (again.st_size, again.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                return None
            os.rename(path, target)  # atomic: exactly one worker succeeds
        except FileNotFoundError:
            return None
        except OSError:  # a Windows writer still holds it open on the share (EACCES, EBUSY)
            return None
        return ClaimedScan(target, path.name, claimed_at,
                           datetime.fromtimestamp(before.st_mtime, UTC), before.st_size)

    def release(self, claim: ClaimedScan) -> None:
        """Give a file back to incoming (it changed while we held it: still being written)."""
        target = self.folders.incoming / claim.name
        if not target.exists():
            os.rename(claim.path, target)

    def claimed(self) -> list[ClaimedScan]:
        """Every file in processing, by whichever worker took it."""
        found = []
        for path in sorted(self.folders.processing.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            parsed = parse_claim_name(path.name)
            if parsed is None:
                continue
            claimed_at, name = parsed
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            found.append(ClaimedScan(path, name, claimed_at,
                                     datetime.fromtimestamp(stat.st_mtime, UTC), stat.st_size))
        return found

    def reclaim(self, claim: ClaimedScan) -> ClaimedScan | None:
        """Take over a file a worker claimed and never stored (it crashed): a fresh claim."""
        fresh = self.folders.processing / _claim_name(datetime.now(UTC), claim.name)
        try:
            os.rename(claim.path, fresh)
        except FileNotFoundError:
            return None
        return ClaimedScan(fresh, claim.name, datetime.now(UTC), claim.received_at, claim.size)

    def archive(self, claim: ClaimedScan, digest: str) -> Path | None:
        """File a done scan under archive/YYYY/MM/DD/ by the day it was scanned."""
        day = claim.received_at
        folder = self.folders.archive / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"
        private_dir(folder, tighten=False)
        return self._move(claim, folder, digest)

    def quarantine(self, claim: ClaimedScan, digest: str, reason: str) -> Path | None:
        """Move a file that cannot be read aside, with a reason a clerk can act on."""
        private_dir(self.folders.quarantine, tighten=False)
        target = self._move(claim, self.folders.quarantine, digest)
        if target is not None:
            write_private(target.with_name(target.name + ".reason.txt"), reason.encode("utf-8"))
        return target

    def _move(self, claim: ClaimedScan, folder: Path, digest: str) -> Path | None:
        stem, suffix = _filed_parts(claim.name)
        target = folder / (stem + suffix)
        if target.exists():
            target = folder / f"{stem}-{digest[:12]}{suffix}"
        if target.exists() and target.stat().st_size == claim.size:
            # The same bytes are filed already (the same scan dropped in twice).
            claim.path.unlink(missing_ok=True)
            return target
        if target.exists():
            target = folder / f"{stem}-{digest[:12]}-{secrets.token_hex(3)}{suffix}"
        try:
            os.rename(claim.path, target)
        except FileNotFoundError:  # another worker filed it
            return None
        return private_file(target)  # a resident's letter: the owner's only (0600)


def _filed_parts(name: str) -> tuple[str, str]:
    """(stem, suffix) of a filed name, the stem shortened so that the name with a digest,
    a token and `.reason.txt` added still fits a file system's 255 bytes."""
    suffix = Path(name).suffix if name_bytes(Path(name).suffix) <= 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while name_bytes(stem + suffix) > 200 and stem:
        stem = stem[:-1]
    return stem or "scan", suffix


def _is_candidate(path: Path) -> bool:
    """A regular file (never a symlink, which could point anywhere) that is not hidden."""
    name = path.name
    return (not path.is_symlink() and path.is_file() and not name.startswith(".")
            and not name.startswith("~$") and name.lower() not in SYSTEM_FILES)


def _claim_name(claimed_at: datetime, name: str) -> str:
    """`STAMP-TOKEN--name`, the name shortened so the whole stays within 255 bytes."""
    prefix = f"{claimed_at.strftime(_CLAIM_STAMP)}-{secrets.token_hex(4)}--"
    suffix = Path(name).suffix
    stem = name[: len(name) - len(suffix)] if suffix else name
    while name_bytes(prefix + stem + suffix) > 250 and stem:
        stem = stem[:-1]
    return prefix + stem + suffix


def parse_claim_name(name: str) -> tuple[datetime, str] | None:
    """(claimed at, original name) from `20261201T081500Z-1a2b3c4d--scan.pdf`."""
    stamp, sep, original = name.partition("--")
    if not sep or len(stamp) != 25:
        return None
    try:
        claimed_at = datetime.strptime(stamp[:16], _CLAIM_STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return claimed_at, original
