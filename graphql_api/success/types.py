"""GraphQL types of customer health. Nothing in them is personal: scores, counts and days."""

from __future__ import annotations

import strawberry

from domain.success.health import Health, reasons
from graphql_api.enums import HealthBand
from graphql_api.pagination import PageInfo


@strawberry.type(description="One part of a health score.")
class HealthComponentType:
    name: str = strawberry.field(
        description="recency, nps_trend, service, complaints or engagement."
    )
    score: int = strawberry.field(description="This part's score, 0 to 100.")
    weight: int = strawberry.field(description="Its weight in the total, in percent.")
    why: str = strawberry.field(
        description="What it was scored from, in words (for engagement, the customer's "
        "interactions by kind, e.g. '2 survey answers, 1 review, 3 friends invited')."
    )


@strawberry.type(description="A customer's health: a score 0-100 from weighted components.")
class HealthType:
    score: int = strawberry.field(description="The weighted total, 0 to 100.")
    band: HealthBand = strawberry.field(description="Healthy, watch or at risk.")
    components: list[HealthComponentType] = strawberry.field(
        description="Each component with its score, weight and why."
    )

    @classmethod
    def of(cls, health: Health) -> HealthType:
        return cls(
            score=health.score,
            band=health.band,
            components=[
                HealthComponentType(name=c.name, score=c.score, weight=c.weight, why=c.why)
                for c in health.components
            ],
        )


@strawberry.type(description="A customer at risk and why.")
class AtRiskCustomerType:
    customer_id: strawberry.ID = strawberry.field(description="The customer's id.")
    health: HealthType = strawberry.field(description="Their health score and its parts.")
    reasons: list[str] = strawberry.field(
        description="The components under half marks, weakest first, with what they were "
        "scored from."
    )


@strawberry.type(description="An edge of the at-risk list.")
class AtRiskCustomerEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass it as `after`.")
    node: AtRiskCustomerType = strawberry.field(description="The customer at risk.")


@strawberry.type(description="A page of the customers at risk, most at risk first.")
class AtRiskCustomerConnection:
    edges: list[AtRiskCustomerEdge] = strawberry.field(description="The customers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the whole list.")


def at_risk_node(customer_id: str, health: Health) -> AtRiskCustomerType:
    return AtRiskCustomerType(
        customer_id=strawberry.ID(customer_id),
        health=HealthType.of(health),
        reasons=reasons(health),
    )
