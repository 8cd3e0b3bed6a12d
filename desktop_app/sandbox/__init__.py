"""The platform sandbox: a faithful local implementation of the platform API (server side).

It is what ``orderdesk --demo`` runs on, what client and sync tests talk to over loopback HTTP,
and what a trainee can practise on. The contract is ``platform-api.md``; the machine-readable
form is served at ``/openapi.json`` and committed as ``resources/openapi.json``.

In-process use::

    from desktop_app.sandbox.server import SandboxOptions, start_sandbox

    with start_sandbox(SandboxOptions(orders=50, seed=7)) as sandbox:
        ...  # sandbox.url

Storage is SQLAlchemy 2 over SQLite (in memory, or the ``--db`` file, reopened as it is on a
restart). Running it on PostgreSQL would take: a PostgreSQL URL and a real connection pool in
``world.make_engine`` (instead of the one shared SQLite connection and its PRAGMAs); keeping
the world lock (it also orders the changes feed) or replacing it with a database sequence
allocated under ``SELECT ... FOR UPDATE`` of the world row; and nothing else, since the queries
are plain SQLAlchemy Core/ORM and the order documents are TEXT.
"""
