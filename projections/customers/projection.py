"""Events -> the customer directory tables (Customer 360).

Every handler is written so that applying an event a second time leaves the same rows: rows
keyed by the event's log position are inserted once, per-customer figures are recomputed from
the per-order and per-step tables rather than incremented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.customer.model import Customer
from domain.customer.profile import ONBOARDING_STEPS, Address, ConsentDecision
from domain.privacy.erasure import ErasureRequest
from domain.purchase.model import Purchase
from domain.shared.personal_data import PersonalData
from projections.base import Positioned, Projection, handles
from projections.customers.schema import DDL
from projections.erasure import erased_subjects
from projections.versions import advance_versions, topics_of


def _clear(value: PersonalData | None) -> str | None:
    # An erased subject's fields arrive as the erased marker and are stored as NULL.
    return None if value is None else value.value


def _address(value: PersonalData | None) -> Jsonb | None:
    text = _clear(value)
    return None if text is None else Jsonb(asdict(Address.from_text(text)))


# Per-customer purchase figures, recomputed from the per-order rows (so a replay is harmless).
_PURCHASE_FIGURES = """
    UPDATE customer_directory AS d
    SET purchase_count = s.purchases,
        first_purchase_at = s.first_at,
        last_purchase_at = s.last_at,
        channels = s.channels
    FROM (
        SELECT count(*)::int AS purchases, min(purchased_at) AS first_at,
            max(purchased_at) AS last_at,
            coalesce(array_agg(DISTINCT channel ORDER BY channel), '{}') AS channels
        FROM customer_purchases WHERE customer_id = %(customer)s
    ) AS s
    WHERE d.customer_id = %(customer)s
"""

_ONBOARDING_FIGURES = """
    UPDATE customer_directory AS d
    SET onboarding_steps = s.done,
        onboarding_state = CASE
            WHEN s.known = %(needed)s THEN 'completed'
            WHEN s.done > 0 THEN 'in_progress'
            ELSE 'not_started' END
    FROM (
        SELECT count(*)::int AS done,
            count(*) FILTER (WHERE step = ANY(%(steps)s))::int AS known
        FROM customer_onboarding_steps WHERE customer_id = %(customer)s
    ) AS s
    WHERE d.customer_id = %(customer)s
"""


class CustomerDirectory(Projection):
    """Customers in registration order, with their contact data, profile, preferences,
    consents (current and history), onboarding and purchases."""

    name = "customer_directory"
    erasure_purges = ("customer_directory",)
    version = 4
    """3: language and birth year are sealed personal data, purged by erasure. 4: every
    Customer event advances the version (a password set or a reset link did not); consents
    and their history say which decision (given, withdrawn, refused); versions and purchase
    counts are bigint."""
    tables = (
        "customer_directory",
        "customer_contact_preferences",
        "customer_consents",
        "customer_consent_history",
        "customer_onboarding_steps",
        "customer_purchases",
    )
    ddl = DDL

    @classmethod
    def topics(cls) -> list[str]:
        # Every Customer event, also those the directory shows nothing of: each one advances
        # the version that clients send back as expectedVersion.
        return sorted({*super().topics(), *topics_of(Customer)})

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        super().apply(cursor, batch)
        customer_events = (item.event for item in batch if isinstance(item.event, Customer.Event))
        advance_versions(cursor, "customer_directory", "customer_id", customer_events)

    @handles(Customer.Registered)
    def registered(self, cursor: Cursor[Any], event: Customer.Registered, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO customer_directory (customer_id, seq, name, email, phone, region,
                personal_data_erased, registered_at, registered_by_role, registered_through,
                version)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (customer_id) DO NOTHING
            """,
            (
                event.originator_id,
                position,
                _clear(event.name),
                _clear(event.email),
                _clear(event.phone),
                event.region,
                event.name.is_erased,
                event.timestamp,
                event.metadata.actor_role.value,
                event.metadata.channel.value,
                event.originator_version,
            ),
        )

    def _set(self, cursor: Cursor[Any], event: Customer.Event, column: str, value: Any) -> None:
        # ``column`` is one of this module's literals, never input. The version: ``apply``.
        cursor.execute(
            f"UPDATE customer_directory SET {column} = %s WHERE customer_id = %s",
            (value, event.originator_id),
        )

    @handles(Customer.NameChanged)
    def name_changed(self, cursor: Cursor[Any], event: Customer.NameChanged, _: int) -> None:
        self._set(cursor, event, "name", _clear(event.name))

    @handles(Customer.EmailChanged)
    def email_changed(self, cursor: Cursor[Any], event: Customer.EmailChanged, _: int) -> None:
        self._set(cursor, event, "email", _clear(event.email))

    @handles(Customer.PhoneChanged)
    def phone_changed(self, cursor: Cursor[Any], event: Customer.PhoneChanged, _: int) -> None:
        self._set(cursor, event, "phone", _clear(event.phone))

    @handles(Customer.AddressChanged)
    def address_changed(self, cursor: Cursor[Any], event: Customer.AddressChanged, _: int) -> None:
        self._set(cursor, event, "address", _address(event.address))

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """The personal columns go to NULL (the name and email prefix indexes are expressions
        on them, so they no longer hold the values either) and the row says when it was erased.
        Region (a segment code), purchases, consents and onboarding are no personal values of
        the log (plain fields of their events) and stay."""
        cursor.execute(
            "UPDATE customer_directory SET name = NULL, email = NULL, phone = NULL,"
            " address = NULL, language = NULL, birth_year = NULL,"
            " personal_data_erased = true, erased_at = %s"
            " WHERE customer_id = ANY(%s)",
            (event.at, erased_subjects(event)),
        )

    @handles(Customer.RegionChanged)
    def region_changed(self, cursor: Cursor[Any], event: Customer.RegionChanged, _: int) -> None:
        self._set(cursor, event, "region", event.region)

    @handles(Customer.LanguageChanged)
    def language_changed(
        self, cursor: Cursor[Any], event: Customer.LanguageChanged, _: int
    ) -> None:
        self._set(cursor, event, "language", _clear(event.language))

    @handles(Customer.BirthYearChanged)
    def birth_year_changed(
        self, cursor: Cursor[Any], event: Customer.BirthYearChanged, _: int
    ) -> None:
        year = _clear(event.birth_year)
        self._set(cursor, event, "birth_year", None if year is None else int(year))

    def _channel(self, cursor: Cursor[Any], event: Any, opted_in: bool) -> None:
        cursor.execute(
            """
            INSERT INTO customer_contact_preferences (customer_id, channel, opted_in, changed_at)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (customer_id, channel)
            DO UPDATE SET opted_in = excluded.opted_in, changed_at = excluded.changed_at
            """,
            (event.originator_id, event.channel, opted_in, event.timestamp),
        )

    @handles(Customer.ContactChannelOptedIn)
    def opted_in(self, cursor: Cursor[Any], event: Customer.ContactChannelOptedIn, _: int) -> None:
        self._channel(cursor, event, True)

    @handles(Customer.ContactChannelOptedOut)
    def opted_out(
        self, cursor: Cursor[Any], event: Customer.ContactChannelOptedOut, _: int
    ) -> None:
        self._channel(cursor, event, False)

    def _consent(
        self, cursor: Cursor[Any], event: Any, decision: ConsentDecision, position: int
    ) -> None:
        given = decision is ConsentDecision.GIVEN
        cursor.execute(
            """
            INSERT INTO customer_consents (customer_id, purpose, given, decision, changed_at)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (customer_id, purpose)
            DO UPDATE SET given = excluded.given, decision = excluded.decision,
                changed_at = excluded.changed_at
            """,
            (event.originator_id, event.purpose, given, decision.value, event.timestamp),
        )
        meta = event.metadata
        cursor.execute(
            """
            INSERT INTO customer_consent_history (position, customer_id, purpose, given,
                decision, changed_at, actor_id, actor_role, channel)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (position) DO NOTHING
            """,
            (
                position,
                event.originator_id,
                event.purpose,
                given,
                decision.value,
                event.timestamp,
                meta.actor_id,
                meta.actor_role.value,
                meta.channel.value,
            ),
        )

    @handles(Customer.ConsentGiven)
    def consent_given(
        self, cursor: Cursor[Any], event: Customer.ConsentGiven, position: int
    ) -> None:
        self._consent(cursor, event, ConsentDecision.GIVEN, position)

    @handles(Customer.ConsentWithdrawn)
    def consent_withdrawn(
        self, cursor: Cursor[Any], event: Customer.ConsentWithdrawn, position: int
    ) -> None:
        self._consent(cursor, event, ConsentDecision.WITHDRAWN, position)

    @handles(Customer.ConsentRefused)
    def consent_refused(
        self, cursor: Cursor[Any], event: Customer.ConsentRefused, position: int
    ) -> None:
        self._consent(cursor, event, ConsentDecision.REFUSED, position)

    @handles(Customer.OnboardingStepCompleted)
    def onboarding_step_completed(
        self, cursor: Cursor[Any], event: Customer.OnboardingStepCompleted, _: int
    ) -> None:
        cursor.execute(
            "INSERT INTO customer_onboarding_steps (customer_id, step, completed_at)"
            " VALUES (%s, %s, %s) ON CONFLICT (customer_id, step) DO NOTHING",
            (event.originator_id, event.step, event.completed_at),
        )
        figures = {
            "customer": event.originator_id,
            "steps": list(ONBOARDING_STEPS),
            "needed": len(ONBOARDING_STEPS),
        }
        cursor.execute(_ONBOARDING_FIGURES, figures)

    @handles(Purchase.Recorded)
    def purchase_recorded(self, cursor: Cursor[Any], event: Purchase.Recorded, _: int) -> None:
        cursor.execute(
            """
            INSERT INTO customer_purchases (purchase_id, customer_id, order_id, amount_minor,
                currency, channel, purchased_at, version)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (purchase_id) DO NOTHING
            """,
            (
                event.originator_id,
                event.customer_id,
                event.order_id,
                event.amount_minor,
                event.currency,
                event.channel,
                event.purchased_at,
                event.originator_version,
            ),
        )
        self._purchase_figures(cursor, event.customer_id)

    @handles(Purchase.Refunded)
    def purchase_refunded(self, cursor: Cursor[Any], event: Purchase.Refunded, _: int) -> None:
        # The order's version says which refunds are in: applying one again adds nothing.
        cursor.execute(
            """
            UPDATE customer_purchases
            SET refunded_minor = refunded_minor + %s, version = %s
            WHERE purchase_id = %s AND version < %s
            """,
            (
                event.amount_minor,
                event.originator_version,
                event.originator_id,
                event.originator_version,
            ),
        )

    def _purchase_figures(self, cursor: Cursor[Any], customer_id: UUID) -> None:
        cursor.execute(_PURCHASE_FIGURES, {"customer": customer_id})
