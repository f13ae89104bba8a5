"""Which channel a reaction uses, from the channel of what caused it."""

from __future__ import annotations

from domain.survey.values import SurveyChannel
from domain.ticket.values import TicketChannel

TICKET_CHANNEL_OF_ANSWER = {
    SurveyChannel.EMAIL: TicketChannel.EMAIL,
    SurveyChannel.SMS: TicketChannel.PHONE,
    SurveyChannel.PUSH: TicketChannel.APP,
    SurveyChannel.WEB: TicketChannel.WEB,
    SurveyChannel.APP: TicketChannel.APP,
}
"""A follow-up ticket is on the channel the customer answered on."""

SURVEY_CHANNEL_OF_TICKET = {
    TicketChannel.EMAIL: SurveyChannel.EMAIL,
    TicketChannel.PHONE: SurveyChannel.SMS,
    TicketChannel.APP: SurveyChannel.PUSH,
    TicketChannel.WEB: SurveyChannel.WEB,
    TicketChannel.CHAT: SurveyChannel.WEB,
    # In a store or on social media there is no link to send there: email reaches them.
    TicketChannel.STORE: SurveyChannel.EMAIL,
    TicketChannel.SOCIAL: SurveyChannel.EMAIL,
}
"""A CSAT invitation goes out on the channel of the ticket (its nearest survey channel)."""


def ticket_channel_of(answer_channel: str) -> TicketChannel:
    return TICKET_CHANNEL_OF_ANSWER.get(SurveyChannel(answer_channel), TicketChannel.WEB)


def survey_channel_of(ticket_channel: str) -> SurveyChannel:
    return SURVEY_CHANNEL_OF_TICKET.get(TicketChannel(ticket_channel), SurveyChannel.EMAIL)
