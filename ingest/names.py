"""File names are bytes until proven otherwise: a share may write any of them (Latin-1 from
SMB, newlines, control characters). Files are moved under their own names, byte for byte;
everywhere a name is shown (reason files, the database, logs, JSON, the web app) it is
`shown_name`, which is always valid, printable UTF-8 on one line."""

from __future__ import annotations

import os


def shown_name(name: str) -> str:
    """The name as safe text: bytes that are not UTF-8 as `\\xNN`, control and other
    unprintable characters escaped (`\\n`, `\\u200b`), so one name is one line."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


def name_bytes(name: str) -> int:
    """The name's length as the file system counts it (bytes, whatever they are)."""
    return len(os.fsencode(name))
