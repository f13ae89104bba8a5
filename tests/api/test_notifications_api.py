"""Staff's view of notifications over HTTP: status, kind, tries and last error of each message
(never its address or token), filtered and paged; an admin's retry of a failed one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.customer.commands import RegisterCustomer
from domain.shared.metadata import Channel, EventMetadata, Role
from infrastructure.delivery.mail_catcher import MailCatcher
from projections.outbox.queries import PendingNotification
from tests.support.delivery import MovableClock, sender
from tests.support.outbox import token_of
from tests.support.server import LiveApi
from tests.support.smtp import RefusingHandler

ANONYMOUS = EventMetadata("anonymous", Role.ANONYMOUS, Channel.WEB)
LIST = """
query($filter: NotificationFilter, $after: String) {
  notifications(filter: $filter, first: 1, after: $after) {
    edges { cursor node { id kind channel customerId status attempts lastError sentAt } }
    pageInfo { hasNextPage }
  }
}
"""
RETRY = """
mutation($id: ID!) {
  retryNotification(input: {id: $id}) {
    notification { id status attempts }
    userErrors { field code }
  }
}
"""


def ada_with_two_resets(api: LiveApi) -> UUID:
    agent = EventMetadata("agent-1", Role.AGENT, Channel.PHONE)
    ada = api.ledger.register_customer(RegisterCustomer("Ada", "ada@example.org"), agent)
    for _ in range(2):
        api.ledger.request_password_reset("ada@example.org", ANONYMOUS)
    api.caught_up()
    return ada.aggregate_id


def listed(api: LiveApi, role: Role, **variables: Any) -> dict[str, Any]:
    answer = api.graphql(LIST, variables, role=role)
    assert answer.status_code == 200, answer.text
    assert "ada@example.org" not in answer.text
    return dict(answer.json()["data"]["notifications"])


def test_staff_see_a_failed_message_with_its_error_but_never_its_address_or_token(
    api: LiveApi,
) -> None:
    ada = ada_with_two_resets(api)
    with MailCatcher(RefusingHandler("554 5.7.1 <ada@example.org> rejected")) as refusing:
        sender(api.ledger, api.database, refusing.endpoint, MovableClock()).run()

    filter_ = {"status": "FAILED", "kind": "PASSWORD_RESET", "customerId": str(ada)}
    first = listed(api, Role.AGENT, filter=filter_)
    [edge] = first["edges"]
    node = edge["node"]
    assert (node["kind"], node["channel"], node["customerId"], node["status"]) == (
        "PASSWORD_RESET",
        "email",
        str(ada),
        "FAILED",
    )
    assert node["attempts"] == 1 and "SMTP 554" in node["lastError"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = listed(api, Role.AGENT, filter=filter_, after=edge["cursor"])
    assert second["pageInfo"]["hasNextPage"] is False
    assert int(second["edges"][0]["node"]["id"]) < int(node["id"])  # newest first
    with api.database.connect() as conn:
        tokens = {token_of(api.ledger, m) for m in _pending_outbox(conn)}
    answer = api.graphql(LIST, {"filter": filter_}, role=Role.ADMIN).text
    assert not any(token in answer for token in tokens)


def test_an_admin_retries_a_failed_message_and_it_is_sent(api: LiveApi) -> None:
    ada_with_two_resets(api)
    clock = MovableClock()
    with MailCatcher(RefusingHandler("554 no")) as refusing:
        sender(api.ledger, api.database, refusing.endpoint, clock).run()
    failed = listed(api, Role.ADMIN, filter={"status": "FAILED"})["edges"][0]["node"]["id"]

    answer = api.graphql(RETRY, {"id": failed}, role=Role.ADMIN).json()["data"]
    assert answer["retryNotification"] == {
        "notification": {"id": failed, "status": "PENDING", "attempts": 0},
        "userErrors": [],
    }
    clock.advance(60)  # the retry is due from the moment it was asked for
    with MailCatcher() as catcher:
        sender(api.ledger, api.database, catcher.endpoint, clock).run()
        assert len(catcher.mailbox.all()) == 1  # the retried one; the other stays failed
    sent = listed(api, Role.ADMIN, filter={"status": "SENT"})["edges"][0]["node"]
    assert (sent["id"], sent["attempts"]) == (failed, 1) and sent["sentAt"] is not None


def test_retrying_a_message_that_has_not_failed_changes_nothing(api: LiveApi) -> None:
    ada_with_two_resets(api)
    with MailCatcher() as catcher:
        sender(api.ledger, api.database, catcher.endpoint, MovableClock()).run()
    sent = listed(api, Role.ADMIN, filter={"status": "SENT"})["edges"][0]["node"]["id"]
    for id_, code in ((sent, "NOTIFICATION_NOT_FAILED"), ("x1", "INVALID_INPUT")):
        answer = api.graphql(RETRY, {"id": id_}, role=Role.ADMIN).json()["data"]
        assert answer["retryNotification"]["userErrors"] == [
            {"field": ["input", "id"], "code": code}
        ]
    assert listed(api, Role.ADMIN, filter={"status": "SENT"})["edges"][0]["node"]["id"] == sent


BACKWARD = """
query($filter: NotificationFilter, $before: String) {
  notifications(filter: $filter, last: 1, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor }
  }
}
"""


def test_staff_page_backward_from_the_oldest_message_toward_the_newest(api: LiveApi) -> None:
    """The list is newest first, so the page before a cursor holds newer messages."""
    ada = ada_with_two_resets(api)
    filter_ = {"kind": "PASSWORD_RESET", "customerId": str(ada)}
    newer = listed(api, Role.AGENT, filter=filter_)["edges"][0]
    older = listed(api, Role.AGENT, filter=filter_, after=newer["cursor"])["edges"][0]
    newest_first = [newer["node"]["id"], older["node"]["id"]]

    def back(before: str | None) -> dict[str, Any]:
        answer = api.graphql(BACKWARD, {"filter": filter_, "before": before}, role=Role.AGENT)
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["data"]["notifications"])

    oldest = back(None)
    assert [e["node"]["id"] for e in oldest["edges"]] == newest_first[1:]
    assert (oldest["pageInfo"]["hasPreviousPage"], oldest["pageInfo"]["hasNextPage"]) == (
        True,
        False,
    )
    newest = back(oldest["pageInfo"]["startCursor"])
    assert [e["node"]["id"] for e in newest["edges"]] == newest_first[:1]
    assert (newest["pageInfo"]["hasPreviousPage"], newest["pageInfo"]["hasNextPage"]) == (
        False,
        True,
    )


def _pending_outbox(conn: Any) -> list[PendingNotification]:
    rows = conn.execute(
        "SELECT id, cause_position, cause_entry, customer_id, channel, kind, payload, created_at"
        " FROM notification_outbox"
    ).fetchall()
    return [PendingNotification(*row) for row in rows]
