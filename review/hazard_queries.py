"""The hazard lane's reads for the review app: open hazards with their time left (the same
list, in the same order, as `triage hazards`), and what an item's page shows first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.settings import Settings
from models.db import session_scope
from models.hazard_tables import HazardRecord
from models.tables import Item
from pipeline.hazards import hazard_policy, hazard_view, now_utc, open_hazards, time_left_text

# The queue page shows the most pressing hazards; /hazards shows them all.
LANE_ON_QUEUE = 25


def _shown(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "left": time_left_text(view),
            "cues": ", ".join(str(c.get("cue", "")).replace("_", " ")
                              for c in view["vulnerability"])}


def lane(settings: Settings, now: datetime | None = None) -> list[dict[str, Any]]:
    return [_shown(view) for view in open_hazards(settings, now=now)]


def hazard_page(settings: Settings, hazard_id: int) -> dict[str, Any] | None:
    policy = hazard_policy(settings)
    with session_scope(settings.resolved_database_url) as session:
        row = session.get(HazardRecord, hazard_id)
        if row is None:
            return None
        case = row.item.case
        return _shown(hazard_view(row, policy, now_utc(), case.ref if case else None))


def item_safety(settings: Settings, item_id: int) -> dict[str, Any]:
    """An item's hazards, the household's vulnerability cues and the adjustments asked for:
    what its page shows before anything else."""
    policy, now = hazard_policy(settings), now_utc()
    with session_scope(settings.resolved_database_url) as session:
        rows = session.scalars(select(HazardRecord).where(HazardRecord.item_id == item_id)
                               .order_by(HazardRecord.priority, HazardRecord.id)).all()
        item = session.get(Item, item_id, options=[joinedload(Item.case),
                                                   joinedload(Item.fields)])
        case_ref = item.case.ref if item is not None and item.case else None
        hazards = [_shown(hazard_view(row, policy, now, case_ref)) for row in rows]
        fields = item.fields if item is not None else None
        label = item.classification if item is not None else None
        cues = [c for c in ((label.rule_results or {}).get("vulnerability") or [] if label
                            else []) if isinstance(c, dict)]
    for view in hazards:
        cues += [c for c in view["vulnerability"] if c not in cues]
    return {"hazards": hazards, "vulnerability": cues,
            "adjustments": list((fields.adjustments if fields else None) or [])}
