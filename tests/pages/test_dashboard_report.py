"""The monthly management report as a PDF: downloaded from /dashboard/report by staff and
written by `cxledger report --month YYYY-MM --out FILE`; each opens in pdftotext, which
finds the month's NPS as surveyDashboard gives it for that month (an analyst's view: the
CLI reads with CXL_MIN_GROUP_SIZE)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.shared.metadata import Role
from tests.pages.dashboard_world import answer, graphql_figures, nps_survey, signed_in_client
from tests.support.cli import CXLEDGER, REPO, cli_env
from tests.support.server import LiveApi

PDFTOTEXT = "/usr/bin/pdftotext"


@pytest.fixture(scope="module")
def month(api: LiveApi) -> str:
    """This month (the answers are dated when written), with seven people's answers."""
    survey_id = nps_survey(api.ledger, "5.0")
    for score in (10, 10, 9, 8, 6, 2, 10):
        answer(api.ledger, survey_id, score, "EU", comment="fast delivery")
    api.caught_up()
    return datetime.now(UTC).strftime("%Y-%m")


def month_nps(api: LiveApi, month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    since = datetime(year, number, 1, tzinfo=UTC)
    until = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    given: dict[str, object] = {"since": since.isoformat(), "until": until.isoformat()}
    nps = graphql_figures(api, Role.ANALYST, given)["nps"]
    assert isinstance(nps, dict) and nps["nps"] is not None
    return f"NPS {nps['nps']:+.1f}"


def pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext") or PDFTOTEXT
    assert Path(tool).exists(), "pdftotext is missing: apt-get install -y poppler-utils"
    done = subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_staff_download_the_month_as_a_pdf_with_its_nps(
    api: LiveApi, month: str, tmp_path: Path
) -> None:
    """/dashboard/report?month=...: a PDF whose text holds the month's NPS, the comparison
    with the month before and the themes."""
    with signed_in_client(api, Role.ANALYST) as client:
        download = client.get("/dashboard/report", params={"month": month})
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(download.content)
    text = pdf_text(path)
    assert month_nps(api, month) in text
    assert "against the month before" in text and "What comments say" in text


def test_a_bad_month_is_a_400_page(api: LiveApi) -> None:
    """month=2026-13, or none, or not a month: 400 with the reason, no PDF."""
    with signed_in_client(api, Role.ANALYST) as client:
        for month in ("2026-13", "", "November"):
            page = client.get("/dashboard/report", params={"month": month})
            assert page.status_code == 400 and "month" in page.text


def test_the_cli_writes_the_same_report(api: LiveApi, month: str, tmp_path: Path) -> None:
    """`cxledger report --month ... --out ...` exits 0 and writes a PDF with the month's NPS."""
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [*CXLEDGER, "report", "--month", month, "--out", str(out)],
        cwd=REPO,
        env=cli_env(api.database, data_dir=tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert month_nps(api, month) in done.stdout
    assert month_nps(api, month) in pdf_text(out)


def test_the_cli_refuses_a_bad_month_and_writes_nothing(api: LiveApi, tmp_path: Path) -> None:
    """Exit 2 with the reason on stderr; no file."""
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [*CXLEDGER, "report", "--month", "2026-00", "--out", str(out)],
        cwd=REPO,
        env=cli_env(api.database, data_dir=tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--month" in done.stderr
    assert not out.exists()
