"""Content-addressed storage of raw item bytes under the data dir, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from core.files import private_dir


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def raw_relative_path(digest: str) -> str:
    """Where bytes with this digest live, relative to the raw store (never a sender's name)."""
    return f"{digest[:2]}/{digest[2:4]}/{digest}"


def store_raw(raw_dir: Path, raw: bytes) -> tuple[str, str]:
    """Write the bytes once (fsynced, then renamed into place); returns (digest, relative path)."""
    digest = sha256_of(raw)
    relative = raw_relative_path(digest)
    target = raw_dir / relative
    if target.exists() and target.stat().st_size == len(raw):
        return digest, relative
    private_dir(target.parent)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return digest, relative


def load_raw(raw_dir: Path, relative: str, expected_digest: str) -> bytes:
    """The stored bytes, checked against their digest so corruption is never triaged."""
    raw = (raw_dir / relative).read_bytes()
    if sha256_of(raw) != expected_digest:
        raise OSError(f"stored bytes for {expected_digest[:12]} do not match their digest")
    return raw
