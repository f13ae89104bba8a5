"""The demo's catalogue holds only values the domain accepts, so no demo run fails halfway on
a bad region, language, currency, category or comment template."""

from __future__ import annotations

import pytest

from domain.customer.values import normalise_language, normalise_region
from domain.purchase.values import PurchaseChannel, check_currency
from domain.ticket.values import TicketChannel, check_category
from infrastructure.demo import catalogue as c

PLACES = {"product": "desk lamp", "category": "home", "city": "Leeds"}


@pytest.mark.parametrize("region", c.REGIONS, ids=lambda r: r.code)
def test_every_region_has_a_code_languages_and_a_currency_the_domain_accepts(
    region: c.Region,
) -> None:
    assert normalise_region(region.code) == region.code
    assert [normalise_language(language) for language in region.languages] == list(region.languages)
    assert check_currency(region.currency) == region.currency


@pytest.mark.parametrize("template", c.PRAISE + c.NEUTRAL + c.COMPLAINTS)
def test_every_comment_template_fills_in_from_a_purchase_and_a_city(template: str) -> None:
    assert "{" not in template.format(**PLACES)


@pytest.mark.parametrize("topic", c.TICKET_TOPICS, ids=lambda t: t[1])
def test_every_ticket_topic_has_a_category_the_domain_accepts(
    topic: tuple[str, str, str],
) -> None:
    category, subject, description = topic
    assert check_category(category) == category
    assert "{" not in subject.format(**PLACES) + description.format(**PLACES)


def test_every_ticket_and_purchase_channel_is_one_the_domain_knows() -> None:
    # An unknown value raises ValueError here rather than halfway through a demo run.
    assert [TicketChannel(ch).value for ch, _ in c.TICKET_CHANNELS] == [
        ch for ch, _ in c.TICKET_CHANNELS
    ]
    assert [PurchaseChannel(ch).value for ch, _ in c.PURCHASE_CHANNELS] == [
        ch for ch, _ in c.PURCHASE_CHANNELS
    ]
