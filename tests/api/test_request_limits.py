"""What one request may cost, over HTTP: a static cost reported with every answer and refused
past the limit before anything runs; one mutation per request (logIn and the other sole
mutations alone whatever the setting); audit verification bounded per call; few slots for
expensive work, so that a cheap query is served while they are taken."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import EventMetadata, Role
from graphql_api.context import ApiLimits
from graphql_api.limits.config import RequestLimits
from graphql_api.limits.costs import AUDIT_COST
from infrastructure.passwords import Argon2Passwords
from tests.api.helpers import assert_no_internals, error_codes, registered, unique_email
from tests.support.ledgers import postgres_ledger
from tests.support.postgres import fresh_database
from tests.support.server import LiveApi, live_api, module_api

VERIFY = "{ verifyAuditTrail { intact } }"
CHEAP = "{ customers(first: 1) { edges { node { id } } } }"
ENROL = '%s: enrolInLoyalty(input: {customerId: "%s"}) { userErrors { code } }'
LOG_IN = '%s: logIn(input: {email: "%s", password: "not the password"}) { token }'


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


@pytest.fixture(scope="module")
def special(pg_admin: str) -> Iterator[LiveApi]:
    """Two mutations per request, five positions per audit call, one second's wait for a slot."""
    limits = RequestLimits(max_mutations_per_request=2, max_audit_range=5, busy_wait_seconds=1)
    with module_api(pg_admin, ApiLimits(requests=limits)) as running:
        yield running


def refused_before_running(response: httpx.Response, code: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    assert_no_internals(response)
    body: dict[str, Any] = response.json()
    assert "data" not in body and error_codes(body) == [code]
    return body


def test_every_answer_reports_its_cost_and_the_limit(api: LiveApi) -> None:
    response = api.graphql(
        "{ customers(first: 5) { edges { node { id name } } } }", role=Role.AGENT
    )
    assert response.status_code == 200
    assert response.json()["extensions"] == {"cost": {"requested": 21, "limit": 10_000}}


def test_333_aliases_of_verify_audit_trail_are_refused_before_any_runs(api: LiveApi) -> None:
    aliases = " ".join(f"a{n}:verifyAuditTrail{{intact}}" for n in range(333))
    started = time.monotonic()
    response = api.graphql(f"{{{aliases}}}", role=Role.AUDITOR)
    body = refused_before_running(response, "QUERY_TOO_COSTLY")
    assert time.monotonic() - started < 2
    cost = 333 * (AUDIT_COST + 1)
    assert body["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": cost,
        "limit": 10_000,
    }
    assert f"cost {cost}" in body["errors"][0]["message"]
    assert body["extensions"] == {"cost": {"requested": cost, "limit": 10_000}}


def test_a_page_inside_a_page_costs_the_product_and_is_refused(api: LiveApi) -> None:
    query = """query($n: Int!) { customers(first: 100) { edges { node {
        tickets(first: $n) { edges { node { id } } } } } } }"""
    too_costly = api.graphql(query, {"n": 100}, role=Role.AGENT)
    body = refused_before_running(too_costly, "QUERY_TOO_COSTLY")
    assert body["extensions"]["cost"]["requested"] == 1 + 100 * (2 + 1 + 100 * 3)
    small = api.graphql(query, {"n": 2}, role=Role.AGENT)
    assert small.status_code == 200, small.text
    assert small.json()["extensions"]["cost"]["requested"] == 1 + 100 * (2 + 1 + 2 * 3)


THREE = """
fragment Three on Query {
  a: verifyAuditTrail { intact } b: verifyAuditTrail { intact } c: verifyAuditTrail { intact }
}"""


def test_fragments_are_counted_where_they_are_spread(api: LiveApi) -> None:
    four = "query { ...Three ... on Query { d: verifyAuditTrail { intact } } }" + THREE
    refused_before_running(api.graphql(four, role=Role.AUDITOR), "QUERY_TOO_COSTLY")
    three = api.graphql("query { ...Three }" + THREE, role=Role.AUDITOR)
    assert three.status_code == 200, three.text
    assert three.json()["extensions"]["cost"]["requested"] == 3 * (AUDIT_COST + 1)


def test_two_mutations_in_one_request_are_refused_and_write_nothing(api: LiveApi) -> None:
    ada, bob = registered(api, email=unique_email("ada")), registered(api, email=unique_email())
    head = api.quiet_head()
    query = f"mutation {{ {ENROL % ('a', ada)} {ENROL % ('b', bob)} }}"
    body = refused_before_running(api.graphql(query, role=Role.AGENT), "TOO_MANY_MUTATIONS")
    assert "at most 1" in body["errors"][0]["message"]
    assert api.ledger.head_position() == head


def test_log_in_twice_in_one_request_is_refused(api: LiveApi) -> None:
    email = unique_email()
    query = f"mutation {{ {LOG_IN % ('a', email)} {LOG_IN % ('b', email)} }}"
    body = refused_before_running(api.graphql(query), "TOO_MANY_MUTATIONS")
    assert "logIn must be the only mutation" in body["errors"][0]["message"]


def test_a_higher_mutation_limit_still_runs_log_in_alone(special: LiveApi) -> None:
    ada = registered(special, email=unique_email("ada"))
    bob = registered(special, email=unique_email("bob"))
    two = special.graphql(
        f"mutation {{ {ENROL % ('a', ada)} {ENROL % ('b', bob)} }}", role=Role.AGENT
    )
    assert two.status_code == 200 and "errors" not in two.json(), two.text
    with_log_in = f"mutation {{ {ENROL % ('a', ada)} {LOG_IN % ('b', unique_email())} }}"
    refused_before_running(special.graphql(with_log_in, role=Role.AGENT), "TOO_MANY_MUTATIONS")


def chained_up_to_head(api: LiveApi) -> None:
    deadline = time.monotonic() + 15
    query = "{ verifyAuditTrail { chainedUpTo } }"
    while (
        api.graphql(query, role=Role.AUDITOR).json()["data"]["verifyAuditTrail"]["chainedUpTo"]
        < api.ledger.head_position()
    ):
        assert time.monotonic() < deadline, "the audit chain did not catch up"
        time.sleep(0.05)


def test_an_audit_verification_checks_its_range_in_bounded_calls(special: LiveApi) -> None:
    for _ in range(4):
        registered(special, email=unique_email())
    chained_up_to_head(special)
    query = """query($from: Int!) { verifyAuditTrail(from: $from) {
        checkedFrom checkedTo eventsChecked intact continueFrom } }"""
    calls, start = [], 1
    while start is not None:
        found = special.graphql(query, {"from": start}, role=Role.AUDITOR).json()
        result = found["data"]["verifyAuditTrail"]
        calls.append(result)
        start = result["continueFrom"]
    assert all(call["eventsChecked"] <= 5 and call["intact"] for call in calls)
    assert calls[0] == {
        "checkedFrom": 1,
        "checkedTo": 5,
        "eventsChecked": 5,
        "intact": True,
        "continueFrom": 6,
    }
    assert sum(call["eventsChecked"] for call in calls) >= special.ledger.head_position() - 2


def post(url: str, query: str, token: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30) as client:
        headers = {"authorization": f"Bearer {token}"}
        return client.post("/graphql", json={"query": query}, headers=headers)


def test_a_cheap_query_is_served_while_expensive_ones_hold_every_slot(special: LiveApi) -> None:
    """Six audit verifications stuck on a locked table: two hold the slots (and two of the
    server's four connections); the others wait for a slot without a connection and are
    answered 503 BUSY after a second. Meanwhile a cheap query answers at once."""
    token = special.token(Role.AUDITOR)
    with special.database.connect() as locker, ThreadPoolExecutor(6) as pool:
        locker.execute("LOCK TABLE audit_chain IN ACCESS EXCLUSIVE MODE")
        stuck = [pool.submit(post, special.url, VERIFY, token) for _ in range(6)]
        time.sleep(0.3)
        started = time.monotonic()
        cheap = special.graphql(CHEAP, role=Role.AGENT)
        answered_in = time.monotonic() - started
        deadline = time.monotonic() + 5
        while sum(f.done() for f in stuck) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        busy = [f.result() for f in stuck if f.done()]
        locker.rollback()  # the two holding slots may now finish
        answers = [f.result() for f in stuck]
    assert cheap.status_code == 200 and answered_in < 1.0, (answered_in, cheap.text)
    assert [r.status_code for r in busy] == [503] * 4
    assert sorted(r.status_code for r in answers) == [200, 200, 503, 503, 503, 503]
    for response in busy:
        assert response.headers["retry-after"] == "1"
        assert error_codes(response.json()) == ["BUSY"]
        assert_no_internals(response)


class CountingPasswords:
    """The real argon2id hasher, counting how many hashes run at once."""

    def __init__(self) -> None:
        self._inner = Argon2Passwords()  # production cost: 3 passes over 64 MiB
        self._lock = threading.Lock()
        self.running = self.most = self.calls = 0

    @property
    def dummy_hash(self) -> str:
        return self._inner.dummy_hash

    def hash(self, password: str) -> str:
        with self._counted():
            return self._inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        with self._counted():
            return self._inner.verify(password_hash, password)

    @contextlib.contextmanager
    def _counted(self) -> Iterator[None]:
        with self._lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1


def test_concurrent_log_ins_never_hash_more_than_the_bound_at_once(pg_admin: str) -> None:
    passwords = CountingPasswords()
    patient = ApiLimits(requests=RequestLimits(busy_wait_seconds=60))  # all 20 get their turn
    with (
        fresh_database(pg_admin) as database,
        postgres_ledger(database, passwords=passwords) as ledger,
        live_api(ledger, database, patient, run_worker=False) as api,
    ):
        email = unique_email()
        ledger.register_customer(
            RegisterCustomer("Ada Lovelace", email, password="correct horse battery"),
            EventMetadata.system(),
        )
        passwords.calls = 0
        document = "mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }"
        guesses = ["correct horse battery" if n % 4 == 0 else f"guess {n}" for n in range(20)]

        def log_in(password: str) -> httpx.Response:
            with httpx.Client(base_url=api.url, timeout=60) as client:
                variables = {"i": {"email": unique_email(), "password": password}}
                if password.startswith("correct"):
                    variables["i"]["email"] = email
                return client.post("/graphql", json={"query": document, "variables": variables})

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(log_in, guesses))
    assert [a.status_code for a in answers] == [200] * 20
    assert passwords.calls == 20
    assert passwords.most == 2
