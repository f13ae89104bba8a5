"""One table maps each command type to the handler function of its slice, and the Ledger runs
a command by it (issue 15: commands as handlers, not a tower of mixins)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from domain.customer.commands import RegisterCustomer
from domain.handlers import HANDLERS
from domain.ledger import Ledger
from domain.purchase.commands import RecordPurchase, RefundPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.application import CommandResult
from domain.shared.commands import Command
from domain.shared.metadata import Channel, EventMetadata, Role

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)


@dataclass(frozen=True, slots=True)
class Unhandled(Command[None]):
    """A command no slice handles."""


def test_every_handler_takes_the_ledger_its_command_and_the_metadata() -> None:
    for command_type, handler in HANDLERS.items():
        parameters = list(inspect.signature(handler).parameters)
        assert parameters == ["ledger", "command", "metadata"], command_type
        assert issubclass(command_type, Command)


def test_the_ledger_runs_a_command_by_its_handler(ledger: Ledger) -> None:
    """Recording and refunding an order through ``handle`` is what the delegates do."""
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT)
    now = datetime.now(UTC)
    order = RecordPurchase(ada.aggregate_id, "order-1", "40", "EUR", PurchaseChannel.WEB, now)
    recorded = ledger.handle(order, AGENT)
    refunded = ledger.handle(RefundPurchase("order-1", "10"), AGENT)
    assert isinstance(recorded, CommandResult) and refunded.version == recorded.version + 1
    assert ledger.get_purchase("order-1").refunded_minor == 1000


def test_a_command_without_a_handler_is_refused_and_writes_nothing(ledger: Ledger) -> None:
    head = ledger.head_position()
    with pytest.raises(TypeError, match="no handler for Unhandled"):
        ledger.handle(Unhandled(), AGENT)
    assert ledger.head_position() == head
