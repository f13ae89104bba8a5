"""Concurrent GraphQL clients over httpx, round robin over one or more servers, run as a
process of their own (``python -m benchmarks.support.graphql_clients``, the load as JSON on
stdin, the figures as JSON on stdout).

A process of its own so that the load shares no interpreter with the servers or the benchmark.
It was a ``multiprocessing`` spawn of the benchmark's own module, which re-imports that module
in the child, and with it the product (about 1.7 s of CPU a measurement, 13 of the 21 s that
``benchmarks.scale_out``'s smoke run took): this module imports nothing of the product.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

REGISTER = (
    "mutation R($i: RegisterCustomerInput!) { registerCustomer(input: $i) "
    "{ customer { id } position userErrors { code } } }"
)
LIST = "{ customers(first: 20) { edges { node { id name email region } } } }"
OPERATIONS = ("registerCustomer", "customers(first: 20)")
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Load:
    """``clients`` clients sending ``operation`` for ``seconds``; ``tag`` keeps the emails of
    one load's registrations apart from every other's."""

    operation: str
    urls: tuple[str, ...]
    clients: int
    seconds: float
    token: str
    tag: str


@dataclass(frozen=True)
class Measured:
    requests: int
    failures: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def body(load: Load, client: int, n: int) -> dict[str, object]:
    if load.operation == "registerCustomer":
        email = f"{load.tag}-{client}-{n}@bench.example"
        return {"query": REGISTER, "variables": {"i": {"name": f"Bench {n}", "email": email}}}
    return {"query": LIST}


async def drive(load: Load) -> Measured:
    """``load.clients`` clients, each sending one request after the other, client i starting
    on server i mod n and moving to the next server on each request (round robin)."""
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + load.seconds
    headers = {"authorization": f"Bearer {load.token}"}
    limits = httpx.Limits(max_connections=load.clients * len(load.urls))

    async def client(index: int, http: httpx.AsyncClient) -> None:
        nonlocal failures
        servers = itertools.cycle(load.urls[index % len(load.urls) :] + load.urls)
        for n in itertools.count():
            if time.monotonic() >= deadline:
                return
            url = next(servers)
            started = time.perf_counter()
            response = await http.post(f"{url}/graphql", json=body(load, index, n))
            took = time.perf_counter() - started
            answer = response.json()
            if response.status_code != 200 or "errors" in answer:
                failures += 1
            else:
                latencies.append(took)

    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as http:
        started = time.monotonic()
        await asyncio.gather(*(client(i, http) for i in range(load.clients)))
        elapsed = time.monotonic() - started
    return Measured(len(latencies), failures, elapsed, latencies)


def measure(load: Load) -> Measured:
    """Run ``load`` from a process of its own and return what it measured."""
    run = subprocess.run(
        [sys.executable, "-m", __name__],
        cwd=REPO,
        input=json.dumps(asdict(load)),
        capture_output=True,
        text=True,
        timeout=load.seconds + 120,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"the load's process failed: {run.stderr[-2000:]}")
    return Measured(**json.loads(run.stdout))


def main() -> None:
    given = json.loads(sys.stdin.read())
    load = Load(**{**given, "urls": tuple(given["urls"])})
    json.dump(asdict(asyncio.run(drive(load))), sys.stdout)


if __name__ == "__main__":
    main()
