"""Inputs of the campaign mutations. The domain checks the template and the bounds and names
the offending field."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from domain.campaign.values import MAX_CONVERSION_DAYS, MIN_CONVERSION_DAYS

EXPECTED_VERSION = (
    "The campaign's version you saw; if it has changed since, nothing is written and the "
    "answer is CONCURRENCY_CONFLICT with the current version. Leave out to skip the check."
)
PLACEHOLDERS_TEXT = "{first_name}, {tier}, {points} and {recommended_product}"


@strawberry.input(description="An email campaign to a segment, drafted.")
class DraftCampaignInput:
    name: str = strawberry.field(description="Name, 1-100 characters on one line.")
    segment_id: UUID = strawberry.field(description="The segment it goes to.")
    subject: str = strawberry.field(
        description=f"Subject, 1-200 characters on one line; may use {PLACEHOLDERS_TEXT}."
    )
    body: str = strawberry.field(
        description=f"Text, 1-10000 characters; may use {PLACEHOLDERS_TEXT}. Any other "
        "placeholder, or a format, is INVALID_INPUT on this field."
    )
    conversion_days: int = strawberry.field(
        default=14,
        description=f"A recipient's purchase within this many days of the message counts as a "
        f"conversion ({MIN_CONVERSION_DAYS}-{MAX_CONVERSION_DAYS}).",
    )
    campaign_id: UUID | None = strawberry.field(
        default=None, description="Client-chosen id (a second draft with it is refused)."
    )


@strawberry.input(description="When a draft campaign is to be launched.")
class ScheduleCampaignInput:
    campaign_id: UUID = strawberry.field(description="The campaign.")
    scheduled_at: datetime = strawberry.field(
        description="When the sender launches it: a future instant with a time zone."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A campaign to launch now or to cancel.")
class CampaignIdInput:
    campaign_id: UUID = strawberry.field(description="The campaign.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
