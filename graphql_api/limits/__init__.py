"""Limits on what one request, and one client, may cost the server.

Before a request runs, its static cost (fields, lists multiplied by their page size, declared
costs of expensive fields) and its number of mutations are checked; expensive work and
password hashing wait for one of a few slots; each client has a token bucket of requests.
"""
