"""Referral mutations: translate the input, delegate to the ledger; the domain decides.

Every check that can refuse (codes, limits, self-referral, disposable domains, terms) runs
inside the command, so a refusal is a user error and writes nothing. A field left out of
changeReferralTerms keeps the program's current value, read inside the command.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated, TypeVar
from uuid import UUID

import strawberry

from domain.purchase.values import check_currency, to_minor_units
from domain.referral.values import ReferralTerms
from domain.shared.application import CommandResult
from domain.shared.errors import DomainError
from graphql_api.context import RequestContext
from graphql_api.errors import user_error_from
from graphql_api.notices import Notice
from graphql_api.referrals import inputs as i
from graphql_api.referrals import payloads as p
from graphql_api.referrals.program import CaughtReferralsType, ReferralTermsType
from graphql_api.referrals.queries import load_invitations, load_referral, load_referrer
from projections.referrals.projection import ReferralFunnel

Info = strawberry.Info[RequestContext, None]
INPUT = strawberry.argument(description="What to do; see the input type.")
T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R", bound=p.ReferrerPayload)


async def _payload(
    context: RequestContext,
    command: Callable[[], T],
    refused: Callable[[DomainError], P],
    shown: Callable[[T, list[Notice]], Awaitable[P]],
    position: Callable[[T], int],
) -> P:
    """Run the command; on success wait (bounded) for the read model to show its write."""
    try:
        outcome = await context.run_command(command)
    except DomainError as error:
        return refused(error)
    return await shown(
        outcome, await context.wait_for_write(ReferralFunnel.name, position(outcome))
    )


def _at(result: CommandResult) -> int:
    return result.position


async def _referrer_payload(
    context: RequestContext,
    payload: type[R],
    customer_id: UUID,
    command: Callable[[], CommandResult],
) -> R:
    async def shown(result: CommandResult, notices: list[Notice]) -> R:
        return payload(
            referrer=await load_referrer(context, customer_id),
            customer_id=customer_id,
            position=str(result.position),
            user_errors=[],
            notices=notices,
        )

    def refused(error: DomainError) -> R:
        return payload(referrer=None, position=None, user_errors=[user_error_from(error)])

    return await _payload(context, command, refused, shown, _at)


async def issue_referral_code(
    info: Info,
    input: Annotated[i.IssueReferralCodeInput, INPUT],  # noqa: A002
) -> p.IssueReferralCodePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _referrer_payload(
        info.context,
        p.IssueReferralCodePayload,
        input.customer_id,
        lambda: ledger.issue_referral_code(input.customer_id, metadata),
    )


async def revoke_referral_code(
    info: Info,
    input: Annotated[i.RevokeReferralCodeInput, INPUT],  # noqa: A002
) -> p.RevokeReferralCodePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await _referrer_payload(
        info.context,
        p.RevokeReferralCodePayload,
        input.customer_id,
        lambda: ledger.revoke_referral_code(input.customer_id, metadata),
    )


async def invite_friend(
    info: Info,
    input: Annotated[i.InviteFriendInput, INPUT],  # noqa: A002
) -> p.InviteFriendPayload:
    context, metadata = info.context, info.context.metadata()

    def command() -> tuple[CommandResult, UUID]:
        result = context.ledger.invite_friend(input.customer_id, input.email, metadata)
        return result, context.ledger.invitee_subject(input.email)

    async def shown(
        outcome: tuple[CommandResult, UUID], notices: list[Notice]
    ) -> p.InviteFriendPayload:
        result, invitee = outcome
        # Newest first: the invitation just sent is on the first page, unless many more
        # were sent in the same instant; then it is simply not shown.
        page = await load_invitations(context, input.customer_id, 20, None)
        found = [e.node for e in page.edges if e.node.view.invitee_id == invitee]
        return p.InviteFriendPayload(
            invitation=found[0] if found else None,
            invitee_id=invitee,
            position=str(result.position),
            user_errors=[],
            notices=notices,
        )

    def refused(error: DomainError) -> p.InviteFriendPayload:
        return p.InviteFriendPayload(
            invitation=None, position=None, user_errors=[user_error_from(error)]
        )

    return await _payload(context, command, refused, shown, lambda o: o[0].position)


async def apply_referral_code(
    info: Info,
    input: Annotated[i.ApplyReferralCodeInput, INPUT],  # noqa: A002
) -> p.ApplyReferralCodePayload:
    context, metadata = info.context, info.context.metadata()

    async def shown(result: CommandResult, notices: list[Notice]) -> p.ApplyReferralCodePayload:
        return p.ApplyReferralCodePayload(
            referral=await load_referral(context, input.customer_id),
            customer_id=input.customer_id,
            position=str(result.position),
            user_errors=[],
            notices=notices,
        )

    def refused(error: DomainError) -> p.ApplyReferralCodePayload:
        return p.ApplyReferralCodePayload(
            referral=None, position=None, user_errors=[user_error_from(error)]
        )

    def command() -> CommandResult:
        return context.ledger.convert_referral(input.customer_id, input.code, metadata)

    return await _payload(context, command, refused, shown, _at)


def _changed_terms(given: i.ChangeReferralTermsInput, current: ReferralTerms) -> ReferralTerms:
    """The current terms with the fields the client sent (null counts as not sent)."""
    sent = {
        name: value
        for name, value in vars(given).items()
        if value is not strawberry.UNSET and value is not None
    }
    currency = check_currency(sent.pop("currency", current.currency))
    amount = sent.pop("qualifying_amount", None)
    if "disposable_domains" in sent:
        sent["disposable_domains"] = tuple(sent["disposable_domains"])
    changed = replace(current, currency=currency, **sent)
    if amount is None:
        return changed
    minor = to_minor_units(amount, currency, field="qualifyingAmount")
    return replace(changed, qualifying_amount_minor=minor)


async def change_referral_terms(
    info: Info,
    input: Annotated[i.ChangeReferralTermsInput, INPUT],  # noqa: A002
) -> p.ChangeReferralTermsPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()

    def command() -> tuple[CommandResult, ReferralTerms]:
        result = ledger.change_referral_terms(
            _changed_terms(input, ledger.referral_terms()), metadata
        )
        return result, ledger.referral_terms()

    try:
        result, terms = await info.context.run_command(command)
    except DomainError as error:
        return p.ChangeReferralTermsPayload(
            terms=None, position=None, user_errors=[user_error_from(error)]
        )
    return p.ChangeReferralTermsPayload(
        terms=ReferralTermsType.of(terms), position=str(result.position), user_errors=[]
    )


async def review_referrals(info: Info) -> p.ReviewReferralsPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()

    def command() -> tuple[dict[str, int], int]:
        return ledger.review_all_referrals(metadata), ledger.head_position()

    caught, position = await info.context.run_command(command)
    return p.ReviewReferralsPayload(
        caught=[CaughtReferralsType(rule=r, reversed=n) for r, n in sorted(caught.items())],
        position=str(position),
        user_errors=[],
        notices=await info.context.wait_for_write(ReferralFunnel.name, position),
    )
