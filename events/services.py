"""Operations on events that touch several rows or change an event's status.

Views, admin actions, management commands and tests all call these; none re-implement them.
Each status change goes through `Event.save`, which bumps the calendar `sequence`. Every write
that changes who holds a place locks the event row first (select_for_update), so concurrent
registrations and cancellations are serialised per event and the number of confirmed
registrations never exceeds the capacity.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.mail import send_email_on_commit
from events import calendar as ical
from events.models import ACCESS_FEATURE_NAMES, LONDON, Event, EventRole, Registration
from people.models import Person

# A duplicated event is the next one of its kind: same weekday and local time, four weeks on.
DUPLICATE_INTERVAL = timedelta(weeks=4)


class TransitionNotAllowed(Exception):
    """The event is not in a state from which this change makes sense; the message says why."""


# --- saving an event with its people --------------------------------------------------------


@transaction.atomic
def save_event(*, form, roles, user) -> Event:
    """Save a valid EventForm and its RoleFormSet together; a new event is a draft by `user`.

    More places (or no limit any more) go at once to the waitlist, first come first served.
    """
    event = form.instance
    old_capacity = None
    if event.pk is None:
        if not Event.user_can_create(user):
            raise PermissionDenied
        event.created_by = user
    else:
        stored = Event.objects.select_for_update().get(pk=event.pk)
        if not stored.can_edit(user):
            raise PermissionDenied
        old_capacity = stored.capacity
    event = form.save()
    save_event_roles(event=event, formset=roles)
    if old_capacity is not None and (event.capacity is None or event.capacity > old_capacity):
        promote_from_waitlist(event=event)
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


# --- registrations --------------------------------------------------------------------------


class RegistrationClosed(Exception):
    """The event does not take registrations now (draft, postponed, cancelled or closed)."""


def register_attendee(*, event: Event, user) -> Registration:
    """Give `user` a place, or a place on the waitlist; returns their active registration.

    Idempotent: a user who is already registered (confirmed or waitlisted) gets that registration.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        existing = _active_registration(event=event, user=user)
        if existing is not None:
            return existing
        if not event.registration_is_open:
            raise RegistrationClosed(_("Registration for this event is closed."))
        _promote_waitlisted(event=event)  # nobody jumps the queue after a capacity increase
        confirmed = _confirmed_count(event)
        has_place = event.capacity is None or confirmed < event.capacity
        registration = Registration.objects.create(
            event=event,
            user=user,
            state=Registration.State.CONFIRMED if has_place else Registration.State.WAITLISTED,
        )
        if registration.is_confirmed:
            _email_confirmation(registration, subject=_("You have a place at %(title)s"))
        else:
            _email_waitlisted(registration)
        return registration


def cancel_registration(
    *, registration: Registration | None = None, event: Event | None = None, user=None
) -> Registration | None:
    """Cancel a registration (given, or of `user` at `event`); returns whoever got the place."""
    if registration is not None:
        event_id, user_id = registration.event_id, registration.user_id
    else:
        event_id, user_id = event.pk, user.pk
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        current = (
            Registration.objects.select_for_update()
            .filter(event=event, user_id=user_id, state__in=Registration.ACTIVE_STATES)
            .first()
        )
        if current is None:
            return None
        current.state = Registration.State.CANCELLED
        current.save(update_fields=["state", "updated_at"])
        promoted = _promote_waitlisted(event=event)
        return promoted[0] if promoted else None


def promote_from_waitlist(*, event: Event) -> list[Registration]:
    """Fill free places from the waitlist, first come first served (e.g. after capacity grows)."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        return _promote_waitlisted(event=event)


def notify_attendees_of_cancellation(*, event: Event) -> int:
    """Email every confirmed and waitlisted attendee that the event is cancelled; returns count."""
    registrations = list(
        event.registrations.filter(state__in=Registration.ACTIVE_STATES)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    attachment = _ics_attachment(event)
    for registration in registrations:
        send_email_on_commit(
            to=[registration.user.email],
            subject=_("Cancelled: %(title)s") % {"title": event.title},
            text=render_to_string(
                "events/email/event_cancelled.txt",
                {"registration": registration, "event": event, "site_url": settings.SITE_URL},
            ),
            attachments=[attachment],
        )
    return len(registrations)


def _active_registration(*, event: Event, user) -> Registration | None:
    return Registration.objects.filter(
        event=event, user=user, state__in=Registration.ACTIVE_STATES
    ).first()


def _confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, state=Registration.State.CONFIRMED).count()


def _promote_waitlisted(*, event: Event) -> list[Registration]:
    """With the event row locked: confirm the first waitlisted people while places are free."""
    if event.status != Event.Status.PUBLISHED or event.starts_at <= timezone.now():
        return []
    queue = Registration.objects.select_for_update().filter(
        event=event, state=Registration.State.WAITLISTED
    )
    if event.capacity is not None:
        free = event.capacity - _confirmed_count(event)
        if free <= 0:
            return []
        queue = queue.order_by("created_at", "pk")[:free]
    promoted = []
    now = timezone.now()
    for registration in queue.select_related("user", "event"):
        registration.state = Registration.State.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["state", "promoted_at", "updated_at"])
        _email_confirmation(
            registration, subject=_("A place has come free for you at %(title)s"), promoted=True
        )
        promoted.append(registration)
    return promoted


def _ics_attachment(event: Event) -> tuple[str, bytes, str]:
    full = Event.objects.with_calendar_data().get(pk=event.pk)
    body = ical.to_bytes(ical.event_calendar(full, site_url=settings.SITE_URL))
    return (f"{event.slug}.ics", body, "text/calendar")


def _email_confirmation(registration: Registration, *, subject: str, promoted=False) -> None:
    event = registration.event
    send_email_on_commit(
        to=[registration.user.email],
        subject=subject % {"title": event.title},
        text=render_to_string(
            "events/email/registration_confirmed.txt",
            {
                "registration": registration,
                "event": event,
                "promoted": promoted,
                "site_url": settings.SITE_URL,
            },
        ),
        attachments=[_ics_attachment(event)],
    )


def _email_waitlisted(registration: Registration) -> None:
    event = registration.event
    send_email_on_commit(
        to=[registration.user.email],
        subject=_("You are on the waitlist for %(title)s") % {"title": event.title},
        text=render_to_string(
            "events/email/registration_waitlisted.txt",
            {
                "registration": registration,
                "event": event,
                "position": registration.waitlist_position(),
                "site_url": settings.SITE_URL,
            },
        ),
    )
