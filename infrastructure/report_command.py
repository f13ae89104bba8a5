"""``cxledger report --month YYYY-MM --out report.pdf``: the monthly management report the
dashboard serves at /dashboard/report, written to a file from the command line (for a
scheduled job). It is read as an analyst reads the dashboards: groups of fewer than
CXL_MIN_GROUP_SIZE people suppressed, no comment's words."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg

from graphql_api.pages.dashboard.report.figures import (
    BadMonthError,
    MonthlyReport,
    parse_month,
    read_monthly_report,
)
from infrastructure.bootstrap import open_runtime
from infrastructure.settings import Settings
from projections.surveys.queries import UnknownTimeZoneError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the calendar month")
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write the PDF")
    parser.add_argument(
        "--time-zone",
        default="UTC",
        metavar="ZONE",
        help="IANA time zone the month's days start in (default UTC)",
    )


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 with the PDF written; 2 for a bad month, zone or output path (nothing written)."""
    try:
        first_day = parse_month(args.month)
        ZoneInfo(args.time_zone)
    except BadMonthError as bad:
        print(f"cxledger report: --month: {bad}", file=sys.stderr)
        return 2
    except (ZoneInfoNotFoundError, ValueError):
        print(f"cxledger report: --time-zone: unknown zone {args.time_zone!r}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"cxledger report: --out: no directory {str(out.parent)!r}", file=sys.stderr)
        return 2
    with open_runtime(settings) as runtime:
        conninfo = runtime.database.conninfo

        async def read() -> MonthlyReport:
            async with await psycopg.AsyncConnection.connect(conninfo) as conn:
                return await read_monthly_report(
                    conn, first_day, args.time_zone, settings.min_group_size
                )

        try:
            report = asyncio.run(read())
        except UnknownTimeZoneError:  # one zoneinfo knows and the database does not
            print(f"cxledger report: --time-zone: unknown zone {args.time_zone!r}", file=sys.stderr)
            return 2
    # Imported here: fpdf takes about a quarter of a second to import, which every other
    # command of the CLI (and each test that runs one) would pay for nothing.
    from graphql_api.pages.dashboard.report.pdf import nps_text, report_pdf

    out.write_bytes(report_pdf(report))
    print(f"{out}: {report.month.label}, NPS {nps_text(report.month.figures.nps.nps)}")
    return 0
