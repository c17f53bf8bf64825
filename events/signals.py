"""Keep calendar entries honest after changes made elsewhere than on the event itself.

- A venue, person or role change moves what entries show (LOCATION, GEO, DESCRIPTION, SUMMARY):
  the events showing it are revised (SEQUENCE + 1, new DTSTAMP/LAST-MODIFIED), as Event.save
  does for the event's own fields. A theme change (CATEGORIES) gives them a new updated_at.
  events/calendar_http.py relies on this: it keeps an entry's bytes by (event id, updated_at,
  sequence).
- The CalendarChange marker moves after every committed change a public calendar shows, so a
  feed's Last-Modified moves forward even when an event leaves it (deleted, unpublished).
  It feeds Last-Modified only: ETags come from the events themselves (events/calendar_http.py).

Every trigger (wired by connect(), called from EventsConfig.ready; nothing else does this):
- post_save and post_delete of Event, EventRole, Series, Theme, Venue, Organisation and Person,
  and m2m_changed of Event.themes and Event.hosts: the marker moves, after commit.
- pre_save + post_save of Venue (name, address, postcode, coordinates) and Person (name): the
  events showing a changed value are revised; of Theme (name): those events are touched.
- post_save and post_delete of EventRole: its event is revised.
- m2m_changed of Event.themes, and pre_delete of Theme: the events concerned are touched.
Registrations move only their event's registrations marker (its places left, for the event
page: events.selectors.registration_counts). Event.save itself raises SEQUENCE when a
CALENDAR_FIELDS value changes (events/models.py).
"""

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from core import fragments

# The change marker of what event lists show (core/fragments.py, events.selectors.events_version).
EVENTS_MARKER = "events"


def registrations_marker(event_id) -> str:
    """Moved by every committed change of a registration at the event (its places left)."""
    return f"registrations:{event_id}"


def registration_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.event_id is not None:
        fragments.move_marker_on_commit(registrations_marker(instance.event_id))


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
    # The same changes are what event lists show (events.selectors.events_version).
    fragments.move_marker_on_commit(EVENTS_MARKER)


# The fields of related rows that calendar entries show, and the events that show them.
def _shown_fields():
    from events.models import Theme, Venue
    from people.models import Person

    # Texts in two languages by their columns (events/translation.py): a feed shows either.
    return {
        Venue: ("name_en", "name_cy", "address", "postcode", "latitude", "longitude"),
        Person: ("name",),
        Theme: ("name_en", "name_cy"),
    }


def _events_showing(instance):
    from events.models import Event, EventRole, Theme, Venue

    if isinstance(instance, Venue):
        return Event.objects.filter(venue=instance)
    if isinstance(instance, Theme):
        return Event.objects.filter(
            pk__in=Event.themes.through.objects.filter(theme=instance).values("event_id")
        )
    return Event.objects.filter(pk__in=EventRole.objects.filter(person=instance).values("event_id"))


def remember_shown_values(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    fields = _shown_fields()[sender]
    instance._calendar_shown = (
        sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    )


def revise_events_showing(sender, instance, created=False, raw=False, **kwargs) -> None:
    from events.models import Theme

    before = getattr(instance, "_calendar_shown", None)
    if created or raw or before is None:
        return
    after = tuple(getattr(instance, name) for name in _shown_fields()[sender])
    if before == after:
        return
    instance._calendar_shown = after
    events = _events_showing(instance)
    if sender is Theme:
        events.touch()
    else:
        events.revise()


def revise_event_of_role(sender, instance, raw=False, **kwargs) -> None:
    from events.models import Event

    if not raw:
        Event.objects.filter(pk=instance.event_id).revise()


def touch_events_of_themes(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    from events.models import Event

    if reverse and action == "pre_clear":  # theme.events.clear(): afterwards they are unknown
        _events_showing(instance).touch()
    elif action in ("post_add", "post_remove"):
        events = (
            Event.objects.filter(pk__in=pk_set) if reverse else Event.objects.filter(pk=instance.pk)
        )
        events.touch()
    elif action == "post_clear" and not reverse:
        Event.objects.filter(pk=instance.pk).touch()


def touch_events_of_deleted_theme(sender, instance, **kwargs) -> None:
    _events_showing(instance).touch()


def connect() -> None:
    from events.models import Event, EventRole, Registration, Series, Theme, Venue
    from people.models import Organisation, Person

    post_save.connect(registration_changed, sender=Registration, dispatch_uid="places-save")
    post_delete.connect(registration_changed, sender=Registration, dispatch_uid="places-delete")

    # Registrations do not move it: only the personal feed shows them, and its fingerprint
    # reads the owner's registrations itself (events/calendar_http.py, Places).
    for model in (Event, EventRole, Series, Theme, Venue, Organisation, Person):
        uid = f"calendar-change-{model._meta.label_lower}"
        post_save.connect(calendars_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(calendars_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (Event.themes.through, Event.hosts.through):
        m2m_changed.connect(
            calendars_changed, sender=through, dispatch_uid=f"calendar-change-{through.__name__}"
        )
    for model in (Venue, Person, Theme):
        uid = f"calendar-revise-{model._meta.label_lower}"
        pre_save.connect(remember_shown_values, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(revise_events_showing, sender=model, dispatch_uid=f"{uid}-post")
    post_save.connect(
        revise_event_of_role, sender=EventRole, dispatch_uid="calendar-revise-role-save"
    )
    post_delete.connect(
        revise_event_of_role, sender=EventRole, dispatch_uid="calendar-revise-role-delete"
    )
    pre_delete.connect(
        touch_events_of_deleted_theme, sender=Theme, dispatch_uid="calendar-touch-theme-delete"
    )
    m2m_changed.connect(
        touch_events_of_themes, sender=Event.themes.through, dispatch_uid="calendar-touch-themes"
    )
