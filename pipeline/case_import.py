"""`triage import cases FILE.csv`: the landlord's existing cases, all or nothing.

The file is read and every row checked (workflow/case_import.py), then checked against the
cases already held; only if no line is bad are the new cases written, in one transaction.
A row imported before, unchanged, is counted and left alone, so the same file twice is a no-op.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from core.settings import Settings
from models.case_import import (
    held_cases,
    insert_imported,
    insert_residents,
    residents_sharing,
    set_case_residents,
)
from models.db import session_scope
from pipeline.casework.cases import landlord_today
from workflow.case_import import ImportedCase, ImportProblem, check_header, check_rows
from workflow.policy import load_policy
from workflow.residents import (
    Identity,
    ResidentRecord,
    match_resident,
    name_parts,
    normalise_email,
    normalise_phone,
)


@dataclass
class ImportReport:
    """What an import did or would have done; problems mean nothing was written."""

    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


def read_rows(data: bytes) -> tuple[list[ImportProblem], list[tuple[int, dict[str, str]]]]:
    """The header's problems and each data row with the line it starts on."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [ImportProblem(1, f"the file is not UTF-8 text ({exc.reason} at byte "
                                 f"{exc.start}); save it as CSV UTF-8")], []
    reader = csv.reader(text.splitlines(keepends=True))
    header = next(reader, None)
    if not header:
        return [ImportProblem(1, "the file is empty: the first line names the columns")], []
    names = [h.strip().lower() for h in header]
    rows: list[tuple[int, dict[str, str]]] = []
    problems = check_header(header)
    last_line = reader.line_num
    for fields in reader:
        line, last_line = last_line + 1, reader.line_num
        if not any(f.strip() for f in fields):
            continue  # a blank line is no row
        if len(fields) != len(names):
            problems.append(ImportProblem(line, f"has {len(fields)} fields; the header has "
                                                f"{len(names)}"))
            continue
        rows.append((line, dict(zip(names, fields, strict=True))))
    return problems, rows


def import_cases(settings: Settings, path: Path, today: date | None = None) -> ImportReport:
    """Check the whole file, then import what is new in one transaction, or nothing."""
    data = path.read_bytes()
    policy = load_policy(settings.policy)
    problems, rows = read_rows(data)
    cases, row_problems = check_rows(rows, policy, today or landlord_today())
    report = ImportReport(rows=len(rows), problems=problems + row_problems)
    with session_scope(settings.resolved_database_url) as session:
        held = held_cases(session, [case.ref_key for case in cases])
        new: list[ImportedCase] = []
        for case in cases:
            already = held.get(case.ref_key)
            if already is None:
                new.append(case)
            elif already.import_hash == case.row_hash:
                report.unchanged += 1
            else:
                how = ("was imported with other values" if already.import_hash
                       else "was opened here")
                report.problems.append(ImportProblem(
                    case.line, f"reference {case.state.ref} is already held as {already.ref} "
                               f"and {how}; change it with `triage case`, not by import"))
        if report.problems:
            report.problems.sort(key=lambda p: p.line)
            return report
        ids = insert_imported(session, new, hashlib.sha256(data).hexdigest())
        report.imported = len(ids)
        link_residents(session, list(zip(ids, new, strict=True)))
    return report


def link_residents(session: Session, cases: list[tuple[int, ImportedCase]]) -> None:
    """Each imported case to its resident: one already held when the match is confident,
    else a new record (an officer merges any that are one person). Candidates are loaded
    once for the whole file, and residents new in it are candidates for its later rows."""
    identities = [(case_id, _identity(case)) for case_id, case in cases]
    known = residents_sharing(
        session, {e for _, i in identities if (e := normalise_email(i.email))},
        {p for _, i in identities if (p := normalise_phone(i.phone))},
        {i.postcode for _, i in identities if i.postcode})
    index = _CandidateIndex(known)
    new_records: list[ResidentRecord] = []
    chosen: list[tuple[int, int]] = []  # (case id, resident id; negative: new_records[-n-1])
    for case_id, identity in identities:
        match = match_resident(identity, index.candidates(identity))
        if match is not None and match.verdict == "linked":
            chosen.append((case_id, match.resident_id))
            continue
        record = ResidentRecord(-len(new_records) - 1, identity.name,
                                normalise_email(identity.email), normalise_phone(identity.phone),
                                identity.postcode, identity.address)
        new_records.append(record)
        index.add(record)
        chosen.append((case_id, record.id))
    new_ids = insert_residents(session, new_records)
    set_case_residents(session, [(case_id, new_ids[-rid - 1] if rid < 0 else rid)
                                 for case_id, rid in chosen])


def _identity(case: ImportedCase) -> Identity:
    return Identity(name=case.name, email=case.email, phone=case.phone, postcode=case.postcode,
                    address=case.address)


def _postcode_surname(postcode: str | None, name: str | None) -> str | None:
    """Name and postcode match only on the same surname: index them together, so a big
    estate's postcode is not a thousand candidates for every row."""
    parts = name_parts(name)
    return f"{postcode}|{parts[1]}" if postcode and parts else None


class _CandidateIndex:
    """Residents by email, phone and postcode with surname, for matching a file's rows."""

    def __init__(self, records: list[ResidentRecord]) -> None:
        self._by: dict[tuple[str, str], list[ResidentRecord]] = {}
        for record in records:
            self.add(record)

    def add(self, record: ResidentRecord) -> None:
        for kind, value in (("email", record.email), ("phone", record.phone),
                            ("home", _postcode_surname(record.postcode, record.name))):
            if value:
                self._by.setdefault((kind, value), []).append(record)

    def candidates(self, identity: Identity) -> list[ResidentRecord]:
        found: dict[int, ResidentRecord] = {}
        for kind, value in (("email", normalise_email(identity.email)),
                            ("phone", normalise_phone(identity.phone)),
                            ("home", _postcode_surname(identity.postcode, identity.name))):
            for record in self._by.get((kind, value or ""), []) if value else []:
                found[record.id] = record
        return list(found.values())
