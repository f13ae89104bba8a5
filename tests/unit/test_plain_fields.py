"""PlainFieldExecutor answers plain fields itself, with graphql-core's results and errors."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.permission import BasePermission

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
    """Of 4 leaves and an object per branch, only the list field and Leaf's is_type_of check
    (Leaf implements an interface) make graphql-core build a resolve info."""
    CountingExecutor.infos = 0
    run("{ branches { leaf { name count } } }", CountingExecutor)
    # `branches`, then `leaf` of the two branches that have one (the third's null is refused
    # before any is_type_of check).
    assert CountingExecutor.infos == 1 + 2


def test_fields_with_resolvers_or_permissions_run_them() -> None:
    """A resolver method runs, and a permission class still refuses: neither is plain."""
    answer = run("{ branches { computed secret } }", PlainFieldExecutor)
    assert answer == run("{ branches { computed secret } }", None)
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == "no one may read this"
