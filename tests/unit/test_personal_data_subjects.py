"""The personal-data index reads which subjects a stored event seals values for, from its JSON
alone, whichever parser reads it."""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.persistence import Notification

from projections.privacy.personal_data import sealed_subjects


def stored(state: bytes) -> Notification:
    return Notification(uuid4(), 1, "domain.survey.model:Invitation.Responded", state, 7)


def sealed(subject: UUID) -> bytes:
    return b'{"_type_": "pd", "_data_": {"s": "%s", "c": "c2VhbGVk"}}' % subject.hex.encode()


def test_every_sealed_value_names_its_subject_however_deep() -> None:
    """Sealed values anywhere in the state (nested objects, lists) each give their subject."""
    ada, bob = uuid4(), uuid4()
    state = b'{"comment": %s, "others": [{"x": %s}, %s], "score": 9}' % (
        sealed(ada),
        sealed(bob),
        sealed(ada),
    )
    assert sealed_subjects(stored(state)) == {ada, bob}


def test_what_orjson_refuses_is_read_by_json() -> None:
    """A state orjson refuses (NaN, which ``json`` writes for such a float) still names its
    subjects: the standard parser reads it; an integer past 64 bits changes nothing."""
    ada = uuid4()
    state = b'{"comment": %s, "ratio": NaN, "big": 123456789012345678901234567890}' % sealed(ada)
    assert sealed_subjects(stored(state)) == {ada}


def test_a_state_without_sealed_values_names_no_one() -> None:
    """An event without the marker is not parsed at all and names no subject."""
    assert sealed_subjects(stored(b'{"score": 9, "comment": null}')) == set()
