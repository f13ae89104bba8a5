"""Refusals specific to tickets."""

from __future__ import annotations

from domain.shared.errors import DomainError, NotFoundError


class TicketNotFoundError(NotFoundError):
    """Unknown ticket, or (for a customer) somebody else's: the same answer for both."""

    code = "TICKET_NOT_FOUND"


class IllegalTicketTransitionError(DomainError):
    """The ticket's status does not allow this step (e.g. resolving a closed ticket)."""

    code = "ILLEGAL_TICKET_TRANSITION"


class ReopenWindowPassedError(DomainError):
    code = "REOPEN_WINDOW_PASSED"


class TicketIdReusedError(DomainError):
    """The ticket id (the idempotency key) was first used for another ticket."""

    code = "TICKET_ID_REUSED"
