"""The audit trail's CLI commands: verify (against an anchor, if given), anchor, adopt.

Anchors go to stdout as one line, so that an auditor can keep them where the database's roles
cannot reach (``cxledger audit-anchor >> /secure/anchors``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import AsyncConnection

from infrastructure.bootstrap import Runtime, open_runtime
from infrastructure.database import Database
from infrastructure.projection_runner import ProjectionRunner
from infrastructure.settings import Settings
from projections.audit.anchor import Anchor, InvalidAnchorError, read_anchor
from projections.audit.anchoring import adopt_unkeyed_links, make_anchor
from projections.audit.projection import AuditChain
from projections.audit.verify import AuditVerification, verify_audit_trail

T = TypeVar("T")


def cmd_verify_audit_trail(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the range is intact, 1 when the log was altered (and where), 2 when the
    anchor is not one of ours."""
    with open_runtime(settings) as runtime:
        keys = runtime.secrets.audit_keys
        try:
            anchor = None if args.anchor is None else _anchor(keys.anchor, args.anchor, args.first)
        except InvalidAnchorError as error:
            print(f"cxledger verify-audit-trail: {error}", file=sys.stderr)
            return 2

        async def verify(conn: AsyncConnection[Any]) -> AuditVerification:
            return await verify_audit_trail(conn, keys.chain, args.first, args.last, anchor)

        result = _run(runtime.database, verify)
    print(json.dumps(_report(result), indent=2))
    return 0 if result.intact else 1


def cmd_audit_anchor(settings: Settings, args: argparse.Namespace) -> int:
    """Print a signed anchor of the chain's head (exit 0), or why there is none (exit 1)."""
    with open_runtime(settings) as runtime:
        _catch_up_chain(runtime)
        keys = runtime.secrets.audit_keys
        attempt = _run(runtime.database, lambda conn: make_anchor(conn, keys, datetime.now(UTC)))
    if attempt.anchor is None:
        why = "the chain is empty" if attempt.verification.intact else "the chain is not intact"
        print(f"cxledger audit-anchor: {why}; no anchor made", file=sys.stderr)
        print(json.dumps(_report(attempt.verification), indent=2), file=sys.stderr)
        return 1
    print(attempt.anchor)
    return 0


def cmd_adopt_audit_chain(settings: Settings, args: argparse.Namespace) -> int:
    """Record where an older version's unkeyed links end (exit 0), or refuse (exit 1)."""
    with open_runtime(settings) as runtime:
        owner = runtime.roles.owner_or_refuse("cxledger adopt-audit-chain")
        chain_key = runtime.secrets.audit_keys.chain
        adoption = _run(owner, lambda conn: adopt_unkeyed_links(conn, chain_key))
    report = {
        "outcome": adoption.outcome,
        "keyed_from": adoption.keyed_from,
        "verification": _report(adoption.verification),
    }
    print(json.dumps(report, indent=2))
    return 1 if adoption.outcome in ("refused", "no keyed link yet", "forged record") else 0


def _anchor(anchor_key: bytes, given: str, first: int) -> Anchor:
    """The anchor given as its text or as a file holding it."""
    if first != 1:
        raise InvalidAnchorError("an anchor is checked from position 1: leave --from out")
    text = given
    if not given.lstrip().startswith("{"):
        try:
            text = Path(given).read_text()
        except OSError as error:
            raise InvalidAnchorError(f"cannot read {given}: {error.strerror}") from None
    return read_anchor(anchor_key, text.strip())


def _catch_up_chain(runtime: Runtime) -> None:
    """Chain what the log holds now, so that the anchor covers it (exactly once, beside any
    worker: the runner takes the chain's position lock)."""
    chain = AuditChain(runtime.secrets.audit_keys.chain)
    batch = runtime.settings.projection_batch_size
    runner = ProjectionRunner(runtime.ledger, runtime.database, chain, batch)
    with runtime.database.connect() as conn:
        runner.catch_up(conn)


def _run(database: Database, work: Callable[[AsyncConnection[Any]], Awaitable[T]]) -> T:
    async def run() -> T:
        async with await psycopg.AsyncConnection.connect(database.conninfo) as conn:
            return await work(conn)

    return asyncio.run(run())


def _report(result: AuditVerification) -> dict[str, Any]:
    return {**dataclasses.asdict(result), "intact": result.intact}
