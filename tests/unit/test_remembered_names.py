"""The schema's name converter answers as strawberry's own, converting each name once."""

from __future__ import annotations

from unittest import mock

from strawberry.schema.name_converter import NameConverter

from graphql_api.schema import RememberedNames


def test_names_are_strawberrys_and_each_is_converted_once() -> None:
    """Same names as strawberry's converter, with camel case on and off; a name asked again
    is not converted again."""
    names = ["first", "created_after", "region_", "_private", "a__b", "max_points_2"]
    for camel in (True, False):
        remembered = RememberedNames(auto_camel_case=camel)
        expected = NameConverter(auto_camel_case=camel)
        assert [remembered.apply_naming_config(n) for n in names] == [
            expected.apply_naming_config(n) for n in names
        ]
    remembered = RememberedNames()
    with mock.patch.object(
        NameConverter, "apply_naming_config", autospec=True, return_value="createdAfter"
    ) as convert:
        assert remembered.apply_naming_config("created_after") == "createdAfter"
        assert remembered.apply_naming_config("created_after") == "createdAfter"
    assert convert.call_count == 1
