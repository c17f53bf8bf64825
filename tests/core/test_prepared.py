"""core/prepared.py: a queryset compiled once runs with other values, and a stand-in the SQL
does not carry is an error at once, never a wrong answer."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.prepared import Prepared, prepared_rows
from discussions.models import Suspension
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def suspended_until(user_pk, at):
    return Suspension.objects.active(at=at).filter(user_id=user_pk).values_list("user_id")


SUSPENDED = Prepared(suspended_until, 2_000_000_001, datetime(1901, 1, 1, tzinfo=UTC))


def test_a_prepared_query_runs_with_each_calls_values():
    moderator, suspended, free = UserFactory(), UserFactory(), UserFactory()
    Suspension.objects.create(
        user=suspended, reason="x", ends_at=timezone.now() + timedelta(days=1), created_by=moderator
    )
    now = timezone.now()
    assert SUSPENDED.rows(suspended.pk, now, model=Suspension) == [(suspended.pk,)]
    assert SUSPENDED.rows(free.pk, now, model=Suspension) == []
    assert SUSPENDED.rows(suspended.pk, now + timedelta(days=2), model=Suspension) == []


def test_a_stand_in_missing_from_the_sql_is_an_error():
    unused = Prepared(
        lambda user_pk, other: suspended_until(user_pk, timezone.now()),
        2_000_000_001,
        2_000_000_002,
    )
    with pytest.raises(ValueError, match=r"stand-ins \[1\] not found"):
        unused.rows(1, 2)


PAGE = "SELECT id, username FROM people_user WHERE id = ANY($1) ORDER BY id"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
)


def prepared_statements(name) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0]


def test_prepared_rows_run_with_each_calls_values():
    users = UserFactory.create_batch(2)
    sql = "SELECT id, username FROM people_user WHERE id = $1 OR username = $2"

    for user in users:
        rows = prepared_rows("test_user", sql, ["bigint", "text"], [user.pk, "nobody"])
        assert rows == [(user.pk, user.username)]


@pytest.mark.postgres
@postgres_only
def test_postgres_a_statement_is_prepared_once_per_connection(django_assert_num_queries):
    """PREPARE once, then EXECUTE alone, each counted by Django as any query."""
    user = UserFactory()
    with django_assert_num_queries(2) as first:
        prepared_rows("test_users_once", PAGE, ["bigint[]"], [[user.pk]])
    with django_assert_num_queries(1) as second:
        assert prepared_rows("test_users_once", PAGE, ["bigint[]"], [[user.pk]]) == [
            (user.pk, user.username)
        ]
    assert first.captured_queries[0]["sql"].startswith("PREPARE test_users_once (bigint[]) AS")
    assert second.captured_queries[0]["sql"].startswith("EXECUTE test_users_once (")
    assert prepared_statements("test_users_once") == 1


@pytest.mark.postgres
@postgres_only
def test_postgres_prepared_statements_can_be_turned_off(settings):
    settings.DB_PREPARED_STATEMENTS = False
    user = UserFactory()
    assert prepared_rows("test_users_off", PAGE, ["bigint[]"], [[user.pk]]) == [
        (user.pk, user.username)
    ]
    assert prepared_statements("test_users_off") == 0
