"""Which registerCustomer selections the write answers alone (``asks_only_the_id``): only a
payload whose every ``customer`` asks for its id and ``__typename`` and nothing else, looked
for through aliases, fragments and inline fragments; anything more is read from the directory."""

from __future__ import annotations

import pytest
import strawberry

from graphql_api.customers.mutations_answer import asks_only_the_id

seen: list[bool] = []


@strawberry.type
class Thing:
    id: strawberry.ID
    name: str


@strawberry.type
class Payload:
    customer: Thing | None
    position: str | None


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def register(self, info: strawberry.Info) -> Payload:
        seen.append(asks_only_the_id(info))
        return Payload(customer=Thing(id=strawberry.ID("1"), name="n"), position="1")


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)


@pytest.mark.parametrize(
    ("document", "only_id"),
    [
        ("mutation { register { customer { id } position } }", True),
        ("mutation { register { customer { id __typename } } }", True),
        ("mutation { register { position } }", True),
        ("mutation { register { customer { ident: id } } }", True),
        ("mutation { register { customer { ... on Thing { id } } } }", True),
        ("mutation { register { ...P } } fragment P on Payload { customer { id } }", True),
        ("mutation { register { customer { id name } } }", False),
        ("mutation { register { customer { id: name } } }", False),
        ("mutation { register { customer { id } other: customer { name } } }", False),
        ("mutation { register { customer { ... on Thing { name } } } }", False),
        ("mutation { register { customer { ...T } } } fragment T on Thing { id name }", False),
        ("mutation { register { ...P } } fragment P on Payload { customer { name } }", False),
    ],
)
def test_only_a_customer_asked_for_its_id_alone_is_answered_by_the_write(
    document: str, only_id: bool
) -> None:
    seen.clear()
    result = SCHEMA.execute_sync(document)
    assert result.errors is None
    assert seen == [only_id]
