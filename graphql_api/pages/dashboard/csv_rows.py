"""The dashboard views as CSV: one figure per row (section, group, metric, value), the
filters in ``#`` comment lines above the header. Figures are written exactly as the read
model gives them (a float's shortest round-trip form, as the GraphQL JSON writes it; an empty
cell for null), so a download and the API never disagree by rounding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from projections.surveys.views import DashboardFigures

Row = tuple[str, str, str, object]
HEADER = ("section", "group", "metric", "value")


def figure_rows(section: str, group: str, figures: DashboardFigures) -> Iterator[Row]:
    nps = figures.nps
    yield section, group, "invitations", figures.invitations
    yield section, group, "responses", figures.responses
    yield section, group, "response_rate", figures.response_rate
    yield section, group, "nps_responses", nps.responses
    yield section, group, "promoters", nps.promoters
    yield section, group, "passives", nps.passives
    yield section, group, "detractors", nps.detractors
    yield section, group, "nps", nps.nps
    yield section, group, "nps_margin_of_error", nps.margin_of_error
    yield section, group, "csat", figures.csat
    yield section, group, "ces_average", figures.ces_average
    yield section, group, "suppressed", figures.suppressed


def csv_text(title: str, comments: Iterable[str], rows: Iterable[Row], at: datetime) -> str:
    out = io.StringIO()
    out.write(f"# {_one_line(title)}\n# generated: {at.isoformat()}\n")
    for line in comments:
        out.write(f"# {_one_line(line)}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for section, group, metric, value in rows:
        writer.writerow((section, _safe(group), metric, _cell(value)))
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return _safe(str(value))


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): a text starting with
    =, +, - or @ gets a leading apostrophe. Numbers are written by :func:`_cell` untouched."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _one_line(text: str) -> str:
    return " ".join(text.split())
