"""Each aggregate's latest version among a batch's events, whatever order they come in (the scan
keys ids by their integer; the answer is keyed by the ids themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID, uuid4

from projections.versions import latest_versions


@dataclass
class Event:
    originator_id: UUID
    originator_version: int


def test_the_highest_version_of_each_aggregate_keyed_by_its_id_in_first_seen_order() -> None:
    first, second = uuid4(), uuid4()
    events = [
        Event(first, 1),
        Event(second, 4),
        Event(UUID(str(first)), 3),  # an equal id, another object, as read from another row
        Event(second, 2),
        Event(first, 2),
    ]

    latest = latest_versions(cast(Any, events))

    assert latest == {first: 3, second: 4}
    assert list(latest) == [first, second]
    assert all(type(key) is UUID for key in latest)


def test_no_events_no_versions() -> None:
    assert latest_versions([]) == {}
