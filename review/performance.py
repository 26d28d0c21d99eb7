"""The performance page's figures: `triage report`'s own computation (pipeline/reports.py over
workflow/reporting.py) for a reporting year, with the homes count a manager keeps in the
report settings, so the page and the command can never disagree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.settings import Settings
from models.db import session_scope
from models.tables import ReportSetting
from pipeline.reports import report_for_year
from workflow.staging import LANDLORD_TIMEZONE

YEARS_SHOWN = 5


def reporting_years(today: datetime | None = None) -> list[int]:
    """The reporting years to choose from, newest first: each runs from 1 April."""
    now = (today or datetime.now(LANDLORD_TIMEZONE)).date()
    current = now.year if now.month >= 4 else now.year - 1
    return [current - n for n in range(YEARS_SHOWN)]


def performance_figures(settings: Settings, year: int, policy: str) -> dict[str, Any]:
    with session_scope(settings.resolved_database_url) as session:
        setting = session.get(ReportSetting, policy)
        homes = setting.homes if setting is not None else None
    return report_for_year(settings, year, homes)
