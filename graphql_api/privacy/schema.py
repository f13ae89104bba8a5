"""The privacy area's queries and mutations, with who may use each.

A customer exports their own data (right of access); privacy officers and admins anyone's.
The record of exports and the consent history are for privacy officers, admins and auditors;
auditors see a staff member's id but not the customer's own (see ``types.may_see_actor``).
A customer asks to erase their own data, a privacy officer anyone's (a customer, or an
invited person by email); only a privacy officer completes an erasure. The list of requests
is for privacy officers, admins and auditors; certificates for privacy officers and auditors.
"""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.customers.profile import ConsentChangeType
from graphql_api.limits.costs import ERASURE_COST, EXPORT_COST, FIGURES_COST
from graphql_api.limits.declare import limited
from graphql_api.limits.gates import heavy
from graphql_api.permissions import allowed
from graphql_api.privacy import erasure_resolvers, resolvers
from graphql_api.privacy.erasure_types import (
    CompleteErasurePayload,
    ErasureCertificateType,
    ErasureRequestConnection,
    RequestErasurePayload,
)
from graphql_api.privacy.types import DataExportType, ExportCustomerDataPayload

OFFICERS = frozenset({Role.PRIVACY_OFFICER, Role.ADMIN})
REVIEWERS = OFFICERS | {Role.AUDITOR}
FOR_REVIEWERS = "Privacy officers, admins and auditors."
ERASERS = frozenset({Role.PRIVACY_OFFICER})
CERTIFIERS = frozenset({Role.PRIVACY_OFFICER, Role.AUDITOR})


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
        description="The customer's consent history report: every consent given, withdrawn or "
        "refused, with purpose, when, by whom and through which channel, oldest first. "
        f"{FOR_REVIEWERS}",
        extensions=allowed(REVIEWERS),
    )
    erasure_requests: ErasureRequestConnection = strawberry.field(
        resolver=erasure_resolvers.erasure_request_list,
        description="Erasure requests, pending, erasing or completed (or all), in the order "
        f"they were requested (Relay connection, `first` up to 100). {FOR_REVIEWERS}",
        extensions=allowed(REVIEWERS),
    )
    erasure_certificate: ErasureCertificateType | None = strawberry.field(
        resolver=erasure_resolvers.certificate_of,
        description="The certificate of the subject's completed erasure (no personal data); "
        "null if their erasure is not completed. Privacy officers and auditors.",
        extensions=[*limited(FIGURES_COST), *allowed(CERTIFIERS)],
    )


@strawberry.type(description="Privacy requests.")
class PrivacyMutations:
    export_customer_data: ExportCustomerDataPayload = strawberry.field(
        resolver=resolvers.export_customer_data,
        description="Export everything held on a customer, decrypted, as one JSON document "
        "with a schema description. The export is recorded (who, when, why) before the data "
        "is read. The customer themself, privacy officers and admins. Refused with "
        "INVALID_INPUT (reason), CUSTOMER_NOT_FOUND or IDEMPOTENCY_KEY_REUSED.",
        extensions=[
            *limited(EXPORT_COST, gate=heavy, sole=True),
            *allowed(OFFICERS, own="input.customer_id"),
        ],
    )
    request_erasure: RequestErasurePayload = strawberry.field(
        resolver=erasure_resolvers.request_erasure,
        description="Ask to erase a subject's personal data: a customer (by id) or a person a "
        "referrer invited (by email). A customer may ask for themself (by their id, with the "
        "configured legal hold); privacy officers for anyone, choosing the hold. Asking again "
        "for the same subject returns the first request. Refused with INVALID_INPUT or "
        "CUSTOMER_NOT_FOUND.",
        extensions=allowed(ERASERS, own="input.customer_id"),
    )
    complete_erasure: CompleteErasurePayload = strawberry.field(
        resolver=erasure_resolvers.complete_erasure,
        description="Carry out a requested erasure: destroy the subject's key (their personal "
        "data then reads as erased everywhere) and record the certificate. Privacy officers. "
        "An erasure left ERASING by a failure is finished by calling it again. Refused with "
        "ERASURE_NOT_REQUESTED, LEGAL_HOLD_ACTIVE or ALREADY_ERASED.",
        extensions=[*limited(ERASURE_COST, sole=True), *allowed(ERASERS)],
    )
