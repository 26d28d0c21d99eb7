"""The hazard part of `triage report` and the performance page: the year's hazard figures
from the database (workflow/hazard_reporting.py computes them), as a table, CSV rows and a
PNG chart of their own (the complaint figures' chart is pipeline/reports.py's)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from core.settings import Settings
from models.db import session_scope
from models.hazard_tables import HazardRecord
from models.hazards import state_of
from pipeline.hazards import hazard_policy, now_utc
from workflow.hazard_reporting import hazard_figures
from workflow.reporting import reporting_year


def hazards_for_year(settings: Settings, year: int) -> dict[str, Any]:
    policy = hazard_policy(settings)
    with session_scope(settings.resolved_database_url) as session:
        states = [state_of(row) for row in session.scalars(select(HazardRecord))]
    return hazard_figures(states, policy, reporting_year(year), now_utc())


def print_hazard_report(figures: dict[str, Any], console: Console) -> None:
    console.print(f"Hazards ({figures['policy']}) {figures['from']} to {figures['to']}: "
                  f"{figures['received']} received, {figures['open']} still open")
    kinds = Table("hazard", "emergency", "significant", title="Hazards by type and severity")
    for row in figures["by_type_and_severity"]:
        kinds.add_row(row["type"].replace("_", " "), str(row["emergency"]),
                      str(row["significant"]))
    if figures["by_type_and_severity"]:
        console.print(kinds)
    steps = Table("severity", "step", "within", "done on time", "late", "overdue", "running",
                  "on time %", title="Hazard clocks")
    for row in figures["timeliness"]:
        percent = "—" if row["on_time_percent"] is None else f"{row['on_time_percent']}%"
        steps.add_row(row["severity"], row["step"].replace("_", " "), row["limit"],
                      str(row["on_time"]), str(row["late"]), str(row["overdue"]),
                      str(row["running"]), percent)
    if figures["timeliness"]:
        console.print(steps)


def hazard_csv_rows(figures: dict[str, Any]) -> list[list[str]]:
    """The hazard figures as the report CSV's (section, key, measure, value) rows."""
    rows = []
    for row in figures["by_type_and_severity"]:
        for severity in ("emergency", "significant"):
            rows.append(["hazards", row["type"], severity, str(row[severity])])
    for row in figures["timeliness"]:
        key = f"{row['severity']}_{row['step']}"
        for measure in ("decided", "on_time", "late", "overdue", "running", "on_time_percent"):
            value = row[measure]
            rows.append(["hazard_clocks", key, measure, "" if value is None else str(value)])
    return rows


def append_hazard_csv(figures: dict[str, Any], path: Path) -> None:
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(hazard_csv_rows(figures))


def hazard_chart_path(chart: Path) -> Path:
    return chart.with_name(f"{chart.stem}-hazards{chart.suffix or '.png'}")


def write_hazard_chart(figures: dict[str, Any], path: Path) -> None:
    """Hazards by type (stacked by severity) and each clock's on-time share, in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (kinds, steps) = plt.subplots(1, 2, figsize=(12, 4.5))
    rows = figures["by_type_and_severity"]
    labels = [row["type"].replace("_", " ") for row in rows]
    emergency = [row["emergency"] for row in rows]
    kinds.bar(labels, emergency, color="tab:red", label="emergency")
    kinds.bar(labels, [row["significant"] for row in rows], bottom=emergency,
              color="tab:orange", label="significant")
    kinds.set_title(f"Hazards received, {figures['from']} to {figures['to']}")
    kinds.tick_params(axis="x", labelrotation=45)
    if rows:
        kinds.legend(fontsize="small")
    timed = figures["timeliness"]
    names = [f"{r['severity'][:3]} {r['step'].replace('_', ' ')}" for r in timed]
    bars = steps.bar(names, [r["on_time_percent"] or 0 for r in timed], color="tab:green")
    for bar, row in zip(bars, timed, strict=True):
        text = "none due" if row["on_time_percent"] is None else (
            f"{row['on_time_percent']}% of {row['decided']}")
        steps.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                       ha="center", va="bottom", fontsize="small")
    steps.set_ylim(0, 110)
    steps.set_title("Hazard clocks met on time")
    steps.set_ylabel("%")
    steps.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
