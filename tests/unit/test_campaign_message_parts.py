"""A recipient batch's messages are cut into parts of bounded size (``parts_of``): the log's
readers take events by the hundred, so an event must not grow with a batch of long texts."""

from __future__ import annotations

from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from domain.campaign.messages import BatchMessage, parts_of
from domain.shared.personal_data import PersonalData


def message(text_length: int) -> BatchMessage:
    customer = uuid4()
    return BatchMessage(
        customer, PersonalData(customer, "a@b.c"), PersonalData(customer, "x" * text_length)
    )


def size(part: list[BatchMessage]) -> int:
    return sum(len(m.recipient.value or "") + len(m.content.value or "") for m in part)


@given(st.lists(st.integers(0, 300), max_size=40), st.integers(1, 1000))
def test_parts_keep_the_order_and_stay_within_the_limit_unless_one_message_is_longer(
    lengths: list[int], limit: int
) -> None:
    messages = [message(n) for n in lengths]
    parts = parts_of(messages, limit)
    assert [m for part in parts for m in part] == messages
    assert all(part for part in parts)
    assert all(size(part) <= limit or len(part) == 1 for part in parts)


def test_short_messages_share_one_part_and_a_long_one_goes_alone() -> None:
    short, long_ = message(10), message(100)
    assert parts_of([short, short, long_, short], 50) == [[short, short], [long_], [short]]
