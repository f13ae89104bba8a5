"""Values of tickets: statuses, priorities, channels, text limits."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.shared.errors import ValidationError

MAX_SUBJECT = 200
MAX_TEXT = 10_000
MAX_AGENT_ID = 128
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


class TicketStatus(StrEnum):
    NEW = "new"
    """Opened, nobody assigned yet."""
    OPEN = "open"
    """Assigned and being worked on."""
    ON_HOLD = "on_hold"
    """Waiting on the customer: SLA clocks are paused."""
    RESOLVED = "resolved"
    """Clocks stopped; the customer may reopen within the policy's window."""
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        return self in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.ON_HOLD)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class RequesterKind(StrEnum):
    """Who asked: a customer, or a person known only by an email (an anonymous complaint)."""

    CUSTOMER = "customer"
    ANONYMOUS = "anonymous"


class TicketChannel(StrEnum):
    WEB = "web"
    APP = "app"
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    STORE = "store"
    SOCIAL = "social"


class SlaClock(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


def check_category(category: str) -> str:
    if not _CATEGORY.fullmatch(category):
        raise ValidationError(
            "category must be a lower-case slug (letters, digits, - and _)", field="category"
        )
    return category


def check_text(text: str, field: str, limit: int = MAX_TEXT) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError(f"{field} must not be empty", field=field)
    if len(cleaned) > limit or "\x00" in cleaned:
        raise ValidationError(f"{field} is at most {limit} characters", field=field)
    return cleaned


def check_agent_id(agent_id: str) -> str:
    cleaned = agent_id.strip()
    if not cleaned or len(cleaned) > MAX_AGENT_ID or "\x00" in cleaned:
        raise ValidationError(f"agentId must be 1 to {MAX_AGENT_ID} characters", field="agentId")
    return cleaned
