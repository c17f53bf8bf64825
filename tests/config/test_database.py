"""The database connection as config/settings.py opens it."""

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")
@pytest.mark.django_db
def test_postgres_statements_get_no_parallel_workers():
    """Every core serves a request of its own: a statement's parallel plan only costs more."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
