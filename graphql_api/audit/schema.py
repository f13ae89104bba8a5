"""The audit area: auditors, privacy officers and admins prove that no stored event was altered.

Verification recomputes the keyed hash chain from the stored rows, and checks it against an
anchor the auditor kept, if given (see ``projections/audit``); it reads no personal data and
decrypts nothing.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain.shared.metadata import Role
from graphql_api.context import RequestContext
from graphql_api.enums import AuditProblem
from graphql_api.errors import PublicError
from graphql_api.limits.costs import AUDIT_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import allowed
from graphql_api.scalars import Long
from projections.audit.anchor import Anchor, InvalidAnchorError, read_anchor
from projections.audit.keys import AuditKeys
from projections.audit.verify import AuditVerification, verify_audit_trail

Info = strawberry.Info[RequestContext, None]
AUDITORS = frozenset({Role.AUDITOR, Role.PRIVACY_OFFICER, Role.ADMIN})


@strawberry.type(name="AuditVerification", description="The result of checking a range of the log.")
class AuditVerificationType:
    checked_from: Long = strawberry.field(description="First position checked.")
    checked_to: Long = strawberry.field(
        description="Last position of the range checked: at most the chain's head, and at most "
        "CXL_MAX_AUDIT_RANGE positions after `from`."
    )
    events_checked: int = strawberry.field(description="Stored events recomputed and matched.")
    chained_up_to: Long = strawberry.field(
        description="The chain's head: later positions are not chained yet (the chain follows "
        "the log like a read model) and cannot be checked."
    )
    intact: bool = strawberry.field(description="True when the range matches its chain.")
    first_altered_position: Long | None = strawberry.field(
        description="The first position where the stored log disagrees; null when intact."
    )
    problem: AuditProblem | None = strawberry.field(
        description="ALTERED (the row or its link changed), MISSING (the row is gone), "
        "UNCHAINED (a row with no link, e.g. a forged insert), UNKEYED (a link made without "
        "the audit key: the chain was recomputed by someone who lacks it) or ANCHOR_MISMATCH "
        "(the log up to the anchor's position differs from what the anchor vouches for: a row "
        "at or before it was rewritten and the chain recomputed with the key; "
        "firstAlteredPosition is then the anchor's position); null when intact."
    )
    keyed_from: Long = strawberry.field(
        description="Links from this position on are keyed with the audit key; earlier ones "
        "are the unkeyed links of a chain an earlier version built (1: all are keyed)."
    )
    anchor_position: Long | None = strawberry.field(
        description="The position of the anchor the log was checked against; null without one."
    )
    continue_from: Long | None = strawberry.field(
        description="One call checks at most CXL_MAX_AUDIT_RANGE positions (50,000 by "
        "default): when the range asked for was longer, the first position left unchecked; "
        "ask again with `from` set to it. Null when the range (up to the chain's head) was "
        "covered, or a problem ended the check."
    )

    @classmethod
    def of(cls, result: AuditVerification) -> AuditVerificationType:
        return cls(
            checked_from=result.checked_from,
            checked_to=result.checked_to,
            events_checked=result.events_checked,
            chained_up_to=result.chained_up_to,
            intact=result.intact,
            first_altered_position=result.first_altered_position,
            problem=None if result.problem is None else AuditProblem(result.problem),
            keyed_from=result.keyed_from,
            anchor_position=result.anchor_position,
            continue_from=result.continue_from,
        )


async def verify(
    info: Info,
    from_position: Annotated[
        int, strawberry.argument(name="from", description="First position (default 1).")
    ] = 1,
    to_position: Annotated[
        int | None,
        strawberry.argument(name="to", description="Last position (default: the chain's head)."),
    ] = None,
    anchor: Annotated[
        str | None,
        strawberry.argument(
            description="An anchor printed by `cxledger audit-anchor` (one line of JSON). The "
            "log is then checked from position 1 to at least the anchor's position, and must "
            "be what the anchor vouches for. A malformed or forged anchor is INVALID_ANCHOR."
        ),
    ] = None,
) -> AuditVerificationType:
    if from_position < 1 or (to_position is not None and to_position < from_position):
        raise PublicError("`from` must be 1 or more and `to` not before it", "INVALID_INPUT")
    keys = info.context.services.audit_keys
    checked = None if anchor is None else _anchor(keys, anchor, from_position)
    most = info.context.services.limits.requests.max_audit_range
    async with info.context.pool.connection() as conn:
        result = await verify_audit_trail(
            conn, keys.chain, from_position, to_position, checked, most
        )
    return AuditVerificationType.of(result)


def _anchor(keys: AuditKeys, text: str, from_position: int) -> Anchor:
    if from_position != 1:
        raise PublicError("an anchor is checked from position 1: leave `from` out", "INVALID_INPUT")
    try:
        return read_anchor(keys.anchor, text)
    except InvalidAnchorError as error:
        raise PublicError(str(error), "INVALID_ANCHOR") from None


@strawberry.type(description="Queries for auditors.")
class AuditQueries:
    verify_audit_trail: AuditVerificationType = strawberry.field(
        resolver=verify,
        description="Check the stored log against its keyed hash chain (and an anchor, if "
        "given): the first position where an event was altered, deleted or forged, if any; at "
        "most CXL_MAX_AUDIT_RANGE positions per call (see `continueFrom`). Auditors, privacy "
        "officers and admins.",
        extensions=[*limited(AUDIT_COST, gate=heavy), *allowed(AUDITORS)],
    )
