"""What erasure needs from outside the domain: key destruction, the positions index, and the
eviction of cached keys in every process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from psycopg import Connection

from infrastructure.crypto import CachedSubjectKeys
from infrastructure.key_store import ERASED_CHANNEL
from infrastructure.listener import SharedListener
from infrastructure.projection_runner import ProjectionRunner
from projections.privacy.personal_data import positions_holding

log = logging.getLogger(__name__)


class PostgresErasureWorks:
    """Destroys keys in ``cxl_subject_keys`` and reads the personal-data index (caught up
    first, so no position written before the erasure is missed), on a connection from the
    infrastructure pool (``connect``), so that erasures count in the process's bound.

    ``index`` makes the index's runner, on first use: the runner reads the ledger's log, and
    the ledger takes these works at its construction."""

    def __init__(
        self,
        keys: CachedSubjectKeys,
        connect: Callable[[], AbstractContextManager[Connection[Any]]],
        index: Callable[[], ProjectionRunner],
    ) -> None:
        self._keys = keys
        self._connect = connect
        self._make_index = index
        self._index: ProjectionRunner | None = None
        self._making = threading.Lock()

    def destroy_key(self, subject_id: UUID) -> None:
        self._keys.destroy(subject_id)

    def positions_holding(self, subject_id: UUID) -> list[int]:
        with self._making:  # one runner, however many erasures start at once
            if self._index is None:
                self._index = self._make_index()
            index = self._index
        with self._connect() as conn:
            index.catch_up(conn)
            return positions_holding(conn, subject_id)


def evict_destroyed_keys(listener: SharedListener, keys: CachedSubjectKeys) -> Callable[[], None]:
    """Forget a cached key as soon as any process destroys it (a subscription to the erasure
    channel on the process's shared listener), so no process keeps decrypting an erased
    subject's values; after a lost connection, forget them all (notifications sent meanwhile
    are lost). Returns what ends the subscription."""
    return listener.subscribe(
        ERASED_CHANNEL, lambda payload: keys.forget(UUID(payload)), keys.forget_all
    )
