"""Policy files: the three shipped policies, their deadlines, and clear errors for bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workflow.policy import BUILT_IN, PolicyError, load_policy


@pytest.mark.parametrize("name", BUILT_IN)
def test_built_in_policies_load(name: str) -> None:
    policy = load_policy(name)
    assert policy.id == name
    assert policy.stages[0].number == 1


def test_code_2024_deadlines_for_new_year_receipt() -> None:
    table = load_policy("code-2024").deadline_table(date(2025, 12, 31))
    assert table == [
        {"stage": 1, "acknowledge_by": "2026-01-08", "respond_by": "2026-01-22"},
        {"stage": 2, "acknowledge_by": "2026-01-29", "respond_by": "2026-02-26"},
    ]


def test_lumen_has_four_stages_and_a_three_month_limit() -> None:
    lumen = load_policy("lumen")
    assert [s.number for s in lumen.stages] == [1, 2, 3, 4]
    assert lumen.time_limit_months == 3
    first = lumen.deadline_table(date(2026, 3, 2))[0]
    assert first == {"stage": 1, "acknowledge_by": None, "respond_by": "2026-03-09"}


def test_a_landlord_can_point_at_its_own_file(tmp_path: Path) -> None:
    own = tmp_path / "ours.toml"
    own.write_text((Path(__file__).parents[1] / "workflow" / "policies" / "code-2024.toml")
                   .read_text().replace('nation = "england-wales"', 'nation = "scotland"')
                   .replace('id = "code-2024"', 'id = "ours"'))
    policy = load_policy(str(own))
    assert policy.id == "ours"
    assert policy.deadline_table(date(2025, 12, 31))[0]["acknowledge_by"] == "2026-01-09"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('nation = "england-wales"', 'nation = "mars"'), "nation must be one of"),
        (('exclusions = ["out_of_time", "legal_proceedings", "already_considered"]',
          'exclusions = ["too_tired"]'),
         "unknown exclusions"),
        (("number = 2", "number = 3"), "stages must be numbered"),
        (("respond_days = 10", "respond_days = -1"), "respond_days"),
        (('id = "code-2024"', 'id = "code-2024"\ncolour = "blue"'), "colour"),
        (("[[stages]]", "[[stages"), "not valid TOML"),
    ],
)
def test_invalid_policy_files_say_what_is_wrong(tmp_path: Path, change: tuple[str, str],
                                                message: str) -> None:
    source = (Path(__file__).parents[1] / "workflow" / "policies" / "code-2024.toml").read_text()
    assert change[0] in source
    bad = tmp_path / "bad.toml"
    bad.write_text(source.replace(change[0], change[1], 1))
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(str(bad))
    assert str(bad) in str(caught.value)


def test_unknown_policy_name_lists_the_choices() -> None:
    with pytest.raises(PolicyError, match="code-2024, lancaster, lumen"):
        load_policy("nonesuch")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('acknowledge_from = "receipt"', 'acknowledge_from = "request"'),
         "stage 1 begins on receipt"),
        (('# after_hours_cutoff = "17:00"', 'after_hours_cutoff = "half past five"'),
         "after_hours_cutoff"),
        (('handler = "complaints officer"', 'handler = "complaints officer"\nindependent = true'),
         "stage 1 cannot be independent"),
        (('ombudsman_after_weeks = 0', 'templates = "no-such-folder"'), "templates: no folder"),
    ],
)
def test_lifecycle_fields_are_validated(tmp_path: Path, change: tuple[str, str],
                                        message: str) -> None:
    source = (Path(__file__).parents[1] / "workflow" / "policies" / "code-2024.toml").read_text()
    assert change[0] in source
    bad = tmp_path / "bad.toml"
    bad.write_text(source.replace(change[0], change[1], 1))
    with pytest.raises(PolicyError, match=message):
        load_policy(str(bad))


def test_policy_fields_as_policies_md_describes_them() -> None:
    code, lancaster, lumen = (load_policy(name) for name in BUILT_IN)
    assert [(s.acknowledge_days, s.respond_days, s.respond_from, s.max_extension_days,
             s.independent) for s in code.stages] == [
        (5, 10, "acknowledgement", 10, False), (5, 20, "acknowledgement", 20, True)]
    assert code.stages[1].acknowledge_from == "request"
    assert set(code.exclusions) == {"out_of_time", "legal_proceedings", "already_considered"}
    assert (code.time_limit_months, code.nation, code.records_compliments) == (
        12, "england-wales", True)
    assert code.after_hours_cutoff is None
    assert lancaster.records_compliments is False and lancaster.anonymous == "accept"
    assert "rent_or_charge_level" in lancaster.exclusions
    assert lancaster.stage(1).respond_from == "receipt"
    assert [s.respond_days for s in lumen.stages] == [5, 5, 15, 20]
    assert lumen.ombudsman_after_weeks == 8
    assert all(s.acknowledge_days is None for s in lumen.stages)


def test_policy_check_lists_departures_from_the_code() -> None:
    from workflow.conformance import check_against_code

    assert check_against_code(load_policy("code-2024")) == []
    lumen = {d.code: d for d in check_against_code(load_policy("lumen"))}
    assert "4 internal stages" in lumen["stage-count"].message
    assert "3 months" in lumen["short-time-limit"].message
    assert "8 weeks" in lumen["ombudsman-wait"].message
    assert lumen["no-acknowledgement"].severity == "departure"
    lancaster = check_against_code(load_policy("lancaster"))
    assert {d.code for d in lancaster} == {"extra-exclusions", "anonymous-accepted"}
    assert all(d.severity == "note" for d in lancaster)


def test_a_looser_policy_departs_from_the_code(tmp_path: Path) -> None:
    from workflow.conformance import check_against_code

    source = (Path(__file__).parents[1] / "workflow" / "policies" / "code-2024.toml").read_text()
    loose = tmp_path / "loose.toml"
    loose.write_text(source.replace("acknowledge_days = 5", "acknowledge_days = 7", 1)
                     .replace("max_extension_days = 20", "max_extension_days = 30")
                     .replace("independent = true\n", ""))
    codes = [d.code for d in check_against_code(load_policy(str(loose)))]
    assert codes == ["slow-acknowledgement", "slow-response", "long-extension",
                     "stage-2-not-independent"]


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("kind", ["acknowledgement", "stage_acknowledgement", "refusal",
                                  "service_request", "extension"])
def test_every_policy_renders_every_letter(name: str, kind: str) -> None:
    from workflow.drafts import render_draft

    policy = load_policy(name)
    context = {
        "ref": "CMP-2026-00042", "stage": 2, "stage_name": policy.stage(2).name,
        "handler": policy.stage(2).handler, "received": date(2026, 11, 2),
        "stage_started": date(2026, 11, 24), "acknowledge_by": date(2026, 12, 1),
        "respond_by": date(2026, 12, 31), "final_stage": name != "lumen",
        "name": "Ann Smith", "representative": None, "summary": "The kitchen leak.",
        "desired_outcome": "A new cupboard", "hazard": "damp_mould", "note": None,
        "reason_text": "legal proceedings have started", "reason": "the contractor is late",
        "next_step": "we will call you", "right_to_complain": "you may complain",
    }
    draft = render_draft(policy, kind, context)
    assert draft.subject and "Ann Smith" in draft.body
    if kind in {"acknowledgement", "stage_acknowledgement"}:
        assert "CMP-2026-00042" in draft.subject + draft.body
        assert "Thursday 31 December 2026" in draft.body
    if kind == "refusal":
        assert "legal proceedings have started" in draft.body
        assert "Housing Ombudsman" in draft.body


def test_a_landlord_can_bring_its_own_templates(tmp_path: Path) -> None:
    from workflow.drafts import DraftError, render_draft

    source = (Path(__file__).parents[1] / "workflow" / "policies" / "code-2024.toml").read_text()
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "refusal.txt.j2").write_text(
        "Subject: Sorry, {{ name }}\n\nWe cannot take this on: {{ reason_text }}.\n")
    own = tmp_path / "ours.toml"
    own.write_text(source.replace('id = "code-2024"', 'id = "ours"\ntemplates = "letters"'))
    policy = load_policy(str(own))
    refusal = render_draft(policy, "refusal", {"name": "Ann", "reason_text": "too old"})
    assert (refusal.subject, refusal.body) == ("Sorry, Ann", "We cannot take this on: too old.\n")
    # Letters the landlord did not write come from the Code 2024 set; missing values fail loudly.
    with pytest.raises(DraftError, match="'ref' is undefined"):
        render_draft(policy, "acknowledgement", {"name": "Ann"})
    with pytest.raises(DraftError, match="unknown draft"):
        render_draft(policy, "postcard", {})
