"""Referral codes, invitations and conversions over HTTP: a customer gets a code and invites
friends (limits and refused domains are typed user errors that write nothing); friends
convert by registering with the code or by applying it later; a self-referral by an email
variant is refused before anyone is registered."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from domain.shared.metadata import EventMetadata, Role
from tests.api.referral_steps import (
    AGENT,
    apply,
    change_terms,
    code_of,
    customer,
    invite,
    issue,
    query,
    register_with,
    unique,
)
from tests.api.steps import errors_of
from tests.support.server import LiveApi, module_api

CODE = [("INVALID_REFERRAL_CODE", ["input", "referralCode"])]
INVITATIONS = """
query I($c: UUID!, $p: String) {
  invitationsOf(customerId: $c, first: 10, atLeast: $p) {
    edges { node { email converted } } pageInfo { hasNextPage }
  }
}
"""
REFERRED_BY = "query C($id: UUID!) { customer(id: $id) { referrals { referredBy { stage } } } }"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def test_a_customer_gets_one_short_code_until_they_revoke_it(api: LiveApi) -> None:
    ada = customer(api)
    first = issue(api, ada)
    assert first["userErrors"] == [] and len(first["referrer"]["code"]) == 10
    assert code_of(api, ada) == first["referrer"]["code"]
    revoked = api.graphql(
        "mutation R($i: RevokeReferralCodeInput!) { revokeReferralCode(input: $i) "
        "{ referrer { revoked } userErrors { code } } }",
        {"i": {"customerId": ada}},
        role=Role.CUSTOMER,
        subject=ada,
    ).json()["data"]["revokeReferralCode"]
    assert revoked == {"referrer": {"revoked": True}, "userErrors": []}
    assert code_of(api, ada) != first["referrer"]["code"]


def test_an_invitation_shows_its_email_to_the_referrer(api: LiveApi) -> None:
    ada = customer(api)
    code_of(api, ada)
    friend = unique()
    sent = invite(api, ada, friend.upper())
    assert sent["userErrors"] == []
    assert (sent["invitation"]["email"], sent["invitation"]["converted"]) == (friend, False)
    mine = query(api, INVITATIONS, Role.CUSTOMER, ada, c=ada, p=sent["position"])
    assert [e["node"]["email"] for e in mine["invitationsOf"]["edges"]] == [friend]


def test_invitations_beyond_the_daily_limit_are_refused_and_write_nothing(api: LiveApi) -> None:
    assert change_terms(api, invitationsPerDay=2)["userErrors"] == []
    ada = customer(api)
    code_of(api, ada)
    assert invite(api, ada, unique())["userErrors"] == []
    assert errors_of(invite(api, ada, unique())) == []
    head = api.quiet_head()
    third = invite(api, ada, unique())
    assert errors_of(third) == [("INVITATION_LIMIT", ["input", "email"])]
    assert third["invitation"] is None and api.ledger.head_position() == head
    assert change_terms(api, invitationsPerDay=10)["userErrors"] == []


def test_inviting_a_disposable_address_is_refused_and_writes_nothing(api: LiveApi) -> None:
    throwaway = f"throwaway{uuid4().hex[:8]}.example"
    assert change_terms(api, disposableDomains=[throwaway])["userErrors"] == []
    ada = customer(api)
    code_of(api, ada)
    head = api.quiet_head()
    refused = invite(api, ada, unique(domain=throwaway.upper()))
    assert errors_of(refused) == [("DISPOSABLE_EMAIL", ["input", "email"])]
    assert api.ledger.head_position() == head


def test_a_friend_registers_with_the_code_by_themself_and_is_referred(api: LiveApi) -> None:
    ada = customer(api)
    code = code_of(api, ada)
    friend = unique()
    assert invite(api, ada, friend)["userErrors"] == []
    typed = f"{code[:5].lower()}-{code[5:]}"
    friend_id = str(uuid4())  # someone registering themself is not answered with the customer
    payload = register_with(api, friend, typed, role=None, customerId=friend_id)
    assert payload["userErrors"] == [] and payload["customer"] is None
    written = str(api.ledger.head_position())  # nor with a position: wait for the log's head
    mine = query(api, INVITATIONS, Role.CUSTOMER, ada, c=ada, p=written)
    assert mine["invitationsOf"]["edges"][0]["node"] == {"email": friend, "converted": True}
    as_friend = query(api, REFERRED_BY, Role.CUSTOMER, friend_id, id=friend_id)
    assert as_friend["customer"]["referrals"]["referredBy"] == {"stage": "REGISTERED"}


def test_a_registration_retried_with_its_id_and_code_answers_the_same(api: LiveApi) -> None:
    code = code_of(api, customer(api))
    friend, customer_id = unique(), str(uuid4())
    first = register_with(api, friend, code, customerId=customer_id)
    again = register_with(api, friend, code, customerId=customer_id)
    assert first["userErrors"] == again["userErrors"] == []
    assert again["customer"]["id"] == customer_id


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "not a code", ""])
def test_registering_with_an_unusable_code_registers_nobody(api: LiveApi, code: str) -> None:
    head = api.quiet_head()
    refused = register_with(api, unique(), code)
    assert errors_of(refused) == CODE and refused["customer"] is None
    assert api.ledger.head_position() == head


def test_registering_with_a_revoked_code_registers_nobody(api: LiveApi) -> None:
    ada = customer(api)
    code = code_of(api, ada)
    api.ledger.revoke_referral_code(UUID(ada), EventMetadata.system())
    head = api.quiet_head()
    assert errors_of(register_with(api, unique(), code)) == CODE
    assert api.ledger.head_position() == head


def test_a_self_referral_by_an_email_variant_registers_nobody(api: LiveApi) -> None:
    local = f"adalovelace{uuid4().hex[:6]}"
    code = code_of(api, customer(api, f"{local}@example.org"))
    variant = f"Ada.Love.Lace{local[11:]}+again@example.org"
    head = api.quiet_head()
    refused = register_with(api, variant, code, role=None)
    assert errors_of(refused) == [("SELF_REFERRAL", ["input", "referralCode"])]
    assert refused["customer"] is None and api.ledger.head_position() == head


def test_registering_from_a_disposable_domain_with_a_code_registers_nobody(api: LiveApi) -> None:
    throwaway = f"burner{uuid4().hex[:8]}.example"
    assert change_terms(api, disposableDomains=[throwaway])["userErrors"] == []
    code = code_of(api, customer(api))
    head = api.quiet_head()
    refused = register_with(api, unique(domain=throwaway), code)
    assert errors_of(refused) == [("DISPOSABLE_EMAIL", ["input", "referralCode"])]
    assert api.ledger.head_position() == head


def test_a_registered_customer_applies_a_code_once(api: LiveApi) -> None:
    ada = customer(api)
    bo = customer(api, unique())
    applied = apply(api, bo, code_of(api, ada))
    assert applied["userErrors"] == []
    referral = applied["referral"]
    # The friend sees their referral, not who referred them.
    assert (referral["stage"], referral["friendId"], referral["referrerId"]) == (
        "REGISTERED",
        bo,
        None,
    )
    other = code_of(api, customer(api))
    head = api.quiet_head()
    again = apply(api, bo, other)
    assert errors_of(again) == [("ALREADY_REFERRED", ["input", "code"])]
    assert api.ledger.head_position() == head


def test_a_customer_may_not_apply_a_code_for_someone_else(api: LiveApi) -> None:
    ada, bo = customer(api), customer(api, unique())
    response = api.graphql(
        "mutation A($i: ApplyReferralCodeInput!) { applyReferralCode(input: $i) { position } }",
        {"i": {"customerId": bo, "code": code_of(api, ada)}},
        role=Role.CUSTOMER,
        subject=ada,
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_an_agent_sees_who_referred_whom_and_an_analyst_only_counts(api: LiveApi) -> None:
    ada = customer(api)
    code = code_of(api, ada)
    friend = register_with(api, unique(), code)
    referrer = (
        "query R($c: UUID!, $p: String) { referrer(customerId: $c, atLeast: $p) "
        "{ code conversions } }"
    )
    seen = query(api, referrer, c=ada, p=friend["position"])["referrer"]
    assert seen == {"code": code, "conversions": 1}
    counted = query(api, referrer, Role.ANALYST, "analyst-1", c=ada, p=friend["position"])
    assert counted["referrer"] == {"code": None, "conversions": 1}
    refused = api.graphql(INVITATIONS, {"c": ada}, role=Role.ANALYST, subject=AGENT).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


TERMS = (
    "{ referralProgramTerms { referrerPoints friendPoints qualifyingAmount currency "
    "invitationsPerDay invitationsTotal codeLifetimeDays velocityConversions velocityHours } }"
)


def test_changing_some_terms_keeps_the_others(api: LiveApi) -> None:
    before = query(api, TERMS, Role.CUSTOMER, str(uuid4()))["referralProgramTerms"]
    changed = change_terms(api, qualifyingAmount="35.5", velocityHours=12, friendPoints=None)
    assert changed["userErrors"] == []
    after = query(api, TERMS, Role.CUSTOMER, str(uuid4()))["referralProgramTerms"]
    assert after == {**before, "qualifyingAmount": "35.50", "velocityHours": 12}


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"invitationsTotal": 0}, "invitationsTotal"),
        ({"qualifyingAmount": "1.234"}, "qualifyingAmount"),
        ({"currency": "XXX"}, "currency"),
        ({"disposableDomains": ["not a domain"]}, "disposableDomains"),
    ],
)
def test_terms_out_of_bounds_are_refused_and_write_nothing(
    api: LiveApi, terms: dict[str, object], field: str
) -> None:
    head = api.quiet_head()
    refused = change_terms(api, **terms)
    assert errors_of(refused) == [("INVALID_INPUT", ["input", field])]
    assert refused["terms"] is None and api.ledger.head_position() == head


def test_an_invalid_email_with_a_code_is_the_registration_s_own_refusal(api: LiveApi) -> None:
    code = code_of(api, customer(api))
    head = api.quiet_head()
    refused = register_with(api, "not an email", code)
    assert errors_of(refused) == [("INVALID_INPUT", ["input", "email"])]
    assert api.ledger.head_position() == head


INVITATIONS_BACKWARD = """
query I($c: UUID!, $p: String, $b: String) {
  invitationsOf(customerId: $c, last: 2, before: $b, atLeast: $p) {
    edges { node { email } } pageInfo { hasPreviousPage hasNextPage startCursor }
  }
}
"""


def test_invitations_page_backward_from_the_oldest_toward_the_newest(api: LiveApi) -> None:
    """The list is newest first, so the page before a cursor holds newer invitations."""
    ada = customer(api)
    code_of(api, ada)
    friends, position = [unique() for _ in range(3)], None
    for friend in friends:
        sent = invite(api, ada, friend)
        assert sent["userErrors"] == []
        position = sent["position"]
    oldest = query(api, INVITATIONS_BACKWARD, Role.CUSTOMER, ada, c=ada, p=position, b=None)
    page = oldest["invitationsOf"]
    assert [e["node"]["email"] for e in page["edges"]] == [friends[1], friends[0]]
    assert (page["pageInfo"]["hasPreviousPage"], page["pageInfo"]["hasNextPage"]) == (True, False)
    cursor = page["pageInfo"]["startCursor"]
    newest = query(api, INVITATIONS_BACKWARD, Role.CUSTOMER, ada, c=ada, p=None, b=cursor)
    page = newest["invitationsOf"]
    assert [e["node"]["email"] for e in page["edges"]] == [friends[2]]
    assert (page["pageInfo"]["hasPreviousPage"], page["pageInfo"]["hasNextPage"]) == (False, True)
