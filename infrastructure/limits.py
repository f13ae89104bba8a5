"""The request limits and password throttles, as the settings configure them."""

from __future__ import annotations

from datetime import timedelta

from graphql_api.limits.config import RequestLimits
from infrastructure.password_access import PasswordPolicy
from infrastructure.settings import Settings


def request_limits(settings: Settings) -> RequestLimits:
    return RequestLimits(
        max_query_cost=settings.max_query_cost,
        max_mutations_per_request=settings.max_mutations_per_request,
        max_audit_range=settings.max_audit_range,
        max_concurrent_password_hashes=settings.max_concurrent_password_hashes,
        max_concurrent_heavy_work=settings.max_concurrent_heavy_work,
        busy_wait_seconds=settings.busy_wait_seconds,
        rate_per_second=settings.rate_limit_per_second,
        rate_burst=settings.rate_limit_burst,
        trusted_proxies=settings.trusted_proxies,
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
    )


def password_policy(settings: Settings) -> PasswordPolicy:
    return PasswordPolicy(
        reset_cooldown=timedelta(seconds=settings.password_reset_cooldown),
        resets_per_day=settings.password_resets_per_day,
    )
