"""Each document parsed (bounded by its tokens) and validated once per process, in one
schema extension.

This does what four of strawberry's extensions did together (MaxTokensLimiter,
AddValidationRules, ParserCache, ValidationCache), with the same results and errors: each
extension is entered and left in every phase of every request, which cost about a tenth of
a small query's time. The caches live at module level, shared by every request: the parse
cache is keyed by the document's text and the token limit, the validation cache by the
schema, the parsed document and the rules (so a caller the schema is hidden from, whose
rules SchemaDisclosure extends, never gets another caller's result).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

CACHED_DOCUMENTS = 512
"""Distinct documents (and validations) each cache keeps, least recently used out first."""


@lru_cache(maxsize=CACHED_DOCUMENTS)
def parsed(query: str, max_tokens: int) -> DocumentNode:
    # A document that does not parse raises, and is not cached: it is parsed again each time.
    return parse(query, max_tokens=max_tokens)


@dataclass(frozen=True, eq=False, slots=True)
class ByIdentity:
    """A parsed document as a cache key by identity: graphql-core hashes a document by
    walking all of it, on every request. The parse cache hands every request of a text the
    same document, and the key keeps it alive, so its identity cannot be reused."""

    document: DocumentNode

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ByIdentity) and other.document is self.document


@lru_cache(maxsize=CACHED_DOCUMENTS)
def validated(
    schema: GraphQLSchema,
    document: ByIdentity,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    return validate_document(schema, document.document, rules)


class CachedDocument(SchemaExtension):
    """Parses with at most ``max_tokens`` tokens and validates with ``rules`` added to the
    specified ones, each through a process-wide cache."""

    def __init__(self, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.max_tokens = max_tokens
        self.rules = rules

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = (*context.validation_rules, *self.rules)
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = parsed(context.query, self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            context.pre_execution_errors = validated(
                context.schema._schema,
                ByIdentity(context.graphql_document),
                context.validation_rules,
            )
        yield
