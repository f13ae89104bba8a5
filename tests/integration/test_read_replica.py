"""`CXL_READ_DATABASE_URL`: the API's read-model queries go to a streaming hot standby, and
read-your-writes still holds, because a query with `atLeast` waits until the standby shows the
read model's position, which it replays in the same transaction as the rows.

The pair is real: an embedded primary and a `pg_basebackup -R` standby of it (the wheel's own
binaries, tests/support/replica.py). Pausing the standby's replay shows that the reads come from
it: the write is on the primary, and the standby answers only once replay resumes."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from domain.shared.metadata import Role
from tests.integration.test_scale_out import as_role, staff_token
from tests.integration.test_serve import graphql, start_server, stop
from tests.support.cli import cli_env
from tests.support.replica import Pair, primary_and_standby

DATABASE = "cxl_replica"
REGISTER = (
    'mutation {{ registerCustomer(input: {{name: "{name}", email: "{email}", region: "EU"}}) '
    "{{ customer {{ id name }} position notices {{ code }} userErrors {{ code }} }} }}"
)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    # A short folder: the standby's Unix socket path must fit in 107 bytes.
    with primary_and_standby(Path(tempfile.mkdtemp(prefix="cxl-rep-"))) as running:
        with psycopg.connect(running.primary_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        yield running


def register(url: str, name: str) -> dict[str, Any]:
    email = f"{name.lower()}@example.org"
    answer = graphql(url, REGISTER.format(name=name, email=email))
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["registerCustomer"]
    assert payload["userErrors"] == [], payload
    return payload


def read(url: str, customer_id: str, position: str) -> Any:
    return graphql(url, f'{{ customer(id: "{customer_id}", atLeast: "{position}") {{ id name }} }}')


def newest_on_primary(pair: Pair, customers: int, seconds: float = 30) -> str:
    """The id of the newest customer in the primary's read model, once it holds ``customers``
    (its worker projects them): an answer the standby could not show names no id."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(pair.url("primary", DATABASE), autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT customer_id FROM customer_directory ORDER BY seq"
            ).fetchall()
            if len(rows) >= customers:
                return str(rows[-1][0])
            assert time.monotonic() < deadline, "the primary's worker did not project the write"
            time.sleep(0.05)


def test_reads_go_to_the_standby_and_still_read_your_writes(pair: Pair) -> None:
    assert pair.in_recovery(), "the standby is not a standby"
    env = cli_env(
        None,
        CXL_DATABASE_URL=pair.url("primary", DATABASE),
        CXL_READ_DATABASE_URL=pair.url("standby", DATABASE),
        CXL_READ_YOUR_WRITES_TIMEOUT="1",
    )
    process, url = start_server(env)
    try:
        # Replaying: the mutation's answer already shows the write, read from the standby.
        first = register(url, "Ada")
        assert first["notices"] == [] and first["customer"]["name"] == "Ada", first

        pair.pause_replay()
        try:
            paused = register(url, "Bo")
            # The primary has it, the standby has not replayed it: the answer says so.
            assert [n["code"] for n in paused["notices"]] == ["POSITION_NOT_REACHED"], paused
            customer_id = newest_on_primary(pair, customers=2)
            waited = read(url, customer_id, paused["position"])
            assert waited["errors"][0]["extensions"]["code"] == "POSITION_NOT_REACHED", waited
        finally:
            pair.resume_replay()

        caught_up = read(url, customer_id, paused["position"])
        assert caught_up["data"]["customer"] == {"id": customer_id, "name": "Bo"}, caught_up
    finally:
        assert stop(process) == 0


def test_a_live_dashboard_on_the_standby_shows_a_change_once_the_standby_has_replayed_it(
    pair: Pair,
) -> None:
    """The primary announces the change; the standby, paused, has not replayed it: the
    subscription does not stay on the figure it read then, it shows the change after replay."""
    env = cli_env(
        None,
        CXL_DATABASE_URL=pair.url("primary", DATABASE),
        CXL_READ_DATABASE_URL=pair.url("standby", DATABASE),
        CXL_READ_YOUR_WRITES_TIMEOUT="1",
        CXL_MIN_GROUP_SIZE="1",  # one invitation is counted: small groups are not under test
    )
    process, url = start_server(env)
    try:
        survey_id, customer_id = survey_and_customer(url)
        with connect(
            url.replace("http://", "ws://", 1) + "/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
        ) as ws:
            init = {"authorization": staff_token(Role.ANALYST)}
            ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
            query = (
                "subscription($f: SurveyDashboardFilter) "
                "{ surveyDashboardUpdated(filter: $f) { invitations } }"
            )
            payload = {"query": query, "variables": {"f": {"surveyId": survey_id}}}
            ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            assert invitations(ws) == 0

            pair.pause_replay()
            try:
                invite(url, survey_id, customer_id)
                time.sleep(2)  # the announcement arrives while the standby is paused
            finally:
                pair.resume_replay()

            deadline = time.monotonic() + 20
            seen = 0
            while seen != 1 and time.monotonic() < deadline:
                seen = invitations(ws, timeout=max(0.1, deadline - time.monotonic()))
            assert seen == 1
    finally:
        assert stop(process) == 0


def invitations(ws: Any, timeout: float = 10) -> int:
    message = json.loads(ws.recv(timeout=timeout))
    assert message["type"] == "next", message
    count: int = message["payload"]["data"]["surveyDashboardUpdated"]["invitations"]
    return count


def survey_and_customer(url: str) -> tuple[str, str]:
    """A published survey and an opted-in customer, read back through the standby."""
    drafted = as_role(
        url,
        Role.ANALYST,
        "mutation($i: DraftSurveyInput!) { draftSurvey(input: $i) { survey { id } } }",
        {
            "i": {
                "kind": "NPS",
                "title": "Replica",
                "question": "Recommend us?",
                "channels": ["EMAIL"],
            }
        },
    )
    survey_id: str = drafted["draftSurvey"]["survey"]["id"]
    as_role(
        url,
        Role.ANALYST,
        "mutation($i: PublishSurveyInput!) { publishSurvey(input: $i) { position } }",
        {"i": {"surveyId": survey_id}},
    )
    customer_id: str = register(url, "Cy")["customer"]["id"]
    as_role(
        url,
        Role.AGENT,
        "mutation($i: SetContactPreferencesInput!) { setContactPreferences(input: $i) "
        "{ position } }",
        {"i": {"customerId": customer_id, "email": True}},
    )
    return survey_id, customer_id


def invite(url: str, survey_id: str, customer_id: str) -> None:
    invited = as_role(
        url,
        Role.AGENT,
        "mutation($i: InviteToSurveyInput!) { inviteToSurvey(input: $i) { userErrors { code } } }",
        {"i": {"surveyId": survey_id, "customerId": customer_id, "channel": "EMAIL"}},
    )
    assert invited["inviteToSurvey"]["userErrors"] == [], invited
