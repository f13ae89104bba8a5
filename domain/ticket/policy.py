"""The SlaPolicy aggregate: SLA targets per priority, the business calendar and the reopen
window, changed by admins as events. New tickets copy the policy as it is when they open, so a
change applies to new tickets only and every ticket's figures stay a function of its events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from domain.shared.aggregate import LedgerAggregate
from domain.shared.errors import ValidationError
from domain.ticket.calendar import BusinessCalendar
from domain.ticket.sla import SlaTerms, check_targets
from domain.ticket.values import Priority

POLICY_ID = uuid5(NAMESPACE_URL, "https://cxledger.invalid/sla-policy")
MAX_REOPEN_WINDOW_DAYS = 365


class SlaPolicy(LedgerAggregate):
    """The company's SLA policy."""

    class Started(LedgerAggregate.Created):
        """The policy was first changed; it starts from the defaults."""

        terms: dict[str, Any]
        at: datetime

        def apply(self, policy: SlaPolicy) -> None:
            policy.terms_data = self.terms

    class TargetsSet(LedgerAggregate.Event):
        """A priority's targets changed (business minutes)."""

        priority: str
        first_response_minutes: int
        resolution_minutes: int
        at: datetime

        def apply(self, policy: SlaPolicy) -> None:
            targets = dict(policy.terms_data["targets"])
            targets[self.priority] = [self.first_response_minutes, self.resolution_minutes]
            policy.terms_data = {**policy.terms_data, "targets": targets}

    class CalendarSet(LedgerAggregate.Event):
        """Business hours and holidays changed."""

        calendar: dict[str, Any]
        at: datetime

        def apply(self, policy: SlaPolicy) -> None:
            policy.terms_data = {**policy.terms_data, "calendar": self.calendar}

    class ReopenWindowSet(LedgerAggregate.Event):
        days: int
        at: datetime

        def apply(self, policy: SlaPolicy) -> None:
            policy.terms_data = {**policy.terms_data, "reopen_window_days": self.days}

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    terms_data: dict[str, Any]

    @property
    def terms(self) -> SlaTerms:
        return SlaTerms.from_dict(self.terms_data)

    @classmethod
    def start(cls, at: datetime) -> SlaPolicy:
        return cls._create(cls.Started, id=POLICY_ID, terms=SlaTerms().as_dict(), at=at)

    def set_targets(
        self, priority: Priority, first_response_minutes: int, resolution_minutes: int, at: datetime
    ) -> None:
        first, resolution = check_targets(first_response_minutes, resolution_minutes)
        if self.terms.targets[priority] == (first, resolution):
            return
        self.trigger_event(
            self.TargetsSet,
            priority=priority.value,
            first_response_minutes=first,
            resolution_minutes=resolution,
            at=at,
        )

    def set_calendar(self, calendar: BusinessCalendar, at: datetime) -> None:
        if calendar.checked() != self.terms.calendar:
            self.trigger_event(self.CalendarSet, calendar=calendar.as_dict(), at=at)

    def set_reopen_window(self, days: int, at: datetime) -> None:
        if not 0 <= days <= MAX_REOPEN_WINDOW_DAYS:
            raise ValidationError(
                f"the reopen window is 0 to {MAX_REOPEN_WINDOW_DAYS} days", field="days"
            )
        if days != self.terms.reopen_window_days:
            self.trigger_event(self.ReopenWindowSet, days=days, at=at)
