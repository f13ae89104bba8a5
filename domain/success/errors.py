"""Refusals specific to success plans."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class SuccessPlanNotFoundError(NotFoundError):
    code = "SUCCESS_PLAN_NOT_FOUND"


class GoalNotFoundError(NotFoundError):
    code = "GOAL_NOT_FOUND"


class SuccessPlanClosedError(DomainError):
    """A closed plan takes no more goals, milestones or check-ins."""

    code = "SUCCESS_PLAN_CLOSED"


class SuccessPlanFullError(DomainError):
    """The plan holds as many goals, milestones or check-ins as it may."""

    code = "SUCCESS_PLAN_FULL"
