from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Registration
from tests.factories import EventFactory, EventRoleFactory, PersonFactory


@pytest.fixture
def past_event(db, organiser):
    """A published event that ended yesterday, organised by `organiser`."""
    start = timezone.now() - timedelta(days=1, hours=2)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    person = getattr(organiser, "person", None) or PersonFactory(
        user=organiser, name=organiser.public_name
    )
    EventRoleFactory(event=event, person=person, role="organiser")
    return event


@pytest.fixture
def attend():
    def make(event, user):
        return Registration.objects.create(event=event, user=user, state="confirmed")

    return make
