"""Surveys, invitations and responses, given-when-then, in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.profile import ConsentPurpose, ContactChannel
from domain.ledger import Ledger
from domain.shared.errors import ConcurrencyConflictError, ValidationError
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import (
    DraftSurvey,
    EditSurvey,
    SubmitResponse,
    invitation_in,
    invitation_of,
)
from domain.survey.errors import (
    AlreadyRespondedError,
    ContactNotPermittedError,
    InvalidSurveyTokenError,
    SurveyNotEditableError,
    SurveyNotFoundError,
    SurveyNotOpenError,
)
from domain.survey.model import Invitation, Survey
from domain.survey.sentiment import sentiment
from domain.survey.values import AspectQuestion, SurveyChannel, SurveyKind
from tests.support.event_versions import RESPONDED_V2_FIELDS, as_stored_before
from tests.support.loyalty import make_silver

ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
VISITOR = EventMetadata(actor_id="anonymous", actor_role=Role.ANONYMOUS, channel=Channel.WEB)
NOW = datetime.now(UTC)


def draft(ledger: Ledger, kind: SurveyKind = SurveyKind.NPS, **changes: Any) -> UUID:
    fields: dict[str, Any] = {
        "kind": kind,
        "title": "After delivery",
        "question": "How likely are you to recommend us?",
        "channels": [SurveyChannel.EMAIL, SurveyChannel.WEB],
        "aspects": [AspectQuestion.checked("delivery", "How was the delivery?")],
        "product_version": "2.1.0",
    }
    fields.update(changes)
    return ledger.draft_survey(DraftSurvey(**fields), ADMIN).aggregate_id


def published(ledger: Ledger, kind: SurveyKind = SurveyKind.NPS, **changes: Any) -> UUID:
    survey_id = draft(ledger, kind, **changes)
    ledger.publish_survey(survey_id, ADMIN)
    return survey_id


def customer(ledger: Ledger, email: str = "ada@example.org", region: str = "north") -> UUID:
    customer_id = ledger.register_customer(
        RegisterCustomer("Ada", email, phone=None, region=region), AGENT
    ).aggregate_id
    ledger.set_contact_preferences(
        SetContactPreferences(customer_id, {ContactChannel.EMAIL: True}), AGENT
    )
    return customer_id


def invited_token(ledger: Ledger, survey_id: UUID, customer_id: UUID, when: datetime = NOW) -> str:
    """Invite by email and return the link's token, as the outbox would send it."""
    ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.EMAIL, AGENT, now=when)
    invitation_id = Invitation.id_for(survey_id, customer_id)
    last = list(ledger.events.get(invitation_id))[-1]
    assert isinstance(last, Invitation.Issued | Invitation.Reissued)
    assert last.token is not None and last.token.value is not None
    return last.token.value


def answer(ledger: Ledger, token: str, score: int, **fields: Any) -> UUID:
    submitted = SubmitResponse(score=score, token=token, **fields)
    return ledger.submit_survey_response(submitted, VISITOR).aggregate_id


def test_a_drafted_survey_can_be_edited_until_it_is_published(ledger: Ledger) -> None:
    survey_id = draft(ledger)
    ledger.edit_survey(EditSurvey(survey_id, title="After your delivery"), ADMIN)
    ledger.publish_survey(survey_id, ADMIN)
    assert ledger.get_survey(survey_id).title == "After your delivery"
    with pytest.raises(SurveyNotEditableError):
        ledger.edit_survey(EditSurvey(survey_id, title="Too late"), ADMIN)


def test_editing_with_a_stale_version_is_a_conflict(ledger: Ledger) -> None:
    survey_id = draft(ledger)
    with pytest.raises(ConcurrencyConflictError) as raised:
        ledger.edit_survey(EditSurvey(survey_id, title="New", expected_version=7), ADMIN)
    assert raised.value.current_version == 1


def test_an_edit_records_only_what_changed(ledger: Ledger) -> None:
    survey_id = draft(ledger)
    ledger.edit_survey(EditSurvey(survey_id, product_version="2.2.0"), ADMIN)
    kinds = [type(e).__name__ for e in ledger.events.get(survey_id)]
    assert kinds == ["Drafted", "Retargeted"]


def test_a_survey_needs_a_channel_and_distinct_aspects(ledger: Ledger) -> None:
    with pytest.raises(ValidationError):
        draft(ledger, channels=[])
    twice = [
        AspectQuestion.checked("pricing", "Price?"),
        AspectQuestion.checked("pricing", "Again?"),
    ]
    with pytest.raises(ValidationError):
        draft(ledger, aspects=twice)


def test_a_link_answers_once_and_a_second_answer_is_refused(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    token = invited_token(ledger, survey_id, customer_id)
    answer(ledger, token, 9, comment="Quick and friendly", aspect_scores={"delivery": 5})
    with pytest.raises(AlreadyRespondedError):
        answer(ledger, token, 3)
    responses = [
        e
        for e in ledger.events.get(Invitation.id_for(survey_id, customer_id))
        if isinstance(e, Invitation.Responded)
    ]
    assert [(r.score, r.region, r.product_version) for r in responses] == [(9, "north", "2.1.0")]


def responded(ledger: Ledger, survey_id: UUID, customer_id: UUID) -> Invitation.Responded:
    last = list(ledger.events.get(Invitation.id_for(survey_id, customer_id)))[-1]
    assert isinstance(last, Invitation.Responded)
    return last


def test_a_response_freezes_the_members_loyalty_tier_and_none_for_a_non_member(
    ledger: Ledger,
) -> None:
    survey_id, member, visitor = published(ledger), customer(ledger), customer(ledger, "b@x.org")
    make_silver(ledger, member, NOW)
    answer(ledger, invited_token(ledger, survey_id, member), 9)
    answer(ledger, invited_token(ledger, survey_id, visitor), 9)
    assert responded(ledger, survey_id, member).tier == "silver"
    assert responded(ledger, survey_id, visitor).tier is None


def test_the_comments_sentiment_is_recorded_with_the_response_apart_from_its_text(
    ledger: Ledger,
) -> None:
    survey_id, sad, quiet = published(ledger), customer(ledger), customer(ledger, "q@x.org")
    answer(ledger, invited_token(ledger, survey_id, sad), 2, comment="Terrible, awful delays")
    answer(ledger, invited_token(ledger, survey_id, quiet), 8)
    recorded = responded(ledger, survey_id, sad).comment_sentiment
    assert recorded == sentiment("Terrible, awful delays") and recorded < -0.5
    assert responded(ledger, survey_id, quiet).comment_sentiment is None


def test_a_version_1_response_reads_with_no_tier_and_no_recorded_sentiment(
    ledger: Ledger,
) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    answer(ledger, invited_token(ledger, survey_id, customer_id), 9, comment="Fine")
    current = responded(ledger, survey_id, customer_id)

    read = as_stored_before(ledger, current, RESPONDED_V2_FIELDS)

    assert isinstance(read, Invitation.Responded)
    assert (read.tier, read.comment_sentiment, read.score) == (None, None, 9)
    assert read.comment is not None and read.comment.value == "Fine"


def test_the_comment_is_sealed_as_the_respondents_personal_data(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    answer(ledger, invited_token(ledger, survey_id, customer_id), 2, comment="  Too slow  ")
    responded = list(ledger.events.get(Invitation.id_for(survey_id, customer_id)))[-1]
    assert isinstance(responded, Invitation.Responded)
    assert responded.comment is not None
    assert (responded.comment.subject_id, responded.comment.value) == (customer_id, "Too slow")


@pytest.mark.parametrize(
    ("kind", "bad", "good"),
    [(SurveyKind.NPS, 11, 0), (SurveyKind.CSAT, 0, 5), (SurveyKind.CES, 8, 7)],
)
def test_scores_are_checked_against_the_kinds_scale(
    ledger: Ledger, kind: SurveyKind, bad: int, good: int
) -> None:
    survey_id, customer_id = published(ledger, kind), customer(ledger)
    token = invited_token(ledger, survey_id, customer_id)
    with pytest.raises(ValidationError):
        answer(ledger, token, bad)
    answer(ledger, token, good)


def test_aspect_scores_must_name_the_surveys_aspects_on_a_1_to_5_scale(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    token = invited_token(ledger, survey_id, customer_id)
    with pytest.raises(ValidationError):
        answer(ledger, token, 8, aspect_scores={"pricing": 3})
    with pytest.raises(ValidationError):
        answer(ledger, token, 8, aspect_scores={"delivery": 6})


def test_an_aspect_scored_twice_is_refused_and_the_link_still_answers(ledger: Ledger) -> None:
    # Given a published survey with aspects and an invitation
    survey_id, customer_id = published(ledger), customer(ledger)
    token = invited_token(ledger, survey_id, customer_id)
    # When the answer scores one aspect twice (in any order), it is refused on aspectScores
    for twice in ([("delivery", 5), ("delivery", 1)], [("delivery", 1), ("delivery", 5)]):
        with pytest.raises(ValidationError) as refused:
            answer(ledger, token, 8, aspect_scores=twice)
        assert refused.value.field == "aspectScores"
    # Then nothing was written: the link answers once, with the pairs given once each
    answer(ledger, token, 8, aspect_scores=[("delivery", 4)])
    assert responded(ledger, survey_id, customer_id).aspect_scores == {"delivery": 4}


def test_answers_to_a_draft_or_closed_survey_are_refused(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    token = invited_token(ledger, survey_id, customer_id)
    ledger.close_survey(survey_id, ADMIN)
    with pytest.raises(SurveyNotOpenError):
        answer(ledger, token, 9)
    with pytest.raises(SurveyNotOpenError):
        ledger.invite_to_survey(draft(ledger), customer_id, SurveyChannel.EMAIL, AGENT)


def test_a_forged_or_expired_token_is_refused_alike(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    old = NOW - timedelta(days=31)
    token = invited_token(ledger, survey_id, customer_id, when=old)
    with pytest.raises(InvalidSurveyTokenError):
        answer(ledger, token, 9)
    head = token.partition(".")[0]
    for forged in (head + ".guess", "not-a-token", "", UUID(int=0).hex + ".x"):
        with pytest.raises(InvalidSurveyTokenError):
            answer(ledger, forged, 9)


def test_inviting_again_reissues_the_link_and_the_old_one_dies(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    first = invited_token(ledger, survey_id, customer_id)
    second = invited_token(ledger, survey_id, customer_id)
    with pytest.raises(InvalidSurveyTokenError):
        answer(ledger, first, 9)
    answer(ledger, second, 9)


def test_invitations_honour_channel_opt_in_and_research_consent(ledger: Ledger) -> None:
    survey_id = published(ledger, channels=[SurveyChannel.EMAIL, SurveyChannel.SMS])
    quiet = ledger.register_customer(RegisterCustomer("Bo", "bo@example.org"), AGENT).aggregate_id
    with pytest.raises(ContactNotPermittedError):
        ledger.invite_to_survey(survey_id, quiet, SurveyChannel.EMAIL, AGENT)
    customer_id = customer(ledger, "cy@example.org")
    with pytest.raises(ContactNotPermittedError):
        ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.SMS, AGENT)
    ledger.give_consent(customer_id, ConsentPurpose.RESEARCH, AGENT)
    ledger.withdraw_consent(customer_id, ConsentPurpose.RESEARCH, AGENT)
    with pytest.raises(ContactNotPermittedError):
        ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.EMAIL, AGENT)


def test_a_research_consent_refused_without_ever_being_given_forbids_invitations(
    ledger: Ledger,
) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    ledger.withdraw_consent(customer_id, ConsentPurpose.RESEARCH, AGENT)
    head = ledger.head_position()
    with pytest.raises(ContactNotPermittedError) as refused:
        ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.EMAIL, AGENT)
    assert refused.value.field == "customerId"
    assert ledger.head_position() == head


def test_a_customer_who_never_decided_on_research_may_be_invited(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.EMAIL, AGENT)
    assert ledger.find(Invitation.id_for(survey_id, customer_id)) is not None


def test_a_channel_the_survey_does_not_run_on_is_refused(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    with pytest.raises(ValidationError):
        ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.PUSH, AGENT)


def test_a_logged_in_customer_answers_in_product_without_a_link(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    me = EventMetadata(actor_id=str(customer_id), actor_role=Role.CUSTOMER, channel=Channel.WEB)
    submitted = SubmitResponse(score=10, survey_id=survey_id, customer_id=customer_id)
    ledger.submit_survey_response(submitted, me)
    kinds = [type(e).__name__ for e in ledger.events.get(Invitation.id_for(survey_id, customer_id))]
    assert kinds == ["Issued", "Responded"]
    with pytest.raises(AlreadyRespondedError):
        ledger.submit_survey_response(submitted, me)


def test_a_link_only_survey_cannot_be_answered_in_product(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger, channels=[SurveyChannel.EMAIL]), customer(ledger)
    submitted = SubmitResponse(score=10, survey_id=survey_id, customer_id=customer_id)
    with pytest.raises(ContactNotPermittedError):
        ledger.submit_survey_response(submitted, AGENT)


def test_unknown_surveys_are_typed_errors(ledger: Ledger) -> None:
    with pytest.raises(SurveyNotFoundError):
        ledger.publish_survey(UUID(int=1), ADMIN)
    with pytest.raises(SurveyNotFoundError):
        ledger.invite_to_survey(UUID(int=1), customer(ledger), SurveyChannel.EMAIL, AGENT)


def test_completion_time_runs_from_the_invitation(ledger: Ledger) -> None:
    survey_id, customer_id = published(ledger), customer(ledger)
    token = invited_token(ledger, survey_id, customer_id)
    later = datetime.now(UTC) + timedelta(minutes=3)
    ledger.submit_survey_response(SubmitResponse(score=7, token=token), VISITOR, now=later)
    responded = list(ledger.events.get(Invitation.id_for(survey_id, customer_id)))[-1]
    assert isinstance(responded, Invitation.Responded)
    assert 170 <= responded.completion_seconds <= 190


def test_an_invitation_read_together_is_found_as_loaded_alone(ledger: Ledger) -> None:
    """What a promoter's thank-you reads with the customer: the invitation as
    ``invitation_of`` loads it, and the same refusal for a missing one or another kind."""
    survey_id, customer_id = published(ledger), customer(ledger)
    invited_token(ledger, survey_id, customer_id)
    invitation_id = Invitation.id_for(survey_id, customer_id)
    found = ledger.find_together({invitation_id: Invitation, survey_id: Survey})
    invitation = invitation_in(found, invitation_id)
    assert invitation.version == invitation_of(ledger, invitation_id).version
    assert (invitation.survey_id, invitation.customer_id) == (survey_id, customer_id)
    with pytest.raises(InvalidSurveyTokenError):
        invitation_in(found, Invitation.id_for(survey_id, survey_id))  # no such stream
    with pytest.raises(InvalidSurveyTokenError):
        invitation_in(found, survey_id)  # a survey, not an invitation
