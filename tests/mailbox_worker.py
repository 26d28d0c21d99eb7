"""A mailbox ingest process for the crash and concurrency tests: one pass, without Prefect.

Run as `python -m tests.mailbox_worker` with TRIAGE_* settings in the environment. It prints
"ready" once the model is loaded (so a test can kill it mid-work rather than mid-import),
then one JSON line with the pass's counts.
"""

from __future__ import annotations

import json
import sys

from ingest.errors import SourceConfigError, TransientSourceError
from triage import batch
from triage.mailbox import run_pass
from triage.settings import Settings


def main() -> int:
    settings = Settings()
    batch.load_model(settings)
    print("ready", flush=True)
    try:
        report = run_pass(settings)
    except (TransientSourceError, SourceConfigError) as exc:
        print(f"error: {exc}", flush=True)
        return 3
    print(json.dumps({"stored": len(report.batch.stored), "duplicates": report.batch.duplicates,
                      "outcomes": dict(report.batch.outcomes), "settled": report.settled,
                      "waiting": report.waiting, "reconnects": report.reconnects}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
