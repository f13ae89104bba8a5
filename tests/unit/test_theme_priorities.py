"""Deciding on a feedback theme (planned, done) given-when-then in memory, and the arithmetic
of a theme's NPS impact: its mean difference and 95% Welch interval on known cases."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

import pytest

from domain.improvement.errors import UnknownTopicError
from domain.ledger import Ledger
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.theme_priority.commands import MarkThemeDone, MarkThemePlanned
from domain.theme_priority.errors import ThemeAlreadyDoneError, ThemeAlreadyPlannedError
from domain.theme_priority.model import ThemePriority
from domain.theme_priority.values import MAX_NOTE, ThemeStatus
from projections.theme_priorities.stats import Sample, impact, t_quantile, welch_interval

ANALYST = EventMetadata(actor_id="analyst-1", actor_role=Role.ANALYST, channel=Channel.WEB)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def events(ledger: Ledger, theme: str) -> list[object]:
    return list(ledger.repository.event_store.get(ThemePriority.id_for(theme)))


def test_planning_a_raised_theme_records_who_planned_it_and_the_note(ledger: Ledger) -> None:
    """The first decision opens the theme's stream (Tracked) and records MarkedPlanned with
    the note, the theme in lower case, the analyst as the actor."""
    ledger.handle(MarkThemePlanned("  Dark  Mode ", "Q3 release", raised=True, now=NOW), ANALYST)

    tracked, planned = events(ledger, "dark mode")
    assert isinstance(tracked, ThemePriority.Tracked) and tracked.theme == "dark mode"
    assert isinstance(planned, ThemePriority.MarkedPlanned)
    assert (planned.note, planned.at, planned.metadata.actor_id) == ("Q3 release", NOW, "analyst-1")


def test_a_theme_nobody_raised_is_unknown_and_nothing_is_written(ledger: Ledger) -> None:
    """UNKNOWN_TOPIC on the theme: no stream is opened."""
    with pytest.raises(UnknownTopicError) as refused:
        ledger.handle(MarkThemePlanned("nothing said", raised=False), ANALYST)
    assert (refused.value.code, refused.value.field) == ("UNKNOWN_TOPIC", "theme")
    assert events(ledger, "nothing said") == []


def test_planning_twice_is_refused_and_done_after_planned_is_recorded(ledger: Ledger) -> None:
    """PLANNED -> PLANNED is THEME_ALREADY_PLANNED; PLANNED -> DONE is MarkedDone."""
    ledger.handle(MarkThemePlanned("checkout", raised=True), ANALYST)
    with pytest.raises(ThemeAlreadyPlannedError):
        ledger.handle(MarkThemePlanned("checkout", raised=True), ANALYST)
    ledger.handle(MarkThemeDone("checkout", "shipped in 2.6", raised=True), ANALYST)

    assert isinstance(events(ledger, "checkout")[-1], ThemePriority.MarkedDone)
    theme = ledger.find(ThemePriority.id_for("checkout"))
    assert isinstance(theme, ThemePriority) and theme.status is ThemeStatus.DONE


def test_a_done_theme_is_neither_planned_nor_done_again(ledger: Ledger) -> None:
    """An open theme may be marked done directly; after that both are THEME_ALREADY_DONE."""
    ledger.handle(MarkThemeDone("courier", raised=True), ANALYST)
    for again in (MarkThemePlanned("courier", raised=True), MarkThemeDone("courier", raised=True)):
        with pytest.raises(ThemeAlreadyDoneError):
            ledger.handle(again, ANALYST)
    assert len(events(ledger, "courier")) == 2


def test_a_decision_on_a_stale_version_is_a_concurrency_conflict(ledger: Ledger) -> None:
    """expectedVersion 0 means "no decision yet": once one exists it conflicts."""
    ledger.handle(MarkThemePlanned("refunds", raised=True, expected_version=0), ANALYST)
    with pytest.raises(ConcurrencyConflictError) as refused:
        ledger.handle(MarkThemeDone("refunds", raised=True, expected_version=0), ANALYST)
    assert refused.value.current_version == 2


@pytest.mark.parametrize(
    ("theme", "note", "field"),
    [
        ("", None, "theme"),
        ("x" * 101, None, "theme"),
        ("bad\x00theme", None, "theme"),
        ("checkout", "n" * (MAX_NOTE + 1), "note"),
        ("checkout", "tab\x07bell", "note"),
    ],
    ids=["blank", "long-theme", "nul", "long-note", "control"],
)
def test_bad_input_is_invalid_on_its_field(
    ledger: Ledger, theme: str, note: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        ledger.handle(MarkThemePlanned(theme, note, raised=True), ANALYST)
    assert refused.value.field == field


def test_the_interval_matches_welchs_formula_on_a_known_case() -> None:
    """Scores [2, 4, 4, 5] with the theme against [8, 9, 9, 10, 10] without: d = -5.45;
    sample variances 19/12 and 0.7, se = sqrt(19/48 + 0.14) = 0.73201, Welch df = 5.0259,
    t(0.975, df) = 2.56661 (found apart, by integrating the t density numerically), so the
    interval is -5.45 -+ 1.87877."""
    with_theme = sample([2, 4, 4, 5])
    without = sample([8, 9, 9, 10, 10])

    interval = welch_interval(with_theme, without)

    assert impact(with_theme, without) == pytest.approx(3.75 - 9.2)
    assert interval is not None
    assert (interval.low, interval.high) == pytest.approx((-7.32877, -3.57123), abs=1e-4)


def test_student_t_quantiles_are_the_table_values() -> None:
    """t(0.975) at 1, 2, 10 and 30 degrees of freedom, and the normal value far out."""
    expected = {1: 12.7062, 2: 4.3027, 10: 2.2281, 30: 2.0423, 100_000: 1.95998}
    for df, quantile in expected.items():
        assert t_quantile(0.975, df) == pytest.approx(quantile, abs=1e-4)


def test_an_interval_needs_two_answers_a_side_and_unanimity_gives_a_point() -> None:
    assert welch_interval(sample([3]), sample([9, 10])) is None
    point = welch_interval(sample([4, 4]), sample([9, 9, 9]))
    assert point is not None and (point.low, point.high) == (-5.0, -5.0)


def test_a_sample_keeps_the_mean_and_variance_of_its_scores() -> None:
    scores = [0, 3, 7, 7, 10]
    assert sample(scores).mean == pytest.approx(statistics.mean(scores))
    assert sample(scores).variance == pytest.approx(statistics.variance(scores))


def sample(scores: list[int]) -> Sample:
    return Sample(len(scores), sum(scores), sum(s * s for s in scores))
