"""The `triage` command end to end, as acceptance checks call it (../shared/spec/cli.md).

Commands whose exit code, output and database effects are all a test looks at run in process
(`triage_in_process`); `triage demo` and `triage retry` run Prefect flows, so they run as the
installed command, in a process of their own (`triage_command`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, SHARED, triage_command, triage_in_process

pytestmark = pytest.mark.slow


def jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def sample_files() -> list[Path]:
    return sorted([*SAMPLES.glob("mailbox/*.eml"), *SAMPLES.glob("scans/*.pdf")])


def test_policy_deadlines_json(command_env: dict[str, str]) -> None:
    done = triage_in_process("policy", "deadlines", "code-2024", "--received", "2025-12-31",
                             "--json", env=command_env)
    assert done.returncode == 0, done.stderr
    assert jsonl(done.stdout) == [{
        "policy": "code-2024", "received": "2025-12-31",
        "stages": [{"stage": 1, "acknowledge_by": "2026-01-08", "respond_by": "2026-01-22"},
                   {"stage": 2, "acknowledge_by": "2026-01-29", "respond_by": "2026-02-26"}],
    }]


def test_policy_deadlines_rejects_unknown_policy(command_env: dict[str, str]) -> None:
    done = triage_in_process("policy", "deadlines", "nonesuch", "--received", "2026-01-01",
                             env=command_env)
    assert done.returncode == 2
    assert "code-2024, lancaster, lumen" in done.stderr


def test_user_add_reads_stdin_and_refuses_duplicates(command_env: dict[str, str]) -> None:
    first = triage_in_process("user", "add", "ayesha", "--role", "officer", env=command_env,
                              stdin="correct horse battery\n")
    assert first.returncode == 0, first.stderr
    again = triage_in_process("user", "add", "ayesha", "--role", "manager", env=command_env,
                              stdin="another password\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_inspect_samples_meet_the_contract(command_env: dict[str, str]) -> None:
    files = [str(path.relative_to(REPO)) for path in sample_files()]
    assert len(files) >= 40
    done = triage_in_process("inspect", *files, "--json", env=command_env)
    assert done.returncode == 0, done.stderr
    checked = subprocess.run([sys.executable, str(SHARED / "tools" / "check_contract.py"),
                              *files], input=done.stdout, capture_output=True, text=True,
                             check=False)
    assert checked.returncode == 0, checked.stdout
    assert "contract OK" in checked.stdout


def test_evaluate_scores_the_whole_development_set(command_env: dict[str, str]) -> None:
    # The writer-grouped cross-validation (five refits) is tested in test_generalisation.py;
    # two scanned letters are scored apart in the same run (every page goes through OCR).
    done = triage_in_process("evaluate", "--json", "--no-crossval", "--letters-limit", "2",
                             env=command_env)
    assert done.returncode == 0, done.stderr
    (report,) = jsonl(done.stdout)
    outside = report["outside_voices"]
    outside_lines = sum(1 for path in (REPO / "data" / "outside").glob("*.jsonl")
                        for line in path.read_text(encoding="utf-8").splitlines()
                        if line.strip())
    assert outside["examples"] == outside_lines and outside["writers"] >= 20
    assert len(outside["held_out_thresholds"]) == 5
    assert outside["macro_f1"] >= 0.80 and set(outside["targets"]) >= {
        "macro_f1", "auto_accuracy", "review_rate_low_confidence_max"}
    assert report["writer_grouped_cv"] is None
    rows = {row["figure"]: row for row in report["side_by_side"]}
    assert rows["macro_f1"]["in_house"] == report["macro_f1"]
    assert rows["macro_f1"]["outside_voices"] == outside["macro_f1"]
    dev_lines = sum(1 for path in (REPO / "data" / "dev").glob("*.jsonl")
                    for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    assert report["examples"] == dev_lines
    assert set(report["per_class"]) == {"complaint", "service_request", "excluded",
                                        "compliment", "other"}
    assert report["macro_f1"] >= 0.80  # the first model's measured 0.96, with room for noise
    letters = report["letters"]
    assert letters["letters"] == 2
    assert set(letters["fields"]) >= {"name", "postcode", "address", "desired_outcome"}
    assert set(letters["targets"]) == {"name", "postcode", "address", "desired_outcome",
                                       "macro_f1", "landlord_address_taken_max"}
    assert report["complaints_missed_as_service_requests"] <= 1


def test_inspect_reports_a_bad_file_and_goes_on(command_env: dict[str, str],
                                               tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n this is not really a pdf")
    good = next(SAMPLES.glob("mailbox/*.eml"))
    done = triage_in_process("inspect", str(bad), str(good), str(tmp_path / "missing.eml"),
                             "--json", env=command_env)
    assert done.returncode == 1
    rows = jsonl(done.stdout)
    assert [row["path"] for row in rows] == [str(bad), str(good), str(tmp_path / "missing.eml")]
    assert rows[0]["error"].startswith("corrupt_pdf")
    assert "category" in rows[1]
    assert "cannot read" in rows[2]["error"]
    assert str(bad) in done.stderr


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, model_dir: Path):
    """`triage demo` twice on a fresh data dir; both outputs and the environment."""
    import os

    base = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env["TRIAGE_DATA_DIR"] = str(base / "var")
    shutil.copytree(model_dir, base / "var" / "models")
    first = triage_command("demo", env=env, cwd=base)
    second = triage_command("demo", env=env, cwd=base)
    return first, second, env, base


def test_demo_stages_the_samples_and_second_run_adds_nothing(demo_run) -> None:
    first, second, env, base = demo_run
    assert first.returncode == 0, first.stderr + first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    assert f"Stored {len(sample_files())} new items" in first.stdout
    for heading in ("case", "category", "acknowledge by", "respond by", "postcode",
                    "Review queue:", "By category:"):
        assert heading in first.stdout
    # The hazards the samples report, whatever their category, with their clocks.
    assert "open hazards" in first.stdout and "Hazard watch (awaabs-law)" in first.stdout
    hazards = jsonl(triage_in_process("hazards", "--json", env=env, cwd=base).stdout)
    # Each has its investigation clock, unless its phase of the law is not yet in force.
    assert hazards and all(row["investigate_by"] or row["not_yet_in_force"] for row in hazards)
    assert second.returncode == 0, second.stderr
    assert "Nothing new" in second.stdout
    items = jsonl(triage_in_process("items", "--json", env=env, cwd=base).stdout)
    assert len(items) == len(sample_files())
    assert {row["source"] for row in items} == {"email", "letter"}
    assert all(row["status"] != "pending" for row in items)
    assert len({row["sha256"] for row in items}) == len(items)


def test_demo_cases_have_deadlines_and_items(demo_run) -> None:
    _first, _second, env, base = demo_run
    cases = jsonl(triage_in_process("cases", "--json", env=env, cwd=base).stdout)
    items = {row["id"]: row for row in
             jsonl(triage_in_process("items", "--json", env=env, cwd=base).stdout)}
    assert cases, "the samples hold complaints, so the demo opens cases"
    for case in cases:
        assert set(case) == {"ref", "policy", "stage", "status", "received_at",
                             "acknowledge_by", "respond_by", "name", "postcode", "item_ids"}
        assert case["ref"].startswith("CMP-")
        assert case["respond_by"] > case["received_at"][:10]
        for item_id in case["item_ids"]:
            assert items[item_id]["case_ref"] == case["ref"]


def test_bad_input_is_quarantined_kept_and_the_run_goes_on(cli_env: dict[str, str],
                                                           tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    (samples / "mailbox").mkdir(parents=True)
    (samples / "scans").mkdir()
    good = sorted(SAMPLES.glob("mailbox/*.eml"))[:2]
    for path in good:
        shutil.copy(path, samples / "mailbox" / path.name)
    junk = b"\x00\x01\x02 not an email \xff"
    (samples / "mailbox" / "junk.eml").write_bytes(junk)
    corrupt = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF broken"
    (samples / "scans" / "corrupt.pdf").write_bytes(corrupt)
    cli_env["TRIAGE_SAMPLES_DIR"] = str(samples)
    done = triage_command("demo", env=cli_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    items = jsonl(triage_in_process("items", "--json", env=cli_env, cwd=tmp_path).stdout)
    by_ref = {row["source_ref"]: row for row in items}
    assert by_ref["file:junk.eml"]["status"] == "quarantined"
    assert by_ref["file:junk.eml"]["error"].startswith("not_an_email")
    assert by_ref["file:corrupt.pdf"]["error"].startswith("corrupt_pdf")
    assert all(by_ref[f"file:{p.name}"]["status"] != "quarantined" for p in good)
    raw_dir = Path(cli_env["TRIAGE_DATA_DIR"]) / "raw"
    for original, ref in ((junk, "file:junk.eml"), (corrupt, "file:corrupt.pdf")):
        digest = by_ref[ref]["sha256"]
        assert (raw_dir / digest[:2] / digest[2:4] / digest).read_bytes() == original
    retried = triage_command("retry", "--all", env=cli_env, cwd=tmp_path)
    assert retried.returncode == 0, retried.stderr
    assert "retried 2" in retried.stdout


def test_report_runs_on_the_demo_data(demo_run) -> None:
    _first, _second, env, base = demo_run
    cases = jsonl(triage_in_process("cases", "--json", env=env, cwd=base).stdout)
    done = triage_in_process("report", "--year", "2026", "--homes", "1000", "--json",
                             "--csv", str(base / "report.csv"), "--chart", str(base / "report.png"),
                             env=env, cwd=base)
    assert done.returncode == 0, done.stderr
    (figures,) = jsonl(done.stdout)
    # Every demo complaint arrived in the year from 1 April 2026; per 1,000 of 1,000 homes.
    stage_one = sum(1 for case in cases if case["status"] != "refused")
    assert figures["ch01"]["stage_1"] == float(stage_one)
    assert figures["ch01"]["stage_2"] == float(sum(1 for c in cases if c["stage"] >= 2))
    # Residents' items by category, automatic mail (the samples' auto-replies) apart.
    assert figures["automatic_mail"] >= 1
    assert (sum(figures["volumes_by_category"].values()) + figures["automatic_mail"]
            == len(sample_files()))
    assert (base / "report.csv").read_text().startswith("section,key,measure,value")
    assert (base / "report.png").read_bytes().startswith(b"\x89PNG")
    table = triage_in_process("report", "--year", "2026", env=env, cwd=base)
    assert "CH01" in table.stdout and "CH02" in table.stdout and "Refused:" in table.stdout


def test_policy_check_names_lumens_departures(command_env: dict[str, str]) -> None:
    lumen = triage_in_process("policy", "check", "lumen", "--json", "--warn-only",
                              env=command_env)
    assert lumen.returncode == 0, lumen.stderr
    # Departures fail the check (a deployment can gate on it) unless --warn-only.
    assert triage_in_process("policy", "check", "lumen", env=command_env).returncode == 1
    (result,) = jsonl(lumen.stdout)
    codes = {d["code"] for d in result["departures"]}
    assert {"stage-count", "short-time-limit"} <= codes
    code = triage_in_process("policy", "check", "code-2024", env=command_env)
    assert "0 departures" in code.stdout


def test_case_commands_on_the_demo_data(demo_run) -> None:
    _first, _second, env, base = demo_run
    ref = jsonl(triage_in_process("cases", "--json", env=env, cwd=base).stdout)[0]["ref"]
    too_long = triage_in_process("case", "extend", ref, "--days", "99", "--reason", "x",
                                 env=env, cwd=base)
    assert too_long.returncode == 1
    assert "allows at most" in too_long.stderr
    (view,) = jsonl(triage_in_process("case", "show", ref, "--json", env=env, cwd=base).stdout)
    assert view["ref"] == ref and view["events"][0]["kind"] == "opened"
    assert view["drafts"][0]["kind"] == "acknowledgement"
    assert "extended" not in [event["kind"] for event in view["events"]]
    # Due within 0 working days: open cases whose next deadline is today or has passed.
    from pipeline.casework import landlord_today

    today = landlord_today().isoformat()
    all_cases = jsonl(triage_in_process("cases", "--json", env=env, cwd=base).stdout)
    due = triage_in_process("cases", "--due", "0", "--json", env=env, cwd=base)
    assert due.returncode == 0, due.stderr
    listed = {row["ref"] for row in jsonl(due.stdout)}
    # Nothing in the demo is acknowledged yet, so each case's next deadline is its
    # acknowledgement (or, where the policy has none, its response).
    assert listed == {c["ref"] for c in all_cases if c["status"] == "open"
                      and (c["acknowledge_by"] or c["respond_by"]) <= today}


def test_item_commands_decide_through_the_casework_service(command_env) -> None:
    """`triage item …` settles review items as the web page does: one service for both."""
    from datetime import UTC, datetime

    from core.settings import Settings
    from models.db import migrate, session_scope
    from models.tables import Item, ReviewDecision
    from tests.review_fixtures import add_waiting_item

    settings = Settings(data_dir=Path(command_env["TRIAGE_DATA_DIR"]), _env_file=None)
    migrate(settings.resolved_database_url)
    received = datetime(2026, 11, 2, 10, tzinfo=UTC)
    unsure = add_waiting_item(settings, subject="Gate", text="The gate is broken again.",
                              category="service_request", confidence=0.4, received=received)
    court = add_waiting_item(settings, subject="Court", text="My solicitor has issued a claim.",
                             category="excluded", confidence=0.9, received=received,
                             excluded_reason="legal_proceedings", reason="proposed-exclusion")
    def officer(*args: str):
        return triage_in_process("item", *args, env=command_env)

    hazard = officer("hazard", str(unsure), "--officer", "amina", "--hazard", "structural")
    assert hazard.returncode == 0 and "structural" in hazard.stdout
    accepted = officer("decide", str(unsure), "--officer", "amina", "--action", "accept")
    assert accepted.returncode == 0, accepted.stderr
    assert "service request recorded" in accepted.stdout
    again = officer("decide", str(unsure), "--officer", "bob", "--action", "accept")
    assert again.returncode == 1 and "no longer waits" in again.stderr
    refused = officer("decide", str(court), "--officer", "amina", "--action",
                      "confirm_exclusion")
    assert refused.returncode == 0, refused.stderr
    assert "exclusion confirmed (legal proceedings)" in refused.stdout
    with session_scope(settings.resolved_database_url) as session:
        assert session.get(Item, unsure).hazard == "structural"
        assert session.get(Item, court).case.status == "refused"
        actions = sorted(d.action for d in session.query(ReviewDecision))
    assert actions == ["accept", "confirm_exclusion", "mark_hazard"]


def test_item_commands_claim_release_and_reopen_as_the_web_does(command_env) -> None:
    """`triage item claim/release/reopen` go through the casework service the web uses: a
    second officer is refused a held item until it is released or taken over, and a decided
    item goes back to the queue with the reason kept."""
    from datetime import UTC, datetime

    from core.settings import Settings
    from models.db import migrate, session_scope
    from models.tables import Item, ReviewDecision
    from tests.review_fixtures import add_waiting_item

    settings = Settings(data_dir=Path(command_env["TRIAGE_DATA_DIR"]), _env_file=None)
    migrate(settings.resolved_database_url)
    item = add_waiting_item(settings, subject="Gate", text="The gate is broken again.",
                            category="service_request", confidence=0.4,
                            received=datetime(2026, 11, 2, 10, tzinfo=UTC))

    def officer(*args: str):
        return triage_in_process("item", *args, env=command_env)

    held = officer("claim", str(item), "--officer", "amina")
    assert held.returncode == 0, held.stderr
    assert f"amina holds item {item} until" in held.stdout
    refused = officer("claim", str(item), "--officer", "bob")
    assert refused.returncode == 1 and "amina holds item" in refused.stderr
    not_his = officer("release", str(item), "--officer", "bob")
    assert not_his.returncode == 1 and "amina does" in not_his.stderr
    assert officer("release", str(item), "--officer", "amina").returncode == 0
    assert officer("claim", str(item), "--officer", "bob").returncode == 0
    taken = officer("claim", str(item), "--officer", "amina", "--take-over")
    assert taken.returncode == 0 and "amina holds" in taken.stdout
    waiting = officer("reopen", str(item), "--officer", "amina", "--reason", "slip")
    assert waiting.returncode == 1 and "only a decided item" in waiting.stderr
    assert officer("decide", str(item), "--officer", "amina", "--action",
                   "accept").returncode == 0
    reopened = officer("reopen", str(item), "--officer", "bob", "--reason",
                       "It is a complaint about the repairs service.")
    assert reopened.returncode == 0, reopened.stderr
    assert f"Item {item} is back in the queue" in reopened.stdout
    with session_scope(settings.resolved_database_url) as session:
        assert session.get(Item, item).status == "needs_review"
        last = session.query(ReviewDecision).order_by(ReviewDecision.id.desc()).first()
        assert (last.action, last.officer, last.note) == (
            "reopen", "bob", "It is a complaint about the repairs service.")


def test_nonsense_arguments_are_refused_with_what_to_do(cli_env, command_env) -> None:
    """Retrying an item that does not exist, or an unknown kind of record, is an error."""
    retried = triage_command("retry", "999", env=cli_env)
    assert retried.returncode == 1 and "there is no item 999" in retried.stderr
    records = triage_in_process("records", "--kind", "bogus", env=command_env)
    assert records.returncode == 2 and "unknown kind 'bogus'" in records.stderr


def test_the_version_is_printed_and_the_database_file_is_private(command_env) -> None:
    import stat

    shown = triage_in_process("--version", env=command_env)
    assert shown.returncode == 0 and shown.stdout.startswith("housing-triage 0.")
    assert triage_in_process("items", env=command_env).returncode == 0
    database = Path(command_env["TRIAGE_DATA_DIR"]) / "triage.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_users_are_listed_and_a_password_reset_lets_a_manager_back_in(command_env) -> None:
    from core.settings import Settings
    from pipeline.users import check_password

    added = triage_in_process("user", "add", "morag", "--role", "manager", env=command_env,
                              stdin="first-password\n")
    assert added.returncode == 0, added.stderr
    (listed,) = jsonl(triage_in_process("user", "list", "--json", env=command_env).stdout)
    assert listed == {"username": "morag", "role": "manager", "active": True}
    reset = triage_in_process("user", "reset-password", "morag", env=command_env,
                              stdin="second-password\n")
    assert reset.returncode == 0 and "reset" in reset.stdout
    unknown = triage_in_process("user", "reset-password", "nobody", env=command_env,
                                stdin="second-password\n")
    assert unknown.returncode == 1 and "no user 'nobody'" in unknown.stderr
    settings = Settings(data_dir=Path(command_env["TRIAGE_DATA_DIR"]), _env_file=None)
    assert check_password(settings, "morag", "first-password") is None
    assert check_password(settings, "morag", "second-password") is not None


def test_an_unconfigured_source_is_refused_with_the_setting_to_change(cli_env, tmp_path) -> None:
    """Checked before Prefect or the model starts, so the answer comes at once."""
    env = {key: value for key, value in cli_env.items() if not key.startswith("TRIAGE_IMAP")}
    mailbox = triage_command("ingest", "mailbox", env=env)
    assert mailbox.returncode == 1 and "set TRIAGE_IMAP_HOST" in mailbox.stderr
    missing = tmp_path / "no-such-folder"
    scans = triage_command("ingest", "scans", str(missing), env=cli_env)
    assert scans.returncode == 1 and "does not exist: create it" in scans.stderr
    assert "Traceback" not in mailbox.stderr + scans.stderr


def test_a_mailbox_that_cannot_be_opened_fails_fast_with_one_layer_of_tries(cli_env) -> None:
    """An unknown host fails at once naming TRIAGE_IMAP_HOST; a host refusing connections,
    with TRIAGE_IMAP_ATTEMPTS=2, after two tries one wait apart: both before Prefect starts
    (its home is never created), never after Prefect's retries stacked on top (50 s before)."""
    import socket
    import time

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = {**cli_env, "TRIAGE_IMAP_USER": "u", "TRIAGE_IMAP_PASSWORD": "p",
            "TRIAGE_IMAP_SECURITY": "none", "TRIAGE_IMAP_ATTEMPTS": "2",
            "TRIAGE_IMAP_BACKOFF_SECONDS": "1", "PREFECT_HOME": cli_env["PREFECT_HOME"] + "-x"}
    for host, said in (("no-such-host.invalid", "check TRIAGE_IMAP_HOST"),
                       ("127.0.0.1", "after 2 attempts")):
        started = time.monotonic()
        done = triage_command("ingest", "mailbox", env={
            **base, "TRIAGE_IMAP_HOST": host, "TRIAGE_IMAP_PORT": str(port)})
        elapsed = time.monotonic() - started
        assert done.returncode == 1 and said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert elapsed < 20, f"{host}: {elapsed:.1f} s"
        assert not Path(base["PREFECT_HOME"]).exists()
