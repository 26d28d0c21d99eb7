"""Files that hold residents' personal data: folders 0700 and files 0600, the owner's only.

Used by every layer that writes under the data dir or into the scan folder's work folders.
On a share mounted with fixed modes (CIFS `file_mode=`, `dir_mode=`) the mount's modes win;
there the mount options are what keeps the files private.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Create `path` (and any missing parents) readable by the owner only; with `tighten`,
    an existing one of ours that others may read is made private too."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR)
    if tighten or missing:
        _tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file readable by its owner only (files moved in from elsewhere)."""
    _tighten(Path(path), PRIVATE_FILE)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write a small file created 0600 (never readable by others, not even for a moment)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return private_file(path)


def _tighten(path: Path, mode: int) -> None:
    try:
        stat = path.stat()
        if stat.st_uid == os.getuid() and stat.st_mode & 0o077:
            os.chmod(path, mode)
    except OSError:  # not ours to change (a share's fixed modes): the mount decides
        pass
