"""PlainFieldExecutor answers plain fields itself, with graphql-core's results and errors."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig

from graphql_api.plain_fields import PlainFieldExecutor


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.interface
class Named:
    name: str | None


@strawberry.type
class Leaf(Named):
    """``name`` may be null; ``code`` may not (the data breaks that below on purpose)."""

    code: str
    colour: Colour
    count: int


class NoOne(BasePermission):
    message = "no one may read this"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Branch:
    leaf: Leaf
    maybe_leaf: Leaf | None
    secret: str = strawberry.field(default="hidden", permission_classes=[NoOne])

    @strawberry.field
    def computed(self) -> str:
        return "computed"


@strawberry.type
class Query:
    @strawberry.field
    def branches(self) -> list[Branch]:
        return [
            Branch(leaf=Leaf(name="a", code="x", colour=Colour.RED, count=1), maybe_leaf=None),
            Branch(
                leaf=Leaf(name=None, code=None, colour=Colour.RED, count=2),  # type: ignore[arg-type]
                maybe_leaf=Leaf(name="c", code=None, colour=Colour.RED, count=3),  # type: ignore[arg-type]
            ),
            Branch(leaf=None, maybe_leaf=None),  # type: ignore[arg-type]
        ]


class CountingExecutor(PlainFieldExecutor):
    """Counts the resolve infos graphql-core's own way builds."""

    infos = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> GraphQLResolveInfo[Any]:
        CountingExecutor.infos += 1
        return super().build_resolve_info(*args, **kwargs)


def run(query: str, executor: type[Any] | None) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    result = asyncio.run(schema.execute(query))
    return {"data": result.data, "errors": [e.formatted for e in result.errors or ()]}


PLAIN = "{ branches { leaf { name code colour count } maybeLeaf { name code } } }"


def test_results_and_errors_are_graphql_cores() -> None:
    """Plain leaves and objects, nulls where allowed and where not (located errors that null
    the nearest nullable parent), each error once: the same as strawberry's own executor."""
    expected = run(PLAIN, None)
    assert expected["errors"], "the data breaks non-null fields: errors are compared too"
    assert run(PLAIN, PlainFieldExecutor) == expected


def test_plain_fields_need_no_resolve_info() -> None:
    """Of 4 leaves and an object per branch, only the list field makes graphql-core build a
    resolve info: Leaf's is_type_of check (Leaf implements an interface) is strawberry's own,
    which a selection's plan calls without one."""
    CountingExecutor.infos = 0
    run("{ branches { leaf { name count } } }", CountingExecutor)
    # `branches` only: the third branch's null `leaf` sends that branch graphql-core's way,
    # which refuses the null before any is_type_of check.
    assert CountingExecutor.infos == 1


def test_fields_with_resolvers_or_permissions_run_them() -> None:
    """A resolver method runs, and a permission class still refuses: neither is plain."""
    answer = run("{ branches { computed secret } }", PlainFieldExecutor)
    assert answer == run("{ branches { computed secret } }", None)
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == "no one may read this"


class FieldCountingExecutor(PlainFieldExecutor):
    """Counts the fields executed one by one (each plain leaf of a selection made only of
    them is read in the selection's loop instead)."""

    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        FieldCountingExecutor.fields += 1
        return super().execute_field(*args, **kwargs)


def test_a_selection_of_plain_leaves_is_read_in_one_loop() -> None:
    """`leaf { name count }` of three branches: `branches` is executed field by field, and
    each branch is completed by its selection's plan; the third, whose `leaf` is a null where
    none is allowed, goes graphql-core's way (its `leaf` executed to report the error)."""
    FieldCountingExecutor.fields = 0
    answer = run("{ branches { leaf { name count } } }", FieldCountingExecutor)
    assert answer == run("{ branches { leaf { name count } } }", None)
    assert FieldCountingExecutor.fields == 1 + 1


def test_typename_is_a_plain_leaf() -> None:
    """`__typename` (aliased or not) is answered in a selection's loop with the name of the
    type executed, as graphql-core's own resolver answers it: `{ __typename }` executes no
    field one by one."""
    FieldCountingExecutor.fields = 0
    query = "{ __typename kind: __typename }"
    answer = run(query, FieldCountingExecutor)
    assert answer == run(query, None)
    assert answer["data"] == {"__typename": "Query", "kind": "Query"}
    assert FieldCountingExecutor.fields == 0


def test_a_permission_on_a_leaf_alone_still_refuses() -> None:
    """strawberry marks the resolver of a field with permission classes as a default one:
    read as a plain attribute it would skip the permission. A selection of that leaf alone
    is refused as strawberry's own executor refuses it."""
    answer = run("{ branches { secret } }", PlainFieldExecutor)
    assert answer == run("{ branches { secret } }", None)
    assert answer["errors"][0]["message"] == "no one may read this"


@strawberry.type
class Row:
    label: str
    size: int | None


@strawberry.type
class RowQuery:
    @strawberry.field
    def rows(self) -> list[Row]:
        # Plain dicts: only the schema's own default resolver can read them.
        return [{"label": "a", "size": 1}, {"label": "b", "size": None}]  # type: ignore[list-item]


def test_a_schema_default_resolver_reads_plain_leaves() -> None:
    """With a default resolver other than getattr, plain leaves are read through it."""
    schema = strawberry.Schema(
        query=RowQuery,
        config=StrawberryConfig(default_resolver=lambda source, name: source[name]),
        execution_context_class=PlainFieldExecutor,
    )
    result = asyncio.run(schema.execute("{ rows { label size } }"))
    assert result.errors is None
    assert result.data == {"rows": [{"label": "a", "size": 1}, {"label": "b", "size": None}]}
