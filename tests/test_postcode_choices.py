"""A postcode misread by a character, mended by Tesseract's own alternatives for it.

The hOCR files in tests/tesseract/ are Tesseract 5.3's output (lstm_choice_mode=2) for
postcodes of the letter sets as the pipeline cropped them: let-0093's form, whose "HU9" every
face reads as "HUS" on the page, let-0165's "PR3 3JZ" read "PR3 35Z", let-0028's "M14 6JS"
read "M14 60S", let-0130's "WR5 2DE" read "WRS 2DE_" beside a stamp, and lt-120's "SS8 9HU"
read "SS8 SHU", as a line (--psm 7) and as a word (--psm 8).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from core.postcodes import CANONICAL_POSTCODE
from ingest import ocr
from ingest.ocr import tesseract_available
from ingest.pageclean import Box
from ingest.pagelayout import Word, parse_words
from ingest.postcode_choices import best_postcode, mended, misread_postcodes, parse_choices
from postroom.fonts import font

HOCR = Path(__file__).parent / "tesseract"


def line(*texts: str, key: tuple[int, int, int] = (1, 1, 1)) -> list[Word]:
    return [Word(text, Box(100 * i, 10, 100 * i + 80, 40), 90.0, key)
            for i, text in enumerate(texts)]


def test_only_pairs_shaped_like_a_postcode_but_not_one_are_read_again() -> None:
    words = line("Hull", "HUS", "4ES") + line("PR1", "2AB", key=(1, 1, 2)) \
        + line("call", "3rd", key=(1, 1, 3)) + line("WR5d", "2DE", key=(1, 1, 4)) \
        + line("SW1A", "OAA_", key=(1, 1, 5))
    pairs = misread_postcodes(words)
    assert [(words[p.outward].text, words[p.inward].text) for p in pairs] == [
        ("HUS", "4ES"), ("SW1A", "OAA_")]
    assert pairs[0].box == Box(100, 10, 280, 40)


def test_words_on_two_lines_are_not_a_pair() -> None:
    words = line("Flat", "HUS") + line("4ES", "Hull", key=(1, 1, 2))
    assert misread_postcodes(words) == []


def test_tesseracts_choices_are_read_per_character() -> None:
    read = parse_choices((HOCR / "choices-HUS-4ES.hocr").read_text())
    assert [text for text, _ in read] == ["HUS", "4ES"]
    assert [len(positions) for _, positions in read] == [3, 3]
    # The S is read first, the 9 next: a fixed S-for-5 table would give HU5, another district.
    assert [char for char, _ in read[0][1][2][:2]] == ["S", "9"]


def test_the_s_where_a_digit_must_be_is_tesseracts_next_choice() -> None:
    words = line("Postcode", "HUS", "4ES")
    pair = misread_postcodes(words)[0]
    mended_words = mended(words, pair, (HOCR / "choices-HUS-4ES.hocr").read_text())
    assert [w.text for w in mended_words] == ["Postcode", "HU9", "4ES"]


def test_a_digit_where_the_inward_letter_must_be_takes_the_best_letter() -> None:
    words = line("Preston", "PR3", "35Z")
    pair = misread_postcodes(words)[0]
    mended_words = mended(words, pair, (HOCR / "choices-PR3-35Z.hocr").read_text())
    assert [w.text for w in mended_words][1:] == ["PR3", "3JZ"]


def test_a_place_takes_the_best_letter_the_grammar_allows_there() -> None:
    # The O's alternatives run 0, 2, I, J: I is never an inward code's letter, J is.
    words = line("Manchester", "M14", "60S")
    mended_words = mended(words, misread_postcodes(words)[0],
                          (HOCR / "choices-M14-60S.hocr").read_text())
    assert [w.text for w in mended_words][1:] == ["M14", "6JS"]


def test_a_speck_read_as_a_word_of_its_own_is_not_a_third_word() -> None:
    hocr = (HOCR / "choices-WRS-2DE.hocr").read_text()
    assert [text for text, _ in parse_choices(hocr)] == ["WRS", "2DE"]
    words = line("WRS", "2DE_", "Sth")
    assert [w.text for w in mended(words, misread_postcodes(words)[0], hocr)] == [
        "WR5", "2DE_", "Sth"]


def test_a_line_reading_that_drops_a_characters_alternatives_mends_nothing() -> None:
    # Read as a line, Tesseract lists alternatives for two of SHU's three characters; read as
    # a word, for all three, and the S's next choice is 9 (ocr.py tries the word second).
    words = line("SS8", "SHU")
    pair = misread_postcodes(words)[0]
    as_line = (HOCR / "choices-SS8-SHU-line.hocr").read_text()
    assert [len(positions) for _, positions in parse_choices(as_line)] == [3, 2]
    assert mended(words, pair, as_line) is words
    as_word = (HOCR / "choices-SS8-SHU-word.hocr").read_text()
    assert [w.text for w in mended(words, pair, as_word)] == ["SS8", "9HU"]


def test_a_reading_of_another_length_or_a_letter_for_a_letter_is_left_alone() -> None:
    hocr = (HOCR / "choices-HUS-4ES.hocr").read_text()
    # The page read four characters where the crop read three: not the same word.
    words = line("HUSS", "4ES")
    assert mended(words, misread_postcodes(words)[0], hocr) == words
    # "HXS" mended to "HU9" would change a letter for a letter (X for U): not a shape mend.
    words = line("HXS", "4ES")
    assert mended(words, misread_postcodes(words)[0], hocr) == words


def test_edge_punctuation_of_the_inward_code_is_kept() -> None:
    words = line("HUS", "4ES_")
    assert [w.text for w in mended(words, misread_postcodes(words)[0],
                                   (HOCR / "choices-HUS-4ES.hocr").read_text())] == [
        "HU9", "4ES_"]


_CHARS = st.sampled_from("ABDEHJLNPQRSTUWXYZ0123456789O")
_POSITION = st.lists(st.tuples(_CHARS, st.floats(0, 100)), min_size=1, max_size=4).map(tuple)


@given(st.lists(_POSITION, min_size=2, max_size=4), st.lists(_POSITION, min_size=3,
                                                                 max_size=3))
def test_whatever_the_choices_the_answer_is_a_postcode_or_none(outward, inward) -> None:
    found = best_postcode(outward, inward)
    assert found is None or CANONICAL_POSTCODE.match(found)
    if found:
        # Each character is one of its position's alternatives.
        for char, choices in zip(found.replace(" ", ""), outward + inward, strict=True):
            assert char in {c for c, _ in choices}


@pytest.mark.ocr
@pytest.mark.skipif(not tesseract_available(), reason="Tesseract missing")
def test_a_page_of_codes_is_read_again_for_its_first_few_pairs_only(monkeypatch) -> None:
    # Six lines that each look like a postcode with a letter where the digit must be, read by
    # real Tesseract; every second reading is counted, and only the first few pairs get one.
    image = Image.new("L", (1700, 1400), 255)
    draw = ImageDraw.Draw(image)
    face = font("sans", 46)
    for row, code in enumerate(["HXS 4ES", "PRX 3JZ", "LAX 4HT", "BBX 2DD", "FYX 6JW",
                                "WNX 3QS"]):
        draw.text((200, 150 + 180 * row), f"Reference {code}", font=face, fill=0)
    calls: list[list[str]] = []
    real = ocr._tesseract

    def counted(page, args):
        calls.append(args)
        return real(page, args)

    monkeypatch.setattr(ocr, "_tesseract", counted)
    words = parse_words(ocr._tsv(ocr.PageImage(image, 300), "3"))
    assert len(misread_postcodes(words)) > ocr.MAX_POSTCODE_REREADS
    calls.clear()
    ocr.reread_misread_postcodes(ocr.PageImage(image, 300), words)
    assert 1 <= len(calls) <= 2 * ocr.MAX_POSTCODE_REREADS
