"""The staff's dashboard pages: a sign-in with the API's bearer tokens, the NPS at a glance
with drill-down, and their CSV downloads. Every figure comes from the read-model query
functions the GraphQL API calls, with the same minimum group size for the same role."""
