"""Input objects built straight from the values graphql-core gives, each field's conversion
worked out once.

strawberry converts an input object field by field on every call: for each field it resolves
the field's annotation again, asks whether the type is a ``Maybe``, optional, a list, a
scalar, a lazy type, an enum or an input, and converts its GraphQL name again. For
``submitSurveyResponse``'s five fields that took about 50 us of the event loop per answer
(profiled), where graphql-core has already coerced every value (scalars parsed, enums as
their members) and what is left is to build the dataclass. ``built_directly`` gives an input
class strawberry's own hook for that (``from_input``, which its conversion calls in place of
its loop), with a plan made at the first call, once the schema's types are all known:

- a scalar or an enum is the value itself, a list of them a copy of the list (strawberry
  copies it: graphql-core gives every request that leaves the field out the same default),
  and an optional one null or that;
- anything else (an input object or a list of them, a ``Maybe[T | None]``, a lazy or generic
  type) goes through strawberry's own conversion (``InputContext.convert``), so it is
  converted as before (a nested input built directly too, if its class is);
- a ``Maybe[T]`` is refused: strawberry's validation rule that refuses an explicit null for
  one skips the types that build themselves.

A field left out is left to the dataclass's default; one without a default is null, as
strawberry makes it (graphql-core has already refused a required field left out).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any, TypeVar

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
    get_object_definition,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.unset import UNSET

T = TypeVar("T")
Convert = Callable[[Any, InputContext, str], Any]
"""A field's value from graphql-core's, given the context and the field's GraphQL name."""
Field = tuple[str, str, Convert | None]
"""A field's GraphQL name, Python name and conversion (None: the value as it is)."""


def built_directly(cls: type[T]) -> type[T]:
    """Decorate a ``@strawberry.input`` class (above that decorator) to be built directly."""
    definition = get_object_definition(cls, strict=True)
    if not definition.is_input or definition.is_graphql_generic:
        raise TypeError(f"{cls.__name__} is not an input type of its own (not generic)")
    plan: list[Field] = []
    nulls = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }

    def from_input(target: type, value: Mapping[str, Any], context: InputContext) -> Any:
        if not plan:
            plan[:] = _plan(definition, context)  # the same plan, whoever makes it first
        fields = dict(nulls)
        for graphql_name, python_name, convert in plan:
            if graphql_name in value:
                given = value[graphql_name]
                fields[python_name] = (
                    given if convert is None else convert(given, context, graphql_name)
                )
        return target(**fields)

    definition.from_input = from_input
    return cls


def _plan(definition: StrawberryObjectDefinition, context: InputContext) -> list[Field]:
    names = context.config.name_converter
    return [
        (
            names.from_field(field),
            field.python_name,
            _conversion(field.resolve_type(type_definition=definition), context),
        )
        for field in definition.fields
    ]


def _conversion(type_: StrawberryType | type, context: InputContext) -> Convert | None:
    """How a value of ``type_`` is converted; None: it is used as it is."""
    if isinstance(type_, StrawberryMaybe):
        if not isinstance(type_.of_type, StrawberryOptional):
            # strawberry's rule that refuses an explicit null for a ``Maybe[T]`` skips the
            # types that build themselves: such a field would take a null unchecked.
            raise TypeError("a Maybe[T] field refuses null only in strawberry's own conversion")
        return _strawberrys(type_)
    if isinstance(type_, StrawberryOptional):
        inner = _conversion(type_.of_type, context)
        return inner if inner is None or inner is _copied else _strawberrys(type_)
    if isinstance(type_, StrawberryList):
        return _copied if _is_plain(type_.of_type, context) else _strawberrys(type_)
    return None if _is_plain(type_, context) else _strawberrys(type_)


def _is_plain(type_: StrawberryType | type, context: InputContext) -> bool:
    """A scalar or an enum, whose value graphql-core has made the Python value (not a global
    id, which strawberry parses itself), or an optional one."""
    if isinstance(type_, StrawberryOptional) and not isinstance(type_, StrawberryMaybe):
        return _is_plain(type_.of_type, context)
    if type_ is GlobalID or has_object_definition(type_):
        return False
    return (
        isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
        or is_scalar(type_, context.scalar_registry)
    )


def _copied(value: Any, context: InputContext, name: str) -> Any:
    return value if value is None or value is UNSET else list(value)


def _strawberrys(type_: StrawberryType | type) -> Convert:
    def converted(value: Any, context: InputContext, name: str) -> Any:
        return context.convert(value, type_, name)

    return converted
