"""The job queue: long work (imports, reports) off the request path, on Huey.

Why Huey: it runs on a SQLite file with no extra server (the zero set-up default, one machine)
and on Redis for workers on several machines, with retries and delays built in, in one small,
dependency-free, long-maintained package. procrastinate needs PostgreSQL, so it cannot be the
default. The queue only carries job ids; the state a client reads is the ``job`` table
(``core.jobs``), in the database every replica shares.
"""
