"""What the server logs for each kind of failed request, read from the log records: expected
refusals (a domain rule, bad input, a bad token) at INFO on one line without a traceback, an
unexpected error at ERROR with its traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from domain.shared.metadata import Role
from tests.api.helpers import register, unique_email
from tests.api.test_survey_live_updates import connected, receive
from tests.support.server import LiveApi, module_api

ERROR_LOG = "graphql_api.error_log"
CUSTOMERS = "{ customers(first: 5) { totalCount } }"


@pytest.fixture(scope="module")
def api(pg_admin: str) -> Iterator[LiveApi]:
    with module_api(pg_admin) as running:
        yield running


def logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ERROR_LOG]


def one_info_line(caplog: pytest.LogCaptureFixture) -> str:
    records = logged(caplog)
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.INFO, None)], [
        r.getMessage() for r in records
    ]
    message = records[0].getMessage()
    assert "\n" not in message
    return message


def test_a_command_refused_by_a_domain_rule_is_info_naming_payload_code_and_field(
    api: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    """The message is left out: it may quote what the client sent (here, an email)."""
    email = unique_email()
    assert register(api, email=email)["userErrors"] == []
    caplog.set_level(logging.INFO)
    caplog.clear()
    refused = register(api, email=email)
    assert refused["userErrors"][0]["code"] == "EMAIL_ALREADY_REGISTERED"
    message = one_info_line(caplog)
    assert message.startswith("command refused (RegisterCustomerPayload): EMAIL_ALREADY_REGISTERED")
    assert email not in message


def test_a_bad_token_is_info_without_traceback(
    api: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    response = api.client.post(
        "/graphql", json={"query": CUSTOMERS}, headers={"authorization": "Bearer not.a.jwt"}
    )
    assert response.status_code == 401
    assert one_info_line(caplog).startswith("request refused (401 UNAUTHENTICATED)")


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{not json", {"content-type": "application/json"}, 400),
        (
            b'{"query": "{ __typename }"}',
            {"content-type": "application/json", "x-cxl-channel": "fax"},
            400,
        ),
    ],
    ids=["malformed-json", "bad-channel-header"],
)
def test_a_malformed_request_is_info_without_traceback(
    api: LiveApi,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    response = api.client.post("/graphql", content=body, headers=headers)
    assert response.status_code == status
    assert one_info_line(caplog).startswith(f"request refused ({status} ")


def test_an_unexpected_error_is_error_with_its_traceback(
    api: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    """A read model's table gone (a schema drift no code expects): the query crashes; the
    client gets a masked error, the log the whole cause."""
    with api.database.connect() as conn:
        conn.execute("ALTER TABLE customer_directory RENAME TO customer_directory_gone")
        conn.commit()
    try:
        caplog.set_level(logging.INFO)
        caplog.clear()
        response = api.graphql(CUSTOMERS, role=Role.ADMIN)
    finally:
        with api.database.connect() as conn:
            conn.execute("ALTER TABLE customer_directory_gone RENAME TO customer_directory")
            conn.commit()
    assert "customer_directory" not in response.text
    [record] = [r for r in logged(caplog) if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[1] is not None
    assert "customer_directory" in str(record.exc_info[1])


def test_a_websocket_refused_at_connection_init_is_info_without_traceback(
    api: LiveApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    with (
        connected(api, {"authorization": "Bearer not-a-token"}) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        receive(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    message = one_info_line(caplog)
    assert message.startswith("request refused (4403 FORBIDDEN): WebSocket connection refused")
    assert "not-a-token" not in message
