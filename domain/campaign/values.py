"""Values of campaigns: statuses, the template's placeholders, why a recipient is skipped, and
the pure decision of whether one customer receives the message."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.shared.errors import ValidationError

MAX_NAME = 100
MAX_SUBJECT = 200
MAX_BODY = 10_000
MIN_CONVERSION_DAYS, MAX_CONVERSION_DAYS = 1, 365
BATCH_SIZE = 1000
"""Recipients decided and recorded per batch (one event of its own stream)."""

PLACEHOLDERS = frozenset({"first_name", "tier", "points", "recommended_product"})
"""The only fields a template may personalise."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class CampaignChannel(StrEnum):
    EMAIL = "email"


class SkipReason(StrEnum):
    """Why a member of the segment got no message, decided when the batch was sent."""

    NO_MARKETING_CONSENT = "no_marketing_consent"
    EMAIL_OPTED_OUT = "email_opted_out"
    FREQUENCY_CAP = "frequency_cap"


def check_text(value: str, field: str, limit: int, *, one_line: bool) -> str:
    text = value.strip()
    bad_line = one_line and ("\n" in text or "\r" in text)
    if not 1 <= len(text) <= limit or _CONTROL.search(text) or bad_line:
        raise ValidationError(f"{field} is 1 to {limit} characters of text", field=field)
    return text


def check_template(value: str, field: str, limit: int, *, one_line: bool) -> str:
    """The text, if every ``{placeholder}`` in it is one of :data:`PLACEHOLDERS`."""
    text = check_text(value, field, limit, one_line=one_line)
    try:
        parts = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text)]
    except ValueError:
        raise ValidationError(f"{field} has an unbalanced brace", field=field) from None
    names = [name for name, _, _ in parts if name is not None]
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join(sorted(PLACEHOLDERS))
        raise ValidationError(
            f"{field} uses unknown placeholders {unknown}; allowed: {allowed}", field=field
        )
    if any(spec or conv for name, spec, conv in parts if name is not None):
        raise ValidationError(f"{field}: a placeholder takes no format", field=field)
    return text


def check_conversion_days(days: int) -> int:
    if not MIN_CONVERSION_DAYS <= days <= MAX_CONVERSION_DAYS:
        raise ValidationError(
            f"conversion window is {MIN_CONVERSION_DAYS} to {MAX_CONVERSION_DAYS} days",
            field="conversionDays",
        )
    return days


def render(template: str, values: dict[str, str]) -> str:
    """The template with its placeholders filled (a missing value renders empty)."""
    return template.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the sender knows of one member of the segment when their batch is decided."""

    marketing_consent: bool
    email_opted_in: bool
    recent_messages: int
    """Campaign messages queued to them within the frequency window, across campaigns."""


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    """At most ``messages`` campaign messages per customer per ``window_days`` rolling days."""

    messages: int
    window_days: int


def skip_reason(candidate: Candidate, cap: FrequencyCap) -> SkipReason | None:
    """Why this member gets no message, or None when they get it. Consent and preference come
    first: a customer who said no is reported as such, not as capped."""
    if not candidate.marketing_consent:
        return SkipReason.NO_MARKETING_CONSENT
    if not candidate.email_opted_in:
        return SkipReason.EMAIL_OPTED_OUT
    if candidate.recent_messages >= cap.messages:
        return SkipReason.FREQUENCY_CAP
    return None


def check_schedule(scheduled_at: datetime, now: datetime) -> datetime:
    if scheduled_at.tzinfo is None:
        raise ValidationError("a schedule needs a time zone", field="scheduledAt")
    if scheduled_at <= now:
        raise ValidationError("a schedule is in the future", field="scheduledAt")
    return scheduled_at
