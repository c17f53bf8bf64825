"""Writes on an event's record. Views, admin, commands and tests all call these.

Keyword-only verbs, one transaction each, mail only after commit (core.mail). Dots are the
contested write: a person's Ballot row for the event is locked first (select_for_update), then
the item, so the allowance holds however many requests arrive at once.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import in_language_of
from core.mail import send_email_on_commit
from events.models import Event, Registration
from events.signals import calendars_changed
from people.models import User
from record.models import (
    AgendaItem,
    Ballot,
    Contribution,
    Dot,
    EventRecord,
    Follow,
    Outcome,
    OutcomeUpdate,
    Priority,
    PulseResponse,
    can_organise,
    can_submit,
    can_vote,
)

UNSUBSCRIBE_SALT = "record.unsubscribe"
CREDIT_SALT = "record.credit"
# A credit link works for this long: long enough to read the email after a holiday.
CREDIT_LINK_MAX_AGE = timedelta(days=60)
REMINDER_AFTER = timedelta(days=3)
# Events that ended longer ago than this get no reminder: switching the command on for the first
# time must not mail organisers about every event they ever held.
REMINDER_WINDOW = timedelta(days=14)


class Refused(ValidationError):
    """An action the record does not accept right now (nothing was saved)."""


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# --- before: questions, priorities and dots -----------------------------------------------------


@transaction.atomic
def submit_priority(*, event: Event, author, text: str, kind: str, theme=None) -> Priority:
    """A signed-in person brings a question or priority, from publication until the start."""
    _require(can_submit(author, event))
    return Priority.objects.create(
        event=event, author=author, text=text.strip(), kind=kind, theme=theme
    )


def _locked_ballot(*, event: Event, user) -> Ballot:
    # get_or_create survives a concurrent first vote (the unique constraint, then a re-read);
    # the lock that follows makes every later read of dots_used current.
    ballot, _created = Ballot.objects.get_or_create(event=event, user=user)
    return Ballot.objects.select_for_update().get(pk=ballot.pk)


def _locked_priority(priority: Priority) -> Priority:
    return Priority.objects.select_for_update().select_related("event").get(pk=priority.pk)


def dots_left(*, event: Event, user, allowance: int) -> int:
    if not user.is_authenticated:
        return 0
    used = Ballot.objects.filter(event=event, user=user).values_list("dots_used", flat=True)
    return allowance - (used.first() or 0)


@transaction.atomic
def add_dot(*, priority: Priority, user) -> Priority:
    """Put one of `user`'s dots on an item (several on one item are allowed)."""
    event = priority.event
    _require(can_vote(user, event))
    allowance = EventRecord.objects.for_event(event).dots_per_person
    ballot = _locked_ballot(event=event, user=user)
    priority = _locked_priority(priority)
    if not priority.is_shown:
        raise Refused(_("This item no longer takes dots."), code="not_shown")
    if ballot.dots_used >= allowance:
        raise Refused(
            _("You have placed all your %(n)s dots. Take one back to place it elsewhere.")
            % {"n": allowance},
            code="no_dots_left",
        )
    _shift_dots(ballot=ballot, priority=priority, by=1)
    Ballot.objects.filter(pk=ballot.pk).update(dots_used=F("dots_used") + 1)
    return priority


@transaction.atomic
def remove_dot(*, priority: Priority, user) -> Priority:
    """Take one of `user`'s dots back from an item."""
    event = priority.event
    _require(can_vote(user, event))
    ballot = _locked_ballot(event=event, user=user)
    priority = _locked_priority(priority)
    if not Dot.objects.filter(ballot=ballot, priority=priority).exists():
        raise Refused(_("You have no dot on this item."), code="no_dot")
    _shift_dots(ballot=ballot, priority=priority, by=-1)
    Ballot.objects.filter(pk=ballot.pk).update(dots_used=F("dots_used") - 1)
    return priority


@transaction.atomic
def move_dot(*, source: Priority, target: Priority, user) -> Priority:
    """Move one dot from one item to another of the same event (the total stays the same)."""
    event = source.event
    _require(can_vote(user, event))
    if source.event_id != target.event_id or source.pk == target.pk:
        raise Refused(_("Choose another item of the same event."), code="bad_target")
    ballot = _locked_ballot(event=event, user=user)
    first, second = sorted([source, target], key=lambda p: p.pk)  # one lock order: no deadlock
    locked = {p.pk: _locked_priority(p) for p in (first, second)}
    source, target = locked[source.pk], locked[target.pk]
    if not target.is_shown:
        raise Refused(_("This item no longer takes dots."), code="not_shown")
    if not Dot.objects.filter(ballot=ballot, priority=source).exists():
        raise Refused(_("You have no dot on this item."), code="no_dot")
    _shift_dots(ballot=ballot, priority=source, by=-1)
    _shift_dots(ballot=ballot, priority=target, by=1)
    return target


def _shift_dots(*, ballot: Ballot, priority: Priority, by: int) -> None:
    dot = Dot.objects.filter(ballot=ballot, priority=priority).first()
    if dot is None:
        Dot.objects.create(ballot=ballot, priority=priority, count=by)
    elif dot.count + by == 0:
        dot.delete()
    else:
        Dot.objects.filter(pk=dot.pk).update(count=F("count") + by)
    Priority.objects.filter(pk=priority.pk).update(dot_count=F("dot_count") + by)


def set_dot_allowance(*, event: Event, user, dots: int) -> EventRecord:
    """Organisers change how many dots each person has (people over it keep theirs)."""
    _require(can_organise(user, event))
    record = EventRecord.objects.for_event(event)
    record.dots_per_person = dots
    record.full_clean(exclude=["event", "published_by"])
    record.save(update_fields=["dots_per_person"])
    return record


@transaction.atomic
def hide_priority(*, priority: Priority, user, reason: str) -> Priority:
    """Hide an off-topic item; its author sees the reason."""
    _require(can_organise(user, priority.event))
    if not reason.strip():
        raise Refused(_("Give the author a reason."), code="reason")
    # The dots on it go back to the people who placed them. Ballots first, then the item: the
    # lock order of add_dot, so the two never deadlock.
    ballot_ids = list(
        Ballot.objects.select_for_update()
        .filter(dots__priority=priority)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    priority = _locked_priority(priority)
    for dot in Dot.objects.filter(priority=priority, ballot_id__in=ballot_ids):
        Ballot.objects.filter(pk=dot.ballot_id).update(dots_used=F("dots_used") - dot.count)
        dot.delete()
    priority.hidden_at = timezone.now()
    priority.hidden_by = user
    priority.hidden_reason = reason.strip()
    priority.dot_count = 0
    priority.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "dot_count"])
    return priority


@transaction.atomic
def unhide_priority(*, priority: Priority, user) -> Priority:
    _require(can_organise(user, priority.event))
    priority.hidden_at = None
    priority.hidden_by = None
    priority.hidden_reason = ""
    priority.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return priority


@transaction.atomic
def merge_priorities(*, duplicate: Priority, into: Priority, user) -> Priority:
    """Fold a duplicate into another item: its dots follow (a person's total is unchanged)."""
    _require(can_organise(user, duplicate.event))
    if duplicate.event_id != into.event_id or duplicate.pk == into.pk:
        raise Refused(_("Choose another item of the same event."), code="bad_target")
    first, second = sorted([duplicate, into], key=lambda p: p.pk)
    locked = {p.pk: _locked_priority(p) for p in (first, second)}
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if not (duplicate.is_shown and into.is_shown):
        raise Refused(_("Both items must be shown to merge them."), code="not_shown")
    moved = 0
    for dot in Dot.objects.filter(priority=duplicate):
        existing = Dot.objects.filter(ballot_id=dot.ballot_id, priority=into).first()
        if existing:
            Dot.objects.filter(pk=existing.pk).update(count=F("count") + dot.count)
            dot.delete()
        else:
            dot.priority = into
            dot.save(update_fields=["priority"])
        moved += dot.count
    Priority.objects.filter(pk=into.pk).update(dot_count=F("dot_count") + moved)
    duplicate.merged_into = into
    duplicate.dot_count = 0
    duplicate.save(update_fields=["merged_into", "dot_count"])
    into.refresh_from_db()
    return into


@transaction.atomic
def save_agenda_item(
    *,
    event: Event,
    user,
    item: AgendaItem | None = None,
    presenters=(),
    themes=(),
    priorities=(),
    **fields,
) -> AgendaItem:
    """Add or change an agenda item; promoting an item is adding one that answers it."""
    _require(can_organise(user, event))
    item = item or AgendaItem(event=event)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    item.presenters.set(presenters)
    item.themes.set(themes)
    item.priorities.set(priorities)
    return item


@transaction.atomic
def delete_agenda_item(*, item: AgendaItem, user) -> None:
    _require(can_organise(user, item.event))
    item.delete()


# --- after: the record and its outcomes ---------------------------------------------------------


def can_close(user, event: Event) -> bool:
    """Organisers write the record once the event has started."""
    return can_organise(user, event) and event.starts_at <= timezone.now()


@transaction.atomic
def save_summary(*, event: Event, user, summary: str) -> EventRecord:
    _require(can_close(user, event))
    record = EventRecord.objects.for_event(event)
    record.summary = summary.strip()
    record.save(update_fields=["summary"])
    return record


@transaction.atomic
def save_outcome(
    *,
    event: Event,
    user,
    outcome: Outcome | None = None,
    themes=(),
    priorities=(),
    threads=(),
    **fields,
) -> Outcome:
    """Add an outcome (its history starts with its status) or change its description."""
    _require(can_close(user, event))
    created = outcome is None
    outcome = outcome or Outcome(event=event)
    for name, value in fields.items():
        setattr(outcome, name, value)
    outcome.save()
    outcome.themes.set(themes)
    outcome.priorities.set(priorities)
    outcome.threads.set(threads)
    if created:
        OutcomeUpdate.objects.create(
            outcome=outcome,
            status=outcome.status,
            note=outcome.status_reason,
            created_by=user,
            created_at=outcome.created_at,
        )
    return outcome


def people_to_ask(event: Event):
    """Named notes whose person has an account with an email and has not been asked yet."""
    return Contribution.objects.filter(
        event=event,
        credit=Contribution.Credit.NAMED,
        review_sent_at__isnull=True,
        person__user__is_active=True,
    ).exclude(person__user__email="")


@transaction.atomic
def publish_record(*, event: Event, user) -> EventRecord:
    """Close the event: the record goes public and its followers and attendees hear of it."""
    _require(can_close(user, event))
    record = EventRecord.objects.select_for_update().get(pk=EventRecord.objects.for_event(event).pk)
    if record.is_published:
        return record
    if not record.summary:
        raise Refused(_("Write the summary before publishing."), code="no_summary")
    if people_to_ask(event).exists():
        raise Refused(
            _("Email the people named in the notes before publishing, so they can choose."),
            code="credit_review",
        )
    record.published_at = timezone.now()
    record.published_by = user
    record.save(update_fields=["published_at", "published_by"])
    record.event = event
    # The calendar entry's description now links to the record: a new updated_at renews the
    # entry (its DTSTAMP, and the copies events.calendar_http keeps per event version).
    Event.objects.filter(pk=event.pk).update(updated_at=record.published_at)
    calendars_changed()
    _notify(
        event=event,
        themes=list(event.themes.all()),
        subject=lambda: _("The record of %(event)s is published") % {"event": event.title},
        template="record/email/record_published",
        context={"record": record, "outcomes": list(event.outcomes.all())},
    )
    return record


@transaction.atomic
def change_outcome_status(*, outcome: Outcome, user, status: str, note: str = "") -> Outcome:
    """A dated step in the outcome's history; once the record is public, those concerned hear."""
    outcome = Outcome.objects.select_for_update().select_related("event").get(pk=outcome.pk)
    _require(can_close(user, outcome.event))
    note = note.strip()
    if status == Outcome.Status.NOT_TAKEN_FORWARD and not note:
        raise Refused(_("Say why it was not taken forward."), code="reason")
    if status == outcome.status and not note:
        raise Refused(_("Choose a new status or add a note."), code="unchanged")
    now = timezone.now()
    update = OutcomeUpdate.objects.create(
        outcome=outcome, status=status, note=note, created_by=user, created_at=now
    )
    outcome.status = status
    outcome.status_changed_at = now
    if status == Outcome.Status.NOT_TAKEN_FORWARD:
        outcome.status_reason = note
    outcome.save(update_fields=["status", "status_changed_at", "status_reason"])
    if EventRecord.objects.published().filter(event_id=outcome.event_id).exists():
        event = outcome.event
        _notify(
            event=event,
            themes=list(event.themes.all()) + list(outcome.themes.all()),
            subject=lambda: (
                _("%(status)s: %(outcome)s")
                % {"status": update.get_status_display(), "outcome": outcome.title}
            ),
            template="record/email/outcome_update",
            context={"outcome": outcome, "update": update},
        )
    return outcome


# --- who hears of it ----------------------------------------------------------------------------


def recipients(*, event: Event, themes) -> dict[int, tuple[User, str, int]]:
    """user id -> (user, follow kind, target id) for everyone told of an outcome update.

    The event's confirmed attendees and the active followers of the event, its series or any of
    `themes`; an inactive event follow (an unsubscribe) silences attendance. The kind and target
    say which follow one click on the email ends: the event's before the series', before a theme's.
    """
    theme_ids = {theme.pk for theme in themes}
    follows = (
        Follow.objects.filter(user__is_active=True)
        .filter(
            Q(event=event)
            | Q(series_id=event.series_id, series__isnull=False)
            | Q(theme_id__in=theme_ids)
        )
        .select_related("user")
        .order_by("pk")
    )
    chosen: dict[int, tuple[User, str, int]] = {}
    silenced = set()
    by_kind = {"event": [], "series": [], "theme": []}
    for follow in follows:
        if follow.event_id and not follow.active:
            silenced.add(follow.user_id)
        elif follow.active:
            kind = "event" if follow.event_id else "series" if follow.series_id else "theme"
            by_kind[kind].append(follow)
    for follow in by_kind["event"]:
        chosen[follow.user_id] = (follow.user, "event", event.pk)
    attendees = User.objects.filter(
        is_active=True,
        registrations__event=event,
        registrations__state=Registration.State.CONFIRMED,
    )
    for user in attendees:
        if user.pk not in silenced:
            chosen.setdefault(user.pk, (user, "event", event.pk))
    for follow in by_kind["series"]:
        chosen.setdefault(follow.user_id, (follow.user, "series", follow.series_id))
    for follow in by_kind["theme"]:
        chosen.setdefault(follow.user_id, (follow.user, "theme", follow.theme_id))
    return chosen


def unsubscribe_token(*, user, kind: str, target_id: int) -> str:
    """A signed token that ends one follow (it is no sign-in and grants nothing else)."""
    return signing.dumps({"u": user.pk, "k": kind, "t": target_id}, salt=UNSUBSCRIBE_SALT)


def follow_from_token(token: str) -> dict:
    """{'user': User, 'kind': ..., 'target': obj} for a valid token; ValueError otherwise."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = data["k"]
        if kind not in Follow.TARGETS:
            raise ValueError(kind)
        model = Follow._meta.get_field(kind).related_model
        return {
            "user": User.objects.get(pk=int(data["u"])),
            "kind": kind,
            "target": model.objects.get(pk=int(data["t"])),
        }
    except (signing.BadSignature, KeyError, TypeError, ValueError, ObjectDoesNotExist):
        raise ValueError("bad unsubscribe token") from None


def set_follow(*, user, target, active: bool) -> Follow:
    """Follow (or stop following) an event, a series or a theme."""
    _require(user.is_authenticated and (user.is_active or not active))
    kind = target._meta.model_name
    follow, _created = Follow.objects.update_or_create(
        user=user, **{kind: target}, defaults={"active": active}
    )
    return follow


def _notify(*, event: Event, themes, subject, template: str, context: dict) -> None:
    """One email to each of `recipients()`, in their own language: `subject` is a callable, so
    its words (and the status names in it) are translated for each recipient."""
    for user, kind, target_id in recipients(event=event, themes=themes).values():
        token = unsubscribe_token(user=user, kind=kind, target_id=target_id)
        with in_language_of(user):
            record_url = settings.SITE_URL + reverse("record:event", kwargs={"slug": event.slug})
            unsubscribe_url = settings.SITE_URL + reverse(
                "record:unsubscribe", kwargs={"token": token}
            )
            data = {
                **context,
                "event": event,
                "recipient": user,
                "record_url": record_url,
                "unsubscribe_url": unsubscribe_url,
            }
            subject_text = subject()
            text = render_to_string(f"{template}.txt", data)
        send_email_on_commit(
            to=[user.email],
            subject=subject_text,
            text=text,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"<record-{kind}-{target_id}.commons>",
            },
        )


# --- the reminder to write a record -------------------------------------------------------------


def events_needing_reminder(now=None):
    now = now or timezone.now()
    return (
        Event.objects.filter(
            status=Event.Status.PUBLISHED,
            ends_at__lte=now - REMINDER_AFTER,
            ends_at__gt=now - REMINDER_AFTER - REMINDER_WINDOW,
        )
        .exclude(record__published_at__isnull=False)
        .exclude(record__reminder_sent_at__isnull=False)
        .prefetch_related("roles__person__user")
        .select_related("created_by")
    )


def send_record_reminders(*, now=None) -> int:
    """One email per event to its organisers, three days after an event without a record.

    Idempotent: the reminder time is claimed with a conditional UPDATE before the mail is queued,
    so two runs at once (or a rerun) never send a second reminder.
    """
    now = now or timezone.now()
    sent = 0
    for event in events_needing_reminder(now):
        with transaction.atomic():
            record = EventRecord.objects.for_event(event)
            claimed = EventRecord.objects.filter(
                pk=record.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            organisers = _organisers(event)
            if not organisers:
                continue
            for organiser in organisers:  # one email each, in their own language
                with in_language_of(organiser):
                    url = settings.SITE_URL + reverse("record:manage", kwargs={"slug": event.slug})
                    subject = _("What came of %(event)s? Write its record") % {"event": event.title}
                    text = render_to_string(
                        "record/email/reminder.txt", {"event": event, "url": url}
                    )
                send_email_on_commit(to=[organiser.email], subject=subject, text=text)
            sent += 1
    return sent


def _organisers(event: Event) -> list[User]:
    """The event's active organisers (roles and its creator) with an email, by email."""
    users = {
        role.person.user
        for role in event.roles.all()
        if role.role == "organiser" and role.person.user_id and role.person.user.is_active
    }
    if event.created_by and event.created_by.is_active:
        users.add(event.created_by)
    return sorted((user for user in users if user.email), key=lambda user: user.email)


# --- consent: how people are credited -----------------------------------------------------------


@transaction.atomic
def save_contribution(
    *, event: Event, user, contribution: Contribution | None = None, **fields
) -> Contribution:
    _require(can_close(user, event))
    contribution = contribution or Contribution(event=event)
    for name, value in fields.items():
        setattr(contribution, name, value)
    contribution.save()
    return contribution


def credit_token(contribution: Contribution) -> str:
    return signing.dumps({"c": contribution.pk}, salt=CREDIT_SALT)


def contribution_from_token(token: str) -> Contribution:
    try:
        data = signing.loads(token, salt=CREDIT_SALT, max_age=CREDIT_LINK_MAX_AGE.total_seconds())
        return Contribution.objects.select_related("event", "person").get(pk=int(data["c"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Contribution.DoesNotExist from None


@transaction.atomic
def ask_people_named(*, event: Event, user) -> int:
    """Email each person named in the notes a link to switch their credit to anonymised."""
    _require(can_close(user, event))
    now = timezone.now()
    asked = 0
    for contribution in people_to_ask(event).select_related("person__user"):
        quoted = contribution.person.user
        with in_language_of(quoted):
            url = settings.SITE_URL + reverse(
                "record:credit", kwargs={"token": credit_token(contribution)}
            )
            context = {"event": event, "contribution": contribution, "url": url}
            subject = _("You are quoted in the record of %(event)s") % {"event": event.title}
            text = render_to_string("record/email/credit_review.txt", context)
        send_email_on_commit(to=[quoted.email], subject=subject, text=text)
        contribution.review_sent_at = now
        contribution.save(update_fields=["review_sent_at"])
        asked += 1
    EventRecord.objects.filter(event=event).update(credit_review_sent_at=now)
    return asked


@transaction.atomic
def anonymise_credit(*, contribution: Contribution) -> Contribution:
    """The person quoted chooses not to be named (from the signed link in their email)."""
    if contribution.credit == Contribution.Credit.NAMED:
        contribution.credit = Contribution.Credit.ANONYMISED
        contribution.save(update_fields=["credit"])
    return contribution


# --- voice: the pulse ---------------------------------------------------------------------------


def can_answer_pulse(user, event: Event) -> bool:
    """People with a confirmed place, once the event has started."""
    return bool(
        user.is_authenticated
        and user.is_active
        and event.starts_at <= timezone.now()
        and event.status == Event.Status.PUBLISHED
        and Registration.objects.filter(
            event=event, user=user, state=Registration.State.CONFIRMED
        ).exists()
    )


@transaction.atomic
def answer_pulse(
    *, event: Event, user, heard: int, change: int, comment: str = ""
) -> PulseResponse:
    """One answer per person: answering again replaces the earlier answer."""
    _require(can_answer_pulse(user, event))
    response, _created = PulseResponse.objects.update_or_create(
        event=event,
        user=user,
        defaults={"heard": heard, "change": change, "comment": comment.strip()},
    )
    return response
