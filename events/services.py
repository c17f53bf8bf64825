"""Operations on events that touch several rows or change an event's status.

Views, admin actions, management commands and tests all call these; none re-implement them.
Each status change goes through `Event.save`, which bumps the calendar `sequence`.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import ACCESS_FEATURE_NAMES, LONDON, Event, EventRole
from people.models import Person

# A duplicated event is the next one of its kind: same weekday and local time, four weeks on.
DUPLICATE_INTERVAL = timedelta(weeks=4)


class TransitionNotAllowed(Exception):
    """The event is not in a state from which this change makes sense; the message says why."""


# --- saving an event with its people --------------------------------------------------------


@transaction.atomic
def save_event(*, form, roles, user) -> Event:
    """Save a valid EventForm and its RoleFormSet together; a new event is a draft by `user`."""
    event = form.instance
    if event.pk is None:
        if not Event.user_can_create(user):
            raise PermissionDenied
        event.created_by = user
    elif not Event.objects.get(pk=event.pk).can_edit(user):
        raise PermissionDenied
    event = form.save()
    save_event_roles(event=event, formset=roles)
    return event


def save_event_roles(*, event: Event, formset) -> None:
    """Apply a valid RoleFormSet: deletions first, then changed rows, then new people and rows."""
    kept = list(formset.kept_forms())
    for form in formset.deleted_forms:
        if form.instance.pk:
            form.instance.delete()
    for form in kept:
        if not form.has_changed():
            continue
        role = form.save(commit=False)
        role.event = event
        name = form.cleaned_data.get("new_person_name")
        if name:
            role.person = Person.objects.create(
                name=name, headline=form.cleaned_data.get("new_person_headline", "")
            )
        role.save()


# --- status changes -------------------------------------------------------------------------


def _lock(*, event: Event, user) -> Event:
    """The event's row, locked for this transaction, after checking that `user` may change it."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if not locked.can_edit(user):
        raise PermissionDenied
    return locked


@transaction.atomic
def publish_event(*, event: Event, user) -> Event:
    """Make a draft public, or publish a postponed event again once it has its new date."""
    event = _lock(event=event, user=user)
    if not event.can_be_published:
        raise TransitionNotAllowed(
            _("Only a draft or a postponed event can be published; this one is %(status)s.")
            % {"status": event.get_status_display().lower()}
        )
    event.status = Event.Status.PUBLISHED
    fields = ["status", "updated_at"]
    if event.published_at is None:
        event.published_at = timezone.now()  # from now on the slug (its address) is frozen
        fields.append("published_at")
    event.save(update_fields=fields)
    return event


@transaction.atomic
def postpone_event(*, event: Event, user) -> Event:
    """Mark a published, not yet finished event as postponed (new date to follow)."""
    event = _lock(event=event, user=user)
    if not event.can_be_postponed:
        raise TransitionNotAllowed(
            _("Only a published event that has not yet happened can be postponed.")
        )
    event.status = Event.Status.POSTPONED
    event.save(update_fields=["status", "updated_at"])
    return event


@transaction.atomic
def cancel_event(*, event: Event, user, reason: str) -> Event:
    """Cancel a published or postponed event that has not yet happened, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Say why the event is cancelled."))
    event = _lock(event=event, user=user)
    if not event.can_be_cancelled:
        raise TransitionNotAllowed(
            _("Only a published or postponed event that has not yet happened can be cancelled.")
        )
    event.status = Event.Status.CANCELLED
    event.cancellation_reason = reason
    event.save(update_fields=["status", "cancellation_reason", "updated_at"])
    notify_attendees_of_cancellation(event=event)
    return event


def notify_attendees_of_cancellation(*, event: Event) -> None:
    """HOOK for the registration work: email every registered attendee that `event` is cancelled.

    Called inside cancel_event's transaction, after the status is saved. Send the mail through
    `people.mail.send_email_on_commit` so nothing goes out if the transaction rolls back.
    Deliberately empty until registrations exist.
    """


# --- the next one of its kind ---------------------------------------------------------------


def same_local_time_later(moment: datetime | None) -> datetime | None:
    """When a copy of an event at `moment` starts: DUPLICATE_INTERVAL on, same London clock time."""
    if moment is None:
        return None
    local = moment.astimezone(LONDON).replace(tzinfo=None) + DUPLICATE_INTERVAL
    return local.replace(tzinfo=LONDON)


COPIED_FIELDS = [
    "title",
    "kind",
    "summary",
    "description",
    "series_id",
    "mode",
    "venue_id",
    "online_url",
    "capacity",
    *ACCESS_FEATURE_NAMES,
    "access_notes",
]


@transaction.atomic
def duplicate_event(*, event: Event, user) -> Event:
    """A new draft copying `event`, its themes, hosts and people, four weeks later."""
    if not event.can_duplicate(user):
        raise PermissionDenied
    copy = Event(**{name: getattr(event, name) for name in COPIED_FIELDS})
    copy.starts_at = same_local_time_later(event.starts_at)
    copy.ends_at = same_local_time_later(event.ends_at)
    copy.registration_closes_at = same_local_time_later(event.registration_closes_at)
    copy.status = Event.Status.DRAFT
    copy.created_by = user
    copy.save()
    copy.themes.set(event.themes.all())
    copy.hosts.set(event.hosts.all())
    EventRole.objects.bulk_create(
        EventRole(
            event=copy,
            person_id=role.person_id,
            role=role.role,
            contribution_title=role.contribution_title,
            order=role.order,
        )
        for role in event.roles.order_by("order", "pk")
    )
    return copy
