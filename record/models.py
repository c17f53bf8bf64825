"""The event's record: before (priorities, dot votes, agenda) and after (summary, notes,
outcomes with a dated history, the pulse), plus who follows what and their perspective.

This app sits above `events` and `discussions` (an outcome may answer discussion threads, so it
holds a real relation to `discussions.Thread`); neither of them imports it. It reaches the event
page through `events.panels` and the calendar description through `events.calendar` hooks.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discussions.models import Thread
from events.models import Event, Series, Theme, public_q
from people.models import Person

PRIORITY_MAX_LENGTH = 300
# Change markers (core/fragments.py), moved after commit by record/hooks.py: any change of the
# record (priorities, agendas, outcomes, summaries) and one member's follows.
RECORD_MARKER = "record"


def follows_marker(user_id) -> str:
    return f"follows:{user_id}"


DEFAULT_DOTS = 3
MAX_DOTS = 20
# Perspective breakdowns show a group only when it has at least this many people in it.
BREAKDOWN_MIN_GROUP = 5


def can_organise(user, event: Event) -> bool:
    """Who runs an event's record (promote, hide, merge, close, update): its editors."""
    return event.can_edit(user)


class EventRecordQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def for_event(self, event: Event) -> "EventRecord":
        """The event's record row, created on first use."""
        record, _created = self.get_or_create(event=event)
        record.event = event
        return record


class EventRecord(models.Model):
    """One per event: the dot allowance before, the summary and its publication after."""

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="record"
    )
    dots_per_person = models.PositiveSmallIntegerField(
        _("dots per person"),
        default=DEFAULT_DOTS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DOTS)],
        help_text=_("How many dots each person may place on the questions and priorities."),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=5000,
        help_text=_("In plain language: what happened, what was said, what happens next."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    credit_review_sent_at = models.DateTimeField(
        _("people named were asked at"), null=True, blank=True
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    objects = EventRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("event record")
        verbose_name_plural = _("event records")

    def __str__(self):
        return str(self.event)

    def get_absolute_url(self):
        return reverse("record:event", kwargs={"slug": self.event.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def priorities_open(event: Event, now=None) -> bool:
    """Questions and priorities are taken from publication until the event starts."""
    now = now or timezone.now()
    return event.status == Event.Status.PUBLISHED and now < event.starts_at


def can_submit(user, event: Event) -> bool:
    """Signed-in, active people, while priorities are open."""
    return bool(user.is_authenticated and user.is_active and priorities_open(event))


# Voting has the same rule as submitting: one predicate, two names for readable call sites.
can_vote = can_submit


class PriorityQuerySet(models.QuerySet):
    def shown(self):
        """Neither hidden by an organiser nor merged into another item."""
        return self.filter(hidden_at__isnull=True, merged_into__isnull=True)

    def by_dots(self):
        return self.order_by("-dot_count", "created_at", "pk")

    def unanswered(self):
        """Shown items no outcome answers (an agenda slot discussed it; an outcome answers it)."""
        return self.shown().filter(outcomes__isnull=True)


class Priority(models.Model):
    """A short question or priority someone brings to an event before it starts."""

    class Kind(models.TextChoices):
        PRIORITY = "priority", _("Priority")
        QUESTION = "question", _("Question")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="priorities"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="record_priorities",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRIORITY)
    text = models.CharField(_("text"), max_length=PRIORITY_MAX_LENGTH)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="priorities",
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # Denormalised total of everyone's dots, kept exact by record.services (F() updates).
    dot_count = models.PositiveIntegerField(_("dots"), default=0)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
    )

    objects = PriorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("question or priority")
        verbose_name_plural = _("questions and priorities")
        ordering = ["-dot_count", "created_at", "pk"]
        indexes = [models.Index(fields=["event", "-dot_count"], name="priority_event_dots_idx")]

    def __str__(self):
        return self.text

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_shown(self) -> bool:
        return self.hidden_at is None and self.merged_into_id is None


class Ballot(models.Model):
    """One person's dots at one event. Its row is locked while dots move, so the allowance holds
    under concurrent requests (select_for_update in record.services)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_ballots"
    )
    dots_used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="ballot_one_per_user_event")
        ]

    def __str__(self):
        return f"{self.user} at {self.event}: {self.dots_used}"


class Dot(models.Model):
    """How many of a person's dots sit on one item (one row per person and item)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="dots")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="dots")
    count = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("dots on an item")
        verbose_name_plural = _("dots on items")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "priority"], name="dot_one_row_per_item"),
            models.CheckConstraint(condition=Q(count__gte=1), name="dot_count_positive"),
        ]

    def __str__(self):
        return f"{self.count} on {self.priority}"


class AgendaItem(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    starts_at = models.TimeField(_("starts at"), help_text=_("UK time, e.g. 18:30"))
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    presenters = models.ManyToManyField(
        Person, verbose_name=_("presenters"), related_name="agenda_items", blank=True
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="agenda_items", blank=True
    )
    priorities = models.ManyToManyField(
        Priority,
        verbose_name=_("questions and priorities it answers"),
        related_name="agenda_items",
        blank=True,
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.title


class OutcomeQuerySet(models.QuerySet):
    def public(self):
        """Outcomes of published records of public events."""
        return self.filter(public_q("event__"), event__record__published_at__isnull=False)

    def still_open(self):
        return self.filter(status__in=Outcome.OPEN_STATUSES)

    def with_listing_data(self):
        """The fetch shape of an outcome row: event, themes and the dated history."""
        return self.select_related("event").prefetch_related(
            "themes",
            models.Prefetch("updates", queryset=OutcomeUpdate.objects.order_by("created_at", "pk")),
        )

    def status_counts(self) -> dict[str, int]:
        counts = dict(self.order_by().values_list("status").annotate(n=models.Count("pk")))
        return {status: counts.get(status, 0) for status in Outcome.Status.values}


class Outcome(models.Model):
    """What came out of an event, with who owns it and where it stands."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        ACTION = "action", _("Action")
        COMMITMENT = "commitment", _("Commitment")
        PASSED_ON = "passed_on", _("Priority passed on")
        OPEN_QUESTION = "open_question", _("Open question")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_TAKEN_FORWARD = "not_taken_forward", _("Not taken forward")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("what"), max_length=300)
    description = models.TextField(_("details"), blank=True, max_length=3000)
    owner = models.CharField(
        _("owner"),
        max_length=200,
        blank=True,
        help_text=_("An organisation or person, e.g. Welsh Government, Social Services team"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="outcomes", blank=True
    )
    priorities = models.ManyToManyField(
        Priority,
        verbose_name=_("questions and priorities it answers"),
        related_name="outcomes",
        blank=True,
    )
    threads = models.ManyToManyField(
        Thread,
        verbose_name=_("discussion threads it answers"),
        related_name="outcomes",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    status_reason = models.TextField(
        _("reason"), blank=True, max_length=2000, help_text=_("Why it was not taken forward.")
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-status_changed_at", "-pk"]
        indexes = [
            models.Index(fields=["event", "status"], name="outcome_event_status_idx"),
            models.Index(fields=["-status_changed_at", "-id"], name="outcome_changed_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("record:event", kwargs={"slug": self.event.slug}) + f"#outcome-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class OutcomeUpdate(models.Model):
    """A dated entry in an outcome's history: the status it moved to, and why."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=20, choices=Outcome.Status.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("outcome update")
        verbose_name_plural = _("outcome updates")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="outcomeupdate_recent_idx")]

    def __str__(self):
        return f"{self.outcome}: {self.get_status_display()}"


class Contribution(models.Model):
    """A note of what someone said, with how they may be credited."""

    class Credit(models.TextChoices):
        NAMED = "named", _("Named")
        ANONYMISED = "anonymised", _("Anonymised")
        NOT_ATTRIBUTED = "not_attributed", _("Not attributed (Chatham House)")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="contributions"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("who said it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    text = models.TextField(_("what was said"), max_length=3000)
    credit = models.CharField(
        _("credit"), max_length=20, choices=Credit.choices, default=Credit.NOT_ATTRIBUTED
    )
    review_sent_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]

    @property
    def attribution(self) -> str:
        """What readers see beside the words."""
        if self.credit == self.Credit.NAMED and self.person_id:
            return self.person.name
        if self.credit == self.Credit.ANONYMISED:
            return str(_("A participant"))
        return ""


class FollowQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Follow(models.Model):
    """A member follows an event, a series or a theme (exactly one) for outcome updates.
    Unfollowing keeps the row, inactive: it also records that an attendee opted out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_follows"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="record_follows"
    )
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, null=True, blank=True, related_name="record_follows"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="record_follows"
    )
    active = models.BooleanField(_("sends email"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    TARGETS = ("event", "series", "theme")

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, series__isnull=True, theme__isnull=True)
                | Q(event__isnull=True, series__isnull=False, theme__isnull=True)
                | Q(event__isnull=True, series__isnull=True, theme__isnull=False),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "event"], condition=Q(event__isnull=False), name="follow_event"
            ),
            models.UniqueConstraint(
                fields=["user", "series"], condition=Q(series__isnull=False), name="follow_series"
            ),
            models.UniqueConstraint(
                fields=["user", "theme"], condition=Q(theme__isnull=False), name="follow_theme"
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.target}"

    @property
    def target(self):
        return self.event or self.series or self.theme


class Profile(models.Model):
    """What a member says about themselves for the record: their perspective (optional)."""

    class Perspective(models.TextChoices):
        CITIZEN = "citizen", _("Citizen or service user")
        CARER = "carer", _("Carer")
        PRACTITIONER = "practitioner", _("Front-line practitioner")
        MANAGER = "manager", _("Manager")
        RESEARCHER = "researcher", _("Researcher")
        POLICY = "policy", _("Policy maker")
        THIRD_SECTOR = "third_sector", _("Third sector")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_profile"
    )
    perspective = models.CharField(
        _("your perspective"),
        max_length=20,
        choices=Perspective.choices,
        blank=True,
        help_text=_(
            "Optional. Used only to show, for groups of five or more, how different people "
            "saw an event. Never shown beside your name."
        ),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user}: {self.get_perspective_display() or '-'}"


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class PulseResponse(models.Model):
    """One person's answer to the short post-event pulse."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pulse_responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_responses"
    )
    heard = models.PositiveSmallIntegerField(
        _("Did you feel heard?"),
        choices=SCORE_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1: not at all, 5: completely"),
    )
    change = models.PositiveSmallIntegerField(
        _("Will anything change because of today?"),
        choices=SCORE_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1: nothing, 5: a lot"),
    )
    comment = models.TextField(_("Anything to add? (optional)"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pulse answer")
        verbose_name_plural = _("pulse answers")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="pulse_one_per_user_event"),
            models.CheckConstraint(
                condition=Q(heard__gte=1, heard__lte=5, change__gte=1, change__lte=5),
                name="pulse_scores_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.user} at {self.event}"
