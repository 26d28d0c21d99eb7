"""The hazard and vulnerability lexicons: data files (classify/lexicons/*.toml) read, checked
and compiled into rules of lemma terms that `classify.spans` matches over tokens.

A lexicon is data a landlord's staff may change without touching code; a file that does not
fit is refused on load with the place and the reason.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from classify.nlp import load_lemma_tables, load_tokenizer

LEXICON_DIR = Path(__file__).parent / "lexicons"
HAZARD_FILE = LEXICON_DIR / "hazards.toml"
VULNERABILITY_FILE = LEXICON_DIR / "vulnerability.toml"
CONTEXT_FILE = LEXICON_DIR / "context.toml"
_RULE_KEYS = {"any", "all", "window", "unless", "unless_window", "negatable", "regex",
              "ordered"}


class LexiconError(ValueError):
    """A lexicon file does not fit its shape; the message names the file and the place."""


@dataclass(frozen=True)
class Word:
    """One word of a term: it matches a token whose text or one of whose lemmas it is."""

    text: str
    prefix: bool = False

    @property
    def forms(self) -> frozenset[str]:
        """What a token's forms must hold: the word as written ("come" matches "came", whose
        lemma it is; "came" matches "came" only)."""
        return frozenset({self.text})


Term = tuple[Word, ...]


@dataclass(frozen=True)
class Rule:
    """`slots` of alternative terms that must all occur within `window` tokens; or a regex."""

    slots: tuple[tuple[Term, ...], ...]
    window: int = 0
    unless: tuple[Term, ...] = ()
    unless_window: int = 3
    negatable: bool = True
    ordered: bool = False
    regex: re.Pattern[str] | None = None
    where: str = ""


@dataclass(frozen=True)
class Family:
    """A hazard type (or vulnerability cue) and the rules that raise it."""

    type: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Lexicon:
    """Families in order of urgency, most urgent first."""

    families: tuple[Family, ...]

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(family.type for family in self.families)


@dataclass(frozen=True)
class Context:
    """What makes a match not a report of something there now (context.toml)."""

    clause_breaks: tuple[Term, ...]
    contrast_breaks: tuple[Term, ...]
    negation_before: tuple[Term, ...]
    negation_before_near: tuple[Term, ...]
    negation_window: int
    negation_near_window: int
    negation_after: tuple[Term, ...]
    negation_after_window: int
    remedy_between: tuple[Term, ...]
    hypothetical: tuple[Term, ...]
    hypothetical_window: int
    real_despite: tuple[Term, ...]
    resolved: tuple[Term, ...]
    undone_by: tuple[Term, ...]
    past_before: tuple[Term, ...]
    past_window: int
    undone_window: int
    recurrence: tuple[Term, ...]


def normalise(text: str) -> str:
    """Lower case with typographic apostrophes made plain, as tokens and terms are compared."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


_OCR_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s"})


@lru_cache(maxsize=200_000)
def token_forms(word: str) -> frozenset[str]:
    """A token's forms: its lemmas, and those of its OCR-mended reading when a scan has
    misread letters ("b1ack rnou1d" is "black mould": 0/1/5 for o/l/s inside a word, "rn"
    for "m"). The mended reading is added, never put in place of the text."""
    forms = set(lemma_forms(word))
    if any(c.isalpha() for c in word) and (any(c in "015" for c in word) or "rn" in word):
        mended = word.translate(_OCR_DIGITS)
        for candidate in {mended, mended.replace("rn", "m")}:
            if candidate != word and candidate.isalpha():
                forms |= lemma_forms(candidate)
    return frozenset(forms)


@lru_cache(maxsize=200_000)
def lemma_forms(word: str) -> frozenset[str]:
    """The word and every lemma spaCy's English rule tables give it as a noun, verb or adj.

    The tagger is never run (it would cost more than the whole of extraction): each part of
    speech's lemma is kept, so "leaves" matches both "leaf" and "leave".
    """
    forms = {word}
    for pos, (rules, exceptions, index) in load_lemma_tables().items():
        del pos
        if word in exceptions:
            forms.update(exceptions[word])
            continue
        for old, new in rules:
            if word.endswith(old):
                form = word[: len(word) - len(old)] + new
                if form and form in index:
                    forms.add(form)  # the first the rules reach, as spaCy takes ("rates"
                    break            # is "rate", never "rat")
    return frozenset(forms)


@lru_cache(maxsize=20_000)
def parse_term(text: str) -> Term:
    """A term as written ("come off", "mould*", "can't keep warm") into words."""
    words: list[Word] = []
    for piece in text.split():
        if piece.endswith("*") and len(piece) > 1:
            words.append(Word(normalise(piece[:-1]), prefix=True))
            continue
        tokens = list(load_tokenizer().tokenizer(piece))
        for i, token in enumerate(tokens):
            if token.text == "-" and 0 < i < len(tokens) - 1:
                continue  # "light-fitting" is matched as "light fitting"
            words.append(Word(normalise(token.text)))
    if not words:
        raise LexiconError(f"empty term {text!r}")
    return tuple(words)


def _terms(values: Any, groups: dict[str, list[str]], where: str) -> tuple[Term, ...]:
    if not isinstance(values, list) or not values:
        raise LexiconError(f"{where}: expected a non-empty list of terms")
    terms: list[Term] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise LexiconError(f"{where}: a term must be a non-empty string, not {value!r}")
        if value.startswith("@"):
            if value[1:] not in groups:
                raise LexiconError(f"{where}: unknown group {value!r}")
            terms.extend(parse_term(v) for v in groups[value[1:]])
        else:
            terms.append(parse_term(value))
    return tuple(dict.fromkeys(terms))


def _rule(raw: Any, groups: dict[str, list[str]], where: str) -> Rule:
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: a rule is a table")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise LexiconError(f"{where}: unknown keys {sorted(unknown)}")
    kinds = [key for key in ("any", "all", "regex") if key in raw]
    if len(kinds) != 1:
        raise LexiconError(f"{where}: a rule has exactly one of any, all or regex")
    unless = _terms(raw["unless"], groups, f"{where}.unless") if "unless" in raw else ()
    common = {"unless": unless, "unless_window": int(raw.get("unless_window", 3)),
              "negatable": bool(raw.get("negatable", True)),
              "ordered": bool(raw.get("ordered", False)), "where": where}
    if "regex" in raw:
        try:
            pattern = re.compile(str(raw["regex"]), re.IGNORECASE)
        except re.error as exc:
            raise LexiconError(f"{where}: bad regex: {exc}") from exc
        return Rule(slots=(), regex=pattern, **common)
    if "any" in raw:
        return Rule(slots=(_terms(raw["any"], groups, f"{where}.any"),), **common)
    slots = raw["all"]
    if not isinstance(slots, list) or len(slots) < 2:
        raise LexiconError(f"{where}.all: at least two slots")
    window = raw.get("window")
    if not isinstance(window, int) or window < 1:
        raise LexiconError(f"{where}: an `all` rule needs a window of at least 1 token")
    return Rule(slots=tuple(_terms(slot, groups, f"{where}.all[{i}]")
                            for i, slot in enumerate(slots)), window=window, **common)


def _families(raw: dict[str, Any], key: str, order: list[str], path: Path) -> Lexicon:
    groups = raw.get("groups") or {}
    families = []
    seen = set()
    for number, entry in enumerate(raw.get(key) or [], 1):
        kind = entry.get("type")
        if not isinstance(kind, str) or kind in seen:
            raise LexiconError(f"{path.name}: {key} {number}: missing or repeated type")
        seen.add(kind)
        rules = entry.get("rule") or []
        if not rules:
            raise LexiconError(f"{path.name}: {kind}: no rules")
        families.append(Family(kind, tuple(
            _rule(rule, groups, f"{path.name}: {kind} rule {i}") for i, rule in
            enumerate(rules, 1))))
    if sorted(order) != sorted(seen) or len(order) != len(set(order)):
        raise LexiconError(f"{path.name}: the order {order} must name each type once: "
                           f"{sorted(seen)}")
    by_type = {family.type: family for family in families}
    return Lexicon(tuple(by_type[kind] for kind in order))


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"{path}: {exc}") from exc


@lru_cache(maxsize=4)
def load_hazard_lexicon(path: Path = HAZARD_FILE) -> Lexicon:
    """The hazard families, most urgent first (`urgency` in the file)."""
    raw = _read(path)
    return _families(raw, "hazard", list(raw.get("urgency") or []), path)


@lru_cache(maxsize=4)
def load_vulnerability_lexicon(path: Path = VULNERABILITY_FILE) -> Lexicon:
    """The vulnerability cues in the order an officer reads them (`order` in the file)."""
    raw = _read(path)
    return _families(raw, "cue", list(raw.get("order") or []), path)


@lru_cache(maxsize=4)
def load_context(path: Path = CONTEXT_FILE) -> Context:
    """Negation, hypotheticals and faults put right, as terms."""
    raw = _read(path)
    try:
        negation, hypothetical, resolved = (raw["negation"], raw["hypothetical"],
                                            raw["resolved"])
        name = path.name
        return Context(
            clause_breaks=_terms(raw["clause_breaks"], {}, f"{name}: clause_breaks"),
            contrast_breaks=_terms(raw["contrast_breaks"], {}, f"{name}: contrast_breaks"),
            negation_before=_terms(negation["before"], {}, f"{name}: negation.before"),
            negation_before_near=_terms(negation["before_near"], {},
                                        f"{name}: negation.before_near"),
            negation_window=int(negation["window"]),
            negation_near_window=int(negation["near_window"]),
            negation_after=_terms(negation["after"], {}, f"{name}: negation.after"),
            negation_after_window=int(negation["after_window"]),
            remedy_between=_terms(negation["remedy_between"], {},
                                  f"{name}: negation.remedy_between"),
            hypothetical=_terms(hypothetical["before"], {}, f"{name}: hypothetical.before"),
            hypothetical_window=int(hypothetical["window"]),
            real_despite=_terms(hypothetical["real_despite"], {},
                                f"{name}: hypothetical.real_despite"),
            resolved=_terms(resolved["cues"], {}, f"{name}: resolved.cues"),
            undone_by=_terms(resolved["undone_by"], {}, f"{name}: resolved.undone_by"),
            past_before=_terms(resolved["past_before"], {}, f"{name}: resolved.past_before"),
            past_window=int(resolved["past_window"]),
            undone_window=int(resolved["undone_window"]),
            recurrence=_terms(resolved["recurrence"], {}, f"{name}: resolved.recurrence"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, LexiconError):
            raise
        raise LexiconError(f"{path.name}: missing or malformed {exc}") from exc
