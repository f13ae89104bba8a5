"""Input objects built directly (``graphql_api.direct_inputs``) equal what strawberry's own
field-by-field conversion builds, for every kind of field: scalars, enums, optional and
omitted fields, fields left UNSET, lists of scalars and of inputs, a ``Maybe``, a global id."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar
from uuid import uuid4

import pytest
import strawberry
from strawberry.relay import GlobalID
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from graphql_api.direct_inputs import built_directly
from graphql_api.enums import SurveyChannel, SurveyKind
from graphql_api.schema import build_schema
from graphql_api.surveys import inputs

T = TypeVar("T")


@built_directly
@strawberry.input
class Item:
    name: str
    tags: list[str] = strawberry.field(default_factory=list)


@built_directly
@strawberry.input
class Everything:
    id: GlobalID
    kind: SurveyKind
    items: list[Item]
    maybe: strawberry.Maybe[int | None]
    note: str | None = None
    left: str | None = strawberry.UNSET
    channels: list[SurveyChannel] | None = strawberry.UNSET
    item: Item | None = None


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


def converted(schema: strawberry.Schema, cls: type, value: Mapping[str, Any]) -> Any:
    converter = schema.schema_converter
    return convert_argument(value, cls, converter.scalar_registry, schema.config)


@pytest.fixture
def strawberrys_own() -> Iterator[None]:
    """Strawberry's conversion, field by field, with every class's hook taken away."""
    classes = [Item, Everything, *_survey_inputs()]
    hooks = {cls: get_object_definition(cls, strict=True).from_input for cls in classes}
    for cls in classes:
        get_object_definition(cls, strict=True).from_input = None
    yield
    for cls, hook in hooks.items():
        get_object_definition(cls, strict=True).from_input = hook


def _survey_inputs() -> list[type]:
    return [
        inputs.AspectQuestionInput,
        inputs.DraftSurveyInput,
        inputs.EditSurveyInput,
        inputs.PublishSurveyInput,
        inputs.CloseSurveyInput,
        inputs.InviteToSurveyInput,
        inputs.AspectScoreInput,
        inputs.SubmitSurveyResponseInput,
    ]


SURVEY_ID = uuid4()
VALUES: list[tuple[type, dict[str, Any]]] = [
    (
        inputs.SubmitSurveyResponseInput,
        {"token": "abc.def", "score": 9, "comment": "Quick", "aspectScores": []},
    ),
    (
        inputs.SubmitSurveyResponseInput,
        {"surveyId": SURVEY_ID, "score": 3, "aspectScores": [{"aspect": "pricing", "score": 4}]},
    ),
    (inputs.SubmitSurveyResponseInput, {"score": 3, "comment": None, "aspectScores": []}),
    (
        inputs.DraftSurveyInput,
        {
            "kind": SurveyKind.NPS,
            "title": "After delivery",
            "question": "Recommend us?",
            "channels": [SurveyChannel.EMAIL, SurveyChannel.WEB],
            "aspects": [{"key": "pricing", "question": "Price?"}],
            "productVersion": None,
        },
    ),
    (inputs.EditSurveyInput, {"surveyId": SURVEY_ID, "productVersion": None}),
    (inputs.EditSurveyInput, {"surveyId": SURVEY_ID, "aspects": None, "channels": []}),
    (inputs.PublishSurveyInput, {"surveyId": SURVEY_ID, "expectedVersion": 2}),
    (
        inputs.InviteToSurveyInput,
        {"surveyId": SURVEY_ID, "customerId": uuid4(), "channel": SurveyChannel.SMS},
    ),
    (
        Everything,
        {
            "id": "Q3VzdG9tZXI6MQ==",
            "kind": SurveyKind.CES,
            "items": [{"name": "a", "tags": ["x", "y"]}, {"name": "b"}],
            "maybe": None,
            "channels": [SurveyChannel.EMAIL],
            "item": {"name": "c", "tags": []},
        },
    ),
    (Everything, {"id": "Q3VzdG9tZXI6MQ==", "kind": SurveyKind.NPS, "items": [], "maybe": 3}),
]


@pytest.mark.parametrize(("cls", "value"), VALUES)
def test_built_directly_equals_strawberrys_conversion(
    schema: strawberry.Schema, cls: type, value: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    direct = converted(schema, cls, value)
    request.getfixturevalue("strawberrys_own")
    assert direct == converted(schema, cls, value)


def test_a_list_of_scalars_is_a_copy_and_unset_fields_stay_unset(
    schema: strawberry.Schema,
) -> None:
    """graphql-core gives every request that leaves a field out the same default list."""
    channels = [SurveyChannel.EMAIL]
    edit = converted(schema, inputs.EditSurveyInput, {"surveyId": SURVEY_ID, "channels": channels})
    assert edit.channels == channels and edit.channels is not channels
    assert edit.title is strawberry.UNSET and edit.aspects is strawberry.UNSET


def test_a_global_id_and_a_maybe_are_converted_by_strawberry(schema: strawberry.Schema) -> None:
    value: dict[str, Any] = {
        "id": "Q3VzdG9tZXI6MQ==",
        "kind": SurveyKind.NPS,
        "items": [],
        "maybe": None,
    }
    built = converted(schema, Everything, value)
    assert built.id == GlobalID("Customer", "1")
    assert isinstance(built.maybe, strawberry.Some) and built.maybe.value is None
    assert built.left is strawberry.UNSET and built.note is None and built.item is None


def test_the_survey_mutations_inputs_are_built_directly() -> None:
    for cls in _survey_inputs():
        assert get_object_definition(cls, strict=True).from_input is not None, cls.__name__


def test_only_an_input_type_of_its_own_is_built_directly() -> None:
    @strawberry.type
    class Shown:
        name: str

    @strawberry.input
    class Page(Generic[T]):
        items: list[T]

    with pytest.raises(TypeError):
        built_directly(Shown)
    with pytest.raises(TypeError):
        built_directly(Page)


def test_a_maybe_that_refuses_null_is_not_built_directly(schema: strawberry.Schema) -> None:
    """strawberry's rule that refuses an explicit null for a ``Maybe[T]`` skips the types that
    build themselves, so such a field would take a null unchecked: it is refused instead."""

    @built_directly
    @strawberry.input
    class Strict:
        count: strawberry.Maybe[int]

    with pytest.raises(TypeError, match="Maybe"):
        converted(schema, Strict, {"count": 1})
