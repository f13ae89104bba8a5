"""Events -> the success plans read model. Every write is keyed by the plan, goal or log
position, so applying an event a second time leaves the same rows."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.privacy.erasure import ErasureRequest
from domain.success.plan import SuccessPlan
from projections.base import Projection, handles
from projections.erasure import erased_subjects
from projections.success.plan_schema import PLAN_DDL, PLAN_TABLES

PLANS_PROJECTION_NAME = "success_plans"


class SuccessPlans(Projection):
    """Each plan with its goals, milestones and check-ins."""

    name = PLANS_PROJECTION_NAME
    tables = PLAN_TABLES
    ddl = PLAN_DDL
    erasure_purges = ("success_plan_check_ins",)

    @handles(SuccessPlan.Opened)
    def opened(self, cursor: Cursor[Any], event: SuccessPlan.Opened, position: int) -> None:
        cursor.execute(
            "INSERT INTO success_plans (plan_id, seq, customer_id, title, status, opened_at,"
            " version) VALUES (%s, %s, %s, %s, 'open', %s, %s)"
            " ON CONFLICT (plan_id) DO NOTHING",
            (
                event.originator_id,
                position,
                event.customer_id,
                event.title,
                event.at,
                event.originator_version,
            ),
        )

    @handles(SuccessPlan.GoalAdded)
    def goal_added(self, cursor: Cursor[Any], event: SuccessPlan.GoalAdded, position: int) -> None:
        cursor.execute(
            "INSERT INTO success_plan_goals (goal_id, plan_id, seq, goal, added_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (goal_id) DO NOTHING",
            (event.goal_id, event.originator_id, position, event.goal, event.at),
        )
        _version(cursor, event)

    @handles(SuccessPlan.MilestoneReached)
    def milestone_reached(
        self, cursor: Cursor[Any], event: SuccessPlan.MilestoneReached, position: int
    ) -> None:
        cursor.execute(
            "INSERT INTO success_plan_milestones (seq, plan_id, goal_id, milestone, reached_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING",
            (position, event.originator_id, event.goal_id, event.milestone, event.at),
        )
        _version(cursor, event)

    @handles(SuccessPlan.CheckInRecorded)
    def check_in_recorded(
        self, cursor: Cursor[Any], event: SuccessPlan.CheckInRecorded, position: int
    ) -> None:
        cursor.execute(
            "INSERT INTO success_plan_check_ins (seq, plan_id, customer_id, note, recorded_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING",
            (position, event.originator_id, event.note.subject_id, event.note.value, event.at),
        )
        _version(cursor, event)

    @handles(SuccessPlan.Closed)
    def closed(self, cursor: Cursor[Any], event: SuccessPlan.Closed, _: int) -> None:
        cursor.execute(
            "UPDATE success_plans SET status = 'closed', outcome = %s, closed_at = %s"
            " WHERE plan_id = %s",
            (event.outcome, event.at, event.originator_id),
        )
        _version(cursor, event)

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """The erased customer's check-in notes go; the plans, goals and milestones stay."""
        cursor.execute(
            "UPDATE success_plan_check_ins SET note = NULL"
            " WHERE customer_id = ANY(%s) AND note IS NOT NULL",
            (erased_subjects(event),),
        )


def _version(cursor: Cursor[Any], event: SuccessPlan.Event) -> None:
    cursor.execute(
        "UPDATE success_plans SET version = greatest(version, %s) WHERE plan_id = %s",
        (event.originator_version, event.originator_id),
    )
