"""Any sequence of survey commands (edit, publish, close, invite, answer with good and bad
input) keeps the rules: a refused command writes nothing, only a published survey takes
answers, and no invitation ever holds two responses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, EditSurvey, SubmitResponse
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel, SurveyKind, SurveyStatus
from tests.support.ledgers import in_memory_ledger

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
CUSTOMERS = 3

steps = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.text(max_size=30)),
        st.tuples(st.just("publish"), st.none()),
        st.tuples(st.just("close"), st.none()),
        st.tuples(st.just("invite"), st.integers(0, CUSTOMERS - 1)),
        st.tuples(st.just("answer"), st.tuples(st.integers(0, CUSTOMERS - 1), st.integers(-2, 12))),
        st.tuples(st.just("invite"), st.integers(0, CUSTOMERS - 1)),  # answers need invitations
        st.tuples(st.just("answer"), st.tuples(st.integers(0, CUSTOMERS - 1), st.integers(0, 10))),
    ),
    min_size=3,
    max_size=25,
)


@dataclass
class World:
    ledger: Ledger
    survey_id: UUID
    customers: list[UUID]
    tokens: dict[int, str] = field(default_factory=dict)

    def log_length(self) -> int:
        return self.ledger.recorder.max_notification_id() or 0

    def run(self, step: str, argument: object) -> None:
        ledger, survey_id = self.ledger, self.survey_id
        if step == "edit":
            ledger.edit_survey(EditSurvey(survey_id, title=str(argument)), ADMIN)
        elif step == "publish":
            ledger.publish_survey(survey_id, ADMIN)
        elif step == "close":
            ledger.close_survey(survey_id, ADMIN)
        elif step == "invite" and isinstance(argument, int):
            self.invite(argument)
        elif isinstance(argument, tuple):
            who, score = argument
            token = self.tokens.get(who, "0" * 32 + ".none")
            ledger.submit_survey_response(SubmitResponse(score=score, token=token), ADMIN)

    def invite(self, who: int) -> None:
        customer_id = self.customers[who]
        self.ledger.invite_to_survey(self.survey_id, customer_id, SurveyChannel.EMAIL, ADMIN)
        last = list(self.ledger.events.get(Invitation.id_for(self.survey_id, customer_id)))[-1]
        token = getattr(last, "token", None)
        assert token is not None and token.value is not None
        self.tokens[who] = token.value


def _world(published: bool) -> World:
    ledger = in_memory_ledger()
    survey_id = ledger.draft_survey(
        DraftSurvey(SurveyKind.NPS, "Pulse", "Recommend us?", [SurveyChannel.EMAIL]), ADMIN
    ).aggregate_id
    if published:
        ledger.publish_survey(survey_id, ADMIN)
    customers = []
    for n in range(CUSTOMERS):
        customer_id = ledger.register_customer(
            RegisterCustomer(f"P{n}", f"p{n}@example.org"), ADMIN
        ).aggregate_id
        ledger.set_contact_preferences(
            SetContactPreferences(customer_id, {ContactChannel.EMAIL: True}), ADMIN
        )
        customers.append(customer_id)
    return World(ledger, survey_id, customers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans(), steps)
def test_no_command_sequence_breaks_the_survey_rules(
    published: bool, sequence: list[tuple[str, object]]
) -> None:
    world = _world(published)
    for step, argument in sequence:
        status_before = world.ledger.get_survey(world.survey_id).status
        before = world.log_length()
        try:
            world.run(step, argument)
        except DomainError:
            assert world.log_length() == before, f"refused {step} wrote events"
            continue
        if step == "answer":
            assert status_before is SurveyStatus.PUBLISHED
            event("an answer was accepted")
    for customer_id in world.customers:
        invitation_id = Invitation.id_for(world.survey_id, customer_id)
        if world.ledger.find(invitation_id) is not None:
            answers = [
                e
                for e in world.ledger.events.get(invitation_id)
                if isinstance(e, Invitation.Responded)
            ]
            assert len(answers) <= 1
            assert all(0 <= a.score <= 10 for a in answers)
    assert datetime.now(UTC) >= world.ledger.get_survey(world.survey_id).modified_on
