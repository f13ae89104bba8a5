"""Survey answers as tests set them up: a customer answering a new NPS survey."""

from __future__ import annotations

from uuid import UUID

from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from domain.survey.commands import DraftSurvey, SubmitResponse
from domain.survey.values import SurveyChannel, SurveyKind

STAFF = EventMetadata(actor_id="survey-admin", actor_role=Role.ADMIN, channel=Channel.WEB)


def answer_nps(ledger: Ledger, customer_id: UUID, score: int) -> None:
    """The customer answers ``score`` to a new NPS survey, drafted, published and sent to them
    on the web by an admin."""
    drafted = DraftSurvey(SurveyKind.NPS, f"NPS {score}", "Recommend us?", [SurveyChannel.WEB])
    survey_id = ledger.draft_survey(drafted, STAFF).aggregate_id
    ledger.publish_survey(survey_id, STAFF)
    ledger.invite_to_survey(survey_id, customer_id, SurveyChannel.WEB, STAFF)
    answer = SubmitResponse(score, survey_id=survey_id, customer_id=customer_id)
    as_customer = EventMetadata(str(customer_id), Role.CUSTOMER, Channel.WEB)
    ledger.submit_survey_response(answer, as_customer)
