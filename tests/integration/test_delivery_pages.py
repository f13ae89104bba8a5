"""The delivery's pages over HTTP: one-click unsubscribe records the customer's preference
through the ledger (and a forged token changes nothing); /dev/mailbox shows the caught mail in
development and does not exist in production."""

from __future__ import annotations

import smtplib
from uuid import UUID

import anyio
import httpx
from starlette.applications import Starlette

from domain.customer.commands import RegisterCustomer, SetContactPreferences
from domain.customer.model import Customer
from domain.customer.profile import ContactChannel
from domain.ledger import Ledger
from domain.shared.metadata import EventMetadata
from infrastructure.delivery.mail_catcher import MailCatcher
from infrastructure.delivery.web import delivery_routes
from infrastructure.server import _mail_catcher
from infrastructure.settings import load_settings
from tests.support.delivery import TOKENS


def opted_in(ledger: Ledger, agent: EventMetadata) -> UUID:
    ada = ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent).aggregate_id
    ledger.set_contact_preferences(SetContactPreferences(ada, {ContactChannel.EMAIL: True}), agent)
    return ada


class Pages:
    """The delivery's routes in a Starlette app, called over HTTP in memory (httpx's ASGI
    transport)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, content: bytes = b"") -> httpx.Response:
        return self.request("POST", path, content)

    def request(self, method: str, path: str, content: bytes = b"") -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, path, content=content)

        return anyio.run(call)


def pages(ledger: Ledger, environment: str, catcher: MailCatcher | None = None) -> Pages:
    mailbox = None if catcher is None else catcher.mailbox
    routes = delivery_routes(environment, TOKENS, ledger.set_contact_preferences, mailbox)
    return Pages(Starlette(routes=routes))


def test_one_click_unsubscribe_turns_email_off_as_the_customer_through_email(
    ledger: Ledger, agent: EventMetadata
) -> None:
    ada = opted_in(ledger, agent)
    answer = pages(ledger, "production").post(
        f"/unsubscribe/{TOKENS.issue(ada)}", content=b"List-Unsubscribe=One-Click"
    )
    assert answer.status_code == 200
    customer = ledger.get_customer(ada)
    assert customer.contact_channels["email"] is False
    [*_, event] = ledger.events.get(ada)
    assert isinstance(event, Customer.ContactChannelOptedOut)
    assert (event.metadata.actor_id, event.metadata.channel) == (str(ada), "email")


def test_opening_the_unsubscribe_link_asks_first_and_changes_nothing(
    ledger: Ledger, agent: EventMetadata
) -> None:
    ada = opted_in(ledger, agent)
    answer = pages(ledger, "production").get(f"/unsubscribe/{TOKENS.issue(ada)}")
    assert answer.status_code == 200 and '<form method="post"' in answer.text
    assert ledger.get_customer(ada).contact_channels["email"] is True


def test_a_forged_unsubscribe_token_is_refused_and_changes_nothing(
    ledger: Ledger, agent: EventMetadata
) -> None:
    ada = opted_in(ledger, agent)
    genuine = TOKENS.issue(ada)
    forged = genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB")
    client = pages(ledger, "production")
    for token in (forged, "x", "A" * 500):
        assert client.post(f"/unsubscribe/{token}").status_code == 400
    assert ledger.get_customer(ada).contact_channels["email"] is True


def test_the_mailbox_lists_caught_mail_with_clickable_links_in_development(ledger: Ledger) -> None:
    with MailCatcher() as catcher:
        with smtplib.SMTP(catcher.endpoint.host, catcher.endpoint.port) as smtp:
            body = "Subject: Reset <now>\r\n\r\nGo to https://shop.example.com/reset/abc now"
            smtp.sendmail("shop@example.com", ["ada@example.org"], body)
        page = pages(ledger, "development", catcher).get("/dev/mailbox")
    assert page.status_code == 200
    assert "Reset &lt;now&gt;" in page.text and "ada@example.org" in page.text
    assert '<a href="https://shop.example.com/reset/abc">' in page.text


def test_the_mailbox_does_not_exist_in_production(ledger: Ledger) -> None:
    with MailCatcher() as catcher:
        assert pages(ledger, "production", catcher).get("/dev/mailbox").status_code == 404


def test_serve_starts_a_mail_catcher_only_in_development_without_an_smtp_url() -> None:
    secrets = {"master_key": "00" * 32, "jwt_secret": "s" * 40, "audit_key": "a1" * 32}
    production = load_settings(
        environment="production", database_url="postgresql://db/x", **secrets
    )
    with _mail_catcher(production) as catcher:
        assert catcher is None
    with _mail_catcher(load_settings(smtp_url="smtp://mail.example.com")) as catcher:
        assert catcher is None
    with _mail_catcher(load_settings(environment="development")) as catcher:
        assert catcher is not None
        with smtplib.SMTP(catcher.endpoint.host, catcher.endpoint.port) as smtp:
            assert smtp.noop()[0] == 250
