"""A stream and the streams its first event names, read in one statement of the real event
store (``LedgerCore.find_following``): a survey answer's invitation with its survey, its
customer (past a snapshot) and their loyalty account, whose id the database derives as a UUID5
of the customer's. Each aggregate as loading it alone gives it; the same in two reads where the
database cannot derive it (a server without the uuid-ossp extension, as the embedded one the
test command starts by default: each test that counts reads says what such a server does); an
answer through a link reads once before its append and records the customer's tier."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID, uuid4

import pytest

from domain.customer.commands import (
    GiveConsent,
    RegisterCustomer,
    SetContactPreferences,
    WithdrawConsent,
)
from domain.customer.model import Customer
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.ledger import SNAPSHOT_EVERY, Ledger
from domain.loyalty.account import ACCOUNT_NAMESPACE, LoyaltyAccount
from domain.shared.aggregate import LedgerAggregate
from domain.shared.metadata import EventMetadata
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from infrastructure.database import Database
from infrastructure.stream_reads import StreamsSelection
from tests.support.ledgers import in_memory_ledger
from tests.support.reads_counted import reads_counted
from tests.support.roles import runtime_ledger

NAMED = ("survey_id", "customer_id")
DERIVED = ((ACCOUNT_NAMESPACE, "customer_id"),)


def _invited(ledger: Ledger, agent: EventMetadata, *, long: bool = True) -> tuple[UUID, ...]:
    """An email invitation of a member whose stream is past a snapshot when ``long``; its id,
    survey, customer and account."""
    registered = ledger.register_customer(
        RegisterCustomer("Ada", f"ada-{uuid4().hex[:8]}@example.org", region="NORDICS"), agent
    )
    customer = registered.aggregate_id
    for _ in range(SNAPSHOT_EVERY // 2 + 3 if long else 0):
        ledger.handle(GiveConsent(customer, ConsentPurpose.MARKETING), agent)
        ledger.handle(WithdrawConsent(customer, ConsentPurpose.MARKETING), agent)
    ledger.set_contact_preferences(
        SetContactPreferences(customer, {ContactChannel.EMAIL: True}), agent
    )
    account = ledger.enrol_in_loyalty(customer, agent).aggregate_id
    draft = DraftSurvey(SurveyKind.NPS, "After delivery", "Recommend us?", [SurveyChannel.EMAIL])
    survey = ledger.draft_survey(draft, agent).aggregate_id
    ledger.publish_survey(survey, agent)
    invited = ledger.invite_to_survey(survey, customer, SurveyChannel.EMAIL, agent)
    invitation = invited.aggregate_id
    return invitation, survey, customer, account


def _read(ledger: Ledger, first_id: UUID, *, disclosed: bool = True) -> dict[UUID, LedgerAggregate]:
    """The invitation ``first_id`` and what it names, as a link's answer reads them."""
    return ledger.find_following(
        first_id, Invitation, Invitation.Issued, NAMED, DERIVED, disclosed=disclosed
    )


def _state(aggregate: LedgerAggregate) -> dict[str, Any]:
    return dict(vars(aggregate))


def _alone(ledger: Ledger, ids: tuple[UUID, ...]) -> dict[UUID, dict[str, Any]]:
    found = {i: ledger.find(i) for i in ids}
    return {i: _state(a) for i, a in found.items() if a is not None}


def _derives_uuid5(database: Database) -> bool:
    """Whether this server offers uuid-ossp (migration 203 then creates it): the external
    PostgreSQL of Debian's packages does, the embedded server has no such extension."""
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'uuid-ossp'"
        ).fetchone()
    return bool(row and row[0])


def test_an_invitation_and_what_it_names_load_in_one_statement_as_each_alone(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _invited(ledger, agent)
    invitation, _, customer, account = ids
    assert account == LoyaltyAccount.id_for(customer)
    _read(ledger, invitation)  # asks once whether the database derives UUID5s
    statements = reads_counted(ledger, monkeypatch)

    found = _read(ledger, invitation)

    assert len(statements) == (1 if _derives_uuid5(database) else 2)
    assert {i: _state(a) for i, a in found.items()} == _alone(ledger, ids)
    assert found[customer].version > SNAPSHOT_EVERY
    assert isinstance(found[account], LoyaltyAccount)


def test_undisclosed_they_load_without_opening_personal_values(
    ledger: Ledger, agent: EventMetadata
) -> None:
    invitation, _, customer, _ = _invited(ledger, agent, long=False)
    disclosed = _read(ledger, invitation)
    undisclosed = _read(ledger, invitation, disclosed=False)
    assert cast(Customer, disclosed[customer]).name.value == "Ada"
    unread = cast(Customer, undisclosed[customer])
    assert unread.name.value is None and unread.name.subject_id == customer
    assert unread.region == "NORDICS" and unread.version == disclosed[customer].version
    assert set(undisclosed) == set(disclosed)


def test_a_stream_whose_first_event_is_another_names_nothing(
    ledger: Ledger, agent: EventMetadata
) -> None:
    """A customer's id where an invitation's was expected (a forged link): the customer alone,
    refused by kind afterwards as a load alone would be; an unknown id: nothing."""
    _, _, customer, _ = _invited(ledger, agent, long=False)
    found = _read(ledger, customer)
    assert list(found) == [customer] and isinstance(found[customer], Customer)
    assert _read(ledger, uuid4()) == {}


def test_without_uuid5_in_the_database_they_load_in_two_reads_alike(
    ledger: Ledger, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _invited(ledger, agent)
    one = _read(ledger, ids[0])
    monkeypatch.setattr(ledger.recorder, "_derives_uuid5", lambda: False)
    statements = reads_counted(ledger, monkeypatch)

    two = _read(ledger, ids[0])

    assert len(statements) == 2
    assert {i: _state(a) for i, a in two.items()} == {i: _state(a) for i, a in one.items()}


def test_in_memory_persistence_loads_them_in_two_reads(agent: EventMetadata) -> None:
    ledger = in_memory_ledger()
    ids = _invited(ledger, agent, long=False)
    found = _read(ledger, ids[0])
    assert {i: _state(a) for i, a in found.items()} == _alone(ledger, ids)


def test_a_links_answer_reads_once_and_records_the_members_tier(
    ledger: Ledger, database: Database, agent: EventMetadata, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The invitation, survey, customer and account in one read (no stream read alone, no
    second read; without uuid-ossp, the read finds it cannot and the two reads follow), and
    the Responded event carries the region and tier read there."""
    invitation, _, customer, _ = _invited(ledger, agent)
    issued = next(iter(ledger.repository.event_store.get(invitation)))
    assert isinstance(issued, Invitation.Issued) and issued.token is not None
    token = issued.token.value
    assert token is not None
    reads: list[str] = []
    for name in ("select_following", "select_events", "select_from_latest"):
        _spy(ledger, name, reads, monkeypatch)

    ledger.submit_survey_response(SubmitResponse(9, "Great", token=token), agent)

    # Without uuid-ossp: the one read finds it cannot, then the invitation and the rest.
    two_reads = ["select_following", "select_events", "select_from_latest"]
    assert reads == (["select_following"] if _derives_uuid5(database) else two_reads)
    responded = list(ledger.repository.event_store.get(invitation))[-1]
    assert isinstance(responded, Invitation.Responded)
    assert responded.tier == "bronze" and responded.region == "NORDICS"
    assert responded.comment is not None and responded.comment.value == "Great"
    assert responded.customer_id == customer


def test_the_runtime_role_derives_the_account_in_the_read(
    database: Database, agent: EventMetadata
) -> None:
    with runtime_ledger(database) as ledger:
        ids = _invited(ledger, agent, long=False)
        found = _read(ledger, ids[0])
        derives = _derives_uuid5(database)
        assert cast(StreamsSelection, ledger.recorder)._derives_uuid5() is derives
        assert set(found) == set(ids)


def _spy(ledger: Ledger, name: str, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real = getattr(ledger.recorder, name)

    def spied(*args: Any, **kwargs: Any) -> Any:
        reads.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger.recorder, name, spied)
