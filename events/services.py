"""Operations on events that touch several rows or change an event's status.

Views, admin actions, management commands and tests all call these; none re-implement them.
Each status change goes through `Event.save`, which bumps the calendar `sequence`. Every write
that changes who holds a place locks the event row first (select_for_update), so concurrent
registrations and cancellations are serialised per event and the number of confirmed
registrations never exceeds the capacity.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.i18n import in_language_of
from core.mail import send_email_on_commit
from core.ratelimit import count_recent, recent
from events import notices
from events.clock import london_aware
from events.models import (
    ACCESS_FEATURE_NAMES,
    LONDON,
    AttendeeMessage,
    CalendarToken,
    Event,
    EventInvitationDecline,
    EventRole,
    Registration,
    Series,
    Theme,
    named_q,
)
from people.models import Person, User

# A duplicated event is the next one of its kind: same weekday and local time, four weeks on.
DUPLICATE_INTERVAL = timedelta(weeks=4)


class TransitionNotAllowed(Exception):
    """The event is not in a state from which this change makes sense; the message says why."""


class InvitationsRefused(ValidationError):
    """A save that would invite someone it may not: `rows` pairs each refused row's role (the
    very object the organiser's PersonRow carried) with the reason. Nothing was saved."""

    def __init__(self, rows: list[tuple[EventRole, str]]):
        super().__init__([message for _role, message in rows])
        self.rows = rows


# --- saving an event with its people --------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    """One row of an event's who's who as the organiser left it.

    `role` carries the row's values (`pk` None for a new row); `delete` removes a stored row;
    `new_person_name` (and headline) adds someone to the directory for this row.
    """

    role: EventRole
    delete: bool = False
    new_person_name: str = ""
    new_person_headline: str = ""


@transaction.atomic
def save_event(
    *,
    event: Event,
    user,
    themes: Iterable[Theme] | None = None,
    hosts: Iterable | None = None,
    new_theme_names: Iterable[str] = (),
    people: Iterable[PersonRow] = (),
) -> Event:
    """Save `event` (new, or a stored one carrying the organiser's changes) with its themes,
    hosts and who's who; a new event is a draft by `user`.

    `themes` and `hosts` replace the event's own when given; `new_theme_names` are added (reused
    by name where they exist). A venue or series typed in with the event arrives unsaved on it
    and is saved first. More places (or no limit any more) go at once to the waitlist, first
    come first served. Attendees hear of a new time, place, attendance mode or online link
    (tell_attendees_of_changes); how many were told is left on the returned event as
    `attendees_told`. A capacity below the places given meanwhile (counted under the row lock
    that registration takes) raises ValidationError by field, and nothing is saved.
    """
    stored = None
    people = list(people)
    if event.pk is None:
        if not Event.user_can_create(user):
            raise PermissionDenied
        event.created_by = user
    else:
        stored = Event.objects.select_for_update().get(pk=event.pk)
        if not stored.can_edit(user):
            raise PermissionDenied
        if problems := event.capacity_problems():
            raise ValidationError(problems)
    check_invitations(event=event, rows=people, user=user)  # before anything is written
    _save_new_place_and_series(event=event, user=user)
    event.save()
    if themes is not None:
        event.themes.set(themes)
    if hosts is not None:
        event.hosts.set(hosts)
    add_themes(event=event, names=new_theme_names)
    save_event_people(event=event, rows=people, user=user)
    if stored is not None:
        # More places (room or online), or pools merged by a change of mode: fill them in order.
        promote_from_waitlist(event=event)
        event.attendees_told = tell_attendees_of_changes(event=event, before=stored)
    return event


def invitations_per_day() -> int:
    return getattr(settings, "EVENTS_INVITATIONS_PER_DAY", 20)


def _invitations_key(user) -> str:
    return f"events:invitations:{user.pk}"


def check_invitations(*, event: Event, rows: list[PersonRow], user) -> None:
    """Refuse, before anything is written, a save that would invite someone who declined to
    co-organise this event (InvitationsRefused, by row), or send more invitations than
    EVENTS_INVITATIONS_PER_DAY lets one organiser send in 24 hours (ValidationError)."""
    new = _new_invitations(event=event, rows=rows, user=user)
    if not new:
        return
    declined = {}
    if event.pk is not None:
        declined = dict(
            EventInvitationDecline.objects.filter(
                event=event, person__in=[role.person_id for role in new]
            ).values_list("person_id", "declined_at")
        )
    if refused := [
        (
            role,
            _("%(name)s declined to co-organise this event on %(date)s.")
            % {
                "name": role.person,
                "date": date_format(timezone.localtime(declined[role.person_id]), "DATE_FORMAT"),
            },
        )
        for role in new
        if role.person_id in declined
    ]:
        raise InvitationsRefused(refused)
    limit = invitations_per_day()
    if limit > 0 and recent(_invitations_key(user), period=86400) + len(new) > limit:
        raise ValidationError(
            _(
                "This would send more invitations to co-organise than one organiser may send "
                "in 24 hours (%(limit)d). Nothing was saved: remove the new co-organisers and "
                "save, then name them tomorrow."
            )
            % {"limit": limit}
        )


def _new_invitations(*, event: Event, rows: list[PersonRow], user) -> list[EventRole]:
    """The rows' roles that `save_event_people` will make new invitations of (and email)."""
    kept = [row for row in rows if not row.delete and not row.new_person_name]
    asking = [row.role for row in kept if needs_consent(row.role, event=event, user=user)]
    if not asking:
        return []
    pks = [role.pk for role in asking] + [row.role.pk for row in rows if row.delete]
    stored = {
        pk: (person_id, role, status)
        for pk, person_id, role, status in EventRole.with_invitations.filter(
            pk__in=[pk for pk in pks if pk]
        ).values_list("pk", "person_id", "role", "status")
    }
    # A pending invitation removed and named again in the same save is the same invitation.
    removed_pending = {
        stored[row.role.pk][:2]
        for row in rows
        if row.delete and row.role.pk in stored
        if stored[row.role.pk][2] == EventRole.Status.PENDING
    }
    return [
        role
        for role in asking
        if (stored.get(role.pk) or (None, None))[:2] != (role.person_id, role.role)
        and not (role.pk is None and (role.person_id, role.role) in removed_pending)
    ]


def tell_attendees_of_changes(*, event: Event, before: Event) -> int:
    """After a save of `event` (row locked): email attendees what changed; returns how many.

    Only a published event that is not over tells anyone: a postponed event announces its new
    date when it is published again (publish_event), compared with what people were last told.
    A new start time also re-arms the day-before reminder.
    """
    if event.starts_at != before.starts_at or event.send_reminder != before.send_reminder:
        if event.starts_at != before.starts_at:
            event.registrations.update(reminder_sent_at=None)
        schedule_reminders(event=event)
    if event.status != Event.Status.PUBLISHED or event.is_past:
        return 0
    told = before.announced_details or notices.event_details(before)
    now = notices.event_details(event)
    changes = notices.changes_between(told, now)
    if not changes:
        return 0
    Event.objects.filter(pk=event.pk).update(announced_details=now)
    return notices.send_event_notice(event=event, kind=notices.Notice.CHANGED, changes=changes)


def _save_new_place_and_series(*, event: Event, user) -> None:
    """A venue or series typed into the event form arrives unsaved: save it first."""
    if event.venue is not None and event.venue.pk is None:
        event.venue.save()
        event.venue = event.venue  # sets venue_id now that it has one
    if event.series is not None and event.series.pk is None:
        event.series.created_by = user
        event.series.save()
        event.series = event.series


def add_themes(*, event: Event, names: list[str]) -> list[Theme]:
    """Give `event` the themes named: those listed (by name, any case) are reused, others made."""
    themes = []
    for name in names:
        theme = Theme.objects.filter(named_q(name)).first() or Theme.objects.create(name=name)
        themes.append(theme)
    if themes:
        event.themes.add(*themes)
    return themes


def save_event_people(*, event: Event, rows: Iterable[PersonRow], user) -> None:
    """Apply the who's who's changed rows: removals first, then edited and new rows (a new
    person is added to the directory with their row).

    Naming someone else's account as organiser makes an invitation, not a role: it is listed,
    and gives rights, once they accept (`invite_co_organiser`)."""
    rows = list(rows)
    removed = [row.role for row in rows if row.delete and row.role.pk]
    kept = [row for row in rows if not row.delete]
    _keep_invitations_named_again(removed=removed, kept=kept)
    for role in removed:
        if role.pk not in {row.role.pk for row in kept}:
            role.delete()
    # Who each stored row named before this save: a new person or role is a new invitation.
    before = {
        pk: (person_id, role)
        for pk, person_id, role in EventRole.with_invitations.filter(
            pk__in=[row.role.pk for row in kept if row.role.pk]
        ).values_list("pk", "person_id", "role")
    }
    for row in kept:
        role = row.role
        role.event = event
        if row.new_person_name:
            role.person = Person.objects.create(
                name=row.new_person_name, headline=row.new_person_headline
            )
        newly_named = before.get(role.pk) != (role.person_id, role.role)
        if needs_consent(role, event=event, user=user) and (newly_named or role.is_invitation):
            role.status = EventRole.Status.PENDING
            role.save()
            if newly_named:
                invite_co_organiser(role=role, invited_by=user)
        else:
            role.status = EventRole.Status.ACCEPTED
            role.save()


def _keep_invitations_named_again(*, removed: list[EventRole], kept: list[PersonRow]) -> None:
    """A pending invitation removed and named again in the same save (same person, same role)
    stays the invitation already emailed: the new row takes its place, so its link keeps
    working and no second email goes."""
    pending = {
        (person_id, role): (pk, invited_by_id)
        for pk, person_id, role, invited_by_id in EventRole.with_invitations.invited()
        .filter(pk__in=[role.pk for role in removed])
        .values_list("pk", "person_id", "role", "invited_by_id")
    }
    for row in kept:
        role = row.role
        key = (role.person_id, role.role)
        if role.pk is None and not row.new_person_name and key in pending:
            role.pk, role.invited_by_id = pending.pop(key)
            role._state.adding = False
            role.status = EventRole.Status.PENDING


def needs_consent(role: EventRole, *, event: Event, user) -> bool:
    """An organiser role for an account other than the one saving it or the event's creator."""
    account = role.person.user_id
    return (
        role.role == EventRole.Role.ORGANISER
        and account is not None
        and account not in (user.pk, event.created_by_id)
    )


# --- co-organiser invitations ---------------------------------------------------------------

INVITATION_SALT = "events.co-organiser-invitation"
INVITATION_MAX_AGE = 60 * 60 * 24 * 30  # a month: an organiser can ask again after that


def invitation_token(role: EventRole) -> str:
    return signing.dumps({"role": role.pk, "user": role.person.user_id}, salt=INVITATION_SALT)


def invitation_from_token(token: str, *, user) -> EventRole | None:
    """The pending invitation the signed `token` names, if it is addressed to `user`."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        return None
    return (
        EventRole.with_invitations.invited()
        .select_related("event", "person", "invited_by")
        .filter(pk=data.get("role"), person__user=user)
        .first()
    )


def invite_co_organiser(*, role: EventRole, invited_by) -> None:
    """Email the account named in a pending organiser role a link to accept or decline it, in
    their own language."""
    role.invited_by = invited_by
    role.save(update_fields=["invited_by"])
    count_recent(_invitations_key(invited_by), period=86400)  # checked by check_invitations
    invitee = role.person.user
    with in_language_of(invitee):
        url = settings.SITE_URL + reverse(
            "events:invitation", kwargs={"token": invitation_token(role)}
        )
        send_email_on_commit(
            to=[invitee.email],
            subject=_("Will you co-organise %(title)s?") % {"title": role.event.title},
            text=render_to_string(
                "events/email/co_organiser_invitation.txt",
                {"role": role, "event": role.event, "invited_by": invited_by, "url": url},
            ),
        )


def invitations_for(user) -> list[EventRole]:
    """The invitations to co-organise waiting for `user`'s answer, each with the `answer_url`
    its email links to (so My events can offer the same accept and decline)."""
    invitations = list(EventRole.with_invitations.addressed_to(user))
    for role in invitations:
        role.answer_url = reverse("events:invitation", kwargs={"token": invitation_token(role)})
    return invitations


@transaction.atomic
def answer_invitation(*, role: EventRole, user, accept: bool) -> EventRole | None:
    """Accept (the role is listed and gives rights from now on) or decline (it is removed, and
    remembered: this event's organisers cannot invite the same person again)."""
    role = EventRole.with_invitations.select_for_update().filter(pk=role.pk).first()
    if role is None or not role.is_invitation or role.person.user_id != user.pk:
        raise PermissionDenied
    if not accept:
        role.delete()
        EventInvitationDecline.objects.update_or_create(
            event_id=role.event_id,
            person_id=role.person_id,
            defaults={"declined_at": timezone.now()},
        )
        return None
    role.status = EventRole.Status.ACCEPTED
    role.save(update_fields=["status"])
    return role


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
    _refuse_clock_change_times(event)
    was_postponed = event.is_postponed
    told = event.announced_details
    event.status = Event.Status.PUBLISHED
    event.announced_details = notices.event_details(event)
    fields = ["status", "announced_details", "updated_at"]
    if event.published_at is None:
        event.published_at = timezone.now()  # from now on the slug (its address) is frozen
        fields.append("published_at")
    event.save(update_fields=fields)
    if was_postponed:
        changes = notices.changes_between(told, event.announced_details)
        notices.send_event_notice(event=event, kind=notices.Notice.NEW_DATE, changes=changes)
        event.registrations.update(reminder_sent_at=None)
    schedule_reminders(event=event)
    return event


def _refuse_clock_change_times(event: Event) -> None:
    """The form's rule, again at publishing: a duplicate (four weeks on) can land on 01:30 of the
    October clock-change Sunday, which happens twice; clients then disagree by an hour."""
    for field in ("starts_at", "ends_at", "registration_closes_at"):
        moment = getattr(event, field)
        if moment is None:
            continue
        try:
            london_aware(moment.astimezone(LONDON).replace(tzinfo=None))
        except ValidationError as error:
            raise TransitionNotAllowed(
                _("%(field)s: %(problem)s Edit the event, then publish it.")
                % {
                    "field": capfirst(Event._meta.get_field(field).verbose_name),
                    "problem": " ".join(error.messages),
                }
            ) from None


@transaction.atomic
def unpublish_event(*, event: Event, user) -> Event:
    """Take a published event nobody has registered for back to draft (hidden from the public;
    its address stays the same for when it is published again)."""
    event = _lock(event=event, user=user)
    if not event.can_be_unpublished:
        raise TransitionNotAllowed(
            _(
                "Only a published event that nobody has registered for can go back to draft. "
                "Postpone or cancel it instead."
            )
        )
    event.status = Event.Status.DRAFT
    event.save(update_fields=["status", "updated_at"])
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
    if not event.announced_details:  # published before announcements were recorded
        event.announced_details = notices.event_details(event)
    event.save(update_fields=["status", "announced_details", "updated_at"])
    notices.send_event_notice(event=event, kind=notices.Notice.POSTPONED, changes=[])
    return event


@transaction.atomic
def cancel_event(*, event: Event, user, reason_en: str = "", reason_cy: str = "") -> Event:
    """Cancel a published or postponed event that has not yet happened, saying why (in English,
    in Welsh or both: each reader gets their language's, else the other)."""
    reason_en, reason_cy = (reason_en or "").strip(), (reason_cy or "").strip()
    if not (reason_en or reason_cy):
        raise TransitionNotAllowed(_("Say why the event is cancelled."))
    event = _lock(event=event, user=user)
    if not event.can_be_cancelled:
        raise TransitionNotAllowed(
            _("Only a published or postponed event that has not yet happened can be cancelled.")
        )
    event.status = Event.Status.CANCELLED
    event.cancellation_reason_en, event.cancellation_reason_cy = reason_en, reason_cy
    event.save(
        update_fields=["status", "cancellation_reason_en", "cancellation_reason_cy", "updated_at"]
    )
    notify_attendees_of_cancellation(event=event)
    return event


# --- the next one of its kind ---------------------------------------------------------------


def shift_local(moment: datetime, delta: timedelta) -> datetime:
    """`moment` moved by `delta` of London wall-clock time (18:00 stays 18:00 across a clock
    change)."""
    local = moment.astimezone(LONDON).replace(tzinfo=None) + delta
    return local.replace(tzinfo=LONDON)


def same_local_time_later(moment: datetime | None) -> datetime | None:
    """When a copy of an event at `moment` starts: DUPLICATE_INTERVAL on, same London clock time."""
    if moment is None:
        return None
    return shift_local(moment, DUPLICATE_INTERVAL)


def _local_duration(event: Event) -> timedelta:
    return event.local_ends_at.replace(tzinfo=None) - event.local_starts_at.replace(tzinfo=None)


def latest_in_series(event: Event) -> Event:
    """The latest event (not cancelled) of `event`'s series, or `event` itself."""
    if event.series_id is None:
        return event
    latest = (
        Event.objects.filter(series_id=event.series_id)
        .exclude(status=Event.Status.CANCELLED)
        .reverse_chronological()
        .first()
    )
    return latest or event


def proposed_copy_times(*, event: Event, now: datetime | None = None) -> tuple[datetime, datetime]:
    """When a copy of `event` should be: the series' next date (by its rule, else four weeks
    after its latest event), at the same London clock times, and not in the past."""
    now = now or timezone.now()
    latest = latest_in_series(event)
    if event.series_id and event.series.has_rule:
        upcoming = event.series.occurrences(after=max(latest.starts_at, now))
        proposed = next(upcoming, None)
        if proposed is not None:
            return proposed
    starts_at = same_local_time_later(latest.starts_at)
    while starts_at < now:
        starts_at = same_local_time_later(starts_at)
    return starts_at, shift_local(starts_at, _local_duration(latest))


COPIED_FIELDS = [
    # Texts by their language's column (events/translation.py), not the page's language.
    "title_en",
    "title_cy",
    "kind",
    "summary_en",
    "summary_cy",
    "description_en",
    "description_cy",
    "series_id",
    "mode",
    "venue_id",
    "online_url",
    "online_url_is_public",
    "capacity",
    "online_capacity",
    "send_reminder",
    *ACCESS_FEATURE_NAMES,
    "access_notes_en",
    "access_notes_cy",
]


@transaction.atomic
def duplicate_event(
    *,
    event: Event,
    user,
    title_en: str | None = None,
    title_cy: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Event:
    """A new draft copying `event`, its themes, hosts and people, with the given titles and time
    (by default: the same titles, at the series' next date; see `proposed_copy_times`). A title
    given in one language only leaves the other empty (the old one would not match it)."""
    if not event.can_duplicate(user):
        raise PermissionDenied
    if starts_at is None:
        starts_at, ends_at = proposed_copy_times(event=event)
    ends_at = ends_at or shift_local(starts_at, _local_duration(event))
    copy = _copy_of(event, starts_at=starts_at, ends_at=ends_at)
    if title_en or title_cy:
        copy.title_en, copy.title_cy = title_en or "", title_cy or ""
    copy.created_by = user
    copy.save()
    _copy_relations(source=event, copy=copy)
    return copy


def _copy_of(event: Event, *, starts_at: datetime, ends_at: datetime) -> Event:
    """An unsaved draft with `event`'s details at a new time."""
    copy = Event(**{name: getattr(event, name) for name in COPIED_FIELDS})
    copy.starts_at, copy.ends_at = starts_at, ends_at
    if event.registration_closes_at is not None:
        # Registration closes as long before the copy as it did before the original.
        copy.registration_closes_at = starts_at - (event.starts_at - event.registration_closes_at)
    copy.status = Event.Status.DRAFT
    return copy


def _copy_relations(*, source: Event, copy: Event) -> None:
    """Themes, hosts and people (with their roles and contributions) of `source` onto `copy`."""
    copy.themes.set(source.themes.all())
    copy.hosts.set(source.hosts.all())
    EventRole.objects.bulk_create(
        EventRole(
            event=copy,
            person_id=role.person_id,
            role=role.role,
            contribution_title=role.contribution_title,
            order=role.order,
        )
        for role in source.roles.order_by("order", "pk")
    )


# --- recurring series -----------------------------------------------------------------------

SCHEDULE_AT_MOST = 24
# How many of the rule's dates are looked at to find N free ones (most may be taken).
_DATES_LOOKED_AT = 1000


def next_free_occurrences(
    *, series: Series, count: int, now: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """The next `count` dates of the series' rule, from now on, that have no event of the series
    yet (cancelled events do not hold a date)."""
    now = now or timezone.now()
    taken = {
        timezone.localtime(start, LONDON).date()
        for start in Event.objects.filter(series=series, ends_at__gte=now)
        .exclude(status=Event.Status.CANCELLED)
        .values_list("starts_at", flat=True)
    }
    free = []
    for looked_at, (starts_at, ends_at) in enumerate(series.occurrences(after=now)):
        if len(free) == count or looked_at == _DATES_LOOKED_AT:
            break
        if timezone.localtime(starts_at, LONDON).date() not in taken:
            free.append((starts_at, ends_at))
    return free


def latest_scheduled_template(*, series: Series) -> Event | None:
    """The event the next occurrences copy: the series' latest one that is not cancelled."""
    return (
        Event.objects.filter(series=series)
        .exclude(status=Event.Status.CANCELLED)
        .reverse_chronological()
        .first()
    )


@transaction.atomic
def schedule_next_occurrences(*, series: Series, user, count: int) -> list[Event]:
    """Create drafts for the series' next `count` free dates, each copying the series' latest
    event (people, themes, hosts, venue, access, capacity). Each is an ordinary event."""
    series = Series.objects.select_for_update().get(pk=series.pk)  # one scheduling at a time
    if not series.can_edit(user):
        raise PermissionDenied
    if not series.has_rule:
        raise TransitionNotAllowed(_("Give the series its dates first (how it repeats)."))
    template = latest_scheduled_template(series=series)
    if template is None:
        raise TransitionNotAllowed(
            _("Make the first event of the series: the next ones are copied from the latest.")
        )
    count = max(1, min(count, SCHEDULE_AT_MOST))
    created = []
    for starts_at, ends_at in next_free_occurrences(series=series, count=count):
        copy = _copy_of(template, starts_at=starts_at, ends_at=ends_at)
        copy.created_by = user
        copy.save()
        _copy_relations(source=template, copy=copy)
        created.append(copy)
    return created


# --- registrations --------------------------------------------------------------------------


class RegistrationClosed(Exception):
    """The event does not take registrations now (draft, postponed, cancelled or closed)."""


def register_attendee(
    *, event: Event, user, attendance: str | None = None, access_needs: str = ""
) -> Registration:
    """Give `user` a place, or a place on the waitlist; returns their active registration.

    At a hybrid event `attendance` chooses the room or online: each has its own places (the
    room `capacity`, online `online_capacity`, either unlimited when empty) and its own waitlist.
    `access_needs` is for the organisers only. Idempotent: a user who is already registered
    (confirmed or waitlisted) gets that registration.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        existing = _active_registration(event=event, user=user)
        if existing is not None:
            return existing
        if not event.registration_is_open:
            raise RegistrationClosed(_("Registration for this event is closed."))
        _promote_waitlisted(event=event)  # nobody jumps the queue after a capacity increase
        attendance = event.attendance_for(attendance)
        limit = event.capacity_for(attendance)
        has_place = limit is None or _confirmed_count(event, attendance) < limit
        registration = Registration.objects.create(
            event=event,
            user=user,
            state=Registration.State.CONFIRMED if has_place else Registration.State.WAITLISTED,
            attendance=attendance,
            access_needs=(access_needs or "").strip(),
        )
        if registration.is_confirmed:
            _email_confirmation(registration, subject=_("You have a place at %(title)s"))
        else:
            _email_waitlisted(registration)
        return registration


def cancel_registration(
    *,
    registration: Registration | None = None,
    event: Event | None = None,
    user=None,
    send_receipt: bool = True,
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
        was_confirmed = current.is_confirmed
        current.state = Registration.State.CANCELLED
        current.save(update_fields=["state", "updated_at"])
        if send_receipt:
            _email_registration_cancelled(current, was_confirmed=was_confirmed)
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
    attachments = {}  # per language: the file's text is in the reader's language
    for registration in registrations:
        with in_language_of(registration.user):
            language = translation.get_language()
            if language not in attachments:
                # No joining link: the event is no longer happening.
                attachments[language] = notices.ics_attachment(event, include_joining_link=False)
            send_email_on_commit(
                to=[registration.user.email],
                subject=_("Cancelled: %(title)s") % {"title": event.title},
                text=render_to_string(
                    "events/email/event_cancelled.txt",
                    {"registration": registration, "event": event, "site_url": settings.SITE_URL},
                ),
                attachments=[attachments[language]],
            )
    return len(registrations)


def _active_registration(*, event: Event, user) -> Registration | None:
    return Registration.objects.filter(
        event=event, user=user, state__in=Registration.ACTIVE_STATES
    ).first()


def _pool(event: Event, attendance: str | None):
    """Registrations drawing on the same places: a hybrid event's room or online; else all."""
    registrations = Registration.objects.filter(event=event)
    if event.is_hybrid and attendance is not None:
        registrations = registrations.filter(attendance=attendance)
    return registrations


def _confirmed_count(event: Event, attendance: str | None = None) -> int:
    return _pool(event, attendance).filter(state=Registration.State.CONFIRMED).count()


def _promote_waitlisted(*, event: Event) -> list[Registration]:
    """With the event row locked: confirm the first waitlisted people while places are free."""
    if event.status != Event.Status.PUBLISHED or event.starts_at <= timezone.now():
        return []
    pools = Registration.Attendance.values if event.is_hybrid else [None]
    promoted = []
    for attendance in pools:
        promoted += _promote_in_pool(event=event, attendance=attendance)
    return promoted


def _promote_in_pool(*, event: Event, attendance: str | None) -> list[Registration]:
    queue = _pool(event, attendance).select_for_update().filter(state=Registration.State.WAITLISTED)
    limit = event.capacity_for(attendance or Registration.Attendance.ROOM)
    if limit is not None:
        free = limit - _confirmed_count(event, attendance)
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


def _email_confirmation(registration: Registration, *, subject: str, promoted=False) -> None:
    with in_language_of(registration.user):
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
            attachments=[
                notices.ics_attachment(event, include_joining_link=True)
            ],  # a confirmed place
        )


def _email_registration_cancelled(registration: Registration, *, was_confirmed: bool) -> None:
    """A short receipt: people who give up a place want to know it went through."""
    event = registration.event
    subject = (
        _("Your place at %(title)s is cancelled")
        if was_confirmed
        else _("You have left the waitlist for %(title)s")
    )
    send_email_on_commit(
        to=[registration.user.email],
        subject=subject % {"title": event.title},
        text=render_to_string(
            "events/email/registration_cancelled.txt",
            {
                "registration": registration,
                "event": event,
                "was_confirmed": was_confirmed,
                "site_url": settings.SITE_URL,
            },
        ),
    )


def _email_waitlisted(registration: Registration) -> None:
    with in_language_of(registration.user):
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


# --- reminders ------------------------------------------------------------------------------


def schedule_reminders(*, event: Event) -> None:
    """Ask the task queue to send `event`'s reminders when they fall due (after commit).

    Only backends that can defer a task (the database worker) take it; with any other backend,
    and as the safety net for a lost task, `manage.py send_reminders` sends whatever is due. A
    task that runs for an event since moved finds nothing due: the markers make it harmless.
    """
    from events.tasks import send_event_reminders

    if not event.send_reminder or event.status != Event.Status.PUBLISHED:
        return
    if not send_event_reminders.get_backend().supports_defer:
        return
    run_after = max(event.starts_at - notices.REMINDER_LEAD, timezone.now())
    event_id = event.pk
    transaction.on_commit(
        lambda: send_event_reminders.using(run_after=run_after).enqueue(event_id=event_id)
    )


def send_due_reminders(*, now: datetime | None = None, event_ids=None) -> int:
    """Send every reminder now due (events starting within REMINDER_LEAD); returns how many.

    Idempotent: each registration is marked when its reminder goes, in the same transaction as
    the mail is queued, and rows are locked so that two runs at once cannot both send one.
    People who registered after the reminder was due, or who opted out, get none.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Registration.objects.select_for_update(of=("self",))
            .filter(
                state=Registration.State.CONFIRMED,
                reminder_sent_at__isnull=True,
                event__status=Event.Status.PUBLISHED,
                event__send_reminder=True,
                event__starts_at__gt=now,
                event__starts_at__lte=now + notices.REMINDER_LEAD,
                user__is_active=True,
            )
            .filter(user__email_reminders=True)
            .select_related("user", "event", "event__venue")
            .order_by("event_id", "created_at", "pk")
        )
        if event_ids is not None:
            due = due.filter(event_id__in=event_ids)
        attachments: dict[int, tuple] = {}
        sent = []
        for registration in due:
            event = registration.event
            if registration.created_at > event.starts_at - notices.REMINDER_LEAD:
                continue  # registered within the last day: their confirmation is fresh enough
            if event.pk not in attachments:
                attachments[event.pk] = notices.ics_attachment(event, include_joining_link=True)
            notices.send_reminder(registration, attachment=attachments[event.pk])
            sent.append(registration.pk)
        Registration.objects.filter(pk__in=sent).update(reminder_sent_at=now)
    return len(sent)


def set_email_choice(*, user, kind: str, wanted: bool) -> None:
    """Turn one kind of attendee mail (notices.EmailKind) on or off for `user`.

    The same choice as on the account page; a cancellation always goes whatever the choice.
    """
    field = notices.EmailKind.FIELDS[kind]
    setattr(user, field, wanted)
    user.save(update_fields=[field])


# --- organisers' messages to attendees --------------------------------------------------------


class NobodyToEmail(Exception):
    """The chosen audience is empty; the message says so."""


@transaction.atomic
def email_attendees(*, event: Event, sender, subject: str, body: str, audience: str):
    """Email an organiser's message to the event's confirmed and/or waitlisted attendees.

    Each mail is queued as a task after commit, with Reply-To the sender; the event's log keeps
    who sent what, when and to how many.
    """
    event = _lock(event=event, user=sender)
    message = AttendeeMessage(
        event=event, sender=sender, subject=subject.strip(), body=body.strip(), audience=audience
    )
    registrations = [
        registration
        for registration in notices.active_registrations(event, states=message.states)
        if notices.wants(registration.user, notices.EmailKind.CHANGES)
    ]
    if not registrations:
        raise NobodyToEmail(_("Nobody is registered in the group you chose."))
    message.recipient_count = len(registrations)
    message.save()
    notices.send_attendee_message(message, registrations)
    return message


# --- asking to be removed ----------------------------------------------------------------------


def ask_to_remove_person(*, person: Person, email: str, message: str) -> int:
    """Someone asks that `person`'s listing be removed: staff, and whoever created an event that
    names them, are emailed (each in their language) the request and where to act. Returns how
    many were told."""
    creators = Event.objects.filter(
        pk__in=EventRole.with_invitations.filter(person=person).values("event_id")
    ).values("created_by_id")
    recipients = (
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(pk__in=creators))
        .exclude(email="")
        .order_by("pk")
    )
    told = 0
    for recipient in recipients:
        with in_language_of(recipient):
            send_email_on_commit(
                to=[recipient.email],
                subject=_("Removal request: %(name)s") % {"name": person.name},
                text=render_to_string(
                    "events/email/person_removal_request.txt",
                    {
                        "person": person,
                        "email": email,
                        "message": message,
                        "page_url": settings.SITE_URL + person.get_absolute_url(),
                        "admin_url": settings.SITE_URL
                        + reverse("admin:people_person_change", args=[person.pk]),
                    },
                ),
                headers={"Reply-To": email},
            )
        told += 1
    return told


# --- a member's data (people.services calls these through its registry) ------------------------


def export_registrations(user) -> list[dict]:
    """The member's registrations, for their data export."""
    registrations = (
        Registration.objects.filter(user=user).select_related("event").order_by("created_at", "pk")
    )
    return [
        {
            "event": registration.event.title,
            "url": settings.SITE_URL + registration.event.get_absolute_url(),
            "starts_at": registration.event.starts_at.isoformat(),
            "state": registration.state,
            "registered_at": registration.created_at.isoformat(),
        }
        for registration in registrations
    ]


def export_calendar_link(user) -> dict:
    token = CalendarToken.objects.filter(user=user).first()
    return {"exists": token is not None, "revoked": bool(token and token.revoked)}


def give_up_places_of_deleted_member(user) -> None:
    """Before an account goes: its places at coming events pass to the waitlist."""
    upcoming = Registration.objects.filter(
        user=user, state__in=Registration.ACTIVE_STATES, event__ends_at__gte=timezone.now()
    ).select_related("event")
    for registration in list(upcoming):
        cancel_registration(registration=registration, send_receipt=False)
