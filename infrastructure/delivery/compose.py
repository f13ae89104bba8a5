"""A message of the outbox, written as an email: subject, text and HTML bodies from the Jinja2
templates of its kind in the recipient's language, its links, and the headers that make a
retry the same message (``Message-ID`` from the cause's log position) and let a mail client
offer one-click unsubscribe (RFC 2369 ``List-Unsubscribe``, RFC 8058 ``List-Unsubscribe-Post``).
"""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from infrastructure.delivery.links import Links, UnsubscribeTokens
from infrastructure.delivery.store import DueMessage

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("en", "fr")
"""The languages with a translation; the first is the default."""
KINDS = (
    "survey_invitation",
    "password_reset",
    "email_change_confirmation",
    "registration_attempted",
    "referral_invitation",
    "promoter_thanks",
    "ticket_progress",
    "improvement_notice",
    "order_progress",
    "campaign_message",
)
UNSUBSCRIBABLE = frozenset(
    {
        "survey_invitation",
        "promoter_thanks",
        "ticket_progress",
        "improvement_notice",
        "order_progress",
        "campaign_message",
    }
)
"""Kinds a customer may turn off. Security messages (resets, confirmations, attempts) always
go; a referral invitation goes to a person who is no customer yet, so there is no preference
of theirs to record."""


class UnknownKindError(Exception):
    """The outbox holds a kind of message this sender has no template for."""


def language_for(preferred: str | None) -> str:
    """The translation for a BCP 47 tag ("fr-CA" -> "fr"), or the default."""
    primary = (preferred or "").split("-")[0].strip().lower()
    return primary if primary in LANGUAGES else LANGUAGES[0]


def message_id(cause_position: int, domain: str, cause_entry: int = 0) -> str:
    """The same for every try of the message the event at ``cause_position`` caused (its
    ``cause_entry``-th, for an event that causes many: a campaign batch's)."""
    entry = f".{cause_entry}" if cause_entry else ""
    return f"<cxl.notification.{cause_position}{entry}@{domain}>"


class MailComposer:
    """Writes emails from due messages and the secrets opened from their causes."""

    def __init__(
        self, links: Links, unsubscribe: UnsubscribeTokens, mail_from: str, domain: str
    ) -> None:
        self._links = links
        self._unsubscribe = unsubscribe
        self._from = mail_from
        self._domain = domain
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,  # a missing value is a bug, not an empty link
            keep_trailing_newline=True,
        )

    def compose(self, due: DueMessage, recipient: str, token: str | None) -> EmailMessage:
        if due.kind not in KINDS:
            raise UnknownKindError(due.kind)
        lang = language_for(due.language)
        values = self._values(due, token)
        values["lang"] = lang
        text = self._env.get_template(f"{lang}/{due.kind}.txt.j2")
        context = text.new_context(values)
        subject = "".join(text.blocks["subject"](context)).strip()
        body = "".join(text.blocks["body"](text.new_context(values)))
        html = self._env.get_template(f"{lang}/{due.kind}.html.j2").render(
            subject=subject, **values
        )
        return self._message(due, recipient, subject, body, html, values)

    def _values(self, due: DueMessage, token: str | None) -> dict[str, Any]:
        payload = due.payload
        values: dict[str, Any] = {"unsubscribe_url": None}
        if "expires_at" in payload:
            expires = datetime.fromisoformat(payload["expires_at"])
            values["expires_at"] = expires.strftime("%Y-%m-%d %H:%M")
            values["expires_on"] = expires.date().isoformat()
        if due.kind == "survey_invitation":
            values["survey_url"] = self._links.survey(_needed(token))
        elif due.kind == "password_reset":
            values["reset_url"] = self._links.password_reset(_needed(token))
        elif due.kind == "email_change_confirmation":
            values["confirm_url"] = self._links.email_change(_needed(token))
        elif due.kind == "referral_invitation":
            values["code"] = payload["code"]
            values["referral_url"] = self._links.referral(payload["code"])
        elif due.kind == "promoter_thanks":
            # The code, when the promoter gets one, is the secret sealed in the cause.
            values["code"] = token
            values["referral_url"] = None if token is None else self._links.referral(token)
            values["home_url"] = self._links.home()
        elif due.kind == "ticket_progress":
            values["step"] = payload["step"]
            values["home_url"] = self._links.home()
        elif due.kind == "order_progress":
            values["step"] = payload["step"]
            values["order_id"] = payload["order_id"]
            values["carrier"] = payload.get("carrier")
            values["expected_on"] = payload.get("expected_on")
            values["home_url"] = self._links.home()
        elif due.kind == "campaign_message":
            # The marketer's subject and text, written for this customer when it was queued
            # and sealed in its cause like a token.
            written = json.loads(_needed(token))
            values["campaign_subject"], values["campaign_text"] = (
                written["subject"],
                written["text"],
            )
            values["home_url"] = self._links.home()
        elif due.kind == "improvement_notice":
            values["product_version"] = payload["product_version"]
            values["message"] = payload["message"]
            values["home_url"] = self._links.home()
        else:
            values["home_url"] = self._links.home()
        if due.kind in UNSUBSCRIBABLE:
            values["unsubscribe_url"] = self._links.unsubscribe(
                self._unsubscribe.issue(due.customer_id)
            )
        return values

    def _message(
        self,
        due: DueMessage,
        recipient: str,
        subject: str,
        text: str,
        html: str,
        values: dict[str, Any],
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = format_datetime(due.created_at)
        message["Message-ID"] = message_id(due.cause_position, self._domain, due.cause_entry)
        message["Auto-Submitted"] = "auto-generated"
        if values["unsubscribe_url"]:
            message["List-Unsubscribe"] = f"<{values['unsubscribe_url']}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        message["Content-Language"] = values["lang"]  # after the bodies: they reset Content-*
        return message


def _needed(token: str | None) -> str:
    if token is None:
        raise UnknownKindError("a message of this kind needs a token its cause did not hold")
    return token
