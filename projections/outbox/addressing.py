"""Who a queued message goes to and the token it carries, read from the event that caused it.

The outbox keeps neither: an address and a link's or reset's token are personal data, sealed
in the causing event with the recipient's own key (the customer's, or an invited friend's).
The outbox row names that event by its log position; the sender decodes the event when it sends
and finds the values here, and once the recipient is erased (their key destroyed) there is
nothing to read and nothing to send. The projection asks the same question to decide whether
a message is owed at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.campaign.messages import CampaignMessage, MessageBatch
from domain.campaign.model import RecipientBatch
from domain.customer.model import Customer
from domain.reactions.model import ImprovementNotice, OrderNotice, TicketNotice
from domain.referral.model import Referrer
from domain.shared.personal_data import PersonalData
from domain.survey.model import Invitation
from domain.survey.values import SurveyChannel

SENT_CHANNELS = frozenset(
    c.value for c in SurveyChannel if c.contact_channel is not None
)  # email, sms, push: the others are shown in-product

CAUSES = (
    Customer.PasswordResetRequested,
    Customer.RegistrationAttempted,
    Customer.EmailChangeRequested,
    Invitation.Issued,
    Invitation.Reissued,
    Referrer.FriendInvited,
    Invitation.Thanked,
    TicketNotice.Queued,
    ImprovementNotice.Queued,
    OrderNotice.Queued,
    CampaignMessage.Queued,
    MessageBatch.Queued,
    RecipientBatch.Recorded,
)
"""The events that queue a message. A campaign batch recorded since its messages are written
when sent holds no address: its messages are written and addressed by
:func:`domain.campaign.messages.write_when_sent`, which reads the recipients' streams."""


@dataclass(frozen=True, slots=True)
class Address:
    """Where one message goes and the secret it carries (None: it carries none)."""

    recipient: str
    token: str | None


def address_of(event: object, entry: int = 0) -> Address | None:
    """The address (and token) of the message ``event`` caused (the ``entry``-th of those of
    a campaign's batch); None when it causes none, or its recipient was erased."""
    if isinstance(event, MessageBatch.Queued):
        if not 0 <= entry < len(event.messages):
            return None
        message = event.messages[entry]
        return _sealed(message.recipient, message.content)
    if isinstance(event, Customer.PasswordResetRequested):
        return _sealed(event.recipient, event.token)
    if isinstance(event, Customer.EmailChangeRequested):
        return _sealed(event.email, event.token)
    if isinstance(event, Customer.RegistrationAttempted):
        recipient = event.recipient.value
        return None if recipient is None else Address(recipient, None)
    if isinstance(event, Invitation.Issued | Invitation.Reissued):
        return _survey_link(event)
    if isinstance(event, TicketNotice.Queued | ImprovementNotice.Queued | OrderNotice.Queued):
        recipient = event.recipient.value
        return None if recipient is None else Address(recipient, None)
    if isinstance(event, Invitation.Thanked):
        return _thanks(event)
    if isinstance(event, CampaignMessage.Queued):
        # The written message (it holds their name) travels sealed like a token.
        return _sealed(event.recipient, event.content)
    if isinstance(event, Referrer.FriendInvited):
        return None if event.email.value is None else Address(event.email.value, None)
    return None


def _sealed(recipient: PersonalData, token: PersonalData) -> Address | None:
    if recipient.value is None or token.value is None:
        return None
    return Address(recipient.value, token.value)


def _survey_link(event: Invitation.Issued | Invitation.Reissued) -> Address | None:
    """Links go out on email, SMS and push; in-product invitations (web, app) send nothing.
    Push goes to the customer's devices, addressed by their id; the others to an address."""
    token = event.token
    if token is None or token.value is None or event.channel not in SENT_CHANNELS:
        return None
    if event.recipient is None:
        return Address(str(token.subject_id), token.value)
    return _sealed(event.recipient, token)


def _thanks(event: Invitation.Thanked) -> Address | None:
    """A promoter's thank-you: to their address, carrying their referral code as its secret
    when it has one (the code stays sealed in the event, never in the outbox)."""
    code = event.referral_code
    if event.recipient.value is None or (code is not None and code.value is None):
        return None  # erased since: nothing to send
    return Address(event.recipient.value, None if code is None else code.value)
