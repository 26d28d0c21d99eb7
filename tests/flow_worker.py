"""One worker machine for the scale-out test: the mailbox and scan-folder flows, in turns.

`python -m tests.flow_worker ROUNDS` with TRIAGE_* and PREFECT_HOME in the environment runs
`mailbox-poll` then `scan-folder` ROUNDS times through Prefect (the embedded ephemeral API),
printing one JSON line a round: what it stored, or that another worker held the lease.
"""

from __future__ import annotations

import json
import sys

from core.settings import Settings
from flows.prefect_env import configure_prefect


def main() -> int:
    settings = Settings()
    configure_prefect(settings.data_dir)
    from flows.mailbox_flow import mailbox_poll
    from flows.scan_flow import scan_folder_pass

    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2):
        mail = mailbox_poll(settings)
        scans = scan_folder_pass(settings, settings.resolved_scan_dir)
        print(json.dumps({
            "mail_stored": len(mail.batch.stored), "mail_skipped": mail.skipped_because,
            "settled": mail.settled, "scans_stored": len(scans.batch.stored),
            "scans_skipped": scans.skipped_because, "archived": scans.archived,
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
