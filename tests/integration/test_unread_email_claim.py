"""A registration claims its email without reading the claim first (a new email has none):
an email that had a claim clashes on the claim's first version, writes nothing, and only
then is the claim read. In a group-committed batch, such a registration fails alone (a held
email) or is written again taking the released claim over, and its neighbours commit."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import RegisterCustomer
from domain.customer.errors import EmailAlreadyRegisteredError
from domain.customer.model import EmailClaim
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from tests.integration.test_fresh_subject_keys import key_row
from tests.integration.test_group_commit import BatchSizes, grouped, log_of


def events_of(database: Database, originator: UUID) -> list[str]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT topic FROM ledger_events WHERE originator_id = %s ORDER BY originator_version",
            (originator,),
        ).fetchall()
    return [str(row[0]).rsplit(".", 1)[-1] for row in rows]


def claim_of(ledger: Ledger, customer_id: UUID) -> UUID:
    return EmailClaim.id_for(ledger.get_customer(customer_id).email_fingerprint)


def batch_with(
    ledger: Ledger, database: Database, agent: EventMetadata, email: str
) -> tuple[UUID, dict[UUID, Any], list[UUID]]:
    """Register ``email`` (as a new customer of a given id) among five new emails in one
    batch; each call's outcome (its result, or its error) by customer id."""
    contested, others = uuid4(), [uuid4() for _ in range(5)]
    outcomes: dict[UUID, Any] = {}

    def registration(customer: UUID, address: str) -> Any:
        def call() -> None:
            command = RegisterCustomer("Grace Hopper", address, customer_id=customer)
            try:
                outcomes[customer] = ledger.register_customer(command, agent)
            except Exception as error:  # the test asserts on it
                outcomes[customer] = error

        return call

    calls = [registration(contested, email)]
    calls += [registration(o, f"other-{o.hex}@example.org") for o in others]
    grouped(database, log_of(ledger), calls)
    return contested, outcomes, others


def test_a_held_email_in_a_batch_fails_alone_and_writes_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    holder = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    batches = BatchSizes(log_of(ledger))

    contested, outcomes, others = batch_with(ledger, database, agent, "ADA@example.org")

    assert batches.sizes[:2] == [1, 6], "the opening write, then the six registrations"
    assert isinstance(outcomes[contested], EmailAlreadyRegisteredError)
    assert events_of(database, contested) == [], "no event of the refused registration"
    assert key_row(database, contested) is None, "nor its subject key"
    claim = claim_of(ledger, holder.aggregate_id)
    assert events_of(database, claim) == ["Claimed"], "the claim is the holder's, untouched"
    for other in others:
        assert outcomes[other].aggregate_id == other
        assert events_of(database, other) == ["Registered"]
        assert (row := key_row(database, other)) is not None and row[0] is not None


def test_a_released_email_in_a_batch_is_taken_over(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    first = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    claim = claim_of(ledger, first.aggregate_id)
    ledger.change_email(first.aggregate_id, "ada.king@example.org", agent)

    contested, outcomes, others = batch_with(ledger, database, agent, "ada@example.org")

    assert outcomes[contested].aggregate_id == contested
    assert events_of(database, claim) == ["Claimed", "Released", "Reclaimed"]
    assert ledger.repository.get(claim).customer_id == contested
    assert (row := key_row(database, contested)) is not None and row[0] is not None
    assert ledger.get_customer(contested).name.value == "Grace Hopper"
    assert all(outcomes[o].aggregate_id == o for o in others)


@pytest.mark.parametrize("email", ["new@example.org", "ada@example.org"])
def test_a_registration_reads_the_email_claim_only_if_there_is_one(
    ledger: Ledger, agent: EventMetadata, email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    reads: list[UUID] = []
    read = ledger.recorder.select_events

    def counted(originator_id: UUID, **options: Any) -> Any:
        reads.append(originator_id)
        return read(originator_id, **options)

    monkeypatch.setattr(ledger.recorder, "select_events", counted)
    try:
        ledger.register_customer(RegisterCustomer("Grace", email), agent)
    except EmailAlreadyRegisteredError:
        assert email == "ada@example.org"
    claims = [r for r in reads if r == EmailClaim.id_for(ledger.fingerprint_email(email))]
    assert len(claims) == (0 if email == "new@example.org" else 1)
