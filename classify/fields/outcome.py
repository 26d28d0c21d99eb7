"""What the writer asks for, in their own words: the run of sentences that asks most plainly."""

from __future__ import annotations

import re

from classify.fields.patterns import NAME_WORD, SIGN_OFF

# What residents write when they ask for something, strongest first: "I want ...", "I would
# like ..." (3); "Please send ...", "Can you ...", "... should be changed" (2); a question
# about what to do, "How do I ...?" (1).
_LIKE = r"(?:like|1ike|l1ke|love|appreciate|prefer|wish)"
_ASK_STRONG = re.compile(
    rf"\b(?:I|we|he|she|they)\s+(?:would|should|'d)\s+{_LIKE}\b|\b(?:I|we|he|she|they)'d\s+{_LIKE}\b|"
    r"(?<!\bdon't )(?<!\bdo not )(?<!\bnot )(?<!\bdo )(?<!\bdid )(?<!\bshould )"
    r"\b(?:I|we|aa)\s+(?:also\s+|just\s+|really\s+|now\s+|humbly\s+|respectfully\s+|"
    r"formally\s+|still\s+|therefore\s+|simply\s+|only\s+)?"
    r"(?:want|wish|need\s+(?:you|someone|somebody|an?\s+\w+\s+to)|expect|request|require|"
    r"demand|ask|insist|invite|urge)\b"
    r"(?!\s+(?:him|her|them|whether|if)\b)|"
    r"\b(?:I|we)\s+(?:am|are)\s+(?:now\s+|therefore\s+|simply\s+)?(?:asking|requesting|seeking)\b|"
    r"\b(?:write|writing)\s+to\s+ask\b|\band\s+ask\s+(?:for|that|you)\b|"
    r"\b(?:and|but)\s+(?:would|should|'d)\s+(?:like|appreciate)\b|"
    r"\b(?:grateful|obliged|glad|pleased|happy)\s+if\b|"
    r"\bwhat (?:I|we) want\b|\ball (?:I|we) want\b|\bwhat\s+needs\s+to\s+happen\b|"
    r"\b(?:I|we)\s+(?:would|must|should)\s+(?:ask|request|urge)\b|"
    r"\b(?:I|we)(?:\s+(?:am|are)|\s*['’](?:m|re))\s+(?:hoping\s+(?:that\s+)?"
    r"(?:you|someone|somebody)|asking)\b|"
    # A heading of its own: "Outcome wanted:", "Resolution sought:" (OCR's "Qutcome").
    r"\b(?:[OQ0]utcome|resolution|remedy)\s+(?:wanted|sought|requested|required)\b|"
    r"\bdesired\s+outcome\s*:|"
    # A run-in heading that asks: "What our client is asking for:", "Actions requested prior
    # to discharge:", "What Jordan wants:".
    r"^[\w'’ /-]{0,40}?\b(?:is\s+asking\s+for|are\s+asking\s+for|wants?|requested|"
    r"requests|would\s+like)\b[\w'’ /-]{0,30}:|\b(?:I|we)\s+(?:hope|trust)\s+"
    r"(?:that\s+)?(?:you|someone|somebody|this|it)\b|\bwould\s+welcome\b|"
    r"\bwould\s+it\s+be\s+possible\b|\bwould\s+be\s+(?:good|great|helpful|nice|"
    r"appreciated)\s+(?:if|to)\b|\bmy\s+request\s+is\b|"
    rf"(?-i:\b(?:[Oo]ur client|[Mm]y client|[Tt]he client|[Mm]y constituent|[Oo]ur constituent|"
    rf"[Tt]he family|[Hh]e|[Ss]he|[Tt]hey|(?:Mr|Mrs|Ms|Miss|"
    rf"Cllr|Councillor)\.?\s+{NAME_WORD}|{NAME_WORD})\s+(?:wants|would\s+{_LIKE}|requires|needs|"
    r"asks|is asking|would ask|wishes)\b)",
    re.I,
)
_ASK = re.compile(
    r"\bplease\b|\bP1ease\b|\bkindly\b|"
    r"\b(?:can|could|would|will)\s+(?:you|yous|youse|ye|someone|somebody|an?\s+\w+|"
    r"the\s+\w+)\b|"
    r"\b(?:should|must|needs?\s+to)\s+be\s+(?:changed|reduced|withdrawn|rewritten|scrapped|"
    r"reviewed|removed|cancelled|refunded|replaced|fixed|repaired|stopped|dropped|lowered|"
    r"capped|reversed|overturned|looked\s+at|disciplined|reprimanded|sacked|dealt\s+with|"
    r"put\s+right|sorted|treated|investigated)\b|"
    r"\b(?:someone|somebody|you)\s+(?:needs?\s+to|should|must)\b(?!\s+have\b)|\bneed\s+someone\b|"
    r"\bescalate\b|\b(?:I|we)\s+want\b|\byou\s+(?:need|have)\s+to\b|"
    r"\bneeds?\s+(?:fixing|sorting|replacing|repairing|doing|looking\s+at|to\s+be\s+\w+ed)\b|"
    r"\bis\s+there\s+any\s+(?:chance|way)\b|"
    # Phone shorthand and clipped asks: "pls send sum1", "Want the window looked at",
    # "can it be knocked back down".
    r"\bpl[sz]e?\b|^\W*(?:want|need)\s+(?:it|them|this|that|the|an?|my|our|some(?:one|body)|sum1)\b|"
    r"\b(?:can|could)\s+(?:it|this|that|they)\s+be\b",
    re.I,
)
_ASK_QUESTION = re.compile(
    r"\bcan I\b|\bhow (?:do|can|should|would) (?:I|we)\b|\bwhat (?:should|do) (?:I|we) do\b|"
    r"\bdo (?:I|we) need\b|\bis (?:it|there) (?:possible|a way)\b|\bwho (?:do|should) I\b|"
    r"\bwhen will\b|\bis\s+possible\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(?:please[ ,]+)?(?:sort|fix|get|send|stop|replace|repair|come|make|take|give|tell|"
    r"arrange|remove|clear|put|cancel|escalate|refund|reduce|change|treat|book|review|"
    r"request)\b",
    re.I,
)
# Not asks for the outcome: how to reach the writer, pleasantries, and introductions.
_CONTACT_REQUEST = re.compile(
    r"(?:,?\s*(?:and\s+|or\s+|so\s+)?(?:please\s+)?(?:do\s+)?(?:call|ring|phone|telephone|e-?mail|"
    r"text|contact|write to)\s+(?:me|us|him|her|them|(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z]\w+|"
    r"(?:the|this|our)\s+(?:centre|center|office|team|service))\b[^.!?]*)|"
    r"\bgive\s+(?:me|us)\s+a\s+(?:bell|ring|call|buzz)\b[^.!?]*|"
    r"\bdrop\s+(?:me|us)\s+(?:an?\s+)?(?:e-?mail|line|text|message)\b[^.!?]*|"
    r"\bplease\s+(?:find|see|note|be\s+aware)\b[^.!?]*|\bif\s+(?:any|you\s+have|these)\b[^.!?]*|"
    r"\bdo\s+not\s+reply\b[^.!?]*|\bI\s+hope\s+(?:this|that|it)\s+(?:makes\s+sense|helps|is\s+"
    r"(?:clear|ok|okay|alright|all\s+right))\b[^.!?]*|\bhope\s+(?:this|it)\s+finds\s+you\b[^.!?]*|"
    r"\bI\s+am\s+not\s+asking\b[^.!?]*?(?=\bI\s+am\s+asking|$)|"
    r"\bnot\s+asking\s+(?:you|for)\b[^.,!?]*|\bthank\s+you\s+for\s+your\b[^.!?]*|"
    r"\b(?:would|should|'d)\s+like\s+to\s+(?:complain|report|make\s+a\s+(?:formal\s+)?"
    r"complaint|say|thank|raise|register)\b(?!\s+and\s+(?:get|have|receive|see|be)\b)|"
    r"\b(?:wants?|wish(?:es)?)\s+to\s+(?:complain|report|make\s+a\s+(?:formal\s+)?complaint|raise|"
    r"register|say|let\s+you|tell|inform|thank|commend|draw|bring)\b"
    r"(?!\s+and\s+(?:get|have|receive|see|be)\b)",
    re.I,
)

# Requests about the handling of the letter, not the outcome sought: "we should be grateful if
# you would let us know if this is acceptable", "please treat this as a formal complaint".
_COURTESY = re.compile(
    r"\btreat\s+(?:this|my|our|the)\s+(?:letter\s+|e-?mail\s+)?as\s+an?\s+(?:formal\s+|"
    r"stage\s+\w+\s+)?complaint\b|\backnowledge\s+(?:this|receipt|my|our)\b|"
    r"\brespond\s+(?:in\s+accordance|within)\b|\blet\s+(?:me|us)\s+know\s+(?:if|whether)\b|"
    r"\bkeep\s+(?:me|us)\s+(?:informed|updated|posted)\b|\bcopy\s+(?:any|all|us|me)\b|"
    r"\bconfirm\s+(?:that\s+this\s+has|receipt)\b|\b(?:your|a)\s+(?:response|reply)\s+"
    r"(?:within|to\s+this)\b|"
    # How to answer, not what is wanted: "reply by letter to the address above", "no phone
    # calls after 8 please", "my number is ... if you need to ring".
    r"\breply\s+(?:to\s+)?(?:me\s+)?(?:by|in)\s+(?:letter|post|writing|e-?mail)\b|"
    r"\b(?:rather\s+than|instead\s+of)\s+(?:write|writing|ring|call|phon|e-?mail|letter)|"
    r"\bprefer\w*\s+(?:not\s+)?(?:that\s+)?(?:all\s+)?(?:contact|communication|correspondence|calls|"
    r"letters|to\s+be\s+(?:contacted|called|written))\b|"
    r"\bno\s+(?:phone\s+)?calls\b|\bmy\s+(?:phone\s+|telephone\s+|mobile\s+)?number\s+is\b|"
    r"\b(?:hours?|days?)['’]?\s+notice\b|\bnotice\s+by\s+(?:e-?mail|phone|text|letter)\b|"
    r"\be-?mail\s+(?:me\s+)?the\s+(?:date|time)\b|"
    # Where and how the answer goes: "send your response to me by email", "documents sent by
    # post to this office", "communications ... directed to us in writing", "if I do not
    # answer, please send text message".
    r"\bsend\s+(?:your|the|any|all)\s+(?:response|reply|replies|answer)\b|"
    r"\b(?:are|be|is)\s+sent\s+by\s+(?:post|e-?mail|letter|text)\b|"
    r"\b(?:communications?|correspondence|contact)\b[^.!?]{0,60}\bdirected\s+to\b|"
    r"\bif\s+I\s+(?:do\s+not|don['’]?t|cannot|can['’]?t)\s+(?:answer|pick\s+up)\b",
    re.I,
)


# In a letter written for someone else, what the resident wants, told in the third person.
_THEIR_WISH = re.compile(
    rf"(?-i:\b(?:[Hh]e|[Ss]he|[Tt]hey|(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+{NAME_WORD}|{NAME_WORD}|"
    r"[Oo]ur client|[Mm]y client|[Mm]y constituent|[Tt]he family)(?:,[^,]{1,40},)?\s+"
    r"(?:would\s+(?:simply\s+|also\s+|now\s+)?(?:like|prefer)|wants|wishes|asks|is\s+asking)\b)"
)


_SHORT_ASK = re.compile(r"^(?:please\b|(?:can|could|will)\s+(?:you|someone|somebody)\b).*\?*[.?!]$",
                        re.I)


def desired_outcome(text: str, for_someone: bool = False) -> str | None:
    """The resident's own words for what they want: the strongest run of asking sentences
    (from a representative, the resident's wish told in the third person before all)."""
    sentences: list[tuple[int, int, str]] = []  # (paragraph, index, sentence)
    for number, paragraph in enumerate(re.split(r"\n\s*\n", text)):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        # A paragraph of short lines is a block of address or sign-off, unless a line asks
        # ("Can someone come.").
        if not lines or all(SIGN_OFF.match(line) or (len(line.split()) <= 4
                                                     and not _SHORT_ASK.search(line))
                            for line in lines):
            continue
        # Letters wrap sentences across lines; a blank line still ends a paragraph.
        joined = " ".join(lines)
        # A sentence may open after OCR's specks (": i want the charge reduced").
        for piece in re.split(r"(?<=[.!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+(?:[^\w\s\"'(]{1,2}\s+)?"
                              r"(?=[A-Za-z0-9\"'(])",
                              joined):
            sentences.append((number, len(sentences), piece.strip()))
    scored = []
    for paragraph, index, sentence in sentences:
        score, cue_at = _ask_score(sentence)
        wish = _THEIR_WISH.search(sentence) if for_someone and score > 1 else None
        if wish:
            score, cue_at = 4, wish.start()
        if score:
            scored.append((paragraph, index, _from_clause(sentence, cue_at), score))
    if not scored:
        return None
    runs: list[list[tuple[int, int, str, int]]] = []
    for item in scored:
        if runs and runs[-1][-1][0] == item[0] and runs[-1][-1][1] == item[1] - 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    # The strongest ask; of equals, the last (letters end on what they want done).
    best = max(reversed(runs), key=lambda run: max(s for *_rest, s in run))
    top = max(s for *_rest, s in best)
    while len(best) > 1 and best[0][3] == 1 < top:
        best = best[1:]
    while len(best) > 1 and best[-1][3] == 1 < top:
        best = best[:-1]
    chosen = [sentence for _p, _i, sentence, _s in best[:2]]
    return _trim_ask(" ".join(chosen)) or None


def _ask_score(sentence: str) -> tuple[int, int]:
    """How plainly the sentence asks for something (0 to 3), and where the asking starts."""
    if len(sentence.split()) < 2 or "@" in sentence or re.search(r"\d{5} ?\d{6}", sentence):
        sentence = re.sub(r"\S+@\S+|\+?\d[\d ]{9,}\d", " ", sentence)
    cleaned = _CONTACT_REQUEST.sub(lambda m: " " * len(m.group(0)), sentence)
    if len(cleaned.split()) < 2:
        return 0, 0
    if re.search(r"\bthank(?:s| you)\b", cleaned, re.I) and not re.search(
            r"\b(?:pass(?:ed)?|give|convey|tell)\b", cleaned, re.I):
        return 0, 0
    for score, pattern in ((3, _ASK_STRONG), (2, _ASK), (1, _ASK_QUESTION)):
        match = pattern.search(cleaned)
        if match:
            # A request about the handling of the letter is an ask only when nothing else is
            # (looked for in the whole sentence: "telephone her ... rather than write").
            return (1 if _COURTESY.search(sentence) else score), match.start()
    # A numbered point opens with its number ("3. Request an electrician ...").
    if _IMPERATIVE.match(re.sub(r"^\(?\d{1,2}[.)]\s+", "", cleaned.strip())):
        return 2, 0
    return 0, 0


_CLAUSE_BREAK = re.compile(r"(?:,\s+but\s+|\s+but\s+|;\s+|\s+-\s+|,\s+so\s+|\s+so\s+|,\s+and\s+|"
                           r"\s+and\s+|,\s+)(?=\S)", re.I)


def _from_clause(sentence: str, cue_at: int) -> str:
    """A long sentence that gets to its ask late starts at the clause that asks."""
    if len(sentence[:cue_at].split()) < 12:
        return sentence
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, cue_at + 1) if m.end() <= cue_at]
    if not starts:
        return sentence
    start = starts[-1]
    # "..., and it should be rewritten": keep the short subject before the cue.
    return sentence[start:].strip()


def _trim_ask(span: str) -> str:
    """Drop a greeting, a point's number or a phone number tacked on to the ask."""
    span = re.sub(r"^(?:hi|hello|hiya|dear [^,]+),?\s+", "", span, flags=re.I)
    span = re.sub(r"^\(?\d{1,2}[.)]\s+", "", span)  # a numbered point's number
    span = re.sub(r",?\s*(?:or\s+|and\s+)?(?:ring|call|text|phone)\s+me\b[^.]*", "", span,
                  flags=re.I)
    return span.strip(" ,")
