"""Move the calendar change marker after every committed change that a calendar file shows."""

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone


def touch_calendars() -> None:
    """Advance CalendarChange (one row; version + 1, changed_at never backwards)."""
    from events.models import CalendarChange

    now = timezone.now()
    updated = CalendarChange.objects.filter(pk=1).update(
        version=F("version") + 1,
        changed_at=Greatest(F("changed_at"), Value(now, output_field=DateTimeField())),
    )
    if not updated:
        CalendarChange.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})


def calendars_changed(**kwargs) -> None:
    # After commit: readers see the new data no later than the new marker, so a Last-Modified
    # computed from the marker is never newer than the content it is sent with.
    transaction.on_commit(touch_calendars, robust=True)


def connect() -> None:
    from events.models import Event, EventRole, Registration, Series, Theme, Venue
    from people.models import Organisation, Person

    for model in (Event, EventRole, Registration, Series, Theme, Venue, Organisation, Person):
        uid = f"calendar-change-{model._meta.label_lower}"
        post_save.connect(calendars_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(calendars_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (Event.themes.through, Event.hosts.through):
        m2m_changed.connect(
            calendars_changed, sender=through, dispatch_uid=f"calendar-change-{through.__name__}"
        )
