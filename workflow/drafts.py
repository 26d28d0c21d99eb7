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


def summarise(text: str | None, limit: int = 600) -> str:
    """The complaint as understood: the opening of the resident's own words, quotes removed."""
    if not text:
        return ""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if (stripped.startswith(">") or re.match(r"^On .+ wrote:$", stripped)
                or stripped in ("--", "-- ") or stripped.startswith("Sent from my ")):
            break  # the quoted earlier message, or a signature, starts here
        lines.append(stripped)
    flat = re.sub(r"\s+", " ", " ".join(lines)).strip()
    flat = re.sub(r"^(dear|hello|hi)\b[^,.\n]{0,60}[,.]?\s*", "", flat, flags=re.I)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if sentence_end > limit // 3:
        return cut[:sentence_end + 1]
    return cut.rsplit(" ", 1)[0] + " …"


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
