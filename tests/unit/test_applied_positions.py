"""The in-process news of committed projection positions (projections.applied): the highest
position heard is kept, listeners hear each advance once, and an unsubscribed listener hears
nothing more."""

from __future__ import annotations

from projections.applied import AppliedPositions


def test_the_highest_position_heard_is_kept_and_each_advance_told_once() -> None:
    """Positions only move forward while a process runs: an older announcement (a look read
    before a commit was told) neither lowers the position nor is told again."""
    applied = AppliedPositions()
    heard: list[tuple[str, int]] = []
    applied.subscribe(lambda name, position: heard.append((name, position)))
    applied.announce("a", 5)
    applied.saw({"a": 3, "b": 2})
    applied.announce("a", 5)
    assert (applied.position("a"), applied.position("b"), applied.position("c")) == (5, 2, -1)
    assert heard == [("a", 5), ("b", 2)]


def test_an_unsubscribed_listener_hears_nothing_more() -> None:
    """The API's watch unsubscribes when the app stops; the worker may go on announcing."""
    applied = AppliedPositions()
    heard: list[int] = []
    unsubscribe = applied.subscribe(lambda _name, position: heard.append(position))
    applied.announce("a", 1)
    unsubscribe()
    applied.announce("a", 2)
    assert heard == [1]


def test_only_the_read_models_led_here_are_led() -> None:
    """Leading is what the worker's leases say now, replaced as a whole each pass."""
    applied = AppliedPositions()
    applied.lead(["a", "b"])
    applied.lead(["b"])
    assert (applied.leads("a"), applied.leads("b")) == (False, True)
