"""The composition root: settings in, a running ledger, projections and API out."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import ConnectionPool

from domain.customer.passwords import PasswordHasher
from domain.ledger import Ledger
from domain.shared.personal_data import MasterKeyMismatchError
from graphql_api.context import ApiLimits, ApiServices
from infrastructure.crypto import CachedSubjectKeys, EmailFingerprinter, PersonalDataEncrypted
from infrastructure.database import Database
from infrastructure.erasure import PostgresErasureWorks, evict_destroyed_keys
from infrastructure.erasure_sweep import ErasureSweep
from infrastructure.footprint import INFRASTRUCTURE_POOL_SIZE, prepare_no_statements
from infrastructure.key_store import PostgresSubjectKeys
from infrastructure.limits import password_policy, request_limits
from infrastructure.listener import SharedListener
from infrastructure.login import CUSTOMER_TOKEN_TTL_SECONDS, CustomerLogin, LoginThrottle
from infrastructure.loyalty_jobs import LoyaltyJobs, ScheduledJob
from infrastructure.master_key_guard import SealedSecrets, verify_master_key
from infrastructure.password_access import ThrottledPasswordAccess
from infrastructure.passwords import Argon2Passwords
from infrastructure.process_manager_runner import ProcessManagerRunner, process_manager_runners
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker, RetryPolicy
from infrastructure.roles import DatabaseRoles, database_roles
from infrastructure.secrets import Secrets, resolve_secrets
from infrastructure.sessions import LoggedSessions, events_table
from infrastructure.settings import Settings, SettingsError
from infrastructure.throttles import WindowCounters
from infrastructure.ticket_jobs import SlaCheck
from infrastructure.tokens import JwtTokens
from projections.loyalty.projection import LoyaltyStatements
from projections.privacy.personal_data import PersonalDataIndex
from projections.registry import build_projections
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
            self.ledger, self.database, self.settings.projection_batch_size, self.retry_policy
        )

    def loyalty_jobs(self) -> LoyaltyJobs:
        read_model = ProjectionRunner(
            self.ledger, self.database, LoyaltyStatements(), self.settings.projection_batch_size,
            self.retry_policy,
        )  # fmt: skip
        return LoyaltyJobs(self.ledger, self.database, read_model)

    def sla_check(self) -> SlaCheck:
        read_model = ProjectionRunner(
            self.ledger, self.database, TicketTimeline(), self.settings.projection_batch_size,
            self.retry_policy,
        )  # fmt: skip
        return SlaCheck(self.ledger, self.database, read_model)

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
                "erasure_sweep",
                self.database,
                self.erasure_sweep().run,
                self.settings.erasure_sweep_interval,
                self.listener,
            ),
        ]
        return ProjectionWorker(
            [*self.projection_runners(), *self.process_manager_runners(), *jobs], self.listener
        )

    def api_services(self, worker: ProjectionWorker | None) -> ApiServices:
        settings = self.settings
        return ApiServices(
            ledger=self.ledger,
            conninfo=self.database.conninfo,
            verify_token=self.tokens.verify,
            log_in=CustomerLogin(
                self.ledger, self.tokens, LoginThrottle(self.pool.connection), self._session_ttl
            ),
            sessions=LoggedSessions(self.tokens, events_table(self.ledger), self._session_ttl),
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
            listener=self.listener,
            prepared_statements=not self.database.behind_pooler,
            on_start=worker.start if worker else _nothing,
            on_stop=worker.stop if worker else _nothing,
            projection_errors=worker.errors if worker else dict,
        )

    @property
    def _session_ttl(self) -> int:
        """How long a customer's token lives: an hour, or less if tokens may not live so long."""
        return min(CUSTOMER_TOKEN_TTL_SECONDS, self.settings.max_token_ttl)


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
) -> tuple[Ledger, CachedSubjectKeys]:
    keys = CachedSubjectKeys(PostgresSubjectKeys(key_pool, secrets.master_key))
    ledger = Ledger(
        env=database.eventsourcing_env(pool_size, db_timeout, group_commit_wait_ms),
        fingerprint_email=EmailFingerprinter(
            SealedSecrets(key_pool, secrets.master_key).email_fingerprint_key
        ),
        passwords=passwords or Argon2Passwords(),
        transcodings=[PersonalDataEncrypted(keys)],
    )
    prepare_no_statements(ledger, database)
    index = ProjectionRunner(ledger, database, PersonalDataIndex(), 500)
    ledger.erasure_works = PostgresErasureWorks(keys, key_pool.connection, index)
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
        try:
            applied = roles.migrate(ledger)
            _refuse_a_foreign_master_key(key_pool, secrets)
            listener.start()
            evict_destroyed_keys(listener, keys)
            yield Runtime(
                settings, database, secrets, ledger, keys, key_pool, roles, listener, applied
            )
        finally:
            listener.stop()
            ledger.close()
            key_pool.close()


def _refuse_a_foreign_master_key(pool: ConnectionPool[Any], secrets: Secrets) -> None:
    with pool.connection() as conn:
        try:
            verify_master_key(conn, secrets.master_key)
        except MasterKeyMismatchError as error:
            raise SettingsError(error.detail) from None
