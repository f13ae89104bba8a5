"""The outside addresses delivery needs, parsed and checked once from the settings: the SMTP
server (``CXL_SMTP_URL``), the sender (``CXL_MAIL_FROM``) and the public base of links
(``CXL_PUBLIC_URL``). Errors never repeat the URL, which may hold a password."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import SMTP
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class SmtpEndpoint:
    """An SMTP server and how to talk to it."""

    host: str
    port: int
    use_tls: bool
    """TLS from the first byte (smtps://, port 465 by default)."""
    start_tls: bool
    """Upgrade a plain connection with STARTTLS (smtp://...?starttls=true)."""
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    """PEM file of the certificate authorities trusted for this server's certificate (instead
    of the system's); None: the system's trust store. The certificate is always verified,
    host name included."""


def smtp_endpoint(url: str, ca_file: str | None = None) -> SmtpEndpoint:
    """The server of ``url``: smtp://[user:password@]host[:port][?starttls=true] or
    smtps://[user:password@]host[:port]; its certificate checked against ``ca_file``'s
    authorities when given."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("must be an smtp:// or smtps:// URL")
    if not parts.hostname:
        raise ValueError("names no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"has unknown options: {', '.join(sorted(unknown))} (only starttls)")
    starttls = query.get("starttls", "false")
    if starttls not in _TRUE | _FALSE:
        raise ValueError("starttls must be true or false")
    tls = parts.scheme == "smtps"
    if tls and starttls in _TRUE:
        raise ValueError("smtps:// is TLS already; starttls applies to smtp:// only")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    default_port = 465 if tls else 25
    return SmtpEndpoint(
        parts.hostname, port or default_port, tls, starttls in _TRUE, user, password, ca_file
    )


def checked_ca_file(path: str) -> str:
    """``path``, if it is a readable PEM file holding at least one certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=path)
    except FileNotFoundError:
        raise ValueError("names no file") from None
    except (OSError, ssl.SSLError, ValueError):
        raise ValueError("is not a readable PEM file of certificates") from None
    if not context.get_ca_certs():
        raise ValueError("holds no CA certificate")
    return path


def mail_from_domain(mail_from: str) -> str:
    """The domain of the sender's address ("Name <user@domain>" or "user@domain")."""
    if any(c in mail_from for c in "\r\n"):
        raise ValueError("must be one line")
    _, address = parseaddr(mail_from)
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or " " in address:
        raise ValueError("must be an address such as 'Shop <no-reply@example.com>'")
    Address(addr_spec=address)  # the email package refuses what it could not write
    SMTP.header_factory("From", mail_from)
    return domain.lower()


def checked_public_url(url: str) -> str:
    """``url`` without a trailing slash, if it is an http(s) base without query or fragment."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise ValueError("must have no query or fragment")
    return url.strip().rstrip("/")
