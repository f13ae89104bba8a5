"""CXL_CORS_ORIGINS: a comma-separated list of exact origins; anything else stops start-up
with a message naming the setting."""

from __future__ import annotations

import os

import pytest

from infrastructure.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CXL_")]:
        monkeypatch.delenv(name)


def test_cors_is_off_by_default() -> None:
    assert load_settings().cors_origins == ()


def test_blank_cors_origins_mean_no_cors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXL_CORS_ORIGINS", " , ")
    assert load_settings().cors_origins == ()


def test_origins_are_normalised_as_browsers_send_them_without_duplicates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "CXL_CORS_ORIGINS",
        "https://App.Example.org, http://127.0.0.1:5173,https://app.example.org,http://[::1]:3000",
    )
    assert load_settings().cors_origins == (
        "https://app.example.org",
        "http://127.0.0.1:5173",
        "http://[::1]:3000",
    )


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://*.example.org",
        "app.example.org",
        "ftp://app.example.org",
        "https://app.example.org/",
        "https://app.example.org/path",
        "https://app.example.org?x=1",
        "https://user@app.example.org",
        "https://app.example.org:99999",
        "https://app.example.org:port",
        "null",
    ],
)
def test_anything_but_an_exact_origin_stops_start_up_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CXL_CORS_ORIGINS", f"https://ok.example.org,{value}")
    with pytest.raises(SettingsError, match="CXL_CORS_ORIGINS"):
        load_settings()
