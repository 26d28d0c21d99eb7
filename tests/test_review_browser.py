"""The review app in a real headless Chromium (Debian's `chromium`, driven by Playwright; no
browser is ever downloaded): log-in, the keyboard, hostile email, CSRF, anonymous visitors.

Screenshots of the queue and the item page are kept under var/test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from core.settings import Settings
from models.db import migrate, session_scope
from models.tables import Item
from pipeline.users import add_user
from tests.review_fixtures import HOSTILE_HTML, PASSWORD, add_waiting_item, email_bytes

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not shutil.which("chromium"),
                                reason="Debian's chromium is not installed (make test does)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_app(settings: Settings) -> Iterator[str]:
    """The review app on a free port, served by uvicorn in a thread; its address."""
    import uvicorn

    from review.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the review app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The app on a real port with a few items waiting, served by uvicorn in a thread."""


    data_dir = tmp_path_factory.mktemp("browser") / "var"
    settings = Settings(data_dir=data_dir, _env_file=None)
    migrate(settings.resolved_database_url)
    add_user(settings, "officer1", "officer", PASSWORD)
    add_user(settings, "officer2", "officer", PASSWORD)
    today = date.today()
    ids = {
        "repair": add_waiting_item(
            settings, subject="Boiler still broken after three visits",
            text="This is the third time I have reported the boiler. Nobody has fixed it and "
                 "I want to make a formal complaint.\nDana Resident, 4 Mill Lane, PR1 4AB",
            category="service_request", confidence=0.52, received=BASE,
            review_due=today + timedelta(days=1), name="Dana Resident", postcode="PR1 4AB"),
        "hostile": add_waiting_item(
            settings, subject="Photos of the damp <img src=x onerror=alert(1)>",
            text="Dear housing team, the damp is back.", category="complaint",
            confidence=0.48, received=BASE + timedelta(hours=1),
            review_due=today + timedelta(days=2),
            raw=email_bytes("Photos of the damp", "the damp is back", HOSTILE_HTML)),
        "third": add_waiting_item(
            settings, subject="Thank you", text="Thank you to Tom for the quick repair.",
            category="compliment", confidence=0.61, received=BASE,
            review_due=today + timedelta(days=3)),
    }
    with served_app(settings) as url:
        yield {"url": url, "ids": ids, "settings": settings}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-background-networking"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def _sign_in(page, url: str, username: str = "officer1") -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def test_anonymous_visitor_is_sent_to_the_login_page(page, site) -> None:
    for path in ("/", f"/items/{site['ids']['repair']}", "/cases", "/performance"):
        page.goto(site["url"] + path)
        assert page.url == f"{site['url']}/login"
        assert page.get_by_role("heading", name="Sign in").is_visible()


def test_officer_corrects_an_item_with_the_keyboard_and_its_case_is_staged(
        page, site) -> None:
    url, ids = site["url"], site["ids"]
    _sign_in(page, url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    rows = page.locator("a.queue-link")
    assert rows.count() == 3
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)
    page.keyboard.press("j")  # the first row, the nearest deadline
    assert page.evaluate("document.activeElement.textContent") == str(ids["repair"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/items/{ids['repair']}$"))
    assert page.get_by_text("Boiler still broken after three visits").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "review-item.png"), full_page=True)
    page.keyboard.press("k")  # nothing before the first item: stays
    page.keyboard.press("1")  # complaint, not the predicted service request
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    flash = page.locator("#flash")
    assert "complaint; case CMP-2026-" in flash.inner_text()
    ref = re.search(r"CMP-\d{4}-\d{5}", flash.inner_text()).group(0)
    flash.get_by_role("link", name=f"Open case {ref}").click()
    page.wait_for_url(f"{url}/cases/{ref}")
    assert page.get_by_role("link", name=str(ids["repair"]), exact=True).is_visible()
    assert "opened" in page.locator(".timeline").inner_text()
    with session_scope(site["settings"].resolved_database_url) as session:
        item = session.get(Item, ids["repair"])
        assert item.status == "staged" and item.case is not None and item.case.ref == ref
    page.goto(f"{url}/")
    assert page.locator("a.queue-link").count() == 2
    page.goto(f"{url}/performance?year=2025")  # the reporting year of 2 March 2026
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "review-performance.png"), full_page=True)


def test_hostile_email_runs_nothing(page, site) -> None:
    url, item_id = site["url"], site["ids"]["hostile"]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _sign_in(page, url)
    page.goto(f"{url}/items/{item_id}")
    html = page.locator(".email-html")
    assert "the damp is back" in html.inner_text()
    page.locator(".email-html p", has_text="Click here").click()
    link = html.get_by_text("see the photos")
    assert link.get_attribute("href") is None  # the javascript: URL was taken out
    link.click()
    page.wait_for_timeout(300)
    assert page.url == f"{url}/items/{item_id}"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('.email-html script, .email-html img, "
                         ".email-html iframe, .email-html svg, .email-html form').length") == 0
    assert dialogs == []
    assert "<img src=x onerror=alert(1)>" in page.locator("h1").inner_text()  # shown as text


def test_form_post_without_its_csrf_token_is_refused(page, site) -> None:
    url, item_id = site["url"], site["ids"]["third"]
    _sign_in(page, url)
    page.goto(f"{url}/items/{item_id}")
    page.evaluate("document.querySelectorAll('#decision-form input[name=csrf_token]')"
                  ".forEach(input => input.remove())")
    with page.expect_navigation():
        page.locator("#accept").click()
    assert "security token is missing" in page.locator("main").inner_text()
    with session_scope(site["settings"].resolved_database_url) as session:
        assert session.get(Item, item_id).status == "needs_review"


def test_an_officer_runs_a_case_from_its_page(page, site) -> None:
    """Acknowledge, assign, a refused extension (the policy's reason shown), extend, record the
    letter sent by post, close: all from the case page, submitted with the keyboard."""
    from pipeline import casework
    from workflow.officer_review import OfficerChoice

    url, settings = site["url"], site["settings"]
    item_id = add_waiting_item(
        settings, subject="Complaint about the lift", text="The lift has been broken for "
        "a month and I want to complain.", category="complaint", confidence=0.55,
        received=BASE, name="Lee Lift", postcode="PR2 1AA")
    ref = casework.decide(settings, item_id, "officer1", OfficerChoice("accept")).case_ref
    _sign_in(page, url)
    page.goto(f"{url}/cases/{ref}")
    flash = page.locator("#flash")

    def submit(button: str) -> str:
        page.get_by_role("button", name=button).focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        return flash.inner_text()

    assert "acknowledged" in submit("Record acknowledgement")
    page.get_by_label("Officer", exact=True).select_option("officer1")
    assert "assigned to officer1" in submit("Assign")
    page.get_by_label("Working days").fill("25")
    page.get_by_label("Reason given to the resident").fill("We need a lift engineer's report.")
    page.evaluate("document.getElementById('extend-days').removeAttribute('max')")
    assert "allows at most 10" in submit("Extend")  # the server refuses, and says why
    page.get_by_label("Working days").fill("5")
    page.get_by_label("Reason given to the resident").fill("We need a lift engineer's report.")
    assert "extended" in submit("Extend")
    letter = page.locator("details.draft").first
    letter.get_by_label("Sent by").select_option("post")
    letter.get_by_role("button", name="Record as sent").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "recorded as sent (post)" in flash.inner_text()
    page.get_by_label("Outcome").select_option("upheld")
    page.get_by_label("Remedy offered (optional)").fill("Lift repaired; £50 goodwill.")
    assert "closed: upheld" in submit("Close case")
    assert "closed" in page.locator(".facts").first.inner_text()
    timeline = page.locator(".timeline").inner_text()
    for kind in ("acknowledged", "assigned", "extended", "letter sent", "closed"):
        assert kind in timeline


def test_a_revoked_session_is_refused(browser, site) -> None:
    """A session's cookie copied into another browser stops working once its owner signs out."""
    url = site["url"]
    first = browser.new_context()
    mine = first.new_page()
    _sign_in(mine, url)
    copied = browser.new_context()
    copied.add_cookies(first.cookies())
    other = copied.new_page()
    other.goto(f"{url}/")
    assert other.url == f"{url}/"
    mine.get_by_role("button", name="Sign out").click()
    mine.wait_for_url(f"{url}/login")
    other.goto(f"{url}/cases")
    assert other.url == f"{url}/login"
    first.close()
    copied.close()


def test_keyboard_only_exclusion_then_the_refusal_is_reversed(page, site) -> None:
    """A proposed exclusion whose reason the policy does not list: the page says so, `a`
    moves to the policy's reasons, an arrow key chooses one, `a` confirms it (no type-ahead
    changes it); then the refusal is reversed from the case page, with a reason."""
    from models.tables import ReviewDecision

    url, settings = site["url"], site["settings"]
    item_id = add_waiting_item(
        settings, subject="Rent policy", text="I disagree with the rent setting policy.",
        category="excluded", excluded_reason="policy_disagreement", confidence=0.7,
        received=BASE, reason="proposed-exclusion")
    _sign_in(page, url)
    page.goto(f"{url}/items/{item_id}")
    assert "is not a reason code-2024 lists" in page.locator("#reason-not-listed").inner_text()
    page.keyboard.press("a")
    focused = "document.activeElement.id"
    assert page.evaluate(focused) == "reason-out_of_time"
    page.keyboard.press("ArrowDown")  # chooses the next reason as it moves
    assert page.evaluate(focused) == "reason-legal_proceedings"
    assert page.locator("#reason-legal_proceedings").is_checked()
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "exclusion confirmed (legal proceedings)" in page.locator("#flash").inner_text()
    with session_scope(settings.resolved_database_url) as session:
        decision = session.query(ReviewDecision).filter_by(item_id=item_id).one()
        assert (decision.action, decision.excluded_reason) == ("confirm_exclusion",
                                                               "legal_proceedings")
        ref = session.get(Item, item_id).case.ref
    page.goto(f"{url}/cases/{ref}")
    page.get_by_label("Why").fill("The proceedings are about another tenancy.")
    page.get_by_role("button", name="Reverse the refusal").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "an open complaint again" in page.locator("#flash").inner_text()
    assert "refusal reversed" in page.locator(".timeline").inner_text()


def test_every_item_is_found_from_the_items_page(page, site) -> None:
    """Search by a partial postcode typed any way, and by a surname, from the Items page."""
    url = site["url"]
    _sign_in(page, url)
    page.get_by_role("link", name="Items", exact=True).click()
    page.wait_for_url(f"{url}/items")
    page.get_by_label("Search").fill("pr14")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("table.items tbody tr").count() == 1
    assert "Dana Resident" in page.locator("table.items").inner_text()
    page.get_by_label("Search").fill("RESIDENT")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Dana Resident" in page.locator("table.items").inner_text()


def test_layout_decision_above_the_fold_and_no_sideways_scroll_on_a_phone(browser, site) -> None:
    """At 1280 by 800 an item's decision buttons start above the fold; at 390 px wide no
    page scrolls sideways (the queue is a list of cards; a screenshot is kept)."""
    url, settings = site["url"], site["settings"]
    item_id = add_waiting_item(
        settings, subject="Damp in the back bedroom again after the repair last winter",
        text="The damp is back.\n" * 40, category="complaint", confidence=0.51,
        received=BASE, name="Sam Longname-Householder", postcode="PR5 9ZZ")
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    _sign_in(page, url)
    page.goto(f"{url}/items/{item_id}")
    accept = page.locator("#accept").bounding_box()
    categories = page.locator(".category-buttons button").first.bounding_box()
    assert accept["y"] + accept["height"] <= 800, accept
    assert categories["y"] + categories["height"] <= 800, categories
    desk.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    _sign_in(page, url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in ("/", "/items", f"/items/{item_id}", "/cases", "/account"):
        page.goto(url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        if path == "/":
            page.screenshot(path=str(ARTIFACTS / "review-queue-phone.png"), full_page=True)
            card = page.locator("table.queue tbody tr").first.bounding_box()
            assert card["width"] <= 390  # a card, not a 1,000-pixel row
    phone.close()


def _scanned_letter(pages: int) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"Page {number}: the damp in the back bedroom is back.")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_scanned_page_enlarges_to_full_width_in_place(browser, site) -> None:
    """At 1280 by 800 a letter's pages sit beside the text read from them; ticking a page's
    "Full width" box (by keyboard, no script) widens that page to the whole content width on
    the same page, and unticking it puts it back."""
    url, settings = site["url"], site["settings"]
    item_id = add_waiting_item(
        settings, subject="Letter: damp", text="The damp in the back bedroom is back.",
        category="complaint", confidence=0.5, received=BASE, source="letter",
        raw=_scanned_letter(2))
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    _sign_in(page, url)
    page.goto(f"{url}/items/{item_id}")
    first = page.locator(".scan-images img").first
    first.evaluate("img => img.decode()")
    content = page.evaluate("document.querySelector('.item-layout').clientWidth")
    before = first.bounding_box()["width"]
    assert before < content / 2, (before, content)
    page.locator("#enlarge-page-1").focus()
    page.keyboard.press("Space")
    assert page.url == f"{url}/items/{item_id}"  # in place: no navigation
    after = first.bounding_box()["width"]
    assert after >= content - 4, (after, content)  # the whole width, less its border
    assert page.locator(".scan-images img").nth(1).bounding_box()["width"] < content / 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.keyboard.press("Space")
    assert first.bounding_box()["width"] == pytest.approx(before, abs=1)
    desk.close()


def test_two_officers_open_the_same_item_at_once(browser, site) -> None:
    """The first to open an item holds it; the second sees who, and `a` is refused with the
    holder's name until they take it over."""
    url, settings = site["url"], site["settings"]
    item_id = add_waiting_item(
        settings, subject="Fence down", text="The fence blew down and nobody has come.",
        category="service_request", confidence=0.55, received=BASE)
    first, second = browser.new_context(), browser.new_context()
    one, two = first.new_page(), second.new_page()
    _sign_in(one, url)
    _sign_in(two, url, "officer2")
    one.goto(f"{url}/items/{item_id}")
    assert "You hold this item" in one.locator("#held").inner_text()
    two.goto(f"{url}/items/{item_id}")
    assert "officer1 is working on this item" in two.locator("#held").inner_text()
    with two.expect_navigation():
        two.keyboard.press("a")
    assert "officer1 holds item" in two.locator("#flash").inner_text()
    two.get_by_role("button", name="Take it over").click()
    two.wait_for_url(f"{url}/items/{item_id}")
    assert "You hold this item" in two.locator("#held").inner_text()
    with two.expect_navigation():
        two.keyboard.press("a")
    assert "service request recorded" in two.locator("#flash").inner_text()
    first.close()
    second.close()
