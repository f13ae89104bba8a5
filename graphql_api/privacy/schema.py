"""The privacy area's queries and mutations, with who may use each.

A customer exports their own data (right of access); privacy officers and admins anyone's.
The record of exports and the consent history are for privacy officers, admins and auditors;
auditors see a staff member's id but not the customer's own (see ``types.may_see_actor``).
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.customers.profile import ConsentChangeType
from graphql_api.permissions import allowed
from graphql_api.privacy import resolvers
from graphql_api.privacy.types import DataExportType, ExportCustomerDataPayload

OFFICERS = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
REVIEWERS = OFFICERS | {Role.AUDITOR}
FOR_REVIEWERS = "Privacy officers, admins and auditors."


@strawberry.type(description="Queries about privacy: exports made and consents given.")
class PrivacyQueries:
    data_exports: list[DataExportType] = strawberry.field(
        resolver=resolvers.data_exports,
        description="Every recorded export of the customer's data, oldest first: who, when, "
        f"why. {FOR_REVIEWERS}",
        extensions=allowed(REVIEWERS),
    )
    consent_history: list[ConsentChangeType] = strawberry.field(
        resolver=resolvers.consent_history,
        description="The customer's consent history report: every consent given or withdrawn, "
        f"with purpose, when, by whom and through which channel, oldest first. {FOR_REVIEWERS}",
        extensions=allowed(REVIEWERS),
    )


@strawberry.type(description="Privacy requests.")
class PrivacyMutations:
    export_customer_data: ExportCustomerDataPayload = strawberry.field(
        resolver=resolvers.export_customer_data,
        description="Export everything held on a customer, decrypted, as one JSON document "
        "with a schema description. The export is recorded (who, when, why) before the data "
        "is read. The customer themself, privacy officers and admins. Refused with "
        "INVALID_INPUT (reason), CUSTOMER_NOT_FOUND or IDEMPOTENCY_KEY_REUSED.",
        extensions=allowed(OFFICERS, own="input.customer_id"),
    )
