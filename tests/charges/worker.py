"""A separate Strongroom process that runs the due jobs once, for crash and replica tests.

    python -m tests.charges.worker DB_URL VAULT_ADDR VAULT_TOKEN STRIPE_BASE NOW [START_AT]

It waits until the wall clock reaches START_AT (epoch seconds), so that replicas start
together, then prints the items handled per job as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime

from service.app.bootstrap import build_context
from service.core.clock import FrozenClock
from service.core.config import Settings
from service.jobs.scheduler import run_due_jobs


def main(argv: list[str]) -> None:
    db_url, vault_addr, vault_token, stripe_base, now_text = argv[:5]
    now = datetime.fromisoformat(now_text)
    settings = Settings(
        database_url=db_url,
        vault_addr=vault_addr,
        vault_token=vault_token,
        stripe_api_base=stripe_base,
        stripe_timeout_seconds=120.0,
        scheduler_enabled=False,
    )
    context = build_context(settings, clock=FrozenClock(now))
    if len(argv) > 5:
        time.sleep(max(0.0, float(argv[5]) - time.time()))
    print(json.dumps(run_due_jobs(context, now)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
