"""The annual report's figures on a small set of cases checked by hand, and its CSV and chart."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from workflow.reporting import (
    Compliment,
    ItemVolume,
    RefusalRecord,
    StageRecord,
    build_report,
    reporting_year,
    stage_records_from_events,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


# Year from 1 April 2026 to 31 March 2027.
STAGES = [
    # Began before the year, answered in it: a response of the year, not a complaint of it.
    StageRecord("A", 1, d("2026-03-20"), d("2026-04-07"), d("2026-04-02"), 9),
    StageRecord("B", 1, d("2026-04-01"), d("2026-04-24"), d("2026-04-20"), 12),
    StageRecord("C", 1, d("2026-05-11"), d("2026-06-05"), d("2026-06-10"), 22),  # late
    # Extended by 5 WD (within the maximum) and answered after the original date: on time.
    StageRecord("D", 1, d("2026-06-01"), d("2026-06-22"), d("2026-06-19"), 14, 5),
    StageRecord("E", 1, d("2027-03-30")),  # received in the year, not yet answered
    StageRecord("F", 1, d("2027-04-01")),  # next year
    StageRecord("B", 2, d("2026-05-01"), d("2026-06-02"), d("2026-05-29"), 19),
    StageRecord("D", 2, d("2026-07-01"), d("2026-07-29"), d("2026-08-20"), 36),  # late
]
REFUSALS = [
    RefusalRecord("G", d("2026-05-05"), "out_of_time"),
    RefusalRecord("H", d("2026-09-01"), "out_of_time"),
    RefusalRecord("I", d("2026-10-10"), "legal_proceedings"),
    RefusalRecord("J", d("2026-03-31"), "out_of_time"),  # last year
]
ITEMS = [
    ItemVolume(d("2026-04-01"), "complaint"), ItemVolume(d("2026-04-30"), "complaint"),
    ItemVolume(d("2026-04-15"), "service_request"), ItemVolume(d("2026-12-25"), "compliment"),
    ItemVolume(d("2027-03-31"), "other"), ItemVolume(d("2026-03-31"), "complaint"),
    ItemVolume(d("2027-04-01"), "excluded"),
]


COMPLIMENTS = [
    Compliment(d("2026-06-01"), ("Tom Price",)),
    Compliment(d("2026-07-01"), ("Tom Price", "Jess Okafor")),
    Compliment(d("2026-08-01"), ()),  # the team
    Compliment(d("2027-05-01"), ("Jess Okafor",)),  # next year
]


@pytest.fixture
def figures() -> dict:
    return build_report(2026, STAGES, REFUSALS, ITEMS, homes=2500, policy="code-2024",
                        compliments=COMPLIMENTS)


def test_compliments_are_counted_against_the_staff_they_name(figures: dict) -> None:
    assert figures["compliments"] == 3
    assert figures["compliments_by_staff"] == {"Tom Price": 2, "Jess Okafor": 1}


def test_reporting_year_runs_from_the_first_of_april() -> None:
    assert reporting_year(2026) == (date(2026, 4, 1), date(2027, 3, 31))


def test_ch01_counts_complaints_received_per_thousand_homes(figures: dict) -> None:
    # Stage 1: B, C, D, E (4 of 2,500 homes); stage 2: B and D.
    assert figures["ch01"] == {"stage_1": 1.6, "stage_2": 0.8}
    assert [row["received"] for row in figures["stages"]] == [4, 2]


def test_ch02_counts_extended_responses_within_the_limit_as_on_time(figures: dict) -> None:
    first, second = figures["stages"]
    # Stage 1 responses in the year: A, B, C, D; on time A, B and D (extended).
    assert (first["responses"], first["on_time"], first["on_time_with_extension"]) == (4, 3, 1)
    assert figures["ch02"] == {"stage_1": 75.0, "stage_2": 50.0}
    assert (second["responses"], second["on_time"]) == (2, 1)


def test_median_working_days_to_respond(figures: dict) -> None:
    # Stage 1: 9, 12, 14, 22 -> 13; stage 2: 19, 36 -> 27.5.
    assert figures["median_working_days_to_respond"] == {"stage_1": 13.0, "stage_2": 27.5}


def test_refusals_by_reason_and_volumes(figures: dict) -> None:
    assert figures["refused_by_reason"] == {"legal_proceedings": 1, "out_of_time": 2}
    assert figures["refused_total"] == 3
    assert figures["volumes_by_category"] == {"complaint": 2, "compliment": 1, "other": 1,
                                              "service_request": 1}
    months = {row["month"]: row for row in figures["volumes_by_month"]}
    assert list(months) == [f"2026-{m:02d}" for m in range(4, 13)] + ["2027-01", "2027-02",
                                                                     "2027-03"]
    assert months["2026-04"] == {"month": "2026-04", "complaint": 2, "service_request": 1}
    assert months["2026-12"] == {"month": "2026-12", "compliment": 1}
    assert months["2027-03"] == {"month": "2027-03", "other": 1}
    assert months["2026-08"] == {"month": "2026-08"}


def test_without_homes_or_responses_the_figures_say_so() -> None:
    empty = build_report(2026, [StageRecord("E", 1, d("2026-05-01"))], [], [])
    assert empty["ch01"] == {"stage_1": None, "stage_2": None}
    assert empty["ch02"] == {"stage_1": None, "stage_2": None}
    assert empty["stages"][0]["received"] == 1


def test_stage_records_come_from_the_event_log() -> None:
    events = [
        ("opened", 1, {"started": "2026-04-01", "respond_by": "2026-04-24"}),
        ("extended", 1, {"respond_by": "2026-05-01"}),
        ("closed", 1, {"on": "2026-04-29", "respond_by": "2026-05-01", "responded": True,
                       "working_days": 18, "extension_days": 5}),
        ("escalated", 2, {"started": "2026-05-05", "requested": "2026-05-05"}),
        ("closed", 2, {"on": "2026-05-06", "respond_by": "2026-06-09", "responded": False}),
    ]
    first, second = stage_records_from_events("CMP-2026-00001", events)
    assert first == StageRecord("CMP-2026-00001", 1, d("2026-04-01"), d("2026-05-01"),
                                d("2026-04-29"), 18, 5)
    assert second == StageRecord("CMP-2026-00001", 2, d("2026-05-05"))  # withdrawn: no reply
    refused = [("opened", 1, {"started": "2026-04-01"}), ("refused", 1, {"reason": "x"})]
    assert stage_records_from_events("CMP-2026-00002", refused) == []


def test_csv_and_png_chart(figures: dict, tmp_path: Path) -> None:
    from pipeline.reports import write_chart, write_csv

    write_csv(figures, tmp_path / "report.csv")
    with (tmp_path / "report.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["section", "key", "measure", "value"]
    assert ["ch01", "stage_1", "per_1000_homes", "1.6"] in rows
    assert ["ch02", "stage_2", "on_time_percent", "50.0"] in rows
    assert ["refused", "out_of_time", "count", "2"] in rows
    assert ["month", "2026-04", "service_request", "1"] in rows
    write_chart(figures, tmp_path / "chart.png")
    png = (tmp_path / "chart.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_a_report_for_a_manager_only_months_begun_automatic_mail_apart(tmp_path: Path) -> None:
    """Months not yet begun are left out; automatic mail is not a resident's item; the title
    names the landlord, the year and the homes; the CSV holds every month the table shows."""
    from pipeline.report_chart import chart_series
    from pipeline.reports import csv_rows, write_chart

    items = [*ITEMS, ItemVolume(d("2026-04-02"), "other", automatic=True),
             ItemVolume(d("2026-06-09"), "other", automatic=True)]
    figures = build_report(2026, STAGES, REFUSALS, items, homes=12000, landlord="Northbrook "
                           "Homes", today=d("2026-12-05"))
    assert figures["title"] == ("Northbrook Homes: complaints performance 2026/27 "
                                "(1 April 2026 to 31 March 2027), 12,000 homes")
    months = [row["month"] for row in figures["volumes_by_month"]]
    assert months == [f"2026-{m:02d}" for m in range(4, 13)]  # nothing after December
    # Residents' items only: the two automatic messages are counted apart.
    assert figures["volumes_by_category"] == {"complaint": 2, "compliment": 1, "other": 1,
                                              "service_request": 1}
    assert figures["automatic_mail"] == 2
    assert [row["count"] for row in figures["automatic_by_month"]][:3] == [1, 0, 1]

    series = chart_series(figures)
    assert series["months"] == months
    assert set(series["series"]) == {"Complaints", "Compliments", "Other correspondence",
                                     "Service requests"}
    assert series["ch01_label"].startswith("CH01") and series["ch01"] == {
        "Stage 1": 0.33, "Stage 2": 0.17}
    assert series["ch02"] == {"Stage 1": (75.0, 4), "Stage 2": (50.0, 2)}
    assert "service_request" not in str(series)
    write_chart(figures, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")

    rows = csv_rows(figures)
    month_rows = [row for row in rows if row[0] == "month"]
    assert sorted({row[1] for row in month_rows}) == months
    for month in months:  # every column of the table, zeros too
        shown = {row[2]: row[3] for row in month_rows if row[1] == month}
        assert set(shown) == {"complaint", "compliment", "other", "service_request",
                              "automatic_mail"}
    assert ["month", "2026-08", "complaint", "0"] in rows
    assert ["automatic_mail", "all", "count", "2"] in rows

    # Before the year begins there is no month to show, and the chart says so.
    early = build_report(2026, [], [], items, today=d("2026-03-01"), landlord="Northbrook Homes")
    assert early["volumes_by_month"] == [] and "homes managed not given" in early["title"]
    write_chart(early, tmp_path / "early.png")
    assert chart_series(early)["ch01_label"].startswith("Complaints received")


def test_the_report_command_shows_plain_labels_and_the_title(command_env) -> None:
    from tests.conftest import triage_in_process

    shown = triage_in_process("report", "--year", "2026", "--homes", "1200", env=command_env)
    assert shown.returncode == 0, shown.stderr
    assert "Northbrook Homes: complaints performance 2026/27" in shown.stdout
    assert "1,200 homes" in shown.stdout
