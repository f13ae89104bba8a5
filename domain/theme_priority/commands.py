"""Marking a theme planned or done: the commands and the handler functions that run them (see
:mod:`domain.shared.commands`).

The read side tells the command whether any customer's feedback mentions the theme
(``raised``), as it tells an improvement's announcement; the command decides: a theme nobody
raised is refused (a typo, most likely), naming it, unless a decision on it exists already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.improvement.errors import UnknownTopicError
from domain.shared.application import CommandResult, LedgerCore
from domain.shared.commands import Command
from domain.shared.errors import ConcurrencyConflictError, NotFoundError
from domain.shared.metadata import EventMetadata, acting_as
from domain.theme_priority.model import ThemePriority
from domain.theme_priority.values import check_note, check_theme


@dataclass(frozen=True, slots=True)
class MarkThemePlanned(Command[CommandResult]):
    """Put ``theme`` on the roadmap, with an optional note."""

    theme: str
    note: str | None = None
    raised: bool = False
    """Whether any customer's comment or feedback mentions the theme (from the read side)."""
    expected_version: int | None = None
    """The decision's version you saw (0: none yet); CONCURRENCY_CONFLICT if it moved."""
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class MarkThemeDone(Command[CommandResult]):
    """Say that what ``theme`` asked for shipped, with an optional note."""

    theme: str
    note: str | None = None
    raised: bool = False
    expected_version: int | None = None
    now: datetime | None = None


def mark_theme_planned(
    ledger: LedgerCore, command: MarkThemePlanned, metadata: EventMetadata
) -> CommandResult:
    return _decide(ledger, command, metadata, ThemePriority.mark_planned)


def mark_theme_done(
    ledger: LedgerCore, command: MarkThemeDone, metadata: EventMetadata
) -> CommandResult:
    return _decide(ledger, command, metadata, ThemePriority.mark_done)


def _decide(
    ledger: LedgerCore,
    command: MarkThemePlanned | MarkThemeDone,
    metadata: EventMetadata,
    decision: Callable[[ThemePriority, str, datetime], None],
) -> CommandResult:
    theme, note = check_theme(command.theme), check_note(command.note)
    priority = ledger.find(ThemePriority.id_for(theme), ThemePriority, _not_found)
    current = 0 if priority is None else priority.version
    if command.expected_version is not None and command.expected_version != current:
        raise ConcurrencyConflictError("the theme was decided on since", current_version=current)
    if priority is None and not command.raised:
        raise UnknownTopicError(f"no feedback mentions the theme {theme!r}", field="theme")
    with acting_as(metadata):
        priority = priority or ThemePriority.track(theme)
        decision(priority, note, command.now or datetime.now(UTC))
    return CommandResult(priority.id, priority.version, ledger.commit(priority))


def _not_found() -> NotFoundError:
    return NotFoundError("no decision on this theme", field="theme")
