"""Complaints policies as data: TOML files validated on load, and the deadlines they give."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from classify.dataset import EXCLUDED_REASONS
from workflow.calendar import NATIONS, add_working_days

BUILT_IN = ("code-2024", "lancaster", "lumen")


class PolicyError(ValueError):
    """A policy file is missing or invalid; the message says which and why."""


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    name: str
    handler: str
    acknowledge_days: int | None = Field(None, ge=0)
    acknowledge_from: Literal["receipt", "request"] | None = None
    respond_days: int = Field(ge=0)
    respond_from: Literal["receipt", "request", "acknowledgement"]
    max_extension_days: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _acknowledgement_is_whole(self) -> Stage:
        if (self.acknowledge_days is None) != (self.acknowledge_from is None):
            raise ValueError("acknowledge_days and acknowledge_from go together")
        if self.respond_from == "acknowledgement" and self.acknowledge_days is None:
            raise ValueError("respond_from = 'acknowledgement' needs an acknowledgement window")
        return self


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    nation: str
    time_limit_months: int = Field(ge=1)
    records_compliments: bool = True
    anonymous: Literal["accept", "route_to_officer"] = "route_to_officer"
    exclusions: tuple[str, ...] = ()
    stages: tuple[Stage, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.nation not in NATIONS:
            raise ValueError(f"nation must be one of {sorted(NATIONS)}, not {self.nation!r}")
        unknown = set(self.exclusions) - set(EXCLUDED_REASONS)
        if unknown:
            raise ValueError(f"unknown exclusions {sorted(unknown)}")
        numbers = [stage.number for stage in self.stages]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"stages must be numbered 1, 2, ... in order, not {numbers}")
        return self

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]

    def stage_deadlines(self, number: int, started: date) -> tuple[date | None, date]:
        """(acknowledge_by, respond_by) for a stage begun on `started` (receipt or request)."""
        stage = self.stage(number)
        acknowledge_by = (
            add_working_days(started, stage.acknowledge_days, self.nation)
            if stage.acknowledge_days is not None else None
        )
        respond_start = acknowledge_by if stage.respond_from == "acknowledgement" else started
        assert respond_start is not None
        return acknowledge_by, add_working_days(respond_start, stage.respond_days, self.nation)

    def deadline_table(self, received: date) -> list[dict[str, object]]:
        """Each stage's deadlines when every step happens on its last allowed day."""
        rows: list[dict[str, object]] = []
        started = received
        for stage in self.stages:
            acknowledge_by, respond_by = self.stage_deadlines(stage.number, started)
            rows.append({
                "stage": stage.number,
                "acknowledge_by": acknowledge_by.isoformat() if acknowledge_by else None,
                "respond_by": respond_by.isoformat(),
            })
            started = respond_by  # the resident asks for the next stage on the reply's day
        return rows


def load_policy(name_or_path: str) -> Policy:
    """A built-in policy by name, or a landlord's own TOML file by path."""
    if name_or_path in BUILT_IN:
        source = resources.files("workflow") / "policies" / f"{name_or_path}.toml"
        text, where = source.read_text(encoding="utf-8"), f"built-in policy {name_or_path}"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise PolicyError(
                f"no policy {name_or_path!r}: use one of {', '.join(BUILT_IN)} or a path to a "
                "policy TOML file"
            )
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        return Policy.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'policy'}: {error['msg']}"
            for error in exc.errors()
        )
        raise PolicyError(f"{where}: {problems}") from exc
