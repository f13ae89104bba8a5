"""Tickets: service requests with a lifecycle, SLA clocks that can be explained, and the SLA
policy (targets per priority, business calendar, reopen window) set by admins as events."""
