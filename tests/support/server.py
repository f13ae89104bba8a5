"""The real API under uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID

import httpx
import uvicorn
from opentelemetry.trace import Tracer
from starlette.routing import BaseRoute

from domain.customer.errors import CustomerNotFoundError
from domain.ledger import Ledger
from domain.shared.metadata import Role
from graphql_api.app import create_app
from graphql_api.context import ApiLimits, ApiServices
from graphql_api.health_sources import HealthSources
from graphql_api.web_options import WebOptions
from infrastructure.bearer_tokens import BearerTokens
from infrastructure.database import Database
from infrastructure.deflection import DeflectionLog
from infrastructure.delivery.payment_webhook import payment_webhook_routes
from infrastructure.delivery.store import FailedRetries
from infrastructure.delivery.webhooks import WebhookEndpoints
from infrastructure.health import health_sources
from infrastructure.http_protocol import BoundedHttpToolsProtocol
from infrastructure.login import (
    CUSTOMER_TOKEN_TTL_SECONDS,
    CustomerLogin,
    LoginThrottle,
    ThrottlePolicy,
)
from infrastructure.metrics import api_metrics
from infrastructure.oidc import OidcTokens
from infrastructure.page_throttle import PagePostThrottle
from infrastructure.password_access import PasswordPolicy, ThrottledPasswordAccess
from infrastructure.process_manager_runner import ALL_PROCESS_MANAGERS, process_manager_runners
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker
from infrastructure.refresh_tokens import RefreshTokens
from infrastructure.sessions import LoggedSessions, events_table
from infrastructure.throttles import Clock, WindowCounters, utc_now
from infrastructure.tokens import IssuedToken, JwtTokens
from projections.registry import ALL_PROJECTIONS, build_projections
from tests.support.ledgers import (
    TEST_AUDIT_KEYS,
    TEST_JWT_SECRET,
    migrated_database,
    postgres_ledger,
)
from tests.support.uvicorn_thread import serving

TEST_LOGIN_POLICY = ThrottlePolicy(max_failures_per_address=100_000, max_failures_in_all=100_000)
"""Every test client is 127.0.0.1, so the per-address and overall caps would make tests of one
module throttle each other; tests/api/test_throttles.py runs the production policy."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


TEST_PAYMENT_WEBHOOK_SECRET = "test-payment-provider-secret-0123456789"
"""The secret the test server's payment webhook checks signatures with."""


@dataclass
class LiveApi:
    """A running server: its URL, a client, and tokens for each role."""

    url: str
    client: httpx.Client
    tokens: JwtTokens
    ledger: Ledger
    database: Database
    runs_worker: bool = True
    """Whether the server runs the read models and reactions (``live_api(run_worker=...)``)."""

    def token(
        self, role: Role, subject: str = "test-actor", session_version: int | None = None
    ) -> str:
        """A token for ``subject`` in ``role``. A customer's carries ``session_version``, by
        default their current one (as if they had just logged in)."""
        if role is not Role.CUSTOMER:
            return self.tokens.mint(subject, role)
        if session_version is None:
            session_version = self._current_session_version(subject)
        return self.tokens.mint(subject, role, session_version=session_version)

    def _current_session_version(self, subject: str) -> int:
        try:
            return self.ledger.get_customer(UUID(subject)).session_version
        except (ValueError, CustomerNotFoundError):
            return 0  # no such customer: the version they would have

    def caught_up(self, seconds: float = 30) -> None:
        """Wait until every read model and process manager has applied the log up to its
        head, and the reactions have written nothing more meanwhile (a test that wrote through
        the ledger, not through a mutation that waits, must call this before it reads; one
        that checks a request writes nothing, before it notes the head)."""
        followers = [p.name for p in ALL_PROJECTIONS] + [m.name for m in ALL_PROCESS_MANAGERS]
        deadline = time.monotonic() + seconds
        with self.database.connect() as conn:
            while time.monotonic() < deadline:
                head = self.ledger.head_position()
                positions = dict(
                    conn.execute(
                        "SELECT name, position FROM cxl_projection_positions WHERE name = ANY(%s)",
                        (followers,),
                    ).fetchall()
                )
                conn.commit()
                # A follower with no row yet has applied nothing: caught up with an empty log.
                reached = all(positions.get(name, 0) >= head for name in followers)
                if reached and self.ledger.head_position() == head:
                    return
                time.sleep(0.05)
        raise AssertionError("the read models and process managers did not catch up")

    def quiet_head(self) -> int:
        """The log's head once every read model and reaction has caught up with it and
        written nothing more: what a test notes before checking that a request writes
        nothing (a reaction still writing for an earlier step would otherwise move the head
        under it). A server without a worker has no reaction to wait for."""
        if self.runs_worker:
            self.caught_up()
        return self.ledger.head_position()

    def graphql(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        role: Role | None = None,
        subject: str = "test-actor",
        **headers: str,
    ) -> httpx.Response:
        """POST a GraphQL request as a spec-following client would."""
        sent = {"accept": "application/graphql-response+json", **headers}
        if role is not None:
            sent["authorization"] = f"Bearer {self.token(role, subject)}"
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )


@contextlib.contextmanager
def live_api(
    ledger: Ledger,
    database: Database,
    limits: ApiLimits | None = None,
    run_worker: bool = True,
    login_policy: ThrottlePolicy = TEST_LOGIN_POLICY,
    password_policy: PasswordPolicy | None = None,
    page_posts_per_address: int = 100_000,
    web: WebOptions | None = None,
    health: HealthSources | None = None,
    tracer: Tracer | None = None,
    oidc: OidcTokens | None = None,
    refresh_clock: Clock = utc_now,
    extra_routes: Sequence[BaseRoute] = (),
    payment_webhook_secret: str = TEST_PAYMENT_WEBHOOK_SECRET,
) -> Iterator[LiveApi]:
    tokens = JwtTokens(TEST_JWT_SECRET, "cxledger")
    bearer = BearerTokens(tokens, oidc)

    def issue_access(customer_id: UUID, session_version: int) -> IssuedToken:
        return tokens.issue(
            str(customer_id), Role.CUSTOMER, CUSTOMER_TOKEN_TTL_SECONDS, session_version
        )

    refresh = RefreshTokens(
        database.connect, ledger, events_table(ledger), issue_access, clock=refresh_clock
    )
    worker = None
    if run_worker:
        worker = ProjectionWorker(
            [
                *(
                    ProjectionRunner(ledger, database, p, 100)
                    for p in build_projections(TEST_AUDIT_KEYS.chain)
                ),
                *process_manager_runners(ledger, database, 100),
            ]
        )
    services = ApiServices(
        ledger=ledger,
        conninfo=database.conninfo,
        verify_token=bearer.verify,
        authenticate_token=bearer.authenticate,
        refresh_sessions=refresh,
        log_in=CustomerLogin(
            ledger,
            tokens,
            LoginThrottle(database.connect, login_policy),
            CUSTOMER_TOKEN_TTL_SECONDS,
            refresh,
        ),
        audit_keys=TEST_AUDIT_KEYS,
        sessions=LoggedSessions(tokens, events_table(ledger), CUSTOMER_TOKEN_TTL_SECONDS, refresh),
        password_access=ThrottledPasswordAccess(
            ledger, WindowCounters(database.connect), password_policy
        ),
        limits=limits or ApiLimits(),
        pool_size=4,
        page_posts=PagePostThrottle(WindowCounters(database.connect), page_posts_per_address),
        deflection=DeflectionLog(lambda: database.connect(autocommit=True)),
        on_start=worker.start if worker else ApiServices.on_start,
        on_stop=worker.stop if worker else ApiServices.on_stop,
        projection_errors=worker.errors if worker else ApiServices.projection_errors,
        applied=worker.applied if worker else None,
        # No access log unless a test asks: tests that count a request's log records (refusal
        # logging) count what the request itself logged.
        web=web or WebOptions(access_log=False),
        metrics=api_metrics(ledger),
        retry_notification=FailedRetries(lambda: database.connect(autocommit=True)),
        register_webhook=WebhookEndpoints(lambda: database.connect(autocommit=True)).register,
        health=health or health_sources(database.connect),
        tracer=tracer,
        extra_routes=[
            *extra_routes,
            *payment_webhook_routes(payment_webhook_secret, ledger.record_payment_notification),
        ],
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(services),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        proxy_headers=False,  # as `cxledger serve`: only CXL_TRUSTED_PROXIES decides
        http=BoundedHttpToolsProtocol,  # as `cxledger serve`: the bounded C parser
        loop="uvloop",
    )
    url = f"http://127.0.0.1:{port}"
    with serving(config, "the API server"), httpx.Client(base_url=url, timeout=30) as client:
        yield LiveApi(url, client, tokens, ledger, database, run_worker)


@contextlib.contextmanager
def module_api(pg_admin: str, limits: ApiLimits | None = None) -> Iterator[LiveApi]:
    """One fresh database and server, shared by the tests of a module that do not interfere."""
    with (
        migrated_database(pg_admin) as database,
        postgres_ledger(database) as ledger,
        live_api(ledger, database, limits) as api,
    ):
        yield api
