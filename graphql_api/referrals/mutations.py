"""Referral mutations: translate the input, delegate to the ledger; the domain decides.

Every check that can refuse (codes, limits, self-referral, disposable domains, terms) runs
inside the command, so a refusal is a user error and writes nothing. A field left out of
changeReferralTerms keeps the program's current value, read inside the command.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

import strawberry

from domain.purchase.values import check_currency, to_minor_units
from domain.referral.values import ReferralTerms
from domain.shared.application import CommandResult
from graphql_api.mutation import INPUT, Fields, Info, run_command
from graphql_api.referrals import inputs as i
from graphql_api.referrals import payloads as p
from graphql_api.referrals.program import CaughtReferralsType
from graphql_api.referrals.queries import load_invitations


async def issue_referral_code(
    info: Info,
    input: Annotated[i.IssueReferralCodeInput, INPUT],  # noqa: A002
) -> p.IssueReferralCodePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.issue_referral_code(input.customer_id, metadata),
        p.IssueReferralCodePayload,
        p.showing_referrer(info.context, input.customer_id),
    )


async def revoke_referral_code(
    info: Info,
    input: Annotated[i.RevokeReferralCodeInput, INPUT],  # noqa: A002
) -> p.RevokeReferralCodePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.revoke_referral_code(input.customer_id, metadata),
        p.RevokeReferralCodePayload,
        p.showing_referrer(info.context, input.customer_id),
    )


async def invite_friend(
    info: Info,
    input: Annotated[i.InviteFriendInput, INPUT],  # noqa: A002
) -> p.InviteFriendPayload:
    context, metadata = info.context, info.context.metadata()

    async def shown(result: CommandResult) -> Fields:
        invitee = await context.run_command(context.ledger.invitee_subject, input.email)
        # Newest first: the invitation just sent is on the first page, unless many more
        # were sent in the same instant; then it is simply not shown.
        page = await load_invitations(context, input.customer_id, 20, None)
        found = [e.node for e in page.edges if e.node.view.invitee_id == invitee]
        return {"invitation": found[0] if found else None, "invitee_id": invitee}

    return await run_command(
        info,
        lambda: context.ledger.invite_friend(input.customer_id, input.email, metadata),
        p.InviteFriendPayload,
        shown,
    )


async def apply_referral_code(
    info: Info,
    input: Annotated[i.ApplyReferralCodeInput, INPUT],  # noqa: A002
) -> p.ApplyReferralCodePayload:
    ledger, metadata = info.context.ledger, info.context.metadata()
    return await run_command(
        info,
        lambda: ledger.convert_referral(input.customer_id, input.code, metadata),
        p.ApplyReferralCodePayload,
        p.showing_referral(info.context, input.customer_id),
    )


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
    return await run_command(
        info,
        lambda: ledger.change_referral_terms(
            _changed_terms(input, ledger.referral_terms()), metadata
        ),
        p.ChangeReferralTermsPayload,
    )


@dataclass(frozen=True)
class Review:
    """What a review of every referral caught, by rule, and the log's head after it."""

    caught: dict[str, int]
    position: int


async def review_referrals(info: Info) -> p.ReviewReferralsPayload:
    ledger, metadata = info.context.ledger, info.context.metadata()

    def command() -> Review:
        return Review(ledger.review_all_referrals(metadata), ledger.head_position())

    async def shown(review: Review) -> Fields:
        caught = sorted(review.caught.items())
        return {"caught": [CaughtReferralsType(rule=r, reversed=n) for r, n in caught]}

    return await run_command(info, command, p.ReviewReferralsPayload, shown)
