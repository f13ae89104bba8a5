"""Events -> the notification outbox: one row per message, keyed by its causing event's log
position and, for an event that causes many (a campaign's batch), the message's place in it.

A row holds what the message is (kind, channel, whom it concerns, the survey or the referral
code it is about, when its link expires), never its address or token: those stay sealed with
the recipient's key in the causing event, which the row names by ``cause_position``
(:mod:`projections.outbox.addressing`). So the outbox holds nothing that an erasure must purge
or a dead tuple could keep, and a message to an erased person has nothing left to send.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.campaign.messages import CampaignMessage, MessageBatch
from domain.campaign.model import Campaign, RecipientBatch
from domain.customer.model import Customer
from domain.privacy.erasure import ErasureRequest
from domain.reactions.model import ImprovementNotice, OrderNotice, TicketNotice
from domain.referral.model import Referrer
from domain.survey.model import Invitation
from projections.base import Projection, handles
from projections.erasure import erased_subjects
from projections.outbox.addressing import address_of

DDL = """
    CREATE TABLE IF NOT EXISTS notification_outbox (
        id bigserial PRIMARY KEY,
        cause_position bigint NOT NULL,
        cause_entry integer NOT NULL DEFAULT 0,
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        cancelled_at timestamptz
    );
    -- An erased person's messages are never sent (``cancelled_at``). Addresses are no longer
    -- kept (migration 060 emptied the column first). Migrate runs this every time: tables
    -- made before either change are changed here.
    ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;
    ALTER TABLE notification_outbox DROP COLUMN IF EXISTS recipient;
    -- A campaign's batch event causes one message per recipient: a message is keyed by its
    -- cause's position and its place in it (0 for events that cause one).
    ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS cause_entry integer NOT NULL
        DEFAULT 0;
    ALTER TABLE notification_outbox DROP CONSTRAINT IF EXISTS
        notification_outbox_cause_position_key;
    CREATE UNIQUE INDEX IF NOT EXISTS notification_outbox_cause_idx
        ON notification_outbox (cause_position, cause_entry);
    CREATE INDEX IF NOT EXISTS notification_outbox_pending_idx
        ON notification_outbox (sent_at) WHERE sent_at IS NULL;
    CREATE INDEX IF NOT EXISTS notification_outbox_customer_idx
        ON notification_outbox (customer_id);
    CREATE INDEX IF NOT EXISTS notification_outbox_kind_idx ON notification_outbox (kind, id);
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

_INSERT = """
    INSERT INTO notification_outbox (cause_position, customer_id, channel, kind, payload,
        created_at)
    VALUES (%s, %s, %s, %s, %s, %s)
    ON CONFLICT (cause_position, cause_entry) DO NOTHING
"""

# A campaign batch's messages, one row each, in one statement (the arrays in binary: text
# arrays cost a quoting check per element).
_INSERT_BATCH = """
    INSERT INTO notification_outbox (cause_position, cause_entry, customer_id, channel, kind,
        payload, created_at)
    SELECT %(position)s, m.entry, m.customer_id, %(channel)s, 'campaign_message', %(payload)s,
        %(at)s
    FROM unnest(%(entries)b::integer[], %(customers)b::uuid[]) AS m (entry, customer_id)
    ON CONFLICT (cause_position, cause_entry) DO NOTHING
"""

# A cancelled campaign's unsent messages (those written when sent, which no event holds yet).
_WITHDRAW = """
    UPDATE notification_outbox SET cancelled_at = %(at)s
    WHERE kind = 'campaign_message' AND payload ->> 'campaign_id' = %(campaign)s
        AND sent_at IS NULL AND cancelled_at IS NULL
"""

# The erased person's unsent messages: theirs (customer_id), and referral invitations
# addressed to them as an invited person. Sent ones stay sent; no row holds an address.
_CANCEL = """
    UPDATE notification_outbox SET cancelled_at = %(at)s
    WHERE sent_at IS NULL AND cancelled_at IS NULL
        AND (customer_id = ANY(%(ids)s)
            OR (kind = 'referral_invitation' AND payload ->> 'invitee_id' = ANY(%(texts)s)))
"""


class NotificationOutbox(Projection):
    """Notifications to send. The cause's position is unique, so a replayed event adds
    nothing; a sender reads the address and token from the cause and marks rows sent."""

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
        if address_of(event) is None:
            return  # the customer was erased: there is no one to write to, nothing to send
        payload = {"expires_at": event.expires_at.isoformat()}
        row = (position, event.originator_id, "email", "password_reset", Jsonb(payload))
        cursor.execute(_INSERT, (*row, event.timestamp))

    @handles(Customer.RegistrationAttempted)
    def registration_attempted(
        self, cursor: Cursor[Any], event: Customer.RegistrationAttempted, position: int
    ) -> None:
        """A message to the customer whose email someone registered with: "someone tried to
        register with your address; if it was you, log in or reset your password"."""
        if address_of(event) is None:
            return  # erased since: no one to write to
        row = (position, event.originator_id, "email", "registration_attempted", Jsonb({}))
        cursor.execute(_INSERT, (*row, event.timestamp))

    @handles(Customer.EmailChangeRequested)
    def email_change_requested(
        self, cursor: Cursor[Any], event: Customer.EmailChangeRequested, position: int
    ) -> None:
        """The confirmation link, to the address the customer asked to move to (which, like
        its token, stays sealed in the event)."""
        if address_of(event) is None:
            return  # erased since: nothing to send
        payload = {"expires_at": event.expires_at.isoformat()}
        row = (position, event.originator_id, "email", "email_change_confirmation", Jsonb(payload))
        cursor.execute(_INSERT, (*row, event.timestamp))

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
        self._survey_link(cursor, event, position, event.survey_id)

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
            self._survey_link(cursor, event, position, row[0])

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
        so that their erasure can find the message."""
        cursor.execute(
            "SELECT customer_id, code FROM outbox_referral_codes WHERE referrer_id = %s",
            (event.originator_id,),
        )
        row = cursor.fetchone()
        if address_of(event) is None or row is None:
            # Erased friend: no one to write to. (No code row cannot happen: CodeIssued comes
            # first in the log and this projection has handled it since referrals exist.)
            return
        referrer, code = row
        payload = {"code": code, "referrer_id": str(referrer), "invitee_id": str(event.invitee_id)}
        cursor.execute(
            _INSERT, (position, referrer, "email", "referral_invitation", Jsonb(payload), event.at)
        )

    @handles(Invitation.Thanked)
    def promoter_thanked(
        self, cursor: Cursor[Any], event: Invitation.Thanked, position: int
    ) -> None:
        """A thank-you to a promoter; its address and referral code stay in the event."""
        if address_of(event) is None:
            return  # erased since: no one to write to
        payload = {"with_referral_code": event.referral_code is not None}
        row = (event.recipient.subject_id, event.channel, "promoter_thanks", Jsonb(payload))
        cursor.execute(_INSERT, (position, *row, event.timestamp))

    @handles(TicketNotice.Queued)
    def ticket_notice_queued(
        self, cursor: Cursor[Any], event: TicketNotice.Queued, position: int
    ) -> None:
        """News of a ticket's step; the address stays in the event."""
        if address_of(event) is None:
            return  # erased since: no one to write to
        payload = {"step": event.step, "ticket_id": str(event.ticket_id)}
        row = (event.customer_id, event.channel, "ticket_progress", Jsonb(payload))
        cursor.execute(_INSERT, (position, *row, event.timestamp))

    @handles(OrderNotice.Queued)
    def order_notice_queued(
        self, cursor: Cursor[Any], event: OrderNotice.Queued, position: int
    ) -> None:
        """News of an order's step; the address stays in the event (and the tracking number
        in the order's: the mail links to the account, where the customer reads it)."""
        if address_of(event) is None:
            return  # erased since: no one to write to
        expected = event.estimated_delivery
        payload = {
            "step": event.step,
            "order_id": event.order_id,
            "carrier": event.carrier,
            "expected_on": None if expected is None else expected.date().isoformat(),
        }
        row = (event.customer_id, event.channel, "order_progress", Jsonb(payload))
        cursor.execute(_INSERT, (position, *row, event.timestamp))

    @handles(ImprovementNotice.Queued)
    def improvement_notice_queued(
        self, cursor: Cursor[Any], event: ImprovementNotice.Queued, position: int
    ) -> None:
        """News of an improvement; the address stays in the event. The version and message
        are staff's words, not personal data, so the payload carries them for the mail."""
        if address_of(event) is None:
            return  # erased since: no one to write to
        payload = {
            "improvement_id": str(event.improvement_id),
            "product_version": event.product_version,
            "message": event.message,
        }
        row = (event.customer_id, event.channel, "improvement_notice", Jsonb(payload))
        cursor.execute(_INSERT, (position, *row, event.timestamp))

    @handles(CampaignMessage.Queued)
    def campaign_message_queued(
        self, cursor: Cursor[Any], event: CampaignMessage.Queued, position: int
    ) -> None:
        """A campaign's email; its address and written text stay sealed in the event."""
        if address_of(event) is None:
            return  # erased since: no one to write to
        payload = {"campaign_id": str(event.campaign_id)}
        row = (event.customer_id, event.channel, "campaign_message", Jsonb(payload))
        cursor.execute(_INSERT, (position, *row, event.timestamp))

    @handles(MessageBatch.Queued)
    def campaign_batch_queued(
        self, cursor: Cursor[Any], event: MessageBatch.Queued, position: int
    ) -> None:
        """A campaign batch's emails, one row per recipient not erased since; each one's
        address and written text stay sealed in the event, with that recipient's key."""
        entries = [i for i in range(len(event.messages)) if address_of(event, i) is not None]
        values = {
            "position": position,
            "entries": entries,
            "customers": [event.messages[i].customer_id for i in entries],
            "channel": event.channel,
            "payload": Jsonb({"campaign_id": str(event.campaign_id)}),
            "at": event.timestamp,
        }
        if entries:
            cursor.execute(_INSERT_BATCH, values)

    @handles(RecipientBatch.Recorded)
    def campaign_batch_recorded(
        self, cursor: Cursor[Any], event: RecipientBatch.Recorded, position: int
    ) -> None:
        """A campaign batch recorded since its messages are written when sent: one row per
        queued member, its entry their place in the batch. Nothing to decode: the batch
        holds ids only, and whoever is erased by the time it is sent gets nothing then.
        (An older batch's messages come from the reaction's :class:`MessageBatch`.)"""
        if not event.written_when_sent or not event.queued:
            return
        values = {
            "position": position,
            "entries": list(range(len(event.queued))),
            "customers": event.queued,
            "channel": event.channel,
            "payload": Jsonb({"campaign_id": str(event.campaign_id)}),
            "at": event.timestamp,
        }
        cursor.execute(_INSERT_BATCH, values)

    @handles(Campaign.Cancelled)
    def campaign_cancelled(self, cursor: Cursor[Any], event: Campaign.Cancelled, _: int) -> None:
        """Cancelling a campaign withdraws every message of it not sent yet."""
        cursor.execute(_WITHDRAW, {"campaign": str(event.originator_id), "at": event.at})

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """Nothing unsent goes to an erased person (their address and token were never here,
        and the key that sealed them in the log is gone). Sent messages keep ``sent_at`` (a
        fact about the past, and what a rebuild could not recreate)."""
        subjects = erased_subjects(event)
        texts = [str(subject) for subject in subjects]
        cursor.execute(_CANCEL, {"ids": subjects, "texts": texts, "at": event.at})

    def _survey_link(
        self,
        cursor: Cursor[Any],
        event: Invitation.Issued | Invitation.Reissued,
        position: int,
        survey_id: UUID,
    ) -> None:
        """A message with the link, on email, SMS or push, unless the customer is erased."""
        if address_of(event) is None or event.token is None or event.expires_at is None:
            return
        payload = {"survey_id": str(survey_id), "expires_at": event.expires_at.isoformat()}
        row = (event.token.subject_id, event.channel, "survey_invitation", Jsonb(payload))
        cursor.execute(_INSERT, (position, *row, event.timestamp))
