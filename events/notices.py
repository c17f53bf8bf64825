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
from django.utils import translation
from django.utils.translation import gettext as _

from core.i18n import in_language_of
from core.mail import send_email_on_commit
from events import calendar as ical
from events.models import LONDON, AttendeeMessage, Event, Registration
from events.templatetags.event_tags import event_when

# The reminder goes out this long before the start.
REMINDER_LEAD = timedelta(hours=24)
# One salt for every "stop these emails" link (old reminder links carry no kind: reminders).
EMAIL_OPT_OUT_SALT = "events.reminders.opt-out"


class EmailKind:
    """The kinds of attendee mail a member may turn off, each a field on their account."""

    REMINDERS = "reminders"
    CHANGES = "changes"
    FIELDS = {REMINDERS: "email_reminders", CHANGES: "email_change_notices"}


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


def wants(user, kind: str) -> bool:
    """Whether `user` still takes mail of `kind` (EmailKind) about events they registered for."""
    return getattr(user, EmailKind.FIELDS[kind])


def send_event_notice(*, event: Event, kind: str, changes: list[Change]) -> int:
    """Email every confirmed and waitlisted attendee about `event`; returns how many.

    Each mail carries the event's .ics as it is now (its SEQUENCE already raised by the save), with
    the joining link only for those who may see it (confirmed places, or a public link). Members
    who turned off change notices get none (a cancellation is not a change notice: it always goes).
    """
    registrations = [
        registration
        for registration in active_registrations(event)
        if wants(registration.user, EmailKind.CHANGES)
    ]
    attachments = {}
    for registration in registrations:
        with in_language_of(registration.user):
            _send_notice(registration, event=event, kind=kind, changes=changes, files=attachments)
    return len(registrations)


def _send_notice(registration, *, event, kind, changes, files) -> None:
    """One attendee's notice, in the active (their) language; `files` caches the .ics per
    joining-link visibility and language."""
    sees_link = event.can_see_joining_link(registration.user, registration=registration)
    key = (sees_link, translation.get_language())
    if key not in files:
        files[key] = ics_attachment(event, include_joining_link=sees_link)
    opt_out_url = opt_out_url_for(registration.user, EmailKind.CHANGES)
    context = {
        "kind": kind,
        "event": event,
        "registration": registration,
        "changes": changes,
        "when": event_when(event),
        "sees_link": sees_link,
        "opt_out_url": opt_out_url,
        "site_url": settings.SITE_URL,
    }
    send_email_on_commit(
        to=[registration.user.email],
        subject=NOTICE_SUBJECTS[kind]() % {"title": event.title},
        text=render_to_string("events/email/event_changed.txt", context),
        attachments=[files[key]],
        headers=one_click_headers(opt_out_url),
    )


# --- reminders -------------------------------------------------------------------------------


def opt_out_token(user, kind: str = EmailKind.REMINDERS) -> str:
    """A signed token that turns off one kind of this user's mail (no sign-in, grants nothing
    else)."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=EMAIL_OPT_OUT_SALT)


def read_opt_out_token(token: str) -> tuple[int, str] | None:
    """(user id, EmailKind) from a token, or None for a forged or damaged one."""
    try:
        payload = signing.loads(token, salt=EMAIL_OPT_OUT_SALT)
        kind = payload.get("k", EmailKind.REMINDERS)  # links mailed before kinds existed
        if kind not in EmailKind.FIELDS:
            return None
        return int(payload["u"]), kind
    except (signing.BadSignature, AttributeError, KeyError, TypeError, ValueError):
        return None


def opt_out_url_for(user, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "events:email_opt_out", kwargs={"token": opt_out_token(user, kind)}
    )


def one_click_headers(opt_out_url: str) -> dict:
    """RFC 8058: mail clients show an unsubscribe button that POSTs to `opt_out_url`."""
    return {
        "List-Unsubscribe": f"<{opt_out_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_reminder(registration: Registration, *, attachment) -> None:
    """The day-before reminder to one confirmed attendee, with a way to stop reminders."""
    with in_language_of(registration.user):
        event = registration.event
        opt_out_url = opt_out_url_for(registration.user, EmailKind.REMINDERS)
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
            headers=one_click_headers(opt_out_url),
        )


# --- organisers' messages --------------------------------------------------------------------


def attendee_message_subject(event: Event, subject: str) -> str:
    return f"[{event.title}] {subject}"


def attendee_message_text(
    *,
    event: Event,
    subject: str,
    body: str,
    sender_name: str,
    recipient_name: str,
    opt_out_url: str = "",
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
            "opt_out_url": opt_out_url,
            "site_url": settings.SITE_URL,
        },
    )


def send_attendee_message(message: AttendeeMessage, registrations: list[Registration]) -> None:
    """One mail per recipient, in their language; replies go to the sender, not to the site."""
    for registration in registrations:
        with in_language_of(registration.user):
            _send_attendee_message(message, registration)


def _send_attendee_message(message: AttendeeMessage, registration: Registration) -> None:
    sender = message.sender
    opt_out_url = opt_out_url_for(registration.user, EmailKind.CHANGES)
    send_email_on_commit(
        to=[registration.user.email],
        subject=attendee_message_subject(message.event, message.subject),
        text=attendee_message_text(
            event=message.event,
            subject=message.subject,
            body=message.body,
            sender_name=sender.public_name,
            recipient_name=registration.user.public_name,
            opt_out_url=opt_out_url,
        ),
        headers={"Reply-To": sender.email, **one_click_headers(opt_out_url)},
    )
