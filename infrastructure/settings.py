"""Every setting of the product, read once from ``CXL_`` environment variables."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from domain.privacy.erasure import MAX_HOLD_DAYS
from domain.reactions.settings import ReactionSettings
from graphql_api.cors import parse_origins
from infrastructure.audit_keys import audit_keys_from_text
from infrastructure.delivery.addresses import (
    checked_ca_file,
    checked_public_url,
    mail_from_domain,
    smtp_endpoint,
)
from infrastructure.oidc import parse_role_claim, parse_role_map
from infrastructure.refresh_tokens import (
    DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
    DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
)
from infrastructure.secret_files import SecretFileError, SecretFilesSource
from infrastructure.tokens import DEFAULT_MAX_TTL_SECONDS, load_rsa_public_key

log = logging.getLogger(__name__)


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it."""


class Settings(BaseSettings):
    """The product's configuration. Each field is the variable ``CXL_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CXL_", extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # CXL_<NAME>_FILE beside CXL_<NAME>: both set is refused, so their order is moot.
        return (init_settings, env_settings, SecretFilesSource(settings_cls))

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
    read_database_url: str | None = Field(
        None,
        description="PostgreSQL URL of a hot standby (a streaming replica of CXL_DATABASE_URL's "
        "database) that the API's read-model queries go to; writes, the ledger and the workers "
        "stay on CXL_DATABASE_URL. A query with `atLeast` (and every mutation's answer) waits "
        "until the standby has replayed the write. Unset: reads go to CXL_DATABASE_URL.",
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
    access_token_ttl: int = Field(
        DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
        ge=60,
        le=24 * 3600,
        description="Lifetime in seconds of a customer's access token (logIn, refreshSession, "
        "changePassword); capped by CXL_MAX_TOKEN_TTL.",
    )
    refresh_token_ttl: int = Field(
        DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
        ge=300,
        le=365 * 24 * 3600,
        description="Lifetime in seconds of a customer's refresh token; each refresh gives a "
        "new one with a full lifetime.",
    )
    oidc_issuer: str | None = Field(
        None,
        description="Issuer URL of the identity provider staff sign in with (OpenID Connect); "
        "its keys are found through <issuer>/.well-known/openid-configuration. Unset: staff "
        "use tokens minted by `cxledger token`.",
    )
    oidc_audience: str | None = Field(
        None, description="The `aud` staff tokens must carry (the client id); needs the issuer."
    )
    oidc_role_claim: str = Field(
        "roles",
        description="The claim (or dotted path, e.g. realm_access.roles) holding the caller's "
        "groups or roles.",
    )
    oidc_role_map: str | None = Field(
        None,
        description="Which value of the role claim makes which staff role, e.g. "
        "`cx-agents=agent,cx-admins=admin`; never customer. Needed with the issuer.",
    )
    db_pool_size: int = Field(8, ge=1, le=200, description="Connections per pool.")
    read_cache_entries: int = Field(
        256,
        ge=0,
        le=100_000,
        description="Reads of a read model's rows (a page of the customer directory) kept per "
        "read model while its rows have not changed, for the read models this process applies "
        "and reads from its own database (not with a read replica, nor in an API replica "
        "that runs no projection); each kept read is at most a second old. 0: none kept.",
    )
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
    projection_coalesce_ms: float = Field(
        8.0,
        ge=0,
        le=50,
        description="Milliseconds a pass of the projection workers waits for more commits once "
        "concurrent writes come steadily, so that one pass applies more of them (0: never "
        "wait); a lone writer's commit is applied at once.",
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
    health_drift_interval: float = Field(
        86400,
        ge=1,
        le=7 * 24 * 3600,
        description="Seconds between runs of the health drift job (customers who fall into "
        "the at-risk band as days pass get the at-risk reaction's proactive ticket) in the "
        "worker; it also runs when the worker starts. Only with CXL_REACTION_AT_RISK_TICKETS.",
    )
    campaign_send_interval: float = Field(
        30,
        ge=1,
        le=24 * 3600,
        description="Seconds between runs of the campaign sender (launches scheduled campaigns "
        "whose time came, decides and records the recipients of sending ones) in the worker.",
    )
    campaign_frequency_cap: int = Field(
        3,
        ge=1,
        le=1000,
        description="At most this many campaign messages per customer, across campaigns, per "
        "rolling window of CXL_CAMPAIGN_FREQUENCY_WINDOW_DAYS; more are skipped.",
    )
    campaign_frequency_window_days: int = Field(
        7,
        ge=1,
        le=366,
        description="Days of the rolling window of CXL_CAMPAIGN_FREQUENCY_CAP.",
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
    page_posts_per_address: int = Field(
        60,
        ge=1,
        le=100_000,
        description="Form posts (survey answers, password resets) each client address may "
        "send to the pages in 10 minutes; more are answered 429.",
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
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Comma-separated exact origins (scheme://host[:port]) whose browser pages "
        "may call the API with credentials; empty: no CORS headers at all.",
    )
    payment_webhook_secret: SecretStr | None = Field(
        None,
        description="Shared secret (at least 32 characters) of the payment provider's "
        "webhook: POST /webhooks/payments checks its HMAC-SHA256 signature with it. Unset: "
        "the endpoint is not served (404).",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token (32+ characters) a scraper sends to read /metrics from "
        "anywhere; unset: /metrics answers only callers on loopback that came through no proxy.",
    )
    order_webhook_secret: SecretStr | None = Field(
        None,
        description="Secret (32+ characters) the shop system signs POST /webhooks/orders "
        "with (HMAC-SHA256 over the timestamp and the body); unset: the endpoint is not served.",
    )
    order_webhook_tolerance: int = Field(
        300,
        ge=30,
        le=3600,
        description="Seconds a signed order webhook's X-CXL-Timestamp may lie from the "
        "server's clock, either way; an older (or later) delivery is refused as stale.",
    )
    smtp_url: str | None = Field(
        None,
        description="Where mail goes: smtp://[user:password@]host[:port] (plain; add "
        "?starttls=true to upgrade with STARTTLS) or smtps://... (TLS from the start). Unset: "
        "in development `serve` starts a mail catcher on loopback (see /dev/mailbox); in "
        "production no mail is sent and messages wait.",
    )
    smtp_ca_file: str | None = Field(
        None,
        description="PEM file of the certificate authorities trusted for the SMTP server's "
        "certificate (smtps:// or STARTTLS), instead of the system's; e.g. a private CA.",
    )
    mail_from: str = Field(
        "cxledger <no-reply@localhost>",
        description="The From address of every message (its domain also names Message-IDs).",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address people reach the product at, for the links in messages "
        "(http:// or https://, no query).",
    )
    delivery_interval: float = Field(
        2.0,
        ge=0.1,
        le=3600,
        description="Seconds between the mail sender's looks for due messages.",
    )
    delivery_max_attempts: int = Field(
        5,
        ge=1,
        le=50,
        description="Tries of a message (the SMTP server unreachable or answering 4xx) before "
        "it is marked failed; a 5xx refusal fails it at once.",
    )
    delivery_retry_seconds: float = Field(
        30.0,
        ge=0.01,
        le=86_400,
        description="Wait before the second try of a message; each further try waits twice "
        "as long as the one before.",
    )
    reaction_follow_up_detractors: bool = Field(
        True, description="A detractor's survey answer opens a follow-up ticket."
    )
    reaction_nps_detractor_max: int = Field(
        6, ge=0, le=10, description="An NPS answer at or below this is a detractor's."
    )
    reaction_csat_detractor_max: int = Field(
        2, ge=1, le=5, description="A CSAT answer at or below this is a detractor's."
    )
    reaction_follow_up_category: str = Field(
        "survey-follow-up",
        pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$",
        description="The category of follow-up tickets (a lower-case slug).",
    )
    reaction_csat_after_resolution: bool = Field(
        True,
        description="A resolved ticket invites its customer to the CSAT survey "
        "CXL_REACTION_CSAT_SURVEY_ID (once per ticket).",
    )
    reaction_csat_survey_id: UUID | None = Field(
        None,
        description="The published CSAT survey a resolved ticket invites to, on the ticket's "
        "channel; unset: no invitation.",
    )
    reaction_thank_promoters: bool = Field(
        True, description="A promoter's NPS answer is thanked by a message."
    )
    reaction_promoter_min: int = Field(
        9, ge=0, le=10, description="An NPS answer at or above this is a promoter's."
    )
    reaction_promoter_referral_code: bool = Field(
        True,
        description="The referral program is on for thank-yous: a promoter who consented to "
        "marketing gets their referral code (issued if needed) in it.",
    )
    reaction_ticket_progress: bool = Field(
        True,
        description="A ticket's progress (an agent's public reply, waiting on the customer, "
        "resolved) is told to its customer by a message.",
    )
    reaction_improvements: bool = Field(
        True,
        description="An announced improvement is told by a message to every customer whose "
        "feedback was on its aspect or theme.",
    )
    reaction_at_risk_tickets: bool = Field(
        False,
        description="A customer whose health score enters the at-risk band gets a proactive "
        "ticket, once per entry.",
    )
    reaction_order_progress: bool = Field(
        True,
        description="Each fulfilment step of an order after its placing (paid, packed, "
        "shipped, delivered, returned) is told to its customer by email.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the server and workers."
    )
    log_format: Literal["json", "text"] | None = Field(
        None,
        description="How log lines are written: json (one object a line) or text. Unset: json "
        "in production, text in development.",
    )
    access_log: bool = Field(
        True, description="Log one line per HTTP request answered (method, path, status, time)."
    )

    def reaction_settings(self) -> ReactionSettings:
        """The CXL_REACTION_* settings, as the reactions take them."""
        return ReactionSettings(
            follow_up_detractors=self.reaction_follow_up_detractors,
            nps_detractor_max=self.reaction_nps_detractor_max,
            csat_detractor_max=self.reaction_csat_detractor_max,
            follow_up_category=self.reaction_follow_up_category,
            csat_after_resolution=self.reaction_csat_after_resolution,
            csat_survey_id=self.reaction_csat_survey_id,
            thank_promoters=self.reaction_thank_promoters,
            promoter_min=self.reaction_promoter_min,
            promoter_referral_code=self.reaction_promoter_referral_code,
            ticket_progress=self.reaction_ticket_progress,
            improvements=self.reaction_improvements,
            at_risk_tickets=self.reaction_at_risk_tickets,
            order_progress=self.reaction_order_progress,
        )

    @property
    def log_style(self) -> Literal["json", "text"]:
        """The log format in force: the setting, or the environment's default."""
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "text"

    @property
    def introspection(self) -> Literal["on", "off", "staff"]:
        """The introspection policy in force: the setting, or the environment's default."""
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return "off" if self.environment == "production" else "on"

    @field_validator(
        "database_url", "migration_database_url", "direct_database_url", "read_database_url"
    )
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("smtp_ca_file")
    @classmethod
    def _smtp_ca_file(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return checked_ca_file(value)

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        smtp_endpoint(value)  # ValueError says what is wrong, without the password
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        mail_from_domain(value)  # ValueError says what is wrong
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        return checked_public_url(value)

    @field_validator("graphql_introspection", "log_format", mode="before")
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

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        return parse_origins(value) if isinstance(value, str) else value  # ValueError names it

    @field_validator(
        "jwt_secret", "metrics_token", "order_webhook_secret", "payment_webhook_secret"
    )
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

    @field_validator("oidc_issuer", "oidc_audience", "oidc_role_map", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be the identity provider's http(s) issuer URL")
        if value is not None and ("#" in value or "?" in value or len(value) > 150):
            raise ValueError("must be an issuer URL without query or fragment (150 characters)")
        return value

    @field_validator("oidc_role_map")
    @classmethod
    def _role_map(cls, value: str | None) -> str | None:
        if value is not None:
            parse_role_map(value)  # ValueError says what is wrong
        return value

    @field_validator("oidc_role_claim")
    @classmethod
    def _role_claim(cls, value: str) -> str:
        return parse_role_claim(value)

    @model_validator(mode="after")
    def _oidc_is_whole(self) -> Settings:
        if self.oidc_issuer is None:
            if self.oidc_audience is not None or self.oidc_role_map is not None:
                raise ValueError("CXL_OIDC_AUDIENCE and CXL_OIDC_ROLE_MAP need CXL_OIDC_ISSUER")
            return self
        missing = [
            f"CXL_OIDC_{name.upper()}"
            for name in ("audience", "role_map")
            if getattr(self, f"oidc_{name}") is None
        ]
        if missing:
            raise ValueError(f"CXL_OIDC_ISSUER needs {' and '.join(missing)}")
        if self.oidc_issuer == self.jwt_issuer:
            raise ValueError("CXL_OIDC_ISSUER must differ from CXL_JWT_ISSUER")
        return self

    @model_validator(mode="after")
    def _production_has_secrets(self) -> Settings:
        if self.environment == "production":
            missing = [
                f"CXL_{name.upper()} (or CXL_{name.upper()}_FILE)"
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
        if self.read_database_url is not None and self.database_url is None:
            raise ValueError("CXL_READ_DATABASE_URL needs CXL_DATABASE_URL (the primary)")
        return self


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning pydantic's report into one message naming each setting."""
    try:
        return Settings(**overrides)
    except SecretFileError as error:
        raise SettingsError(f"invalid settings: {error}") from None
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = "CXL_" + "_".join(str(p) for p in item["loc"]).upper() if item["loc"] else ""
            problems.append(f"{name or 'settings'}: {item['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
