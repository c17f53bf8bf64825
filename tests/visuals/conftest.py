import pytest

from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory


@pytest.fixture
def artist(db):
    """A user whose person is the artist of `drawn_event`."""
    return UserFactory(display_name="Ruth the artist")


@pytest.fixture
def drawn_event(db, artist, organiser):
    """A published past event with an organiser (the `organiser` user) and an artist."""
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=3)
    event = EventFactory(
        title="Policy Cafe re-launch", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    EventRoleFactory(
        event=event, person=PersonFactory(user=organiser, name="Sophie"), role="organiser"
    )
    EventRoleFactory(
        event=event, person=PersonFactory(user=artist, name="Ruth Evans"), role="artist"
    )
    return event
