from collections.abc import Iterator

import pytest

from graphql_api.context import ApiLimits
from tests.support.server import LiveApi, live_api


@pytest.fixture
def lim(ledger, database) -> Iterator[LiveApi]:
    with live_api(ledger, database, limits=ApiLimits(max_body_bytes=2048, max_query_depth=1)) as r:
        yield r


def show(r):
    print(r.status_code, r.headers.get("content-type"), r.text[:300])


def test_probe(lim: LiveApi) -> None:
    show(lim.graphql("{ customers { totalCount } }"))
    show(lim.graphql("{ customers { pageInfo { hasNextPage } } }"))
    show(
        lim.graphql('mutation { registerCustomer(input:{name:"a", email:"a@b.cd"}) { position } }')
    )
    show(
        lim.graphql(
            'mutation { registerCustomer(input:{name:"a", email:"a@b.cd"}) { customer { id } } }'
        )
    )
    show(lim.graphql("{ customers { totalCount } }" + " " * 5000))

    def gen():
        yield b'{"query": "{ customers { totalCount } }'
        for _ in range(10):
            yield b" " * 1000
        yield b'"}'

    show(lim.client.post("/graphql", content=gen(), headers={"content-type": "application/json"}))
    show(lim.client.post("/graphql", content=b"[1]", headers={"content-type": "application/json"}))
    show(lim.client.post("/graphql", content=b"", headers={"content-type": "application/json"}))
    show(
        lim.client.post(
            "/graphql", content=b"\xff\xfe", headers={"content-type": "application/json"}
        )
    )
    show(
        lim.client.post(
            "/graphql",
            json={"query": "{ customers { totalCount } }"},
            headers={"content-type": "application/json; charset=utf-8"},
        )
    )
