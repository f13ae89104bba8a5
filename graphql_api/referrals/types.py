"""A customer's referral side as frontends see it: their code and totals, the friends they
referred, the invitations they sent. Built from the referral read model's views
(`projections.referrals.views`); the funnel and the program's terms are in `program.py`.

Who sees what (the documented rule): counts, dates, stages and points are shown to every role
that may ask. Who referred whom is personal: the other party's customer id, the code (it names
one customer) and an invited email are shown only to agents, admins and privacy officers, and
to the customer concerned (a referrer sees the emails they invited and their own code, not
their friends' ids; a friend does not see their referrer's id).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graphql_api.auth import may_see_personal_data
from graphql_api.context import RequestContext
from graphql_api.enums import ReferralStage
from graphql_api.node_interface import Node
from graphql_api.pagination import PageInfo
from graphql_api.scalars import Long
from projections.referrals.views import InvitationView, ReferralView, ReferrerView

Info = strawberry.Info[RequestContext, None]
REFERRAL_CURSOR = "referral"
INVITATION_CURSOR = "invitation"
PERSONAL = "null unless you may see it (agents, admins, privacy officers, the customer concerned)."


@strawberry.type(name="Referrer", description="A customer's referral code and totals (all time).")
class ReferrerType:
    view: strawberry.Private[ReferrerView]

    @strawberry.field(description="The referring customer.")
    def customer_id(self) -> UUID:
        return self.view.customer_id

    @strawberry.field(description=f"Their code, as friends type it; {PERSONAL}")
    def code(self, info: Info) -> str | None:
        return self.view.code if _may_see(info, self.view.customer_id) else None

    @strawberry.field(description="When the current code stops working.")
    def code_expires_at(self) -> datetime:
        return self.view.code_expires_at

    @strawberry.field(description="The code was revoked (issueReferralCode gives a new one).")
    def revoked(self) -> bool:
        return self.view.revoked

    @strawberry.field(description="When the first code was issued.")
    def issued_at(self) -> datetime:
        return self.view.issued_at

    @strawberry.field(description="Invitations sent.")
    def invitations_sent(self) -> int:
        return self.view.invitations_sent

    @strawberry.field(description="Friends who registered with the code.")
    def conversions(self) -> int:
        return self.view.conversions

    @strawberry.field(description="Of those, friends whose first purchase qualified.")
    def qualified(self) -> int:
        return self.view.qualified

    @strawberry.field(description="Of those, referrals rewarded.")
    def rewarded(self) -> int:
        return self.view.rewarded

    @strawberry.field(description="Of those, referrals reversed by a fraud rule.")
    def reversed(self) -> int:
        return self.view.reversed

    @strawberry.field(description="Points kept from referrals: rewards not reversed.")
    def points_earned(self) -> Long:
        return self.view.points_earned


@strawberry.type(name="Referral", description="One friend's conversion and what became of it.")
class ReferralType(Node):
    view: strawberry.Private[ReferralView]

    @strawberry.field(description="The referral's id (a UUID; the same value as ever).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.referral_id))

    @strawberry.field(description=f"The referring customer; {PERSONAL}")
    def referrer_id(self, info: Info) -> UUID | None:
        return self.view.referrer_id if _may_see(info, self.view.referrer_id) else None

    @strawberry.field(description=f"The referred customer (the friend); {PERSONAL}")
    def friend_id(self, info: Info) -> UUID | None:
        return self.view.friend_id if _may_see(info, self.view.friend_id) else None

    @strawberry.field(description="Where it stands.")
    def stage(self) -> ReferralStage:
        return self.view.stage

    @strawberry.field(description="When the friend converted (registered with the code).")
    def converted_at(self) -> datetime:
        return self.view.converted_at

    @strawberry.field(description="When the friend's first qualifying purchase was made.")
    def qualified_at(self) -> datetime | None:
        return self.view.qualified_at

    @strawberry.field(description="When both sides were rewarded.")
    def rewarded_at(self) -> datetime | None:
        return self.view.rewarded_at

    @strawberry.field(description="Points the referrer got (null: not rewarded).")
    def referrer_points(self) -> int | None:
        return self.view.referrer_points

    @strawberry.field(description="Points the friend got (null: not rewarded).")
    def friend_points(self) -> int | None:
        return self.view.friend_points

    @strawberry.field(description="When a fraud rule reversed it (its rewards were revoked).")
    def reversed_at(self) -> datetime | None:
        return self.view.reversed_at

    @strawberry.field(description="The rule that reversed it, e.g. disposable_domain.")
    def reversal_rule(self) -> str | None:
        return self.view.reversal_rule

    @strawberry.field(description="Suspicious patterns recorded, e.g. velocity (not refusals).")
    def flags(self) -> list[str]:
        return list(self.view.flags)


@strawberry.type(name="ReferralInvitation", description="An invitation a referrer sent.")
class InvitationType:
    view: strawberry.Private[InvitationView]

    @strawberry.field(
        description=f"The invited person as a data subject (one id per person); {PERSONAL}"
    )
    def invitee_id(self, info: Info) -> UUID | None:
        return self.view.invitee_id if _may_see(info, self.view.referrer_id) else None

    @strawberry.field(
        description=f"The invited email; null once that person is erased, and {PERSONAL}"
    )
    def email(self, info: Info) -> str | None:
        return self.view.email if _may_see(info, self.view.referrer_id) else None

    @strawberry.field(description="When it was sent.")
    def invited_at(self) -> datetime:
        return self.view.invited_at

    @strawberry.field(
        description="The invited person registered with this referrer's code (matched on the "
        "email, dots and +tags ignored)."
    )
    def converted(self) -> bool:
        return self.view.converted


@strawberry.type(description="An edge of a referral connection.")
class ReferralEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: ReferralType = strawberry.field(description="The referral.")


@strawberry.type(description="A page of referrals, newest first.")
class ReferralConnection:
    edges: list[ReferralEdge] = strawberry.field(description="The referrals of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


@strawberry.type(description="An edge of an invitation connection.")
class ReferralInvitationEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: InvitationType = strawberry.field(description="The invitation.")


@strawberry.type(description="A page of invitations, newest first.")
class ReferralInvitationConnection:
    edges: list[ReferralInvitationEdge] = strawberry.field(
        description="The invitations of this page."
    )
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


def _may_see(info: Info, subject_id: UUID) -> bool:
    return may_see_personal_data(info.context.principal, subject_id)
