"""The bounds of what an exclusive event says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.loyalty.values import Tier
from domain.shared.errors import ValidationError
from domain.survey.values import check_text

MAX_TITLE = 200
MAX_PLACE = 300
MAX_DESCRIPTION = 5_000
MAX_CAPACITY = 100_000
"""A venue, not a stadium; the capacity column is an integer either way."""
MAX_POINTS_FOR_ATTENDING = 1_000_000
MAX_DURATION = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What members are told about an event, checked."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    invited_tiers: tuple[Tier, ...]
    points_for_attending: int

    @classmethod
    def checked(
        cls,
        *,
        title: str,
        description: str,
        starts_at: datetime,
        ends_at: datetime,
        place: str,
        capacity: int,
        invited_tiers: list[Tier] | tuple[Tier, ...],
        points_for_attending: int,
    ) -> EventDetails:
        for value, name in ((starts_at, "startsAt"), (ends_at, "endsAt")):
            if value.tzinfo is None:
                raise ValidationError(f"{name} needs a time zone", field=name)
        if not starts_at < ends_at <= starts_at + MAX_DURATION:
            raise ValidationError(
                "endsAt must be after startsAt, at most 31 days later", field="endsAt"
            )
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ValidationError(f"capacity must be 1 to {MAX_CAPACITY}", field="capacity")
        if not invited_tiers:
            raise ValidationError("invite at least one tier", field="invitedTiers")
        if not 0 <= points_for_attending <= MAX_POINTS_FOR_ATTENDING:
            raise ValidationError(
                f"pointsForAttending must be 0 to {MAX_POINTS_FOR_ATTENDING}",
                field="pointsForAttending",
            )
        return cls(
            title=check_text(title, "title", MAX_TITLE),
            description=_check_description(description),
            starts_at=starts_at,
            ends_at=ends_at,
            place=check_text(place, "place", MAX_PLACE),
            capacity=capacity,
            invited_tiers=tuple(sorted(set(invited_tiers), key=list(Tier).index)),
            points_for_attending=points_for_attending,
        )


def _check_description(text: str) -> str:
    """Paragraphs kept, no control character but newlines; may be empty."""
    clean = "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
    if len(clean) > MAX_DESCRIPTION or any(ord(c) < 32 and c != "\n" for c in clean):
        raise ValidationError(
            f"description is at most {MAX_DESCRIPTION} printable characters", field="description"
        )
    return clean
