"""Every read model that shows an aggregate's version (which clients send back as
expectedVersion) reads every event class of that aggregate, so that no event leaves the shown
version behind. The classes are listed from the aggregates themselves: a new event class that a
read model does not read fails here."""

from __future__ import annotations

import pytest
from eventsourcing.utils import get_topic

from domain.customer.model import Customer
from domain.shared.aggregate import LedgerAggregate
from domain.survey.model import Survey
from domain.ticket.model import Ticket
from projections.base import Projection
from projections.customers.projection import CustomerDirectory
from projections.surveys.projection import SurveyDashboard
from projections.tickets.projection import TicketTimeline

SHOWN_VERSIONS: list[tuple[type[Projection], type[LedgerAggregate]]] = [
    (CustomerDirectory, Customer),
    (SurveyDashboard, Survey),
    (TicketTimeline, Ticket),
]


@pytest.mark.parametrize(
    ("projection", "aggregate"), SHOWN_VERSIONS, ids=lambda c: getattr(c, "__name__", "")
)
def test_a_read_model_showing_a_version_reads_every_event_of_its_aggregate(
    projection: type[Projection], aggregate: type[LedgerAggregate]
) -> None:
    read = set(projection.topics())
    unread = [c.__name__ for c in aggregate.event_classes() if get_topic(c) not in read]
    assert unread == [], f"{projection.__name__} leaves {aggregate.__name__}.version behind"


def test_event_classes_lists_the_events_an_aggregate_declares_and_not_its_bases() -> None:
    classes = Customer.event_classes()
    assert Customer.Registered in classes and Customer.PasswordResetRequested in classes
    assert Customer.Event not in classes and Customer.Created not in classes
    assert all(issubclass(c, Customer.Event) for c in classes)
