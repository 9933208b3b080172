"""The machine's real PostgreSQL and Redis for tests: a random database or key prefix per test, removed afterwards."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

# The machine's services (see .ci/run); override to point the tests elsewhere.
PG_ADMIN_URL = os.environ.get("LEGALBOT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LEGALBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database with a random name; dropped (connections and all) at the end."""
    import psycopg

    name = f"legalbot_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A random key prefix; every key under it is deleted at the end."""
    import redis

    prefix = f"legalbot-test-{secrets.token_hex(6)}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
