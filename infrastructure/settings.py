"""Every setting of the product, read once from ``CXL_`` environment variables."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.privacy.erasure import MAX_HOLD_DAYS
from infrastructure.audit_keys import audit_keys_from_text
from infrastructure.tokens import DEFAULT_MAX_TTL_SECONDS, load_rsa_public_key

log = logging.getLogger(__name__)


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it."""


class Settings(BaseSettings):
    """The product's configuration. Each field is the variable ``CXL_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CXL_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = Field(
        "development",
        description="`production` refuses to start without explicit secrets and database URL.",
    )
    database_url: str | None = Field(
        None,
        description="PostgreSQL URL, e.g. postgresql://user:pass@host:5432/db. Unset: an "
        "embedded PostgreSQL is started with its data under CXL_DATA_DIR.",
    )
    migration_database_url: str | None = Field(
        None,
        description="PostgreSQL URL of the role that owns the schema, used only to migrate "
        "(`cxledger migrate` and the migration serve and project run at start); it grants "
        "the role of CXL_DATABASE_URL what the runtime needs. Unset: the role of "
        "CXL_DATABASE_URL migrates (and owns) the schema itself, with a warning, unless an "
        "owner already migrated it.",
    )
    direct_database_url: str | None = Field(
        None,
        description="PostgreSQL URL (same database and role) that reaches the server itself "
        "when CXL_DATABASE_URL goes through a transaction-mode pooler such as PgBouncer: the "
        "listener (LISTEN/NOTIFY), the advisory-lock leases and migrations connect here, and "
        "no statement is prepared on CXL_DATABASE_URL's connections. Unset: CXL_DATABASE_URL "
        "is used for everything.",
    )
    data_dir: Path = Field(
        Path("var"), description="Where the embedded PostgreSQL and development secrets live."
    )
    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API listens on.")
    master_key: SecretStr | None = Field(
        None,
        description="32 random bytes (base64 or hex) that wrap every per-subject key. "
        "Development: generated into CXL_DATA_DIR/secrets with a warning.",
    )
    new_master_key: SecretStr | None = Field(
        None,
        description="Only for `cxledger rotate-master-key`: the key (32 bytes, base64 or hex) "
        "that replaces CXL_MASTER_KEY.",
    )
    jwt_secret: SecretStr | None = Field(
        None,
        description="HS256 secret that signs and verifies bearer tokens (at least 32 chars). "
        "Development: generated into CXL_DATA_DIR/secrets with a warning.",
    )
    audit_key: SecretStr | None = Field(
        None,
        description="32 random bytes (base64 or hex) that key the audit chain and sign its "
        "anchors; the database never holds it. Development: generated into "
        "CXL_DATA_DIR/secrets with a warning.",
    )
    jwt_public_key: str | None = Field(
        None,
        description="PEM of an RSA public key (2048+ bits). Set: bearer tokens signed RS256 "
        "by its private key (an identity provider's) are accepted too; HS256 tokens signed "
        "with CXL_JWT_SECRET still are. Newlines may be written as \\n.",
    )
    jwt_issuer: str = Field("cxledger", description="`iss` claim of minted and accepted tokens.")
    max_token_ttl: int = Field(
        DEFAULT_MAX_TTL_SECONDS,
        ge=60,
        le=30 * 24 * 3600,
        description="Longest lifetime, in seconds, of any bearer token (exp - iat), whoever "
        "signed it: longer ones are refused, and `cxledger token --ttl` may not exceed it.",
    )
    db_pool_size: int = Field(8, ge=1, le=200, description="Connections per pool.")
    db_timeout: int = Field(
        3,
        ge=1,
        le=60,
        description="Seconds a request waits for a database connection (to connect, or for a "
        "free pooled one) before it fails with SERVICE_UNAVAILABLE (HTTP 503).",
    )
    group_commit_wait_ms: float = Field(
        1.0,
        ge=0,
        le=50,
        description="Milliseconds a batch of concurrent writes to the log may wait for as many "
        "commands as the previous batch held before it commits (0: never wait); a lone writer "
        "never waits.",
    )
    run_projections: bool = Field(
        True, description="Run the projection workers inside `serve` (false: use `project`)."
    )
    projection_batch_size: int = Field(
        500, ge=1, le=100_000, description="Events per projection transaction."
    )
    projection_max_attempts: int = Field(
        3,
        ge=1,
        le=20,
        description="Tries of an event a read model or process manager fails to apply (alone, "
        "with a short growing pause between tries) before it is parked and the rest goes on.",
    )
    loyalty_job_interval: float = Field(
        3600,
        ge=1,
        le=7 * 24 * 3600,
        description="Seconds between runs of the loyalty job (points expiry and tier review) "
        "in the worker; it also runs when the worker starts.",
    )
    sla_check_interval: float = Field(
        60,
        ge=1,
        le=24 * 3600,
        description="Seconds between runs of the SLA check (records breaches of ticket SLA "
        "clocks as events) in the worker; it also runs when the worker starts.",
    )
    read_your_writes_timeout: float = Field(
        2.0, ge=0, le=60, description="Seconds a mutation waits for its write to be projected."
    )
    max_body_bytes: int = Field(
        1_000_000, ge=1024, description="Largest accepted GraphQL request body."
    )
    max_query_depth: int = Field(12, ge=2, le=100, description="Deepest accepted query.")
    max_query_tokens: int = Field(2_000, ge=50, description="Largest accepted query document.")
    max_query_cost: int = Field(
        10_000,
        ge=100,
        le=10_000_000,
        description="Largest accepted static cost of an operation (each field 1, pages "
        "multiplied by `first`, expensive fields more); refused before it runs.",
    )
    max_mutations_per_request: int = Field(
        1,
        ge=1,
        le=100,
        description="Top-level mutations one request may run; logIn, password and "
        "registration mutations, exports and reviews always run alone.",
    )
    max_audit_range: int = Field(
        50_000,
        ge=100,
        le=10_000_000,
        description="Most log positions one verifyAuditTrail call checks; its answer says "
        "where to continue.",
    )
    max_concurrent_password_hashes: int = Field(
        2,
        ge=1,
        le=64,
        description="Password hashes or checks (argon2id, 64 MiB each) at once per process.",
    )
    max_concurrent_heavy_work: int = Field(
        2,
        ge=1,
        le=100,
        description="Expensive queries (audit verification, replays, exports, dashboards) at "
        "once per process; keep it below CXL_DB_POOL_SIZE.",
    )
    busy_wait_seconds: float = Field(
        5.0,
        ge=0.1,
        le=60,
        description="Seconds a request waits for a password or heavy-work slot before it is "
        "answered 503 BUSY.",
    )
    rate_limit_per_second: float = Field(
        20.0,
        ge=0,
        le=100_000,
        description="Requests per second each client (token subject, else address) may send "
        "on average, per process; 0 turns the rate limit off.",
    )
    rate_limit_burst: int = Field(
        100, ge=1, le=1_000_000, description="Requests a client may send at once."
    )
    max_subscriptions_per_connection: int = Field(
        10,
        ge=1,
        le=1000,
        description="Subscriptions one WebSocket connection may run at once; one more is "
        "refused with TOO_MANY_SUBSCRIPTIONS and the connection stays open.",
    )
    trusted_proxies: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(),
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For is "
        "believed; empty: the header is ignored.",
    )
    password_reset_cooldown: int = Field(
        300,
        ge=1,
        le=86_400,
        description="Seconds after a password-reset message during which further requests "
        "for that email send nothing.",
    )
    password_resets_per_day: int = Field(
        5, ge=1, le=100, description="Password-reset messages per email in 24 hours."
    )
    erasure_hold_days: int = Field(
        0,
        ge=0,
        le=MAX_HOLD_DAYS,
        description="Days an erasure request waits (legal hold) before it may be completed, "
        "when the request does not say: every customer's own request, and a privacy officer's "
        "that leaves holdDays out.",
    )
    graphql_introspection: Literal["on", "off", "staff"] | None = Field(
        None,
        description='Who may introspect the schema and get "Did you mean" hints in error '
        "messages: on (everyone), off (nobody) or staff (logged-in staff roles). Unset: on in "
        "development, off in production.",
    )
    erasure_sweep_interval: float = Field(
        60,
        ge=1,
        le=24 * 3600,
        description="Seconds between runs of the erasure sweep in the worker (completes an "
        "erasure left half done by a failure; vacuums the read models' tables once they have "
        "purged a completed erasure); it also runs when the worker starts.",
    )
    erasure_vacuum: Literal["full", "plain"] = Field(
        "full",
        description="How the erasure sweep vacuums: `full` rewrites each purged table (VACUUM "
        "FULL: no trace left in its pages, an exclusive lock while it copies the table); "
        "`plain` removes the dead row versions without that lock, but their bytes stay in the "
        "pages' free space until overwritten.",
    )
    min_group_size: int = Field(
        5,
        ge=1,
        le=1000,
        description="The fewest distinct people a survey dashboard figure, trend period, "
        "breakdown value, aspect or comment theme may describe when shown to a role that may "
        "not see personal data (analysts, auditors); smaller groups are suppressed.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the server and workers."
    )

    @property
    def introspection(self) -> Literal["on", "off", "staff"]:
        """The introspection policy in force: the setting, or the environment's default."""
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return "off" if self.environment == "production" else "on"

    @field_validator("database_url", "migration_database_url", "direct_database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("graphql_introspection", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _addresses(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        addresses = frozenset(part.strip() for part in value.split(",") if part.strip())
        for address in addresses:
            ipaddress.ip_address(address)  # ValueError names the bad one
        return addresses

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @field_validator("audit_key")
    @classmethod
    def _audit_key_is_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            audit_keys_from_text(value.get_secret_value())  # ValueError says what is wrong
        return value

    @field_validator("jwt_public_key")
    @classmethod
    def _rsa_public_key(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        pem = value.replace("\\n", "\n").strip() + "\n"
        load_rsa_public_key(pem)  # ValueError names what is wrong
        return pem

    @model_validator(mode="after")
    def _production_has_secrets(self) -> Settings:
        if self.environment == "production":
            missing = [
                f"CXL_{name.upper()}"
                for name in ("database_url", "master_key", "jwt_secret", "audit_key")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"production needs {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _migration_url_beside_database_url(self) -> Settings:
        if self.migration_database_url is not None and self.database_url is None:
            raise ValueError("CXL_MIGRATION_DATABASE_URL needs CXL_DATABASE_URL (the runtime's)")
        if self.direct_database_url is not None and self.database_url is None:
            raise ValueError("CXL_DIRECT_DATABASE_URL needs CXL_DATABASE_URL (the pooled one)")
        return self


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning pydantic's report into one message naming each setting."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = "CXL_" + "_".join(str(p) for p in item["loc"]).upper() if item["loc"] else ""
            problems.append(f"{name or 'settings'}: {item['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
