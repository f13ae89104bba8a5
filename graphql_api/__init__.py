"""The GraphQL API: strawberry on Starlette. Resolvers translate, authorise and delegate; the
domain decides what is allowed and the projections answer queries."""
