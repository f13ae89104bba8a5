"""Events -> the notification outbox: one row per causing event, keyed by its log position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.customer.model import Customer
from domain.privacy.erasure import ErasureRequest
from domain.referral.model import Referrer
from domain.shared.personal_data import PersonalData
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel
from projections.base import Projection, handles
from projections.erasure import erased_subjects

DDL = """
    CREATE TABLE IF NOT EXISTS notification_outbox (
        id bigserial PRIMARY KEY,
        cause_position bigint NOT NULL UNIQUE,
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        kind text NOT NULL,
        recipient text,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        cancelled_at timestamptz
    );
    -- An erased person's messages keep no address and are never sent (``cancelled_at``).
    -- Migrate runs this every time: tables made before erasure existed change here.
    ALTER TABLE notification_outbox ALTER COLUMN recipient DROP NOT NULL;
    ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;
    CREATE INDEX IF NOT EXISTS notification_outbox_pending_idx
        ON notification_outbox (sent_at) WHERE sent_at IS NULL;
    CREATE INDEX IF NOT EXISTS notification_outbox_customer_idx
        ON notification_outbox (customer_id);
    CREATE INDEX IF NOT EXISTS notification_outbox_invitee_idx
        ON notification_outbox ((payload ->> 'invitee_id')) WHERE kind = 'referral_invitation';

    CREATE TABLE IF NOT EXISTS outbox_survey_invitations (
        invitation_id uuid PRIMARY KEY,
        survey_id uuid NOT NULL
    );

    -- Each referrer's current code, for the invitations they send (FriendInvited names
    -- neither the referrer's customer nor the code).
    CREATE TABLE IF NOT EXISTS outbox_referral_codes (
        referrer_id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        code text NOT NULL,
        last_seq bigint NOT NULL
    );
"""

_SENT_CHANNELS = frozenset(
    c.value for c in SurveyChannel if c.contact_channel is not None
)  # email, sms, push: the others are shown in-product

_INSERT = """
    INSERT INTO notification_outbox (cause_position, customer_id, channel, kind,
        recipient, payload, created_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (cause_position) DO NOTHING
"""

# The erased person's messages: theirs (customer_id), and referral invitations addressed to
# them as an invited person. Unsent ones are cancelled; sent ones stay sent.
_PURGE = """
    UPDATE notification_outbox
    SET recipient = NULL, payload = payload - 'token',
        cancelled_at = CASE WHEN sent_at IS NULL THEN coalesce(cancelled_at, %(at)s) END
    WHERE customer_id = ANY(%(ids)s)
        OR (kind = 'referral_invitation' AND payload ->> 'invitee_id' = ANY(%(texts)s))
"""


class NotificationOutbox(Projection):
    """Notifications to send. The cause's position is unique, so a replayed event adds
    nothing; a sender marks rows sent."""

    name = "notification_outbox"
    # Not a pure read model: ``sent_at`` is state a replay cannot recreate, so a version bump
    # (which drops and replays it) would queue every message ever sent again. Survey links
    # came with the survey events themselves, so there is no earlier event to replay.
    version = 1
    tables = ("notification_outbox", "outbox_survey_invitations", "outbox_referral_codes")
    ddl = DDL

    @handles(Customer.PasswordResetRequested)
    def password_reset_requested(
        self, cursor: Cursor[Any], event: Customer.PasswordResetRequested, position: int
    ) -> None:
        recipient, token = event.recipient.value, event.token.value
        if recipient is None or token is None:
            return  # the customer was erased: there is no one to write to, nothing to send
        cursor.execute(
            _INSERT,
            (
                position,
                event.originator_id,
                "email",
                "password_reset",
                recipient,
                Jsonb({"token": token, "expires_at": event.expires_at.isoformat()}),
                event.timestamp,
            ),
        )

    @handles(Customer.RegistrationAttempted)
    def registration_attempted(
        self, cursor: Cursor[Any], event: Customer.RegistrationAttempted, position: int
    ) -> None:
        """A message to the customer whose email someone registered with: "someone tried to
        register with your address; if it was you, log in or reset your password"."""
        recipient = event.recipient.value
        if recipient is None:
            return  # erased since: no one to write to
        row = (event.originator_id, "email", "registration_attempted", recipient, Jsonb({}))
        cursor.execute(_INSERT, (position, *row, event.timestamp))

    @handles(Customer.EmailChangeRequested)
    def email_change_requested(
        self, cursor: Cursor[Any], event: Customer.EmailChangeRequested, position: int
    ) -> None:
        """The confirmation link, to the address the customer asked to move to."""
        recipient, token = event.email.value, event.token.value
        if recipient is None or token is None:
            return  # erased since: nothing to send
        payload = Jsonb({"token": token, "expires_at": event.expires_at.isoformat()})
        row = (event.originator_id, "email", "email_change_confirmation", recipient, payload)
        cursor.execute(_INSERT, (position, *row, event.timestamp))

    @handles(Invitation.Issued)
    def survey_invitation_issued(
        self, cursor: Cursor[Any], event: Invitation.Issued, position: int
    ) -> None:
        # A re-issued link's event does not name its survey: remember it from the first one.
        cursor.execute(
            "INSERT INTO outbox_survey_invitations (invitation_id, survey_id) VALUES (%s, %s)"
            " ON CONFLICT (invitation_id) DO NOTHING",
            (event.originator_id, event.survey_id),
        )
        link = _Link(event.channel, event.token, event.recipient, event.expires_at)
        self._survey_link(cursor, event, position, event.survey_id, link)

    @handles(Invitation.Reissued)
    def survey_invitation_reissued(
        self, cursor: Cursor[Any], event: Invitation.Reissued, position: int
    ) -> None:
        cursor.execute(
            "SELECT survey_id FROM outbox_survey_invitations WHERE invitation_id = %s",
            (event.originator_id,),
        )
        row = cursor.fetchone()
        if row is not None:
            link = _Link(event.channel, event.token, event.recipient, event.expires_at)
            self._survey_link(cursor, event, position, row[0], link)

    @handles(Referrer.CodeIssued)
    def referral_code_issued(
        self, cursor: Cursor[Any], event: Referrer.CodeIssued, position: int
    ) -> None:
        cursor.execute(
            "INSERT INTO outbox_referral_codes (referrer_id, customer_id, code, last_seq)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (referrer_id) DO NOTHING",
            (event.originator_id, event.customer_id, event.code, position),
        )

    @handles(Referrer.CodeRenewed)
    def referral_code_renewed(
        self, cursor: Cursor[Any], event: Referrer.CodeRenewed, position: int
    ) -> None:
        cursor.execute(
            "UPDATE outbox_referral_codes SET code = %s, last_seq = %s"
            " WHERE referrer_id = %s AND last_seq < %s",
            (event.code, position, event.originator_id, position),
        )

    @handles(Referrer.FriendInvited)
    def referral_friend_invited(
        self, cursor: Cursor[Any], event: Referrer.FriendInvited, position: int
    ) -> None:
        """An email to the invited friend with the referrer's code. The row's customer is the
        referrer (the friend is no customer yet); the payload names the friend's data subject
        so that their erasure can find the address."""
        recipient = event.email.value
        cursor.execute(
            "SELECT customer_id, code FROM outbox_referral_codes WHERE referrer_id = %s",
            (event.originator_id,),
        )
        row = cursor.fetchone()
        if recipient is None or row is None:
            # Erased friend: no one to write to. (No code row cannot happen: CodeIssued comes
            # first in the log and this projection has handled it since referrals exist.)
            return
        referrer, code = row
        payload = {"code": code, "referrer_id": str(referrer), "invitee_id": str(event.invitee_id)}
        cursor.execute(
            _INSERT,
            (position, referrer, "email", "referral_invitation", recipient, Jsonb(payload),
             event.at),
        )  # fmt: skip

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """No address and no token of an erased person stays, and nothing unsent goes to
        them. Sent messages keep ``sent_at`` (a fact about the past, and what a rebuild could
        not recreate)."""
        subjects = erased_subjects(event)
        texts = [str(subject) for subject in subjects]
        cursor.execute(_PURGE, {"ids": subjects, "texts": texts, "at": event.at})

    def _survey_link(
        self,
        cursor: Cursor[Any],
        event: Invitation.Event,
        position: int,
        survey_id: UUID,
        link: _Link,
    ) -> None:
        message = link.message(survey_id)
        if message is not None:
            customer_id, recipient, payload = message
            row = (customer_id, link.channel, "survey_invitation", recipient, Jsonb(payload))
            cursor.execute(_INSERT, (position, *row, event.timestamp))


@dataclass(frozen=True, slots=True)
class _Link:
    """What an Issued or Reissued event says about the link it sends."""

    channel: str
    token: PersonalData | None
    recipient: PersonalData | None
    expires_at: datetime | None

    def message(self, survey_id: UUID) -> tuple[UUID, str, dict[str, str]] | None:
        """(customer, recipient, payload) of the message carrying the link on email, SMS or
        push; None for invitations shown in the web site or app (the customer finds them
        there) and once the customer is erased (no token or address left to read)."""
        if self.token is None or self.token.value is None or self.expires_at is None:
            return None
        if self.channel not in _SENT_CHANNELS:
            return None
        customer_id = self.token.subject_id
        # Push goes to the customer's devices, addressed by their id; others to an address.
        recipient = str(customer_id) if self.recipient is None else self.recipient.value
        if recipient is None:
            return None
        payload = {
            "token": self.token.value,
            "survey_id": str(survey_id),
            "expires_at": self.expires_at.isoformat(),
        }
        return customer_id, recipient, payload
