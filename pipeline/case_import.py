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

from core.settings import Settings
from models.case_import import held_cases, insert_imported
from models.db import session_scope
from pipeline.casework.cases import landlord_today
from workflow.case_import import ImportedCase, ImportProblem, check_header, check_rows
from workflow.policy import load_policy


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
        report.imported = insert_imported(session, new, hashlib.sha256(data).hexdigest())
    return report
