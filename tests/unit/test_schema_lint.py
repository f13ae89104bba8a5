"""The schema lint: the served schema keeps the conventions, and each rule catches its breach
in a small SDL snippet (so the lint cannot pass by checking nothing)."""

from __future__ import annotations

from graphql import build_schema as build_sdl

from graphql_api.schema import build_schema
from tests.support.schema_lint import lint

# A schema keeping every convention; each broken snippet below departs from it in one way.
CLEAN = '''
"""The root."""
type Query {
  """Some items."""
  items(
    """At most this many."""
    first: Int
    """After this cursor."""
    after: String
    """At most this many, backward."""
    last: Int
    """Before this cursor."""
    before: String
  ): ItemConnection!
}

"""A page of items."""
type ItemConnection {
  """The items of the page."""
  edges: [ItemEdge!]!
  """Where the page lies."""
  pageInfo: PageInfo!
}

"""An item and its cursor."""
type ItemEdge {
  """The item's cursor."""
  cursor: String!
  """The item."""
  node: Item!
}

"""An item."""
type Item {
  """Its colour."""
  colour: Colour!
}

"""Relay page information."""
type PageInfo {
  """More follow."""
  hasNextPage: Boolean!
}

"""A colour."""
enum Colour {
  """Stop."""
  DARK_RED
  """Go."""
  GREEN
}

"""A filter."""
input ItemFilter {
  """Only this colour."""
  colour: Colour
}
'''


def test_the_served_schema_keeps_every_convention() -> None:
    assert lint(build_schema()._schema) == []


def test_a_snippet_keeping_the_conventions_passes() -> None:
    assert lint(build_sdl(CLEAN)) == []


def test_every_kind_of_element_without_a_description_is_named() -> None:
    broken = build_sdl(
        """
        type Query { items(first: Int): [Item!]! }
        type Item { colour: Colour! }
        enum Colour { GREEN }
        input ItemFilter { colour: Colour }
        scalar Moment
        """
    )
    assert sorted(lint(broken)) == sorted(
        [
            "Query: no description",
            "Query.items: no description",
            "Query.items(first): no description",
            "Item: no description",
            "Item.colour: no description",
            "Colour: no description",
            "Colour.GREEN: no description",
            "ItemFilter: no description",
            "ItemFilter.colour: no description",
            "Moment: no description",
        ]
    )


def test_names_off_the_conventions_are_named() -> None:
    broken = build_sdl(
        CLEAN.replace("type Item {", "type item_row {")
        .replace("node: Item!", "node: item_row!")
        .replace("colour: Colour!", "Colour: Colour!")
        .replace("first: Int", "first_n: Int")
        .replace("DARK_RED", "dark_red")
        .replace("  colour: Colour\n", "  colour_name: Colour\n")
    )
    assert sorted(lint(broken)) == sorted(
        [
            "item_row: type name not PascalCase",
            "item_row.Colour: field name not camelCase",
            "Query.items(first_n): argument name not camelCase",
            "Query.items: a connection field without first",
            "Colour.dark_red: enum value not UPPER_CASE",
            "ItemFilter.colour_name: field name not camelCase",
        ]
    )


def test_a_connection_without_page_info_is_named() -> None:
    broken = build_sdl(CLEAN.replace('  """Where the page lies."""\n  pageInfo: PageInfo!\n', ""))
    assert lint(broken) == ["ItemConnection: a connection without pageInfo"]


def test_a_connection_with_a_nullable_page_info_is_named() -> None:
    broken = build_sdl(CLEAN.replace("pageInfo: PageInfo!", "pageInfo: PageInfo"))
    assert lint(broken) == ["ItemConnection.pageInfo: not PageInfo!"]


def test_a_connection_without_edges_is_named() -> None:
    broken = build_sdl(CLEAN.replace('  """The items of the page."""\n  edges: [ItemEdge!]!\n', ""))
    assert lint(broken) == ["ItemConnection: a connection without edges"]


def test_a_connection_whose_edges_lack_a_cursor_is_named() -> None:
    broken = build_sdl(CLEAN.replace('  """The item\'s cursor."""\n  cursor: String!\n', ""))
    assert lint(broken) == ["ItemConnection.edges: ItemEdge lacks cursor or node"]


def test_a_connection_field_that_cannot_page_backward_is_named() -> None:
    broken = build_sdl(
        CLEAN.replace('    """At most this many, backward."""\n    last: Int\n', "").replace(
            '    """Before this cursor."""\n    before: String\n', ""
        )
    )
    assert lint(broken) == ["Query.items: a connection field without last, before"]
