"""Profile mutations over HTTP: given a registered customer, when a client changes their
profile, then the payload and the log say what happened; refusals are typed user errors with
the offending field and write nothing; a customer may act on their own account only."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from domain.customer.model import Customer
from domain.shared.metadata import Role
from tests.api.helpers import error_codes, unique_email
from tests.api.helpers import registered as register_with
from tests.api.steps import errors_of, events_of, mutate, mutate_response, read_customer
from tests.support.server import LiveApi, module_api


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def registered(api: LiveApi, name: str = "Ada Lovelace", email: str | None = None) -> str:
    """Register a customer that must be accepted, under a unique email; return its id."""
    return register_with(api, name=name, email=email or unique_email())


def test_change_contact_details_renames_and_keeps_the_phone_left_out(api: LiveApi) -> None:
    customer_id = registered(api)
    mutate(api, "changeContactDetails", {"customerId": customer_id, "phone": "+44 20 7946 0000"})
    payload = mutate(api, "changeContactDetails", {"customerId": customer_id, "name": "Ada King"})
    assert payload["userErrors"] == []
    assert payload["customer"]["name"] == "Ada King"
    assert payload["customer"]["phone"] == "+44 20 7946 0000"
    assert payload["customer"]["version"] == 3
    assert int(payload["position"]) == api.ledger.head_position()
    renamed = events_of(api, customer_id)[-1]
    assert isinstance(renamed, Customer.NameChanged)
    assert renamed.name.value == "Ada King"
    assert renamed.metadata.actor_id == "agent-1"


def test_change_contact_details_with_phone_null_removes_the_phone(api: LiveApi) -> None:
    customer_id = registered(api)
    mutate(api, "changeContactDetails", {"customerId": customer_id, "phone": "+44 20 7946 0000"})
    payload = mutate(api, "changeContactDetails", {"customerId": customer_id, "phone": None})
    assert payload["customer"]["phone"] is None
    assert payload["customer"]["name"] == "Ada Lovelace"
    removed = events_of(api, customer_id)[-1]
    assert isinstance(removed, Customer.PhoneChanged)
    assert removed.phone is None


@pytest.mark.parametrize("name", ["x" * 201, "x" * 200_000, "   ", None])
def test_oversized_empty_or_null_name_is_refused_on_the_name_field_and_writes_nothing(
    api: LiveApi, name: str | None
) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    payload = mutate(api, "changeContactDetails", {"customerId": customer_id, "name": name})
    assert payload["customer"] is None
    assert payload["position"] is None
    assert errors_of(payload) == [("INVALID_INPUT", ["input", "name"])]
    assert api.ledger.head_position() == head


def test_stale_expected_version_is_a_concurrency_conflict_with_the_current_version(
    api: LiveApi,
) -> None:
    customer_id = registered(api)
    mutate(api, "changeContactDetails", {"customerId": customer_id, "name": "Ada King"})
    head = api.quiet_head()
    payload = mutate(
        api,
        "changeContactDetails",
        {"customerId": customer_id, "name": "Ada Byron", "expectedVersion": 1},
    )
    [error] = payload["userErrors"]
    assert error["code"] == "CONCURRENCY_CONFLICT"
    assert error["field"] == ["input", "expectedVersion"]
    assert error["currentVersion"] == 2
    assert api.ledger.head_position() == head


def test_matching_expected_version_is_accepted(api: LiveApi) -> None:
    customer_id = registered(api)
    payload = mutate(
        api,
        "changeContactDetails",
        {"customerId": customer_id, "name": "Ada King", "expectedVersion": 1},
    )
    assert payload["userErrors"] == []
    assert payload["customer"]["version"] == 2


def test_unknown_customer_is_refused_on_the_customer_id_field(api: LiveApi) -> None:
    head = api.quiet_head()
    payload = mutate(api, "changeEmail", {"customerId": str(uuid4()), "email": "x@example.org"})
    assert errors_of(payload) == [("CUSTOMER_NOT_FOUND", ["input", "customerId"])]
    assert api.ledger.head_position() == head


def test_change_email_moves_the_customer_to_the_new_email(api: LiveApi) -> None:
    token = uuid4().hex
    old_email = f"ada-{token}@example.org"
    customer_id = registered(api, email=old_email)
    payload = mutate(
        api, "changeEmail", {"customerId": customer_id, "email": f" Ada.King-{token}@Example.org "}
    )
    assert payload["userErrors"] == []
    assert payload["customer"]["email"] == f"ada.king-{token}@example.org"
    assert isinstance(events_of(api, customer_id)[-1], Customer.EmailChanged)
    # The old email is free again: someone else may register with it.
    assert registered(api, name="Someone Else", email=old_email)


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "a" * 300 + "@example.org"])
def test_change_to_an_invalid_email_is_refused_on_the_email_field(api: LiveApi, email: str) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    payload = mutate(api, "changeEmail", {"customerId": customer_id, "email": email})
    assert errors_of(payload) == [("INVALID_INPUT", ["input", "email"])]
    assert api.ledger.head_position() == head


def test_change_to_an_email_another_customer_holds_is_refused(api: LiveApi) -> None:
    customer_id = registered(api)
    token = uuid4().hex
    registered(api, name="Grace Hopper", email=f"grace-{token}@example.org")
    head = api.quiet_head()
    payload = mutate(
        api, "changeEmail", {"customerId": customer_id, "email": f"GRACE-{token}@example.org"}
    )
    assert errors_of(payload) == [("EMAIL_ALREADY_REGISTERED", ["input", "email"])]
    assert api.ledger.head_position() == head


ADDRESS = {"line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH"}


def test_change_address_sets_it_and_null_removes_it(api: LiveApi) -> None:
    customer_id = registered(api)
    selection = "customer { address { line1 line2 city postalCode country } } userErrors { code }"
    payload = mutate(
        api,
        "changeAddress",
        {"customerId": customer_id, "address": {**ADDRESS, "country": "gb"}},
        selection=selection,
    )
    assert payload["customer"]["address"] == {**ADDRESS, "line2": None, "country": "GB"}
    assert isinstance(events_of(api, customer_id)[-1], Customer.AddressChanged)
    payload = mutate(
        api, "changeAddress", {"customerId": customer_id, "address": None}, selection=selection
    )
    assert payload["customer"]["address"] is None


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({**ADDRESS, "country": "Britain"}, "country"),
        ({**ADDRESS, "country": "GB", "line1": " "}, "line1"),
        ({**ADDRESS, "country": "GB", "city": "x" * 5000}, "city"),
    ],
)
def test_invalid_address_part_is_refused_with_its_path(
    api: LiveApi, address: dict[str, str], field: str
) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    payload = mutate(api, "changeAddress", {"customerId": customer_id, "address": address})
    assert errors_of(payload) == [("INVALID_INPUT", ["input", "address", field])]
    assert api.ledger.head_position() == head


def test_change_address_without_an_address_is_refused(api: LiveApi) -> None:
    customer_id = registered(api)
    payload = mutate(api, "changeAddress", {"customerId": customer_id})
    assert errors_of(payload) == [("INVALID_INPUT", ["input", "address"])]


def test_change_demographics_sets_language_and_birth_year_and_keeps_the_region(
    api: LiveApi,
) -> None:
    customer_id = registered(api)
    mutate(api, "changeDemographics", {"customerId": customer_id, "region": "UK"})
    payload = mutate(
        api,
        "changeDemographics",
        {"customerId": customer_id, "language": "pt-BR", "birthYear": 1990},
    )
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert (customer["region"], customer["language"], customer["birthYear"]) == (
        "UK",
        "pt-BR",
        1990,
    )
    kinds = [type(e) for e in events_of(api, customer_id)[-2:]]
    assert kinds == [Customer.LanguageChanged, Customer.BirthYearChanged]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birthYear": 1850}, "birthYear"),
        ({"birthYear": 2100}, "birthYear"),
        ({"language": "English please"}, "language"),
        ({"region": "!" * 10_000}, "region"),
    ],
)
def test_impossible_demographics_are_refused_on_their_field(
    api: LiveApi, change: dict[str, object], field: str
) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    payload = mutate(api, "changeDemographics", {"customerId": customer_id, **change})
    assert errors_of(payload) == [("INVALID_INPUT", ["input", field])]
    assert api.ledger.head_position() == head


def test_set_contact_preferences_opts_in_and_out_per_channel(api: LiveApi) -> None:
    customer_id = registered(api)
    payload = mutate(
        api, "setContactPreferences", {"customerId": customer_id, "email": True, "sms": False}
    )
    assert payload["userErrors"] == []
    kinds = {type(e) for e in events_of(api, customer_id)[1:]}
    assert kinds == {Customer.ContactChannelOptedIn, Customer.ContactChannelOptedOut}


def test_give_and_withdraw_consent_are_recorded(api: LiveApi) -> None:
    customer_id = registered(api)
    given = mutate(api, "giveConsent", {"customerId": customer_id, "purpose": "MARKETING"})
    withdrawn = mutate(api, "withdrawConsent", {"customerId": customer_id, "purpose": "MARKETING"})
    assert given["userErrors"] == withdrawn["userErrors"] == []
    kinds = [type(e) for e in events_of(api, customer_id)[1:]]
    assert kinds == [Customer.ConsentGiven, Customer.ConsentWithdrawn]


def test_withdrawing_a_consent_never_given_shows_as_refused_in_the_360_and_both_histories(
    api: LiveApi,
) -> None:
    customer_id = registered(api)
    refused = mutate(api, "withdrawConsent", {"customerId": customer_id, "purpose": "RESEARCH"})
    assert refused["userErrors"] == []
    assert [type(e) for e in events_of(api, customer_id)[1:]] == [Customer.ConsentRefused]
    shown = read_customer(
        api,
        customer_id,
        "consents { purpose given decision } consentHistory { purpose given decision actorRole }",
    )
    assert shown["consents"] == [{"purpose": "RESEARCH", "given": False, "decision": "REFUSED"}]
    entry = {"purpose": "RESEARCH", "given": False, "decision": "REFUSED", "actorRole": "agent"}
    assert shown["consentHistory"] == [entry]
    report = api.graphql(
        "query H($id: UUID!) { consentHistory(customerId: $id) { purpose given decision } }",
        {"id": customer_id},
        role=Role.PRIVACY_OFFICER,
    ).json()
    assert report["data"]["consentHistory"] == [
        {"purpose": "RESEARCH", "given": False, "decision": "REFUSED"}
    ]


def test_unknown_consent_purpose_is_refused_before_anything_runs(api: LiveApi) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    response = api.graphql(
        "mutation($input: GiveConsentInput!) { giveConsent(input: $input) { position } }",
        {"input": {"customerId": customer_id, "purpose": "EVERYTHING"}},
        role=Role.AGENT,
    )
    assert response.status_code == 400
    assert api.ledger.head_position() == head


def test_complete_onboarding_step_is_recorded_once(api: LiveApi) -> None:
    customer_id = registered(api)
    mutate(api, "completeOnboardingStep", {"customerId": customer_id, "step": "app_installed"})
    head = api.quiet_head()
    again = mutate(
        api, "completeOnboardingStep", {"customerId": customer_id, "step": "app_installed"}
    )
    assert again["userErrors"] == []
    assert api.ledger.head_position() == head
    assert isinstance(events_of(api, customer_id)[-1], Customer.OnboardingStepCompleted)


def test_onboarding_step_that_is_not_a_snake_case_name_is_refused(api: LiveApi) -> None:
    customer_id = registered(api)
    payload = mutate(
        api, "completeOnboardingStep", {"customerId": customer_id, "step": "Drop Table" * 100}
    )
    assert errors_of(payload) == [("INVALID_INPUT", ["input", "step"])]


def test_customer_changes_their_own_profile_as_themself(api: LiveApi) -> None:
    customer_id = registered(api)
    payload = mutate(
        api,
        "changeContactDetails",
        {"customerId": customer_id, "name": "Ada King"},
        role=Role.CUSTOMER,
        subject=customer_id,
    )
    assert payload["customer"]["name"] == "Ada King"
    event = events_of(api, customer_id)[-1]
    assert (event.metadata.actor_id, event.metadata.actor_role) == (customer_id, Role.CUSTOMER)


@pytest.mark.parametrize(
    ("mutation", "change"),
    [
        ("changeContactDetails", {"name": "Mallory"}),
        ("changeEmail", {"email": "mallory@example.org"}),
        ("changeAddress", {"address": None}),
        ("changeDemographics", {"birthYear": 1990}),
        ("setContactPreferences", {"sms": True}),
        ("giveConsent", {"purpose": "RESEARCH"}),
        ("withdrawConsent", {"purpose": "RESEARCH"}),
        ("completeOnboardingStep", {"step": "app_installed"}),
    ],
)
def test_customer_acting_on_another_customers_account_is_forbidden_and_writes_nothing(
    api: LiveApi, mutation: str, change: dict[str, object]
) -> None:
    victim = registered(api)
    mallory = registered(api, name="Mallory", email=unique_email("mallory", "elsewhere.org"))
    head = api.quiet_head()
    body = mutate_response(
        api, mutation, {"customerId": victim, **change}, role=Role.CUSTOMER, subject=mallory
    )
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert api.ledger.head_position() == head


@pytest.mark.parametrize("role", [None, Role.ANALYST, Role.AUDITOR, Role.PRIVACY_OFFICER], ids=str)
def test_roles_other_than_staff_may_not_change_a_profile(api: LiveApi, role: Role | None) -> None:
    customer_id = registered(api)
    head = api.quiet_head()
    body = mutate_response(
        api, "changeContactDetails", {"customerId": customer_id, "name": "X"}, role, "someone"
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert api.ledger.head_position() == head


def test_register_with_a_weak_password_is_refused_on_the_password_field(api: LiveApi) -> None:
    payload = mutate(
        api,
        "registerCustomer",
        {"name": "Ada Lovelace", "email": unique_email(), "password": "password"},
        role=None,
    )
    assert [e["code"] for e in payload["userErrors"]] == ["WEAK_PASSWORD"]
    assert payload["userErrors"][0]["field"] == ["input", "password"]


def test_register_with_a_password_records_it(api: LiveApi) -> None:
    customer_id = str(uuid4())
    fields = {"name": "Ada Lovelace", "email": unique_email(), "password": "correct horse 42!"}
    payload = mutate(api, "registerCustomer", {**fields, "customerId": customer_id}, role=None)
    assert payload["userErrors"] == []
    kinds = [type(e) for e in events_of(api, customer_id)]
    assert kinds == [Customer.Registered, Customer.PasswordSet]


def test_analyst_reads_address_and_email_as_null(api: LiveApi) -> None:
    customer_id = registered(api)
    mutate(
        api, "changeAddress", {"customerId": customer_id, "address": {**ADDRESS, "country": "GB"}}
    )
    customer = read_customer(api, customer_id, "email address { city } language", role=Role.ANALYST)
    assert customer == {"email": None, "address": None, "language": None}
