"""The composition root: settings in, a running ledger, projections and API out."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from psycopg_pool import ConnectionPool

from domain.customer.passwords import PasswordHasher
from domain.ledger import Ledger
from graphql_api.context import ApiLimits, ApiServices
from infrastructure.crypto import CachedSubjectKeys, EmailFingerprinter, PersonalDataEncrypted
from infrastructure.database import Database, database_for
from infrastructure.erasure import KeyEvictionListener, PostgresErasureWorks
from infrastructure.erasure_sweep import ErasureSweep
from infrastructure.key_store import PostgresSubjectKeys
from infrastructure.login import CustomerLogin, LoginThrottle
from infrastructure.loyalty_jobs import LoyaltyJobs, ScheduledJob
from infrastructure.migrations import migrate
from infrastructure.passwords import Argon2Passwords
from infrastructure.process_manager_runner import ProcessManagerRunner, process_manager_runners
from infrastructure.projection_runner import ProjectionRunner, ProjectionWorker
from infrastructure.secrets import Secrets, resolve_secrets
from infrastructure.settings import Settings
from infrastructure.ticket_jobs import SlaCheck
from infrastructure.tokens import JwtTokens
from projections.loyalty.projection import LoyaltyStatements
from projections.privacy.personal_data import PersonalDataIndex
from projections.registry import ALL_PROJECTIONS
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

    @property
    def tokens(self) -> JwtTokens:
        return JwtTokens(
            self.secrets.jwt_secret, self.settings.jwt_issuer, self.settings.jwt_public_key
        )

    def projection_runners(self) -> list[ProjectionRunner]:
        return [
            ProjectionRunner(self.ledger, self.database, p(), self.settings.projection_batch_size)
            for p in ALL_PROJECTIONS
        ]

    def process_manager_runners(self) -> list[ProcessManagerRunner]:
        return process_manager_runners(
            self.ledger, self.database, self.settings.projection_batch_size
        )

    def loyalty_jobs(self) -> LoyaltyJobs:
        read_model = ProjectionRunner(
            self.ledger, self.database, LoyaltyStatements(), self.settings.projection_batch_size
        )
        return LoyaltyJobs(self.ledger, self.database, read_model)

    def sla_check(self) -> SlaCheck:
        read_model = ProjectionRunner(
            self.ledger, self.database, TicketTimeline(), self.settings.projection_batch_size
        )
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
            ),
            ScheduledJob(
                "sla_check", self.database, self.sla_check().run, self.settings.sla_check_interval
            ),
            ScheduledJob(
                "erasure_sweep",
                self.database,
                self.erasure_sweep().run,
                self.settings.erasure_sweep_interval,
            ),
        ]
        return ProjectionWorker(
            [*self.projection_runners(), *self.process_manager_runners(), *jobs]
        )

    def api_services(self, worker: ProjectionWorker | None) -> ApiServices:
        settings = self.settings
        return ApiServices(
            ledger=self.ledger,
            conninfo=self.database.conninfo,
            verify_token=self.tokens.verify,
            log_in=CustomerLogin(self.ledger, self.tokens, LoginThrottle(self.pool.connection)),
            limits=ApiLimits(
                max_body_bytes=settings.max_body_bytes,
                max_query_depth=settings.max_query_depth,
                max_query_tokens=settings.max_query_tokens,
                read_your_writes_timeout=settings.read_your_writes_timeout,
                erasure_hold_days=settings.erasure_hold_days,
                min_group_size=settings.min_group_size,
            ),
            pool_size=settings.db_pool_size,
            on_start=worker.start if worker else _nothing,
            on_stop=worker.stop if worker else _nothing,
            projection_errors=worker.errors if worker else dict,
        )


def _nothing() -> None:
    return None


def build_ledger(
    database: Database,
    secrets: Secrets,
    pool_size: int,
    key_pool: ConnectionPool[Any],
    passwords: PasswordHasher | None = None,
) -> tuple[Ledger, CachedSubjectKeys]:
    keys = CachedSubjectKeys(PostgresSubjectKeys(key_pool, secrets.master_key))
    ledger = Ledger(
        env=database.eventsourcing_env(pool_size),
        fingerprint_email=EmailFingerprinter(secrets.master_key.derive("email-fingerprint")),
        passwords=passwords or Argon2Passwords(),
        transcodings=[PersonalDataEncrypted(keys)],
    )
    index = ProjectionRunner(ledger, database, PersonalDataIndex(), 500)
    ledger.erasure_works = PostgresErasureWorks(keys, database, index)
    return ledger, keys


@contextlib.contextmanager
def open_runtime(settings: Settings, *, run_migrations: bool = True) -> Iterator[Runtime]:
    """Start (or connect to) the database, migrate it, and build the ledger."""
    secrets = resolve_secrets(settings)
    with database_for(settings.database_url, settings.data_dir) as database:
        key_pool: ConnectionPool[Any] = ConnectionPool(
            database.conninfo, min_size=1, max_size=4, open=True
        )
        ledger, keys = build_ledger(database, secrets, settings.db_pool_size, key_pool)
        evictions = KeyEvictionListener(keys, database)
        try:
            if run_migrations:
                migrate(database, ledger)
            evictions.start()
            yield Runtime(settings, database, secrets, ledger, keys, key_pool)
        finally:
            evictions.stop()
            ledger.close()
            key_pool.close()
