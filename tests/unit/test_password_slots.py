"""A field's gate is taken only by the resolutions that do the gated work: staff registering
a customer without a password hash nothing and wait for no password slot; a password, or
someone registering themself, still does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import anyio
import pytest

from domain.shared.metadata import Role
from graphql_api.auth import Principal
from graphql_api.customers.inputs import RegisterCustomerInput
from graphql_api.customers.schema import hashes
from graphql_api.limits.config import RequestLimits
from graphql_api.limits.gates import BusyError, UsesGate, WorkGates, passwords


@dataclass
class _Services:
    gates: WorkGates


@dataclass
class _Context:
    principal: Principal
    services: _Services


@dataclass
class _Info:
    context: _Context


def _info(role: Role, gates: WorkGates) -> Any:
    return _Info(_Context(Principal(actor_id="someone", role=role), _Services(gates)))


def _registration(password: str | None) -> dict[str, Any]:
    given = RegisterCustomerInput(name="Ada", email="ada@example.org", password=password)
    return {"input": given}


@pytest.mark.parametrize(
    ("role", "password", "needed"),
    [
        (Role.AGENT, None, False),
        (Role.ADMIN, None, False),
        (Role.AGENT, "a long passphrase", True),
        (Role.ANONYMOUS, "a long passphrase", True),
        (Role.ANONYMOUS, None, True),
    ],
)
def test_a_registration_needs_a_password_slot_only_when_it_hashes(
    role: Role, password: str | None, needed: bool
) -> None:
    info = _info(role, WorkGates(RequestLimits()))
    assert hashes(info, _registration(password)) is needed


def _gated(needed: bool) -> UsesGate:
    return UsesGate(passwords, needs_slot=lambda _info, _arguments: needed)


async def _resolve(extension: UsesGate, info: Any) -> str:
    async def resolver(source: Any, info: Any, **kwargs: Any) -> str:
        return "resolved"

    return cast(str, await extension.resolve_async(resolver, None, info))


def test_a_resolution_that_needs_no_slot_runs_while_every_slot_is_held() -> None:
    gates = WorkGates(RequestLimits(max_concurrent_password_hashes=1, busy_wait_seconds=0.05))

    async def scenario() -> None:
        async with gates.passwords.slot():
            assert await _resolve(_gated(False), _info(Role.AGENT, gates)) == "resolved"
            with pytest.raises(BusyError):
                await _resolve(_gated(True), _info(Role.AGENT, gates))

    anyio.run(scenario)
