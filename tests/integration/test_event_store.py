"""The event store on real PostgreSQL: encryption at rest, uniqueness, conflicts."""

from __future__ import annotations

import base64
import threading
from uuid import uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.errors import EmailAlreadyRegisteredError
from domain.customer.model import Customer
from domain.ledger import Ledger
from domain.shared.errors import ConcurrencyConflictError
from domain.shared.metadata import EventMetadata, acting_as
from infrastructure.database import Database

NAME = "Zebedee Quixotic-Marlowe"
EMAIL = "zebedee.quixotic@unusual-domain.example"
PHONE = "+44 7700 900461"


def forms(text: str) -> list[bytes]:
    """The ways a value could leak into a row: as text, in either case, hex, base64, UTF-16."""
    raw = text.encode()
    found = [
        raw,
        raw.lower(),
        raw.upper(),
        raw.hex().encode(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        text.encode("utf-16-le"),
    ]
    found += [
        part.encode() for part in text.replace("@", " ").replace(".", " ").split() if len(part) > 5
    ]
    return found


def test_no_personal_value_appears_in_any_form_in_the_raw_event_rows(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer(NAME, EMAIL, phone=PHONE, region="EU"), agent)
    with database.connect() as conn:
        rows = conn.execute("SELECT topic, state FROM ledger_events").fetchall()
        key_rows = conn.execute("SELECT wrapped_key FROM cxl_subject_keys").fetchall()
    assert len(rows) == 2 and len(key_rows) == 1
    stored = b"".join(topic.encode() + bytes(state) for topic, state in rows)
    stored += b"".join(bytes(key) for (key,) in key_rows)
    for value in (NAME, EMAIL, PHONE):
        for form in forms(value):
            assert form not in stored, f"{value!r} leaked as {form!r}"
    assert b"EU" in stored  # region is not personal data: the scan does see clear values


def test_concurrent_registrations_of_one_email_let_exactly_one_succeed(
    ledger: Ledger, agent: EventMetadata
) -> None:
    variants = ["same@example.org", "SAME@example.org", " same@example.org", "Same@Example.org"]
    outcomes: list[str] = []
    barrier = threading.Barrier(16)

    def register(index: int) -> None:
        command = RegisterCustomer(f"Racer {index}", variants[index % len(variants)])
        barrier.wait()
        try:
            ledger.register_customer(command, agent)
            outcomes.append("ok")
        except EmailAlreadyRegisteredError:
            outcomes.append("refused")

    threads = [threading.Thread(target=register, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 15
    assert ledger.head_position() == 2  # one Registered and one Claimed, nothing else


def test_a_write_racing_on_one_aggregate_version_is_a_typed_conflict(
    ledger: Ledger, agent: EventMetadata
) -> None:
    customer_id = uuid4()
    with acting_as(agent):
        first = Customer.register(
            customer_id,
            name="A",
            email="a@example.org",
            phone=None,
            region=None,
            email_fingerprint="a" * 64,
        )
        second = Customer.register(
            customer_id,
            name="B",
            email="b@example.org",
            phone=None,
            region=None,
            email_fingerprint="b" * 64,
        )
    ledger.commit(first)
    with pytest.raises(ConcurrencyConflictError) as conflict:
        ledger.commit(second)
    assert conflict.value.current_version == 1
    assert ledger.get_customer(customer_id).name.value == "A"
