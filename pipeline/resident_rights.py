"""A resident's rights: a subject access export (one archive of everything held about them)
and erasure (refused while a case is open or a legal hold applies), each with an audit row
that records the class of records and who asked, never the personal data."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from core.settings import Settings
from models.db import session_scope
from models.rawstore import load_raw
from models.residents import current
from models.retention import audit, delete_raw_files, purge_cases, purge_items
from models.tables import Case, CaseEvent, DataAudit, Item, Resident, ReviewDecision
from pipeline.casework.cases import CaseworkError
from pipeline.casework.residents import resident_view

_SUFFIX = {"email": ".eml", "letter": ".pdf"}


def _item_record(item: Item) -> dict[str, Any]:
    fields = item.fields
    label = item.classification
    return {
        "id": item.id, "source": item.source, "received_at": _iso(item.received_at),
        "subject": item.subject, "text": item.text, "status": item.status,
        "case": item.case.ref if item.case else None, "sha256": item.sha256,
        "fields": ({k: _iso(getattr(fields, k)) if k in ("incident_date", "written_on")
                    else getattr(fields, k)
                    for k in ("name", "representative", "address", "postcode", "staff",
                              "desired_outcome", "contact_method", "phone", "email",
                              "incident_date", "written_on")} if fields else None),
        "classification": ({"category": label.category, "confidence": label.confidence,
                            "policy": label.policy, "model": label.model_version}
                           if label else None),
    }


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_resident(settings: Settings, resident_id: int, out: Path, by: str | None = None
                    ) -> dict[str, int]:
    """Write one ZIP: records as JSON, original bytes, letters, decisions (who and when), and
    an index.html a person can read. Returns what it holds, by kind."""
    with session_scope(settings.resolved_database_url) as session:
        resident = current(session, _resident(session, resident_id))
        view = resident_view(session, resident.id)
        ids = [resident.id, *view["merged"]]
        items = session.scalars(select(Item).where(Item.resident_id.in_(ids))
                                .order_by(Item.id)).all()
        cases = session.scalars(select(Case).where(Case.resident_id.in_(ids))
                                .order_by(Case.id)).all()
        decisions = session.scalars(select(ReviewDecision).where(
            ReviewDecision.item_id.in_([i.id for i in items])).order_by(ReviewDecision.id)).all()
        events = session.scalars(select(CaseEvent).where(
            CaseEvent.case_id.in_([c.id for c in cases])).order_by(CaseEvent.id)).all()
        records = {
            "resident": {k: view[k] for k in ("id", "name", "email", "phone", "address",
                                              "postcode", "merged")},
            "items": [_item_record(i) for i in items],
            "cases": [{"ref": c.ref, "policy": c.policy, "stage": c.stage,
                       "status": c.status, "received_on": _iso(c.received_on),
                       "respond_by": _iso(c.respond_by), "outcome": c.outcome,
                       "remedy": c.remedy} for c in cases],
            "decisions": [{"item_id": d.item_id, "officer": d.officer, "action": d.action,
                           "category": d.category, "at": _iso(d.decided_at), "note": d.note}
                          for d in decisions],
            "case_events": [{"case": e.case.ref, "kind": e.kind, "stage": e.stage,
                             "at": _iso(e.at), "by": (e.detail or {}).get("by")
                             or (e.detail or {}).get("officer")} for e in events],
        }
        letters = [(d, c.ref) for c in cases for d in c.drafts]
        originals = [(i, load_raw(settings.raw_dir, i.raw_path, i.sha256)) for i in items
                     if i.raw_path]
        audit(session, kind="export", record_class="resident", action="export",
              count=len(items) + len(cases), by=by,
              detail={"items": len(items), "cases": len(cases), "letters": len(letters)})
    _write_archive(out, records, originals, letters)
    return {"items": len(items), "cases": len(cases), "letters": len(letters),
            "originals": len(originals), "decisions": len(records["decisions"])}


def _write_archive(out: Path, records: dict[str, Any], originals, letters) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.json", json.dumps(records, indent=2, ensure_ascii=False))
        for item, raw in originals:
            archive.writestr(f"originals/item-{item.id}{_SUFFIX.get(item.source, '')}", raw)
        for draft, _ref in letters:
            archive.writestr(f"letters/{draft.id}-{draft.kind}.txt",
                             f"{draft.subject}\n\n{draft.body}\n")
        archive.writestr("index.html", _index(records, originals, letters))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())


def _index(records: dict[str, Any], originals, letters) -> str:
    e = html.escape
    r = records["resident"]
    rows = "".join(f"<li>{e(str(i['received_at']))}: {e(i['source'])} "
                   f"<a href='originals/item-{i['id']}{_SUFFIX.get(i['source'], '')}'>"
                   f"{e(i['subject'] or 'item ' + str(i['id']))}</a></li>"
                   for i in records["items"])
    cases = "".join(f"<li>{e(c['ref'])}: stage {c['stage']}, {e(c['status'])}</li>"
                    for c in records["cases"])
    sent = "".join(f"<li><a href='letters/{d.id}-{d.kind}.txt'>{e(d.subject)}</a></li>"
                   for d, _ in letters)
    decided = "".join(f"<li>{e(str(d['at']))}: {e(d['officer'])} {e(d['action'])} on item "
                      f"{d['item_id']}</li>" for d in records["decisions"])
    return (f"<!doctype html><meta charset='utf-8'><title>Your data</title>"
            f"<h1>What we hold about {e(r['name'] or 'you')}</h1>"
            f"<p>Email {e(r['email'] or '-')}, phone {e(r['phone'] or '-')}, "
            f"{e(r['address'] or '')} {e(r['postcode'] or '')}</p>"
            f"<h2>Your emails and letters ({len(records['items'])})</h2><ul>{rows}</ul>"
            f"<h2>Your cases</h2><ul>{cases}</ul><h2>Letters to you</h2><ul>{sent}</ul>"
            f"<h2>Decisions and who made them</h2><ul>{decided}</ul>"
            f"<p>Every record is in records.json; the originals are byte for byte as "
            f"received.</p>")


def _resident(session, resident_id: int) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise CaseworkError(f"there is no resident {resident_id}")
    return resident


def erase_resident(settings: Settings, resident_id: int, reason: str, by: str | None = None
                   ) -> dict[str, int]:
    """Erase a resident's personal data (their record, items and cases anonymised); refused
    while any of their cases is open or a legal hold applies."""
    if not reason.strip():
        raise CaseworkError("an erasure needs its reason")
    with session_scope(settings.resolved_database_url) as session:
        resident = current(session, _resident(session, resident_id))
        ids = [resident.id, *session.scalars(select(Resident.id).where(
            Resident.merged_into_id == resident.id))]
        cases = session.scalars(select(Case).where(Case.resident_id.in_(ids))).all()
        if any(r.legal_hold for r in session.scalars(select(Resident).where(
                Resident.id.in_(ids)))) or any(c.legal_hold for c in cases):
            raise CaseworkError(f"resident {resident.id} is under a legal hold: nothing erased")
        open_refs = [c.ref for c in cases if c.status == "open"]
        if open_refs:
            raise CaseworkError(f"resident {resident.id} has open cases ({', '.join(open_refs)})"
                                ": close them before erasing")
        item_ids = list(session.scalars(select(Item.id).where(Item.resident_id.in_(ids))))
        paths = purge_items(session, item_ids, "anonymise") if item_ids else []
        if cases:
            purge_cases(session, [c.id for c in cases])
        session.execute(update(Resident).where(Resident.id.in_(ids)).values(
            name=None, email=None, phone=None, address=None, postcode=None, home_id=None,
            erased_at=datetime.now(UTC)))
        _forget_corrections(session, item_ids)
        audit(session, kind="erasure", record_class="resident", action="anonymise",
              count=len(item_ids) + len(cases) + len(ids), by=by, reason=reason.strip(),
              detail={"items": len(item_ids), "cases": len(cases), "residents": len(ids)})
    delete_raw_files(settings.raw_dir, paths)
    return {"items": len(item_ids), "cases": len(cases), "residents": len(ids)}


def _forget_corrections(session, item_ids: list[int]) -> None:
    """Corrections to the erased items keep which fields changed, not their values."""
    wanted = set(item_ids)
    for row in session.scalars(select(DataAudit).where(DataAudit.kind == "correction")):
        if (row.detail or {}).get("item_id") in wanted:
            row.detail = {"item_id": row.detail["item_id"],
                          "fields": sorted(row.detail.get("changes") or {})}
    if not wanted:
        return
    for decision in session.scalars(select(ReviewDecision).where(
            ReviewDecision.item_id.in_(wanted), ReviewDecision.action == "edit_fields")):
        if (decision.detail or {}).get("changes"):  # the web's edit keeps old and new values
            decision.detail = {"fields": sorted(decision.detail["changes"])}
