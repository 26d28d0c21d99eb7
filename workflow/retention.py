"""The retention schedule as data (workflow/retention.toml, or a file of the landlord's own):
each class of record, how long it is kept and what happens then. Pure: which records are due
is asked of the database by models/retention.py with the cut-off dates computed here."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

CLASSES = ("closed_cases", "service_requests", "compliments", "other_mail", "quarantined_raw",
           "access_log", "login_attempts")
# The two logs of the review app: rows deleted outright once due (`delete`), nothing else.
LOG_CLASSES = ("access_log", "login_attempts")
ACTIONS = ("anonymise", "delete_raw", "delete")


class ScheduleError(ValueError):
    """The schedule file is invalid; the message says where."""


@dataclass(frozen=True)
class RetentionClass:
    name: str
    description: str
    days: int
    counted_from: Literal["closure", "receipt", "quarantine", "entry"]
    action: Literal["anonymise", "delete_raw", "delete"]

    def cutoff(self, today: date) -> date:
        """Records whose date is before this are due."""
        return today - timedelta(days=self.days)


def load_schedule(path: Path | None = None) -> tuple[RetentionClass, ...]:
    """The shipped schedule, or the file given; every class must be one the code knows."""
    text = (path.read_text(encoding="utf-8") if path is not None else
            (resources.files("workflow") / "retention.toml").read_text(encoding="utf-8"))
    raw = tomllib.loads(text).get("class", [])
    classes = []
    for n, entry in enumerate(raw, 1):
        name = entry.get("name")
        if name not in CLASSES:
            raise ScheduleError(f"class {n}: unknown name {name!r}; one of {', '.join(CLASSES)}")
        if entry.get("action") not in ACTIONS:
            raise ScheduleError(f"class {name}: action must be one of {', '.join(ACTIONS)}")
        if (name in LOG_CLASSES) != (entry["action"] == "delete"):
            raise ScheduleError(f"class {name}: 'delete' is the action of the two logs, and only"
                                " theirs")
        days = entry.get("days")
        if not isinstance(days, int) or days < 1:
            raise ScheduleError(f"class {name}: days must be a whole number of days, at least 1")
        classes.append(RetentionClass(name, str(entry.get("description", "")), days,
                                      entry.get("from", "receipt"), entry["action"]))
    return tuple(classes)
