"""A mailbox ingest process for the crash and concurrency tests: one pass, without Prefect.

`python -m tests.mailbox_worker` (TRIAGE_* settings in the environment) prints "ready" once
the model is loaded, so a test can kill it mid-work rather than mid-import, then runs one
pass and prints one JSON line of its counts.

`python -m tests.mailbox_worker --fork-server` loads everything once and then, for each
"run" line on stdin, forks a fresh worker process that runs one pass ("started PID"); "wait"
reaps it ("exited PID signal=N" or "exited PID code=N"). The crash test kills those workers
with SIGKILL: each is a real process with nothing shared but the loaded model, and starting
one costs milliseconds instead of the seconds of importing spaCy and scikit-learn again.
"""

from __future__ import annotations

import json
import os
import sys

from core.settings import Settings
from ingest.errors import SourceConfigError, TransientSourceError
from pipeline import batch
from pipeline.mailbox_pass import run_pass


def one_pass(settings: Settings) -> int:
    try:
        # Without the lease: two workers' passes overlap, so the claims alone must keep
        # every message exactly once.
        report = run_pass(settings, take_turns=False)
    except (TransientSourceError, SourceConfigError) as exc:
        print(f"error: {exc}", flush=True)
        return 3
    print(json.dumps({"stored": len(report.batch.stored), "duplicates": report.batch.duplicates,
                      "outcomes": dict(report.batch.outcomes), "settled": report.settled,
                      "waiting": report.waiting, "reconnects": report.reconnects}), flush=True)
    return 0


def fork_server(settings: Settings) -> int:
    from classify.nlp import load_english

    load_english()
    print("ready", flush=True)
    child = None
    for line in sys.stdin:
        command = line.strip()
        if command == "run":
            child = os.fork()
            if child == 0:
                code = 1
                try:
                    code = one_pass(settings)
                finally:
                    sys.stdout.flush()
                    os._exit(code)
            print(f"started {child}", flush=True)
        elif command == "wait" and child is not None:
            _, status = os.waitpid(child, 0)
            how = (f"signal={os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                   else f"code={os.WEXITSTATUS(status)}")
            print(f"exited {child} {how}", flush=True)
            child = None
        elif command == "quit":
            break
    return 0


def main() -> int:
    settings = Settings()
    batch.load_model(settings)
    if "--fork-server" in sys.argv:
        return fork_server(settings)
    print("ready", flush=True)
    return one_pass(settings)


if __name__ == "__main__":
    sys.exit(main())
