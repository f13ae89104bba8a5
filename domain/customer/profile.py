"""Value types of a customer's profile: address, channels, consent purposes, onboarding."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from enum import StrEnum

from domain.customer.values import normalise_address_part
from domain.shared.errors import ValidationError


class ContactChannel(StrEnum):
    """Channels a customer can be contacted through."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class ConsentPurpose(StrEnum):
    """What a customer can consent to."""

    MARKETING = "marketing"
    TESTIMONIALS = "testimonials"
    RESEARCH = "research"


class ConsentDecision(StrEnum):
    """What the customer last said about a purpose: yes, no after a yes, or no outright."""

    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"


_STEP = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
ONBOARDING_STEPS = ("profile_completed", "first_purchase", "app_installed", "preferences_set")


def check_onboarding_step(step: str) -> str:
    if not _STEP.fullmatch(step):
        raise ValidationError("step must be a snake_case name", field="step")
    return step


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; stored sealed as one piece of personal data."""

    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    country: str

    @classmethod
    def checked(
        cls, line1: str, line2: str | None, city: str, postal_code: str | None, country: str
    ) -> Address:
        country_code = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country_code):
            raise ValidationError("country must be an ISO 3166 code such as DE", field="country")
        return cls(
            line1=normalise_address_part(line1, "line1", required=True) or "",
            line2=normalise_address_part(line2, "line2", required=False),
            city=normalise_address_part(city, "city", required=True) or "",
            postal_code=normalise_address_part(postal_code, "postalCode", required=False),
            country=country_code,
        )

    def to_text(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_text(cls, text: str) -> Address:
        return cls(**json.loads(text))
