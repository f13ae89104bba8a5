"""`cxledger`: the operator's command line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from domain.shared.metadata import Role
from domain.shared.personal_data import MasterKeyMismatchError
from infrastructure.audit_commands import (
    cmd_adopt_audit_chain,
    cmd_audit_anchor,
    cmd_verify_audit_trail,
)
from infrastructure.bootstrap import open_runtime
from infrastructure.crypto import MasterKey
from infrastructure.demo.command import add_arguments as add_demo_arguments
from infrastructure.demo.command import cmd_demo
from infrastructure.heap import settle_heap
from infrastructure.logs import configure_logging
from infrastructure.master_key_rotation import rotate_master_key
from infrastructure.process_manager_runner import ALL_PROCESS_MANAGERS
from infrastructure.progress import ProgressBar
from infrastructure.rebuild import rebuild
from infrastructure.report_command import add_arguments as add_report_arguments
from infrastructure.report_command import cmd_report
from infrastructure.retry_parked import retry_parked
from infrastructure.secrets import replace_development_master_key
from infrastructure.settings import Settings, SettingsError, load_settings
from infrastructure.stop_signal import STOP_REQUESTED, SignalledToStopError, stop_on_signals
from infrastructure.tokens import TOKEN_ROLES, JwtTokens, subject_problem
from infrastructure.version import product_version
from projections.parked import parked_counts, parked_events, rebuild_name
from projections.registry import ALL_PROJECTIONS, projection_named
from projections.tracking import all_positions

log = logging.getLogger("cxledger")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from infrastructure.server import serve

    serve(settings)
    return 0


def cmd_project(settings: Settings, args: argparse.Namespace) -> int:
    with open_runtime(settings) as runtime:
        worker = runtime.worker()
        settle_heap()  # as `serve` does: the start-up heap is never walked by the collector
        worker.start()
        log.info("worker running: %s", ", ".join(r.name for r in worker.runners))
        try:
            # Until a signal raises SignalledToStopError, or set the event if its raise was lost.
            STOP_REQUESTED.wait()
        finally:
            worker.stop()
    return 0


def cmd_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    try:
        projection = projection_named(args.name)()
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    if not projection.rebuildable:
        print(
            f"{projection.name} is never rebuilt: it was built as the log was written",
            file=sys.stderr,
        )
        return 2
    with open_runtime(settings) as runtime:
        reached = rebuild(
            runtime.ledger,
            runtime.roles.owner_or_refuse("cxledger rebuild"),
            projection,
            settings.projection_batch_size,
            progress=ProgressBar(f"rebuild {projection.name}"),
            policy=runtime.retry_policy,
        )
        with runtime.database.connect() as conn:
            parked = parked_counts(conn).get(projection.name, 0)
    print(f"{projection.name} rebuilt up to position {reached}")
    if parked:
        print(f"{parked} events parked: see cxledger parked {projection.name}", file=sys.stderr)
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    with open_runtime(settings) as runtime:
        runtime.roles.owner_or_refuse("cxledger migrate")
        applied = runtime.migrations_applied
    print("applied: " + (", ".join(applied) if applied else "nothing, already up to date"))
    return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    with open_runtime(settings) as runtime:
        head = runtime.ledger.head_position()
        with runtime.database.connect() as conn:
            positions = all_positions(conn)
            parked = parked_counts(conn)

    def progress(name: str) -> dict[str, int]:
        return {
            "position": positions.get(name, 0),
            "lag": head - positions.get(name, 0),
            "parked": parked.get(name, 0),
        }

    report = {
        "database": "external" if settings.database_url else f"embedded in {settings.data_dir}",
        "head": head,
        "projections": {p.name: progress(p.name) for p in ALL_PROJECTIONS},
        "process_managers": {m.name: progress(m.name) for m in ALL_PROCESS_MANAGERS},
    }
    print(json.dumps(report, indent=2))
    return 0


def cmd_parked(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 after listing; 2 for a name that is neither a read model nor a process manager."""
    known = _follower_names() + [rebuild_name(p.name) for p in ALL_PROJECTIONS]
    if args.name is not None and args.name not in known:
        print(
            f"cxledger parked: unknown name {args.name!r}; known: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    with open_runtime(settings) as runtime, runtime.database.connect() as conn:
        events = parked_events(conn, args.name)
    print(json.dumps([event.as_dict() for event in events], indent=2))
    return 0


def cmd_retry_parked(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when every parked event applied, 1 when some are still parked, 2 for a bad name."""
    if args.name not in _follower_names():
        known = ", ".join(_follower_names())
        print(f"cxledger retry-parked: unknown name {args.name!r}; known: {known}", file=sys.stderr)
        return 2
    with open_runtime(settings) as runtime:
        followers = [*runtime.projection_runners(), *runtime.process_manager_runners()]
        summary = retry_parked(next(f for f in followers if f.name == args.name))
    print(json.dumps(summary.as_dict(), indent=2))
    return 0 if summary.all_applied else 1


def _follower_names() -> list[str]:
    return [p.name for p in ALL_PROJECTIONS] + [m.name for m in ALL_PROCESS_MANAGERS]


def cmd_expire_points(settings: Settings, args: argparse.Namespace) -> int:
    try:
        now = _moment(args.now)
    except ValueError as error:
        print(f"cxledger expire-points: {error}", file=sys.stderr)
        return 2
    with open_runtime(settings) as runtime:
        summary = runtime.loyalty_jobs().run(now)
    print(json.dumps(summary.as_dict(), indent=2))
    return 0


def cmd_reassess_health(settings: Settings, args: argparse.Namespace) -> int:
    try:
        now = _moment(args.now)
    except ValueError as error:
        print(f"cxledger reassess-health: {error}", file=sys.stderr)
        return 2
    with open_runtime(settings) as runtime:
        summary = runtime.health_drift().run(now)
    print(json.dumps(summary.as_dict(), indent=2))
    return 0


def cmd_check_sla(settings: Settings, args: argparse.Namespace) -> int:
    try:
        now = _moment(args.now)
    except ValueError as error:
        print(f"cxledger check-sla: {error}", file=sys.stderr)
        return 2
    with open_runtime(settings) as runtime:
        summary = runtime.sla_check().run(now)
    print(json.dumps(summary.as_dict(), indent=2))
    return 0


def cmd_sweep_erasures(settings: Settings, args: argparse.Namespace) -> int:
    with open_runtime(settings) as runtime:
        summary = runtime.erasure_sweep().run()
    print(json.dumps(summary.as_dict(), indent=2))
    return 0 if summary.waiting is None else 1


def _moment(text: str | None) -> datetime | None:
    """``--now``: an ISO 8601 time with its time zone (None: the present)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--now must be an ISO 8601 time, not {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError("--now needs a time zone, e.g. 2027-01-01T00:00:00+00:00")
    return moment.astimezone(UTC)


def cmd_rotate_master_key(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 once every key is rewrapped under CXL_NEW_MASTER_KEY; 2 if nothing changed."""
    if settings.new_master_key is None:
        print("cxledger rotate-master-key: set CXL_NEW_MASTER_KEY to the new key", file=sys.stderr)
        return 2
    new_text = settings.new_master_key.get_secret_value()
    try:
        new_key = MasterKey.from_text(new_text)
    except ValueError as error:
        print(f"cxledger rotate-master-key: CXL_NEW_MASTER_KEY: {error}", file=sys.stderr)
        return 2
    with open_runtime(settings) as runtime:
        try:
            summary = rotate_master_key(runtime.database, runtime.secrets.master_key, new_key)
        except ValueError as error:
            print(f"cxledger rotate-master-key: {error}", file=sys.stderr)
            return 2
        except MasterKeyMismatchError as error:
            print(f"cxledger rotate-master-key: {error.detail}", file=sys.stderr)
            return 2
    key_file = replace_development_master_key(settings, new_text)
    print(
        json.dumps(
            {
                **dataclasses.asdict(summary),
                "development_key_file": str(key_file) if key_file else None,
            },
            indent=2,
        )
    )
    log.warning(
        "master key rotated: restart every process with CXL_MASTER_KEY set to the new key; "
        "until then, those holding the old one can make no key for a new person"
    )
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    from infrastructure.secrets import resolve_secrets

    role = Role(args.role)
    try:
        subject = _token_subject(role, args.customer, args.subject)
        session_version = _token_session_version(role, args.session_version)
        if not 1 <= args.ttl <= settings.max_token_ttl:
            raise ValueError(f"--ttl must be 1 to {settings.max_token_ttl} (CXL_MAX_TOKEN_TTL)")
    except ValueError as error:
        print(f"cxledger token: {error}", file=sys.stderr)
        return 2
    secret = resolve_secrets(settings).jwt_secret
    tokens = JwtTokens(secret, settings.jwt_issuer, max_ttl_seconds=settings.max_token_ttl)
    print(tokens.mint(subject, role, args.ttl, session_version))
    return 0


def _token_session_version(role: Role, given: int | None) -> int | None:
    """A customer token carries the customer's session version (0 until their first password
    change, reset or erasure); no other token does."""
    if role is not Role.CUSTOMER:
        if given is not None:
            raise ValueError("--session-version is for --role customer")
        return None
    if given is not None and given < 0:
        raise ValueError("--session-version must be 0 or more")
    return given or 0


def _token_subject(role: Role, customer: str | None, subject: str | None) -> str:
    """A customer's token is about one customer: its subject is their id."""
    if role is not Role.CUSTOMER:
        if customer is not None:
            raise ValueError("--customer is for --role customer; use --subject")
        problem = subject_problem(subject or "dev-user")
        if problem is not None:
            raise ValueError(f"--subject {problem}")
        return subject or "dev-user"
    given = customer or subject
    if given is None:
        raise ValueError("--role customer needs --customer ID (the customer's id)")
    if customer is not None and subject is not None and customer != subject:
        raise ValueError("--customer and --subject differ; give one")
    try:
        return str(UUID(given))
    except ValueError:
        raise ValueError(f"--customer must be a customer id (a UUID), not {given!r}") from None


def cmd_schema(settings: Settings, args: argparse.Namespace) -> int:
    from graphql_api.schema import build_schema

    print(build_schema().as_str())
    return 0


COMMANDS: dict[str, tuple[Callable[[Settings, argparse.Namespace], int], str]] = {
    "serve": (
        cmd_serve,
        "Serve the GraphQL API (and, unless CXL_RUN_PROJECTIONS=false, the "
        "projection workers) until Ctrl-C or SIGTERM.",
    ),
    "project": (
        cmd_project,
        "Run the projection workers alone: catch up, then follow the log. "
        "Several may run; each projection is applied by one at a time. The process "
        "managers, the loyalty job and the SLA check run here too.",
    ),
    "rebuild": (
        cmd_rebuild,
        "Rebuild one read model from the log beside the live one, then "
        "swap it in (no downtime), showing events done, rate and time left.",
    ),
    "expire-points": (
        cmd_expire_points,
        "Run the loyalty job once (expire due points, review tiers) and print a JSON "
        "summary; the worker runs it every CXL_LOYALTY_JOB_INTERVAL seconds.",
    ),
    "reassess-health": (
        cmd_reassess_health,
        "Run the health drift job once (customers who fell into the at-risk band as days "
        "passed get the at-risk reaction's proactive ticket) and print a JSON summary; the "
        "worker runs it every CXL_HEALTH_DRIFT_INTERVAL seconds.",
    ),
    "check-sla": (
        cmd_check_sla,
        "Run the SLA check once (record the breaches of ticket SLA clocks due at --now) and "
        "print a JSON summary; the worker runs it every CXL_SLA_CHECK_INTERVAL seconds.",
    ),
    "sweep-erasures": (
        cmd_sweep_erasures,
        "Run the erasure sweep once (complete erasures a failure left half done; vacuum the "
        "read models' tables after completed ones) and print a JSON summary; exit 1 if it "
        "still waits for something (older transactions, a locked table). The worker runs it "
        "every CXL_ERASURE_SWEEP_INTERVAL seconds.",
    ),
    "verify-audit-trail": (
        cmd_verify_audit_trail,
        "Check the stored log against the keyed audit chain (and against an anchor, with "
        "--anchor) and print the first position where it was altered (exit 1), or that the "
        "range is intact (exit 0); a malformed or forged anchor exits 2.",
    ),
    "audit-anchor": (
        cmd_audit_anchor,
        "Check the whole audit chain, then print a signed anchor of its head (position, "
        "digest, time) as one line of JSON, to keep outside the database; exit 1 and no "
        "anchor if the chain is not intact or empty.",
    ),
    "adopt-audit-chain": (
        cmd_adopt_audit_chain,
        "Once, after upgrading a database whose audit chain an earlier version built without "
        "the audit key: check it and record, under the key, where its keyed links begin "
        "(needs the owner's URL). Exit 1 if the chain is not intact.",
    ),
    "migrate": (
        cmd_migrate,
        "Create or update the database schema as its owner (CXL_MIGRATION_DATABASE_URL, or the "
        "one role of CXL_DATABASE_URL) and grant the runtime role what it needs; serve and "
        "project do this too.",
    ),
    "status": (
        cmd_status,
        "Print the log head and each projection's and process manager's position, lag and "
        "number of parked events.",
    ),
    "parked": (
        cmd_parked,
        "List the parked events (those a read model or process manager could not apply after "
        "its retries) as JSON: name, position, topic, error, attempts, first and last failure.",
    ),
    "retry-parked": (
        cmd_retry_parked,
        "Apply a read model's or process manager's parked events again, in log order, once the "
        "cause is fixed; print a JSON summary; exit 1 if some are still parked.",
    ),
    "rotate-master-key": (
        cmd_rotate_master_key,
        "Rewrap every subject key and sealed secret under CXL_NEW_MASTER_KEY in one "
        "transaction (CXL_MASTER_KEY must still hold the current key); then restart every "
        "process with the new key.",
    ),
    "demo": (
        cmd_demo,
        "Fill the database with a realistic demo company through the ledger's commands "
        "(customers, purchases, loyalty, surveys, tickets, referrals over the past year), then "
        "bring every read model up to date. Refuses a database that holds customers, and "
        "production, unless --force.",
    ),
    "report": (
        cmd_report,
        "Write the monthly management report (NPS with its margin of error, a chart of the "
        "month's days, themes, service figures, each against the month before) as a PDF, "
        "read as an analyst sees the dashboards.",
    ),
    "token": (cmd_token, "Mint a signed development JWT for a role."),
    "schema": (cmd_schema, "Print the GraphQL schema (SDL); schema.graphql is this output."),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxledger",
        description="Event-sourced customer-experience ledger. Settings come from CXL_* "
        "environment variables (see README).",
    )
    parser.add_argument("--version", action="version", version=f"cxledger {product_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parsers = {
        name: sub.add_parser(name, help=text, description=text)
        for name, (_, text) in COMMANDS.items()
    }
    parsers["rebuild"].add_argument(
        "name", help="read model to rebuild: " + ", ".join(p.name for p in ALL_PROJECTIONS)
    )
    parsers["expire-points"].add_argument(
        "--now",
        metavar="ISO8601",
        help="expire as of this time, with its time zone (default: now)",
    )
    parsers["reassess-health"].add_argument(
        "--now",
        metavar="ISO8601",
        help="reassess as of this time, with its time zone (default: now)",
    )
    parsers["check-sla"].add_argument(
        "--now",
        metavar="ISO8601",
        help="check as of this time, with its time zone (default: now)",
    )
    parsers["parked"].add_argument(
        "name", nargs="?", help="only this read model's or process manager's parked events"
    )
    parsers["retry-parked"].add_argument(
        "name", help="the read model or process manager whose parked events to apply again"
    )
    audit = parsers["verify-audit-trail"]
    audit.add_argument("--from", dest="first", type=int, default=1, help="first position")
    audit.add_argument("--to", dest="last", type=int, default=None, help="last position")
    audit.add_argument(
        "--anchor",
        metavar="FILE_OR_TEXT",
        help="an anchor from audit-anchor (its text, or a file holding it): the log from "
        "position 1 to the anchor's must be what the anchor vouches for",
    )
    add_demo_arguments(parsers["demo"])
    add_report_arguments(parsers["report"])
    token = parsers["token"]
    token.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in TOKEN_ROLES],
        help="role claim of the token",
    )
    token.add_argument(
        "--customer",
        metavar="ID",
        help="for --role customer: the customer's id, which becomes the sub claim",
    )
    token.add_argument(
        "--subject",
        help="sub claim: the actor id (default dev-user; for --role customer, the customer id)",
    )
    token.add_argument(
        "--ttl",
        type=int,
        default=3600,
        help="lifetime in seconds, at most CXL_MAX_TOKEN_TTL (default 86400)",
    )
    token.add_argument(
        "--session-version",
        type=int,
        metavar="N",
        help="for --role customer: the customer's session version (default 0; each password "
        "change, reset or erasure raises it, and a token with an older one is refused)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"cxledger: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_style)
    stop_on_signals()
    handler, _ = COMMANDS[args.command]
    try:
        return handler(settings, args)
    except (SignalledToStopError, KeyboardInterrupt):
        log.info("stopped")
        return 0
    except SettingsError as error:
        print(f"cxledger: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
