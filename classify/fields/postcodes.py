"""UK postcodes as written and as OCR misreads them, brought to Royal Mail's form."""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from core.postcodes import CANONICAL_POSTCODE

# What a postcode may look like on the page: any case, with or without its space, and with
# the slips OCR makes (O for 0, I or l for 1, S for 5, B for 8, Z for 2, G for 6, and 0 for O
# in the letters).
# A postcode may also be split where a long line was wrapped ("... Fleetwood FY7" then "6JW"
# starting the next line): the outward code ends one line, the inward code begins the next.
POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z0-9]{2,4})(?:[ \t]?|[ \t]*\n[ \t]*)([0-9OoIilSsBZG][A-Za-z]{2})"
    r"(?![A-Za-z0-9])"
)
# The same, looser, for a postcode that ends a line shaped like an address ("Preston PRI 2AB",
# "Birmingham B12 90L"): there OCR's slips in the inward code's letters are read too.
# There OCR may also read a 1 as "!" or "|" ("LA! 4HT"), a letter of the inward code in
# lower case ("CA2 6jQ"), a speck between the halves as "_" ("TS3_ 7QE"), a 6 as G ("LE4
# GQA") and one character too many in the inward code ("1HOQ", read only where the town
# beside it names the area).
_POSTCODE_AT_LINE_END = re.compile(
    r"(?<![A-Za-z0-9!|])([A-Za-z][A-Za-z0-9!|]{1,4})(?:[ \t]?|[ \t]*_[ \t]*)"
    r"([0-9OoIilSsBZG][A-Za-z0-9]{2,3})(?P<tail>[\W_]*(?:[ \t]+[a-z]{1,2}[\W_]*)?)$"
)
# Position-aware readings of OCR's slips: a letter where a digit must be, a digit where a
# letter must be. The inward code's letters never include C I K M O V, so an O or 0 there
# is a Q ("PR2 10T" is PR2 1QT).
_AS_DIGIT = {"O": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6"}
_AS_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
_AS_INWARD_LETTER = {**_AS_LETTER, "0": "Q", "O": "Q", "3": "J", "6": "G"}
# A letter OCR reads as another letter: a lower-case l as i ("bi8" for "bl8").
_AS_OTHER_LETTER = {"I": "L"}
AREAS_FILE = Path(__file__).resolve().parents[1] / "lexicons" / "postcode_areas.toml"
# Districts ending in a letter ("SW1A", "EC2M", "W1T") are central London's alone.
_LETTERED_DISTRICTS = frozenset({"E", "EC", "N", "NW", "SE", "SW", "W", "WC"})
# A repair that drops a character OCR added ("WRS5", "1HOQ") costs more than reading one
# character as another, and is made only where the town written beside it names the area.
_DROP_COST = 1.5
# Words that say a line is prose, not an address block's line.
_PROSE_WORD = re.compile(r"(?<![\w-])(?:the|and|is|are|was|to|of|my|at|in|on|for|it|we|i|you|"
                         r"this|that|with|from|have|has|be)(?![\w-])", re.I)


class PostcodeAreasError(ValueError):
    """The postcode areas file does not fit its shape; the message names the file and place."""


@lru_cache(maxsize=1)
def postcode_areas() -> dict[str, frozenset[str]]:
    """Each postcode area and the towns written in its addresses (folded), from the data file."""
    return load_postcode_areas(AREAS_FILE)


def load_postcode_areas(path: Path) -> dict[str, frozenset[str]]:
    """The areas file read and checked: an [areas] table of area letters (as a postcode may
    begin) to lists of town names."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PostcodeAreasError(f"{path}: cannot be read as TOML: {exc}") from exc
    areas = data.get("areas")
    if not isinstance(areas, dict) or not areas:
        raise PostcodeAreasError(f"{path}: needs an [areas] table of area = [towns]")
    for area, towns in areas.items():
        if not re.fullmatch(r"[A-PR-UWYZ][A-HK-Y]?", area):
            raise PostcodeAreasError(f"{path}: areas.{area}: not the letters a postcode may "
                                     "begin with (one or two capitals)")
        if not isinstance(towns, list) or not all(isinstance(t, str) and t.strip()
                                                  for t in towns):
            raise PostcodeAreasError(f"{path}: areas.{area}: must be a list of town names")
    return {area: frozenset(_fold_place(town) for town in towns) for area, towns in areas.items()}


@lru_cache(maxsize=1)
def _areas_by_town() -> dict[str, frozenset[str]]:
    towns: dict[str, set[str]] = {}
    for area, names in postcode_areas().items():
        for name in names:
            towns.setdefault(name, set()).add(area)
    return {town: frozenset(areas) for town, areas in towns.items()}


def _fold_place(name: str) -> str:
    return " ".join(re.findall(r"[a-z']+", name.lower().replace("’", "'")))


_LONGEST_TOWN_WORDS = 5


def areas_named(text: str) -> frozenset[str]:
    """The postcode areas whose towns the text names ("Bury", "Kingston upon Hull")."""
    words = _fold_place(text).split()
    towns = _areas_by_town()
    found: set[str] = set()
    for start in range(len(words)):
        for length in range(1, _LONGEST_TOWN_WORDS + 1):
            areas = towns.get(" ".join(words[start : start + length]))
            if areas:
                found |= areas
    return frozenset(found)


def _area(postcode: str) -> str:
    return re.match(r"[A-Z]+", postcode).group(0)  # type: ignore[union-attr]


def normalise_postcode(raw: str) -> str:
    """A postcode as Royal Mail writes it ("PR2 4XT"), OCR slips mended where that is certain."""
    decoded = _decode_postcode(re.sub(r"\s+", "", raw))
    compact = re.sub(r"\s+", "", raw).upper()
    if decoded:
        return decoded
    return f"{compact[:-3]} {compact[-3:]}"


def _decode_postcode(written: str, beside: Callable[[], frozenset[str]] = frozenset,
                     outward_length: int | None = None) -> str | None:
    """The valid postcode reached from `written` with the fewest OCR corrections, if any.

    A lower-case l or o among capitals is surely a slip for 1 or 0, so mending it costs
    less than reading a capital letter as a digit. A code whose area does not exist is none.
    `beside` gives the areas whose towns are written beside the postcode, asked only when
    a reading is in doubt (the towns are looked up then, not for every postcode read): among
    readings that
    cost the same, theirs is taken ("Bury bi8" is BL8, not B18); and only there is a
    character OCR added dropped ("Worcester WRD5"), when no reading without a drop costs as
    little and one reading alone is cheapest (a letter read twice is the cheapest to drop).
    `outward_length` is where the writer's space fell, when there was one: a reading that
    moves it ("SR4 9OLT" read as SR49 0LT) costs a slip more.
    """
    def moved(length: int, code: str) -> int:
        return int(length is not None and len(code.split()[0]) != length)

    readings = [(cost + moved(outward_length, code), code)  # type: ignore[arg-type]
                for cost, code in _readings(written)]
    best = _cheapest(readings)
    least = min((cost for cost, _code in readings), default=0.0)
    if best and not any(ch.isupper() for ch in written):
        # Written in lower case, a 1 and an l look alike ("bury b18 2rt" is BL8): the town
        # beside it may outweigh one slip.
        in_town = _in_town(written, readings, best, least, beside())
        if in_town:
            return in_town
    if len(best) == 1 and least <= _DROP_COST:
        return best[0]
    named = beside()
    if best and (not named or least <= _DROP_COST):
        return next((code for code in best if _area(code) in named), best[0])
    if not named:
        return None
    dropped = []
    for index in range(len(written)):
        length = None if outward_length is None else outward_length - (index < outward_length)
        # OCR doubles a letter more often than it invents one ("5DjJ" for "5DJ").
        doubled = written[index].upper() in {written[index - 1 : index].upper(),
                                             written[index + 1 : index + 2].upper()}
        drop = _DROP_COST - 0.25 * doubled
        dropped += [(cost + drop + moved(length, code), code)  # type: ignore[arg-type]
                    for cost, code in _readings(written[:index] + written[index + 1 :])
                    if _area(code) in named]
    if not best:
        dropped += _area_letter_swapped(written, named)
    choice = _cheapest(readings + dropped)
    if best and set(choice) <= set(best):
        return next((code for code in best if _area(code) in named), best[0])
    return choice[0] if len(choice) == 1 else None


def _in_town(written: str, readings: list[tuple[float, str]], best: list[str], cheapest: float,
             named: frozenset[str]) -> str | None:
    """The one reading in an area the town names, when no cheapest reading (`best`, costing
    `cheapest`) is in one and it costs at most one slip more (a 1 read as an l counted as
    that slip)."""
    if not named or any(_area(code) in named for code in best):
        return None
    as_l = [(cost + 1, code) for cost, code in
            _readings(written[:-3].replace("1", "l").upper() + written[-3:])]
    near = {code for cost, code in readings + as_l
            if _area(code) in named and cost <= cheapest + 1}
    return near.pop() if len(near) == 1 else None


def _area_letter_swapped(written: str, named: frozenset[str]) -> list[tuple[float, str]]:
    """Readings with one letter of the area read as another ("Wigan WK1" is WN1), in an area
    the town beside it names; as dear as a dropped character."""
    swapped = []
    for index in range(min(2, len(written) - 3)):
        if not written[index].isalpha():
            continue
        for area in named:
            if len(area) > index and area[:index] == written[:index].upper() and (
                    area[index] != written[index].upper()):
                swapped += [(cost + _DROP_COST, code) for cost, code in
                            _readings(written[:index] + area[index] + written[index + 1 :])
                            if _area(code) == area]
    return swapped


def _cheapest(readings: list[tuple[float, str]]) -> list[str]:
    """The readings of least cost, in the order found (the one keeping the earlier characters
    as written first)."""
    if not readings:
        return []
    cheapest = min(cost for cost, _code in readings)
    return list(dict.fromkeys(code for cost, code in readings if cost == cheapest))


def _readings(written: str) -> list[tuple[float, str]]:
    """Every valid postcode in a real area reached from `written`, with its cost in slips."""
    if not 5 <= len(written) <= 7:
        return []
    sure_slips = {i for i, ch in enumerate(written[:-3]) if ch in "lo" and not written.islower()}
    compact = written.upper()
    outward, written_inward = compact[:-3], compact[-3:]
    inward = _AS_DIGIT.get(written_inward[0], written_inward[0]) + "".join(
        _AS_INWARD_LETTER.get(ch, ch) for ch in written_inward[1:])
    inward_cost = sum(a != b for a, b in zip(inward, written_inward, strict=True))
    options = [sorted({ch, _AS_DIGIT.get(ch, ch), _AS_LETTER.get(ch, ch),
                       _AS_OTHER_LETTER.get(ch, ch)}, key=lambda c: c != ch)
               for ch in outward]
    areas = postcode_areas()
    found: dict[str, float] = {}
    for combination in itertools.product(*options):
        candidate = f"{''.join(combination)} {inward}"
        if CANONICAL_POSTCODE.match(candidate) and (candidate == "GIR 0AA" or (
                _area(candidate) in areas and (combination[-1].isdigit()
                                               or _area(candidate) in _LETTERED_DISTRICTS))):
            changes = inward_cost + sum((0.5 if i in sure_slips else 1.0)
                                        for i, (a, b) in enumerate(zip(combination, outward,
                                                                       strict=True))
                                        if a != b)
            found[candidate] = min(changes, found.get(candidate, changes))
    return [(cost, code) for code, cost in found.items()]


_UNACCENTED = str.maketrans({
    ch: unicodedata.normalize("NFD", ch)[0] for ch in map(chr, range(0xC0, 0x17F))
    if len(unicodedata.normalize("NFD", ch)) == 2
    and unicodedata.normalize("NFD", ch)[0].isascii()})


def _mend_symbols(text: str) -> str:
    """OCR reads a scanned S as "$" ("$72 7BN", "$S8"), a J as "]" or ")" ("6]W", "6)W"), an
    E as "£" ("5£Q"), a W as "\\V", puts accents on letters and spaces in an outward code;
    the same length, so positions hold."""
    text = re.sub(r"(?<=\b[0-9])[\])](?=[A-Z]\b)", "J", text)
    text = re.sub(r"(?<=\b[0-9])£(?=[A-Z]\b)|(?<=\b[0-9][A-Z])£(?![\w£])", "E", text)
    # A 0 read as "@" where the inward code's digit stands ("BSS @QX").
    text = re.sub(r"(?<=[A-Za-z0-9] )@(?=[A-Za-z]{2}\b)", "0", text)
    # A W read as "\V" or "VV" ("3P\V"): two characters for one, so a space after it.
    text = re.sub(r"(?<=\b[0-9][A-Z])(?:\\V|VV)(?![\w\\])", "W ", text)
    # A space OCR put inside the outward code ("Wakefield WF 1 3RT"): the area's letters
    # moved up to the district's digits, the space before them, so the length holds.
    text = re.sub(r"\b([A-Z]{1,2}) ([0-9]{1,2}) (?=[0-9][A-Z]{2}\b)",
                  lambda m: f" {m.group(1)}{m.group(2)} " if m.group(1) in postcode_areas()
                  else m.group(0), text)
    # An accent OCR put on a letter ("DNi6é"): the letter alone.
    text = text.translate(_UNACCENTED)
    return re.sub(r"\$(?=[A-Z]?[0-9])", "S", text)


def find_postcodes(text: str, before: str = "") -> list[tuple[re.Match[str], str]]:
    """Every postcode in the text with its canonical form; none inside a longer token.
    `before` is what precedes the text on the page (an address block's lines above the line
    searched), read only for the towns it names."""
    found = []
    mended = _mend_symbols(text)
    before = "\n".join(before.splitlines()[-2:])
    for match in POSTCODE.finditer(mended):
        raw = match.group(1) + match.group(2)
        outward = match.group(1)
        if not re.search(r"[A-Za-z]", outward):
            continue
        # The towns beside it, looked up once and only when first asked.
        beside = _areas_beside(mended, match.start(), before)
        # Every outward code holds a digit; OCR may print it as a lower-case l or o among
        # capitals ("LAl 3QZ"), or as a capital beside a town that names the area
        # ("Nottingham NGS SFL" is NG5 5FL), but a word ("IS 2ND") is not a postcode.
        if not re.search(r"[0-9]", outward) and not (
                re.search(r"[lo]", outward) and re.sub(r"[lo]", "", outward).isupper()) and not (
                _digit_read_as_letter(outward, beside)):
            continue
        # Written in capitals or in lower case; "Ab1 2cd" is a word, not a postcode (a
        # lower-case l or o among capitals is an OCR slip for 1 or 0, not a case change).
        letters = re.sub(r"[^A-Za-z]", "", raw.replace("l", "L").replace("o", "O"))
        if not (letters.isupper() or raw.islower()):
            continue
        decoded = _decode_postcode(raw, beside)
        if decoded:
            found.append((match, decoded))
    spans = [match.span() for match, _code in found]
    more = [(match, code) for match, code in _postcodes_ending_lines(mended, before)
            if not any(match.start() < end and start < match.end() for start, end in spans)]
    return sorted(found + more, key=lambda pair: pair[0].start())


def _digit_read_as_letter(outward: str, beside: Callable[[], frozenset[str]]) -> bool:
    """An outward code in capitals whose district digit OCR read as its look-alike letter,
    after the two letters of an area that a town beside it names ("NGS" beside Nottingham;
    not a one-letter area, where "SO" after Sheffield in capitals would be S0)."""
    return (outward.isupper() and outward.isalpha() and len(outward) in (3, 4)
            and outward[2] in _AS_DIGIT and outward[:2] in beside())


def _areas_beside(text: str, at: int, before: str = "") -> Callable[[], frozenset[str]]:
    """The areas named by towns written just before a postcode: on its line or the two above
    (in `before` where the text starts closer), where an address block puts its town; looked
    up once, when first asked."""
    @cache
    def named() -> frozenset[str]:
        start = at
        for _ in range(3):
            start = text.rfind("\n", 0, max(0, start - 1))
            if start < 0:
                return areas_named(f"{before}\n{text[:at]}")
        return areas_named(text[start:at])

    return named


def _postcodes_ending_lines(text: str, before: str = "") -> list[tuple[re.Match[str], str]]:
    """Postcodes that end an address-shaped line, read with every positional slip mended:
    "Preston PRI 2AB", "Manchester Mi 6LT", "Birmingham B12 90L"."""
    found = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        match = _POSTCODE_AT_LINE_END.search(body)
        offset_here, offset = offset, offset + len(line)
        if match is None or not _address_shaped(body[: match.start()]):
            continue
        outward = re.sub(r"[!|]", "1", match.group(1))
        inward = match.group(2)[0] + match.group(2)[1:].upper()
        # The area is letters and the district's digit may be misread, but two letters
        # alone ("IS 2ND") are a word; capitals, bar OCR's lower-case l, o and i.
        capitals = re.sub(r"[loi]", "", outward + inward)
        named = _areas_beside(text, offset_here + match.start(), before)
        # One other lower-case letter is a speck read as a letter ("Worcester WR5d 2DE"),
        # dropped only where the town names the area.
        stray = sum(ch.islower() for ch in capitals)
        if not outward[0].isalpha() or stray > 1 or (stray and not named()):
            continue
        spaced = match.end(1) != match.start(2)
        decoded = _decode_postcode((outward + inward).replace("i", "I"), named,
                                   len(outward) if spaced else None)
        # At least one digit as printed, or the town beside it naming the area read: a word
        # in capitals ("HIGSON") is no postcode, but "Huddersfield HDS BTL" is HD5 8TL.
        printed_digit = bool(re.search(r"\d", outward + inward)) and (
            re.search(r"\d", outward) or len(outward) >= 3 or re.search(r"[loi]", outward))
        if decoded and (printed_digit or _area(decoded) in named()):
            whole = re.compile(re.escape(match.group(1)) + r"(?:[ \t]?|[ \t]*_[ \t]*)"
                               + re.escape(match.group(2)))
            found.append((whole.search(text, offset_here + match.start()), decoded))
    return [(m, code) for m, code in found if m is not None]


def _address_shaped(before: str) -> bool:
    """What precedes a postcode on its line is a town or a short address, not prose."""
    words = re.findall(r"[A-Za-z0-9'’-]+", before)
    # A heading lists a name and a whole address between commas ("Re: Mr Kenneth Appleyard,
    # 22 Middlesex Road, Brinnington, Stockport SKS 8EW"): more words, no prose.
    most = 14 if before.count(",") >= 2 else 8
    return len(words) <= most and not _PROSE_WORD.search(before) and not re.search(
        r"[.!?]\s|:\s(?!\s*(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b)", before)
