"""GraphQL over HTTP, as its specification asks.

POST takes ``application/json``; GET serves queries (never mutations) and GraphiQL to browsers.
Responses use ``application/graphql-response+json`` when the client accepts it, with 4xx status
codes for requests that cannot execute; ``application/json`` clients get 200 for every
well-formed request. Malformed bodies, oversized bodies and wrong media types get clear 4xx
answers and write nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID, uuid4

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Scope
from strawberry.exceptions import MissingQueryError
from strawberry.schema import Schema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from domain.shared.metadata import Channel
from graphql_api.auth import IdentityProviderUnavailableError, InvalidTokenError, Principal
from graphql_api.context import ApiServices, RequestContext
from graphql_api.document_checks import UnrunnableDocumentError, check_document
from graphql_api.error_log import log_database_answer, log_refused_request
from graphql_api.graphiql import graphiql_response
from graphql_api.limits.client import client_address
from graphql_api.limits.gates import retry_after
from graphql_api.request_json import UnsafeJsonError, decode_json
from graphql_api.request_log import CORRELATION_HEADER, CORRELATION_SCOPE_KEY
from graphql_api.sessions import SESSION_ENDED, session_is_current
from graphql_api.unavailable import database_answer, is_unavailable

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
IDENTITY_PROVIDER_RETRY_AFTER = 5
"""Seconds a client told IDENTITY_PROVIDER_UNAVAILABLE waits: keys are fetched again at most
that often (CXL_OIDC's refetch interval is longer only for unknown key ids)."""


_GET_RUNS = frozenset({OperationType.QUERY})
_MEDIA_TYPES = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE.encode("latin-1"), JSON: JSON.encode("latin-1")}
"""The media types the endpoint answers with, as header values."""
_POST_RUNS = frozenset({OperationType.QUERY, OperationType.MUTATION})
"""The operations each method may run: GET never changes anything."""
_CHANNELS = {channel.value: channel for channel in Channel}


class RequestError(Exception):
    """The HTTP request is not a GraphQL request we can run."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code


class FastJSONResponse(JSONResponse):
    """Starlette's JSONResponse rendered by orjson: the same compact UTF-8 JSON, in a fraction
    of json.dumps's time. What orjson refuses (an integer past 64 bits, a key that is not a
    string, a lone surrogate) goes to Starlette's rendering, which answers it as before."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError is one
            return super().render(content)

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        # Starlette's headers for a response with a body and no headers of its own (every
        # answer of a run request): its length, then its JSON media type, made directly.
        media_type, status = self.media_type, self.status_code
        if headers or media_type not in _MEDIA_TYPES or status < 200 or status in (204, 304):
            super().init_headers(headers)
            return
        self.raw_headers = [
            (b"content-length", str(len(self.body)).encode("latin-1")),
            (b"content-type", _MEDIA_TYPES[media_type]),
        ]


@dataclass(frozen=True)
class GraphQLParams:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


async def graphql_endpoint(request: Request) -> Response:
    state = request.app.state
    schema: Schema = state.schema
    services: ApiServices = state.services
    headers = _read_headers(request.scope)
    try:
        if request.method == "GET" and _wants_graphiql(request):
            return graphiql_response(services.web.graphiql_token, request)
        media_type = _negotiate(headers.get("accept"))
        params = await _read_params(request, services.limits.max_body_bytes, headers)
        _check_document(params, services.limits.max_query_tokens)
        context = RequestContext(
            services=services,
            pool=state.pool,
            positions=state.positions,
            read_cache=state.read_cache,
            principal=await _authenticate(request, services, headers),
            channel=_channel(headers),
            correlation_id=_correlation_id(request),
            client_address=client_address(request, services.limits.requests.trusted_proxies),
        )
        result = await schema.execute(
            params.query,
            variable_values=params.variables,
            context_value=context,
            operation_name=params.operation_name,
            allowed_operation_types=_POST_RUNS if request.method == "POST" else _GET_RUNS,
        )
    except RequestError as error:
        return _error_response(error)
    except InvalidOperationTypeError:
        return _error_response(
            RequestError(405, "mutations must be sent with POST", {"Allow": "POST"})
        )
    except (MissingQueryError, CannotGetOperationTypeError) as error:
        return _error_response(RequestError(400, str(error) or "no operation to run"))
    return _graphql_response(result, media_type)


_READ_HEADERS = frozenset(
    {b"accept", b"authorization", b"content-length", b"content-type", b"x-cxl-channel"}
)
"""The request headers the endpoint reads (the correlation id's is read by
``graphql_api.request_log``)."""


def _read_headers(scope: Scope) -> dict[str, str]:
    """The headers of ``_READ_HEADERS`` the request has, each the first of its name as
    Starlette's ``Headers.get`` gives it, in one pass over the raw list (``Headers.get``
    scans it again for every header read). ASGI servers give names in lower case."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name in _READ_HEADERS:
            key = name.decode("latin-1")
            if key not in found:
                found[key] = value.decode("latin-1")
    return found


def _graphql_response(result: ExecutionResult, media_type: str) -> Response:
    """The spec: a request error (execution never began) has no `data` entry and, with
    graphql-response+json, a 4xx; a field error that nulls the whole result is a partial
    response: `"data": null` and 200."""
    body: dict[str, Any] = {}
    if not _is_request_error(result):
        body["data"] = result.data
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    status = 400 if media_type == GRAPHQL_RESPONSE and "data" not in body else 200
    busy = retry_after(result.errors)
    if busy is not None:  # no slot came free: a server condition, for every media type
        return FastJSONResponse(
            body, status_code=503, headers={"Retry-After": str(busy)}, media_type=media_type
        )
    if media_type == GRAPHQL_RESPONSE and any(map(is_unavailable, result.errors or ())):
        status = 503  # the database is out of reach: the whole request may be retried
    return FastJSONResponse(body, status_code=status, media_type=media_type)


def _is_request_error(result: ExecutionResult) -> bool:
    # Parse, validation and variable-coercion errors have no path; field errors always do.
    return result.data is None and all(error.path is None for error in result.errors or ())


def _wants_graphiql(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "query" not in request.query_params


# Wildcards get application/json: the spec's choice for clients that may predate it.
_OFFERS = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "application/*": JSON, "*/*": JSON}


def _negotiate(accept: str | None) -> str:
    """The media type to answer with: the acceptable one of highest quality; on a tie, the
    one named explicitly (graphql-response+json before application/json)."""
    if not accept or not accept.strip():
        return JSON  # legacy clients send no Accept header: the spec says treat as JSON
    offer = _OFFERS.get(accept)  # one media type without parameters, as most clients send
    if offer is not None:
        return offer
    best, best_rank = None, (0.0, 0)
    for part in accept.split(","):
        media, _, parameters = part.partition(";")
        offer = _OFFERS.get(media.strip().lower())
        rank = (_quality(parameters), 2 if offer == GRAPHQL_RESPONSE else 1)
        if offer is not None and rank[0] > 0 and rank > best_rank:
            best, best_rank = offer, rank
    if best is None:
        raise RequestError(406, f"cannot answer with {accept}; accept {GRAPHQL_RESPONSE} or {JSON}")
    return best


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


async def _read_params(
    request: Request, max_bytes: int, headers: Mapping[str, str]
) -> GraphQLParams:
    if request.method == "GET":
        query = request.query_params
        raw: dict[str, Any] = {
            "query": query.get("query"),
            "operationName": query.get("operationName"),
            "variables": _json_or_none(query.get("variables"), "variables"),
            "extensions": _json_or_none(query.get("extensions"), "extensions"),
        }
    else:
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise RequestError(415, f"send the request as {JSON}")
        raw = _json_object(await _read_body(request, max_bytes, headers))
    return _params(raw)


async def _read_body(
    request: Request, max_bytes: int, headers: Mapping[str, str] | None = None
) -> bytes:
    declared = (request.headers if headers is None else headers).get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestError(413, f"request body is larger than {max_bytes} bytes")
    # The ASGI messages read as Request.stream reads them, without its async generator (a
    # generator object, and the loop's registration of it, in every request); a body in
    # one message, as a client's small query comes, is returned as it is.
    received = await request.receive()
    chunk = _chunk(received)
    if not received.get("more_body", False):
        if len(chunk) > max_bytes:
            raise RequestError(413, f"request body is larger than {max_bytes} bytes")
        return chunk
    body = bytearray(chunk)
    while received.get("more_body", False):
        received = await request.receive()
        body.extend(_chunk(received))
        if len(body) > max_bytes:
            raise RequestError(413, f"request body is larger than {max_bytes} bytes")
    return bytes(body)


def _chunk(message: Message) -> bytes:
    if message["type"] == "http.disconnect":
        raise ClientDisconnect()  # as Request.stream raises it
    return bytes(message.get("body", b""))


def _json_object(body: bytes) -> dict[str, Any]:
    value = _decoded(body, "request body")
    if not isinstance(value, dict):
        raise RequestError(400, "request body must be a JSON object")
    return value


def _json_or_none(text: str | None, name: str) -> Any:
    if text is None:
        return None
    return _decoded(text.encode(errors="surrogatepass"), f"`{name}`")


def _decoded(data: bytes, name: str) -> Any:
    try:
        return decode_json(data, name)
    except UnsafeJsonError as error:
        raise RequestError(400, error.message, code=error.code) from None


def _params(raw: dict[str, Any]) -> GraphQLParams:
    query, variables, operation = raw.get("query"), raw.get("variables"), raw.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, "`query` must be a non-empty string")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "`variables` must be an object")
    if operation is not None and not isinstance(operation, str):
        raise RequestError(400, "`operationName` must be a string")
    if raw.get("extensions") is not None and not isinstance(raw["extensions"], dict):
        raise RequestError(400, "`extensions` must be an object")
    return GraphQLParams(query=query, variables=variables, operation_name=operation)


def _check_document(params: GraphQLParams, max_tokens: int) -> None:
    try:
        check_document(params.query, params.operation_name, max_tokens)
    except UnrunnableDocumentError as error:
        raise RequestError(400, error.message, code=error.code) from None


async def _authenticate(
    request: Request, services: ApiServices, headers: Mapping[str, str]
) -> Principal:
    header = headers.get("authorization")
    if header is None:
        return Principal.anonymous()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("use `Authorization: Bearer <token>`")
    try:
        principal = await services.authenticate(token.strip())
    except InvalidTokenError as error:
        raise _unauthorised(str(error)) from None
    except IdentityProviderUnavailableError as error:
        log.warning("a staff token could not be checked: %s", error)
        raise RequestError(
            503,
            "the identity provider cannot be reached to check this token; try again shortly",
            {"Retry-After": str(IDENTITY_PROVIDER_RETRY_AFTER)},
            code="IDENTITY_PROVIDER_UNAVAILABLE",
        ) from None
    if not await _session_is_current(request, services, principal):
        raise _unauthorised(SESSION_ENDED)
    return principal


async def _session_is_current(
    request: Request, services: ApiServices, principal: Principal
) -> bool:
    """The session check, with a database that cannot answer it (out of reach, or every read
    connection taken) answered 503 like the same condition during execution."""
    try:
        return await session_is_current(services, request.app.state.pool, principal)
    except Exception as error:
        answer = database_answer(error)
        if answer is None:
            raise
        log_database_answer("the session check", answer, error)
        busy = {} if answer.retry_after is None else {"Retry-After": str(answer.retry_after)}
        raise RequestError(503, answer.message, busy, code=answer.code) from None


def _unauthorised(message: str) -> RequestError:
    return RequestError(
        401, message, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, code="UNAUTHENTICATED"
    )


def _channel(headers: Mapping[str, str]) -> Channel:
    value = headers.get("x-cxl-channel", Channel.API.value).lower()
    channel = _CHANNELS.get(value)  # Channel(value) without the enum's call machinery
    if channel is None:
        allowed = ", ".join(c.value for c in Channel)
        raise RequestError(400, f"X-CXL-Channel must be one of: {allowed}")
    return channel


def _correlation_id(request: Request) -> UUID:
    known = request.scope.get(CORRELATION_SCOPE_KEY)  # parsed by graphql_api.request_log
    if known is not None:
        return cast(UUID, known)
    value = request.headers.get(CORRELATION_HEADER)
    if value is None:
        return uuid4()
    try:
        return UUID(value)
    except ValueError:
        raise RequestError(400, "X-Correlation-Id must be a UUID") from None


def _error_response(error: RequestError) -> Response:
    if error.status < 500:  # a 503 was logged, at WARNING, where the database failed it
        log_refused_request(error.status, error.code, error.message)
    described: dict[str, Any] = {"message": error.message}
    if error.code is not None:
        described["extensions"] = {"code": error.code}
    return FastJSONResponse(
        {"errors": [described]},
        status_code=error.status,
        headers=error.headers,
        media_type=JSON,
    )
