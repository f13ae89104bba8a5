"""Events -> the customer directory tables (Customer 360).

Events are folded into :class:`DirectoryChanges` and written with a few multi-row statements
per batch (``projections.customers.statements``); an erasure is applied at once, after what
came before it. Applying an event a second time leaves the same rows: rows keyed by the
event's log position or stream are inserted once, per-customer figures are recomputed from
the per-order and per-step tables rather than incremented, refunds count by order version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from psycopg import Cursor
from psycopg.types.json import Jsonb

from domain.customer.model import Customer
from domain.customer.profile import Address, ConsentDecision
from domain.privacy.erasure import ErasureRequest
from domain.purchase.model import Purchase
from domain.shared.personal_data import PersonalData
from projections.base import Positioned, Projection, folds, handles
from projections.customers.changes import DirectoryChanges
from projections.customers.schema import DDL
from projections.erasure import erased_subjects
from projections.versions import advance_versions, latest_versions, topics_of


def _clear(value: PersonalData | None) -> str | None:
    # An erased subject's fields arrive as the erased marker and are stored as NULL.
    return None if value is None else value.value


def _address(value: PersonalData | None) -> Jsonb | None:
    text = _clear(value)
    return None if text is None else Jsonb(asdict(Address.from_text(text)))


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

    def changes(self) -> DirectoryChanges:
        return DirectoryChanges(loading=self.loading)

    def apply(self, cursor: Cursor[Any], batch: Sequence[Positioned]) -> None:
        events = [item.event for item in batch if isinstance(item.event, Customer.Event)]
        latest = latest_versions(events)
        # A customer registered in this batch goes in at its latest version already.
        self.fold(cursor, batch, lambda: DirectoryChanges(self.loading, latest))
        advance_versions(cursor, "customer_directory", "customer_id", latest)

    @folds(Customer.Registered)
    def registered(
        self, changes: DirectoryChanges, event: Customer.Registered, position: int
    ) -> None:
        meta = event.metadata
        changes.registrations[event.originator_id] = {
            "customer_id": event.originator_id,
            "seq": position,
            "name": _clear(event.name),
            "email": _clear(event.email),
            "phone": _clear(event.phone),
            "region": event.region,
            "personal_data_erased": event.name.is_erased,
            "registered_at": event.timestamp,
            "registered_by_role": meta.actor_role.value,
            "registered_through": meta.channel.value,
            "version": event.originator_version,
            "address": None,
            "language": None,
            "birth_year": None,
        }

    # The version of every Customer event: ``apply``.
    @folds(Customer.NameChanged)
    def name_changed(self, changes: DirectoryChanges, event: Customer.NameChanged, _: int) -> None:
        changes.set_column(event.originator_id, "name", _clear(event.name))

    @folds(Customer.EmailChanged)
    def email_changed(
        self, changes: DirectoryChanges, event: Customer.EmailChanged, _: int
    ) -> None:
        changes.set_column(event.originator_id, "email", _clear(event.email))

    @folds(Customer.PhoneChanged)
    def phone_changed(
        self, changes: DirectoryChanges, event: Customer.PhoneChanged, _: int
    ) -> None:
        changes.set_column(event.originator_id, "phone", _clear(event.phone))

    @folds(Customer.AddressChanged)
    def address_changed(
        self, changes: DirectoryChanges, event: Customer.AddressChanged, _: int
    ) -> None:
        changes.set_column(event.originator_id, "address", _address(event.address))

    @folds(Customer.RegionChanged)
    def region_changed(
        self, changes: DirectoryChanges, event: Customer.RegionChanged, _: int
    ) -> None:
        changes.set_column(event.originator_id, "region", event.region)

    @folds(Customer.LanguageChanged)
    def language_changed(
        self, changes: DirectoryChanges, event: Customer.LanguageChanged, _: int
    ) -> None:
        changes.set_column(event.originator_id, "language", _clear(event.language))

    @folds(Customer.BirthYearChanged)
    def birth_year_changed(
        self, changes: DirectoryChanges, event: Customer.BirthYearChanged, _: int
    ) -> None:
        year = _clear(event.birth_year)
        changes.set_column(event.originator_id, "birth_year", None if year is None else int(year))

    @handles(ErasureRequest.Completed)
    def erasure_completed(
        self, cursor: Cursor[Any], event: ErasureRequest.Completed, _: int
    ) -> None:
        """The personal columns go to NULL (the name and email prefix indexes are expressions
        on them, so they no longer hold the values either) and the row says when it was erased.
        Region (a segment code), purchases, consents and onboarding are no personal values of
        the log (plain fields of their events) and stay. Applied alone, in log order: what the
        batch folded before it is written first."""
        cursor.execute(
            "UPDATE customer_directory SET name = NULL, email = NULL, phone = NULL,"
            " address = NULL, language = NULL, birth_year = NULL,"
            " personal_data_erased = true, erased_at = %s"
            " WHERE customer_id = ANY(%s)",
            (event.at, erased_subjects(event)),
        )

    @folds(Customer.ContactChannelOptedIn)
    def opted_in(
        self, changes: DirectoryChanges, event: Customer.ContactChannelOptedIn, _: int
    ) -> None:
        changes.preferences[event.originator_id, event.channel] = (True, event.timestamp)

    @folds(Customer.ContactChannelOptedOut)
    def opted_out(
        self, changes: DirectoryChanges, event: Customer.ContactChannelOptedOut, _: int
    ) -> None:
        changes.preferences[event.originator_id, event.channel] = (False, event.timestamp)

    def _consent(
        self, changes: DirectoryChanges, event: Any, decision: ConsentDecision, position: int
    ) -> None:
        given = decision is ConsentDecision.GIVEN
        changes.consents[event.originator_id, event.purpose] = (
            given,
            decision.value,
            event.timestamp,
        )
        meta = event.metadata
        changes.consent_history.append(
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
            )
        )

    @folds(Customer.ConsentGiven)
    def consent_given(
        self, changes: DirectoryChanges, event: Customer.ConsentGiven, position: int
    ) -> None:
        self._consent(changes, event, ConsentDecision.GIVEN, position)

    @folds(Customer.ConsentWithdrawn)
    def consent_withdrawn(
        self, changes: DirectoryChanges, event: Customer.ConsentWithdrawn, position: int
    ) -> None:
        self._consent(changes, event, ConsentDecision.WITHDRAWN, position)

    @folds(Customer.ConsentRefused)
    def consent_refused(
        self, changes: DirectoryChanges, event: Customer.ConsentRefused, position: int
    ) -> None:
        self._consent(changes, event, ConsentDecision.REFUSED, position)

    @folds(Customer.OnboardingStepCompleted)
    def onboarding_step_completed(
        self, changes: DirectoryChanges, event: Customer.OnboardingStepCompleted, _: int
    ) -> None:
        changes.onboarding_steps.append((event.originator_id, event.step, event.completed_at))

    @folds(Purchase.Recorded)
    def purchase_recorded(
        self, changes: DirectoryChanges, event: Purchase.Recorded, _: int
    ) -> None:
        changes.purchases.append(
            (
                event.originator_id,
                event.customer_id,
                event.order_id,
                event.amount_minor,
                event.currency,
                event.channel,
                event.purchased_at,
                event.originator_version,
            )
        )

    @folds(Purchase.Refunded)
    def purchase_refunded(
        self, changes: DirectoryChanges, event: Purchase.Refunded, _: int
    ) -> None:
        # The order's version says which refunds are in: applying one again adds nothing.
        changes.refunds.append((event.originator_id, event.originator_version, event.amount_minor))
