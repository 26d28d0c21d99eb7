"""`triage resident …`: a resident's history, and an officer's link, unlink, merge, split."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.shared_commands import out, print_jsonl, run_casework

resident_app = typer.Typer(help="Residents: one record, however many letters and cases.")
OfficerOption = Annotated[str, typer.Option("--officer", help="the officer deciding")]


def _print_resident(view: dict, as_json: bool) -> None:
    if as_json:
        print_jsonl([view])
        return
    out.print(f"Resident {view['id']}: {view['name'] or '(no name)'}, "
              f"{view['postcode'] or 'no postcode'}", markup=False)
    for case in view["cases"]:
        out.print(f"  case {case['ref']} stage {case['stage']} {case['status']}, "
                  f"received {case['received_on']}", markup=False)
    for item in view["items"]:
        out.print(f"  item {item['id']} {item['source']} {item['received_at'] or ''} "
                  f"{item['category'] or ''} {item['case_ref'] or ''}", markup=False)
    for letter in view["letters"]:
        out.print(f"  letter {letter['kind']} {letter['case_ref'] or ''} "
                  f"{'sent' if letter['sent_at'] else 'drafted'}", markup=False)


@resident_app.command("show")
def resident_show(resident_id: int, as_json: Annotated[bool, typer.Option("--json")] = False
                  ) -> None:
    """Every contact, case and letter of a resident, newest first."""
    from pipeline.casework import residents

    _print_resident(run_casework(lambda s: residents.show(s, resident_id)), as_json)


@resident_app.command("proposed")
def resident_proposed() -> None:
    """Items whose resident is only proposed (JSON Lines): link or reject each."""
    from pipeline.casework import residents

    print_jsonl(run_casework(residents.proposals))


@resident_app.command("link")
def resident_link(item_id: int, resident_id: int, officer: OfficerOption) -> None:
    """The item is this resident's (confirms a proposal, or corrects a link)."""
    from pipeline.casework import residents

    _print_resident(run_casework(lambda s: residents.link(s, item_id, resident_id, officer)),
                    False)


@resident_app.command("unlink")
def resident_unlink(item_id: int, officer: OfficerOption) -> None:
    """The item is not its resident's."""
    from pipeline.casework import residents

    done = run_casework(lambda s: residents.unlink(s, item_id, officer))
    out.print(f"item {done['item_id']} unlinked from resident {done['unlinked_from']}")


@resident_app.command("merge")
def resident_merge(keep_id: int, other_id: int, officer: OfficerOption) -> None:
    """Two records are one resident: OTHER's items and cases move to KEEP."""
    from pipeline.casework import residents

    _print_resident(run_casework(lambda s: residents.merge(s, keep_id, other_id, officer)),
                    False)


@resident_app.command("split")
def resident_split(resident_id: int, item_ids: list[int], officer: OfficerOption) -> None:
    """These items (and their cases) are someone else's: a new resident from the first."""
    from pipeline.casework import residents

    _print_resident(run_casework(lambda s: residents.split(s, resident_id, item_ids, officer)),
                    False)


@resident_app.command("export")
def resident_export(
    resident_id: int,
    out_path: Annotated[Path, typer.Option("--out", help="the archive to write (.zip)")],
    by: Annotated[str | None, typer.Option("--by", help="who asked (for the audit)")] = None,
) -> None:
    """A subject access archive: records as JSON, original bytes, letters, decisions, index."""
    from pipeline.resident_rights import export_resident

    held = run_casework(lambda s: export_resident(s, resident_id, out_path, by))
    out.print(f"{out_path}: {held['items']} items ({held['originals']} originals), "
              f"{held['cases']} cases, {held['letters']} letters, {held['decisions']} "
              "decisions", markup=False)


@resident_app.command("erase")
def resident_erase(
    resident_id: int,
    reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit)")],
    by: Annotated[str | None, typer.Option("--by", help="who decided")] = None,
) -> None:
    """Erase a resident's personal data; refused while a case is open or a legal hold applies."""
    from pipeline.resident_rights import erase_resident

    done = run_casework(lambda s: erase_resident(s, resident_id, reason, by))
    out.print(f"resident {resident_id} erased: {done['items']} items and {done['cases']} "
              "cases anonymised (audit kept)")
