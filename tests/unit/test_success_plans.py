"""The SuccessPlan aggregate and its command checks: bounds, a closed plan, unknown goals."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.shared.errors import ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role, acting_as
from domain.success.errors import GoalNotFoundError, SuccessPlanClosedError, SuccessPlanFullError
from domain.success.plan import SuccessPlan
from domain.success.values import MAX_GOALS, MAX_NOTE, PlanOutcome, PlanStatus, check_note

AT = datetime(2026, 12, 1, tzinfo=UTC)
AGENT = EventMetadata("agent-1", Role.AGENT, Channel.WEB)


def plan(goals: int = 1) -> SuccessPlan:
    with acting_as(AGENT):
        return SuccessPlan.open(
            uuid4(), uuid4(), "Adoption", [f"Goal {n}" for n in range(goals)], AT
        )


def test_a_check_in_note_is_sealed_as_the_customers_personal_data() -> None:
    """The note's subject is the plan's customer, so erasing them erases it."""
    p = plan()
    with acting_as(AGENT):
        p.record_check_in("We spoke", AT)
    event = p.collect_events()[-1]
    assert isinstance(event, SuccessPlan.CheckInRecorded)
    assert (event.note.subject_id, event.note.value) == (p.customer_id, "We spoke")


def test_a_milestone_must_be_for_a_goal_of_the_plan() -> None:
    """An unknown goal id is GOAL_NOT_FOUND; a goal of the plan is accepted."""
    p = plan()
    with acting_as(AGENT), pytest.raises(GoalNotFoundError):
        p.reach_milestone(uuid4(), "Step", AT)
    with acting_as(AGENT):
        p.reach_milestone(p.goal_ids[0], "Step", AT)
    assert p.milestones == 1


def test_a_closed_plan_takes_nothing_more() -> None:
    """After closing, goals, check-ins and closing again are SUCCESS_PLAN_CLOSED."""
    p = plan()
    with acting_as(AGENT):
        p.close(PlanOutcome.ABANDONED, AT)
        assert p.status is PlanStatus.CLOSED
        with pytest.raises(SuccessPlanClosedError):
            p.add_goal("More", AT)
        with pytest.raises(SuccessPlanClosedError):
            p.record_check_in("Note", AT)
        with pytest.raises(SuccessPlanClosedError):
            p.close(PlanOutcome.ACHIEVED, AT)


def test_a_plan_holds_at_most_twenty_goals() -> None:
    """The 21st goal is SUCCESS_PLAN_FULL."""
    p = plan(goals=MAX_GOALS)
    with acting_as(AGENT), pytest.raises(SuccessPlanFullError):
        p.add_goal("One more", AT)


@pytest.mark.parametrize("note", ["", "   \n ", "x" * (MAX_NOTE + 1), "bell\x07"])
def test_a_blank_oversized_or_control_note_is_invalid_input(note: str) -> None:
    """Notes are 1-2000 printable characters (newlines kept)."""
    with pytest.raises(ValidationError):
        check_note(note)


def test_a_note_keeps_its_paragraphs() -> None:
    """Spaces collapse within a line; lines stay."""
    assert check_note("  first   line \n second ") == "first line\nsecond"
