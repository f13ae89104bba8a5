"""The composition root: settings, database, embedded PostgreSQL, event-store wiring,
encryption keys, migrations, projection runner, CLI and server. Nothing imports it but the
entry points and tests."""
