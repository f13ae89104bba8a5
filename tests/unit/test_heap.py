"""``settle_heap``: a serving process's start-up garbage collected, the rest frozen, the youngest
generation collected less often, later garbage still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from infrastructure.heap import SERVING_YOUNG_THRESHOLD, settle_heap


class _Node:
    def __init__(self) -> None:
        self.other: object = None


def _cycle() -> weakref.ref[_Node]:
    """A reference cycle nothing else holds: only the collector frees it."""
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()  # back to the oldest generation: this test process goes on
        gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_start_up_garbage_is_collected_and_the_rest_frozen() -> None:
    """What start-up left unreachable is freed, not frozen; what lives is frozen."""
    garbage = _cycle()
    kept = _Node()
    frozen_before = gc.get_freeze_count()
    settle_heap()
    assert garbage() is None
    assert gc.get_freeze_count() > frozen_before
    assert not any(obj is kept for obj in gc.get_objects())  # no generation holds it now


@pytest.mark.usefixtures("restored_collector")
def test_later_garbage_is_still_collected() -> None:
    """A request's cycles, made after the freeze, are freed by the collector as before."""
    settle_heap()
    garbage = _cycle()
    gc.collect()
    assert garbage() is None


@pytest.mark.usefixtures("restored_collector")
def test_the_youngest_generation_is_collected_less_often() -> None:
    """Its threshold rises to SERVING_YOUNG_THRESHOLD; the older ones keep theirs; a higher
    threshold set before is kept."""
    gc.set_threshold(700, 11, 12)
    settle_heap()
    assert gc.get_threshold() == (SERVING_YOUNG_THRESHOLD, 11, 12)
    gc.set_threshold(SERVING_YOUNG_THRESHOLD * 2, 10, 10)
    settle_heap()
    assert gc.get_threshold() == (SERVING_YOUNG_THRESHOLD * 2, 10, 10)


@pytest.mark.usefixtures("restored_collector")
def test_a_collector_turned_off_stays_off() -> None:
    """Threshold 0 (automatic collection off) is left as it is."""
    gc.set_threshold(0, 10, 10)
    settle_heap()
    assert gc.get_threshold() == (0, 10, 10)
