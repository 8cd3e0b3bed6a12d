"""Alembic migrations of the cache, run programmatically by `desktop_app.store.connection`."""
