"""Events -> the referral funnel tables.

Inserts are keyed by log position or by a deterministic id (ON CONFLICT DO NOTHING), and
updates apply only past the row's ``last_seq``, so applying an event a second time leaves
every row as it was. Referrer events after the first name only the referrer's stream: it maps
to the customer through ``referral_referrers`` (a never-changing pair, so it is cached).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Cursor

from domain.customer.model import Customer
from domain.privacy.erasure import ErasureRequest
from domain.referral.model import Referral, Referrer
from domain.referral.values import email_variant
from projections.base import Projection, folds, handles
from projections.erasure import erased_subjects
from projections.referrals.invitees import InviteeChanges
from projections.referrals.schema import DDL, TABLES

_REFERRAL_UPDATE = """
    UPDATE referral_referrals SET {assignments}, last_seq = %(seq)s
    WHERE referral_id = %(referral)s AND last_seq < %(seq)s
"""

# A rebuild after an erasure cannot match invitations by email variant (the email reads as
# erased): the completion names the customer's invited subject, which links them again.
_RELINK = """
    UPDATE referral_invitations i SET converted_friend_id = r.friend_id
    FROM referral_referrals r
    WHERE r.friend_id = %(friend)s AND i.invitee_id = ANY(%(invitee)s)
        AND i.referrer_id = r.referrer_id AND i.seq < r.seq AND i.converted_friend_id IS NULL
"""


class ReferralFunnel(Projection):
    """Referrers and their codes, invitations sent, conversions and what became of them
    (qualified, rewarded, flagged, reversed): the funnel, top referrers and each customer's
    referrals."""

    name = "referral_funnel"
    tables = TABLES
    erasure_purges = ("referral_invitations", "referral_invitee_customers")
    ddl = DDL
    personal_data_of = frozenset(
        {Referrer.FriendInvited, Customer.Registered, Customer.EmailChanged}
    )
    """The events whose personal values it reads (each one's email, for its variant): a
    rebuild decodes the others unread (a conversion's email domain, which it never shows)."""

    def __init__(self) -> None:
        self._customers: dict[UUID, UUID] = {}

    @handles(Referrer.CodeIssued)
    def code_issued(self, cursor: Cursor[Any], event: Referrer.CodeIssued, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO referral_referrers (customer_id, referrer_id, code, code_expires_at,
                issued_at, last_seq)
            VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (customer_id) DO NOTHING
            """,
            (event.customer_id, event.originator_id, event.code, event.expires_at, event.at,
             position),
        )  # fmt: skip
        self._customers[event.originator_id] = event.customer_id

    @handles(Referrer.CodeRevoked)
    def code_revoked(self, cursor: Cursor[Any], event: Referrer.CodeRevoked, position: int) -> None:
        self._update_referrer(cursor, event, position, "revoked = true", {})

    @handles(Referrer.CodeRenewed)
    def code_renewed(self, cursor: Cursor[Any], event: Referrer.CodeRenewed, position: int) -> None:
        self._update_referrer(
            cursor, event, position,
            "code = %(code)s, code_expires_at = %(expires)s, revoked = false",
            {"code": event.code, "expires": event.expires_at},
        )  # fmt: skip

    @handles(Referrer.FriendInvited)
    def friend_invited(
        self, cursor: Cursor[Any], event: Referrer.FriendInvited, position: int
    ) -> None:
        email = event.email.value
        cursor.execute(
            """
            INSERT INTO referral_invitations (seq, referrer_id, invitee_id, email, variant,
                invited_at)
            VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO NOTHING
            """,
            (position, self._customer_of(cursor, event.originator_id), event.invitee_id, email,
             _variant(email), event.at),
        )  # fmt: skip

    def changes(self) -> InviteeChanges:
        return InviteeChanges()

    # Every customer's registration and email change passes here: folded, one statement a
    # batch (``projections.referrals.invitees``) rather than one per event.
    @folds(Customer.Registered)
    def customer_registered(
        self, changes: InviteeChanges, event: Customer.Registered, position: int
    ) -> None:
        changes.emails.append((event.originator_id, _variant(event.email.value), position))

    @folds(Customer.EmailChanged)
    def customer_email_changed(
        self, changes: InviteeChanges, event: Customer.EmailChanged, position: int
    ) -> None:
        changes.emails.append((event.originator_id, _variant(event.email.value), position))

    @handles(Referral.Converted)
    def converted(self, cursor: Cursor[Any], event: Referral.Converted, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO referral_referrals (referral_id, seq, referrer_id, friend_id, code,
                converted_at, flags, last_seq)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (referral_id) DO NOTHING
            """,
            (event.originator_id, position, event.referrer_id, event.friend_id, event.code,
             event.at, sorted(set(event.flags)), position),
        )  # fmt: skip
        # The referrer's invitations of this person (by email variant) converted.
        cursor.execute(
            """
            UPDATE referral_invitations i SET converted_friend_id = c.customer_id
            FROM referral_invitee_customers c
            WHERE c.customer_id = %s AND i.referrer_id = %s AND i.variant = c.variant
                AND i.seq < %s AND i.converted_friend_id IS NULL
            """,
            (event.friend_id, event.referrer_id, position),
        )

    @handles(Referral.Qualified)
    def qualified(self, cursor: Cursor[Any], event: Referral.Qualified, position: int) -> None:
        self._update_referral(
            cursor, event, position,
            "qualified_at = %(at)s, qualifying_order_id = %(order)s", {"order": event.order_id},
        )  # fmt: skip

    @handles(Referral.Rewarded)
    def rewarded(self, cursor: Cursor[Any], event: Referral.Rewarded, position: int) -> None:
        self._update_referral(
            cursor, event, position,
            "rewarded_at = %(at)s, referrer_points = %(mine)s, friend_points = %(theirs)s",
            {"mine": event.referrer_points, "theirs": event.friend_points},
        )  # fmt: skip

    @handles(Referral.Flagged)
    def flagged(self, cursor: Cursor[Any], event: Referral.Flagged, position: int) -> None:
        # A rule flags a referral once as far as the funnel is concerned.
        self._update_referral(
            cursor, event, position,
            "flags = CASE WHEN %(rule)s = ANY(flags) THEN flags"
            " ELSE array_append(flags, %(rule)s) END",
            {"rule": event.rule},
        )  # fmt: skip

    @handles(Referral.Reversed)
    def reversed(self, cursor: Cursor[Any], event: Referral.Reversed, position: int) -> None:
        self._update_referral(
            cursor, event, position, "reversed_at = %(at)s, reversal_rule = %(rule)s",
            {"rule": event.rule},
        )  # fmt: skip

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """The invitations addressed to an erased person lose the email and its variant (who
        invited them, when, and whether they converted stay: the funnel keeps its counts).
        That is the invitations of their invited subject, and those they converted from
        (another spelling of their email, sealed under that spelling's subject). An erased
        customer's remembered variant goes. Invitations an erased customer sent hold their
        friends' emails, which are the friends' data, not theirs: they stay."""
        subjects = erased_subjects(event)
        cursor.execute(_RELINK, {"friend": event.subject_id, "invitee": event.also_erased})
        cursor.execute(
            "UPDATE referral_invitations SET email = NULL, variant = NULL"
            " WHERE (invitee_id = ANY(%(s)s) OR converted_friend_id = ANY(%(s)s))"
            " AND (email IS NOT NULL OR variant IS NOT NULL)",
            {"s": subjects},
        )
        cursor.execute(
            "DELETE FROM referral_invitee_customers WHERE customer_id = ANY(%s)", (subjects,)
        )

    def _update_referral(
        self,
        cursor: Cursor[Any],
        event: Referral.Event,
        position: int,
        assignments: str,
        params: dict[str, Any],
    ) -> None:
        """``assignments`` is this module's SQL; values come in ``params``."""
        at = getattr(event, "at", None) or event.timestamp
        values = {"seq": position, "referral": event.originator_id, "at": at, **params}
        cursor.execute(_REFERRAL_UPDATE.format(assignments=assignments), values)

    def _update_referrer(
        self,
        cursor: Cursor[Any],
        event: Referrer.Event,
        position: int,
        assignments: str,
        params: dict[str, Any],
    ) -> None:
        cursor.execute(
            f"UPDATE referral_referrers SET {assignments}, last_seq = %(seq)s"
            " WHERE referrer_id = %(referrer)s AND last_seq < %(seq)s",
            {"seq": position, "referrer": event.originator_id, **params},
        )

    def _customer_of(self, cursor: Cursor[Any], referrer_id: UUID) -> UUID:
        customer = self._customers.get(referrer_id)
        if customer is None:
            cursor.execute(
                "SELECT customer_id FROM referral_referrers WHERE referrer_id = %s",
                (referrer_id,),
            )
            row = cursor.fetchone()
            if row is None:  # every referrer event follows its CodeIssued in the log
                raise LookupError(f"no referrer {referrer_id}")
            customer = self._customers[referrer_id] = row[0]
        return customer


def _variant(email: str | None) -> str | None:
    return None if email is None else email_variant(email)
