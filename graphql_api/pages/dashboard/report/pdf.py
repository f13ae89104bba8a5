"""The monthly report laid out as a PDF with fpdf2: pure Python (no system libraries, no
browser, no LaTeX), maintained and typed, and it draws the chart itself, so the report needs
nothing beyond the package. Its core fonts hold Latin-1 only: any other character (a theme in
another script) prints as ``?`` rather than failing the report."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from graphql_api.pages.dashboard.report.figures import MonthFigures, MonthlyReport

# Okabe-Ito blue and vermilion: told apart with every common colour-vision deficiency.
BLUE = (0, 114, 178)
VERMILION = (213, 94, 0)
GREY = (90, 90, 90)
WIDTH = 180.0
LINE = 7.0


def report_pdf(report: MonthlyReport) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Management report {report.month.label}")
    pdf.set_author("cxledger")
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    _heading(pdf, f"Management report - {report.month.label}", 18)
    _text(
        pdf,
        f"Time zone {report.time_zone}; groups of fewer than {report.min_group_size} people "
        f"are suppressed. Generated {report.generated_at:%Y-%m-%d %H:%M} UTC.",
        9,
    )
    _headline(pdf, report.month)
    _heading(pdf, "Figures, against the month before", 13)
    _comparison(pdf, report.month, report.previous)
    _heading(pdf, f"NPS per day, {report.month.label}", 13)
    _chart(pdf, report)
    _heading(pdf, "What comments say", 13)
    _themes(pdf, report.month)
    _heading(pdf, "Service", 13)
    _service(pdf, report.month, report.previous)
    return bytes(pdf.output())


def nps_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}"


def _heading(pdf: FPDF, text: str, size: int) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", size)
    pdf.cell(WIDTH, size * 0.6, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _text(pdf: FPDF, text: str, size: int = 10) -> None:
    pdf.set_font("Helvetica", "", size)
    pdf.multi_cell(WIDTH, size * 0.5, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _headline(pdf: FPDF, month: MonthFigures) -> None:
    nps = month.figures.nps
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 26)
    moe = "" if nps.margin_of_error is None else f"  +/- {nps.margin_of_error:.1f}"
    pdf.cell(
        WIDTH, 12, _latin1(f"NPS {nps_text(nps.nps)}{moe}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    _text(
        pdf,
        f"{nps.promoters} promoters, {nps.passives} passives, {nps.detractors} detractors "
        f"of {nps.responses} NPS answers (95% margin of error in NPS points).",
    )


def _row(pdf: FPDF, cells: list[str], bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    widths = [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.2, WIDTH * 0.2]
    for width, cell in zip(widths, cells, strict=True):
        align = "L" if width == widths[0] else "R"
        pdf.cell(width, LINE, _latin1(cell), border="B", align=align)
    pdf.ln(LINE)


def _number(value: float | None, digits: int = 1, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def _change(now: float | None, before: float | None) -> str:
    return "n/a" if now is None or before is None else f"{now - before:+.1f}"


def _comparison(pdf: FPDF, month: MonthFigures, previous: MonthFigures) -> None:
    a, b = month.figures, previous.figures
    _row(pdf, ["", month.label, previous.label, "change"], bold=True)
    _row(pdf, ["NPS", nps_text(a.nps.nps), nps_text(b.nps.nps), _change(a.nps.nps, b.nps.nps)])
    _row(
        pdf,
        [
            "Margin of error",
            _number(a.nps.margin_of_error),
            _number(b.nps.margin_of_error),
            "",
        ],
    )
    _row(pdf, ["Responses", str(a.responses), str(b.responses), f"{a.responses - b.responses:+d}"])
    _row(
        pdf,
        [
            "Response rate (%)",
            _number(a.response_rate),
            _number(b.response_rate),
            _change(a.response_rate, b.response_rate),
        ],
    )
    _row(pdf, ["CSAT (%)", _number(a.csat), _number(b.csat), _change(a.csat, b.csat)])
    if a.suppressed or b.suppressed:
        _text(pdf, "A month of too few people shows no figures (suppressed).", 9)


def _chart(pdf: FPDF, report: MonthlyReport) -> None:
    """Bars of the daily NPS around a zero line, blue above and vermilion below; each bar
    labelled with its day and value so the chart reads without colour."""
    points = [p for p in report.trend if p.figures.nps.nps is not None]
    if not points:
        _text(pdf, "No day of the month has NPS answers to show.")
        return
    top, height = pdf.get_y() + 2, 50.0
    zero = top + height / 2
    step = min(WIDTH / len(points), 12.0)
    pdf.set_draw_color(*GREY)
    pdf.line(15, zero, 15 + WIDTH, zero)
    pdf.set_font("Helvetica", "", 6)
    for index, point in enumerate(points):
        value = point.figures.nps.nps or 0.0
        bar = abs(value) / 100 * (height / 2)
        x = 15 + index * step
        pdf.set_fill_color(*(BLUE if value >= 0 else VERMILION))
        pdf.rect(x + 1, zero - bar if value >= 0 else zero, step - 2, max(bar, 0.3), style="F")
        pdf.set_xy(x, top + height + 1)
        pdf.cell(step, 3, point.period_start.strftime("%d"), align="C")
        pdf.set_xy(x, (zero - bar - 3.5) if value >= 0 else (zero + bar + 0.5))
        pdf.cell(step, 3, f"{value:+.0f}", align="C")
    pdf.set_xy(15, top + height + 6)


def _themes(pdf: FPDF, month: MonthFigures) -> None:
    insight = month.insight
    if insight.suppressed:
        _text(pdf, "Too few people commented this month to show sentiment or themes.")
        return
    _text(
        pdf,
        f"{insight.comments} comments, average sentiment {_number(insight.average_sentiment, 2)} "
        f"(-1 to 1): {insight.positive} positive, {insight.neutral} neutral, "
        f"{insight.negative} negative.",
    )
    for label, themes in (
        ("Detractors mention", insight.detractor_themes),
        ("Promoters mention", insight.promoter_themes),
    ):
        listed = ", ".join(f"{t.term} ({t.mentions})" for t in themes) or "no shared theme"
        _text(pdf, f"{label}: {listed}.")


def _hours(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / 3600:.1f} h"


def _service(pdf: FPDF, month: MonthFigures, previous: MonthFigures) -> None:
    a, b = month.service, previous.service
    _row(pdf, ["", month.label, previous.label, ""], bold=True)
    _row(pdf, ["Tickets opened", str(a.tickets_opened), str(b.tickets_opened), ""])
    _row(
        pdf,
        [
            "First response, median",
            _hours(a.first_response_median_seconds),
            _hours(b.first_response_median_seconds),
            "",
        ],
    )
    _row(
        pdf,
        [
            "First response, 90th pct",
            _hours(a.first_response_p90_seconds),
            _hours(b.first_response_p90_seconds),
            "",
        ],
    )
    _row(
        pdf,
        [
            "Resolution, median",
            _hours(a.resolution_median_seconds),
            _hours(b.resolution_median_seconds),
            "",
        ],
    )
    _row(
        pdf,
        [
            "Resolved within SLA (%)",
            _number(a.resolved_within_sla),
            _number(b.resolved_within_sla),
            "",
        ],
    )
    breaches_a = a.first_response_breaches + a.resolution_breaches
    breaches_b = b.first_response_breaches + b.resolution_breaches
    _row(pdf, ["SLA breaches", str(breaches_a), str(breaches_b), ""])


def _latin1(text: str) -> str:
    return text.replace("\u2013", "-").encode("latin-1", "replace").decode("latin-1")
