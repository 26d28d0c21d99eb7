"""The written summary of a hazard investigation, from the hazard policy's templates
(`templates/POLICY/summary.txt.j2`, and its large-print variant `summary.large.txt.j2`),
honouring the adjustments the writer asked for."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from workflow.adjustments import large_print
from workflow.drafts import HAZARD_TEXT, Draft, DraftError, long_date
from workflow.hazard_policy import HazardPolicy


def _folder(policy: HazardPolicy) -> Path:
    chosen = policy.templates or policy.id
    if Path(chosen).is_absolute():
        return Path(chosen)
    return Path(str(resources.files("workflow") / "templates" / chosen))


def _environment(policy: HazardPolicy) -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(str(_folder(policy))),
                               undefined=StrictUndefined, autoescape=False, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["longdate"] = long_date
    env.filters["hazard"] = lambda code: HAZARD_TEXT.get(code, str(code).replace("_", " "))
    return env


def adjustment_context(adjustments: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {entry.get("adjustment"): entry for entry in adjustments}
    interpreter = by_name.get("interpreter")
    named = by_name.get("named_contact")
    return {"interpreter": interpreter is not None or "bsl" in by_name,
            "interpreter_language": ("British Sign Language" if "bsl" in by_name
                                     else interpreter.get("detail") if interpreter else None),
            "named_contact": (named.get("detail") or "the person you named") if named else None}


def render_summary(policy: HazardPolicy, context: dict[str, Any],
                   adjustments: list[dict[str, Any]]) -> tuple[Draft, bool]:
    """(the summary letter, whether it is the large-print variant)."""
    env = _environment(policy)
    large = large_print(adjustments) and (_folder(policy) / "summary.large.txt.j2").is_file()
    name = "summary.large.txt.j2" if large else "summary.txt.j2"
    values = {"policy_name": policy.name, **adjustment_context(adjustments), **context}
    try:
        text = env.get_template(name).render(**values)
    except TemplateError as exc:
        raise DraftError(f"{policy.id} template {name}: {exc}") from exc
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise DraftError(f"{policy.id} template {name} must start with 'Subject:'")
    return Draft("hazard_summary", first.removeprefix("Subject:").strip(),
                 body.lstrip("\n")), large
