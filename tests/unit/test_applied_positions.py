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


def test_rows_stand_still_only_for_a_read_model_led_here_with_no_change_in_flight() -> None:
    """A read model another process applies, or one whose pass is under way, has no count a
    read could be kept under (projections.row_cache keeps nothing then)."""
    applied = AppliedPositions()
    assert applied.rows_generation("a") is None  # not led here
    applied.lead(["a"])
    still = applied.rows_generation("a")
    assert still is not None
    applied.changing(["a"])
    assert applied.rows_generation("a") is None
    applied.changed(["a"])
    after = applied.rows_generation("a")
    assert after is not None and after != still
    applied.lead([])
    assert applied.rows_generation("a") is None


def test_a_change_counts_only_for_the_read_models_it_changes() -> None:
    applied = AppliedPositions()
    applied.lead(["a", "b"])
    before = applied.rows_generation("b")
    applied.changing(["a"])
    assert applied.rows_generation("b") == before
    applied.changed(["a"])
    assert applied.rows_generation("b") == before


def test_a_read_model_led_again_counts_as_changed() -> None:
    """Another process may have applied it meanwhile: what was read before is not its rows."""
    applied = AppliedPositions()
    applied.lead(["a"])
    before = applied.rows_generation("a")
    applied.lead([])
    applied.lead(["a"])
    assert applied.rows_generation("a") not in (None, before)


def test_a_position_read_beyond_the_one_known_counts_as_changed() -> None:
    """A rebuild's switch or another worker's batch moved it: the rows moved with it. A
    position read where it was known changes nothing."""
    applied = AppliedPositions()
    applied.lead(["a"])
    applied.announce("a", 5)
    known = applied.rows_generation("a")
    applied.saw({"a": 5})
    assert applied.rows_generation("a") == known
    applied.saw({"a": 9})
    assert applied.rows_generation("a") not in (None, known)


def test_a_read_model_led_on_a_new_listener_session_counts_as_changed() -> None:
    """Its lease lost and retaken between two passes (the listener connected again): the
    names led are the same, the session is not."""
    applied = AppliedPositions()
    applied.lead(["a"], term=1)
    before = applied.rows_generation("a")
    applied.lead(["a"], term=1)
    assert applied.rows_generation("a") == before
    applied.lead(["a"], term=2)
    assert applied.rows_generation("a") not in (None, before)


def test_a_position_read_behind_the_one_known_counts_as_changed() -> None:
    """A reset (another process's migration) moves a read model back to 0."""
    applied = AppliedPositions()
    applied.lead(["a"])
    applied.announce("a", 5)
    known = applied.rows_generation("a")
    applied.saw({"a": 0})
    assert applied.rows_generation("a") not in (None, known)


def test_watchers_hear_each_read_model_whose_count_moves() -> None:
    """The app's kept reads let go of a read model's pages as soon as its count moves."""
    applied = AppliedPositions()
    heard: list[str] = []
    unwatch = applied.watch_changes(heard.append)
    applied.lead(["a", "b"])
    applied.changing(["a"])
    applied.changed(["a"])
    applied.lead(["b"])
    unwatch()
    applied.changing(["b"])
    assert sorted(heard) == ["a", "a", "a", "a", "b"]  # b once: led; a also as it left
