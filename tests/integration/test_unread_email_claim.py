"""A registration claims its email without reading the claim first (a new email has none):
an email that had a claim clashes on the claim's first version, writes nothing, and only
then is the claim read. In a group-committed batch, such a registration fails alone (a held
email) or is written again taking the released claim over, and its neighbours commit. A clash
leaves no hole in the log's ids (``migrations/201_append_without_burnt_ids.sql``): the
log's ids stay dense and the head moves only by a successful command's events."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from domain.customer.commands import RegisterCustomer
from domain.customer.errors import EmailAlreadyRegisteredError
from domain.customer.model import EmailClaim
from domain.ledger import Ledger
from domain.shared.application import CommandResult
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from tests.integration.test_fresh_subject_keys import key_row
from tests.integration.test_group_commit import (
    BatchSizes,
    an_event,
    grouped,
    last_drawn_id,
    log_of,
    log_rows,
)


def events_of(database: Database, originator: UUID) -> list[str]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT topic FROM ledger_events WHERE originator_id = %s ORDER BY originator_version",
            (originator,),
        ).fetchall()
    return [str(row[0]).rsplit(".", 1)[-1] for row in rows]


def claim_of(ledger: Ledger, customer_id: UUID) -> UUID:
    return EmailClaim.id_for(ledger.get_customer(customer_id).email_fingerprint)


def registering(
    ledger: Ledger, agent: EventMetadata, outcomes: dict[UUID, Any], customer: UUID, address: str
) -> Callable[[], None]:
    """A call that registers ``address`` as ``customer`` and notes its outcome (its result, or
    its error) under the customer's id."""

    def call() -> None:
        command = RegisterCustomer("Grace Hopper", address, customer_id=customer)
        try:
            outcomes[customer] = ledger.register_customer(command, agent)
        except Exception as error:  # the test asserts on it
            outcomes[customer] = error

    return call


def batch_with(
    ledger: Ledger, database: Database, agent: EventMetadata, email: str
) -> tuple[UUID, dict[UUID, Any], list[UUID]]:
    """Register ``email`` (as a new customer of a given id) among five new emails in one
    batch; each call's outcome (its result, or its error) by customer id."""
    contested, others = uuid4(), [uuid4() for _ in range(5)]
    outcomes: dict[UUID, Any] = {}

    def registration(customer: UUID, address: str) -> Callable[[], None]:
        return registering(ledger, agent, outcomes, customer, address)

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


def ids_drawn(database: Database) -> int:
    """How many ids the log's sequence has handed out (committed or not)."""
    last, called = last_drawn_id(database)
    return last if called else 0


def assert_dense(database: Database) -> None:
    ids = [row[0] for row in log_rows(database)]
    assert ids == list(range(1, len(ids) + 1)), "the log's ids have a hole"


def test_a_held_email_is_refused_leaving_the_sequence_where_it_was(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    head, drawn = ledger.head_position(), ids_drawn(database)

    with pytest.raises(EmailAlreadyRegisteredError):
        ledger.register_customer(RegisterCustomer("Grace", " ADA@example.org"), agent)

    assert ledger.head_position() == head
    assert ids_drawn(database) == drawn, "the clash left the log's sequence where it was"
    after = ledger.register_customer(RegisterCustomer("Grace", "grace@example.org"), agent)
    assert after.position == head + 2, "the next registration follows on, no hole"
    assert_dense(database)


def test_a_released_email_is_taken_over_moving_the_head_by_its_two_events(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    first = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.change_email(first.aggregate_id, "ada.king@example.org", agent)
    head, drawn = ledger.head_position(), ids_drawn(database)

    second = ledger.register_customer(RegisterCustomer("Grace", "ada@example.org"), agent)

    assert second.position == head + 2, "Registered and Reclaimed, nothing burned before them"
    assert ids_drawn(database) == drawn + 2
    claim = EmailClaim.id_for(ledger.fingerprint_email("ada@example.org"))
    assert events_of(database, claim) == ["Claimed", "Released", "Reclaimed"]
    assert_dense(database)


def test_a_batch_with_clashes_keeps_ids_only_for_the_events_it_commits(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Two new registrations of one email in one batch (both write the claim's first
    version), and one of an email held already: the batch at once is refused, then written
    command by command, the sequence put back to the last id held before the first and after
    each refused one."""
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    drawn = ids_drawn(database)
    contested, twin, others = uuid4(), uuid4(), [uuid4() for _ in range(4)]
    outcomes: dict[UUID, Any] = {}

    def registration(customer: UUID, address: str) -> Callable[[], None]:
        return registering(ledger, agent, outcomes, customer, address)

    calls = [registration(contested, "ada@example.org")]
    calls += [registration(c, "twins@example.org") for c in (uuid4(), twin)]
    calls += [registration(o, f"other-{o.hex}@example.org") for o in others]
    grouped(database, log_of(ledger), calls)

    refused = [o for o in outcomes.values() if isinstance(o, EmailAlreadyRegisteredError)]
    assert len(refused) == 2, outcomes
    assert isinstance(outcomes[contested], EmailAlreadyRegisteredError)
    assert all(isinstance(outcomes[o], CommandResult) for o in others), "neighbours unhurt"
    written = len(calls) - len(refused)
    assert ids_drawn(database) == drawn + 1 + 2 * written, "the opener's event, 2 per success"
    assert_dense(database)


def test_concurrent_registrations_of_one_email_one_wins_and_the_ids_stay_dense(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    drawn = ids_drawn(database)
    outcomes: list[Any] = []
    start = threading.Barrier(16)

    def register(i: int) -> None:
        start.wait()
        try:
            outcomes.append(
                ledger.register_customer(RegisterCustomer(f"Twin {i}", "one@example.org"), agent)
            )
        except Exception as error:  # the test asserts on it
            outcomes.append(error)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [o for o in outcomes if isinstance(o, CommandResult)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, EmailAlreadyRegisteredError) for o in outcomes if o not in winners)
    assert ids_drawn(database) == drawn + 2
    claim = EmailClaim.id_for(ledger.fingerprint_email("one@example.org"))
    assert ledger.repository.get(claim).customer_id == winners[0].aggregate_id
    assert_dense(database)


def test_a_clashing_command_written_alone_leaves_the_sequence_where_it_was(
    ledger: Ledger, database: Database
) -> None:
    """The careful path on its own: a command whose version is taken fails with the library's
    IntegrityError, as before, and the sequence is back where it was."""
    recorder = log_of(ledger)
    stream = uuid4()
    recorder.insert_events([an_event(stream)])
    drawn = ids_drawn(database)

    with pytest.raises(IntegrityError):
        recorder.insert_events([an_event(uuid4()), an_event(stream)])

    assert ids_drawn(database) == drawn
    assert recorder.insert_events([an_event(stream, 2)]) == [drawn + 1]
