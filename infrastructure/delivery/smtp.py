"""Talking to the SMTP server with ``aiosmtplib``: one connection for a batch of messages, a
new one after any refusal, and every failure turned into an outcome the sender can record
(transient or permanent, and an error text that holds no address or token)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from infrastructure.delivery.addresses import SmtpEndpoint

TIMEOUT_SECONDS = 30.0
_EMAIL = re.compile(r"[^\s<>\"'@]+@[^\s<>\"'@]+")
MAX_ERROR_CHARS = 300


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a message was not accepted. ``permanent``: the server refused it for good (5xx)."""

    error: str
    permanent: bool


class SmtpConnection:
    """An SMTP session opened on first use and reopened after it broke or refused."""

    def __init__(self, endpoint: SmtpEndpoint, local_hostname: str) -> None:
        self._endpoint = endpoint
        self._local_hostname = local_hostname
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage, secrets: tuple[str, ...]) -> Refusal | None:
        """Hand ``message`` over; None once the server accepted it (250 after DATA)."""
        try:
            client = await self._connected()
            await client.send_message(message)
            return None
        except aiosmtplib.SMTPRecipientsRefused as error:
            await self.close()
            codes = [r.code for r in error.recipients]
            text = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
            return _refusal(error, min(codes, default=451), text, secrets)
        except aiosmtplib.SMTPResponseException as error:
            await self.close()
            return _refusal(error, error.code, error.message, secrets)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            return Refusal(_redacted(f"{type(error).__name__}: {error}", secrets), False)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.is_connected:
                await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            point = self._endpoint
            self._client = aiosmtplib.SMTP(
                hostname=point.host,
                port=point.port,
                username=point.username,
                password=point.password,
                use_tls=point.use_tls,
                start_tls=point.start_tls,  # never a silent upgrade: the URL says
                validate_certs=True,  # an untrusted or misnamed certificate is a refusal
                cert_bundle=point.ca_file,
                local_hostname=self._local_hostname,
                timeout=TIMEOUT_SECONDS,
            )
            await self._client.connect()
        return self._client


def _refusal(error: Exception, code: int, text: str, secrets: tuple[str, ...]) -> Refusal:
    message = f"{type(error).__name__}: SMTP {code} {text}"
    return Refusal(_redacted(message, secrets), code >= 500)


def _redacted(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` without the recipient's address, the token, or anything that looks like an
    address (servers echo them in refusals), cut to a few hundred characters."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _EMAIL.sub("[address]", text)[:MAX_ERROR_CHARS]
