"""The delivery's settings: the SMTP URL's forms (plain, STARTTLS, TLS, credentials), and a
wrong CXL_SMTP_URL, CXL_MAIL_FROM or CXL_PUBLIC_URL stops start-up naming it, without
repeating a password."""

from __future__ import annotations

import os

import pytest

from infrastructure.delivery.addresses import SmtpEndpoint, smtp_endpoint
from infrastructure.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("smtp://mail.example.com", SmtpEndpoint("mail.example.com", 25, False, False)),
        (
            "smtp://ann:p%40ss@mail.example.com:587?starttls=true",
            SmtpEndpoint("mail.example.com", 587, False, True, "ann", "p@ss"),
        ),
        (
            "smtps://ann:pw@mail.example.com",
            SmtpEndpoint("mail.example.com", 465, True, False, "ann", "pw"),
        ),
        ("smtp://127.0.0.1:2525?starttls=false", SmtpEndpoint("127.0.0.1", 2525, False, False)),
    ],
)
def test_an_smtp_url_names_the_server_its_security_and_its_credentials(
    url: str, endpoint: SmtpEndpoint
) -> None:
    assert smtp_endpoint(url) == endpoint


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CXL_SMTP_URL", "http://mail.example.com"),
        ("CXL_SMTP_URL", "smtp://"),
        ("CXL_SMTP_URL", "smtp://user:hunter2-secret@mail.example.com:99999"),
        ("CXL_SMTP_URL", "smtps://user:hunter2-secret@mail.example.com?starttls=true"),
        ("CXL_SMTP_URL", "smtp://mail.example.com?tls=maybe"),
        ("CXL_SMTP_URL", "smtp://mail.example.com?starttls=perhaps"),
        ("CXL_MAIL_FROM", "nobody"),
        ("CXL_MAIL_FROM", "Shop <shop@example.com>\r\nBcc: x@example.com"),
        ("CXL_PUBLIC_URL", "ftp://shop.example.com"),
        ("CXL_PUBLIC_URL", "https://shop.example.com/?a=1"),
        ("CXL_DELIVERY_MAX_ATTEMPTS", "0"),
        ("CXL_DELIVERY_RETRY_SECONDS", "0"),
        ("CXL_DELIVERY_INTERVAL", "0"),
    ],
)
def test_a_wrong_delivery_setting_is_refused_by_name_without_its_password(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable) as raised:
        load_settings()
    assert "hunter2" not in str(raised.value)


def test_a_public_url_loses_its_trailing_slash() -> None:
    assert load_settings(public_url="https://shop.example.com/").public_url == (
        "https://shop.example.com"
    )
