"""What erasure needs from outside the domain: key destruction, the positions index, and the
eviction of cached keys in every process."""

from __future__ import annotations

import logging
import threading
from uuid import UUID

from psycopg import sql

from infrastructure.crypto import CachedSubjectKeys
from infrastructure.database import Database
from infrastructure.key_store import ERASED_CHANNEL
from infrastructure.projection_runner import ProjectionRunner
from projections.privacy.personal_data import positions_holding

log = logging.getLogger(__name__)


class PostgresErasureWorks:
    """Destroys keys in ``cxl_subject_keys`` and reads the personal-data index (caught up
    first, so no position written before the erasure is missed)."""

    def __init__(
        self, keys: CachedSubjectKeys, database: Database, index: ProjectionRunner
    ) -> None:
        self._keys = keys
        self._database = database
        self._index = index

    def destroy_key(self, subject_id: UUID) -> None:
        self._keys.destroy(subject_id)

    def positions_holding(self, subject_id: UUID) -> list[int]:
        with self._database.connect() as conn:
            self._index.catch_up(conn)
            return positions_holding(conn, subject_id)


class KeyEvictionListener:
    """Forgets a cached key as soon as any process destroys it (LISTEN on the erasure
    channel), so no process keeps decrypting an erased subject's values."""

    def __init__(self, keys: CachedSubjectKeys, database: Database) -> None:
        self._keys = keys
        self._database = database
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="key-eviction", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as error:  # a lost connection: listen again, never die
                log.warning("key eviction listener: %s", error)
                self._stop.wait(1.0)

    def _listen(self) -> None:
        with self._database.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(ERASED_CHANNEL)))
            while not self._stop.is_set():
                for notice in conn.notifies(timeout=0.25):
                    self._keys.forget(UUID(notice.payload))
