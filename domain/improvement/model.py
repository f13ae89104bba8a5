"""The Improvement aggregate: a change announced to the customers whose feedback was on its
topic.

Who those customers are is decided once, when it is announced, from the feedback known then,
and recorded in the stream (``AudienceRecorded``, in chunks of bounded size): the reaction
that notifies them and the read model that measures their NPS before and after both read it
from the log, so they agree with each other and with any rebuild.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.improvement.values import AUDIENCE_CHUNK, Topic, TopicKind
from domain.shared.aggregate import LedgerAggregate


class Improvement(LedgerAggregate):
    """An improvement made from customers' feedback on an aspect or a comment theme."""

    class Announced(LedgerAggregate.Created):
        """``topic_kind`` ``topic`` was improved in ``product_version``; ``message`` tells
        customers what changed (staff's words, not personal data)."""

        topic_kind: str
        topic: str
        product_version: str
        message: str
        at: datetime
        audience_size: int

        def apply(self, improvement: Improvement) -> None:
            improvement.topic = Topic(TopicKind(self.topic_kind), self.topic)
            improvement.product_version = self.product_version
            improvement.message = self.message
            improvement.announced_at = self.at
            improvement.audience_size = self.audience_size

    class AudienceRecorded(LedgerAggregate.Event):
        """Some of the customers whose feedback was on the topic when it was announced (one
        chunk; the chunks of one announcement are disjoint)."""

        customer_ids: list[UUID]

        def apply(self, improvement: Improvement) -> None:
            pass  # the audience is read from the log, not kept in memory

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    topic: Topic
    product_version: str
    message: str
    announced_at: datetime
    audience_size: int

    @classmethod
    def announce(
        cls,
        improvement_id: UUID,
        *,
        topic: Topic,
        product_version: str,
        message: str,
        audience: list[UUID],
        at: datetime,
    ) -> Improvement:
        """Announce it, with its audience (each customer once, in a stable order)."""
        unique = sorted(set(audience), key=str)
        improvement = cls._create(
            cls.Announced,
            id=improvement_id,
            topic_kind=topic.kind.value,
            topic=topic.name,
            product_version=product_version,
            message=message,
            at=at,
            audience_size=len(unique),
        )
        for start in range(0, len(unique), AUDIENCE_CHUNK):
            chunk = unique[start : start + AUDIENCE_CHUNK]
            improvement.trigger_event(cls.AudienceRecorded, customer_ids=chunk)
        return improvement
