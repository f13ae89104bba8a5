"""``acting_as`` and ``fresh_keys_for`` (classes now, generators before) set their context for
their block only: back to what it was after the block, after an error too, and nested blocks
restore the outer one's."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.shared.metadata import (
    Channel,
    EventMetadata,
    MissingMetadataError,
    Role,
    acting_as,
    active_metadata,
)
from infrastructure.fresh_keys import fresh_keys_for, fresh_keys_now

AGENT = EventMetadata(actor_id="agent", actor_role=Role.AGENT, channel=Channel.API)
SYSTEM = EventMetadata.system()


def test_acting_as_sets_the_metadata_for_its_block_only() -> None:
    with acting_as(AGENT) as entered:
        assert entered is AGENT and active_metadata() is AGENT
        with acting_as(SYSTEM):
            assert active_metadata() is SYSTEM
        assert active_metadata() is AGENT
    with pytest.raises(MissingMetadataError):
        active_metadata()


def test_acting_as_is_left_on_an_error_which_goes_on() -> None:
    with pytest.raises(KeyError), acting_as(AGENT):
        raise KeyError("boom")
    with pytest.raises(MissingMetadataError):
        active_metadata()


def test_fresh_keys_are_asked_inside_the_block_only() -> None:
    ada, bob = uuid4(), uuid4()
    assert fresh_keys_now() is None
    with fresh_keys_for([ada]) as outer:
        assert fresh_keys_now() is outer and outer.may_make(ada)
        with fresh_keys_for([bob]) as inner:
            assert fresh_keys_now() is inner and not inner.may_make(ada)
        assert fresh_keys_now() is outer
    assert fresh_keys_now() is None
    with pytest.raises(ValueError), fresh_keys_for([ada]):
        raise ValueError("boom")
    assert fresh_keys_now() is None
