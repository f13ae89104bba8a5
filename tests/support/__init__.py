"""Shared test helpers: a real PostgreSQL (embedded, or CXL_TEST_DATABASE_URL), fresh
databases per test, ledgers wired as in production, and a live HTTP server."""
