"""Values of the referral program: codes, email variants, the program's terms."""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from domain.customer.values import normalise_email
from domain.purchase.values import check_currency
from domain.referral.errors import InvalidReferralCodeError
from domain.shared.errors import ValidationError

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0/O, 1/I/L: codes are read aloud and typed from paper."""
CODE_LENGTH = 10
"""31^10 ≈ 8e14 codes: guessing one is hopeless at any request rate the API allows."""
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_DOMAINS = 5_000


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_code(code: str) -> str:
    """Codes are compared upper-case, without spaces or dashes people add when typing them."""
    cleaned = re.sub(r"[\s-]", "", code).upper()
    if not _CODE.fullmatch(cleaned):
        raise InvalidReferralCodeError("this referral code is not valid", field="code")
    return cleaned


def email_variant(email: str) -> str:
    """The email as one person's variants collapse: lower case, the local part without dots
    and without a +tag (``a.b+x@mail.com`` and ``ab@mail.com`` are one person here)."""
    local, _, domain = normalise_email(email).partition("@")
    local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return normalise_email(email).rpartition("@")[2]


def check_domain(domain: str) -> str:
    cleaned = domain.strip().lower().rstrip(".")
    if not _DOMAIN.fullmatch(cleaned):
        raise ValidationError(f"{domain[:60]!r} is not a domain name", field="disposableDomains")
    return cleaned


@dataclass(frozen=True, slots=True)
class ReferralTerms:
    """How the program rewards and limits referrals."""

    referrer_points: int = 500
    friend_points: int = 250
    qualifying_amount_minor: int = 2_000
    """The friend's first purchase must reach this amount (in ``currency``) to qualify."""
    currency: str = "EUR"
    invitations_per_day: int = 10
    invitations_total: int = 200
    code_lifetime_days: int = 365
    velocity_conversions: int = 5
    """More conversions than this for one referrer within ``velocity_hours`` are flagged."""
    velocity_hours: int = 24
    disposable_domains: tuple[str, ...] = field(default_factory=tuple)

    def checked(self) -> ReferralTerms:
        for name in ("referrer_points", "friend_points", "qualifying_amount_minor"):
            _in_range(name, getattr(self, name), 0, 10_000_000)
        check_currency(self.currency)
        _in_range("invitations_per_day", self.invitations_per_day, 1, 1_000)
        _in_range("invitations_total", self.invitations_total, 1, 100_000)
        _in_range("code_lifetime_days", self.code_lifetime_days, 1, 3_650)
        _in_range("velocity_conversions", self.velocity_conversions, 1, 10_000)
        _in_range("velocity_hours", self.velocity_hours, 1, 24 * 365)
        if len(self.disposable_domains) > MAX_DOMAINS:
            raise ValidationError(f"at most {MAX_DOMAINS} domains", field="disposableDomains")
        domains = tuple(sorted({check_domain(d) for d in self.disposable_domains}))
        return ReferralTerms(**{**asdict(self), "disposable_domains": domains})

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "disposable_domains": list(self.disposable_domains)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReferralTerms:
        return cls(**{**data, "disposable_domains": tuple(data["disposable_domains"])})


def _in_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
        raise ValidationError(f"{camel} must be between {low} and {high}", field=camel)
