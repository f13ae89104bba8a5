"""Events as an older class version of them was stored, to test upcasting."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from domain.ledger import Ledger


def as_stored_before(
    ledger: Ledger,
    event: Any,
    added_fields: tuple[str, ...] = (),
    older_values: dict[str, Any] | None = None,
) -> Any:
    """``event`` read back as if stored by the previous class version: without the class
    version marker, without ``added_fields`` and with ``older_values`` in place of its own,
    through the ledger's own mapper (and so through the upcasters)."""
    stored = ledger.mapper.to_stored_event(event)
    state = ledger.mapper.transcoder.decode(stored.state)
    for name in ("class_version", *added_fields):
        del state[name]
    state.update(older_values or {})
    older = replace(stored, state=ledger.mapper.transcoder.encode(state))
    read: DomainEventProtocol[Any] = ledger.mapper.to_domain_event(older)
    return read


RESPONDED_V2_FIELDS = ("tier", "comment_sentiment")
"""What version 2 of ``Invitation.Responded`` added."""
