"""Property (in memory): whatever steps are sent to an order, in any order and repeated, the
order's status is the last step that followed its predecessor; every other step is refused
(or, repeating the current one, a no-op) and leaves the order's version as it was."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.customer.commands import RegisterCustomer
from domain.fulfilment.commands import LineInput, RecordFulfilment
from domain.fulfilment.errors import IllegalFulfilmentStepError
from domain.fulfilment.values import NEXT_STEP, FulfilmentStep
from domain.shared.metadata import Channel, EventMetadata, Role
from tests.support.ledgers import in_memory_ledger

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
LATER = [step for step in FulfilmentStep if step is not FulfilmentStep.PLACED]


def command(step: FulfilmentStep) -> RecordFulfilment:
    if step is FulfilmentStep.SHIPPED:
        return RecordFulfilment("o-1", step, carrier="dhl", tracking_number="JD0146000039")
    return RecordFulfilment("o-1", step)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(LATER), max_size=12))
def test_the_status_is_the_last_step_that_followed_and_the_rest_write_nothing(
    steps: list[FulfilmentStep],
) -> None:
    ledger = in_memory_ledger()
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT).aggregate_id
    placed = RecordFulfilment(
        "o-1", FulfilmentStep.PLACED, customer_id=ada, lines=[LineInput("A", 1)]
    )
    ledger.record_fulfilment(placed, AGENT)
    expected = FulfilmentStep.PLACED
    for step in steps:
        version = ledger.get_tracked_order("o-1").version
        if NEXT_STEP.get(expected) is step:
            ledger.record_fulfilment(command(step), AGENT)
            expected = step
        elif step is expected:  # the current step again: answered the same
            ledger.record_fulfilment(command(step), AGENT)
            assert ledger.get_tracked_order("o-1").version == version
        else:
            try:
                ledger.record_fulfilment(command(step), AGENT)
            except IllegalFulfilmentStepError:
                pass
            else:
                raise AssertionError(f"{step} after {expected} was accepted")
            assert ledger.get_tracked_order("o-1").version == version
        assert ledger.get_tracked_order("o-1").status is expected
