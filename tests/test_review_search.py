"""Every item findable (issue 17, part 4), on SQLite (FTS5) and PostgreSQL (full-text search):
the items list's search by name, partial postcode in any case or spacing, a reference
fragment, an email address and free text, and its filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.settings import Settings
from models.db import session_scope
from models.tables import Case, ExtractedFields, Item, ReviewDecision
from review.search import ItemFilter, items_page
from tests.review_fixtures import add_case, add_waiting_item

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _seed(settings: Settings) -> dict[str, int]:
    ids = {
        "boiler": add_waiting_item(
            settings, subject="Boiler", text="The boiler has failed again in the flat.",
            category="complaint", confidence=0.5, received=BASE, name="Carol Hazard",
            postcode="BB2 6LN"),
        "mould": add_waiting_item(
            settings, subject="Mould", text="Black mould in the bedroom, children coughing.",
            category="complaint", confidence=0.6, received=BASE + timedelta(days=3),
            hazard="damp_mould", name="Dev Patel", postcode="LA1 3CC"),
        "auto": add_waiting_item(
            settings, subject="Bin day", text="When is the bin collected?",
            category="service_request", confidence=0.98, received=BASE + timedelta(days=5),
            status="staged", name="Eve Smith", postcode="BB1 1AA"),
    }
    case_id = add_case(settings, "CMP-2025-00004", respond_by=BASE.date(), acknowledge_by=None,
                       name="Carol Hazard", postcode="BB2 6LN")
    with session_scope(settings.resolved_database_url) as session:
        session.get(Item, ids["boiler"]).case_id = case_id
        session.get(ExtractedFields, ids["mould"]).email = "dev.patel@example.org"
        session.add(ReviewDecision(item_id=ids["mould"], officer="officer1", action="accept",
                                   category="complaint"))
        session.get(Case, case_id)  # present
    return ids


def _found(settings: Settings, **filters: str) -> set[int]:
    page = items_page(settings.resolved_database_url, ItemFilter(**filters).cleaned())
    return {row["id"] for row in page["rows"]}


def test_search_finds_items_every_way_an_officer_asks(database_settings: Settings) -> None:
    settings = database_settings
    ids = _seed(settings)
    boiler, mould, auto = ids["boiler"], ids["mould"], ids["auto"]
    assert _found(settings) == {boiler, mould, auto}
    assert _found(settings, q="hazard") == {boiler}  # a surname, any case
    assert _found(settings, q="carol haz") == {boiler}  # words as prefixes
    for postcode in ("BB2", "bb26ln", "bb2 6", " Bb2   6LN "):
        assert _found(settings, q=postcode) == {boiler}, postcode
    assert _found(settings, q="bb") == set()  # too short to be a postcode, no such word
    assert _found(settings, q="00004") == {boiler}  # a reference fragment
    assert _found(settings, q="cmp-2025-0000") == {boiler}
    assert _found(settings, q="dev.patel@example.org") == {mould}
    assert _found(settings, q="coughing children") == {mould}  # free text, any order
    assert _found(settings, q=str(auto)) == {auto}
    assert _found(settings, q='"*) ( ^ : -') == set()  # no query syntax gets through
    assert _found(settings, q='NEAR("boiler" OR "mould")') == set()


def test_filters_and_fields_edited_later_are_searched(database_settings: Settings) -> None:
    settings = database_settings
    ids = _seed(settings)
    assert _found(settings, handled="auto") == {ids["auto"]}
    assert _found(settings, handled="officer") == {ids["mould"]}
    assert _found(settings, officer="officer1") == {ids["mould"]}
    assert _found(settings, hazard="any") == {ids["mould"]}
    assert _found(settings, status="staged") == {ids["auto"]}
    assert _found(settings, category="service_request") == {ids["auto"]}
    assert _found(settings, since="2026-03-04") == {ids["mould"], ids["auto"]}
    assert _found(settings, until="2026-03-02") == {ids["boiler"]}
    with session_scope(settings.resolved_database_url) as session:
        session.get(ExtractedFields, ids["auto"]).name = "Eve Okonkwo"
    assert _found(settings, q="okonkwo") == {ids["auto"]}


def test_a_common_word_gives_its_newest_matches_either_way_it_is_found(
        database_settings: Settings) -> None:
    """A word in every item: its newest matches up to the bound, then "or more", whether
    found row by row among the newest items (PostgreSQL, when they hold enough matches) or
    through the index; the other filters apply before the bound."""
    settings = database_settings
    ids = _seed(settings)
    url = settings.resolved_database_url
    for window in (50, 1):  # row by row among the newest; too few there: the index
        page = items_page(url, ItemFilter(q="the").cleaned(), words_limit=2, window=window)
        assert [row["id"] for row in page["rows"]] == [ids["auto"], ids["mould"]], window
        assert (page["total"], page["more"], page["pages"]) == (2, True, 1)
        staged = items_page(url, ItemFilter(q="the", status="staged").cleaned(),
                            words_limit=2, window=window)
        assert [row["id"] for row in staged["rows"]] == [ids["auto"]]
        assert (staged["total"], staged["more"]) == (1, False)
    listing = items_page(url, ItemFilter().cleaned(), page=2, page_size=2)
    assert [row["id"] for row in listing["rows"]] == [ids["boiler"]]
    assert (listing["total"], listing["more"], listing["pages"]) == (3, False, 2)
