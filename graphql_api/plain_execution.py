"""A document the API has run before, run again without strawberry's ``execute`` machinery.

For every request strawberry's ``Schema.execute`` makes an execution context, five extension
instances, a runner, a middleware manager, and enters and leaves each extension in four
phases, most of them with nothing to do: for ``{ __typename }`` about a third of the
server's CPU. This module does, for a document that parsed and validated without errors
before, the steps those extensions and strawberry's ``execute`` take, in their order, with
the same functions:

1. the schema-disclosure decision (``SchemaDisclosure``: the introspection rule added for a
   caller the schema is hidden from), and the metrics' clock started (``OperationMetrics``);
2. the parse and the validation, through the process-wide caches (``CachedDocument``), with
   the same rules (graphql-core's specified ones, the depth rule, the introspection rule);
3. the request limits (``RequestLimiter``): the cost, a refusal over the limit or for too
   many mutations answered as strawberry answers an exception of the execution phase (no
   ``data``, the error logged, the cost in ``extensions``, neither masked nor counted);
4. graphql-core's ``execute`` with strawberry's arguments (the executor class, an empty
   middleware manager, strawberry's awaitable test, the operation's name), or, for an
   operation that selects only ``__typename``, its data made from the plan
   (``graphql_api.typename_only``), or, for a query of one direct root field, its data made
   by the field's answer and the plan of its selection (``graphql_api.direct_root``);
5. the result's errors logged before anything changes them (``LedgerSchema.process_errors``),
   suggestions cut for a hidden schema, unexpected errors masked
   (``MaskErrorsButUnavailable``), the operation counted and timed (``OperationMetrics``),
   and the response's ``extensions`` (the cost).

Every other request goes strawberry's way: a document seen for the first time with
errors (syntax, validation, no such operation), a subscription, an operation the method may
not run, a query that is empty, a root value or operation extensions, and every request of a
schema that traces operations (``OperationTracing``) or is not built by ``build_schema``. Which
way a document goes is decided once per text, operation name and disclosure (a bounded
table, keyed by the text's digest as ``document_checks`` keys its facts, so that a text that
never parsed is not kept); the decision itself parses and validates through the same caches,
so a document that goes strawberry's way the first time it comes is looked up in them twice
that once.

graphql-core's executor is still built for each request: it holds the request's state
(errors, pending work, caches of collected fields), and graphql-core offers no public way to
reuse one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLError, execute, specified_rules
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution import MiddlewareManager
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.execution import optimized_is_awaitable
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_first_operation, get_operation_type

from graphql_api.context import IntrospectionPolicy
from graphql_api.direct_root import UNPLANNED, DirectRoot, Replay, answer_directly, direct_root
from graphql_api.document_cache import ByIdentity, parsed, validated
from graphql_api.error_log import log_errors
from graphql_api.limits.config import RequestLimits
from graphql_api.limits.cost import cached_operation_cost
from graphql_api.limits.document import operation_of
from graphql_api.limits.extension import cost_results, refuse_over_limits
from graphql_api.metrics.extension import metrics_of, outcome_of
from graphql_api.schema_disclosure import may_see_schema, without_suggestions
from graphql_api.typename_only import typename_data, typename_names
from graphql_api.unavailable import MaskErrorsButUnavailable

if TYPE_CHECKING:
    from graphql import GraphQLSchema

PLANS = 512
"""Documents (by text, operation name and disclosure) whose way is remembered."""

_RUNNABLE = frozenset({OperationType.QUERY, OperationType.MUTATION})


@dataclass(frozen=True, slots=True)
class _Plan:
    """A document that parsed and validated without errors, and what its requests share."""

    document: DocumentNode
    operation_type: OperationType
    operation_name: str | None
    """strawberry's ``ExecutionContext.operation_name``: the name given, else the first
    operation's own name."""
    typename: tuple[str, tuple[str, ...]] | None = None
    """For an operation selecting only ``__typename``: its root type's and response names."""
    direct: DirectRoot | None = None
    """For a query of one direct root field: what the executor would do for it."""


_STRAWBERRY = object()
"""The table's answer for a document that goes strawberry's way."""


class PlainExecution:
    """The plain path of one schema built by ``build_schema`` without tracing."""

    def __init__(
        self,
        schema: GraphQLSchema,
        executor_class: type[Any],
        max_tokens: int,
        depth_rule: type[ASTValidationRule],
        limits: RequestLimits,
        introspection: IntrospectionPolicy,
    ) -> None:
        self._schema = schema
        self._executor_class = executor_class
        self._max_tokens = max_tokens
        self._limits = limits
        self._introspection = introspection
        # strawberry's execution context starts from graphql-core's specified rules;
        # CachedDocument adds the depth rule, SchemaDisclosure the introspection rule.
        shown = (*specified_rules, depth_rule)
        self._rules = {False: shown, True: (*shown, NoSchemaIntrospectionCustomRule)}
        self._plans: dict[tuple[bytes, str | None, bool], object] = {}
        self._mask = MaskErrorsButUnavailable()

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None,
        context_value: Any,
        operation_name: str | None,
        allowed_operation_types: Iterable[OperationType],
        run_strawberry: Callable[[], Awaitable[ExecutionResult]],
    ) -> ExecutionResult:
        """The request's result; ``run_strawberry()`` (strawberry's ``execute``) for a
        request this path does not take, decided before it has any effect of its own."""
        started = time.perf_counter()
        if not query:
            return await run_strawberry()
        hidden = self._introspection != "on" and not may_see_schema(
            self._introspection, context_value
        )
        digest = hashlib.blake2b(query.encode(errors="surrogatepass"), digest_size=32).digest()
        key = (digest, operation_name, hidden)
        plan = self._plans.get(key)
        if plan is _STRAWBERRY:
            return await run_strawberry()
        if isinstance(plan, _Plan) and plan.operation_type not in allowed_operation_types:
            return await run_strawberry()
        rules = self._rules[hidden]
        try:
            document = parsed(query, self._max_tokens)
        except Exception:
            self._remember(key, _STRAWBERRY)
            return await run_strawberry()
        if not isinstance(plan, _Plan) or plan.document is not document:
            made = _plan_of(self._schema, document, operation_name, rules)
            self._remember(key, made)
            if made is _STRAWBERRY or (
                isinstance(made, _Plan) and made.operation_type not in allowed_operation_types
            ):
                return await run_strawberry()
            assert isinstance(made, _Plan)
            plan = made
        elif validated(self._schema, ByIdentity(document), rules):
            # The same text, parsed and validated the same way, gave errors this time
            # (it never does): strawberry answers them.
            return await run_strawberry()
        return await self._run(plan, variable_values, context_value, hidden, started)

    def _remember(self, key: tuple[bytes, str | None, bool], plan: object) -> None:
        plans = self._plans
        plans[key] = plan
        if len(plans) > PLANS:
            del plans[next(iter(plans))]

    async def _run(
        self,
        plan: _Plan,
        variables: dict[str, Any] | None,
        context_value: Any,
        hidden: bool,
        started: float,
    ) -> ExecutionResult:
        schema, document, limits = self._schema, plan.document, self._limits
        cost: int | None = None
        try:
            # RequestLimiter's on_execute: the cost (reported even when the request is
            # refused), then the refusals.
            operation = operation_of(document, plan.operation_name)
            if operation is not None:
                cost = cached_operation_cost(schema, document, operation, variables)
                refuse_over_limits(schema, document, operation, cost, limits)
            result: GraphQLExecutionResult | Awaitable[GraphQLExecutionResult]
            middleware = MiddlewareManager()
            answered: Any = UNPLANNED
            if plan.direct is not None:
                answered = await answer_directly(
                    plan.direct, context_value, optimized_is_awaitable, schema, variables
                )
                if isinstance(answered, Replay):
                    middleware = answered.middleware
            if plan.typename is not None:
                result = GraphQLExecutionResult(typename_data(plan.typename), None)
            elif answered is not UNPLANNED and not isinstance(answered, Replay):
                result = GraphQLExecutionResult(answered, None)
            else:
                result = execute(
                    schema,
                    document,
                    root_value=None,
                    middleware=middleware,
                    variable_values=variables,
                    operation_name=plan.operation_name,
                    context_value=context_value,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # as strawberry
                    executor_class=self._executor_class,
                    operation_extensions=None,
                )
            if not isinstance(result, GraphQLExecutionResult):
                result = await result
        except Exception as error:
            # As strawberry answers an exception of the execution phase: the hooks are left
            # with it (nothing masked, nothing counted), the error logged, the cost reported.
            failure = error if isinstance(error, GraphQLError) else _coerced(error)
            log_errors([failure])
            extensions = cost_results(cost, limits)
            return PreExecutionError(data=None, errors=[failure], extensions=extensions)
        if result.errors:
            log_errors(result.errors)
            if hidden:
                result.errors = [without_suggestions(error) for error in result.errors]
            self._mask._process_result(result)
        metrics = metrics_of(context_value)
        if metrics is not None:
            metrics.count_operation(
                metrics.operation_label(plan.operation_name),
                plan.operation_type.value,
                outcome_of(result),
                time.perf_counter() - started,
            )
        return ExecutionResult(
            data=result.data,
            errors=result.errors,
            extensions=cost_results(cost, limits),
        )


def _plan_of(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    rules: tuple[type[ASTValidationRule], ...],
) -> object:
    """The plan of a parsed document, or _STRAWBERRY; validated as strawberry validates it
    (after the operation type is found, as strawberry finds it)."""
    if operation_name is None:
        first = get_first_operation(document)
        operation_name = first.name.value if first is not None and first.name else None
    try:
        operation_type = get_operation_type(document, operation_name)
    except RuntimeError:
        return _STRAWBERRY
    if operation_type not in _RUNNABLE:
        return _STRAWBERRY
    if validated(schema, ByIdentity(document), rules):
        return _STRAWBERRY
    operation = operation_of(document, operation_name)
    typename = None if operation is None else typename_names(schema, operation)
    direct = None if operation is None or typename else direct_root(schema, operation)
    return _Plan(document, operation_type, operation_name, typename, direct)


def _coerced(error: Exception) -> GraphQLError:
    return GraphQLError(str(error), original_error=error)
