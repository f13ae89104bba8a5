"""Two agents resolving the same ticket at once over HTTP, both from the version they saw:
exactly one wins; the other gets CONCURRENCY_CONFLICT carrying the current version, and the
ticket holds one resolution. Repeated on many tickets, so that two successes would show."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

import httpx

from domain.shared.metadata import Role
from domain.ticket.model import Ticket
from tests.api.steps import events_of
from tests.api.ticket_steps import customer, done, opened
from tests.support.server import LiveApi

TICKETS = 10
RESOLVE = (
    "mutation($i: ResolveTicketInput!) { resolveTicket(input: $i) {"
    " ticket { status version } position userErrors { code currentVersion } } }"
)


def resolve_at_once(api: LiveApi, ticket_id: str, version: int) -> list[dict[str, Any]]:
    """Two agents send resolveTicket with the same expected version, released together."""
    barrier = threading.Barrier(2)
    answers: list[dict[str, Any]] = [{}, {}]

    def agent(index: int) -> None:
        token = api.token(Role.AGENT, f"agent-{index}")
        variables = {
            "i": {
                "ticketId": ticket_id,
                "resolution": f"Fixed by {index}",
                "expectedVersion": version,
            }
        }
        with httpx.Client(base_url=api.url, timeout=30) as client:
            barrier.wait()
            response = client.post(
                "/graphql",
                json={"query": RESOLVE, "variables": variables},
                headers={"authorization": f"Bearer {token}"},
            )
        answers[index] = response.json()["data"]["resolveTicket"]

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_two_agents_resolving_at_once_one_wins_one_conflicts(api: LiveApi) -> None:
    someone = customer(api)
    for _ in range(TICKETS):
        ticket_id = opened(api, someone)["id"]
        version = done(api, "assignTicket", ticket_id, agentId="agent-0")["version"]
        answers = resolve_at_once(api, ticket_id, version)
        won = [a for a in answers if a["userErrors"] == []]
        lost = [a for a in answers if a["userErrors"]]
        assert len(won) == 1 and len(lost) == 1, answers
        assert won[0]["ticket"] == {"status": "RESOLVED", "version": version + 1}
        assert lost[0]["userErrors"] == [
            {"code": "CONCURRENCY_CONFLICT", "currentVersion": version + 1}
        ]
        assert lost[0]["ticket"] is None and lost[0]["position"] is None
        resolutions = [e for e in events_of(api, UUID(ticket_id)) if isinstance(e, Ticket.Resolved)]
        assert len(resolutions) == 1
