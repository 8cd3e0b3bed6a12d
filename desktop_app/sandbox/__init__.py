"""The platform sandbox: a faithful local implementation of the platform API (server side).

It is what ``orderdesk --demo`` runs on, what client and sync tests talk to over loopback HTTP,
and what a trainee can practise on. The contract is ``platform-api.md``; the machine-readable
form is served at ``/openapi.json`` and committed as ``resources/openapi.json``.

In-process use::

    from desktop_app.sandbox.server import SandboxOptions, start_sandbox

    with start_sandbox(SandboxOptions(orders=50, seed=7)) as sandbox:
        ...  # sandbox.url

Storage is SQLAlchemy over SQLite (memory or ``--db`` file). Running it on PostgreSQL would take
a PostgreSQL URL in ``world.make_engine`` (and a connection pool instead of the one shared
SQLite connection), ``JSONB``/``TEXT`` for the order documents as they are, and nothing else:
the queries are plain SQLAlchemy Core/ORM with no SQLite-only SQL.
"""
