"""Events -> the customer directory tables."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.customer.model import Customer
from domain.shared.personal_data import PersonalData
from projections.base import Projection, handles


def _clear(value: PersonalData | None) -> str | None:
    # An erased subject's fields arrive as the erased marker and are stored as NULL.
    return None if value is None else value.value


class CustomerDirectory(Projection):
    """Customers in registration order, with their contact data."""

    name = "customer_directory"
    tables = ("customer_directory",)
    ddl = """
        CREATE TABLE IF NOT EXISTS customer_directory (
            customer_id uuid PRIMARY KEY,
            seq bigint NOT NULL UNIQUE,
            name text,
            email text,
            phone text,
            region text,
            personal_data_erased boolean NOT NULL DEFAULT false,
            registered_at timestamptz NOT NULL,
            registered_by_role text NOT NULL,
            registered_through text NOT NULL,
            version integer NOT NULL
        );
    """

    @handles(Customer.Registered)
    def registered(self, cursor: Cursor[Any], event: Customer.Registered, position: int) -> None:
        cursor.execute(
            """
            INSERT INTO customer_directory (customer_id, seq, name, email, phone, region,
                personal_data_erased, registered_at, registered_by_role, registered_through,
                version)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
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
