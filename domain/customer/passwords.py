"""Password rules. The hashing port they are checked before is
:class:`domain.shared.ports.PasswordHasher`, filled with argon2id by the composition root."""

from __future__ import annotations

from domain.shared.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 128  # bounds the hashing cost an attacker can ask for

# The most common passwords of public breach corpora that pass the length rule.
_COMMON = frozenset(
    {
        "123456789012",
        "password1234",
        "qwertyuiopas",
        "passwordpassword",
        "iloveyou1234",
        "111111111111",
        "000000000000",
        "123123123123",
        "abc123abc123",
        "qwerty123456",
        "password123!",
        "welcome12345",
        "letmein12345",
        "administrator",
        "1q2w3e4r5t6y",
        "qwertyuiop123",
        "changeme1234",
        "monkey123456",
        "football1234",
        "sunshine1234",
    }
)


class WeakPasswordError(ValidationError):
    code = "WEAK_PASSWORD"


def check_password(password: str, *, email: str, name: str) -> str:
    """Refuse passwords that are short, huge, common, or made of the customer's own data."""
    field = "password"
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"password must have at least {MIN_LENGTH} characters", field=field)
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(f"password must have at most {MAX_LENGTH} characters", field=field)
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        raise WeakPasswordError("password is too easy to guess", field=field)
    own_words = [email.split("@")[0].lower(), *name.lower().split()]
    if any(len(word) >= 4 and word in lowered for word in own_words):
        raise WeakPasswordError("password must not contain your name or email", field=field)
    return password
