"""The minimum group size (k-anonymity) of everything the dashboard shows.

A group is what one figure describes: the filtered set, one trend period, one breakdown value,
one aspect, one theme. It is shown only when each of its populations that is not empty (the
people who answered, the people invited, the people who commented) holds at least
``min_group_size`` distinct people; otherwise it is suppressed: its counts read 0, its figures
None, and its ``suppressed`` flag says so (an aspect or a theme is left out of its list). People
are counted, not responses: one customer answering five surveys is one person.

The caller chooses ``min_group_size`` for its reader (the API: ``CXL_MIN_GROUP_SIZE`` for those
who may not see personal data, 1 for those who read the comments themselves); 1 shows every
group. The rule is applied when the figures are read, so it holds live and after any rebuild.
"""

from __future__ import annotations

from projections.surveys.views import DashboardFigures, NpsFigures

EVERY_GROUP = 1
"""The minimum group size that suppresses nothing."""


def too_small(people: int, min_group_size: int) -> bool:
    """A non-empty population of fewer than ``min_group_size`` distinct people."""
    return 0 < people < min_group_size


SUPPRESSED_NPS = NpsFigures(0, 0, 0, 0, None, None, suppressed=True)

SUPPRESSED_FIGURES = DashboardFigures(
    invitations=0,
    responses=0,
    response_rate=None,
    nps=SUPPRESSED_NPS,
    csat_responses=0,
    csat=None,
    ces_responses=0,
    ces_average=None,
    average_completion_seconds=None,
    suppressed=True,
)
