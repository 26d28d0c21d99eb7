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
