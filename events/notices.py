"""What attendees are told, and how each message reads: change notices, reminders, messages.

`events.services` decides when to tell people (inside its transactions); this module describes
an event's time and place, works out what changed, and renders and sends each mail through the
one mail seam (after commit). Times are written in Europe/London, as people's clocks show them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.mail import send_email_on_commit
from events import calendar as ical
from events.models import LONDON, AttendeeMessage, Event, Registration
from events.templatetags.event_tags import event_when

# The reminder goes out this long before the start.
REMINDER_LEAD = timedelta(hours=24)
REMINDER_OPT_OUT_SALT = "events.reminders.opt-out"


# --- what attendees know about an event ------------------------------------------------------


def event_details(event: Event) -> dict:
    """The facts a change notice is about, as JSON-safe values (stored in announced_details)."""
    return {
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "mode": event.mode,
        "venue": event.venue.full_address if event.is_in_person and event.venue else "",
        "online_url": event.online_url if event.is_online else "",
    }


@dataclass(frozen=True)
class Change:
    """One changed fact, worded for the mail. `private`: the online link (shown to some only)."""

    label: str
    old: str
    new: str
    private: bool = False


def _when(details: dict) -> str:
    start = datetime.fromisoformat(details["starts_at"]).astimezone(LONDON)
    end = datetime.fromisoformat(details["ends_at"]).astimezone(LONDON)
    return event_when(SimpleNamespace(local_starts_at=start, local_ends_at=end))


def changes_between(before: dict, after: dict) -> list[Change]:
    """What differs between two event_details(), in reading order (when, how, where, link)."""
    if not before:
        return []
    changes = []
    if (before["starts_at"], before["ends_at"]) != (after["starts_at"], after["ends_at"]):
        changes.append(Change(_("When"), _when(before), _when(after)))
    if before["mode"] != after["mode"]:
        changes.append(
            Change(
                _("Attendance"), Event.Mode(before["mode"]).label, Event.Mode(after["mode"]).label
            )
        )
    if before["venue"] != after["venue"]:
        none = _("no venue")
        changes.append(Change(_("Where"), before["venue"] or none, after["venue"] or none))
    if before["online_url"] != after["online_url"]:
        none = _("no online link")
        changes.append(
            Change(
                _("Online link"), before["online_url"] or none, after["online_url"] or none, True
            )
        )
    return changes


# --- change notices --------------------------------------------------------------------------


class Notice:
    CHANGED = "changed"
    POSTPONED = "postponed"
    NEW_DATE = "new_date"


NOTICE_SUBJECTS = {
    Notice.CHANGED: lambda: _("Changed: %(title)s"),
    Notice.POSTPONED: lambda: _("Postponed: %(title)s"),
    Notice.NEW_DATE: lambda: _("New date: %(title)s"),
}


def ics_attachment(event: Event, *, include_joining_link: bool) -> tuple[str, bytes, str]:
    """The event's .ics as it is now; `include_joining_link` only for readers who may see it."""
    full = Event.objects.with_calendar_data().get(pk=event.pk)
    calendar = ical.event_calendar(
        full, site_url=settings.SITE_URL, include_joining_link=include_joining_link
    )
    return (f"{event.slug}.ics", ical.to_bytes(calendar), "text/calendar")


def active_registrations(event: Event, states=Registration.ACTIVE_STATES) -> list[Registration]:
    return list(
        event.registrations.filter(state__in=states)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def send_event_notice(*, event: Event, kind: str, changes: list[Change]) -> int:
    """Email every confirmed and waitlisted attendee about `event`; returns how many.

    Each mail carries the event's .ics as it is now (its SEQUENCE already raised by the save), with
    the joining link only for those who may see it (confirmed places, or a public link).
    """
    registrations = active_registrations(event)
    attachments = {}
    for registration in registrations:
        sees_link = event.can_see_joining_link(registration.user, registration=registration)
        if sees_link not in attachments:
            attachments[sees_link] = ics_attachment(event, include_joining_link=sees_link)
        context = {
            "kind": kind,
            "event": event,
            "registration": registration,
            "changes": changes,
            "when": event_when(event),
            "sees_link": sees_link,
            "site_url": settings.SITE_URL,
        }
        send_email_on_commit(
            to=[registration.user.email],
            subject=NOTICE_SUBJECTS[kind]() % {"title": event.title},
            text=render_to_string("events/email/event_changed.txt", context),
            attachments=[attachments[sees_link]],
        )
    return len(registrations)


# --- reminders -------------------------------------------------------------------------------


def reminder_opt_out_token(user) -> str:
    """A signed token that turns off this user's reminders (no sign-in, grants nothing else)."""
    return signing.dumps({"u": user.pk}, salt=REMINDER_OPT_OUT_SALT)


def user_id_from_opt_out_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=REMINDER_OPT_OUT_SALT)["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def send_reminder(registration: Registration, *, attachment) -> None:
    """The day-before reminder to one confirmed attendee, with a way to stop reminders."""
    event = registration.event
    opt_out_url = settings.SITE_URL + reverse(
        "events:reminder_opt_out", kwargs={"token": reminder_opt_out_token(registration.user)}
    )
    context = {
        "event": event,
        "registration": registration,
        "when": event_when(event),
        "sees_link": True,  # reminders go to confirmed places only
        "opt_out_url": opt_out_url,
        "site_url": settings.SITE_URL,
    }
    send_email_on_commit(
        to=[registration.user.email],
        subject=_("Tomorrow: %(title)s") % {"title": event.title},
        text=render_to_string("events/email/reminder.txt", context),
        attachments=[attachment],
        headers={
            "List-Unsubscribe": f"<{opt_out_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# --- organisers' messages --------------------------------------------------------------------


def attendee_message_subject(event: Event, subject: str) -> str:
    return f"[{event.title}] {subject}"


def attendee_message_text(
    *, event: Event, subject: str, body: str, sender_name: str, recipient_name: str
) -> str:
    """The text of an organiser's message as each recipient reads it (and the preview shows)."""
    return render_to_string(
        "events/email/attendee_message.txt",
        {
            "event": event,
            "subject": subject,
            "body": body,
            "sender_name": sender_name,
            "recipient_name": recipient_name,
            "site_url": settings.SITE_URL,
        },
    )


def send_attendee_message(message: AttendeeMessage, registrations: list[Registration]) -> None:
    """One mail per recipient; replies go to the sender, not to the site."""
    sender = message.sender
    for registration in registrations:
        send_email_on_commit(
            to=[registration.user.email],
            subject=attendee_message_subject(message.event, message.subject),
            text=attendee_message_text(
                event=message.event,
                subject=message.subject,
                body=message.body,
                sender_name=sender.public_name,
                recipient_name=registration.user.public_name,
            ),
            headers={"Reply-To": sender.email},
        )
