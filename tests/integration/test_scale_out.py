"""Several processes behave as one system: two `cxledger serve` processes that do not project
(CXL_RUN_PROJECTIONS=false) and two `cxledger project` workers, all behind one PgBouncer in
transaction mode, the client alternating between the servers.

Read-your-writes holds across processes, a subscription held on one server follows a write made
through the other, and the projections and process managers survive a SIGKILL of the worker
that leads them: the other worker takes over, and the read models then equal a rebuild."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.loyalty.values import EarningRule, RuleKind
from domain.purchase.commands import RecordPurchase
from domain.purchase.values import PurchaseChannel
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.rebuild import rebuild
from infrastructure.tokens import JwtTokens
from projections.registry import build_projections
from tests.integration.test_serve import graphql, start_server, stop
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.ledgers import TEST_AUDIT_KEYS, TEST_JWT_SECRET
from tests.support.pgbouncer import pgbouncer_in_front_of
from tests.support.postgres import conninfo_as_url
from tests.support.read_models import owned_rows

AGENT = EventMetadata(actor_id="agent-7", actor_role=Role.AGENT, channel=Channel.PHONE)
ADMIN = EventMetadata(actor_id="admin-1", actor_role=Role.ADMIN, channel=Channel.WEB)
PROTOCOL = Subprotocol("graphql-transport-ws")
MEMBERS = 40
"""Loyalty members who each buy once: the earning process manager must credit each once."""
CUSTOMERS = 600
"""Registrations written before the first worker starts, so that it is caught mid-way."""
TAKEOVER_LIMIT = 60.0
"""A liveness bound, not a timing figure: past it the survivor never took over."""
LIVENESS = 60.0
"""How long an answer may take on a loaded machine before the test calls it lost (a bound on
liveness, not a timing figure: CI machines run several servers at once)."""


@contextlib.contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([*CXLEDGER, "project"], cwd=REPO, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    process, url = start_server(env)
    try:
        yield url
    finally:
        assert stop(process) == 0


def cluster_env(database: Database, pooled: str) -> dict[str, str]:
    """What every process of the deployment gets: the pooler for work, the server itself for
    the listener and the leases, no projection workers in the API processes, small pools."""
    return cli_env(
        database,
        CXL_DATABASE_URL=conninfo_as_url(pooled),
        CXL_DIRECT_DATABASE_URL=conninfo_as_url(database.conninfo),
        CXL_RUN_PROJECTIONS="false",
        CXL_DB_POOL_SIZE="2",
        # The subscription below counts one invitation: small groups are not under test.
        CXL_MIN_GROUP_SIZE="1",
        # Read-your-writes is under test, not how fast: the first writes meet four processes
        # starting (their leases, their jobs' first runs) behind three server sessions, on a
        # machine that may be busy; the default 2 s wait then answered a write without its row.
        CXL_READ_YOUR_WRITES_TIMEOUT=str(int(LIVENESS)),
    )


def health(url: str) -> dict[str, Any]:
    # Generous: behind the test's small PgBouncer pool, a worker catching up holds every
    # server session for a while, and /health waits its turn (it is not the figure here).
    answer: dict[str, Any] = httpx.get(f"{url}/health", timeout=60).json()
    return answer


def lags(url: str) -> dict[str, int]:
    return {name: p["lag"] for name, p in health(url)["projections"].items()}


def wait_until_caught_up(url: str, seconds: float = TAKEOVER_LIMIT) -> None:
    deadline = time.monotonic() + seconds
    while any(lags(url).values()):
        assert time.monotonic() < deadline, f"projections still lag: {lags(url)}"
        time.sleep(0.1)


def register_through(url: str, index: int) -> dict[str, Any]:
    answer = graphql(
        url,
        f'mutation {{ registerCustomer(input: {{name: "Scale {index}", email: "scale{index}@'
        'example.org", region: "EU"}) { customer { id } position userErrors { code } } }',
    )
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["registerCustomer"]
    assert payload["userErrors"] == [], payload
    return payload


def test_two_servers_and_two_workers_behind_pgbouncer_behave_as_one_system(
    database: Database,
) -> None:
    with (
        pgbouncer_in_front_of(database.conninfo) as pooled,
        worker(cluster_env(database, pooled)),
        worker(cluster_env(database, pooled)),
        server(cluster_env(database, pooled)) as a,
        server(cluster_env(database, pooled)) as b,
    ):
        servers = [a, b]
        # Read-your-writes across processes: written through one, read through the other.
        for i in range(6):
            written = register_through(servers[i % 2], i)
            customer_id = written["customer"] and written["customer"]["id"]
            read = graphql(
                servers[(i + 1) % 2],
                f'{{ customer(id: "{customer_id or uuid4()}", atLeast: "{written["position"]}")'
                " { id name } }",
            )
            assert "errors" not in read, read
            assert read["data"]["customer"] == {"id": customer_id, "name": f"Scale {i}"}

        # A subscription held on A follows an invitation written through B.
        token = staff_token(Role.ANALYST)
        with connect(a.replace("http://", "ws://", 1) + "/graphql", subprotocols=[PROTOCOL]) as ws:
            ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": token}}))
            assert json.loads(ws.recv(timeout=LIVENESS))["type"] == "connection_ack"
            subscription = "subscription { surveyDashboardUpdated { invitations responses } }"
            ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": subscription}})
            )
            first = json.loads(ws.recv(timeout=LIVENESS))
            assert first["type"] == "next", first
            before = first["payload"]["data"]["surveyDashboardUpdated"]["invitations"]

            invite_through(b)

            deadline = time.monotonic() + LIVENESS
            invitations = before
            while invitations == before and time.monotonic() < deadline:
                message = json.loads(ws.recv(timeout=LIVENESS))
                assert message["type"] == "next", message
                invitations = message["payload"]["data"]["surveyDashboardUpdated"]["invitations"]
            assert invitations == before + 1


def staff_token(role: Role) -> str:
    return "Bearer " + JwtTokens(TEST_JWT_SECRET, "cxledger").mint(f"{role.value}-1", role)


def as_role(url: str, role: Role, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": staff_token(role)},
        timeout=LIVENESS,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def invite_through(url: str) -> None:
    """Draft and publish a survey, register an opted-in customer, invite them: all through
    ``url``, as the staff who may."""
    drafted = as_role(
        url,
        Role.ANALYST,
        "mutation($i: DraftSurveyInput!) { draftSurvey(input: $i) { survey { id } "
        "userErrors { code } } }",
        {
            "i": {
                "kind": "NPS",
                "title": "Scale-out",
                "question": "Recommend us?",
                "channels": ["EMAIL"],
            }
        },
    )["draftSurvey"]
    assert drafted["userErrors"] == [], drafted
    survey_id = drafted["survey"]["id"]
    published = as_role(
        url,
        Role.ANALYST,
        "mutation($i: PublishSurveyInput!) { publishSurvey(input: $i) { userErrors { code } } }",
        {"i": {"surveyId": survey_id}},
    )["publishSurvey"]
    assert published["userErrors"] == [], published
    customer_id = register_through(url, 1000)["customer"]["id"]
    opted_in = as_role(
        url,
        Role.AGENT,
        "mutation($i: SetContactPreferencesInput!) { setContactPreferences(input: $i) "
        "{ userErrors { code } } }",
        {"i": {"customerId": customer_id, "email": True}},
    )["setContactPreferences"]
    assert opted_in["userErrors"] == [], opted_in
    invited = as_role(
        url,
        Role.AGENT,
        "mutation($i: InviteToSurveyInput!) { inviteToSurvey(input: $i) { userErrors { code } } }",
        {"i": {"surveyId": survey_id, "customerId": customer_id, "channel": "EMAIL"}},
    )["inviteToSurvey"]
    assert invited["userErrors"] == [], invited


def populate_for_failover(ledger: Ledger) -> list[UUID]:
    """A log worth catching up: registrations, and members who each buy once (the earning
    process manager reacts to each purchase). Returns the members."""
    bought_at = datetime.now(UTC) - timedelta(days=1)
    rule = EarningRule(uuid4(), "1 point per euro", RuleKind.BASE_RATE, points_per_unit=1)
    ledger.define_earning_rule(rule, ADMIN, bought_at - timedelta(days=1))

    def member(i: int) -> UUID:
        command = RegisterCustomer(f"Member {i}", f"member{i}@example.org")
        customer_id = ledger.register_customer(command, AGENT).aggregate_id
        ledger.enrol_in_loyalty(customer_id, AGENT, now=bought_at - timedelta(hours=1))
        purchase = RecordPurchase(
            customer_id, f"order-{i}", "25", "EUR", PurchaseChannel.WEB, bought_at
        )
        ledger.record_purchase(purchase, AGENT)
        return customer_id

    def customer(i: int) -> None:
        ledger.register_customer(RegisterCustomer(f"Bulk {i}", f"bulk{i}@example.org"), AGENT)

    with ThreadPoolExecutor(8) as pool:
        members = list(pool.map(member, range(MEMBERS)))
        list(pool.map(customer, range(CUSTOMERS)))
    return members


def credited_points(ledger: Ledger, member: UUID) -> int:
    """Points the member's purchases earned, spendable or still pending."""
    account = ledger.get_loyalty_account(member)
    now = datetime.now(UTC)
    return account.balance(now) + account.pending(now)


def test_a_worker_killed_mid_batch_hands_over_and_nothing_is_lost_or_applied_twice(
    ledger: Ledger, database: Database
) -> None:
    members = populate_for_failover(ledger)
    with (
        pgbouncer_in_front_of(database.conninfo) as pooled,
        server(cluster_env(database, pooled)) as url,
    ):
        env = cluster_env(database, pooled)
        with worker(env) as first:
            # Caught mid-way: some read model has moved and some still lags.
            deadline = time.monotonic() + TAKEOVER_LIMIT
            while True:
                state = health(url)["projections"]
                moved = any(p["position"] for p in state.values())
                if moved and any(p["lag"] for p in state.values()):
                    break
                assert first.poll() is None, "the first worker exited"
                assert time.monotonic() < deadline, "the first worker never started projecting"
                time.sleep(0.02)
            with worker(env) as second:
                first.send_signal(signal.SIGKILL)
                first.wait(10)
                wait_until_caught_up(url)
                assert second.poll() is None, "the surviving worker exited"
                credited = {credited_points(ledger, m) for m in members}
        # Each member's one purchase was credited once: none lost (0), none doubled (50).
        assert credited == {25}
        # What the workers built, across the kill, equals a rebuild from the first event.
        for projection in build_projections(TEST_AUDIT_KEYS.chain):
            if not projection.rebuildable:
                continue
            live = owned_rows(database, projection)
            rebuild(ledger, database, projection, batch_size=1000)
            assert owned_rows(database, projection) == live, projection.name
