"""Selections of plain fields completed by a plan give graphql-core's results and errors.

Each document runs through strawberry's own executor and through ``PlainFieldExecutor``; the
answers (data and formatted errors, paths included) must be equal. The customer directory's
own types (``CustomerConnection`` of ``CustomerType``, built by ``pagination.connection``)
are run for readers who may and may not see personal data, with cursors, ``pageInfo`` and
``totalCount``.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from inspect import isawaitable
from typing import Any
from uuid import UUID

import pytest
import strawberry
from graphql import DocumentNode, GraphQLInt, GraphQLObjectType, GraphQLResolveInfo, execute, parse
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig

from domain.shared.metadata import Role
from graphql_api import plain_plans
from graphql_api.auth import Principal
from graphql_api.customers.types import CustomerConnection, CustomerEdge, CustomerType
from graphql_api.pagination import PageRequest, connection
from graphql_api.plain_fields import PlainFieldExecutor
from graphql_api.scalars import SCALARS
from projections.customers.queries import CustomerPage, CustomerView


@strawberry.enum
class Shade(enum.Enum):
    DARK = "dark"
    LIGHT = "light"


@strawberry.interface
class Thing:
    label: str | None


class NoOne(BasePermission):
    message = "no one may read this"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


class Everyone(BasePermission):
    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.field_name is not None  # reads the info, which a plan does not build


@strawberry.type
class Item(Thing):
    size: int
    shade: Shade
    tags: list[str]
    maybe_tags: list[str | None] | None
    secret: str | None = strawberry.field(default="hidden", permission_classes=[NoOne])
    shared: str | None = strawberry.field(default="shown", permission_classes=[Everyone])


@strawberry.type
class Holder:
    items: list[Item]
    loose: list[Item | None] | None
    first: Item | None


def item(label: Any = "a", size: Any = 1, tags: Any = ("x",)) -> Item:
    """An Item; the arguments are Any so that cases can break the schema."""
    listed: Any = tags if isinstance(tags, str) else list(tags)
    return Item(label=label, size=size, shade=Shade.DARK, tags=listed, maybe_tags=[None, "y"])


def holder(items: Any, loose: Any = (), first: Any = None) -> Holder:
    """A Holder; Any so that cases can break the schema (nulls, tuples, other types)."""
    return Holder(items=items, loose=loose, first=first)


HOLDERS: dict[str, Callable[[], Any]] = {
    "plain": lambda: holder([item(), item("b", 2)], [None, item()]),
    "null in a non-null list item": lambda: holder([item(), None], None, item()),
    "null in a non-null leaf": lambda: holder([item(size=None)], None),
    "a value the scalar refuses": lambda: holder([item(size=2**40)], []),
    "a string where a list is expected": lambda: holder([item(tags="xy")], []),
    "a tuple of objects": lambda: holder((item(),), (None,), item()),
    "an exception as a value": lambda: holder([item(label=ValueError("no"))], []),
    "an object of another type": lambda: holder([holder([])], []),
    "a null list where none is allowed": lambda: holder(None, []),
}


@strawberry.type
class Query:
    @strawberry.field
    def holders(self) -> list[Holder | None]:
        # Nullable: each holder's error nulls that holder alone, so every case is compared.
        return [make() for make in HOLDERS.values()]


# The data breaks the schema on purpose (see HOLDERS), so most answers hold errors.
DOCUMENTS = [
    "{ holders { items { label size shade tags maybeTags } loose { label } first { size } } }",
    "{ holders { __typename items { __typename ... on Thing { label } size } } }",
    "{ holders { renamed: items { l: label label s: size } items { tags } } }",
    "query($on: Boolean!) { holders { items { label @include(if: $on) size @skip(if: $on) } } }",
    "{ holders { loose { shade maybeTags } first { label tags } } }",
    "{ holders { items { label secret } first { shared size } loose { secret shared } } }",
]


class PlanCounting(PlainFieldExecutor):
    """Counts how many values a plan completed (no fallback)."""

    completed = 0

    def complete_object_value(self, *args: Any, **kwargs: Any) -> Any:
        plan = self._object_plan(args[0], args[1]) if args[5] is None else None
        PlanCounting.completed += plan is not None
        return super().complete_object_value(*args, **kwargs)


def run(
    query_type: type, document: str, executor: type[Any] | None, context: Any = None
) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=query_type,
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=executor,
    )
    result = asyncio.run(
        schema.execute(document, variable_values={"on": True}, context_value=context)
    )
    return {"data": result.data, "errors": [e.formatted for e in result.errors or ()]}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_plans_answer_as_graphql_core_does(document: str) -> None:
    expected = run(Query, document, None)
    PlanCounting.completed = 0
    assert run(Query, document, PlanCounting) == expected
    assert PlanCounting.completed > 0, "the plain holders are completed by plans"


@strawberry.type
class Checked:
    """A type with an is_type_of of its own, which reads the info: it has no plan."""

    name: str

    @classmethod
    def is_type_of(cls, obj: Any, info: GraphQLResolveInfo[Any]) -> bool:
        return isinstance(obj, cls) and info.field_name == "checked"


@strawberry.type
class CheckedQuery:
    @strawberry.field
    def checked(self) -> list[Checked]:
        return [Checked(name="a")]


def test_a_type_check_that_reads_the_info_is_given_one() -> None:
    answer = run(CheckedQuery, "{ checked { name } }", PlainFieldExecutor)
    assert answer == run(CheckedQuery, "{ checked { name } }", None)
    assert answer["data"] == {"checked": [{"name": "a"}]}


SUBJECT = UUID("00000000-0000-4000-8000-000000000001")
OTHER = UUID("00000000-0000-4000-8000-000000000002")
AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def view(customer_id: UUID, seq: int, *, erased: bool = False) -> CustomerView:
    return CustomerView(
        customer_id=customer_id,
        seq=seq,
        name=None if erased else f"Name {seq}",
        email=None if erased else f"{seq}@example.com",
        phone=None if erased or seq % 2 else "+1555",
        region="north" if seq % 2 else None,
        personal_data_erased=erased,
        registered_at=AT,
        registered_by_role="agent",
        registered_through="api",
        version=seq,
        erased_at=AT if erased else None,
    )


@strawberry.type
class DirectoryQuery:
    @strawberry.field
    def customers(self, info: strawberry.Info, after: str | None = None) -> CustomerConnection:
        reader: Principal = info.context["reader"]
        page = CustomerPage(
            items=[view(SUBJECT, 3), view(OTHER, 5, erased=True), view(OTHER, 8)],
            has_next_page=True,
            total_count=None,
        )

        async def count() -> int:
            return 42

        count_of: Callable[[], Awaitable[int]] = count
        return connection(
            CustomerConnection,
            CustomerEdge,
            "customer",
            page,
            lambda v: CustomerType.of(v, reader),
            after=after,
            position=lambda v: v.seq,
            request=PageRequest(20, None, backward=False, given_cursor=after),
            count=count_of,
        )


DIRECTORY = [
    "{ customers { edges { node { id name email region } } } }",
    '{ customers(after: "Y3VzdG9tZXI6MQ==") { totalCount pageInfo { hasNextPage '
    "hasPreviousPage startCursor endCursor } edges { cursor node { __typename id name email "
    "phone region personalDataErased erasedAt registeredAt version } } } }",
    "{ customers { pageInfo { endCursor } edges { node { ... on Node { id } name } } } }",
]
READERS = [
    Principal(actor_id="agent", role=Role.AGENT),
    Principal(actor_id="analyst", role=Role.ANALYST),
    Principal(actor_id=str(SUBJECT), role=Role.CUSTOMER),
]


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.role.value)
@pytest.mark.parametrize("document", DIRECTORY)
def test_the_customer_directory_answers_as_graphql_core_does(
    document: str, reader: Principal
) -> None:
    context = {"reader": reader}
    expected = run(DirectoryQuery, document, None, context)
    assert expected["errors"] == []
    PlanCounting.completed = 0
    assert run(DirectoryQuery, document, PlanCounting, context) == expected
    assert PlanCounting.completed > 0


class CompileCounting(PlainFieldExecutor):
    """Counts the plans made (not taken from a request's or the type's keeping)."""

    compiled = 0

    def _compile(self, *args: Any, **kwargs: Any) -> Any:
        CompileCounting.compiled += 1
        return super()._compile(*args, **kwargs)


HOLDER_SCHEMA = strawberry.Schema(query=Query)
"""One schema for every request, as the API has: plans are kept on its types."""


def run_parsed(document: DocumentNode, variables: dict[str, Any], executor: Any) -> Any:
    """Run one parsed document, as the document cache hands the same one to every request."""
    result = execute(
        HOLDER_SCHEMA._schema, document, variable_values=variables, executor_class=executor
    )
    assert not isawaitable(result)
    return result.data, [e.formatted for e in result.errors or ()]


def test_a_documents_plans_are_kept_across_requests() -> None:
    document = parse(
        "{ holders { items { label size } first { ...Sized } } } fragment Sized on Item { size }"
    )
    expected = run_parsed(document, {}, None)
    CompileCounting.compiled = 0
    assert run_parsed(document, {}, CompileCounting) == expected
    assert CompileCounting.compiled > 0
    CompileCounting.compiled = 0
    assert run_parsed(document, {}, CompileCounting) == expected
    assert CompileCounting.compiled == 0, "the second request made no plan"


@pytest.mark.parametrize(
    "document",
    [
        "query($on: Boolean!) { holders { items { label @include(if: $on) size } } }",
        "query($on: Boolean!) { holders { items { ... @skip(if: $on) { label } size } } }",
        "query($on: Boolean!) { holders { items { ...L size } } } "
        "fragment L on Item { label @include(if: $on) }",
        "query($on: Boolean!) { holders { first { size } items { ...L @include(if: $on) } } } "
        "fragment L on Item { label }",
    ],
)
def test_plans_of_selections_with_directives_are_made_per_request(document: str) -> None:
    """What a directive collects depends on the request's variables: each request makes
    its own plan, and answers as graphql-core does for each value."""
    parsed = parse(document)
    for on in (True, False, True):
        CompileCounting.compiled = 0
        expected = run_parsed(parsed, {"on": on}, None)
        assert run_parsed(parsed, {"on": on}, CompileCounting) == expected
        assert CompileCounting.compiled > 0


class Shouting(str):
    """A str subclass: not taken as it is (its type is not exactly ``str``)."""


@strawberry.type
class Texts:
    word: str
    key: strawberry.ID
    number_key: strawberry.ID
    odd: str


@strawberry.type
class TextsQuery:
    @strawberry.field
    def texts(self) -> list[Texts]:
        return [
            Texts(word="a", key=strawberry.ID("k"), number_key=7, odd=Shouting("b")),  # type: ignore[arg-type]
            Texts(word=5, key=strawberry.ID("l"), number_key=8.0, odd=True),  # type: ignore[arg-type]
        ]


def test_text_leaves_take_a_str_as_it_is_and_serialize_anything_else() -> None:
    """``String`` and ``ID`` leaves are ``TEXT`` entries: a ``str`` is its own serialized
    value; an int, a float, a bool or a str subclass still goes through the serializer,
    and the answers equal graphql-core's."""
    document = "{ texts { word key numberKey odd } }"
    expected = run(TextsQuery, document, None)
    assert expected["errors"] == []
    assert run(TextsQuery, document, PlainFieldExecutor) == expected
    assert expected["data"]["texts"][1] == {
        "word": "5",
        "key": "l",
        "numberKey": "8",
        "odd": "true",
    }
    schema = strawberry.Schema(query=TextsQuery)._schema
    texts = schema.type_map["Texts"]
    assert isinstance(texts, GraphQLObjectType)
    kinds = {
        name: plain_plans.leaf_kind(field.type.of_type) for name, field in texts.fields.items()
    }
    assert kinds == dict.fromkeys(["word", "key", "numberKey", "odd"], plain_plans.TEXT)
    assert plain_plans.leaf_kind(GraphQLInt) == plain_plans.LEAF
