"""Commands sent without an expected version apply to whatever version is current: a
concurrent writer makes them retry on the new version, never answer CONCURRENCY_CONFLICT.
With an expected version, a conflict is still the answer (the client asked to be told).
On a real PostgreSQL event store, with writers racing in threads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from uuid import UUID

import pytest

from domain.customer.commands import (
    ChangeContactDetails,
    ChangeDemographics,
    RegisterCustomer,
    SetContactPreferences,
)
from domain.customer.profile import Address, ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, EditSurvey
from domain.survey.values import SurveyChannel, SurveyKind
from domain.ticket.commands import OpenTicket
from domain.ticket.values import Priority, TicketChannel

AGENT = EventMetadata(actor_id="agent-1", actor_role=Role.AGENT, channel=Channel.PHONE)
WRITERS = 12

# One call of a command on the aggregate, as the n-th of the racing writers (n makes each
# call a real change); the aggregate's version to pin, or None.
Call = Callable[[Ledger, UUID, int, int | None], object]


@dataclass(frozen=True)
class Case:
    make: Callable[[Ledger], UUID]
    call: Call


def a_customer(ledger: Ledger) -> UUID:
    return ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), AGENT).aggregate_id


def a_survey(ledger: Ledger) -> UUID:
    draft = DraftSurvey(SurveyKind.NPS, "How likely?", "Recommend us?", [SurveyChannel.WEB])
    return ledger.draft_survey(draft, AGENT).aggregate_id


def a_ticket(ledger: Ledger) -> UUID:
    ticket = OpenTicket(a_customer(ledger), TicketChannel.WEB, "billing", "Twice", "Charged twice")
    return ledger.open_ticket(ticket, AGENT).aggregate_id


PRIORITIES = list(Priority)

CASES: dict[str, Case] = {
    "change_contact_details": Case(
        a_customer,
        lambda ledger, cid, n, v: ledger.change_contact_details(
            ChangeContactDetails(cid, name=f"Ada {n}", expected_version=v), AGENT
        ),
    ),
    "change_email": Case(
        a_customer,
        lambda ledger, cid, n, v: ledger.change_email(cid, f"ada{n}@example.org", AGENT, v),
    ),
    "change_address": Case(
        a_customer,
        lambda ledger, cid, n, v: ledger.change_address(
            cid, Address.checked(f"{n} Main St", None, "Leeds", None, "GB"), AGENT, v
        ),
    ),
    "change_demographics": Case(
        a_customer,
        lambda ledger, cid, n, v: ledger.change_demographics(
            ChangeDemographics(cid, region=f"R{n}", expected_version=v), AGENT
        ),
    ),
    "set_contact_preferences": Case(
        a_customer,
        lambda ledger, cid, n, v: ledger.set_contact_preferences(
            SetContactPreferences(cid, {ContactChannel.SMS: n % 2 == 0}, expected_version=v),
            AGENT,
        ),
    ),
    "give_consent": Case(
        a_customer,
        lambda ledger, cid, n, v: ledger.give_consent(cid, ConsentPurpose.RESEARCH, AGENT, v),
    ),
    "complete_onboarding_step": Case(
        a_customer,
        lambda ledger, cid, n, v: ledger.complete_onboarding_step(cid, f"step_{n}", AGENT),
    ),
    "edit_survey": Case(
        a_survey,
        lambda ledger, sid, n, v: ledger.edit_survey(
            EditSurvey(sid, title=f"How likely, {n}?", expected_version=v), AGENT
        ),
    ),
    "assign_ticket": Case(
        a_ticket, lambda ledger, tid, n, v: ledger.assign_ticket(tid, f"agent-{n}", AGENT, v)
    ),
    "reply_to_ticket": Case(
        a_ticket, lambda ledger, tid, n, v: ledger.reply_to_ticket(tid, f"Reply {n}", AGENT, v)
    ),
    "add_ticket_note": Case(
        a_ticket, lambda ledger, tid, n, v: ledger.add_ticket_note(tid, f"Note {n}", AGENT, v)
    ),
    "change_ticket_priority": Case(
        a_ticket,
        lambda ledger, tid, n, v: ledger.change_ticket_priority(
            tid, PRIORITIES[n % len(PRIORITIES)], AGENT, v
        ),
    ),
}
# Commands that record an event on every call, so the version grows by one per writer.
ALWAYS_CHANGE = {
    "change_contact_details",
    "change_email",
    "change_address",
    "change_demographics",
    "complete_onboarding_step",
    "edit_survey",
    "assign_ticket",
    "reply_to_ticket",
    "add_ticket_note",
}


def race(ledger: Ledger, case: Case, aggregate_id: UUID, pinned: int | None) -> Counter[str]:
    def one(n: int) -> str:
        try:
            case.call(ledger, aggregate_id, n, pinned)
        except DomainError as refusal:
            return refusal.code
        return "ok"

    with ThreadPoolExecutor(WRITERS) as pool:
        return Counter(pool.map(one, range(WRITERS)))


def version_of(ledger: Ledger, aggregate_id: UUID) -> int:
    return int(ledger.repository.get(aggregate_id).version)


@pytest.mark.parametrize("name", sorted(CASES))
def test_racing_writers_without_an_expected_version_all_succeed(ledger: Ledger, name: str) -> None:
    case = CASES[name]
    aggregate_id = case.make(ledger)
    before = version_of(ledger, aggregate_id)
    outcomes = race(ledger, case, aggregate_id, pinned=None)
    assert outcomes == Counter({"ok": WRITERS})
    if name in ALWAYS_CHANGE:
        assert version_of(ledger, aggregate_id) == before + WRITERS


@pytest.mark.parametrize("name", ["change_contact_details", "reply_to_ticket", "edit_survey"])
def test_racing_writers_with_the_same_expected_version_one_wins(ledger: Ledger, name: str) -> None:
    case = CASES[name]
    aggregate_id = case.make(ledger)
    before = version_of(ledger, aggregate_id)
    outcomes = race(ledger, case, aggregate_id, pinned=before)
    assert outcomes == Counter({"ok": 1, "CONCURRENCY_CONFLICT": WRITERS - 1})
    assert version_of(ledger, aggregate_id) == before + 1
