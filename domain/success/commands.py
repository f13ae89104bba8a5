"""Commands on success plans, run by agents and admins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.customer.commands import customer_at
from domain.shared.application import CommandResult, LedgerCore, at_version
from domain.shared.commands import Command
from domain.shared.errors import ValidationError
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as
from domain.shared.retry import retried_unless_pinned
from domain.success.errors import SuccessPlanNotFoundError
from domain.success.plan import SuccessPlan
from domain.success.values import (
    MAX_GOALS,
    PlanOutcome,
    check_goal,
    check_milestone,
    check_note,
    check_title,
)


@dataclass(frozen=True, slots=True)
class OpenSuccessPlan(Command[CommandResult]):
    customer_id: UUID
    title: str
    goals: tuple[str, ...] = ()
    plan_id: UUID | None = None
    """Given by the client, a retried command answers the first one."""
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class AddSuccessPlanGoal(Command[CommandResult]):
    plan_id: UUID
    goal: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReachSuccessPlanMilestone(Command[CommandResult]):
    plan_id: UUID
    goal_id: UUID
    milestone: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordSuccessPlanCheckIn(Command[CommandResult]):
    plan_id: UUID
    note: str
    expected_version: int | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class CloseSuccessPlan(Command[CommandResult]):
    plan_id: UUID
    outcome: PlanOutcome
    expected_version: int | None = None
    now: datetime | None = None


def open_success_plan(
    ledger: LedgerCore, command: OpenSuccessPlan, metadata: EventMetadata
) -> CommandResult:
    plan_id = command.plan_id or new_id()
    existing = ledger.find(plan_id, SuccessPlan, _not_a_plan)
    if existing is not None:  # a retried command answers the same
        return CommandResult(existing.id, existing.version, ledger.head_position())
    title = check_title(command.title)
    if len(command.goals) > MAX_GOALS:
        raise ValidationError(f"a plan has at most {MAX_GOALS} goals", field="goals")
    goals = [check_goal(goal, "goals") for goal in command.goals]
    customer_at(ledger, command.customer_id, None)  # refuses an unknown customer
    with acting_as(metadata):
        plan = SuccessPlan.open(
            plan_id, command.customer_id, title, goals, command.now or datetime.now(UTC)
        )
    return CommandResult(plan.id, plan.version, ledger.commit(plan))


def add_success_plan_goal(
    ledger: LedgerCore, command: AddSuccessPlanGoal, metadata: EventMetadata
) -> CommandResult:
    goal = check_goal(command.goal)
    return _act(ledger, command, metadata, lambda p, at: p.add_goal(goal, at))


def reach_success_plan_milestone(
    ledger: LedgerCore, command: ReachSuccessPlanMilestone, metadata: EventMetadata
) -> CommandResult:
    milestone = check_milestone(command.milestone)
    goal_id = command.goal_id
    return _act(ledger, command, metadata, lambda p, at: p.reach_milestone(goal_id, milestone, at))


def record_success_plan_check_in(
    ledger: LedgerCore, command: RecordSuccessPlanCheckIn, metadata: EventMetadata
) -> CommandResult:
    note = check_note(command.note)
    return _act(ledger, command, metadata, lambda p, at: p.record_check_in(note, at))


def close_success_plan(
    ledger: LedgerCore, command: CloseSuccessPlan, metadata: EventMetadata
) -> CommandResult:
    outcome = command.outcome
    return _act(ledger, command, metadata, lambda p, at: p.close(outcome, at))


PlanStep = AddSuccessPlanGoal | ReachSuccessPlanMilestone | RecordSuccessPlanCheckIn
PlanCommand = PlanStep | CloseSuccessPlan


@retried_unless_pinned
def _act(
    ledger: LedgerCore,
    command: PlanCommand,
    metadata: EventMetadata,
    action: Callable[[SuccessPlan, datetime], object],
) -> CommandResult:
    plan = at_version(success_plan_of(ledger, command.plan_id), command.expected_version)
    with acting_as(metadata):
        action(plan, command.now or datetime.now(UTC))
    return CommandResult(plan.id, plan.version, ledger.commit(plan))


def success_plan_of(ledger: LedgerCore, plan_id: UUID) -> SuccessPlan:
    return ledger.load(plan_id, SuccessPlan, _not_a_plan)


def _not_a_plan() -> SuccessPlanNotFoundError:
    return SuccessPlanNotFoundError("no such success plan", field="planId")
