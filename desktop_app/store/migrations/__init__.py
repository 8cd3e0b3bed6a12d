"""Alembic migrations of the cache, run programmatically by `desktop_app.store.connection`."""

# The newest revision. Opening an up-to-date cache compares against this without importing
# Alembic; a test keeps it equal to the head of the scripts in `versions/`.
SCHEMA_HEAD = "0007"
