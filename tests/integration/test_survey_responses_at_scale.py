"""Responses to one survey do not contend on one stream: 1,000 answers from 16 threads all
succeed, each is stored exactly once, and the survey's own stream does not grow."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind
from infrastructure.database import Database

T = TypeVar("T")
RESPONDENTS = 1_000
THREADS = 16
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)


def _in_parallel(task: Callable[[int], T]) -> list[T]:
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(task, range(RESPONDENTS)))


def test_a_thousand_concurrent_responses_to_one_survey_all_land_once(
    ledger: Ledger, database: Database
) -> None:
    survey_id = ledger.draft_survey(
        DraftSurvey(SurveyKind.NPS, "Launch", "Recommend us?", [SurveyChannel.WEB]), ADMIN
    ).aggregate_id
    ledger.publish_survey(survey_id, ADMIN)

    def register(n: int) -> UUID:
        command = RegisterCustomer(f"Person {n}", f"person{n}@example.org", region="west")
        return ledger.register_customer(command, ADMIN).aggregate_id

    customers = _in_parallel(register)

    def respond(n: int) -> int:
        me = EventMetadata(str(customers[n]), Role.CUSTOMER, Channel.WEB)
        answer = SubmitResponse(score=n % 11, survey_id=survey_id, customer_id=customers[n])
        return ledger.submit_survey_response(answer, me).version

    versions = _in_parallel(respond)

    assert versions == [2] * RESPONDENTS  # every in-product invitation: Issued, then Responded
    with database.connect() as conn:
        stored = conn.execute(
            "SELECT count(*), count(DISTINCT originator_id) FROM ledger_events WHERE topic LIKE %s",
            ("%Invitation.Responded",),
        ).fetchone()
    assert stored == (RESPONDENTS, RESPONDENTS)
    assert ledger.get_survey(survey_id).version == 2  # drafted, published: no response in it
    assert all(ledger.get_invitation(survey_id, c).responded_at for c in customers[:50])
    assert Invitation.id_for(survey_id, customers[0]) != survey_id
