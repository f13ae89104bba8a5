"""The static cost of an operation and its count of mutations, computed from the real schema
before anything runs: pages multiply, fragments and aliases count, declared costs weigh."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse

from graphql_api.limits import cost as cost_module
from graphql_api.limits.cost import cached_operation_cost, operation_cost
from graphql_api.limits.costs import AUDIT_COST, PASSWORD_CHECK_COST
from graphql_api.limits.document import operation_of
from graphql_api.limits.mutations import mutation_refusal
from graphql_api.node_interface import MAX_NODE_IDS
from graphql_api.pagination import MAX_PAGE_SIZE
from graphql_api.schema import build_schema

SCHEMA: GraphQLSchema = build_schema()._schema


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    operation = operation_of(document, None)
    assert isinstance(operation, OperationDefinitionNode)
    return operation_cost(SCHEMA, document, operation, variables)


def refusal(query: str, max_mutations: int = 1) -> str | None:
    document = parse(query)
    operation = operation_of(document, None)
    assert isinstance(operation, OperationDefinitionNode)
    return mutation_refusal(SCHEMA.mutation_type, document, operation, max_mutations)


def test_each_plain_field_costs_one() -> None:
    assert cost("{ slaPolicy { reopenWindowDays } }") == 2


def test_a_page_multiplies_its_selection_by_first() -> None:
    # customers 1, and 5 times (edges 1 + node 1 + id 1 + name 1)
    assert cost("{ customers(first: 5) { edges { node { id name } } } }") == 1 + 5 * 4


def test_a_page_without_first_counts_the_arguments_default() -> None:
    assert cost("{ customers { edges { node { id } } } }") == 1 + 20 * 3


def test_a_backward_page_multiplies_its_selection_by_last() -> None:
    assert cost("{ customers(last: 5) { edges { node { id name } } } }") == 1 + 5 * 4


def test_a_backward_page_of_a_variable_size_costs_its_value() -> None:
    query = "query($n: Int) { customers(last: $n) { edges { node { id } } } }"
    assert cost(query, {"n": 100}) == 1 + 100 * 3


def test_first_and_last_together_cost_the_larger_page() -> None:
    assert cost("{ customers(first: 2, last: 50) { edges { node { id } } } }") == 1 + 50 * 3


def test_a_page_inside_a_page_costs_the_product() -> None:
    inner = 1 + 100 * (1 + 1 + 1)  # tickets(first: 100) { edges { node { id } } }
    outer = 1 + 100 * (1 + 1 + inner)  # customers(first: 100) { edges { node { ... } } }
    query = (
        "{ customers(first: 100) { edges { node { tickets(first: 100) "
        "{ edges { node { id } } } } } } }"
    )
    assert cost(query) == outer


def test_a_variable_page_size_costs_its_value_or_its_default() -> None:
    query = "query($n: Int = 7) { customers(first: $n) { edges { node { id } } } }"
    assert cost(query, {"n": 3}) == 1 + 3 * 3
    assert cost(query, {}) == 1 + 7 * 3
    assert cost(query, {"n": "many"}) == 1 + MAX_PAGE_SIZE * 3


def test_a_page_larger_than_any_field_accepts_costs_the_largest_page() -> None:
    """Such a page is refused by its field (BAD_PAGE_SIZE) before anything is read."""
    assert cost("{ customers(first: 1000000) { edges { node { id } } } }") == 1 + 100 * 3


def test_expensive_fields_cost_what_they_declare() -> None:
    assert cost("{ verifyAuditTrail { intact } }") == AUDIT_COST + 1
    login = 'mutation { logIn(input: {email: "a@b.org", password: "x"}) { token } }'
    assert cost(login) == PASSWORD_CHECK_COST + 1


def test_aliases_count_each_time() -> None:
    aliases = " ".join(f"a{n}: verifyAuditTrail {{ intact }}" for n in range(333))
    assert cost(f"{{ {aliases} }}") == 333 * (AUDIT_COST + 1)


def test_named_and_inline_fragments_count_where_they_are_spread() -> None:
    query = """
    query { ...Twice ... on Query { c: verifyAuditTrail { intact } } }
    fragment Twice on Query { a: verifyAuditTrail { ...Ok } b: verifyAuditTrail { ...Ok } }
    fragment Ok on AuditVerification { intact }
    """
    assert cost(query) == 3 * (AUDIT_COST + 1)


def test_fragments_spread_inside_fragments_are_costed_once_each() -> None:
    """Forty fragments, each spreading the next twice, ask for 2**40 copies of the last one:
    the cost says so, without walking them one by one."""
    fragments = [
        f"fragment F{n} on Query {{ ...F{n + 1} ... on Query {{ ...F{n + 1} }} }}"
        for n in range(40)
    ]
    last = "fragment F40 on Query { slaPolicy { reopenWindowDays } }"
    started = time.monotonic()
    total = cost("{ ...F0 } " + " ".join(fragments) + " " + last)
    assert time.monotonic() - started < 1
    assert total == 2**40 * 2


def test_introspection_is_cheap() -> None:
    assert cost("{ __schema { types { name fields { name } } } }") < 10


def test_one_mutation_runs_alone_and_two_are_refused() -> None:
    enrol = 'enrolInLoyalty(input: {customerId: "%s"}) { userErrors { code } }'
    one = "mutation { a: " + enrol % "00000000-0000-0000-0000-000000000001" + " }"
    two = one[:-1] + " b: " + enrol % "00000000-0000-0000-0000-000000000002" + " }"
    assert refusal(one) is None
    assert refusal(two) is not None
    assert refusal(two, max_mutations=2) is None


@pytest.mark.parametrize(
    "second",
    ['logIn(input: {email: "b@c.org", password: "y"}) { token }', "reviewReferrals { position }"],
)
def test_a_sole_mutation_is_refused_beside_any_other_whatever_the_limit(second: str) -> None:
    query = 'mutation { a: logIn(input: {email: "a@b.org", password: "x"}) { token } b: %s }'
    message = refusal(query % second, max_mutations=10)
    assert message is not None and "logIn" in message


def test_mutations_in_fragments_count() -> None:
    query = """
    mutation { ...Two }
    fragment Two on Mutation {
      a: logIn(input: {email: "a@b.org", password: "x"}) { token }
      ... on Mutation { b: logIn(input: {email: "a@b.org", password: "x"}) { token } }
    }
    """
    assert refusal(query, max_mutations=10) is not None


def test_a_query_has_no_mutations_to_count() -> None:
    aliases = " ".join(f"a{n}: slaPolicy {{ reopenWindowDays }}" for n in range(5))
    assert refusal(f"{{ {aliases} }}") is None


def test_nodes_multiplies_its_selection_by_the_ids_it_is_given() -> None:
    """nodes(ids:) costs its selection once per id, so a batch cannot hide a large read."""
    ids = ["00000000-0000-0000-0000-000000000001"] * 3
    # nodes 1, and 3 times id 1
    assert cost("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}) == 1 + 3 * 1
    assert cost('{ nodes(ids: ["a", "b"]) { id } }') == 1 + 2 * 1


def test_nodes_with_more_ids_than_it_takes_costs_the_most_it_reads() -> None:
    """More ids than MAX_NODE_IDS are refused before reading: they cost as MAX_NODE_IDS."""
    ids = ["a"] * (MAX_NODE_IDS + 50)
    assert cost("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}) == (
        1 + MAX_NODE_IDS
    )


def test_an_operation_without_variables_is_costed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same parsed operation (as the parse cache hands every request of a document) is
    costed once; another parse of the same text is costed again, with the same result."""
    costed = _counted_costings(monkeypatch)
    document = parse("{ customers(first: 5) { edges { node { id name } } } }")
    operation = operation_of(document, None)
    assert isinstance(operation, OperationDefinitionNode)
    first = cached_operation_cost(SCHEMA, document, operation, None)
    again = cached_operation_cost(SCHEMA, document, operation, {"unused": 1})
    assert first == again == 1 + 5 * 4
    assert len(costed) == 1
    other = parse("{ customers(first: 5) { edges { node { id name } } } }")
    other_operation = operation_of(other, None)
    assert isinstance(other_operation, OperationDefinitionNode)
    assert cached_operation_cost(SCHEMA, other, other_operation, None) == first
    assert len(costed) == 2


def _counted_costings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    costed: list[int] = []
    real = cost_module._costed

    def counting(*args: Any) -> tuple[int, bool]:
        costed.append(1)
        return real(*args)

    monkeypatch.setattr(cost_module, "_costed", counting)
    return costed


def test_an_operation_whose_variables_size_nothing_is_costed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mutation's ``input`` (or any variable that is no page size nor ids) leaves the cost
    the document's: costed once, whatever each request sends."""
    costed = _counted_costings(monkeypatch)
    document = parse(
        "mutation($input: SubmitSurveyResponseInput!) {"
        " submitSurveyResponse(input: $input) { responseId userErrors { code } } }"
    )
    operation = operation_of(document, None)
    assert isinstance(operation, OperationDefinitionNode)
    first = cached_operation_cost(SCHEMA, document, operation, {"input": {"score": 9}})
    again = cached_operation_cost(SCHEMA, document, operation, {"input": {"score": 3}})
    assert first == again == operation_cost(SCHEMA, document, operation, None)
    assert len(costed) == 2  # the two calls above once, operation_cost's own once


def test_an_operation_with_variables_is_costed_with_each_request_s_values() -> None:
    document = parse("query($n: Int) { customers(first: $n) { edges { node { id } } } }")
    operation = operation_of(document, None)
    assert isinstance(operation, OperationDefinitionNode)
    assert cached_operation_cost(SCHEMA, document, operation, {"n": 5}) == 1 + 5 * 3
    assert cached_operation_cost(SCHEMA, document, operation, {"n": 50}) == 1 + 50 * 3
