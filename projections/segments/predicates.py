"""A segment rule as a SQL condition over ``segment_facts`` columns, so one statement finds a
segment's members among every customer (or one customer's segments among every segment).

Every value goes in as a quoted literal (``sql.Literal``), never as text of the query. A fact
that is unknown (NULL) satisfies no predicate, and so its ``not`` is satisfied."""

from __future__ import annotations

from psycopg import sql

from domain.segment.rules import AllOf, AnyOf, Field, Not, Predicate, Rule

_SET_COLUMNS = {
    Field.REGION: "region",
    Field.LANGUAGE: "language",
    Field.NPS_CATEGORY: "nps_category",
    Field.LOYALTY_TIER: "loyalty_tier",
}
_RANGE_EXPRESSIONS = {
    Field.BIRTH_YEAR: "birth_year",
    Field.RECENCY: "recency",
    Field.FREQUENCY: "frequency",
    Field.MONETARY: "monetary",
    Field.OPEN_TICKETS: "open_tickets",
    Field.ONBOARDING_STEPS: "cardinality(onboarding_steps)",
}

COLUMN_OF: dict[Field, str] = {
    **_SET_COLUMNS,
    Field.BIRTH_YEAR: "birth_year",
    Field.RECENCY: "recency",
    Field.FREQUENCY: "frequency",
    Field.MONETARY: "monetary",
    Field.OPEN_TICKETS: "open_tickets",
    Field.ONBOARDING_STEPS: "onboarding_steps",
    Field.CHANNEL_USED: "channels",
    Field.CONSENT: "consents",
}
"""The one ``segment_facts`` column a predicate on each field reads (``condition`` reads no
other)."""
assert set(COLUMN_OF) == set(Field)


def condition(rule: Rule) -> sql.Composable:
    """The rule as a boolean SQL expression that is never NULL."""
    match rule:
        case AllOf(children):
            return sql.SQL("({})").format(sql.SQL(" AND ").join(map(condition, children)))
        case AnyOf(children):
            return sql.SQL("({})").format(sql.SQL(" OR ").join(map(condition, children)))
        case Not(child):
            return sql.SQL("(NOT {})").format(condition(child))
        case Predicate():
            return _predicate(rule)


def _predicate(predicate: Predicate) -> sql.Composable:
    values = sql.SQL("{}::text[]").format(sql.Literal(list(predicate.values)))
    field = predicate.field
    if field is Field.CHANNEL_USED:
        return sql.SQL("(channels && {})").format(values)
    if field is Field.CONSENT:
        return sql.SQL("(consents @> {})").format(values)
    if field in _SET_COLUMNS:
        column = sql.Identifier(_SET_COLUMNS[field])
        return sql.SQL("coalesce({} = ANY({}), false)").format(column, values)
    expression = sql.SQL(_RANGE_EXPRESSIONS[field])
    bounds = []
    if predicate.low is not None:
        bounds.append(sql.SQL("{} >= {}").format(expression, sql.Literal(predicate.low)))
    if predicate.high is not None:
        bounds.append(sql.SQL("{} <= {}").format(expression, sql.Literal(predicate.high)))
    return sql.SQL("coalesce({}, false)").format(sql.SQL(" AND ").join(bounds))
