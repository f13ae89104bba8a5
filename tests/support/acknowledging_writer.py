"""A process for crash tests: 16 threads register customers through a real ledger, without end,
and print each registration as soon as the ledger has acknowledged it (returned), one line of
``<customer id> <log position>``. The test kills it with SIGKILL and checks the log against
what it printed.

    python -m tests.support.acknowledging_writer CONNINFO
"""

from __future__ import annotations

import itertools
import sys
import threading

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from tests.support.ledgers import postgres_ledger

WRITERS = 16
WRITER = EventMetadata(actor_id="crash-test", actor_role=Role.AGENT, channel=Channel.API)


def register_forever(ledger: Ledger, writer: int, printing: threading.Lock) -> None:
    for n in itertools.count():
        command = RegisterCustomer(f"Writer {writer} No {n}", f"w{writer}-{n}@crash.example")
        result = ledger.register_customer(command, WRITER)
        with printing:
            sys.stdout.write(f"{result.aggregate_id} {result.position}\n")
            sys.stdout.flush()


def main() -> None:
    with postgres_ledger(Database(sys.argv[1]), pool_size=WRITERS) as ledger:
        printing = threading.Lock()
        threads = [
            threading.Thread(target=register_forever, args=(ledger, i, printing), daemon=True)
            for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


if __name__ == "__main__":
    main()
