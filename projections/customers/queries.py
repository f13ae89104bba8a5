"""Typed reads of the customer read model: the directory, its filtered pages, Customer 360."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from psycopg import AsyncConnection, AsyncCursor, Error, InternalError
from psycopg.abc import Transformer as RowLoading
from psycopg.adapt import Transformer
from psycopg.errors import error_from_result
from psycopg.generators import execute as libpq_results
from psycopg.generators import fetch_many
from psycopg.pq import ConnStatus, DiagnosticField, ExecStatus, Format, TransactionStatus
from psycopg.pq.abc import PGconn, PGresult
from psycopg.rows import args_row, dict_row, tuple_row

from projections.customers.views import (
    AddressView,
    ConsentChange,
    ConsentView,
    ContactPreferenceView,
    CurrencyTotal,
    Customer360Parts,
    CustomerFilter,
    CustomerProfileView,
    OnboardingState,
    OnboardingStepView,
    PurchaseSummary,
)


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A customer as the directory shows them; personal fields are None once erased."""

    customer_id: UUID
    seq: int
    name: str | None
    email: str | None
    phone: str | None
    region: str | None
    personal_data_erased: bool
    registered_at: datetime
    registered_by_role: str
    registered_through: str
    version: int
    onboarding_state: OnboardingState = "not_started"
    purchase_count: int = 0
    last_purchase_at: datetime | None = None
    erased_at: datetime | None = None
    """When the customer's personal data was erased (None: it was not)."""


@dataclass(frozen=True, slots=True)
class CustomerPage:
    items: list[CustomerView]
    has_next_page: bool
    total_count: int | None
    """How many customers match the filter in all; None when the caller did not ask."""


_COLUMNS = ", ".join(field.name for field in fields(CustomerView))
"""The directory's columns, named and ordered as CustomerView's fields: a row is the view's
positional arguments (``_VIEW_ROW``), without a dict of names per row."""
_VIEW_ROW = args_row(CustomerView)


async def customer_by_id(conn: AsyncConnection[Any], customer_id: UUID) -> CustomerView | None:
    """The customer's directory row, or None. Its statement is prepared and run through
    libpq as an unfiltered page's is (``_prepared_rows``), where the connection allows it:
    the customer read by id is the API's most frequent read of one row; the rows come in
    binary either way."""
    rows = await _prepared_rows(conn, _ONE_CUSTOMER, [customer_id.bytes])
    if rows is not None:
        return CustomerView(*rows[0]) if rows else None
    async with conn.cursor(row_factory=_VIEW_ROW, binary=True) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM customer_directory WHERE customer_id = %s", (customer_id,)
        )
        return await cur.fetchone()


async def customers_by_ids(
    conn: AsyncConnection[Any], customer_ids: Sequence[UUID]
) -> dict[UUID, CustomerView]:
    """The directory rows of those of ``customer_ids`` that exist, in one query."""
    async with conn.cursor(row_factory=_VIEW_ROW) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM customer_directory WHERE customer_id = ANY(%s)",
            (list(customer_ids),),
        )
        return {view.customer_id: view for view in await cur.fetchall()}


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching ``prefix`` literally at the start: its wildcards escaped."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def filter_condition(
    filter: CustomerFilter,  # noqa: A002 - the name the API uses
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (and its parameters) of ``filter``; each term has an index."""
    terms = ["true"]
    params: dict[str, Any] = {}
    if filter.region is not None:
        terms.append("region = %(region)s")
        params["region"] = filter.region
    if filter.channel is not None:
        terms.append("channels @> %(channels)s::text[]")
        params["channels"] = [filter.channel]
    if filter.last_purchase_before is not None:
        terms.append("last_purchase_at < %(before)s")
        params["before"] = filter.last_purchase_before
    if filter.last_purchase_after is not None:
        terms.append("last_purchase_at > %(after)s")
        params["after"] = filter.last_purchase_after
    if filter.onboarding is not None:
        terms.append("onboarding_state = %(onboarding)s")
        params["onboarding"] = filter.onboarding
    if filter.search is not None:
        terms.append("(lower(name) LIKE lower(%(search)s) OR lower(email) LIKE lower(%(search)s))")
        params["search"] = like_prefix(filter.search)
    return " AND ".join(terms), params


def page_statements(
    filter: CustomerFilter,  # noqa: A002
    first: int,
    after_seq: int,
) -> tuple[str, str, dict[str, Any]]:
    """The page and count statements of `customers_page`, with their parameters."""
    where, params = filter_condition(filter)
    page = (
        f"SELECT {_COLUMNS} FROM customer_directory WHERE seq > %(after_seq)s AND {where}"
        " ORDER BY seq LIMIT %(limit)s"
    )
    count = f"SELECT count(*) FROM customer_directory WHERE {where}"
    return page, count, {**params, "after_seq": after_seq, "limit": first + 1}


@dataclass(frozen=True, slots=True)
class DirectoryRows:
    """A page of directory rows as psycopg gives them: tuples of ``CustomerView``'s fields
    in its order (``VIEW_FIELDS``), so that a list can make of each only what it shows.
    A page may be kept and shared by later requests (``projections.row_cache``): never
    changed once made."""

    items: list[tuple[Any, ...]]
    has_next_page: bool


_NO_FILTER = CustomerFilter()

VIEW_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(CustomerView))
"""The columns of a ``DirectoryRows`` row, in order: ``CustomerView(*row)`` is its view."""


LISTED_FIELDS: frozenset[str] = frozenset(
    {"customer_id", "seq", "name", "email", "phone", "region", "personal_data_erased", "version"}
)
"""The columns a ``listed_only`` page reads (``directory_rows``): those a list shows. The
others (two timestamps, which cost the most to load, and five more) come as nulls in their
places, so that a row keeps ``VIEW_FIELDS``' layout (and one more value after them: the id
as text, ``LISTED_ID_TEXT``)."""

LISTED_ID_TEXT = len(VIEW_FIELDS)
"""Where a ``listed_only`` row holds, after the view's fields, its id as text: PostgreSQL's
text of a ``uuid`` is Python's ``str`` of it (lower-case 8-4-4-4-12 hex), which a list
shows, and which ``uuid.UUID.__str__`` made in Python for every row."""

_LISTED_COLUMNS = ", ".join(
    [name if name in LISTED_FIELDS else f"NULL AS {name}" for name in VIEW_FIELDS]
    + ["customer_id::text AS customer_id_text"]
)


def _unfiltered(columns: str) -> tuple[str, str, str]:
    """The unfiltered pages' statements (after, before, latest), their parameters by
    position: psycopg converts a statement's named parameters through a dict in every
    execution (a tenth of the read's client CPU). Their plans are those of
    ``page_statements`` without its ``true`` term."""
    return (
        f"SELECT {columns} FROM customer_directory WHERE seq > %s ORDER BY seq LIMIT %s",
        f"SELECT {columns} FROM customer_directory WHERE seq < %s ORDER BY seq DESC LIMIT %s",
        f"SELECT {columns} FROM customer_directory ORDER BY seq DESC LIMIT %s",
    )


_UNFILTERED = {False: _unfiltered(_COLUMNS), True: _unfiltered(_LISTED_COLUMNS)}
"""The unfiltered statements by ``listed_only``."""


@dataclass(frozen=True, slots=True)
class _PreparedPage:
    """A statement as ``_prepared_rows`` runs it: prepared under a name of its own (none of
    psycopg's ``_pg3_`` names), its parameters of the types ``types`` (oids), sent in binary."""

    name: bytes
    query: bytes
    types: tuple[int, ...]


def _prepared_page(name: str, statement: str, of_type: int = 20) -> _PreparedPage:
    """``statement`` (``%s`` placeholders, each a parameter of the type ``of_type``: by default
    ``bigint``) as a statement of its own named ``name``."""
    parts = statement.split("%s")
    numbered = parts[0] + "".join(f"${index}{part}" for index, part in enumerate(parts[1:], 1))
    return _PreparedPage(
        name.encode("ascii"), numbered.encode("utf-8"), (of_type,) * (len(parts) - 1)
    )


_PREPARED_PAGES = {
    statement: _prepared_page(f"_cxl_directory_page_{index}", statement)
    for index, statement in enumerate(_UNFILTERED[False] + _UNFILTERED[True])
}
"""The unfiltered statements (``_UNFILTERED``) as prepared statements of their own."""
_ONE_CUSTOMER = _prepared_page(
    "_cxl_directory_customer",
    f"SELECT {_COLUMNS} FROM customer_directory WHERE customer_id = %s",
    of_type=2950,  # uuid
)
"""``customer_by_id``'s statement, its one parameter the id's 16 bytes."""


async def directory_rows(
    conn: AsyncConnection[Any],
    size: int,
    cursor: int | None,
    filter: CustomerFilter = CustomerFilter(),  # noqa: A002, B008 - frozen, so safe to share
    backward: bool = False,
    listed_only: bool = False,
) -> DirectoryRows:
    """The rows of a page, in registration order: forward, the ``size`` customers matching
    ``filter`` after the position ``cursor`` (None or 0: from the start; keyset pagination
    on ``seq``); backward, the ``size`` just before ``cursor`` (None: the latest), and
    ``has_next_page`` then says whether more precede them (the page was read backward).

    Without a filter the statement is prepared (on an autocommit session at its first use,
    through libpq: ``_prepared_rows``; otherwise after psycopg's threshold of uses; and not
    where the connection prepares nothing, as behind PgBouncer): the server then neither
    parses nor plans it again, and its one plan (the ``seq`` order, a bound and a limit) is
    the one it picks each time anyway. A filtered page is never prepared: a generic plan
    cannot use the prefix indexes of a search's LIKE, and might pick another index than a
    custom plan would for a region or a date.

    The rows come in binary: a ``uuid`` and a ``timestamptz`` load from their bytes rather
    than parsed from text (the same values; the time zone is the connection's either way).
    With ``listed_only``, only the columns of ``LISTED_FIELDS`` are read, the others are
    None (for a caller that shows no other: loading them was about a fifth of the read's
    client CPU), and each row ends with its id as text (``LISTED_ID_TEXT``)."""
    statement: str
    values: Sequence[Any] | dict[str, Any]
    rows: list[tuple[Any, ...]] | None = None
    if filter is _NO_FILTER or filter == _NO_FILTER:
        prepare = None
        after, before, latest = _UNFILTERED[listed_only]
        positional: tuple[int, ...]
        if not backward:
            statement, positional = after, (cursor or 0, size + 1)
        elif cursor is None:
            statement, positional = latest, (size + 1,)
        else:
            statement, positional = before, (cursor, size + 1)
        values = positional
        sent = [value.to_bytes(8, "big", signed=True) for value in positional]
        rows = await _prepared_rows(conn, _PREPARED_PAGES[statement], sent)
    else:
        prepare = False
        where, params = filter_condition(filter)
        columns = _LISTED_COLUMNS if listed_only else _COLUMNS
        if backward:
            bound = "TRUE" if cursor is None else "seq < %(before_seq)s"
            statement = (
                f"SELECT {columns} FROM customer_directory WHERE {bound} AND {where}"
                " ORDER BY seq DESC LIMIT %(limit)s"
            )
            values = {**params, "before_seq": cursor, "limit": size + 1}
        else:
            statement = (
                f"SELECT {columns} FROM customer_directory WHERE seq > %(after_seq)s AND"
                f" {where} ORDER BY seq LIMIT %(limit)s"
            )
            values = {**params, "after_seq": cursor or 0, "limit": size + 1}
    if rows is None:
        cur = _page_cursor(conn)
        await cur.execute(statement, values, prepare=prepare)
        rows = await cur.fetchall()
    items = rows[:size][::-1] if backward else rows[:size]
    return DirectoryRows(items=items, has_next_page=len(rows) > size)


_PAGE_CURSOR = "_cxl_page_cursor"
"""The attribute of a connection holding its cursor for ``directory_rows``."""


def _page_cursor(conn: AsyncConnection[Any]) -> AsyncCursor[tuple[Any, ...]]:
    """The connection's own cursor for directory pages, made on its first page and used
    for every page after it (a connection serves one request at a time, and a cursor may
    execute again once its rows are fetched). A new cursor per page made its adapters map,
    its transformer and a loader for each of the fifteen columns again (the time zone of
    the three ``timestamptz`` looked up each time): about a tenth of a page's client CPU."""
    cur: AsyncCursor[tuple[Any, ...]] | None = getattr(conn, _PAGE_CURSOR, None)
    if cur is None or cur.closed:
        cur = conn.cursor(row_factory=tuple_row, binary=True)
        setattr(conn, _PAGE_CURSOR, cur)
    return cur


_PREPARED_NAMES = "_cxl_prepared_pages"
"""The attribute of a connection holding the names of ``_PREPARED_PAGES`` prepared on its
session."""
_PAGE_TRANSFORMER = "_cxl_page_transformer"
"""The attribute of a connection holding the transformer that loads its prepared pages."""
_BINARY = Format.BINARY
_IDLE = TransactionStatus.IDLE
_ACTIVE = TransactionStatus.ACTIVE
_CANCEL_TIMEOUT = 5.0
"""Seconds for a cancellation and its drained answer, as psycopg gives them."""
_UNDEFINED_STATEMENT = b"26000"  # invalid_sql_statement_name
_DUPLICATE_STATEMENT = b"42P05"  # duplicate_prepared_statement


async def _prepared_rows(
    conn: AsyncConnection[Any], page: _PreparedPage, params: list[bytes]
) -> list[tuple[Any, ...]] | None:
    """The rows of ``page`` (an unfiltered page's statement, or one customer's), read through
    libpq on the connection's own session as psycopg's cursor reads them; None (the cursor
    reads it) on a connection this does not serve: one not in autocommit, inside a
    transaction block, preparing nothing (behind a transaction-mode pooler), in pipeline mode
    or not connected.

    The kept cursor (``_page_cursor``) still converted the query and dumped its parameters,
    looked the statement up in psycopg's prepared-statement cache and ran its generators in
    Python around libpq's, on every page (about 16 us of a listed page's 208 in the app, in
    process). Here the statement is prepared once per session under a name of its own, its
    parameters (``params``, already in binary: a page's one or two bigints, a customer's id)
    sent as they are, and the answer awaited under the connection's lock: through the
    connection's kept reader where it has one (``_answer``), else by psycopg's own wait on its
    ``execute`` generator; either way a cancelled read is cancelled on the server as psycopg
    cancels it. The rows are loaded by psycopg's transformer (binary, the connection's
    loaders: the same values). A failure raises psycopg's error for it
    (``error_from_result``). A statement deallocated meanwhile (psycopg's ``DEALLOCATE ALL``,
    a ``DISCARD ALL``) is prepared again: in autocommit the
    failed call changed nothing."""
    pgconn = conn.pgconn
    async with conn.lock:
        if (
            not conn.autocommit
            or conn.prepare_threshold is None
            or conn._pipeline is not None
            or pgconn.status != ConnStatus.OK
            or pgconn.transaction_status != _IDLE
        ):
            return None
        prepared: set[bytes] | None = getattr(conn, _PREPARED_NAMES, None)
        if prepared is None:
            prepared = set()
            setattr(conn, _PREPARED_NAMES, prepared)
        if page.name not in prepared:
            await _prepare(conn, page)
            prepared.add(page.name)
        result = await _run_prepared(conn, page, params)
        if _sqlstate(result) == _UNDEFINED_STATEMENT:
            prepared.discard(page.name)
            await _prepare(conn, page)
            prepared.add(page.name)
            result = await _run_prepared(conn, page, params)
        if result.status != ExecStatus.TUPLES_OK:
            raise _error(conn, result)
    transformer: RowLoading | None = getattr(conn, _PAGE_TRANSFORMER, None)
    if transformer is None:
        transformer = Transformer(conn)
        setattr(conn, _PAGE_TRANSFORMER, transformer)
    transformer.set_pgresult(result)
    try:
        return transformer.load_rows(0, result.ntuples, tuple)
    finally:
        transformer.set_pgresult(None)  # the result's memory goes now, not at the next page


async def _prepare(conn: AsyncConnection[Any], page: _PreparedPage) -> None:
    conn.pgconn.send_prepare(page.name, page.query, list(page.types))
    result = _one(await conn.wait(libpq_results(conn.pgconn)))
    if result.status != ExecStatus.COMMAND_OK and _sqlstate(result) != _DUPLICATE_STATEMENT:
        raise _error(conn, result)


async def _run_prepared(
    conn: AsyncConnection[Any], page: _PreparedPage, params: list[bytes]
) -> PGresult:
    pgconn = conn.pgconn
    pgconn.send_query_prepared(page.name, params, [_BINARY] * len(page.types), _BINARY)
    readable: Callable[[], Awaitable[None]] | None = getattr(conn, "readable", None)
    if readable is None or pgconn.flush() != 0:  # 1: the rest is sent by psycopg's wait
        return _one(await conn.wait(libpq_results(pgconn)))
    return _one(await _answer(conn, readable))


async def _answer(
    conn: AsyncConnection[Any], readable: Callable[[], Awaitable[None]]
) -> list[PGresult]:
    """The results of the statement sent, read as psycopg's ``fetch_many`` reads them, awaiting
    the socket through the connection's own ``readable()`` (the read pool's connections keep
    their socket watched between waits: ``graphql_api.read_pool.ReadConnection``) rather than
    a reader registered and removed around every wait. Interrupted (a cancelled request), the
    statement is cancelled on the server and its answer drained as psycopg's wait does it, or
    the session is closed if that fails (its state unknown); a session libpq lost is closed
    (the socket it let go of is no longer watched). Notifications are left in
    libpq's queue for psycopg's next operation on the connection (the read pool listens to
    none)."""
    pgconn = conn.pgconn
    try:
        results = await _results(pgconn, readable)
    except BaseException:
        if pgconn.status != ConnStatus.OK:
            await conn.close()  # libpq let go of the socket: so does the connection's watch
        elif pgconn.transaction_status == _ACTIVE:
            await _cancelled(conn)
        raise
    if pgconn.status != ConnStatus.OK:
        await conn.close()  # the server ended the session after its error (the answer)
    return results


async def _results(pgconn: PGconn, readable: Callable[[], Awaitable[None]]) -> list[PGresult]:
    results: list[PGresult] = []
    while True:
        try:
            pgconn.consume_input()
        except Error:
            # A server that ended the session after an error: the error is the answer.
            if any(result.status == ExecStatus.FATAL_ERROR for result in results):
                return results
            raise
        if pgconn.is_busy():
            await readable()
            continue
        result = pgconn.get_result()
        if result is None:
            return results
        results.append(result)


async def _cancelled(conn: AsyncConnection[Any]) -> None:
    """What psycopg's ``AsyncConnection.wait`` does with a statement whose wait was
    interrupted: cancel it on the server and drain its answer; the session closed where that
    fails or is interrupted in turn (as psycopg closes it: its state is unknown)."""
    try:
        await conn.cancel_safe(timeout=_CANCEL_TIMEOUT)
        await conn.wait(fetch_many(conn.pgconn), timeout=_CANCEL_TIMEOUT)
    except BaseException:
        await conn.close()


def _one(results: list[PGresult]) -> PGresult:
    if len(results) != 1:
        raise InternalError(f"expected one result from the page's statement, got {len(results)}")
    return results[0]


def _sqlstate(result: PGresult) -> bytes | None:
    return result.error_field(DiagnosticField.SQLSTATE)


def _error(conn: AsyncConnection[Any], result: PGresult) -> Error:
    """The error psycopg's cursor raises for ``result`` (``_raise_for_result``)."""
    if result.status == ExecStatus.FATAL_ERROR:
        return error_from_result(result, encoding=conn.info.encoding)
    return InternalError(f"unexpected result status from query: {ExecStatus(result.status).name}")


async def customers_page(
    conn: AsyncConnection[Any],
    first: int,
    after_seq: int,
    filter: CustomerFilter = CustomerFilter(),  # noqa: A002, B008 - frozen, so safe to share
    counted: bool = True,
) -> CustomerPage:
    """Customers matching ``filter`` in registration order after ``after_seq`` (keyset
    pagination on ``seq``); ``total_count`` counts the whole filtered set when ``counted``
    (the count is a second statement, and a scan: callers that show no total skip it)."""
    rows = await directory_rows(conn, first, after_seq, filter)
    total = await customers_count(conn, filter) if counted else None
    return CustomerPage(
        items=[CustomerView(*row) for row in rows.items],
        has_next_page=rows.has_next_page,
        total_count=total,
    )


async def customers_count(
    conn: AsyncConnection[Any],
    filter: CustomerFilter = CustomerFilter(),  # noqa: A002, B008 - frozen, so safe to share
) -> int:
    """How many customers match ``filter`` in all (a page's ``total_count``, asked alone)."""
    where, params = filter_condition(filter)
    return await _count(conn, f"SELECT count(*) FROM customer_directory WHERE {where}", params)


async def _count(conn: AsyncConnection[Any], statement: str, params: dict[str, Any]) -> int:
    # Never prepared, as a filtered page: the prefix indexes for LIKE need a custom plan.
    row = await (await conn.execute(statement, params, prepare=False)).fetchone()
    return int(row[0]) if row else 0


async def customers_page_before(
    conn: AsyncConnection[Any],
    last: int,
    before_seq: int | None,
    filter: CustomerFilter = CustomerFilter(),  # noqa: A002, B008 - frozen, so safe to share
    counted: bool = True,
) -> CustomerPage:
    """The ``last`` customers matching ``filter`` registered just before ``before_seq``
    (None: the latest), in registration order; ``has_next_page`` says whether more precede
    them (the page was read backward); ``total_count`` counts the whole filtered set when
    ``counted``."""
    rows = await directory_rows(conn, last, before_seq, filter, backward=True)
    total = await customers_count(conn, filter) if counted else None
    return CustomerPage(
        items=[CustomerView(*row) for row in rows.items],
        has_next_page=rows.has_next_page,
        total_count=total,
    )


async def customer_360_parts(
    conn: AsyncConnection[Any], customer_id: UUID, now: datetime | None = None
) -> Customer360Parts | None:
    """Everything about one customer beyond the directory row; None if there is no such
    customer. ``now`` (default: the current time) is what ``recency_days`` counts to."""
    return (await customer_360_parts_of(conn, [customer_id], now)).get(customer_id)


async def customer_360_parts_of(
    conn: AsyncConnection[Any], customer_ids: Sequence[UUID], now: datetime | None = None
) -> dict[UUID, Customer360Parts]:
    """The Customer 360 parts of each of ``customer_ids`` there is, by id: one query per table
    for all of them (``= ANY``), whatever their number."""
    ids, at = list(customer_ids), now or datetime.now(UTC)
    cur = await conn.execute(
        "SELECT customer_id, address, language, birth_year, onboarding_state, purchase_count,"
        " first_purchase_at, last_purchase_at, channels"
        " FROM customer_directory WHERE customer_id = ANY(%s)",
        (ids,),
    )
    rows = await cur.fetchall()
    preferences = await _grouped(conn, _PREFERENCES, ids, ContactPreferenceView)
    consents = await _grouped(conn, _CONSENTS, ids, ConsentView)
    totals = await _grouped(conn, _CURRENCY_TOTALS, ids, CurrencyTotal)
    onboarding = await _grouped(conn, _ONBOARDING, ids, OnboardingStepView)
    parts = {}
    for customer_id, address, language, birth_year, state, count, first, last, channels in rows:
        parts[customer_id] = Customer360Parts(
            customer_id=customer_id,
            profile=CustomerProfileView(
                address=None if address is None else AddressView(**address),
                language=language,
                birth_year=birth_year,
            ),
            preferences=preferences.get(customer_id, []),
            consents=consents.get(customer_id, []),
            purchases=PurchaseSummary(
                count=count,
                totals=totals.get(customer_id, []),
                first_purchase_at=first,
                last_purchase_at=last,
                channels=list(channels),
                recency_days=None if last is None else (at - last).days,
                frequency=count,
            ),
            onboarding=onboarding.get(customer_id, []),
            onboarding_state=state,
        )
    return parts


_PREFERENCES = """
    SELECT customer_id, channel, opted_in, changed_at FROM customer_contact_preferences
    WHERE customer_id = ANY(%s) ORDER BY customer_id, channel
"""
_CONSENTS = """
    SELECT customer_id, purpose, given, decision, changed_at FROM customer_consents
    WHERE customer_id = ANY(%s) ORDER BY customer_id, purpose
"""
_CURRENCY_TOTALS = """
    SELECT customer_id, currency, count(*)::int AS purchases,
        sum(amount_minor)::bigint AS gross_minor, sum(refunded_minor)::bigint AS refunded_minor
    FROM customer_purchases WHERE customer_id = ANY(%s)
    GROUP BY customer_id, currency ORDER BY customer_id, currency
"""
_ONBOARDING = """
    SELECT customer_id, step, completed_at FROM customer_onboarding_steps
    WHERE customer_id = ANY(%s) ORDER BY customer_id, completed_at, step
"""
_CONSENT_HISTORY = """
    SELECT customer_id, purpose, given, decision, changed_at, actor_id, actor_role, channel,
        position
    FROM customer_consent_history WHERE customer_id = ANY(%s) ORDER BY customer_id, position
"""

V = TypeVar("V")


async def _grouped(
    conn: AsyncConnection[Any], query: str, ids: list[UUID], view: Callable[..., V]
) -> dict[UUID, list[V]]:
    """The rows of ``query`` (customer id first, then the view's fields) by customer."""
    grouped: dict[UUID, list[V]] = {}
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, (ids,))
        for row in await cur.fetchall():
            grouped.setdefault(row.pop("customer_id"), []).append(view(**row))
    return grouped


async def consent_history(conn: AsyncConnection[Any], customer_id: UUID) -> list[ConsentChange]:
    """Every consent given, withdrawn or refused by (or for) the customer, in log order."""
    return (await consent_histories(conn, [customer_id])).get(customer_id, [])


async def consent_histories(
    conn: AsyncConnection[Any], customer_ids: Sequence[UUID]
) -> dict[UUID, list[ConsentChange]]:
    """The consent history of each of ``customer_ids`` that has one, in one query."""
    return await _grouped(conn, _CONSENT_HISTORY, list(customer_ids), ConsentChange)
