"""Settings read from files: ``CXL_<NAME>_FILE`` names a file whose text is ``CXL_<NAME>``.

Containers get secrets as mounted files (compose ``secrets:``, Kubernetes Secret volumes) so
that they stay out of the process environment, ``docker inspect`` and crash reports. One
trailing newline is stripped (editors and ``echo`` add one); nothing else, since a key or a
password may hold any other character. Setting a variable and its ``_FILE`` both is refused: the
operator meant one of them and we cannot tell which.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

FROM_FILES = (
    "master_key",
    "new_master_key",
    "jwt_secret",
    "audit_key",
    "metrics_token",
    "order_webhook_secret",
    "database_url",
    "migration_database_url",
    "direct_database_url",
    "read_database_url",
)
"""The settings that may come from a file: the secrets, and the URLs (they hold passwords)."""


class SecretFileError(ValueError):
    """A ``_FILE`` variable that cannot be used; the message names it."""


def read_secret_file(variable: str, path: str) -> str:
    """The file's text, less one trailing newline; SecretFileError naming ``variable``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise SecretFileError(f"{variable}: cannot read {path}: {reason}") from None
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def values_from_files(environ: Mapping[str, str]) -> dict[str, str]:
    """Each setting whose ``CXL_<NAME>_FILE`` is set, read from its file."""
    values = {}
    for name in FROM_FILES:
        variable = f"CXL_{name.upper()}"
        path = environ.get(f"{variable}_FILE", "")
        if not path.strip():
            continue
        if environ.get(variable, "").strip():
            raise SecretFileError(f"{variable} and {variable}_FILE are both set; set only one")
        values[name] = read_secret_file(f"{variable}_FILE", path)
    return values


class SecretFilesSource(PydanticBaseSettingsSource):
    """pydantic-settings source of the ``_FILE`` variables, read when settings are built."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads them all at once

    def __call__(self) -> dict[str, Any]:
        return dict(values_from_files(os.environ))
