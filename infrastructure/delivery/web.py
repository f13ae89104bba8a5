"""The delivery's pages, mounted beside the API by the composition root: the one-click
unsubscribe (``POST /unsubscribe/<token>``, RFC 8058, and the page a person opens from the link,
``GET``, whose button posts the same) and, in development only, ``/dev/mailbox``: what the mail
catcher received, with its links clickable. Plain server-rendered HTML, no JavaScript."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from domain.customer.commands import SetContactPreferences
from domain.customer.profile import ContactChannel
from domain.shared.errors import DomainError
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.delivery.links import UnsubscribeTokens
from infrastructure.delivery.mail_catcher import CaughtMail, Mailbox

log = logging.getLogger(__name__)

SetPreferences = Callable[[SetContactPreferences, EventMetadata], object]
_URL = re.compile(r"https?://[^\s<>\"']+")
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:sans-serif;line-height:1.5;max-width:48em;margin:2em auto;
padding:0 1em;color:#1a1a1a}} button{{font-size:1.1em;padding:.5em 1.2em}}
a{{color:#0645ad}} article{{border-top:1px solid #999;padding:.5em 0}}
pre{{white-space:pre-wrap}}</style></head>
<body><main><h1>{title}</h1>
{body}</main></body></html>"""


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    text = _PAGE.format(title=html.escape(title), body=body)
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def unsubscribe_routes(
    tokens: UnsubscribeTokens, set_preferences: SetPreferences
) -> list[BaseRoute]:
    """``/unsubscribe/<token>``: GET asks (a link prefetcher must not unsubscribe anyone),
    POST records the customer's choice: email off, through the ledger's contact preferences."""

    async def unsubscribe(request: Request) -> Response:
        token = request.path_params["token"]
        customer = tokens.customer_of(token)
        if customer is None:
            return _invalid_link()
        if request.method == "GET":
            action = html.escape(f"/unsubscribe/{token}")
            form = (
                f'<p>Stop receiving our survey emails?</p><form method="post" action="{action}">'
                '<button type="submit">Unsubscribe</button></form>'
            )
            return page("Unsubscribe", form)
        command = SetContactPreferences(customer, {ContactChannel.EMAIL: False})
        metadata = EventMetadata(str(customer), Role.CUSTOMER, Channel.EMAIL)
        try:
            await anyio.to_thread.run_sync(set_preferences, command, metadata)
        except DomainError as error:
            log.info("unsubscribe refused: %s", error.code)
            return _invalid_link()
        return page("You are unsubscribed", "<p>We will send you no more emails of this kind.</p>")

    return [Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"])]


def _invalid_link() -> HTMLResponse:
    body = "<p>This unsubscribe link is not valid. Nothing was changed.</p>"
    return page("Link not valid", body, status=400)


def delivery_routes(
    environment: str,
    tokens: UnsubscribeTokens,
    set_preferences: SetPreferences,
    mailbox: Mailbox | None,
) -> list[BaseRoute]:
    """The unsubscribe page always; the mailbox only in development, with a mail catcher."""
    routes = unsubscribe_routes(tokens, set_preferences)
    if mailbox is not None and environment == "development":
        routes += mailbox_routes(mailbox)
    return routes


def mailbox_routes(mailbox: Mailbox) -> list[BaseRoute]:
    """``/dev/mailbox``: what the development mail catcher received."""

    async def show(_: Request) -> Response:
        mails = mailbox.all()
        items = "\n".join(_mail(mail) for mail in reversed(mails)) or "<p>No mail yet.</p>"
        return page(f"Mailbox ({len(mails)})", items)

    return [Route("/dev/mailbox", show, methods=["GET"])]


def _mail(mail: CaughtMail) -> str:
    text = _URL.sub(
        lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html.escape(mail.body("plain"))
    )
    return (
        "<article>"
        f"<h2>{html.escape(mail.subject)}</h2>"
        f"<p>To {html.escape(', '.join(mail.envelope_to))}, "
        f"{mail.received_at.strftime('%Y-%m-%d %H:%M:%S')} UTC</p>"
        f"<pre>{text}</pre></article>"
    )
