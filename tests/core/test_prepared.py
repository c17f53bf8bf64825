"""core/prepared.py: a queryset compiled once runs with other values, and a stand-in the SQL
does not carry is an error at once, never a wrong answer."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.prepared import Prepared
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
