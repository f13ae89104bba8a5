"""The declared costs of expensive fields, in one scale (a plain field costs 1, about a row).

Each is declared on its field with ``limited(...)``; they are named here so that their sizes
can be compared with each other and with CXL_MAX_QUERY_COST (10,000 by default): a page of 100
customers with ten fields costs about 1,200.
"""

from __future__ import annotations

AUDIT_COST = 2_500
"""verifyAuditTrail: up to CXL_MAX_AUDIT_RANGE stored events hashed again; four per request."""
REPLAY_COST = 1_000
"""customerAsOf: every stream about a customer replayed from the log."""
HISTORY_COST = 100
"""customerHistory: a page of events decoded from the log (each item counts on top of it)."""
EXPORT_COST = 2_500
"""exportCustomerData, reviewReferrals: everything about a customer, or every conversion."""
ERASURE_COST = 500
"""completeErasure: a key destroyed and every read model purged of the subject."""
DASHBOARD_COST = 200
"""An aggregate over a read model: trends, breakdowns, metrics, comparisons."""
FIGURES_COST = 50
"""Headline figures over a read model, an erasure certificate's positions."""
PASSWORD_CHECK_COST = 100
"""One argon2id hash or check (64 MiB, tens of milliseconds of CPU)."""
RESET_REQUEST_COST = 20
"""requestPasswordReset: a lookup and a message, answered after a quarter of a second."""
REFRESH_COST = 20
"""refreshSession and logOut: a row lock, a count of one stream's revocations, a token minted."""
