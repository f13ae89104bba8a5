"""Secrets from settings, or (in development only) generated once under the data directory."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infrastructure.audit_keys import audit_keys_from_text, new_audit_key_text
from infrastructure.crypto import MasterKey, new_master_key_text
from infrastructure.settings import Settings, SettingsError
from projections.audit.keys import AuditKeys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Secrets:
    master_key: MasterKey
    jwt_secret: str
    audit_keys: AuditKeys


def resolve_secrets(settings: Settings) -> Secrets:
    master_text = (
        settings.master_key.get_secret_value()
        if settings.master_key
        else _development_secret(settings, "CXL_MASTER_KEY", "master.key", new_master_key_text)
    )
    jwt_secret = (
        settings.jwt_secret.get_secret_value()
        if settings.jwt_secret
        else _development_secret(
            settings, "CXL_JWT_SECRET", "jwt.secret", lambda: secrets.token_urlsafe(48)
        )
    )
    try:
        master_key = MasterKey.from_text(master_text)
    except ValueError as error:
        raise SettingsError(f"CXL_MASTER_KEY: {error}") from None
    return Secrets(master_key=master_key, jwt_secret=jwt_secret, audit_keys=_audit_keys(settings))


def _audit_keys(settings: Settings) -> AuditKeys:
    text = (
        settings.audit_key.get_secret_value()
        if settings.audit_key
        else _development_secret(settings, "CXL_AUDIT_KEY", "audit.key", new_audit_key_text)
    )
    try:
        return audit_keys_from_text(text)
    except ValueError as error:
        raise SettingsError(f"CXL_AUDIT_KEY: {error}") from None


def _development_secret(
    settings: Settings, variable: str, file_name: str, make: Callable[[], str]
) -> str:
    # Production refuses to start without the secret (see Settings); development keeps one
    # generated secret per data directory so that data survives restarts.
    path = Path(settings.data_dir) / "secrets" / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(make())
        path.chmod(0o600)
    log.warning(
        "%s is not set: using the development secret in %s; set it in production", variable, path
    )
    return path.read_text().strip()


def replace_development_master_key(settings: Settings, new_key_text: str) -> Path | None:
    """After a rotation in development (no CXL_MASTER_KEY set), the generated key file takes the
    new key, so that the next start uses it. None when the key comes from the environment."""
    if settings.master_key is not None:
        return None
    path = Path(settings.data_dir) / "secrets" / "master.key"
    path.write_text(new_key_text.strip())
    return path
