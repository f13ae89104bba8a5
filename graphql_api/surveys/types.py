"""The Survey type, what an invitation's link shows, and responses as Customer 360 lists them.

Built from the survey read model's views (`projections.surveys.views`).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.enums import LoyaltyTier, NpsCategory, SurveyChannel, SurveyKind, SurveyStatus
from graphql_api.node_interface import Node
from graphql_api.pagination import PageInfo
from projections.surveys.views import ResponseView, SurveyView

Info = strawberry.Info[RequestContext, None]


def nps_category_of(category: str | None) -> NpsCategory | None:
    return None if category is None else NpsCategory(category)


@strawberry.type(description="The lowest and highest score a question takes.")
class ScoreScale:
    min: int = strawberry.field(description="Lowest score.")
    max: int = strawberry.field(description="Highest score.")

    @classmethod
    def of(cls, scale: tuple[int, int]) -> ScoreScale:
        return cls(min=scale[0], max=scale[1])


@strawberry.type(name="AspectQuestion", description="An extra question rated 1-5.")
class AspectQuestionType:
    key: str = strawberry.field(description="Snake-case key, e.g. pricing.")
    question: str = strawberry.field(description="The question as respondents read it.")


def _aspects(pairs: list[tuple[str, str]]) -> list[AspectQuestionType]:
    return [AspectQuestionType(key=key, question=question) for key, question in pairs]


@strawberry.type(name="Survey", description="An NPS, CSAT or CES questionnaire.")
class SurveyType(Node):
    survey_id: strawberry.Private[UUID]

    @strawberry.field(description="The survey's id (a UUID; the same value as ever).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.survey_id))

    kind: SurveyKind = strawberry.field(description="What the main question measures.")
    title: str = strawberry.field(description="Title, for people who design and read surveys.")
    question: str = strawberry.field(description="The main question respondents answer.")
    scale: ScoreScale = strawberry.field(description="The main question's scale.")
    aspects: list[AspectQuestionType] = strawberry.field(
        description="Extra questions rated 1-5, in order."
    )
    product_version: str | None = strawberry.field(
        description="The product version the survey asks about, if any."
    )
    channels: list[SurveyChannel] = strawberry.field(description="Where the survey runs.")
    status: SurveyStatus = strawberry.field(description="Draft, published or closed.")
    drafted_at: datetime = strawberry.field(description="When it was drafted.")
    published_at: datetime | None = strawberry.field(description="When it opened, if it has.")
    closed_at: datetime | None = strawberry.field(description="When it closed, if it has.")
    version: int = strawberry.field(description="Aggregate version; send it as expectedVersion.")

    @classmethod
    def from_view(cls, view: SurveyView) -> SurveyType:
        return cls(
            survey_id=view.survey_id,
            kind=SurveyKind(view.kind),
            title=view.title,
            question=view.question,
            scale=ScoreScale.of(SurveyKind(view.kind).scale),
            aspects=_aspects(view.aspects),
            product_version=view.product_version,
            channels=[SurveyChannel(c) for c in view.channels],
            status=SurveyStatus(view.status),
            drafted_at=view.drafted_at,
            published_at=view.published_at,
            closed_at=view.closed_at,
            version=view.version,
        )


@strawberry.type(description="An edge of a survey connection.")
class SurveyEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: SurveyType = strawberry.field(description="The survey.")


@strawberry.type(description="A page of surveys, newest draft last.")
class SurveyConnection:
    edges: list[SurveyEdge] = strawberry.field(description="The surveys of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(
    description="What the holder of an invitation's link sees: the questions, and whether "
    "they can still answer. No personal data."
)
class SurveyInvitation:
    survey_id: UUID = strawberry.field(description="The survey the link answers.")
    kind: SurveyKind = strawberry.field(description="What the main question measures.")
    title: str = strawberry.field(description="The survey's title.")
    question: str = strawberry.field(description="The main question.")
    scale: ScoreScale = strawberry.field(description="The main question's scale.")
    aspects: list[AspectQuestionType] = strawberry.field(description="Extra questions, in order.")
    aspect_scale: ScoreScale = strawberry.field(description="The aspect questions' scale (1-5).")
    open: bool = strawberry.field(description="The survey takes answers now.")
    answered: bool = strawberry.field(description="This invitation has already been answered.")
    expires_at: datetime | None = strawberry.field(description="When the link stops working.")


@strawberry.type(description="The score given to one aspect question (1-5).")
class AspectScore:
    aspect: str = strawberry.field(description="The aspect's key.")
    score: int = strawberry.field(description="The score, 1-5.")


@strawberry.type(description="One answer a customer gave to a survey.")
class SurveyResponse(Node):
    view: strawberry.Private[ResponseView]
    customer_id: strawberry.Private[UUID]

    @strawberry.field(
        description="The response's id (that of its invitation; a UUID, the same value as ever)."
    )
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.response_id))

    @strawberry.field(description="The survey answered.")
    def survey_id(self) -> UUID:
        return self.view.survey_id

    @strawberry.field(description="The survey's title.")
    def survey_title(self) -> str:
        return self.view.survey_title

    @strawberry.field(description="What the survey measures.")
    def kind(self) -> SurveyKind:
        return SurveyKind(self.view.kind)

    @strawberry.field(description="The main score, on the survey kind's scale.")
    def score(self) -> int:
        return self.view.score

    @strawberry.field(description="Promoter, passive or detractor; null unless an NPS survey.")
    def nps_category(self) -> NpsCategory | None:
        return nps_category_of(self.view.nps_category)

    @strawberry.field(
        description="The respondent's comment. Personal data: null unless you may see it "
        "(and once the customer is erased)."
    )
    def comment(self, info: Info) -> str | None:
        if not may_see_personal_data(info.context.principal, self.customer_id):
            return None
        return self.view.comment

    @strawberry.field(description="Sentiment of the comment, -1 (negative) to 1 (positive).")
    def sentiment(self) -> float | None:
        return self.view.sentiment

    @strawberry.field(description="Scores given to the aspect questions.")
    def aspect_scores(self) -> list[AspectScore]:
        scores = sorted(self.view.aspect_scores.items())
        return [AspectScore(aspect=key, score=value) for key, value in scores]

    @strawberry.field(description="Where the customer answered.")
    def channel(self) -> SurveyChannel:
        return SurveyChannel(self.view.channel)

    @strawberry.field(description="The customer's region when they answered.")
    def region(self) -> str | None:
        return self.view.region

    @strawberry.field(description="The product version the survey asked about.")
    def product_version(self) -> str | None:
        return self.view.product_version

    @strawberry.field(
        description="The customer's loyalty tier when they answered; null if not a member."
    )
    def tier(self) -> LoyaltyTier | None:
        return None if self.view.tier is None else LoyaltyTier(self.view.tier)

    @strawberry.field(description="When the customer answered.")
    def responded_at(self) -> datetime:
        return self.view.responded_at

    @strawberry.field(description="Seconds from invitation to answer.")
    def completion_seconds(self) -> float:
        return self.view.completion_seconds


@strawberry.type(description="An edge of a survey response connection.")
class SurveyResponseEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: SurveyResponse = strawberry.field(description="The response.")


@strawberry.type(description="A page of a customer's survey responses, newest first.")
class SurveyResponseConnection:
    edges: list[SurveyResponseEdge] = strawberry.field(description="The responses of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
