"""Lexicon rules matched over an item's own words: which parts of the text are read (not a
reply's quoted history), tokens with their lemmas, and the context that unsays a match
(negation, a hypothetical, a fault since put right).

Everything here is plain data in, plain data out; offsets index the text given, so evidence
is always an exact substring of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classify.lexicon import Context, Family, Lexicon, Rule, Term, normalise, token_forms
from classify.nlp import load_tokenizer

# A reply's quoted history starts at these lines (as classify/text.py cuts it for the model).
_HISTORY_START = re.compile(
    r"^\s*(?:On .{4,200}wrote:\s*$|-{2,}\s*Original Message\s*-{2,}|From:\s.+$|_{10,}\s*$)",
    re.IGNORECASE)
_QUOTED_LINE = re.compile(r"^\s*>")
# Forwarded words are the matter itself (a councillor forwarding a resident's email).
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw)\s*:", re.IGNORECASE)
_FORWARD_MARK = re.compile(
    r"forwarded message|begin forwarded message|\bforward(?:ed|ing)\b|\bsee (?:the )?(?:email|"
    r"message|messages|emails|below)\b|\bemail below\b|\bmessage below\b|\bbelow from\b",
    re.IGNORECASE)
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*•·▪‣]|\d{1,2}[.)])\s)")
_HYPOTHETICAL_BREAKS = frozenset({",", ".", "!", "?", ";", ":"})
_COORDINATION = frozenset({"or", "nor"})
_PRONOUNS = frozenset({"it", "they", "this", "that", "these", "those", "its", "it's"})


@dataclass(frozen=True)
class Tok:
    """One token: its lower-case text, lemma forms, and where it is in the text."""

    lower: str
    forms: frozenset[str]
    start: int
    end: int


@dataclass(frozen=True)
class Match:
    """A rule matched in a sentence: the token span and the tokens its terms took."""

    family: str
    rule: Rule
    first: int
    last: int
    taken: frozenset[int]


class TermIndex:
    """Every term of a lexicon and its context, indexed by its first word, so that one pass
    over a sentence's tokens finds all of them (far cheaper than a pass per term)."""

    def __init__(self, terms: set[Term]) -> None:
        self.exact: dict[str, list[Term]] = {}
        self.prefix: dict[str, list[Term]] = {}
        for term in terms:
            head = term[0]
            if head.prefix:
                self.prefix.setdefault(head.text[:2], []).append(term)
            else:
                self.exact.setdefault(head.text, []).append(term)

    def scan(self, toks: list[Tok]) -> dict[int, list[tuple[int, int]]]:
        """Each term found in the tokens (by its `id`: terms are interned by `parse_term`
        and live as long as their lexicon), with its (first, last) positions."""
        found: dict[int, list[tuple[int, int]]] = {}
        for start, tok in enumerate(toks):
            candidates = [t for form in tok.forms for t in self.exact.get(form, ())]
            candidates += [t for t in self.prefix.get(tok.lower[:2], ())
                           if tok.lower.startswith(t[0].text)]
            for term in candidates:
                end = start + len(term) - 1
                if end < len(toks) and all(_word_fits(word, toks[start + k])
                                           for k, word in enumerate(term[1:], 1)):
                    found.setdefault(id(term), []).append((start, end))
        return found


_TERM_SETS: dict[int, tuple[tuple[Term, ...], frozenset[int]]] = {}


def term_set(terms: tuple[Term, ...]) -> frozenset[int]:
    """The terms' ids as a set, kept for the life of the (cached) lexicon tuple."""
    kept = _TERM_SETS.get(id(terms))
    if kept is None or kept[0] is not terms:
        kept = (terms, frozenset(map(id, terms)))
        _TERM_SETS[id(terms)] = kept
    return kept[1]


@dataclass
class Sentence:
    """A sentence's tokens, and where each lexicon term occurs in them."""

    toks: list[Tok]
    found: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    _positions: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def occurrences(self, term: Term) -> list[tuple[int, int]]:
        """Every (first, last) token position where the term occurs."""
        return self.found.get(id(term), [])

    def positions(self, terms: tuple[Term, ...]) -> list[tuple[int, int]]:
        """Where any of the terms occurs, in order."""
        if not self.found:
            return []
        known = self._positions.get(id(terms))
        if known is None:
            present = self.found.keys() & term_set(terms)
            known = sorted({span for key in present for span in self.found[key]})
            self._positions[id(terms)] = known
        return known


def _word_fits(word, tok: Tok) -> bool:
    if word.prefix:
        return tok.lower.startswith(word.text)
    return word.text in tok.forms


def reading_ranges(subject: str, body: str) -> list[tuple[str, int, int]]:
    """The parts read for hazards: the subject, and the body's own words (a reply's quoted
    history and "> " lines left out; a forwarded message's words kept)."""
    ranges: list[tuple[str, int, int]] = []
    if subject.strip():
        ranges.append(("subject", 0, len(subject)))
    forwarded = bool(_FORWARD_SUBJECT.match(subject))
    offset = 0
    in_history = False
    for line in body.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        if not forwarded and _FORWARD_MARK.search(line):
            forwarded = True
            in_history = False
        if not forwarded and start > 0 and _HISTORY_START.match(line):
            in_history = True
        if in_history or _QUOTED_LINE.match(line) or not line.strip():
            continue
        if ranges and ranges[-1][0] == "body" and ranges[-1][2] == start:
            ranges[-1] = ("body", ranges[-1][1], offset)
        else:
            ranges.append(("body", start, offset))
    return ranges


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraphs and list items within [start, end): no sentence runs across them."""
    blocks, cursor = [], start
    for found in _BLOCK_BREAK.finditer(text, start, end):
        blocks.append((cursor, found.start()))
        cursor = found.end()
    blocks.append((cursor, end))
    return [(a, b) for a, b in blocks if text[a:b].strip()]


def sentences(text: str, ranges: list[tuple[int, int]], index: TermIndex | None = None
              ) -> list[Sentence]:
    """Sentences of the given parts of `text`, tokens carrying their offsets into it."""
    spans = [block for start, end in ranges for block in _blocks(text, start, end)]
    docs = load_tokenizer().pipe(text[a:b] for a, b in spans)
    found = []
    for (offset, _end), doc in zip(spans, docs, strict=True):
        for sent in doc.sents:
            toks = []
            for i, token in enumerate(sent):
                if token.is_space:
                    continue
                if (token.text == "-" and not token.whitespace_ and i > 0
                        and not sent[i - 1].whitespace_):
                    continue  # "light-fitting" reads as "light fitting"
                lower = normalise(token.text)
                toks.append(Tok(lower, token_forms(lower), offset + token.idx,
                                offset + token.idx + len(token.text)))
            if toks:
                found.append(Sentence(toks, index.scan(toks) if index else {}))
    return found


def rule_matches(sentence: Sentence, family: Family, rule: Rule) -> list[Match]:
    """Where the rule matches: every slot within the window, nothing in `unless` nearby."""
    per_slot = []
    for slot in rule.slots:
        spans = sentence.positions(slot)
        if not spans:
            return []
        per_slot.append(spans)
    matches: list[Match] = []
    for anchor_slot, anchors in enumerate(per_slot):
        for anchor in anchors:
            chosen = _nearest_set(anchor, anchor_slot, per_slot, rule.window)
            if chosen is None or (rule.ordered and _out_of_order(chosen, anchor_slot)):
                continue
            taken = frozenset(i for a, b in chosen for i in range(a, b + 1))
            match = Match(family.type, rule, min(a for a, _ in chosen),
                          max(b for _, b in chosen), taken)
            if not _excepted(sentence, match) and match not in matches:
                matches.append(match)
        if len(rule.slots) == 1:
            break
    # A match holding a tighter one of the same rule is that one read too widely.
    return [m for m in matches if not any(
        m.first <= o.first and o.last <= m.last and o.last - o.first < m.last - m.first
        for o in matches)]


def _nearest_set(anchor: tuple[int, int], anchor_slot: int,
                 per_slot: list[list[tuple[int, int]]], window: int
                 ) -> list[tuple[int, int]] | None:
    chosen = [anchor]
    used = set(range(anchor[0], anchor[1] + 1))
    for slot, spans in enumerate(per_slot):
        if slot == anchor_slot:
            continue
        free = [s for s in spans if not used & set(range(s[0], s[1] + 1))]
        if not free:
            return None
        best = min(free, key=lambda s: abs(s[0] - anchor[0]))
        chosen.append(best)
        used |= set(range(best[0], best[1] + 1))
    if max(a for a, _ in chosen) - min(a for a, _ in chosen) > window and len(chosen) > 1:
        return None
    return chosen


def _out_of_order(chosen: list[tuple[int, int]], anchor_slot: int) -> bool:
    """`chosen` holds the anchor first, then the other slots in order: put back in slot order,
    their positions must rise."""
    in_slot_order = [*chosen[1:anchor_slot + 1], chosen[0], *chosen[anchor_slot + 1:]]
    starts = [a for a, _ in in_slot_order]
    return starts != sorted(starts)


def _excepted(sentence: Sentence, match: Match) -> bool:
    if not match.rule.unless:
        return False
    low, high = match.first - match.rule.unless_window, match.last + match.rule.unless_window
    return any(a <= high and b >= low for a, b in sentence.positions(match.rule.unless))


def _breaks_between(breaks: list[tuple[int, int]], low: int, high: int) -> bool:
    return any(low < a < high or low < b < high for a, b in breaks)


class Reader:
    """The context checks over one sentence, as context.toml defines them."""

    def __init__(self, sentence: Sentence, context: Context) -> None:
        self.s, self.c = sentence, context
        self.breaks = sentence.positions(context.clause_breaks)
        self.contrasts = sentence.positions(context.contrast_breaks)
        self.stops = [(i, i) for i, tok in enumerate(sentence.toks)
                      if tok.lower in _HYPOTHETICAL_BREAKS] + self.contrasts

    def unsaid(self, match: Match) -> str | None:
        """Why the match does not report something there now, or None when it does."""
        if match.rule.negatable and self._negated(match):
            return "negated"
        if self._hypothetical(match):
            return "hypothetical"
        if self._resolved(match):
            return "resolved"
        return None

    def _cue_before(self, terms: tuple[Term, ...], match: Match, window: int,
                    breaks: list[tuple[int, int]], *, coordinated: bool = False
                    ) -> int | None:
        first = self._coordination_start(match.first) if coordinated else match.first
        for a, b in self.s.positions(terms):
            if b < first and first - b <= window and not (
                    set(range(a, b + 1)) & match.taken) and not _breaks_between(
                    breaks, b, first):
                return a
        return None

    def _coordination_start(self, first: int) -> int:
        """Where a list joined by "or"/"nor" starts: "no mould or damp" denies both."""
        for _ in range(2):
            if first >= 2 and self.s.toks[first - 1].lower in _COORDINATION:
                first -= 2
        return first

    def _negated(self, match: Match) -> bool:
        c = self.c
        remedies = self.s.positions(c.remedy_between)
        for terms, window in ((c.negation_before_near, c.negation_near_window),
                              (c.negation_before, c.negation_window)):
            cue = self._cue_before(terms, match, window, self.breaks, coordinated=True)
            if cue is not None and not any(cue < a and b < match.first for a, b in remedies):
                return True
        return any(match.last < a and a - match.last <= c.negation_after_window
                   and not _breaks_between(self.breaks, match.last, a)
                   for a, _b in self.s.positions(c.negation_after))

    def _hypothetical(self, match: Match) -> bool:
        cue = self._cue_before(self.c.hypothetical, match, self.c.hypothetical_window,
                               self.stops)
        if cue is None:
            return False
        end = min([a for a, _ in self.stops if a > match.last], default=len(self.s.toks))
        return not any(cue <= a and b < end and not (set(range(a, b + 1)) & match.taken)
                       for a, b in self.s.positions(self.c.real_despite))

    def _resolved(self, match: Match) -> bool:
        low = max([b for _, b in self.contrasts if b < match.first], default=-1)
        high = self._clause_end(match.last)
        cues = [(a, b) for a, b in self.s.positions(self.c.resolved)
                if low < a and b < high and not (set(range(a, b + 1)) & match.taken)]
        past = self._cue_before(self.c.past_before, match, self.c.past_window, self.contrasts)
        if past is not None:
            cues.append((past, match.first - 1))
        undone = self.s.positions(self.c.undone_by)
        settled = [(a, b) for a, b in cues if not any(
            ub < a and a - ub <= self.c.undone_window for _ua, ub in undone)]
        if not settled:
            return False
        covered = {i for a, b in cues for i in range(a, b + 1)}
        return not any(low < a and b < high and not (set(range(a, b + 1)) & covered)
                       and not (set(range(a, b + 1)) & match.taken)
                       for a, b in self.s.positions(self.c.recurrence))

    def _clause_end(self, last: int) -> int:
        """Where the match's clause ends; a next clause that goes on about the same thing
        ("..., but it has come back") belongs to it."""
        ends = sorted(a for a, _ in self.contrasts if a > last)
        if not ends:
            return len(self.s.toks)
        following = [tok.lower for tok in self.s.toks[ends[0] + 1:ends[0] + 4]]
        if _PRONOUNS & set(following):
            return ends[1] if len(ends) > 1 else len(self.s.toks)
        return ends[0]

    def evidence_span(self, match: Match, reach: int = 8) -> tuple[int, int]:
        """The match widened to its clause (at most `reach` tokens each way), as offsets."""
        first = max([b + 1 for _, b in self.breaks if b < match.first]
                    + [0, match.first - reach])
        last = min([a - 1 for a, _ in self.breaks if a > match.last]
                   + [len(self.s.toks) - 1, match.last + reach])
        return self.s.toks[first].start, self.s.toks[last].end


@dataclass(frozen=True)
class Found:
    """A family found in the text: the evidence's offsets, or why it was set aside."""

    type: str
    start: int
    end: int
    unsaid: str | None = None


def find_in_text(text: str, ranges: list[tuple[int, int]], lexicons: tuple[Lexicon, ...],
                 context: Context) -> list[list[Found]]:
    """Each lexicon's matches in these parts of `text` (tokenised once for all of them), in
    text order, each with the context's verdict (None when it reports something there now)."""
    results: list[list[Found]] = [[] for _ in lexicons]
    index, heads = _index_of(lexicons, context)
    for sentence in sentences(text, ranges, index):
        if not sentence.found:
            continue
        # Only a rule one of whose first slot's terms occurs here can match (rule_matches
        # finds nothing without every slot); the rest are skipped, in the same order.
        live = {rule for key in sentence.found for rule in heads.get(key, ())}
        reader = Reader(sentence, context)
        for found, lexicon in zip(results, lexicons, strict=True):
            for family in lexicon.families:
                for rule in family.rules:
                    if id(rule) not in live:
                        continue
                    for match in rule_matches(sentence, family, rule):
                        start, end = reader.evidence_span(match)
                        found.append(Found(family.type, start, end, reader.unsaid(match)))
    for found, lexicon in zip(results, lexicons, strict=True):
        for family in lexicon.families:
            for rule in family.rules:
                if rule.regex is None:
                    continue
                for start, end in ranges:
                    found.extend(Found(family.type, m.start(), m.end())
                                 for m in rule.regex.finditer(text, start, end))
        found.sort(key=lambda f: (f.start, f.end))
    return results


_INDEXES: dict[tuple[int, ...],
               tuple[tuple[Lexicon, ...], Context, TermIndex, dict[int, set[int]]]] = {}


def _index_of(lexicons: tuple[Lexicon, ...], context: Context
              ) -> tuple[TermIndex, dict[int, set[int]]]:
    """The term index of some lexicons with their context, built once for them, and for
    each term (by `id`) the word rules (by `id`) whose first slot holds it."""
    key = (*map(id, lexicons), id(context))
    kept = _INDEXES.get(key)
    if kept is None or kept[0] != lexicons or kept[1] is not context:
        terms = {term for lexicon in lexicons for family in lexicon.families
                 for rule in family.rules for group in (*rule.slots, rule.unless)
                 for term in group}
        terms |= {term for value in vars(context).values() if isinstance(value, tuple)
                  for term in value}
        heads: dict[int, set[int]] = {}
        for lexicon in lexicons:
            for family in lexicon.families:
                for rule in family.rules:
                    if rule.regex is None and rule.slots:
                        for term in rule.slots[0]:
                            heads.setdefault(id(term), set()).add(id(rule))
        kept = (lexicons, context, TermIndex(terms), heads)
        _INDEXES[key] = kept
    return kept[2], kept[3]
