"""The product's version: the installed package's, as pip recorded it (pyproject.toml)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

PACKAGE = "cxledger"


def product_version() -> str:
    """``cxledger``'s installed version; "unknown" when run from a tree never installed."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"
