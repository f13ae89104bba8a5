"""The schema: every query and mutation, merged from each area."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from graphql_api.access.schema import AccessMutations
from graphql_api.audit.schema import AuditQueries
from graphql_api.billing.schema import BillingQueries
from graphql_api.campaigns.schema import CampaignMutations, CampaignQueries
from graphql_api.context import ApiLimits
from graphql_api.customers.schema import CustomerMutations, CustomerQueries
from graphql_api.document_cache import CachedDocument
from graphql_api.error_log import log_errors
from graphql_api.exclusive_events.schema import ExclusiveEventMutations, ExclusiveEventQueries
from graphql_api.extension_phases import PhaseRunner
from graphql_api.feedback.schema import FeedbackMutations, FeedbackQueries
from graphql_api.history.schema import HistoryQueries
from graphql_api.knowledge.schema import KnowledgeMutations, KnowledgeQueries
from graphql_api.limits.extension import RequestLimiter
from graphql_api.live.subscriptions import Subscription
from graphql_api.loyalty.schema import LoyaltyMutations, LoyaltyQueries
from graphql_api.metrics.extension import OperationMetrics
from graphql_api.node.schema import NodeQueries
from graphql_api.notifications.schema import NotificationMutations, NotificationQueries
from graphql_api.orders.schema import OrderMutations, OrderQueries
from graphql_api.plain_execution import PlainExecution
from graphql_api.plain_fields import PlainFieldExecutor
from graphql_api.priorities.schema import PriorityMutations, PriorityQueries
from graphql_api.privacy.schema import PrivacyMutations, PrivacyQueries
from graphql_api.purchases.schema import PurchaseMutations
from graphql_api.recommendations.schema import RecommendationQueries
from graphql_api.referrals.schema import ReferralMutations, ReferralQueries
from graphql_api.reviews.schema import ReviewMutations, ReviewQueries
from graphql_api.scalars import SCALARS
from graphql_api.schema_disclosure import SchemaDisclosure
from graphql_api.segments.schema import SegmentMutations, SegmentQueries
from graphql_api.success.schema import SuccessMutations, SuccessQueries
from graphql_api.surveys.schema import SurveyMutations, SurveyQueries
from graphql_api.testimonials.schema import TestimonialMutations, TestimonialQueries
from graphql_api.tickets.schema import TicketMutations, TicketQueries
from graphql_api.tracing import OperationTracing
from graphql_api.unavailable import MaskErrorsButUnavailable


# Each area adds its query and mutation classes as bases here; their fields merge.
@strawberry.type(description="Everything a client can read.")
class Query(
    CustomerQueries,
    SurveyQueries,
    LoyaltyQueries,
    TicketQueries,
    ReferralQueries,
    SuccessQueries,
    ReviewQueries,
    OrderQueries,
    AuditQueries,
    PrivacyQueries,
    HistoryQueries,
    NotificationQueries,
    NodeQueries,
    SegmentQueries,
    CampaignQueries,
    TestimonialQueries,
    FeedbackQueries,
    KnowledgeQueries,
    ExclusiveEventQueries,
    BillingQueries,
    RecommendationQueries,
    PriorityQueries,
):
    pass


@strawberry.type(description="Everything a client can change.")
class Mutation(
    CustomerMutations,
    AccessMutations,
    PurchaseMutations,
    SurveyMutations,
    LoyaltyMutations,
    TicketMutations,
    ReferralMutations,
    SuccessMutations,
    ReviewMutations,
    OrderMutations,
    PrivacyMutations,
    NotificationMutations,
    SegmentMutations,
    CampaignMutations,
    TestimonialMutations,
    FeedbackMutations,
    KnowledgeMutations,
    ExclusiveEventMutations,
    PriorityMutations,
):
    pass


class RememberedNames(NameConverter):
    """strawberry's naming, each Python name converted once: strawberry names every argument
    of a field again in every call of the field (six for ``customers``), each a split, a
    capitalisation and a join. The names are the schema's own (never a client's), so the
    table is as small as the schema."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case)
        self._names: dict[tuple[bool, str], str] = {}

    def apply_naming_config(self, name: str) -> str:
        key = (self.auto_camel_case, name)
        known = self._names.get(key)
        if known is None:
            known = self._names[key] = super().apply_naming_config(name)
        return known


class LedgerSchema(strawberry.Schema):
    """The schema, with errors logged as refusals or crashes (graphql_api.error_log) instead
    of strawberry's traceback for every one, and a document run before run again without
    strawberry's ``execute`` when ``build_schema`` gave it the plain path
    (graphql_api.plain_execution)."""

    plain: PlainExecution | None = None

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        def strawberrys() -> Awaitable[ExecutionResult]:
            return super(LedgerSchema, self).execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )

        plain = self.plain
        if plain is None or root_value is not None or operation_extensions is not None:
            return await strawberrys()
        return await plain.execute(
            query,
            variable_values,
            context_value,
            operation_name,
            DEFAULT_ALLOWED_OPERATION_TYPES
            if allowed_operation_types is None
            else allowed_operation_types,
            strawberrys,
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        # Each phase's hooks without strawberry's wrapping of each one in every request.
        return PhaseRunner(execution_context=execution_context, extensions=extensions)


def build_schema(limits: ApiLimits | None = None, tracing: bool = False) -> strawberry.Schema:
    """The schema with its extensions; ``tracing`` when the API was given a tracer (without
    one, OperationTracing would only be entered and left in every request)."""
    limits = limits or ApiLimits()
    depth_rule = create_validator(limits.max_query_depth, should_ignore=None)
    schema = LedgerSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(
            auto_camel_case=True, scalar_map=SCALARS, name_converter=RememberedNames()
        ),
        extensions=_extensions(limits, tracing, depth_rule),
        execution_context_class=PlainFieldExecutor,
    )
    # The plain path gives the effects of the extensions _extensions lists, and no others:
    # not OperationTracing's, nor those of schema directives (strawberry's
    # DirectivesExtension), nor strawberry's cutting of field suggestions.
    if not tracing and not schema.directives and not schema.config.disable_field_suggestions:
        schema.plain = PlainExecution(
            schema._schema,
            PlainFieldExecutor,
            limits.max_query_tokens,
            depth_rule,
            limits.requests,
            limits.introspection,
        )
    return schema


def _extensions(
    limits: ApiLimits, tracing: bool, depth_rule: type[ASTValidationRule]
) -> list[Callable[[], SchemaExtension]]:
    # One depth rule (``depth_rule``) for the schema's life: strawberry's QueryDepthLimiter
    # makes a new rule class per instance, and the validation cache is keyed by the rule
    # classes, so with a fresh limiter per request every request missed the cache and was
    # validated again.
    # Factories: a fresh extension per request. Each extension is entered in every phase of
    # every request, so those with nothing to do in this configuration are left out.
    return [
        OperationMetrics,  # first: it counts what every later extension decided
        *([OperationTracing] if tracing else []),  # as outer: its span holds the operation
        partial(CachedDocument, limits.max_query_tokens, (depth_rule,)),
        partial(RequestLimiter, limits=limits.requests),
        MaskErrorsButUnavailable,
        # With introspection on for everyone there is nothing to hide from anyone.
        *(
            [partial(SchemaDisclosure, limits.introspection)]
            if limits.introspection != "on"
            else []
        ),
    ]
