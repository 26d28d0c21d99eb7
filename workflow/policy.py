"""Complaints policies as data: TOML files validated on load, and the deadlines they give."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date, time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.labels import EXCLUDED_REASONS
from workflow.calendar import NATIONS, add_working_days

BUILT_IN = ("code-2024", "lancaster", "lumen")

# Reasons a complaint may be refused: those the classifier proposes, and the Code's third
# ("already considered under the complaints policy"), which only an officer can know.
REFUSAL_REASONS = (*EXCLUDED_REASONS, "already_considered")

HOUSING_OMBUDSMAN = (
    "Housing Ombudsman Service, PO Box 1484, Unit D, Preston PR2 0ET; telephone 0300 111 3000; "
    "www.housing-ombudsman.org.uk"
)

# What a stage's window counts from: the complaint's receipt, the acknowledgement of this
# stage, or the resident's request for this stage (stage 2 onwards).
CountsFrom = Literal["receipt", "request", "acknowledgement"]


class PolicyError(ValueError):
    """A policy file is missing or invalid; the message says which and why."""


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    name: str
    handler: str
    # Handled by a different person from every earlier stage (the Code's stage 2).
    independent: bool = False
    acknowledge_days: int | None = Field(None, ge=0)
    acknowledge_from: Literal["receipt", "request"] | None = None
    respond_days: int = Field(ge=0)
    respond_from: CountsFrom
    max_extension_days: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _acknowledgement_is_whole(self) -> Stage:
        if (self.acknowledge_days is None) != (self.acknowledge_from is None):
            raise ValueError("acknowledge_days and acknowledge_from go together")
        if self.respond_from == "acknowledgement" and self.acknowledge_days is None:
            raise ValueError("respond_from = 'acknowledgement' needs an acknowledgement window")
        if self.number == 1 and "request" in (self.acknowledge_from, self.respond_from):
            raise ValueError("stage 1 begins on receipt: count its windows from 'receipt' or "
                             "'acknowledgement', not 'request'")
        return self


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    nation: str
    time_limit_months: int = Field(ge=1)
    # A letter's own date counts as the day the complaint was made (for the time limit) only
    # when plausible: not after receipt, and at most this many days before it; a date further
    # back is taken for a misread or a typo, and receipt counts instead.
    letter_date_max_age_days: int = Field(90, ge=1, strict=True)
    records_compliments: bool = True
    anonymous: Literal["accept", "route_to_officer"] = "route_to_officer"
    exclusions: tuple[str, ...] = ()
    # Mail received at or after this local time, or on a day that is not a working day,
    # counts as received on the next working day. None: the calendar day of receipt.
    after_hours_cutoff: time | None = None
    ombudsman_contact: str = HOUSING_OMBUDSMAN
    # Weeks after the final response before the resident may go to the Ombudsman.
    ombudsman_after_weeks: int = Field(0, ge=0)
    # A built-in template set's name, or a folder (relative to the policy file).
    templates: str | None = None
    stages: tuple[Stage, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.nation not in NATIONS:
            raise ValueError(f"nation must be one of {sorted(NATIONS)}, not {self.nation!r}")
        unknown = set(self.exclusions) - set(REFUSAL_REASONS)
        if unknown:
            raise ValueError(f"unknown exclusions {sorted(unknown)}; known: "
                             f"{', '.join(REFUSAL_REASONS)}")
        numbers = [stage.number for stage in self.stages]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"stages must be numbered 1, 2, ... in order, not {numbers}")
        if self.stages[0].independent:
            raise ValueError("stage 1 cannot be independent of an earlier stage: there is none")
        return self

    @property
    def final_stage(self) -> int:
        return len(self.stages)

    def stage(self, number: int) -> Stage:
        if not 1 <= number <= len(self.stages):
            raise ValueError(f"{self.id} has stages 1 to {len(self.stages)}, not {number}")
        return self.stages[number - 1]

    def acknowledge_by(self, number: int, started: date, received: date | None = None
                       ) -> date | None:
        """The last day to acknowledge a stage begun on `started` (None: no such step)."""
        stage = self.stage(number)
        if stage.acknowledge_days is None:
            return None
        origin = (received or started) if stage.acknowledge_from == "receipt" else started
        return add_working_days(origin, stage.acknowledge_days, self.nation)

    def respond_by(self, number: int, started: date, *, received: date | None = None,
                   acknowledged: date | None = None, extension_days: int = 0) -> date:
        """The last day to respond: from receipt, the request or the acknowledgement, plus any
        extension granted (in working days, on top of the stage's own window)."""
        stage = self.stage(number)
        if stage.respond_from == "acknowledgement":
            origin = acknowledged or self.acknowledge_by(number, started, received)
            assert origin is not None
        elif stage.respond_from == "receipt":
            origin = received or started
        else:
            origin = started
        return add_working_days(origin, stage.respond_days + extension_days, self.nation)

    def stage_deadlines(self, number: int, started: date, received: date | None = None
                        ) -> tuple[date | None, date]:
        """(acknowledge_by, respond_by) for a stage begun on `started` (receipt or request)."""
        return (self.acknowledge_by(number, started, received),
                self.respond_by(number, started, received=received))

    def deadline_table(self, received: date) -> list[dict[str, object]]:
        """Each stage's deadlines when every step happens on its last allowed day."""
        rows: list[dict[str, object]] = []
        started = received
        for stage in self.stages:
            acknowledge_by, respond_by = self.stage_deadlines(stage.number, started, received)
            rows.append({
                "stage": stage.number,
                "acknowledge_by": acknowledge_by.isoformat() if acknowledge_by else None,
                "respond_by": respond_by.isoformat(),
            })
            started = respond_by  # the resident asks for the next stage on the reply's day
        return rows


P = TypeVar("P", bound=BaseModel)


def policy_source(name_or_path: str, built_in: tuple[str, ...], kind: str = "policy"
                  ) -> tuple[str, str, Path | None]:
    """A policy file's text, how to name it in an error, and the folder its relative
    template path is read from (None for a built-in one)."""
    if name_or_path in built_in:
        source = resources.files("workflow") / "policies" / f"{name_or_path}.toml"
        return source.read_text(encoding="utf-8"), f"built-in {kind} {name_or_path}", None
    path = Path(name_or_path)
    if not path.is_file():
        raise PolicyError(
            f"no {kind} {name_or_path!r}: use one of {', '.join(built_in)} or a path to a "
            f"{kind} TOML file"
        )
    try:
        return path.read_text(encoding="utf-8"), str(path), path.resolve().parent
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the {kind} file: {exc}") from exc


def validated_policy(source: tuple[str, str, Path | None], parse: Callable[[str], P]) -> P:
    """The source's policy, parsed by `parse`, its errors named after the file, and a
    relative template folder resolved beside a landlord's own file."""
    text, where, folder = source
    try:
        policy = parse(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'policy'}: {error['msg']}"
            for error in exc.errors()
        )
        raise PolicyError(f"{where}: {problems}") from exc
    templates_name = getattr(policy, "templates", None)
    if folder is not None and templates_name and not _is_template_set(templates_name):
        templates = (folder / templates_name).resolve()
        if not templates.is_dir():
            raise PolicyError(f"{where}: templates: no folder {templates}")
        policy = policy.model_copy(update={"templates": str(templates)})
    return policy


def load_policy(name_or_path: str) -> Policy:
    """A built-in policy by name, or a landlord's own TOML file by path."""
    return validated_policy(policy_source(name_or_path, BUILT_IN), _parsed_policy)


def _is_template_set(name: str) -> bool:
    return (resources.files("workflow") / "templates" / name).is_dir()


@lru_cache(maxsize=16)
def _parsed_policy(text: str) -> Policy:
    """The file's policy, parsed once per process for each text it has had (pages read the
    policy on every request; an edited file is a new text, parsed afresh)."""
    return Policy.model_validate(tomllib.loads(text))
