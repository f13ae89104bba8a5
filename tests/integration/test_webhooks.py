"""Outgoing webhooks against a real HTTP receiver on loopback: each notification of a kind an
endpoint asked for arrives once, signed (HMAC-SHA256 over timestamp and body) and without an
address or token; a failing receiver gets retries with backoff, then the delivery fails."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from domain.customer.commands import RegisterCustomer
from domain.ledger import Ledger
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.database import Database
from infrastructure.delivery.store import RetryPolicy
from infrastructure.delivery.webhooks import WebhookDelivery, WebhookEndpoints
from tests.support.delivery import MovableClock, project_outbox

ANONYMOUS = EventMetadata("anonymous", Role.ANONYMOUS, Channel.WEB)


class Receiver:
    """What the endpoint received, and whether each signature checked out."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.secret = ""
        self.bodies: list[dict[str, Any]] = []
        self.signed: list[bool] = []
        self.deliveries: list[str] = []


@contextlib.contextmanager
def receiver(status: int = 204) -> Iterator[tuple[Receiver, str]]:
    seen = Receiver(status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            signed = f"{self.headers['X-CXL-Timestamp']}.".encode() + body
            expected = hmac.new(seen.secret.encode(), signed, hashlib.sha256).hexdigest()
            seen.signed.append(
                hmac.compare_digest(self.headers["X-CXL-Signature"], f"sha256={expected}")
            )
            seen.bodies.append(json.loads(body))
            seen.deliveries.append(self.headers["X-CXL-Delivery"])
            self.send_response(seen.status)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def reset_requested(ledger: Ledger, database: Database, agent: EventMetadata) -> None:
    ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    ledger.request_password_reset("ada@example.org", ANONYMOUS)
    project_outbox(ledger, database)


def connect(database: Database) -> Any:
    return lambda: database.connect(autocommit=True)


def test_a_notification_of_a_wanted_kind_is_posted_once_signed_without_personal_data(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    with receiver() as (seen, url):
        endpoint = WebhookEndpoints(connect(database)).register(url, ["password_reset"], "admin")
        other = WebhookEndpoints(connect(database)).register(url, ["survey_invitation"], "admin")
        seen.secret = endpoint.secret
        reset_requested(ledger, database, agent)
        hooks = WebhookDelivery(connect(database), RetryPolicy(3, 10), MovableClock())
        assert hooks.run() == 1
        assert hooks.run() == 0  # posted once
    assert other.id != endpoint.id  # the other endpoint wants other kinds: nothing for it
    [body] = seen.bodies
    assert seen.signed == [True]
    assert body["kind"] == "password_reset" and body["channel"] == "email"
    assert "ada@example.org" not in json.dumps(body)
    assert set(body) == {"id", "kind", "channel", "customerId", "createdAt"}


def test_a_failing_receiver_gets_retries_after_growing_waits_then_the_delivery_fails(
    ledger: Ledger, database: Database, agent: EventMetadata
) -> None:
    clock = MovableClock()
    with receiver(status=503) as (seen, url):
        seen.secret = (
            WebhookEndpoints(connect(database)).register(url, ["password_reset"], "a").secret
        )
        reset_requested(ledger, database, agent)
        hooks = WebhookDelivery(connect(database), RetryPolicy(3, 10), clock)
        for wait in (0, 9, 1, 19, 1, 3600):
            clock.advance(wait)
            hooks.run()
    assert len(seen.bodies) == 3 and len(set(seen.deliveries)) == 1  # one delivery id
    with database.connect() as conn:
        row = conn.execute("SELECT status, attempts, last_error FROM webhook_deliveries").fetchone()
    assert row == ("failed", 3, "HTTP 503")


@pytest.mark.parametrize(
    ("url", "kinds"),
    [
        ("ftp://example.com/hook", ["password_reset"]),
        ("https://x.example", []),
        ("https://x.example", ["gossip"]),
    ],
)
def test_a_bad_endpoint_is_refused(
    database: Database, ledger: Ledger, url: str, kinds: list[str]
) -> None:
    with pytest.raises(ValueError):
        WebhookEndpoints(connect(database)).register(url, kinds, "admin")
