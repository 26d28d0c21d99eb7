"""Letters drafted for officers from each policy's Jinja2 templates (plain text, never HTML).

A template's first line is `Subject: ...`, then a blank line, then the body. A policy's own
template set may leave some out: those come from the Code 2024 set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from workflow.policy import Policy

DRAFT_KINDS = ("acknowledgement", "stage_acknowledgement", "refusal", "service_request",
               "extension")
DEFAULT_SET = "code-2024"

# What the resident is told a refusal's reason means, in plain words.
REFUSAL_REASON_TEXT = {
    "out_of_time": "the matter you raise happened more than {months} months before you "
                   "complained (or before you became aware of it), which is outside the time "
                   "limit in our complaints policy",
    "legal_proceedings": "legal proceedings about this matter have started: a claim has been "
                         "filed at court",
    "already_considered": "this matter has already been considered under our complaints "
                          "policy",
    "policy_disagreement": "it is a disagreement with one of our policies rather than with "
                           "how we delivered a service",
    "rent_or_charge_level": "it concerns the level of your rent or service charge, or of an "
                            "increase, which the complaints procedure does not decide",
    "employee_policy_only": "it is about a member of staff only because of a policy or "
                            "decision they applied",
    "statutory_appeal": "there is a statutory right of appeal or review for this decision, "
                        "which is the way to challenge it",
}


HAZARD_TEXT = {
    "damp_mould": "damp and mould", "gas": "gas", "electrical": "electrical",
    "water_leak": "water leak", "no_heating": "loss of heating", "structural": "structural",
    "fire_safety": "fire safety", "falls": "risk of falls", "pests_hygiene": "pests and hygiene",
    "asbestos": "asbestos",
}


class DraftError(ValueError):
    """A template is missing or cannot be rendered; the message names it."""


@dataclass(frozen=True)
class Draft:
    kind: str
    subject: str
    body: str


def long_date(day: date | str | None) -> str:
    """`Thursday 8 January 2026`, the way letters write dates."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day:%A} {day.day} {day:%B %Y}"


# Where the resident's own words end: a sign-off, a signature, or a quoted earlier message.
_SIGN_OFF = re.compile(r"^(yours\s+(sincerely|faithfully|truly)|kind regards|best regards|"
                       r"warm regards|regards|many thanks|thanks|sent from my )", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")


def _own_words(text: str) -> list[str]:
    """The lines of the resident's message before any sign-off, signature or quote, without
    the short unpunctuated lines of a letterhead, an address block or a date."""
    lines, every = [], []
    for line in text.splitlines():
        stripped = line.strip()
        words = len(stripped.split())
        if (stripped.startswith(">") or re.match(r"^On .+ wrote:$", stripped)
                or stripped in ("--", "-- ") or (words <= 5 and _SIGN_OFF.match(stripped))):
            break
        every.append(stripped)
        if words > 4 or re.search(r"[.!?]$", stripped):
            lines.append(stripped)  # not "4 Mill Lane", "PR1 4AB", "Dear Sir or Madam,"
    return lines or every  # a message of short lines only is all its own words


def summarise(text: str | None, limit: int = 400, sentences: int = 3) -> str:
    """The complaint as understood, for a letter: the first few sentences of the resident's
    own words (never the whole text), without greeting, letterhead, address or sign-off."""
    if not text:
        return ""
    flat = re.sub(r"\s+", " ", " ".join(_own_words(text))).strip()
    flat = re.sub(r"^(dear|hello|hi)\b[^,.\n]{0,60}[,.]?\s*", "", flat, flags=re.I)
    chosen: list[str] = []
    for sentence in _SENTENCE_END.split(flat):
        if len(chosen) == sentences or len(" ".join([*chosen, sentence])) > limit:
            break
        chosen.append(sentence)
    if chosen:
        return " ".join(chosen)
    cut = flat[:limit]  # one sentence longer than the limit: cut at a word
    return cut if len(flat) <= limit else cut.rsplit(" ", 1)[0] + " …"


def refusal_reason_text(policy: Policy, reason: str) -> str:
    template = REFUSAL_REASON_TEXT.get(reason, reason.replace("_", " "))
    return template.format(months=policy.time_limit_months)


def _template_folders(policy: Policy) -> list[Path]:
    built_in = resources.files("workflow") / "templates"
    folders = []
    chosen = policy.templates or policy.id
    if Path(chosen).is_absolute():
        folders.append(Path(chosen))
    elif (built_in / chosen).is_dir():
        folders.append(Path(str(built_in / chosen)))
    folders.append(Path(str(built_in / DEFAULT_SET)))
    return folders


def _environment(policy: Policy) -> SandboxedEnvironment:
    # Plain-text letters: no HTML escaping here; the review app escapes whatever it shows.
    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in _template_folders(policy)]),
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = long_date
    env.filters["hazard"] = lambda code: HAZARD_TEXT.get(code, str(code).replace("_", " "))
    return env


def render_draft(policy: Policy, kind: str, context: dict[str, Any]) -> Draft:
    """Render one kind of letter under the policy's templates."""
    if kind not in DRAFT_KINDS:
        raise DraftError(f"unknown draft {kind!r}; one of {', '.join(DRAFT_KINDS)}")
    values = {"policy": policy, "ombudsman_contact": policy.ombudsman_contact, **context}
    try:
        text = _environment(policy).get_template(f"{kind}.txt.j2").render(**values)
    except TemplateError as exc:
        raise DraftError(f"{policy.id} template {kind}.txt.j2: {exc}") from exc
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise DraftError(f"{policy.id} template {kind}.txt.j2 must start with 'Subject:'")
    return Draft(kind, first.removeprefix("Subject:").strip(), body.lstrip("\n"))
