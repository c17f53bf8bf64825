"""Writes that touch several rows. Views, admin and tests all call these functions."""

# === Registration (calendar engineer) ==========================================================
# Every write that changes who holds a place locks the event row first (select_for_update), so
# concurrent registrations and cancellations are serialised per event and the number of confirmed
# registrations never exceeds the capacity.

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from events import calendar as ical
from events.models import Event, Registration
from people.mail import send_email_on_commit


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


# === end of Registration section ===============================================================
