"""An email claim's id is ``uuid5(EMAIL_CLAIM_NAMESPACE, fingerprint)``, as every claim already
stored was keyed: now made from the namespace's SHA-1 copied rather than hashed again."""

from __future__ import annotations

from uuid import uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customer.model import EMAIL_CLAIM_NAMESPACE, EmailClaim


@given(st.text())
def test_a_claim_id_is_uuid5_of_the_fingerprint(fingerprint: str) -> None:
    assert EmailClaim.id_for(fingerprint) == uuid5(EMAIL_CLAIM_NAMESPACE, fingerprint)


def test_the_same_fingerprint_gives_the_same_id_each_time() -> None:
    fingerprint = "ab" * 32
    first = EmailClaim.id_for(fingerprint)
    assert EmailClaim.id_for("cd" * 32) != first
    assert EmailClaim.id_for(fingerprint) == first and first.version == 5


def test_text_that_cannot_be_utf8_fails_as_uuid5_does() -> None:
    with pytest.raises(UnicodeEncodeError):
        uuid5(EMAIL_CLAIM_NAMESPACE, "\ud800")
    with pytest.raises(UnicodeEncodeError):
        EmailClaim.id_for("\ud800")
