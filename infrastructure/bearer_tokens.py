"""Every bearer token the API accepts: its own (HS256, minted by `cxledger token` and logIn,
or RS256 under CXL_JWT_PUBLIC_KEY) and, with CXL_OIDC_ISSUER set, an identity provider's.

A token is routed by its (unverified) ``iss``: the provider's go to :class:`OidcTokens`, every
other to :class:`JwtTokens`. Routing decides only which checks apply; each verifier checks the
signature and the issuer itself, so a forged ``iss`` gains nothing.
"""

from __future__ import annotations

from graphql_api.auth import Principal
from infrastructure.oidc import OidcTokens
from infrastructure.tokens import JwtTokens


class BearerTokens:
    """The API's ``verify_token`` (cached keys only) and ``authenticate_token`` (may fetch the
    provider's keys)."""

    def __init__(self, local: JwtTokens, oidc: OidcTokens | None) -> None:
        self._local, self._oidc = local, oidc

    def verify(self, token: str) -> Principal:
        """The principal without I/O: a provider's token whose key is not cached is refused
        (what the rate limiter needs to tell clients apart)."""
        if self._oidc is not None and self._oidc.issued(token):
            return self._oidc.verify_cached(token)
        return self._local.verify(token)

    async def authenticate(self, token: str) -> Principal:
        if self._oidc is not None and self._oidc.issued(token):
            return await self._oidc.verify(token)
        return self._local.verify(token)
