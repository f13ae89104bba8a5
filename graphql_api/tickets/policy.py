"""The SLA policy as frontends see it: targets per priority, business hours and holidays, and
the reopen window. Read from the write side (``Ledger.sla_terms``): it has no read model."""

from __future__ import annotations

import strawberry

from domain.ticket.calendar import BusinessCalendar
from domain.ticket.sla import SlaTerms
from graphql_api.enums import Priority as TicketPriority
from graphql_api.enums import Weekday


@strawberry.type(name="SlaTarget", description="The SLA targets of one priority.")
class SlaTargetType:
    priority: TicketPriority = strawberry.field(description="The priority.")
    first_response_minutes: int = strawberry.field(
        description="Business minutes to the first public reply by an agent."
    )
    resolution_minutes: int = strawberry.field(description="Business minutes to resolution.")


@strawberry.type(
    name="BusinessCalendar",
    description="When SLA clocks count: working days with one daily window in a time zone, "
    "minus holidays. The default counts every second.",
)
class BusinessCalendarType:
    time_zone: str = strawberry.field(description="IANA time zone, e.g. Europe/Rome.")
    weekdays: list[Weekday] = strawberry.field(description="Working days.")
    opens: str = strawberry.field(description="Local opening time, e.g. 09:00.")
    closes: str = strawberry.field(description="Local closing time, e.g. 17:30 (24:00: midnight).")
    holidays: list[str] = strawberry.field(description="Local dates (ISO 8601) that do not count.")

    @classmethod
    def of(cls, calendar: BusinessCalendar) -> BusinessCalendarType:
        return cls(
            time_zone=calendar.time_zone,
            weekdays=[Weekday(day) for day in sorted(set(calendar.weekdays))],
            opens=calendar.opens,
            closes=calendar.closes,
            holidays=list(calendar.holidays),
        )


@strawberry.type(
    name="SlaPolicy",
    description="The SLA policy now. New tickets copy it when they open; a change leaves "
    "older tickets under the terms they were opened with.",
)
class SlaPolicyType:
    targets: list[SlaTargetType] = strawberry.field(description="Targets per priority.")
    calendar: BusinessCalendarType = strawberry.field(description="Business hours and holidays.")
    reopen_window_days: int = strawberry.field(
        description="Days after resolution in which a ticket may be reopened."
    )

    @classmethod
    def of(cls, terms: SlaTerms) -> SlaPolicyType:
        return cls(
            targets=[
                SlaTargetType(
                    priority=priority,
                    first_response_minutes=terms.targets[priority][0],
                    resolution_minutes=terms.targets[priority][1],
                )
                for priority in TicketPriority
                if priority in terms.targets
            ],
            calendar=BusinessCalendarType.of(terms.calendar),
            reopen_window_days=terms.reopen_window_days,
        )
