"""Hazard policies as data: Awaab's Law (or a landlord's stricter standard, or another
nation's rules) as a TOML file of phases and clocks, validated on load.

The file says which hazard types are under the law from which day, and each clock: the step
it times, the severity it applies to, what starts it, how long it runs (elapsed hours or
working days) and which lifecycle events stop it."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.labels import HAZARDS
from workflow.calendar import NATIONS
from workflow.policy import policy_source, validated_policy

BUILT_IN_HAZARD_POLICIES = ("awaabs-law",)
SEVERITIES = ("emergency", "significant")
# What a clock can be stopped by: the hazard lifecycle's events (workflow/hazard_lifecycle).
STOPPING_EVENTS = ("investigated", "summary_sent", "made_safe", "accommodation_offered",
                   "preventative_started", "completed")


class Phase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    # None: announced but not dated, so not in force on any day.
    in_force: date | None = None
    emergency: tuple[str, ...] = ()
    significant: tuple[str, ...] = ()


class ClockRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    step: str
    severity: Literal["emergency", "significant"]
    start: Literal["aware", "investigated"]
    hours: int | None = Field(None, ge=1)
    working_days: int | None = Field(None, ge=0)
    met_by: tuple[str, ...] = Field(min_length=1)
    needs_found: bool = False

    @model_validator(mode="after")
    def _one_unit(self) -> ClockRule:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("a clock runs in hours or in working_days: give exactly one")
        unknown = set(self.met_by) - set(STOPPING_EVENTS)
        if unknown:
            raise ValueError(f"met_by: unknown events {sorted(unknown)}; known: "
                             f"{', '.join(STOPPING_EVENTS)}")
        return self


class HazardPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    applies_to: str = "England"
    nation: str
    timezone: str = "Europe/London"
    templates: str | None = None
    phases: tuple[Phase, ...] = Field(min_length=1)
    clocks: tuple[ClockRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> HazardPolicy:
        if self.nation not in NATIONS:
            raise ValueError(f"nation must be one of {sorted(NATIONS)}, not {self.nation!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: no such time zone {self.timezone!r}") from exc
        for phase in self.phases:
            unknown = set(phase.emergency) | set(phase.significant)
            unknown -= set(HAZARDS)
            if unknown:
                raise ValueError(f"{phase.name}: unknown hazard types {sorted(unknown)}; "
                                 f"known: {', '.join(HAZARDS)}")
        steps = [(clock.severity, clock.step) for clock in self.clocks]
        if len(steps) != len(set(steps)):
            raise ValueError("each (severity, step) has one clock")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def phase_for(self, hazard: str, severity: str, on: date) -> Phase | None:
        """The phase that brought this hazard, at this severity, under the policy by `on`
        (None: not yet, so no clock runs)."""
        for phase in self.phases:
            listed = phase.emergency if severity == "emergency" else phase.significant
            if hazard in listed and phase.in_force is not None and phase.in_force <= on:
                return phase
        return None

    def pending_phase(self, hazard: str, severity: str) -> Phase | None:
        """The phase that will bring the hazard under the policy, in force or not."""
        for phase in self.phases:
            listed = phase.emergency if severity == "emergency" else phase.significant
            if hazard in listed:
                return phase
        return None

    def clock_rules(self, severity: str) -> tuple[ClockRule, ...]:
        return tuple(clock for clock in self.clocks if clock.severity == severity)


def load_hazard_policy(name_or_path: str) -> HazardPolicy:
    """A built-in hazard policy by name, or a landlord's own TOML file by path."""
    return validated_policy(policy_source(name_or_path, BUILT_IN_HAZARD_POLICIES,
                                          "hazard policy"), _parsed_hazard_policy)


@lru_cache(maxsize=16)
def _parsed_hazard_policy(text: str) -> HazardPolicy:
    """The file's policy, parsed once per process for each text it has had (pages read the
    policy on every request; an edited file is a new text, parsed afresh)."""
    return HazardPolicy.model_validate(tomllib.loads(text))
