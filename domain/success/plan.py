"""The SuccessPlan aggregate: staff's plan with a customer, its goals, the milestones reached
on the way and the check-ins recorded with a note. The notes are the customer's personal data
(what was said with them); titles, goals and milestones are staff's words about the program."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.shared.aggregate import LedgerAggregate
from domain.shared.ids import new_id
from domain.shared.personal_data import PersonalData
from domain.success.errors import (
    GoalNotFoundError,
    SuccessPlanClosedError,
    SuccessPlanFullError,
)
from domain.success.values import (
    MAX_CHECK_INS,
    MAX_GOALS,
    MAX_MILESTONES,
    PlanOutcome,
    PlanStatus,
)


class SuccessPlan(LedgerAggregate):
    """A customer-success plan for one customer."""

    class Opened(LedgerAggregate.Created):
        customer_id: UUID
        title: str
        at: datetime

        def apply(self, plan: SuccessPlan) -> None:
            plan.customer_id = self.customer_id
            plan.title = self.title
            plan.status = PlanStatus.OPEN
            plan.goal_ids = []
            plan.milestones = 0
            plan.check_ins = 0

    class GoalAdded(LedgerAggregate.Event):
        goal_id: UUID
        goal: str
        at: datetime

        def apply(self, plan: SuccessPlan) -> None:
            plan.goal_ids = [*plan.goal_ids, self.goal_id]

    class MilestoneReached(LedgerAggregate.Event):
        """A step towards a goal was reached."""

        goal_id: UUID
        milestone: str
        at: datetime

        def apply(self, plan: SuccessPlan) -> None:
            plan.milestones += 1

    class CheckInRecorded(LedgerAggregate.Event):
        note: PersonalData
        at: datetime

        def apply(self, plan: SuccessPlan) -> None:
            plan.check_ins += 1

    class Closed(LedgerAggregate.Event):
        outcome: str
        at: datetime

        def apply(self, plan: SuccessPlan) -> None:
            plan.status = PlanStatus.CLOSED

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    customer_id: UUID
    title: str
    status: PlanStatus
    goal_ids: list[UUID]
    milestones: int
    check_ins: int

    @classmethod
    def open(
        cls, plan_id: UUID, customer_id: UUID, title: str, goals: list[str], at: datetime
    ) -> SuccessPlan:
        plan = cls._create(cls.Opened, id=plan_id, customer_id=customer_id, title=title, at=at)
        for goal in goals:
            plan.add_goal(goal, at)
        return plan

    def add_goal(self, goal: str, at: datetime) -> UUID:
        self._check_open()
        if len(self.goal_ids) >= MAX_GOALS:
            raise SuccessPlanFullError(f"a plan has at most {MAX_GOALS} goals", field="goal")
        goal_id = new_id()
        self.trigger_event(self.GoalAdded, goal_id=goal_id, goal=goal, at=at)
        return goal_id

    def reach_milestone(self, goal_id: UUID, milestone: str, at: datetime) -> None:
        self._check_open()
        if goal_id not in self.goal_ids:
            raise GoalNotFoundError("the plan has no such goal", field="goalId")
        if self.milestones >= MAX_MILESTONES:
            raise SuccessPlanFullError(
                f"a plan has at most {MAX_MILESTONES} milestones", field="milestone"
            )
        self.trigger_event(self.MilestoneReached, goal_id=goal_id, milestone=milestone, at=at)

    def record_check_in(self, note: str, at: datetime) -> None:
        self._check_open()
        if self.check_ins >= MAX_CHECK_INS:
            raise SuccessPlanFullError(
                f"a plan has at most {MAX_CHECK_INS} check-ins", field="note"
            )
        personal = PersonalData(self.customer_id, note)
        self.trigger_event(self.CheckInRecorded, note=personal, at=at)

    def close(self, outcome: PlanOutcome, at: datetime) -> None:
        self._check_open()
        self.trigger_event(self.Closed, outcome=outcome.value, at=at)

    def _check_open(self) -> None:
        if self.status is not PlanStatus.OPEN:
            raise SuccessPlanClosedError("the plan is closed")
