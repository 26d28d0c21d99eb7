"""The hazard lane in a real headless Chromium: above the queue, hours left for emergencies
and working days for the rest, overdue in red, the same order as `triage hazards`; a step
recorded through a hazard's page; vulnerability shown first on the item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.settings import Settings
from models.db import migrate
from pipeline.hazards import open_hazards
from pipeline.users import add_user
from tests.review_fixtures import PASSWORD
from tests.test_hazard_lane import GAS_REQUEST, LEGAL_DAMP, stage
from tests.test_review_browser import (  # noqa: F401  (pytest fixtures)
    _sign_in,
    browser,
    page,
    pytestmark,
    served_app,
)

RED = "rgb(176, 0, 32)"


@pytest.fixture(scope="module")
def lane_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:


    settings = Settings(data_dir=tmp_path_factory.mktemp("lane") / "var", _env_file=None)
    migrate(settings.resolved_database_url)
    add_user(settings, "officer1", "officer", PASSWORD)
    ids = {
        "damp": stage(settings, b"legal", LEGAL_DAMP, "excluded", hazard="damp_mould",
                      excluded_reason="legal_proceedings"),
        "gas": stage(settings, b"gas", GAS_REQUEST, "service_request", hazard="gas",
                     received=datetime.now(UTC) - timedelta(hours=27)),
        "gas_new": stage(settings, b"gas-new", GAS_REQUEST.replace("Tom Reid", "Ali Khan"),
                         "service_request", hazard="gas",
                         received=datetime.now(UTC) - timedelta(hours=3)),
    }
    with served_app(settings) as url:
        yield {"url": url, "ids": ids, "settings": settings}


def test_the_lane_above_the_queue(page, lane_site) -> None:  # noqa: F811
    url, settings = lane_site["url"], lane_site["settings"]
    _sign_in(page, url)
    lane = page.locator("section.hazard-lane")
    assert lane.is_visible()
    # Above the queue: the lane comes before the queue's heading in the page.
    assert page.evaluate("""document.querySelector('section.hazard-lane')
        .compareDocumentPosition(document.getElementById('needs-review'))
        & Node.DOCUMENT_POSITION_FOLLOWING""")
    rows = lane.locator("tbody tr")
    assert rows.count() == 3
    shown = [int(rows.nth(i).get_attribute("data-hazard")) for i in range(3)]
    assert shown == [view["id"] for view in open_hazards(settings)]  # as `triage hazards`
    overdue, emergency, significant = (rows.nth(i) for i in range(3))
    assert "h overdue" in overdue.locator("td.time-left").inner_text()
    assert overdue.locator("td.time-left").evaluate("e => getComputedStyle(e).color") == RED
    assert "h left" in emergency.locator("td.time-left").inner_text()
    assert emergency.locator("td.time-left").evaluate("e => getComputedStyle(e).color") != RED
    assert "working days left" in significant.locator("td.time-left").inner_text()
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    page.screenshot(path="var/test-artifacts/hazard-lane.png", full_page=True)


def test_recording_an_investigation_on_the_hazard_page(page, lane_site) -> None:  # noqa: F811
    url = lane_site["url"]
    _sign_in(page, url)
    row = page.locator("section.hazard-lane tbody tr").nth(1)
    hazard_id = row.get_attribute("data-hazard")
    row.get_by_role("link", name=f"Hazard {hazard_id}", exact=True).click()
    page.wait_for_url(f"{url}/hazards/{hazard_id}")
    # The writer's adjustment shows first, before the facts.
    assert "large print" in page.locator("#hazard-safety").inner_text()
    page.get_by_role("button", name="Made safe").click()
    assert "before the hazard is investigated" in page.locator("#flash").inner_text()
    page.get_by_label("Findings").fill("gas escape at the cooker valve")
    page.get_by_role("button", name="Record investigation").click()
    page.wait_for_url(f"{url}/hazards/{hazard_id}")
    assert "investigate recorded" in page.locator("#flash").inner_text()
    assert "on time" in page.locator("table").first.inner_text()
    assert "investigated" in page.locator(".timeline").inner_text()


def test_the_performance_page_shows_the_hazard_figures(page, lane_site) -> None:  # noqa: F811
    url = lane_site["url"]
    _sign_in(page, url)
    page.goto(f"{url}/performance")
    table = page.locator("#hazards-by-type")
    assert "gas" in table.inner_text() and "damp mould" in table.inner_text()
    assert "investigate" in page.locator("#hazard-clocks-table").inner_text()
    assert page.locator("svg.chart").count() >= 1
