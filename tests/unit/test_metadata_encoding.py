"""Encoding metadata (EventMetadataAsDict): a command's events share one encoding of its one
metadata object, and no other command's metadata is ever written in its place."""

from __future__ import annotations

from domain.shared.metadata import Channel, EventMetadata, EventMetadataAsDict, Role


def metadata(actor: str) -> EventMetadata:
    return EventMetadata(actor_id=actor, actor_role=Role.AGENT, channel=Channel.API)


def test_each_metadata_is_encoded_as_its_own_values_when_commands_interleave() -> None:
    transcoding = EventMetadataAsDict()
    ada, bob = metadata("ada"), metadata("bob")
    for meta in (ada, ada, bob, ada, bob, bob):
        encoded = transcoding.encode(meta)
        assert encoded == {
            "actor": meta.actor_id,
            "role": "agent",
            "channel": "api",
            "correlation": meta.correlation_id.hex,
            "causation": meta.causation_id.hex,
        }


def test_equal_values_in_another_metadata_object_encode_alike() -> None:
    transcoding = EventMetadataAsDict()
    first = metadata("ada")
    twin = EventMetadata(
        actor_id="ada",
        actor_role=Role.AGENT,
        channel=Channel.API,
        correlation_id=first.correlation_id,
        causation_id=first.causation_id,
    )
    assert transcoding.encode(first) == transcoding.encode(twin)
    assert transcoding.decode(transcoding.encode(twin)) == first
