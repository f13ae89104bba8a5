"""Checks on the GraphQL document of a request, made before it runs.

- A string value may not hold U+0000, however it is spelled (``\\u0000``, ``\\u{0}``,
  ``\\u{000000}``): GraphQL decodes each to a NUL, which PostgreSQL cannot store. The check
  reads the parsed strings, so a document that merely contains the text ``\\\\u0000`` (an
  escaped backslash) passes.
- A document with several operations must name the one to run (`operationName`), as the
  GraphQL-over-HTTP specification asks; strawberry would otherwise run the first.

The facts of a document are cached by its digest: a client repeating a query parses it once
here (strawberry's own parser cache is separate), and the cache holds no query text.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from graphql import GraphQLError, parse
from graphql.language import DocumentNode, OperationDefinitionNode, StringValueNode, Visitor, visit


class UnrunnableDocumentError(ValueError):
    """The document must not run; ``code`` is the error code the client gets."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    operations: int
    holds_nul: bool


def check_document(query: str, operation_name: str | None, max_tokens: int) -> None:
    """Refuse a document that holds a NUL or needs an operation name it was not given.
    A document that does not parse passes: the schema reports its syntax error."""
    facts = _CACHE.facts(query, max_tokens)
    if facts is None:
        return
    if facts.holds_nul:
        raise UnrunnableDocumentError(
            "`query` holds a NUL (U+0000) character, which is not accepted", "INVALID_INPUT"
        )
    if facts.operations > 1 and operation_name is None:
        raise UnrunnableDocumentError(
            f"the document holds {facts.operations} operations; "
            "name the one to run in `operationName`",
            "OPERATION_NAME_REQUIRED",
        )


class _FactsCache:
    """The facts of recent documents, least recently used first, keyed by digest."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[bytes, int], DocumentFacts | None] = OrderedDict()

    def facts(self, query: str, max_tokens: int) -> DocumentFacts | None:
        key = (hashlib.blake2b(query.encode(errors="surrogatepass")).digest(), max_tokens)
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        facts = self._entries[key] = _read(query, max_tokens)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return facts


_CACHE = _FactsCache(1024)


def _read(query: str, max_tokens: int) -> DocumentFacts | None:
    try:
        document = parse(query, max_tokens=max_tokens, no_location=True)
    except (GraphQLError, RecursionError):
        return None
    return DocumentFacts(_operations(document), _holds_nul(document))


def _operations(document: DocumentNode) -> int:
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


def _holds_nul(document: DocumentNode) -> bool:
    finder = _NulFinder()
    visit(document, finder)
    return finder.found


class _NulFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if "\x00" in node.value:
            self.found = True
