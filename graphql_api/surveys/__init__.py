"""Survey types, queries and mutations: designing surveys, inviting, answering, the dashboard."""
