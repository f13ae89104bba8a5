"""The ThemePriority aggregate: a product manager's decisions on one theme of customers'
feedback (comments and feedback), planned and then done.

One stream per theme, its id derived from the theme's text, so two managers deciding on the
same theme meet in one stream (and its version). The theme is a word or phrase many customers
used (the read side lists only those), and the note is staff's words: no personal value here.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from domain.shared.aggregate import LedgerAggregate
from domain.theme_priority.errors import ThemeAlreadyDoneError, ThemeAlreadyPlannedError
from domain.theme_priority.values import ThemeStatus

THEME_PRIORITY_NAMESPACE = UUID("0b7c6a8e-52f1-4c3e-9d57-7f1e2a9c4d61")


class ThemePriority(LedgerAggregate):
    """Where one feedback theme stands: open, planned or done."""

    class Tracked(LedgerAggregate.Created):
        """A product manager first decided on ``theme`` (the decision follows)."""

        theme: str

        def apply(self, priority: ThemePriority) -> None:
            priority.theme = self.theme
            priority.status = ThemeStatus.OPEN

    class MarkedPlanned(LedgerAggregate.Event):
        """The theme was put on the roadmap; ``note`` says where (may be empty)."""

        note: str
        at: datetime

        def apply(self, priority: ThemePriority) -> None:
            priority.status = ThemeStatus.PLANNED

    class MarkedDone(LedgerAggregate.Event):
        """What the theme asked for shipped; ``note`` says where (may be empty)."""

        note: str
        at: datetime

        def apply(self, priority: ThemePriority) -> None:
            priority.status = ThemeStatus.DONE

    def __init__(self) -> None:
        pass  # state comes from the events (see Customer.__init__)

    theme: str
    status: ThemeStatus

    @staticmethod
    def id_for(theme: str) -> UUID:
        return uuid5(THEME_PRIORITY_NAMESPACE, theme)

    @classmethod
    def track(cls, theme: str) -> ThemePriority:
        return cls._create(cls.Tracked, id=cls.id_for(theme), theme=theme)

    def mark_planned(self, note: str, at: datetime) -> None:
        """Plan an open theme; a planned or done one is refused."""
        if self.status is ThemeStatus.DONE:
            raise ThemeAlreadyDoneError(f"{self.theme!r} is done already", field="theme")
        if self.status is ThemeStatus.PLANNED:
            raise ThemeAlreadyPlannedError(f"{self.theme!r} is planned already", field="theme")
        self.trigger_event(self.MarkedPlanned, note=note, at=at)

    def mark_done(self, note: str, at: datetime) -> None:
        """Mark an open or planned theme done (shipping unplanned is allowed); twice refused."""
        if self.status is ThemeStatus.DONE:
            raise ThemeAlreadyDoneError(f"{self.theme!r} is done already", field="theme")
        self.trigger_event(self.MarkedDone, note=note, at=at)
