"""Announcing an improvement.

The read side tells the command what it knows of the feedback on the topic
(:class:`FeedbackOnTopic`: whether any survey or comment is about it, and who gave it); the
command decides: an unknown topic is refused, naming it, and the audience is recorded with the
announcement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from domain.improvement.errors import ImprovementNotFoundError, UnknownTopicError
from domain.improvement.model import Improvement
from domain.improvement.values import Topic, check_announced_version, check_message
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.ids import new_id
from domain.shared.metadata import EventMetadata, acting_as


@dataclass(frozen=True, slots=True)
class FeedbackOnTopic:
    """What the read side knows of the feedback on a topic when it is announced: whether the
    topic is known at all (a survey asks about the aspect, a comment mentions the theme) and
    the customers whose feedback was on it."""

    known: bool
    customer_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class AnnounceImprovement(Command[CommandResult]):
    """Announce that the aspect or theme (exactly one) was improved in ``product_version``."""

    aspect: str | None
    theme: str | None
    product_version: str
    message: str
    feedback: FeedbackOnTopic = field(default_factory=lambda: FeedbackOnTopic(False))
    improvement_id: UUID | None = None
    """Given by the client, a retried announcement answers the first one."""
    now: datetime | None = None


def announce_improvement(
    ledger: LedgerCore, command: AnnounceImprovement, metadata: EventMetadata
) -> CommandResult:
    improvement_id = command.improvement_id or new_id()
    existing = ledger.find(improvement_id, Improvement, _not_an_improvement)
    if existing is not None:  # a retried command answers the same
        return CommandResult(existing.id, existing.version, ledger.head_position())
    topic = Topic.checked(command.aspect, command.theme)
    version = check_announced_version(command.product_version)
    message = check_message(command.message)
    if not command.feedback.known:
        raise UnknownTopicError(f"no feedback is on {topic.describe()}", field=topic.kind.value)
    with acting_as(metadata):
        improvement = Improvement.announce(
            improvement_id,
            topic=topic,
            product_version=version,
            message=message,
            audience=list(command.feedback.customer_ids),
            at=command.now or datetime.now(UTC),
        )
    return CommandResult(improvement.id, improvement.version, ledger.commit(improvement))


def improvement_of(ledger: LedgerCore, improvement_id: UUID) -> Improvement:
    return ledger.load(improvement_id, Improvement, _not_an_improvement)


def _not_an_improvement() -> ImprovementNotFoundError:
    return ImprovementNotFoundError("no such improvement")
