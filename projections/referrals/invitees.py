"""Which customers registered (or changed to) an email that someone had invited before: a
batch's registrations and email changes, folded and written with one statement.

Per event, the rule is: keep the customer's email variant if an invitation of that variant is
earlier in the log, over a row kept from an earlier position. Folded, the same: of a customer's
events in the run, the latest whose variant was invited before it wins, and only over an older
row. No invitation is written within a folded run (``FriendInvited`` is applied at once, after
what was folded before it), so each event sees the invitations it saw one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.bulk import as_columns

REMEMBER_INVITEES = """
    INSERT INTO referral_invitee_customers (customer_id, variant, last_seq)
    SELECT DISTINCT ON (v.customer_id) v.customer_id, v.variant, v.seq
    FROM unnest(%b::uuid[], %b::text[], %b::bigint[]) AS v(customer_id, variant, seq)
    WHERE EXISTS (SELECT 1 FROM referral_invitations i
        WHERE i.variant = v.variant AND i.seq < v.seq)
    ORDER BY v.customer_id, v.seq DESC
    ON CONFLICT (customer_id) DO UPDATE
        SET variant = excluded.variant, last_seq = excluded.last_seq
        WHERE referral_invitee_customers.last_seq < excluded.last_seq
"""


@dataclass
class InviteeChanges:
    """Customers' emails (as variants) from a run of registrations and email changes."""

    emails: list[tuple[UUID, str | None, int]] = field(default_factory=list)
    """(customer, email variant, log position), in log order."""

    def write(self, cursor: Cursor[Any]) -> None:
        if self.emails:
            cursor.execute(REMEMBER_INVITEES, as_columns(self.emails, 3))
