"""The port of the knowledge base's deflection counts (the composition root fills it with
rows kept in PostgreSQL, ``infrastructure/deflection.py``, so every replica counts alike).

A search or a set of suggestions is not an event of the ledger: it changes nothing about
anyone, and a customer typing a subject would append one per pause. It is an operational
count, like the throttles' counters. What is counted:

- ``searches``: calls of ``searchArticles``;
- ``suggestions``: calls of ``suggestArticles`` that showed at least one article (each gets a
  ``suggestionsShown`` token);
- ``followedByTicket``: of those, how many tokens an ``openTicket`` later came back with;
- ``deflectionRate``: ``(suggestions - followedByTicket) / suggestions``, the share of shown
  suggestions that no ticket followed (null before any). A customer who gave up without
  opening a ticket counts as deflected, as in Zammad's and Chatwoot's figures; a ticket opened
  without sending the token back counts as deflected too, so a frontend must pass it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class DeflectionCounts:
    searches: int
    suggestions: int
    followed_by_ticket: int

    @property
    def deflection_rate(self) -> float | None:
        if self.suggestions == 0:
            return None
        return (self.suggestions - self.followed_by_ticket) / self.suggestions


class Deflection(Protocol):
    """Synchronous: run each off the event loop."""

    def searched(self) -> None:
        """Count one search."""
        ...

    def shown(self) -> str:
        """Count one set of suggestions shown; its token."""
        ...

    def ticket_opened(self, token: str) -> bool:
        """A ticket followed the suggestions of ``token``; False if unknown or already told."""
        ...

    def counts(self, since: datetime | None, until: datetime | None) -> DeflectionCounts:
        """Suggestions shown from ``since`` to before ``until``; searches of the UTC days from
        ``since``'s to ``until``'s, both included (searches are counted per day)."""
        ...
