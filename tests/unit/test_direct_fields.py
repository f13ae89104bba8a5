"""A field declared direct (``plain_fields.DIRECT``) answers as strawberry's resolver does:
the same data and the same refusals for every role (a customer admitted to their own id only,
``own``), strawberry's own resolver for any argument it would convert (an enum, an input
object), and no direct resolver at all for a field with another kind of permission or
extension, or an ``own`` that reads into an input object."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.permissions import READERS, STAFF, Allowed, allowed
from graphql_api.plain_fields import DIRECT, PlainFieldExecutor, direct_resolver


@dataclass
class Context:
    principal: Principal


@strawberry.enum
class Kind(enum.Enum):
    A = "a"


@strawberry.input
class Shape:
    size: int


CALLS = {"strawberry": 0}


async def answer(
    context: Context,
    first: int | None = None,
    after: str | None = None,
    kind: Kind | None = None,
    shape: Shape | None = None,
    flag: bool | None = None,
) -> str:
    shown = None if shape is None else shape.size
    return f"{context.principal.role.value} {first} {after} {kind} {shown} {flag}"


async def owned(context: Context, id: UUID, note: str | None = None) -> str:  # noqa: A002
    return f"{context.principal.role.value} {type(id).__name__} {id} {note}"


@strawberry.type
class Query:
    @strawberry.field(extensions=allowed(READERS), metadata={DIRECT: answer})
    async def listing(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        kind: Kind | None = None,
        shape: Shape | None = None,
        flag: bool | None = None,
    ) -> str:
        CALLS["strawberry"] += 1
        return await answer(info.context, first, after, kind, shape, flag)

    @strawberry.field(extensions=allowed(STAFF, own="id"), metadata={DIRECT: owned})
    async def own(self, info: strawberry.Info, id: UUID, note: str | None = None) -> str:  # noqa: A002
        CALLS["strawberry"] += 1
        return await owned(info.context, id, note)

    @strawberry.field(extensions=allowed(STAFF, own="shape.size"), metadata={DIRECT: answer})
    async def own_inside(self, shape: Shape) -> str:
        return "x"

    @strawberry.field(extensions=[FieldExtension()], metadata={DIRECT: answer})
    async def extended(self, first: int | None = None) -> str:
        return "x"

    @strawberry.field(
        extensions=[PermissionExtension([Allowed(READERS)], fail_silently=True)],
        metadata={DIRECT: answer},
    )
    async def silent(self, first: int | None = None) -> str | None:
        return "x"

    @strawberry.field(metadata={DIRECT: answer})
    async def required(self, first: int, shape: Shape) -> str:
        return "x"


CUSTOMER = "00000000-0000-4000-8000-000000000001"
PRINCIPALS = [
    Principal(actor_id="agent", role=Role.AGENT),
    Principal(actor_id="analyst", role=Role.ANALYST),
    Principal(actor_id=CUSTOMER, role=Role.CUSTOMER),
    Principal.anonymous(),
]
DOCUMENTS = [
    ("{ listing }", True),
    ('{ listing(first: 2, after: "x", flag: true) }', True),
    ("query($f: Int) { listing(first: $f, kind: null, shape: null) }", True),
    ("{ listing(kind: A) }", False),
    ("{ listing(first: 1, shape: { size: 3 }) }", False),
]


def run(executor: Any, document: str, principal: Principal) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    result = asyncio.run(
        schema.execute(document, variable_values={"f": 4}, context_value=Context(principal))
    )
    return {"data": result.data, "errors": [e.formatted for e in result.errors or ()]}


@pytest.mark.parametrize("principal", PRINCIPALS, ids=lambda p: p.role.value)
@pytest.mark.parametrize(("document", "direct"), DOCUMENTS)
def test_a_direct_field_answers_and_refuses_as_strawberrys_resolver(
    document: str, direct: bool, principal: Principal
) -> None:
    expected = run(None, document, principal)
    CALLS["strawberry"] = 0
    answered = run(PlainFieldExecutor, document, principal)
    assert answered == expected
    allowed_role = principal.role in READERS
    assert CALLS["strawberry"] == (0 if direct or not allowed_role else 1)
    if allowed_role:
        assert answered["errors"] == []
    else:
        assert answered["data"] is None
        assert [e["extensions"]["code"] for e in answered["errors"]] == ["FORBIDDEN"]


def test_only_plain_arguments_and_role_permissions_get_a_direct_resolver() -> None:
    fields = strawberry.Schema(query=Query)._schema.query_type.fields  # type: ignore[union-attr]
    assert direct_resolver(fields["listing"]) is not None
    assert direct_resolver(fields["own"]) is not None  # ``own`` names a top-level argument
    for name in ("ownInside", "extended", "silent", "required"):
        assert direct_resolver(fields[name]) is None, name


OTHER = "00000000-0000-4000-8000-000000000002"
OWN_DOCUMENTS = [
    f'{{ own(id: "{CUSTOMER}") }}',
    f'{{ own(id: "{OTHER}", note: "n") }}',
    "query($id: UUID!) { own(id: $id) }",
]


@pytest.mark.parametrize("principal", PRINCIPALS, ids=lambda p: p.role.value)
@pytest.mark.parametrize("document", OWN_DOCUMENTS)
def test_a_direct_field_with_own_admits_the_customer_it_names_as_strawberry_does(
    document: str, principal: Principal
) -> None:
    """Staff always; a customer only for their own id (given inline or as a variable, a UUID
    either way); everyone else refused alike."""
    variables = {"id": CUSTOMER}
    schema = strawberry.Schema(query=Query)
    expected = asyncio.run(
        schema.execute(document, variable_values=variables, context_value=Context(principal))
    )
    CALLS["strawberry"] = 0
    direct = strawberry.Schema(query=Query, execution_context_class=PlainFieldExecutor)
    answered = asyncio.run(
        direct.execute(document, variable_values=variables, context_value=Context(principal))
    )
    assert answered.data == expected.data
    assert [e.formatted for e in answered.errors or ()] == [
        e.formatted for e in expected.errors or ()
    ]
    assert CALLS["strawberry"] == 0  # answered directly, admitted or not
    own_id = OTHER not in document
    if principal.role in STAFF or (principal.role is Role.CUSTOMER and own_id):
        assert answered.data is not None, answered.errors
        shown: str = answered.data["own"]
        assert f"UUID {OTHER if not own_id else CUSTOMER}" in shown
    else:
        assert answered.data is None
        assert [(e.extensions or {})["code"] for e in answered.errors or ()] == ["FORBIDDEN"]
