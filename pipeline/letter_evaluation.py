"""The letters development set scored apart from the emails: each letter in data/letters/ is
rendered as the post room scans it (postroom/), read by the pipeline's OCR and triaged, and
its fields and category compared with the labels. Never trained on.

Handwritten letters are counted apart: they should go to an officer with no field guessed,
so they are scored on that, not on fields.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sklearn.metrics import f1_score

from classify.dataset import CATEGORIES
from classify.fields import Landlord
from classify.fields.patterns import fold_text
from classify.model import TrainedModel
from ingest.errors import UnreadableItem
from ingest.items import IntakeItem
from ingest.letters import extract_letter_text
from ingest.ocr import ocr_worker_count
from pipeline.evaluation import FieldScores, judged_targets, target_rows
from postroom.letter import PostLetter, load_letters
from postroom.render import pages_pdf, render_letter
from workflow.policy import load_policy
from workflow.rules import Thresholds

LETTER_TARGETS = {"name": 0.90, "postcode": 0.93, "address": 0.85, "desired_outcome": 0.75,
                  "macro_f1": 0.90, "landlord_address_taken_max": 0}
UNREADABLE_RULE = "low-ocr-confidence"


def read_letter(letter: PostLetter, **style: object) -> tuple[IntakeItem | None, str]:
    """The letter rendered and read as a scanned item (None when unreadable) and its face."""
    pages, chosen = render_letter(letter, **style)
    received = date.fromisoformat(letter.received_at) if letter.received_at else date.today()
    try:
        item = extract_letter_text(pages_pdf(pages, chosen.dpi),
                                   received_at=datetime.combine(received, time(10), tzinfo=UTC))
    except UnreadableItem:
        return None, chosen.face
    return item, chosen.face


def read_letters(letters: list[PostLetter]) -> list[tuple[IntakeItem | None, str]]:
    """Every letter rendered and read, several at once (OCR holds the Tesseract processes to
    the cores; the overlap keeps them busy while the next letter is drawn)."""
    with ThreadPoolExecutor(max_workers=max(2, ocr_worker_count() + 1)) as pool:
        return list(pool.map(read_letter, letters))


def landlord_address_taken(found: dict[str, object], landlord: Landlord) -> bool:
    """The resident's postcode or address given as one of the landlord's own."""
    postcode = str(found.get("postcode") or "").replace(" ", "").upper()
    if postcode and postcode in {p.replace(" ", "").upper() for p in landlord.postcodes}:
        return True
    address = fold_text(str(found.get("address") or ""))
    parts = [fold_text(part) for a in landlord.addresses for part in re.split(r"[,\n]", a)]
    return bool(address) and any(len(p) >= 8 and p in address for p in parts)


def evaluate_letters(model: TrainedModel, letters_dir: Path, thresholds: Thresholds,
                     policy_name: str, landlord: Landlord,
                     limit: int | None = None) -> dict[str, object]:
    """Figures over the rendered letters development set (see the module's docstring)."""
    letters = load_letters(letters_dir)[:limit]
    report = score_letters(letters, read_letters(letters), model=model, thresholds=thresholds,
                           policy_name=policy_name, landlord=landlord)
    return {"folder": letters_dir.name, **report}


def score_letters(letters: list[PostLetter], readings: list[tuple[IntakeItem | None, str]], *,
                  model: TrainedModel, thresholds: Thresholds, policy_name: str,
                  landlord: Landlord) -> dict[str, object]:
    """Triage each letter as read and compare it with its labels."""
    from workflow.triage import triage_many

    policy = load_policy(policy_name)
    typed = FieldScores()
    gold: list[str] = []
    predicted: list[str] = []
    taken = unreadable = hand_total = hand_reviewed = hand_guessed = 0
    for letter, (item, face) in zip(letters, readings, strict=True):
        if item is None:
            unreadable += 1
            continue
        result = triage_many([item], model=model, policy=policy, thresholds=thresholds,
                             landlord=landlord)[0]
        found = result.extraction.as_contract()
        if face == "hand":
            hand_total += 1
            hand_reviewed += any(r.hit and r.rule == UNREADABLE_RULE
                                 for r in result.decision.results)
            hand_guessed += any(found.values())
            continue
        gold.append(str(letter.labels.get("category")))
        predicted.append(result.decision.category)
        typed.add(letter.labels.get("fields") or {}, found)
        taken += landlord_address_taken(found, landlord)
    fields = typed.scores()
    report: dict[str, object] = {
        "letters": len(letters),
        "typed_letters": len(gold),
        "quarantined_unreadable": unreadable,
        "macro_f1": round(float(f1_score(gold, predicted, labels=list(CATEGORIES),
                                         average="macro", zero_division=0)), 4) if gold else None,
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True))
                          / len(gold), 4) if gold else None,
        "fields": fields,
        "landlord_address_taken": taken,
        "handwritten": {"letters": hand_total, "sent_to_review_unreadable": hand_reviewed,
                        "with_a_field_guessed": hand_guessed},
    }
    measured = {**{k: fields[k] for k in ("name", "postcode", "address", "desired_outcome")},
                "macro_f1": report["macro_f1"], "landlord_address_taken_max": taken}
    report["targets"] = judged_targets(LETTER_TARGETS, measured)
    return report


def print_letter_evaluation(report: dict[str, object], console: Console) -> None:
    hand = report["handwritten"]
    console.print(f"Letters ({report.get('folder', 'letters')}/): {report['letters']} letters "
                  "rendered as scans "
                  f"and read by OCR ({report['typed_letters']} typed scored; "
                  f"{hand['letters']} handwritten: {hand['sent_to_review_unreadable']} sent to "  # type: ignore[index]
                  f"an officer as unreadable, {hand['with_a_field_guessed']} with a field "  # type: ignore[index]
                  f"guessed; {report['quarantined_unreadable']} quarantined)")
    console.print(f"letters: category macro F1 {report['macro_f1']}, accuracy "
                  f"{report['accuracy']}, landlord's address taken for the resident's "
                  f"{report['landlord_address_taken']} times")
    table = Table("letter target", "wanted", "measured", "met")
    for row in target_rows(report["targets"]):  # type: ignore[arg-type]
        table.add_row(*row)
    console.print(table)


def write_letter_report(report: dict[str, object], directory: Path) -> Path:
    """The letters' figures as Markdown beside the emails' report."""
    directory.mkdir(parents=True, exist_ok=True)
    hand = report["handwritten"]
    lines = [f"# Letters ({report.get('folder', 'letters')}/): {report['letters']} rendered scans",
             "",
             f"{report['typed_letters']} typed letters scored; {hand['letters']} handwritten "  # type: ignore[index]
             f"({hand['sent_to_review_unreadable']} sent to an officer as unreadable, "  # type: ignore[index]
             f"{hand['with_a_field_guessed']} with a field guessed); "  # type: ignore[index]
             f"{report['quarantined_unreadable']} quarantined.", "",
             "| figure | wanted | measured | met |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |"
              for row in target_rows(report["targets"], markdown=True)]  # type: ignore[arg-type]
    lines += ["", "| field | score |", "|---|---|"]
    lines += [f"| {name} | {score} |" for name, score in report["fields"].items()]  # type: ignore[union-attr]
    path = directory / "letters.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
