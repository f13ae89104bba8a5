"""The Customer type (directory row plus lazily loaded Customer 360 parts) and its
connection, as frontends see them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import strawberry

from graphql_api import plain_plans as plans
from graphql_api.auth import Principal, may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.customers.profile import (
    AddressType,
    ConsentChangeType,
    ConsentType,
    ContactPreferenceType,
    OnboardingType,
    PurchaseSummaryType,
)
from graphql_api.enums import NpsCategory
from graphql_api.loyalty.account import LoyaltyAccountType
from graphql_api.loyalty.customer360 import loyalty_account_of
from graphql_api.node_interface import Node
from graphql_api.pagination import (
    AfterArgument,
    BeforeArgument,
    FirstOfTenArgument,
    LastOfTenArgument,
    PageInfo,
    encode_cursor,
)
from graphql_api.referrals.customer360 import CustomerReferralsType, referrals_of_customer
from graphql_api.scalars import Long
from graphql_api.segments.resolvers import rfm_of
from graphql_api.segments.types import RfmScores
from graphql_api.success.plan_types import SuccessPlanConnection
from graphql_api.success.queries import health_of_customer, plans_of_customer
from graphql_api.success.types import HealthType
from graphql_api.surveys import customer360
from graphql_api.surveys.types import SurveyResponseConnection
from graphql_api.tickets.customer360 import tickets_of
from graphql_api.tickets.ticket import TicketConnection
from projections.customers.queries import (
    LISTED_FIELDS,
    LISTED_ID_TEXT,
    VIEW_FIELDS,
    CustomerView,
)
from projections.customers.views import Customer360Parts

Info = strawberry.Info[RequestContext, None]
CURSOR_KIND = "customer"
"""The kind a customer connection's cursors carry (``encode_cursor``)."""


@strawberry.type(name="Customer", description="A person the company serves.")
class CustomerType(Node):
    # The directory row's fields are plain values, filled once by ``of`` with the reader's
    # right to see personal data decided once per customer: a list resolves them as
    # attributes (no resolver call, no Info object per field), which cost most of a page.
    view: strawberry.Private[CustomerView]
    id: strawberry.ID = strawberry.field(
        description="The customer's id (a UUID; the same value as ever)."
    )
    name: str | None = strawberry.field(
        description="Full name. Personal data: null unless you may see it."
    )
    email: str | None = strawberry.field(
        description="Normalised email. Personal data: null unless you may see it."
    )
    phone: str | None = strawberry.field(
        description="Phone number. Personal data: null unless you may see it."
    )
    region: str | None = strawberry.field(
        description="Region used for segmentation (not personal data)."
    )
    personal_data_erased: bool = strawberry.field(
        description="True once the customer's personal data has been erased."
    )
    erased_at: datetime | None = strawberry.field(
        description="When the customer's personal data was erased (every personal field then "
        "reads null, for every role); null if it was not."
    )
    registered_at: datetime = strawberry.field(description="When the customer registered.")
    version: int = strawberry.field(
        description="Aggregate version; send it back as expectedVersion."
    )

    @classmethod
    def of(cls, view: CustomerView, reader: Principal) -> CustomerType:
        """``view`` as ``reader`` sees it: personal fields null unless they may see them."""
        shown = may_see_personal_data(reader, view.customer_id)
        return cls(
            view=view,
            id=strawberry.ID(str(view.customer_id)),
            name=view.name if shown else None,
            email=view.email if shown else None,
            phone=view.phone if shown else None,
            region=view.region,
            personal_data_erased=view.personal_data_erased,
            erased_at=view.erased_at,
            registered_at=view.registered_at,
            version=view.version,
        )

    @strawberry.field(description="Postal address. Personal data: null unless you may see it.")
    async def address(self, info: Info) -> AddressType | None:
        if not self._may_see_personal_data(info):
            return None
        parts = await self._parts(info)
        address = None if parts is None else parts.profile.address
        return None if address is None else AddressType.from_view(address)

    @strawberry.field(
        description="Preferred language as a BCP 47 tag, e.g. en or pt-BR. Personal data: "
        "null unless you may see it."
    )
    async def language(self, info: Info) -> str | None:
        if not self._may_see_personal_data(info):
            return None
        parts = await self._parts(info)
        return None if parts is None else parts.profile.language

    @strawberry.field(
        description="Year of birth, if the customer gave it. Personal data: null unless you "
        "may see it."
    )
    async def birth_year(self, info: Info) -> int | None:
        if not self._may_see_personal_data(info):
            return None
        parts = await self._parts(info)
        return None if parts is None else parts.profile.birth_year

    @strawberry.field(description="Channels the customer has opted in to or out of.")
    async def preferences(self, info: Info) -> list[ContactPreferenceType]:
        parts = await self._parts(info)
        return (
            [] if parts is None else [ContactPreferenceType.from_view(p) for p in parts.preferences]
        )

    @strawberry.field(description="Current state of each consent the customer has decided on.")
    async def consents(self, info: Info) -> list[ConsentType]:
        parts = await self._parts(info)
        return [] if parts is None else [ConsentType.from_view(c) for c in parts.consents]

    @strawberry.field(
        description="Every consent given, withdrawn or refused, in order: who, when, through which "
        "channel. Actor ids only for roles that may see personal data and the customer."
    )
    async def consent_history(self, info: Info) -> list[ConsentChangeType]:
        show_actor = self._may_see_personal_data(info)
        changes = await info.context.loaders.consent_history.load(self.view.customer_id)
        return [ConsentChangeType.from_view(change, show_actor) for change in changes]

    @strawberry.field(description="Recency, frequency and amounts of the customer's purchases.")
    async def purchase_summary(self, info: Info) -> PurchaseSummaryType:
        parts = await self._parts(info)
        return PurchaseSummaryType.from_view(None if parts is None else parts.purchases)

    @strawberry.field(
        description="The customer's RFM quintiles among every customer who has bought, as of "
        "the start of the log's latest day; null until they have bought."
    )
    async def rfm(self, info: Info) -> RfmScores | None:
        return await rfm_of(info.context, self.view.customer_id)

    @strawberry.field(description="The customer's progress through onboarding.")
    async def onboarding(self, info: Info) -> OnboardingType:
        return OnboardingType.from_parts(await self._parts(info))

    @strawberry.field(description="NPS category of the customer's latest NPS response.")
    async def nps_category(self, info: Info) -> NpsCategory | None:
        return await customer360.latest_category(info.context, self.view.customer_id)

    @strawberry.field(
        description="The customer's survey responses, newest first (Relay connection, "
        "`first`/`after` or `last`/`before`, up to 100). Comments only for roles that may "
        "see personal data and the customer."
    )
    async def survey_responses(
        self,
        info: Info,
        first: FirstOfTenArgument = None,
        after: AfterArgument = None,
        last: LastOfTenArgument = None,
        before: BeforeArgument = None,
    ) -> SurveyResponseConnection:
        return await customer360.responses_of(
            info.context, self.view.customer_id, first, after, last, before
        )

    @strawberry.field(
        description="The customer's loyalty account; null if not enrolled. Adjustment reasons "
        "and actor ids only for roles that may see personal data and the customer."
    )
    async def loyalty(self, info: Info) -> LoyaltyAccountType | None:
        return await loyalty_account_of(info.context, self.view.customer_id)

    @strawberry.field(
        description="The customer's tickets, newest first (Relay connection, `first`/`after` "
        "or `last`/`before`, up to 100). Texts and actor ids only for roles that may see "
        "personal data and the customer."
    )
    async def tickets(
        self,
        info: Info,
        first: FirstOfTenArgument = None,
        after: AfterArgument = None,
        last: LastOfTenArgument = None,
        before: BeforeArgument = None,
    ) -> TicketConnection:
        return await tickets_of(info.context, self.view.customer_id, first, after, last, before)

    @strawberry.field(
        description="The customer's health score (0-100), its band and its weighted "
        "components with why; computed when read. Agents, admins, analysts, auditors and "
        "privacy officers (it holds no personal data); null for the customer."
    )
    async def health(self, info: Info) -> HealthType | None:
        return await health_of_customer(info.context, self.view.customer_id)

    @strawberry.field(
        description="The customer's success plans, in the order they were opened (Relay "
        "connection, `first`/`after` or `last`/`before`, up to 100). Agents, admins, analysts, "
        "auditors and privacy officers (notes only for those who may see personal data); null "
        "for the customer."
    )
    async def success_plans(
        self,
        info: Info,
        first: FirstOfTenArgument = None,
        after: AfterArgument = None,
        last: LastOfTenArgument = None,
        before: BeforeArgument = None,
    ) -> SuccessPlanConnection | None:
        return await plans_of_customer(
            info.context, self.view.customer_id, first, after, last, before
        )

    @strawberry.field(
        description="The customer's referrals: their code and totals (every reader), the "
        "friends they referred and the referral that brought them (only roles that may see "
        "personal data, and the customer)."
    )
    def referrals(self, info: Info) -> CustomerReferralsType:
        return referrals_of_customer(self.view.customer_id)

    async def _parts(self, info: Info) -> Customer360Parts | None:
        return await info.context.loaders.customer_parts.load(self.view.customer_id)

    def _may_see_personal_data(self, info: Info) -> bool:
        return may_see_personal_data(info.context.principal, self.view.customer_id)


@strawberry.type(description="An edge of a customer connection.")
class CustomerEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: CustomerType = strawberry.field(description="The customer.")


@strawberry.type(description="A page of customers in registration order.")
class CustomerConnection:
    edges: list[CustomerEdge] = strawberry.field(description="The customers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    """Counts the filtered customers; called only when a client selects ``totalCount`` (the
    count is a statement of its own that most list views do not show)."""

    @strawberry.field(description="How many customers there are in all.")
    async def total_count(self) -> Long:
        return await self.count()


_AT = {name: index for index, name in enumerate(VIEW_FIELDS)}
_ID, _SEQ, _NAME, _EMAIL, _PHONE, _REGION = (
    _AT[name] for name in ("customer_id", "seq", "name", "email", "phone", "region")
)
SEQ = _SEQ
"""Where a directory row holds its position (a cursor's)."""
_ERASED, _ERASED_AT, _REGISTERED_AT, _VERSION = (
    _AT[name] for name in ("personal_data_erased", "erased_at", "registered_at", "version")
)


class ListedCustomer(CustomerType):
    """A directory row of a list page as the ``Customer`` type: the fields ``of`` fills,
    with the same values (personal ones null unless ``reader`` may see them, decided once
    per row as ``of`` decides it), each read from the row when the selection reads it, and
    the row's ``CustomerView`` made only when a Customer 360 field asks for it. (The
    properties answer the values of the ``Customer`` fields they stand for, of the types
    declared there; strawberry reads its types from ``CustomerType``.) A page of
    20 showing four fields made 20 views and 20 customers of ten fields each; it now makes
    20 of these and reads 80 values (strawberry reads a plain field as an attribute, and
    ``is_type_of`` asks ``isinstance`` of ``CustomerType``)."""

    __slots__ = ("_row", "_shown", "_view")

    def __init__(self, row: tuple[Any, ...], reader: Principal) -> None:
        # Not the dataclass' __init__: every field is a property of the row below.
        self._row = row
        self._shown = may_see_personal_data(reader, row[_ID])
        self._view: CustomerView | None = None

    @property
    def view(self) -> CustomerView:  # type: ignore[override]
        if self._view is None:
            # The view's fields (a listed page's row has its id's text after them).
            self._view = CustomerView(*self._row[:_VIEW_WIDTH])
        return self._view

    @property
    def id(self) -> Any:  # type: ignore[override]
        return str(self._row[_ID])

    @property
    def name(self) -> Any:  # type: ignore[override]
        return self._row[_NAME] if self._shown else None

    @property
    def email(self) -> Any:  # type: ignore[override]
        return self._row[_EMAIL] if self._shown else None

    @property
    def phone(self) -> Any:  # type: ignore[override]
        return self._row[_PHONE] if self._shown else None

    @property
    def region(self) -> Any:  # type: ignore[override]
        return self._row[_REGION]

    @property
    def personal_data_erased(self) -> Any:  # type: ignore[override]
        return self._row[_ERASED]

    @property
    def erased_at(self) -> Any:  # type: ignore[override]
        return self._row[_ERASED_AT]

    @property
    def registered_at(self) -> Any:  # type: ignore[override]
        return self._row[_REGISTERED_AT]

    @property
    def version(self) -> Any:  # type: ignore[override]
        return self._row[_VERSION]


class ListedEdge(CustomerEdge):
    """An edge of a list page: its cursor made only when it is read (a page's edges made
    one each, whether or not the client asked for it)."""

    __slots__ = ("_seq",)

    def __init__(self, node: ListedCustomer, seq: int) -> None:
        # Not the dataclass' __init__: the cursor is a property of the position.
        self.node = node
        self._seq = seq

    @property
    def cursor(self) -> Any:  # type: ignore[override]
        return encode_cursor(CURSOR_KIND, self._seq)


def listed_edges(rows: list[tuple[Any, ...]], reader: Principal) -> list[ListedEdge]:
    """The edges of a page of directory rows (``directory_rows``), as ``reader`` sees them."""
    return [ListedEdge(ListedCustomer(row, reader), row[_SEQ]) for row in rows]


class ListedConnection(CustomerConnection):
    """A list page's connection holding its rows: its edges (``ListedEdge``) made only when
    they are read, and a plain selection of them completed straight from the rows
    (``complete_listed_edges``, a ``plain_plans.LIST_COMPLETERS`` entry): a page of 20 then
    makes no edge and no customer object, and completes no plan per object. Its page
    information is made by ``page_info`` when it is first read: most pages are asked for
    without it, and its two cursors and its object were about 1% of a listed page's CPU."""

    __slots__ = ("_edges", "_made_page_info", "_page_info", "_reader", "_rows")

    def __init__(
        self,
        rows: list[tuple[Any, ...]],
        reader: Principal,
        page_info: Callable[[], PageInfo],
        count: Callable[[], Awaitable[int]],
    ) -> None:
        # Not the dataclass' __init__: the edges are a property of the rows.
        self._rows = rows
        self._reader = reader
        self._edges: list[ListedEdge] | None = None
        self._page_info = page_info
        self._made_page_info: PageInfo | None = None
        self.count = count

    @property
    def edges(self) -> Any:  # type: ignore[override]
        if self._edges is None:
            self._edges = listed_edges(self._rows, self._reader)
        return self._edges

    @property
    def page_info(self) -> Any:  # type: ignore[override]
        if self._made_page_info is None:
            self._made_page_info = self._page_info()
        return self._made_page_info


_ROW_VALUES: dict[str, tuple[int, bool, bool]] = {
    "id": (_ID, False, True),
    "name": (_NAME, True, False),
    "email": (_EMAIL, True, False),
    "phone": (_PHONE, True, False),
    "region": (_REGION, False, False),
    "personalDataErased": (_ERASED, False, False),
    "erasedAt": (_ERASED_AT, False, False),
    "registeredAt": (_REGISTERED_AT, False, False),
    "version": (_VERSION, False, False),
}
"""The ``Customer`` fields a page program reads from the row, by their schema names (the
ten ``of`` fills but ``view``): (the column, whether it is personal (null unless the reader
may see the row's personal data), whether the field answers the column's ``str`` (the id)), what
``ListedCustomer``'s property of the field answers. Any other field in the selection
leaves the page to the plans (tests/unit/test_listed_customers.py compares both ways)."""

_Step = tuple[str, int, int, bool, bool, bool, Any]
"""A response key of a node: (response name, the entry's kind, the column, personal, as
text (see ``_ROW_VALUES``), whether null is allowed, the leaf type); the column is -1 for
``__typename``."""


@dataclass(frozen=True, slots=True)
class _PageProgram:
    edge_type: str
    edge_steps: tuple[tuple[str, int], ...]
    """The edge's keys: (response name, what: ``_NODE``, ``_CURSOR`` or ``_EDGE_TYPENAME``)."""
    node_type: str
    node_steps: tuple[_Step, ...]


_NODE, _CURSOR, _EDGE_TYPENAME = range(3)

_Made = TypeVar("_Made")


def _by_plan(
    made: dict[int, tuple[plans.ObjectPlan, _Made]],
    plan: plans.ObjectPlan,
    make: Callable[[plans.ObjectPlan], _Made],
) -> _Made:
    """``make(plan)``, remembered in ``made`` by the plan's id (the plan kept beside it, so
    the id is not reused); bounded as ``plain_plans.SHARED_PLANS_PER_TYPE`` bounds the
    plans."""
    known = made.get(id(plan))
    if known is not None and known[0] is plan:
        return known[1]
    value = make(plan)
    if len(made) >= plans.SHARED_PLANS_PER_TYPE:
        made.clear()
    made[id(plan)] = (plan, value)
    return value


_PROGRAMS: dict[int, tuple[plans.ObjectPlan, _PageProgram | None]] = {}
"""Page programs by their edge plan's id (``_by_plan``)."""


def _program_of(edge_plan: plans.ObjectPlan) -> _PageProgram | None:
    return _by_plan(_PROGRAMS, edge_plan, _compiled)


_LISTED_INDEXES = frozenset(_AT[name] for name in LISTED_FIELDS)
_VIEW_WIDTH = len(VIEW_FIELDS)

_LISTED_ONLY: dict[int, tuple[plans.ObjectPlan, bool]] = {}
"""``shows_listed_only``'s answers by the connection plan's id (``_by_plan``)."""


def shows_listed_only(plan: plans.ObjectPlan | None) -> bool:
    """Whether a selection of a customer connection with ``plan`` reads nothing of its rows
    but ``LISTED_FIELDS``: edges whose page program reads only those columns (a cursor reads
    ``seq``), ``pageInfo`` (made from the rows before the selection is completed) and
    ``__typename``. A value the program leaves to the plans (FALLBACK) is completed by them
    for the same selection, reading the same columns. Anything else (no plan, another
    field, a node field of another column): False, and the page reads every column."""
    return plan is not None and _by_plan(_LISTED_ONLY, plan, _listed_only)


def _listed_only(plan: plans.ObjectPlan) -> bool:
    for entry in plan.entries:
        if entry.kind is plans.TYPENAME or entry.field_name == "pageInfo":
            continue
        if entry.field_name != "edges" or entry.plan is None:
            return False
        program = _program_of(entry.plan)
        if program is None or any(
            kind is not plans.TYPENAME and index not in _LISTED_INDEXES
            for _, kind, index, *_ in program.node_steps
        ):
            return False
    return True


def _compiled(edge_plan: plans.ObjectPlan) -> _PageProgram | None:
    """The program of an edge selection made of ``cursor``, ``__typename`` and ``node`` with
    only the row's fields and ``__typename``; None for any other (the plans complete it).
    The types' checks are those a plan runs: the edge type has none, and the node's (if
    any) is asked once of a ``ListedCustomer``, the only node a ``ListedConnection``
    holds."""
    if edge_plan.type_check is not None:
        return None
    edge_steps: list[tuple[str, int]] = []
    node_plan: plans.ObjectPlan | None = None
    for entry in edge_plan.entries:
        if entry.kind is plans.TYPENAME:
            edge_steps.append((entry.response_name, _EDGE_TYPENAME))
        elif entry.field_name == "cursor" and entry.kind is plans.TEXT:
            edge_steps.append((entry.response_name, _CURSOR))
        elif entry.field_name == "node" and entry.kind is plans.OBJECT and entry.plan is not None:
            if node_plan is not None and entry.plan is not node_plan:
                return None
            node_plan = entry.plan
            edge_steps.append((entry.response_name, _NODE))
        else:
            return None
    node_steps: list[_Step] = []
    if node_plan is not None:
        check = node_plan.type_check
        if check is not None and not check(ListedCustomer.__new__(ListedCustomer), None):
            return None
        for entry in node_plan.entries:
            if entry.kind is plans.TYPENAME:
                node_steps.append(
                    (entry.response_name, plans.TYPENAME, -1, False, False, False, None)
                )
                continue
            column = _ROW_VALUES.get(entry.field_name)
            if column is None or entry.kind not in (plans.TEXT, plans.LEAF):
                return None
            index, personal, as_text = column
            node_steps.append(
                (
                    entry.response_name,
                    entry.kind,
                    index,
                    personal,
                    as_text,
                    entry.nullable,
                    entry.leaf,
                )
            )
    return _PageProgram(
        edge_plan.object_type.name,
        tuple(edge_steps),
        "" if node_plan is None else node_plan.object_type.name,
        tuple(node_steps),
    )


def complete_listed_edges(
    source: Any, entry: plans.Entry, is_awaitable: Callable[[Any], bool]
) -> Any:
    """``edges`` of a ``ListedConnection`` completed from its rows as the plans complete
    them from its ``ListedEdge``s (the same dicts, keys in the same order), or FALLBACK:
    for another field, a selection without a program, or a value the plans would not
    answer themselves (null where none is allowed, a value a scalar refuses)."""
    if entry.field_name != "edges" or entry.plan is None:
        return plans.FALLBACK
    program = _program_of(entry.plan)
    if program is None:
        return plans.FALLBACK
    reader: Principal = source._reader
    edge_type, edge_steps = program.edge_type, program.edge_steps
    node_type, node_steps = program.node_type, program.node_steps
    plain_values, text, typename = plans.PLAIN_VALUES, plans.TEXT, plans.TYPENAME
    edges: list[dict[str, Any]] = []
    rows = source._rows
    # Rows read ``listed_only`` end with the id's text (``LISTED_ID_TEXT``).
    id_text = bool(rows) and len(rows[0]) > LISTED_ID_TEXT
    for row in rows:
        shown = may_see_personal_data(reader, row[_ID])
        node: dict[str, Any] = {}
        for response_name, kind, index, personal, as_text, nullable, leaf in node_steps:
            if kind is typename:
                node[response_name] = node_type
                continue
            # As the ListedCustomer property of the field reads it.
            value = None if personal and not shown else row[index]
            if as_text:
                value = row[LISTED_ID_TEXT] if id_text else str(value)
            if value is None:
                if not nullable:
                    return plans.FALLBACK
                node[response_name] = None
                continue
            value_type = type(value)
            if kind is text and value_type is str:
                node[response_name] = value
                continue
            if value_type not in plain_values and (
                isinstance(value, Exception) or is_awaitable(value)
            ):
                return plans.FALLBACK
            completed = plans.leaf_value(leaf, value)
            if completed is plans.FALLBACK:
                return plans.FALLBACK
            node[response_name] = completed
        edge: dict[str, Any] = {}
        for response_name, what in edge_steps:
            if what is _NODE:
                edge[response_name] = node
            elif what is _CURSOR:
                edge[response_name] = encode_cursor(CURSOR_KIND, row[_SEQ])
            else:
                edge[response_name] = edge_type
        edges.append(edge)
    return edges


plans.LIST_COMPLETERS[ListedConnection] = complete_listed_edges
