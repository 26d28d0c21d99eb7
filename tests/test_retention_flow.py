"""The retention flow once under `prefect_test_harness`: what is due goes, and the run's
artifact holds counts per class, never a name or a word of the item."""

from __future__ import annotations

from datetime import date

from classify.fields import Extraction
from tests.residency_support import email_item, stage_item


def test_retention_flow_purges_and_records_counts_only(settings, monkeypatch) -> None:
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    import pipeline.retention
    from flows.retention_flow import retention

    stage_item(settings, email_item("Win a prize, Ann Smith!", day=2),
               Extraction(name="Ann Smith", postcode="PR2 4XT"), "other")
    monkeypatch.setattr(pipeline.retention, "landlord_today", lambda: date(2027, 6, 1))
    with prefect_test_harness(server_startup_timeout=120):
        rows = retention(settings)
        with get_client(sync_client=True) as client:
            [artifact] = client.read_artifacts()
    assert {r["class"]: r["items"] for r in rows}["other_mail"] == 1
    recorded = str(artifact.data)
    assert artifact.key == "retention" and "other_mail" in recorded
    for personal in ("Ann Smith", "PR2 4XT", "prize"):
        assert personal not in recorded
