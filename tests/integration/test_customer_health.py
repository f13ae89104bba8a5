"""The customer health read model through the real ledger and PostgreSQL: the inputs it keeps
(last purchase, the latest two NPS answers, open and breached tickets, detractor answers,
survey answers; the other interactions are in test_health_engagement), the score computed
when read, and the at-risk list's order and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.success.health import Band
from domain.ticket.commands import OpenTicket
from domain.ticket.values import TicketChannel
from infrastructure.database import Database
from projections.success.projection import CustomerHealth
from projections.success.queries import at_risk_page, at_risk_page_before, health_row
from tests.support.read_models import project, query
from tests.support.surveys import answer_nps

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.WEB)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
NOW = datetime.now(UTC)


def customer(ledger: Ledger, name: str) -> UUID:
    command = RegisterCustomer(name, f"{name.lower()}@example.org")
    return ledger.register_customer(command, AGENT).aggregate_id


def buy(ledger: Ledger, customer_id: UUID, order: str, at: datetime) -> None:
    command = RecordPurchase(customer_id, order, "10", "EUR", PurchaseChannel.WEB, at)
    ledger.record_purchase(command, AGENT)


def breached_ticket(ledger: Ledger, customer_id: UUID) -> UUID:
    opened = OpenTicket(customer_id, TicketChannel.WEB, "delivery", "Late", "Still late")
    ticket_id = ledger.open_ticket(opened, AGENT, now=NOW - timedelta(days=30)).aggregate_id
    ledger.record_sla_breaches(ticket_id, EventMetadata.system("sla-check"), now=NOW)
    return ticket_id


def unhappy(ledger: Ledger, name: str, nps: tuple[int, int]) -> UUID:
    """A customer who last bought two years ago, answered NPS twice and waits on a breached
    ticket: at risk."""
    customer_id = customer(ledger, name)
    buy(ledger, customer_id, f"{name}-1", NOW - timedelta(days=730))
    for score in nps:
        answer_nps(ledger, customer_id, score)
    breached_ticket(ledger, customer_id)
    return customer_id


def test_the_read_model_keeps_each_input_of_the_score(ledger: Ledger, database: Database) -> None:
    """Latest and previous NPS in answer order, the open breached ticket, the detractor
    answers and the last purchase's date."""
    ada = unhappy(ledger, "Ada", (6, 2))
    project(ledger, database, CustomerHealth())
    row = query(database, lambda conn: health_row(conn, ada))
    assert row is not None
    assert (row.latest_nps, row.previous_nps) == (2, 6)
    assert (row.open_tickets, row.breached_tickets) == (1, 1)
    assert (row.complaints, row.survey_answers) == (2, 2)
    assert row.last_purchase_at is not None
    assert row.inputs(NOW).days_since_purchase == 730


def test_resolving_the_ticket_takes_it_out_of_the_service_component(
    ledger: Ledger, database: Database
) -> None:
    """A resolved ticket is neither open nor breached any more."""
    ada = customer(ledger, "Ada")
    ticket_id = breached_ticket(ledger, ada)
    ledger.resolve_ticket(ticket_id, "Found it", AGENT)
    project(ledger, database, CustomerHealth())
    row = query(database, lambda conn: health_row(conn, ada))
    assert row is not None
    assert (row.open_tickets, row.breached_tickets) == (0, 0)


def test_the_at_risk_list_is_ordered_by_risk_and_leaves_out_the_others(
    ledger: Ledger, database: Database
) -> None:
    """Lowest score first; a customer who bought this week and promotes us is not listed."""
    worse = unhappy(ledger, "Worse", (5, 0))
    bad = unhappy(ledger, "Bad", (6, 3))
    happy = customer(ledger, "Happy")
    buy(ledger, happy, "happy-1", NOW - timedelta(days=2))
    answer_nps(ledger, happy, 10)
    project(ledger, database, CustomerHealth())

    page = query(database, lambda conn: at_risk_page(conn, 10, 0, NOW))

    assert [item.customer_id for item in page.items] == [worse, bad]
    assert all(item.health.band is Band.AT_RISK for item in page.items)
    assert page.items[0].health.score <= page.items[1].health.score


def test_paging_by_cursor_goes_on_after_the_last_item_seen(
    ledger: Ledger, database: Database
) -> None:
    """A customer entering the list ahead of the cursor meanwhile shifts nothing after it:
    the next page starts after the pair (score, place) the cursor holds."""
    first = unhappy(ledger, "First", (3, 3))
    second = unhappy(ledger, "Second", (6, 6))
    project(ledger, database, CustomerHealth())
    page_one = query(database, lambda conn: at_risk_page(conn, 1, 0, NOW))
    assert [i.customer_id for i in page_one.items] == [first]
    assert page_one.has_next_page

    newcomer = unhappy(ledger, "Newcomer", (0, 0))  # more at risk than the first
    project(ledger, database, CustomerHealth())
    cursor = page_one.items[0].cursor
    page_two = query(database, lambda conn: at_risk_page(conn, 10, cursor, NOW))

    assert [i.customer_id for i in page_two.items] == [second]
    back = query(
        database, lambda conn: at_risk_page_before(conn, 10, page_two.items[0].cursor, NOW)
    )
    assert [i.customer_id for i in back.items] == [newcomer, first]
