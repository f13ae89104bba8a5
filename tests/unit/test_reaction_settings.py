"""The CXL_REACTION_* settings: what the reactions get by default and from the environment,
and a threshold or category out of its bounds stops start-up naming it."""

from __future__ import annotations

import os
from pathlib import Path
from uuid import uuid4

import pytest

from domain.reactions.settings import ReactionSettings
from infrastructure.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


def test_by_default_every_reaction_is_on_and_no_csat_survey_is_named() -> None:
    assert load_settings().reaction_settings() == ReactionSettings()


def test_the_environment_turns_reactions_off_and_tunes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    survey = uuid4()
    monkeypatch.setenv("CXL_REACTION_FOLLOW_UP_DETRACTORS", "false")
    monkeypatch.setenv("CXL_REACTION_NPS_DETRACTOR_MAX", "4")
    monkeypatch.setenv("CXL_REACTION_CSAT_SURVEY_ID", str(survey))
    monkeypatch.setenv("CXL_REACTION_PROMOTER_REFERRAL_CODE", "false")
    monkeypatch.setenv("CXL_REACTION_TICKET_PROGRESS", "false")
    monkeypatch.setenv("CXL_REACTION_IMPROVEMENTS", "false")
    monkeypatch.setenv("CXL_REACTION_AT_RISK_TICKETS", "true")
    monkeypatch.setenv("CXL_REACTION_ORDER_PROGRESS", "false")
    reactions = load_settings().reaction_settings()
    assert not reactions.follow_up_detractors and reactions.nps_detractor_max == 4
    assert reactions.csat_survey_id == survey and reactions.csat_after_resolution
    assert not reactions.promoter_referral_code and not reactions.ticket_progress
    assert not reactions.improvements
    assert reactions.at_risk_tickets  # the one reaction that is off unless turned on
    assert not reactions.order_progress


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CXL_REACTION_NPS_DETRACTOR_MAX", "11"),
        ("CXL_REACTION_CSAT_DETRACTOR_MAX", "0"),
        ("CXL_REACTION_PROMOTER_MIN", "-1"),
        ("CXL_REACTION_FOLLOW_UP_CATEGORY", "Not A Slug"),
        ("CXL_REACTION_CSAT_SURVEY_ID", "survey-1"),
    ],
)
def test_a_reaction_setting_out_of_bounds_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_a_smtp_ca_file_that_is_missing_stops_start_up_with_its_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CXL_SMTP_CA_FILE naming no file is refused at start, naming the setting."""
    monkeypatch.setenv("CXL_SMTP_CA_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(SettingsError, match="CXL_SMTP_CA_FILE"):
        load_settings()
