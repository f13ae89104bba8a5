"""The order progress reaction, through the real ledger, runner, outbox and sender to a real
SMTP server on loopback: each fulfilment step after an order's placing is told to its customer
once by email (again after a crash and a second delivery), in their language; nothing for a
customer who turned email off, nor when an admin turned the reaction off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.model import TrackedOrder
from domain.fulfilment.values import FulfilmentStep
from domain.ledger import Ledger
from domain.reactions.model import OrderNotice
from domain.reactions.policies import OrderProgressNotices
from domain.reactions.settings import ReactionSettings
from domain.shared.metadata import EventMetadata
from infrastructure.database import Database
from tests.integration.test_reactions import (
    crash_after_the_command,
    customer,
    outbox,
    run,
    run_from_the_start,
    subjects_sent,
)
from tests.support.outbox import opened

SHIPPED_AT = datetime.now(UTC) - timedelta(hours=1)


def delivered_order(ledger: Ledger, customer_id: UUID, agent: EventMetadata) -> UUID:
    """Order o-9 placed, paid, packed, shipped with DHL, delivered; the order's stream id."""
    lines = [LineInput("KETTLE-2", 1)]
    placed = RecordFulfilment(
        "o-9", FulfilmentStep.PLACED, SHIPPED_AT - timedelta(days=1), customer_id, lines
    )
    order_id = ledger.record_fulfilment(placed, agent).aggregate_id
    for step in (FulfilmentStep.PAID, FulfilmentStep.PACKED):
        ledger.record_fulfilment(RecordFulfilment("o-9", step, SHIPPED_AT), agent)
    shipped = RecordFulfilment(
        "o-9", FulfilmentStep.SHIPPED, SHIPPED_AT, carrier="dhl", tracking_number="JD0146000039"
    )
    ledger.record_fulfilment(shipped, agent)
    ledger.record_fulfilment(RecordFulfilment("o-9", FulfilmentStep.DELIVERED), agent)
    return order_id


def test_each_step_after_placing_is_told_once_by_email(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Paid, packed, shipped (with carrier and expected day), delivered: four emails to the
    customer's address; the placing is the shop's to confirm; no tracking number in the
    outbox."""
    ada = customer(ledger, agent)
    delivered_order(ledger, ada, agent)
    run(ledger, database, OrderProgressNotices())
    messages = outbox(ledger, database, "order_progress")
    assert [m.payload["step"] for m in messages] == ["paid", "packed", "shipped", "delivered"]
    assert {(m.customer_id, m.channel) for m in messages} == {(ada, "email")}
    shipped = messages[2].payload
    expected = (SHIPPED_AT + timedelta(days=2)).date().isoformat()
    assert (shipped["carrier"], shipped["expected_on"]) == ("dhl", expected)
    assert "JD0146000039" not in repr([m.payload for m in messages])
    assert {opened(ledger, m).recipient for m in messages} == {"ada@example.org"}
    assert sorted(subjects_sent(ledger, database)) == [
        "Your order o-9 is on its way",
        "Your order o-9 is packed",
        "Your order o-9 is paid",
        "Your order o-9 was delivered",
    ]


def test_steps_are_told_once_after_a_crash_and_a_second_delivery(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The notice's id derives from the step: re-delivered events queue nothing more, and the
    order's own stream is untouched."""
    ada = customer(ledger, agent)
    order_id = delivered_order(ledger, ada, agent)
    version = ledger.get_tracked_order("o-9").version
    crash_after_the_command(ledger, database, OrderProgressNotices())
    run(ledger, database, OrderProgressNotices())
    run_from_the_start(ledger, database, OrderProgressNotices())
    assert len(outbox(ledger, database, "order_progress")) == 4
    assert ledger.get_tracked_order("o-9").version == version
    assert isinstance(ledger.find(OrderNotice.id_for(order_id, version)), OrderNotice)
    assert isinstance(ledger.find(order_id), TrackedOrder)


def test_a_customer_who_turned_email_off_is_told_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """Contact preferences are honoured: no notice, and the runner goes on."""
    delivered_order(ledger, customer(ledger, agent, email=False), agent)
    assert run(ledger, database, OrderProgressNotices()) == ledger.head_position()
    assert outbox(ledger, database, "order_progress") == []


def test_order_notices_turned_off_tell_nothing(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """CXL_REACTION_ORDER_PROGRESS=false: nothing queued."""
    delivered_order(ledger, customer(ledger, agent), agent)
    run(ledger, database, OrderProgressNotices(ReactionSettings(order_progress=False)))
    assert outbox(ledger, database, "order_progress") == []


def test_a_french_speaking_customer_is_told_in_french(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    """The fr templates."""
    delivered_order(ledger, customer(ledger, agent, language="fr"), agent)
    run(ledger, database, OrderProgressNotices())
    assert sorted(subjects_sent(ledger, database)) == [
        "Votre commande o-9 a été livrée",
        "Votre commande o-9 est emballée",
        "Votre commande o-9 est en route",
        "Votre commande o-9 est payée",
    ]
