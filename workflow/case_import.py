"""The landlord's open cases as a CSV export gives them, checked row by row and turned into
case states under the active policy (pure: reading the file and writing rows are elsewhere).

Every row is checked before anything is written; a bad row is reported with its line number
and reason. Deadlines the file does not give are computed as triage would compute them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

from classify.fields import CANONICAL_POSTCODE, normalise_postcode
from core.labels import CaseStatus
from workflow.lifecycle import OUTCOMES, CaseChange, CaseState
from workflow.policy import Policy
from workflow.references import MAX_REFERENCE_LENGTH, is_reference, reference_key

REQUIRED_COLUMNS = ("reference", "stage", "status", "received_at")
OPTIONAL_COLUMNS = ("acknowledged_at", "stage_started", "acknowledge_by", "respond_by",
                    "responded_at", "outcome", "officer", "name", "address", "postcode",
                    "email", "phone", "contact_method")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
STATUSES = (CaseStatus.OPEN, CaseStatus.CLOSED)
CONTACT_METHODS = ("email", "phone", "letter", "text", "in_person")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


@dataclass(frozen=True)
class ImportProblem:
    """Why a line of the file cannot be imported (line 1 is the header)."""

    line: int
    reason: str


@dataclass(frozen=True)
class ImportedCase:
    """One row as the case it becomes: its state, who it is for, and where it came from."""

    line: int
    state: CaseState
    name: str | None
    address: str | None
    postcode: str | None
    email: str | None
    phone: str | None
    contact_method: str | None
    deadlines: str  # "given" by the file or "computed" under the policy
    row_hash: str  # the row's values: the same row imported again changes nothing

    @property
    def ref_key(self) -> str:
        return reference_key(self.state.ref)

    def change(self, file_sha256: str) -> CaseChange:
        """The case's first event: imported, from which file and line, with its deadlines."""
        s = self.state
        return CaseChange("imported", s.stage, {
            "file_sha256": file_sha256, "line": self.line, "status": s.status,
            "deadlines": self.deadlines, "started": s.stage_started.isoformat(),
            "acknowledge_by": _iso(s.acknowledge_by), "respond_by": s.respond_by.isoformat(),
            "acknowledged_on": _iso(s.acknowledged_on)})


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


class _RowError(ValueError):
    """One reason a row is bad."""


def check_header(header: list[str]) -> list[ImportProblem]:
    """The header names every required column and nothing the format does not know."""
    names = [h.strip().lower() for h in header]
    problems = [ImportProblem(1, f"missing column {name!r}") for name in REQUIRED_COLUMNS
                if name not in names]
    problems += [ImportProblem(1, f"unknown column {name!r} (known: {', '.join(COLUMNS)})")
                 for name in names if name not in COLUMNS]
    problems += [ImportProblem(1, f"column {name!r} appears twice")
                 for name in sorted({n for n in names if names.count(n) > 1})]
    return problems


def check_rows(rows: list[tuple[int, dict[str, str]]], policy: Policy, today: date
               ) -> tuple[list[ImportedCase], list[ImportProblem]]:
    """Every row checked and, if good, turned into its case; references unique in the file."""
    cases: list[ImportedCase] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            case = _imported_case(line, values, policy, today)
        except _RowError as exc:
            problems.append(ImportProblem(line, str(exc)))
            continue
        if case.ref_key in seen:
            problems.append(ImportProblem(line, f"reference {case.state.ref} is also on line "
                                                f"{seen[case.ref_key]}"))
            continue
        seen[case.ref_key] = line
        cases.append(case)
    return cases, problems


def _day(values: dict[str, str], column: str, *, required: bool = False) -> date | None:
    raw = values.get(column, "")
    if not raw:
        if required:
            raise _RowError(f"{column} is empty")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _RowError(f"{column} {raw!r} is not an ISO date (YYYY-MM-DD)") from None


def _reference(values: dict[str, str]) -> str:
    ref = values.get("reference", "").upper()
    if not ref:
        raise _RowError("reference is empty")
    if len(ref) > MAX_REFERENCE_LENGTH or not is_reference(ref):
        raise _RowError(f"reference {ref!r} is not a reference: up to {MAX_REFERENCE_LENGTH} "
                        "letters, digits, -, /, . or spaces, with at least one digit")
    return ref


def _stage(values: dict[str, str], policy: Policy) -> int:
    raw = values.get("stage", "")
    numbers = [s.number for s in policy.stages]
    if not raw.isdigit() or int(raw) not in numbers:
        raise _RowError(f"stage {raw!r} is not a stage of {policy.id} "
                        f"({', '.join(map(str, numbers))})")
    return int(raw)


def _contact(values: dict[str, str]) -> tuple[str | None, str | None, str | None, str | None]:
    postcode = values.get("postcode") or None
    if postcode:
        postcode = normalise_postcode(postcode)
        if not CANONICAL_POSTCODE.match(postcode):
            raise _RowError(f"postcode {values['postcode']!r} is not a UK postcode")
    email = (values.get("email") or "").lower() or None
    if email and not _EMAIL.match(email):
        raise _RowError(f"email {values['email']!r} is not an email address")
    phone = values.get("phone") or None
    if phone and not _PHONE.match(phone):
        raise _RowError(f"phone {phone!r} is not a phone number")
    method = (values.get("contact_method") or "").lower() or None
    if method and method not in CONTACT_METHODS:
        raise _RowError(f"contact_method {method!r} is not one of {', '.join(CONTACT_METHODS)}")
    if not (values.get("name") or email or phone):
        raise _RowError("no name, email or phone: the case would be no one's")
    return postcode, email, phone, method


def _dates(values: dict[str, str], stage: int, today: date) -> dict[str, date | None]:
    received = _day(values, "received_at", required=True)
    assert received is not None
    started = _day(values, "stage_started") or (received if stage == 1 else None)
    if started is None:
        raise _RowError(f"stage {stage} needs stage_started (the day the resident asked for "
                        "it)")
    days = {"received_at": received, "stage_started": started,
            **{c: _day(values, c) for c in ("acknowledged_at", "acknowledge_by", "respond_by",
                                             "responded_at")}}
    for column in ("received_at", "stage_started", "acknowledged_at", "responded_at"):
        if days[column] is not None and days[column] > today:
            raise _RowError(f"{column} {days[column]} is in the future")
    if started < received:
        raise _RowError(f"stage_started {started} is before received_at {received}")
    for column in ("acknowledged_at", "acknowledge_by", "respond_by", "responded_at"):
        if days[column] is not None and days[column] < started:
            raise _RowError(f"{column} {days[column]} is before the stage began ({started})")
    return days


def _imported_case(line: int, values: dict[str, str], policy: Policy, today: date
                   ) -> ImportedCase:
    ref, stage = _reference(values), _stage(values, policy)
    status = values.get("status", "").lower()
    if status not in STATUSES:
        raise _RowError(f"status {values.get('status')!r} is not one of {', '.join(STATUSES)}")
    days = _dates(values, stage, today)
    outcome = values.get("outcome", "").lower() or None
    if outcome and outcome not in OUTCOMES:
        raise _RowError(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    if status == CaseStatus.OPEN and (outcome or days["responded_at"]):
        raise _RowError("an open case has no outcome or responded_at")
    postcode, email, phone, method = _contact(values)
    received, started = days["received_at"], days["stage_started"]
    assert received is not None and started is not None
    computed = policy.stage_deadlines(stage, started, received)
    acknowledge_by = days["acknowledge_by"] or computed[0]
    respond_by = days["respond_by"] or policy.respond_by(
        stage, started, received=received, acknowledged=days["acknowledged_at"])
    given = days["respond_by"] is not None
    state = CaseState(
        ref=ref, policy=policy.id, stage=stage, status=status, received=received,
        stage_started=started, handler=policy.stage(stage).handler,
        acknowledge_by=acknowledge_by, respond_by=respond_by,
        officer=values.get("officer") or None, acknowledged_on=days["acknowledged_at"],
        responded_on=days["responded_at"], outcome=outcome)
    return ImportedCase(
        line=line, state=state, name=values.get("name") or None,
        address=values.get("address") or None, postcode=postcode, email=email, phone=phone,
        contact_method=method, deadlines="given" if given else "computed",
        row_hash=_row_hash(values))


def _row_hash(values: dict[str, str]) -> str:
    known = {k: values.get(k, "") for k in COLUMNS}
    return hashlib.sha256(json.dumps(known, sort_keys=True).encode()).hexdigest()
