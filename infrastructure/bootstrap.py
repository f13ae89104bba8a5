"""The composition root: settings in, a running ledger, projections and API out."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from opentelemetry.trace import Tracer
from psycopg_pool import ConnectionPool
from starlette.routing import BaseRoute

from domain.campaign.values import FrequencyCap
from domain.ledger import Ledger
from domain.reactions.policies import AtRiskTickets
from domain.shared.metadata import Role
from domain.shared.personal_data import MasterKeyMismatchError
from domain.shared.ports import PasswordHasher
from graphql_api.context import ApiLimits, ApiServices
from graphql_api.web_options import WebOptions
from infrastructure.bearer_tokens import BearerTokens
from infrastructure.campaign_sending import CampaignSender
from infrastructure.crypto import (
    KEY_CACHE_SIZE,
    CachedSubjectKeys,
    EmailFingerprinter,
    PersonalDataEncrypted,
)
from infrastructure.database import Database
from infrastructure.deflection import DeflectionLog
from infrastructure.delivery.addresses import (
    SmtpEndpoint,
    checked_public_url,
    mail_from_domain,
    smtp_endpoint,
)
from infrastructure.delivery.compose import MailComposer
from infrastructure.delivery.links import Links, UnsubscribeTokens
from infrastructure.delivery.mail_catcher import MailCatcher
from infrastructure.delivery.payment_webhook import payment_webhook_routes
from infrastructure.delivery.sender import MailDelivery
from infrastructure.delivery.store import DeliveryStore, FailedRetries
from infrastructure.delivery.store import RetryPolicy as DeliveryPolicy
from infrastructure.delivery.web import delivery_routes
from infrastructure.delivery.webhooks import WebhookDelivery, WebhookEndpoints
from infrastructure.erasure import PostgresErasureWorks, evict_destroyed_keys
from infrastructure.erasure_sweep import ErasureSweep
from infrastructure.footprint import INFRASTRUCTURE_POOL_SIZE, prepare_no_statements
from infrastructure.health import health_sources
from infrastructure.health_drift import HealthDrift
from infrastructure.key_store import PostgresSubjectKeys
from infrastructure.limits import password_policy, request_limits
from infrastructure.listener import SharedListener
from infrastructure.login import CustomerLogin, LoginThrottle
from infrastructure.loyalty_jobs import LoyaltyJobs, ScheduledJob
from infrastructure.master_key_guard import SealedSecrets, verify_master_key
from infrastructure.metrics import api_metrics
from infrastructure.oidc import OidcConfig, OidcTokens, parse_role_map
from infrastructure.order_webhook import order_webhook_routes
from infrastructure.page_throttle import PagePostThrottle, page_key
from infrastructure.password_access import ThrottledPasswordAccess
from infrastructure.passwords import Argon2Passwords
from infrastructure.process_manager_runner import ProcessManagerRunner, process_manager_runners
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker, RetryPolicy
from infrastructure.refresh_tokens import RefreshTokens
from infrastructure.roles import DatabaseRoles, database_roles
from infrastructure.secrets import Secrets, resolve_secrets
from infrastructure.sessions import LoggedSessions, events_table
from infrastructure.settings import Settings, SettingsError
from infrastructure.throttles import WindowCounters
from infrastructure.ticket_jobs import SlaCheck
from infrastructure.tokens import IssuedToken, JwtTokens
from infrastructure.tracing import trace_appends, tracer_of, tracer_provider
from projections.campaigns.projection import CampaignFigures
from projections.loyalty.projection import LoyaltyStatements
from projections.privacy.personal_data import PersonalDataIndex
from projections.registry import build_projections
from projections.success.projection import CustomerHealth
from projections.tickets.projection import TicketTimeline

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything that is running for one process."""

    settings: Settings
    database: Database
    secrets: Secrets
    ledger: Ledger
    keys: CachedSubjectKeys
    pool: ConnectionPool[Any]
    """A small pool for the infrastructure's own tables (subject keys, log-in throttle)."""
    roles: DatabaseRoles
    """Who migrates (the owner) and who runs (``database``, the runtime role)."""
    listener: SharedListener
    """The process's one LISTEN session (and its leases), shared by all that listens."""
    migrations_applied: list[str] = field(default_factory=list)
    """What this start's `migrate` did (nothing when the schema was up to date)."""
    mail_catcher: MailCatcher | None = None
    """The development mail catcher `serve` started (no CXL_SMTP_URL in development)."""

    @property
    def mail_endpoint(self) -> SmtpEndpoint | None:
        """Where mail goes: CXL_SMTP_URL, else the mail catcher, else nowhere (not sent)."""
        if self.settings.smtp_url is not None:
            return smtp_endpoint(self.settings.smtp_url, self.settings.smtp_ca_file)
        return None if self.mail_catcher is None else self.mail_catcher.endpoint

    @property
    def unsubscribe_tokens(self) -> UnsubscribeTokens:
        return UnsubscribeTokens(self.secrets.jwt_secret.encode())

    def mail_delivery(self, endpoint: SmtpEndpoint) -> MailDelivery:
        settings = self.settings
        domain = mail_from_domain(settings.mail_from)
        links = Links(checked_public_url(settings.public_url))
        composer = MailComposer(links, self.unsubscribe_tokens, settings.mail_from, domain)
        store = DeliveryStore(self._delivery_policy)
        return MailDelivery(self.ledger, self.pool.connection, store, composer, endpoint, domain)

    @property
    def _delivery_policy(self) -> DeliveryPolicy:
        settings = self.settings
        return DeliveryPolicy(settings.delivery_max_attempts, settings.delivery_retry_seconds)

    def delivery_routes(self) -> list[BaseRoute]:
        """The unsubscribe page, the mailbox page when the mail catcher runs, and the shop
        system's order webhook and the payment provider's webhook when their secrets are set."""
        order_secret = self.settings.order_webhook_secret
        routes = [
            *delivery_routes(
                self.settings.environment,
                self.unsubscribe_tokens,
                self.ledger.set_contact_preferences,
                None if self.mail_catcher is None else self.mail_catcher.mailbox,
            ),
            *order_webhook_routes(
                None if order_secret is None else order_secret.get_secret_value(),
                self.settings.order_webhook_tolerance,
                self.ledger.record_fulfilment,
            ),
        ]
        payment_secret = self.settings.payment_webhook_secret
        if payment_secret is not None:
            record = self.ledger.record_payment_notification
            routes += payment_webhook_routes(payment_secret.get_secret_value(), record)
        return routes

    tracer: Tracer | None = None
    """OpenTelemetry spans (``infrastructure.tracing``): None unless OTEL_EXPORTER_* is set."""

    @property
    def tokens(self) -> JwtTokens:
        return JwtTokens(
            self.secrets.jwt_secret,
            self.settings.jwt_issuer,
            self.settings.jwt_public_key,
            self.settings.max_token_ttl,
        )

    @property
    def retry_policy(self) -> RetryPolicy:
        """How often workers try an event before parking it (CXL_PROJECTION_MAX_ATTEMPTS)."""
        return RetryPolicy(self.settings.projection_max_attempts)

    def projection_runners(self) -> list[ProjectionRunner]:
        return [
            ProjectionRunner(
                self.ledger, self.database, p, self.settings.projection_batch_size,
                self.retry_policy,
            )
            for p in build_projections(self.secrets.audit_keys.chain)
        ]  # fmt: skip

    def process_manager_runners(self) -> list[ProcessManagerRunner]:
        return process_manager_runners(
            self.ledger,
            self.database,
            self.settings.projection_batch_size,
            self.retry_policy,
            self.settings.reaction_settings(),
        )

    def loyalty_jobs(self) -> LoyaltyJobs:
        read_model = ProjectionRunner(
            self.ledger, self.database, LoyaltyStatements(), self.settings.projection_batch_size,
            self.retry_policy,
        )  # fmt: skip
        return LoyaltyJobs(self.ledger, self.database, read_model)

    def health_drift(self) -> HealthDrift:
        reactions = self.settings.reaction_settings()
        read_model = ProjectionRunner(
            self.ledger, self.database, CustomerHealth(), self.settings.projection_batch_size,
            self.retry_policy,
        )  # fmt: skip
        reaction = ProcessManagerRunner(
            self.ledger, self.database, AtRiskTickets(reactions),
            self.settings.projection_batch_size, self.retry_policy,
        )  # fmt: skip
        return HealthDrift(
            self.ledger, self.database, read_model, reaction, reactions.at_risk_tickets
        )

    def sla_check(self) -> SlaCheck:
        read_model = ProjectionRunner(
            self.ledger, self.database, TicketTimeline(), self.settings.projection_batch_size,
            self.retry_policy,
        )  # fmt: skip
        return SlaCheck(self.ledger, self.database, read_model)

    def campaign_sender(self) -> CampaignSender:
        read_model = ProjectionRunner(
            self.ledger, self.database, CampaignFigures(), self.settings.projection_batch_size,
            self.retry_policy,
        )  # fmt: skip
        cap = FrequencyCap(
            self.settings.campaign_frequency_cap, self.settings.campaign_frequency_window_days
        )
        return CampaignSender(self.ledger, self.database, read_model, cap)

    def erasure_sweep(self) -> ErasureSweep:
        return ErasureSweep(self.ledger, self.database, self.settings.erasure_vacuum)

    def worker(self) -> ProjectionWorker:
        """The background work of `project` (and of `serve`, unless told not to): every
        projection, every process manager, the scheduled loyalty job, SLA check and erasure
        sweep."""
        jobs = [
            ScheduledJob(
                "loyalty_jobs",
                self.database,
                self.loyalty_jobs().run,
                self.settings.loyalty_job_interval,
                self.listener,
            ),
            ScheduledJob(
                "sla_check",
                self.database,
                self.sla_check().run,
                self.settings.sla_check_interval,
                self.listener,
            ),
            ScheduledJob(
                "health_drift",
                self.database,
                self.health_drift().run,
                self.settings.health_drift_interval,
                self.listener,
            ),
            ScheduledJob(
                "campaign_sending",
                self.database,
                self.campaign_sender().run,
                self.settings.campaign_send_interval,
                self.listener,
            ),
            ScheduledJob(
                "erasure_sweep",
                self.database,
                self.erasure_sweep().run,
                self.settings.erasure_sweep_interval,
                self.listener,
            ),
        ]
        jobs.append(
            ScheduledJob(
                "webhooks",
                self.database,
                WebhookDelivery(self.pool.connection, self._delivery_policy).run,
                self.settings.delivery_interval,
                self.listener,
            )
        )
        endpoint = self.mail_endpoint
        if endpoint is None:
            log.info("no mail is sent: CXL_SMTP_URL is unset; messages wait in the outbox")
        else:
            delivery = self.mail_delivery(endpoint)
            jobs.append(
                ScheduledJob(
                    "mail_delivery",
                    self.database,
                    delivery.run,
                    self.settings.delivery_interval,
                    self.listener,
                )
            )
        return ProjectionWorker(
            [*self.projection_runners(), *self.process_manager_runners(), *jobs],
            self.listener,
            coalesce_seconds=self.settings.projection_coalesce_ms / 1000,
        )

    def bearer_tokens(self) -> BearerTokens:
        """The API's tokens: ours, and the identity provider's when CXL_OIDC_ISSUER is set."""
        settings = self.settings
        oidc = None
        if settings.oidc_issuer is not None:
            oidc = OidcTokens(
                OidcConfig(
                    issuer=settings.oidc_issuer,
                    audience=settings.oidc_audience or "",
                    role_map=parse_role_map(settings.oidc_role_map or ""),
                    role_claim=settings.oidc_role_claim,
                    max_ttl_seconds=settings.max_token_ttl,
                )
            )
        return BearerTokens(self.tokens, oidc)

    def refresh_tokens(self) -> RefreshTokens:
        tokens, ttl = self.tokens, self._session_ttl

        def issue_access(customer_id: UUID, session_version: int) -> IssuedToken:
            return tokens.issue(str(customer_id), Role.CUSTOMER, ttl, session_version)

        return RefreshTokens(
            self.pool.connection,
            self.ledger,
            events_table(self.ledger),
            issue_access,
            self.settings.refresh_token_ttl,
        )

    def api_services(self, worker: ProjectionWorker | None) -> ApiServices:
        settings = self.settings
        bearer, refresh = self.bearer_tokens(), self.refresh_tokens()
        return ApiServices(
            ledger=self.ledger,
            conninfo=self.database.conninfo,
            read_conninfo=settings.read_database_url,
            verify_token=bearer.verify,
            authenticate_token=bearer.authenticate,
            refresh_sessions=refresh,
            log_in=CustomerLogin(
                self.ledger,
                self.tokens,
                LoginThrottle(self.pool.connection),
                self._session_ttl,
                refresh,
            ),
            sessions=LoggedSessions(
                self.tokens, events_table(self.ledger), self._session_ttl, refresh
            ),
            audit_keys=self.secrets.audit_keys,
            password_access=ThrottledPasswordAccess(
                self.ledger, WindowCounters(self.pool.connection), password_policy(settings)
            ),
            limits=ApiLimits(
                max_body_bytes=settings.max_body_bytes,
                max_query_depth=settings.max_query_depth,
                max_query_tokens=settings.max_query_tokens,
                read_your_writes_timeout=settings.read_your_writes_timeout,
                database_timeout=settings.db_timeout,
                erasure_hold_days=settings.erasure_hold_days,
                introspection=settings.introspection,
                requests=request_limits(settings),
                min_group_size=settings.min_group_size,
            ),
            pool_size=settings.db_pool_size,
            page_key=page_key(self.secrets.jwt_secret),
            page_posts=PagePostThrottle(
                WindowCounters(self.pool.connection), settings.page_posts_per_address
            ),
            deflection=DeflectionLog(self.pool.connection),
            listener=self.listener,
            prepared_statements=not self.database.behind_pooler,
            read_cache_entries=settings.read_cache_entries,
            on_start=worker.start if worker else _nothing,
            on_stop=worker.stop if worker else _nothing,
            projection_errors=worker.errors if worker else dict,
            applied=worker.applied if worker else None,
            web=web_options(settings, self.tokens),
            metrics=api_metrics(self.ledger),
            retry_notification=FailedRetries(self.pool.connection),
            register_webhook=WebhookEndpoints(self.pool.connection).register,
            extra_routes=self.delivery_routes(),
            health=health_sources(self.pool.connection),
            tracer=self.tracer,
        )

    @property
    def _session_ttl(self) -> int:
        """How long a customer's access token lives: CXL_ACCESS_TOKEN_TTL, or less if tokens
        may not live so long."""
        return min(self.settings.access_token_ttl, self.settings.max_token_ttl)


GRAPHIQL_SUBJECT = "graphiql-development"


def web_options(settings: Settings, tokens: JwtTokens) -> WebOptions:
    """CORS origins and, in development only, an agent's token that GraphiQL pre-fills so the
    explorer works at once, and the tokens of the dashboards' development sign-in (staff
    tokens are otherwise minted by `cxledger token`)."""
    ttl = min(3600, settings.max_token_ttl)

    def graphiql_token() -> str:
        return tokens.mint(GRAPHIQL_SUBJECT, Role.AGENT, ttl)

    def development_token(role: Role) -> str:
        return tokens.mint(GRAPHIQL_SUBJECT, role, ttl)

    development = settings.environment == "development"

    return WebOptions(
        cors_origins=settings.cors_origins,
        access_log=settings.access_log,
        metrics_token=None
        if settings.metrics_token is None
        else settings.metrics_token.get_secret_value(),
        graphiql_token=graphiql_token if development else None,
        development_token=development_token if development else None,
    )


def _nothing() -> None:
    return None


def build_ledger(
    database: Database,
    secrets: Secrets,
    pool_size: int,
    key_pool: ConnectionPool[Any],
    passwords: PasswordHasher | None = None,
    db_timeout: float = 3.0,
    group_commit_wait_ms: float = 1.0,
    ledger_class: type[Ledger] = Ledger,
    key_cache_size: int = KEY_CACHE_SIZE,
) -> tuple[Ledger, CachedSubjectKeys]:
    keys = CachedSubjectKeys(PostgresSubjectKeys(key_pool, secrets.master_key), key_cache_size)

    def personal_data_index() -> ProjectionRunner:
        # The index reads the ledger's own log, so it is made on the first erasure, once the
        # ledger below exists.
        return ProjectionRunner(ledger, database, PersonalDataIndex(), 500)

    ledger = ledger_class(
        env=database.eventsourcing_env(pool_size, db_timeout, group_commit_wait_ms),
        fingerprint_email=EmailFingerprinter(
            SealedSecrets(key_pool, secrets.master_key).email_fingerprint_key
        ),
        passwords=passwords or Argon2Passwords(),
        erasure_works=PostgresErasureWorks(keys, key_pool.connection, personal_data_index),
        transcodings=[PersonalDataEncrypted(keys)],
    )
    prepare_no_statements(ledger, database)
    return ledger, keys


@contextlib.contextmanager
def open_runtime(settings: Settings) -> Iterator[Runtime]:
    """Start (or connect to) the database, migrate it as its owner, check that the master key
    is the database's (SettingsError naming CXL_MASTER_KEY if not), and build the ledger on the
    runtime role."""
    secrets = resolve_secrets(settings)
    with database_roles(settings) as roles:
        database = roles.runtime
        key_pool = database.pool(INFRASTRUCTURE_POOL_SIZE, settings.db_timeout)
        ledger, keys = build_ledger(
            database, secrets, settings.db_pool_size, key_pool, db_timeout=settings.db_timeout,
            group_commit_wait_ms=settings.group_commit_wait_ms,
        )  # fmt: skip
        listener = SharedListener(database)
        provider = tracer_provider(os.environ)  # the OTel standard's variables, not CXL_ ones
        tracer = None if provider is None else tracer_of(provider)
        if tracer is not None:
            trace_appends(ledger, tracer)
        try:
            applied = roles.migrate(ledger)
            _refuse_a_foreign_master_key(key_pool, secrets)
            listener.start()
            evict_destroyed_keys(listener, keys)
            yield Runtime(
                settings, database, secrets, ledger, keys, key_pool, roles, listener, applied,
                tracer=tracer,
            )  # fmt: skip
        finally:
            listener.stop()
            ledger.close()
            key_pool.close()
            if provider is not None:
                provider.shutdown()  # sends the spans still batched


def _refuse_a_foreign_master_key(pool: ConnectionPool[Any], secrets: Secrets) -> None:
    with pool.connection() as conn:
        try:
            verify_master_key(conn, secrets.master_key)
        except MasterKeyMismatchError as error:
            raise SettingsError(error.detail) from None
