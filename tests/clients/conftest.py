# A fresh PostgreSQL database per test that asks for one (tests/server/postgres.py).
from tests.server.postgres import postgres_url

__all__ = ["postgres_url"]
