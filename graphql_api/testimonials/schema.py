"""The testimonial area's queries and mutation, with who may use each.

Analysts and admins (there is no marketer role) review promoters' comments; only comments of
customers who gave testimonial consent are listed. Approved ones are public: the first name,
region and comment, nothing else."""

from __future__ import annotations

import strawberry

from domain.shared.metadata import Role
from graphql_api.permissions import EVERYONE, allowed
from graphql_api.testimonials import resolvers
from graphql_api.testimonials.types import PublishedTestimonialConnection, TestimonialConnection

REVIEWERS = frozenset({Role.ADMIN, Role.ANALYST})


@strawberry.type(description="Queries about testimonials.")
class TestimonialQueries:
    testimonials: TestimonialConnection = strawberry.field(
        resolver=resolvers.testimonials,
        description="Promoters' comments of one status, of customers whose testimonial consent "
        "is given, in the order they were answered (Relay connection, `first`/`after` or "
        "`last`/`before`, up to 100). Analysts and admins.",
        extensions=allowed(REVIEWERS),
    )
    published_testimonials: PublishedTestimonialConnection = strawberry.field(
        resolver=resolvers.published_testimonials,
        description="Approved testimonials whose authors' consent is given: first name, "
        "region and comment only (Relay connection, up to 100). Anyone.",
        extensions=allowed(EVERYONE),
    )


@strawberry.type(description="Commands on testimonials.")
class TestimonialMutations:
    review_testimonial: resolvers.ReviewTestimonialPayload = strawberry.mutation(
        resolver=resolvers.review_testimonial,
        description="Approve or reject a promoter's comment as a testimonial (again: change "
        "the decision). Only an NPS answer of 9 or 10 with a comment (NOT_A_PROMOTER_COMMENT); "
        "approving needs the customer's testimonial consent (TESTIMONIAL_CONSENT_MISSING). "
        "Analysts and admins.",
        extensions=allowed(REVIEWERS),
    )
