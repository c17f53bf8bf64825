import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.i18n import ShownText
from core.models import Addressable, Slugged
from core.slugs import unique_slug
from people.models import Organisation, Person

LONDON = ZoneInfo("Europe/London")

# Literal paths under /events/ that an event slug must never shadow.
RESERVED_EVENT_SLUGS = frozenset({"new", "mine"})


# A weekday's bare name, as it follows "every" or an ordinal ("Monday"; Welsh "Llun").
WEEKDAY_NAMES = [
    pgettext_lazy("weekday name in a phrase", "Monday"),
    pgettext_lazy("weekday name in a phrase", "Tuesday"),
    pgettext_lazy("weekday name in a phrase", "Wednesday"),
    pgettext_lazy("weekday name in a phrase", "Thursday"),
    pgettext_lazy("weekday name in a phrase", "Friday"),
    pgettext_lazy("weekday name in a phrase", "Saturday"),
    pgettext_lazy("weekday name in a phrase", "Sunday"),
]
NTH_WEEKDAY = {
    1: _("the first %(day)s"),
    2: _("the second %(day)s"),
    3: _("the third %(day)s"),
    4: _("the fourth %(day)s"),
    -1: _("the last %(day)s"),
}


def _london_instant(naive: datetime) -> datetime | None:
    """`naive` read as London wall-clock time, or None when the clocks skip or repeat it."""
    early, late = naive.replace(tzinfo=LONDON, fold=0), naive.replace(tzinfo=LONDON, fold=1)
    if early.utcoffset() != late.utcoffset():
        return None
    return early


def london_midnight(day) -> datetime:
    """The aware instant at which `day` begins in Europe/London."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


def named_q(name: str) -> Q:
    """Rows of a model with a `name` in both languages (Theme, Series, Venue) called `name` in
    either language, in any case: a theme typed in Welsh finds the one listed with that name."""
    return Q(name_en__iexact=name) | Q(name_cy__iexact=name)


class Theme(Addressable):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    url_name = "events:theme"

    class Meta:
        ordering = [ShownText("name"), "pk"]  # the names the reader sees (Welsh or English)
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class Series(Addressable):
    """A recurring format, such as the Policy Cafe, optionally with a rule for its dates.

    The rule ("second Monday of each month, 18:00 to 20:00") is kept in London wall-clock time:
    occurrences stay at 18:00 whether the clocks show GMT or BST. Each occurrence scheduled from
    it is an ordinary event (services.schedule_next_occurrences).
    """

    class Repeat(models.TextChoices):
        NONE = "", _("Does not repeat")
        WEEKLY = "weekly", _("Every week")
        MONTHLY_WEEKDAY = "monthly_weekday", _("Every month, on a weekday (e.g. second Monday)")
        MONTHLY_DAY = "monthly_day", _("Every month, on a day of the month (e.g. the 15th)")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Week(models.IntegerChoices):
        FIRST = 1, _("first")
        SECOND = 2, _("second")
        THIRD = 3, _("third")
        FOURTH = 4, _("fourth")
        LAST = -1, _("last")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    hosts = models.ManyToManyField(
        Organisation, related_name="series", blank=True, verbose_name=_("hosts")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_series",
        editable=False,
    )
    repeat = models.CharField(
        _("repeats"), max_length=20, choices=Repeat.choices, default=Repeat.NONE, blank=True
    )
    repeat_interval = models.PositiveSmallIntegerField(
        _("every"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 for every week or month, 2 for every other one, …"),
    )
    repeat_weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    repeat_week = models.SmallIntegerField(
        _("which one in the month"), choices=Week.choices, null=True, blank=True
    )
    repeat_day = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1 to 28, so that every month has it."),
    )
    repeat_from = models.DateField(_("first date"), null=True, blank=True)
    repeat_until = models.DateField(
        _("last date"), null=True, blank=True, help_text=_("Leave empty to repeat without end.")
    )
    repeat_count = models.PositiveSmallIntegerField(
        _("number of times"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("Or stop after this many dates, counted from the first date."),
    )
    start_time = models.TimeField(_("starts at"), null=True, blank=True, help_text=_("UK time."))
    end_time = models.TimeField(_("ends at"), null=True, blank=True, help_text=_("UK time."))

    url_name = "events:series"

    class Meta:
        ordering = [ShownText("name"), "pk"]  # the names the reader sees (Welsh or English)
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self):
        return self.name

    # --- the rule ------------------------------------------------------------------------------

    def clean(self):
        if not self.repeat:
            return
        errors = {}
        if self.repeat_from is None:
            errors["repeat_from"] = _("Give the first date of the series.")
        if self.start_time is None:
            errors["start_time"] = _("Give the time the events start.")
        if self.end_time is None:
            errors["end_time"] = _("Give the time the events end.")
        elif self.start_time is not None and self.end_time <= self.start_time:
            errors["end_time"] = _("The events must end after they start, on the same day.")
        weekly = self.repeat in (self.Repeat.WEEKLY, self.Repeat.MONTHLY_WEEKDAY)
        if weekly and self.repeat_weekday is None:
            errors["repeat_weekday"] = _("Choose the weekday.")
        if self.repeat == self.Repeat.MONTHLY_WEEKDAY and self.repeat_week is None:
            errors["repeat_week"] = _("Choose which one in the month (e.g. second).")
        if self.repeat == self.Repeat.MONTHLY_DAY and self.repeat_day is None:
            errors["repeat_day"] = _("Choose the day of the month.")
        if self.repeat_until and self.repeat_count:
            errors["repeat_count"] = _("Give a last date or a number of times, not both.")
        if self.repeat_until and self.repeat_from and self.repeat_until < self.repeat_from:
            errors["repeat_until"] = _("The last date must not be before the first.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_rule(self) -> bool:
        return bool(self.repeat and self.repeat_from and self.start_time and self.end_time)

    def _rrule(self):
        from dateutil import rrule

        kwargs = {
            "dtstart": datetime.combine(self.repeat_from, self.start_time),
            "interval": self.repeat_interval or 1,
        }
        if self.repeat_until:
            kwargs["until"] = datetime.combine(self.repeat_until, time.max)
        elif self.repeat_count:
            kwargs["count"] = self.repeat_count
        weekday = rrule.weekdays[self.repeat_weekday] if self.repeat_weekday is not None else None
        if self.repeat == self.Repeat.WEEKLY:
            return rrule.rrule(rrule.WEEKLY, byweekday=weekday, **kwargs)
        if self.repeat == self.Repeat.MONTHLY_WEEKDAY:
            return rrule.rrule(rrule.MONTHLY, byweekday=weekday(self.repeat_week), **kwargs)
        return rrule.rrule(rrule.MONTHLY, bymonthday=self.repeat_day, **kwargs)

    def occurrences(self, *, after: datetime):
        """(starts_at, ends_at) of the rule's dates starting after `after`, in order (lazily).

        The rule runs over London wall-clock times; each is then made aware, so an 18:00 event
        is at 18:00 GMT in winter and 18:00 BST in summer. A start inside the hour the clocks
        skip or repeat is left out (no calendar could agree on it).
        """
        if not self.has_rule:
            return
        local_after = timezone.localtime(after, LONDON).replace(tzinfo=None)
        starts = self._rrule().xafter(local_after)
        while True:
            try:
                start = next(starts)
            except (StopIteration, ValueError):  # ValueError: a rule without end reached year 9999
                return
            end = datetime.combine(start.date(), self.end_time)
            aware_start, aware_end = _london_instant(start), _london_instant(end)
            if aware_start is None or aware_end is None:
                continue
            yield aware_start, aware_end

    def describe_rule(self) -> str:
        """The rule in words, e.g. "The second Monday of each month, 18:00 to 20:00 (UK time)"."""
        if not self.has_rule:
            return ""
        every = self.repeat_interval or 1
        params = {
            "start": f"{self.start_time:%H:%M}",
            "end": f"{self.end_time:%H:%M}",
            "n": every,
            "day": str(WEEKDAY_NAMES[self.repeat_weekday])
            if self.repeat_weekday is not None
            else "",
        }
        if self.repeat == self.Repeat.WEEKLY:
            text = ngettext(
                "Every %(day)s, %(start)s to %(end)s",
                "Every %(n)d weeks on %(day)s, %(start)s to %(end)s",
                every,
            )
        elif self.repeat == self.Repeat.MONTHLY_WEEKDAY:
            # Whole phrases per position: languages place and inflect ordinals differently.
            params["which_day"] = capfirst(str(NTH_WEEKDAY[self.repeat_week]) % params)
            text = ngettext(
                "%(which_day)s of each month, %(start)s to %(end)s",
                "%(which_day)s of every %(n)d months, %(start)s to %(end)s",
                every,
            )
        else:
            params["day"] = self.repeat_day
            text = ngettext(
                "Day %(day)d of each month, %(start)s to %(end)s",
                "Day %(day)d of every %(n)d months, %(start)s to %(end)s",
                every,
            )
        return text % params + " " + gettext("(UK time)")

    def can_edit(self, user) -> bool:
        """Organisers who made the series or organise one of its events, and staff."""
        if not Event.user_can_create(user):
            return False
        if user.is_staff or self.created_by_id == user.pk:
            return True
        return Event.objects.editable_by(user).filter(series=self).exists()


# Structured access information: (field name, label). Venues and events both carry these fields;
# an event offers a feature when either it or its venue does (see EventQuerySet.with_access).
ACCESS_FEATURES = [
    ("step_free_access", _("Step-free access")),
    ("accessible_toilet", _("Accessible toilet")),
    ("hearing_loop", _("Hearing loop")),
    ("bsl_interpretation", _("BSL interpretation")),
    ("live_captions", _("Live captions")),
    ("quiet_room", _("Quiet room")),
    ("accessible_parking", _("Accessible parking")),
    ("large_print", _("Large-print materials")),
]
ACCESS_FEATURE_NAMES = [name for name, _label in ACCESS_FEATURES]


class AccessInformation(models.Model):
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    bsl_interpretation = models.BooleanField(_("BSL interpretation"), default=False)
    live_captions = models.BooleanField(_("live captions"), default=False)
    quiet_room = models.BooleanField(_("quiet room"), default=False)
    accessible_parking = models.BooleanField(_("accessible parking"), default=False)
    large_print = models.BooleanField(_("large-print materials"), default=False)
    access_notes = models.TextField(_("accessibility notes"), blank=True)

    class Meta:
        abstract = True

    def own_access_features(self) -> list[tuple[str, str]]:
        return [(name, label) for name, label in ACCESS_FEATURES if getattr(self, name)]


class Venue(AccessInformation, Slugged):
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = [ShownText("name"), "pk"]  # the names the reader sees (Welsh or English)
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="venue_coordinates_valid",
                violation_error_message=_("Give both coordinates, within range, or neither."),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def full_address(self) -> str:
        parts = [self.name, *self.address.splitlines(), self.postcode]
        return ", ".join(p.strip() for p in parts if p and p.strip())

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def map_url(self) -> str:
        if self.has_coordinates:
            return f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=17/{self.latitude}/{self.longitude}"
        from urllib.parse import quote_plus

        return "https://www.openstreetmap.org/search?query=" + quote_plus(self.full_address)


def public_q(path: str = "") -> Q:
    """The rule "the public may see this event" as a Q, for events reached through `path`.

    `public_q("board__event__")` filters boards of public events without a subquery. The same rule
    in Python is `Event.is_public`; as a queryset, `Event.objects.public()`.
    """
    return Q(**{f"{path}status__in": Event.PUBLIC_STATUSES})


def organised_by_q(user) -> Q:
    """The rule "`user` organises this event": they created it or hold an organiser role.

    Staff may edit every event but organise only their own. In Python: `Event.is_organised_by`.
    """
    return Q(created_by=user) | Q(
        roles__role=EventRole.Role.ORGANISER,
        roles__status=EventRole.Status.ACCEPTED,
        roles__person__user=user,
    )


def roles_prefetch() -> models.Prefetch:
    """An event's listed roles with their people, in the page's order."""
    return models.Prefetch(
        "roles", queryset=EventRole.objects.select_related("person").order_by("order", "pk")
    )


def listing_prefetches() -> tuple:
    """What `with_listing_data()` prefetches (and `Event.listing_data()` fetches later)."""
    return ("themes", "hosts", roles_prefetch())


class EventQuerySet(models.QuerySet):
    def public(self):
        """Events the public may see: everything but drafts (cancelled ones keep their page)."""
        return self.filter(public_q())

    def upcoming(self, now=None):
        """Events that have not yet ended."""
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now())

    def starting_on_or_after(self, day):
        """Events starting on or after the Europe/London date `day`."""
        return self.filter(starts_at__gte=london_midnight(day))

    def starting_on_or_before(self, day):
        """Events starting on or before the Europe/London date `day` (the whole of that day)."""
        return self.filter(starts_at__lt=london_midnight(day + timedelta(days=1)))

    def with_access(self, feature: str):
        if feature not in ACCESS_FEATURE_NAMES:
            raise ValueError(feature)
        return self.filter(Q(**{feature: True}) | Q(**{f"venue__{feature}": True}))

    def visible_to(self, user):
        """Public events, plus the drafts this user may edit (Event.is_visible_to as a query)."""
        if not user.is_authenticated or not user.is_active:
            return self.public()
        if user.is_staff:
            return self.all()
        # One subquery: the role join would repeat an event once per organiser role.
        return self.filter(
            pk__in=Event.objects.filter(public_q() | organised_by_q(user)).values("pk")
        )

    def organised_by(self, user):
        """The events this user organises (Event.is_organised_by as a query)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=Event.objects.filter(organised_by_q(user)).values("pk"))

    def editable_by(self, user):
        """The events this user may edit (Event.can_edit as a query)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.organised_by(user)

    def with_listing_data(self):
        """The fetch shape of an event card: venue, series, themes, hosts, people."""
        return self.select_related("venue", "series").prefetch_related(*listing_prefetches())

    def with_registration_counts(self):
        """Annotate confirmed counts so places_left / is_full cost no query per event."""
        confirmed = Q(registrations__state=Registration.State.CONFIRMED)
        online = Q(registrations__attendance=Registration.Attendance.ONLINE)
        return self.annotate(
            confirmed_count=models.Count("registrations", filter=confirmed),
            confirmed_online_count=models.Count("registrations", filter=confirmed & online),
        )

    def with_attendance_counts(self):
        """Annotate `confirmed_count` and `waitlisted_count` (the organisers' dashboard)."""
        return self.with_registration_counts().annotate(
            waitlisted_count=models.Count(
                "registrations", filter=Q(registrations__state=Registration.State.WAITLISTED)
            )
        )

    def in_feed(self, now=None):
        """What calendar feeds may hold: public events, cancelled ones only until they are over."""
        now = now or timezone.now()
        return self.public().exclude(status=Event.Status.CANCELLED, ends_at__lt=now)

    def with_calendar_data(self):
        """The fetch shape of a calendar entry: venue, themes, people (fixed number of queries).

        Long texts a calendar entry never shows are not fetched (feeds hold thousands of rows).
        """
        return (
            self.select_related("venue")
            .defer("access_notes", "venue__access_notes")
            .prefetch_related(
                "themes",
                models.Prefetch(
                    "roles",
                    queryset=EventRole.objects.select_related("person").order_by("order", "pk"),
                ),
            )
        )

    def clashing_with(self, event):
        """Other events, not cancelled, whose time overlaps `event`'s at the same venue (both in
        the room) or in the same series. `event` may be unsaved (a copy being planned)."""
        same_place = Q()
        if event.venue_id and event.is_in_person:
            same_place |= Q(venue_id=event.venue_id, mode__in=Event.IN_PERSON_MODES)
        if event.series_id:
            same_place |= Q(series_id=event.series_id)
        if not same_place or not (event.starts_at and event.ends_at):
            return self.none()
        return (
            self.filter(same_place, starts_at__lt=event.ends_at, ends_at__gt=event.starts_at)
            .exclude(status=Event.Status.CANCELLED)
            .exclude(pk=event.pk)
        )

    def chronological(self):
        return self.order_by("starts_at", "pk")

    def revise(self) -> int:
        """Something these events' calendar entries show changed elsewhere (venue, people, roles).

        SEQUENCE + 1 and a new updated_at (DTSTAMP, LAST-MODIFIED), as Event.save does for the
        event's own fields, so a client re-importing the file does not keep the old entry.
        Drafts are in nobody's calendar: their first SEQUENCE is the one they are published with.
        """
        return self.exclude(status=Event.Status.DRAFT).update(
            sequence=models.F("sequence") + 1, updated_at=timezone.now()
        )

    def touch(self) -> int:
        """A detail of these events' entries changed (a theme name): new updated_at only."""
        return self.update(updated_at=timezone.now())

    def reverse_chronological(self):
        return self.order_by("-starts_at", "-pk")


class Event(AccessInformation, Addressable):
    class Kind(models.TextChoices):
        CAFE = "cafe", _("Cafe")
        ROUND_TABLE = "round_table", _("Round-table")
        WORKSHOP = "workshop", _("Workshop")
        SEMINAR = "seminar", _("Seminar")
        TRAINING = "training", _("Training")
        VISIT = "visit", _("Visit")
        CONFERENCE = "conference", _("Conference")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Language(models.TextChoices):
        """The language the event is held in (not the language of its page)."""

        WELSH = "cy", _("Welsh")
        ENGLISH = "en", _("English")
        BILINGUAL = "bilingual", _("Bilingual (Welsh and English)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.POSTPONED, Status.CANCELLED)
    # Who can follow the event in a language: held in it, bilingual, or interpreted into it.
    LANGUAGE_FILTERS = {
        "cy": Q(language__in=("cy", "bilingual")) | Q(interpretation=True),
        "en": Q(language__in=("en", "bilingual")) | Q(interpretation=True),
        "bilingual": Q(language="bilingual"),
    }
    IN_PERSON_MODES = (Mode.IN_PERSON, Mode.HYBRID)
    # A change to any of these changes what people's calendars show (time, place, status, mode,
    # link, title, text): SEQUENCE must go up, or a client may keep the old entry. Changes to the
    # venue, the people and their roles raise it too (events/signals.py).
    CALENDAR_FIELDS = (
        "starts_at",
        "ends_at",
        "venue_id",
        "online_url",
        "mode",
        "status",
        "online_url_is_public",
        # Both languages' columns (events/translation.py): a feed in either language shows them.
        "title_en",
        "title_cy",
        "summary_en",
        "summary_cy",
        "description_en",
        "description_cy",
        "cancellation_reason_en",
        "cancellation_reason_cy",
        "language",
        "interpretation",
    )

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CAFE)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences for listings.")
    )
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(
        _("attendance"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON
    )
    language = models.CharField(
        _("language of the event"),
        max_length=10,
        choices=Language.choices,
        default=Language.ENGLISH,
    )
    interpretation = models.BooleanField(
        _("simultaneous interpretation"),
        default=False,
        help_text=_("Welsh–English simultaneous interpretation is offered."),
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    online_url = models.URLField(_("online link"), blank=True)
    online_url_is_public = models.BooleanField(
        _("link is public"),
        default=False,
        help_text=_(
            "Show the online link to everyone. Otherwise only people with a confirmed place "
            "and the organisers see it (on the page, in their calendar and in their emails)."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit. For a hybrid event: places in the room."),
    )
    online_capacity = models.PositiveIntegerField(
        _("online places"),
        null=True,
        blank=True,
        help_text=_("Hybrid events only: places online. Leave empty for no limit."),
    )
    send_reminder = models.BooleanField(
        _("send a reminder the day before"),
        default=True,
        help_text=_("People with a place get an email 24 hours before the start."),
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to close registration when the event starts."),
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    hosts = models.ManyToManyField(
        Organisation, verbose_name=_("host organisations"), related_name="hosted_events", blank=True
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="events", blank=True
    )
    people = models.ManyToManyField(Person, through="EventRole", related_name="events", blank=True)
    # The picture for the page header, link previews (Open Graph), JSON-LD and emails: chosen by
    # an organiser among the event's visuals, or the first one published (set by visuals.services).
    cover = models.ForeignKey(
        "core.Upload",
        verbose_name=_("cover image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    cover_alt = models.CharField(
        _("cover image alt text"), max_length=400, blank=True, editable=False
    )
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_events",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What attendees were last told about time and place (events.notices.event_details), so a
    # postponed event's new date is announced as "was ... now ...".
    announced_details = models.JSONField(default=dict, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    slug_source = "title"
    url_name = "events:detail"

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="event_capacity_positive",
                violation_error_message=_("Capacity must be at least 1, or empty for no limit."),
            ),
            models.CheckConstraint(
                condition=Q(online_capacity__isnull=True) | Q(online_capacity__gte=1),
                name="event_online_capacity_positive",
                violation_error_message=_("Online places must be at least 1, or empty."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start_idx"),
            models.Index(fields=["ends_at"], name="event_ends_idx"),
            # A series' events in time order (event page "more in this series", series pages):
            # an index walk of a few rows instead of sorting the whole series.
            models.Index(fields=["series", "starts_at", "id"], name="event_series_start_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded_calendar_values", None)
        current = self._calendar_values()
        if self.pk and loaded is not None and any(current.get(k) != v for k, v in loaded.items()):
            self.sequence += 1
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sequence", "updated_at"}
        super().save(*args, **kwargs)
        self._loaded_calendar_values = self._calendar_values()

    def slug_is_stale(self) -> bool:
        # Slugs follow the title while drafting and never change once the public may link to them.
        return not self.slug or (self.published_at is None and self.status == self.Status.DRAFT)

    def new_slug(self) -> str:
        title = self.slug_text()
        slug = unique_slug(Event, title, exclude_pk=self.pk)
        if slug in RESERVED_EVENT_SLUGS:
            slug = unique_slug(Event, f"{title} event", exclude_pk=self.pk)
        return slug

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        # `venue` may be a venue being added with the event (unsaved, so no venue_id yet).
        if self.mode in self.IN_PERSON_MODES and self.venue_id is None and self.venue is None:
            errors["venue"] = _("Choose a venue for an in-person or hybrid event.")
        if self.mode in (self.Mode.ONLINE, self.Mode.HYBRID) and not self.online_url:
            errors["online_url"] = _("Give the online link for an online or hybrid event.")
        if (
            self.registration_closes_at
            and self.starts_at
            and self.registration_closes_at > self.starts_at
        ):
            errors["registration_closes_at"] = _(
                "Registration must close at or before the start of the event."
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_calendar_values = instance._calendar_values()
        return instance

    def _calendar_values(self) -> dict:
        # Deferred fields are left out (reading one would cost a query per row).
        return {name: self.__dict__[name] for name in self.CALENDAR_FIELDS if name in self.__dict__}

    # --- state -----------------------------------------------------------------------------

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_postponed(self) -> bool:
        return self.status == self.Status.POSTPONED

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_in_person(self) -> bool:
        return self.mode in self.IN_PERSON_MODES

    @property
    def starts_in_the_past(self) -> bool:
        return self.starts_at is not None and self.starts_at < timezone.now()

    @property
    def language_line(self) -> str:
        """ "Welsh", or "English; simultaneous interpretation offered", in the reader's language."""
        line = str(self.get_language_display())
        if self.interpretation:
            line = _("%(language)s; simultaneous interpretation offered") % {"language": line}
        return line

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)

    @property
    def local_starts_at(self) -> datetime:
        return timezone.localtime(self.starts_at, LONDON)

    @property
    def local_ends_at(self) -> datetime:
        return timezone.localtime(self.ends_at, LONDON)

    def access_features(self) -> list[tuple[str, str]]:
        """Features offered by the event itself or its venue, in a stable order."""
        venue = self.venue
        return [
            (name, label)
            for name, label in ACCESS_FEATURES
            if getattr(self, name) or (venue is not None and getattr(venue, name))
        ]

    def listing_data(self) -> "Event":
        """This event with what `with_listing_data()` prefetches: what was not fetched yet is
        fetched now (one query per relation), so a page fetches it only when it renders it."""
        models.prefetch_related_objects([self], *listing_prefetches())
        return self

    def roles_by_kind(self) -> list[tuple[str, list["EventRole"]]]:
        """Who's who: [(role label, [EventRole, …]), …] in the order of EventRole.Role."""
        grouped: dict[str, list[EventRole]] = {}
        for role in self.roles.all():  # uses the prefetch of with_listing_data()
            grouped.setdefault(role.role, []).append(role)
        return [
            (EventRole.Role(value).label, grouped[value])
            for value in EventRole.Role.values
            if value in grouped
        ]

    # --- permissions -----------------------------------------------------------------------

    def role_accounts(self) -> tuple[tuple[int, str, str], ...]:
        """(account id, role, status) of each role held by a person with an account: what the
        permission checks ask of `roles`. A row kept for the event page carries these instead of
        its roles (`keep_role_accounts`): ten model instances cost a page read ten times more
        to unpickle than the row itself."""
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        if "roles" in prefetched:
            return tuple(
                (role.person.user_id, role.role, role.status)
                for role in prefetched["roles"]
                if role.person.user_id
            )
        if "_role_accounts" in self.__dict__:
            return self.__dict__["_role_accounts"]
        rows = self.roles.filter(person__user__isnull=False)
        return tuple(rows.values_list("person__user_id", "role", "status"))

    def keep_role_accounts(self) -> None:
        """Hold `role_accounts()` in place of the roles (for a copy kept in the shared cache:
        the page's shared parts fetch the roles they list, `listing_data`)."""
        self.__dict__["_role_accounts"] = self.role_accounts()
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        self._prefetched_objects_cache = {k: v for k, v in prefetched.items() if k != "roles"}

    def organiser_user_ids(self) -> set[int]:
        """Accounts holding an accepted organiser role (a prefetch may hold invitations too)."""
        return {
            user_id
            for user_id, role, status in self.role_accounts()
            if role == EventRole.Role.ORGANISER and status == EventRole.Status.ACCEPTED
        }

    def listed_people(self):
        """The people listed at this event, by name: not those only invited to organise it (a
        join through `event_roles` is not filtered by EventRole's default manager)."""
        return (
            Person.objects.filter(
                event_roles__event=self, event_roles__status=EventRole.Status.ACCEPTED
            )
            .distinct()
            .order_by("name")
        )

    def is_organised_by(self, user) -> bool:
        """Its creator and the users holding an organiser role (EventQuerySet.organised_by)."""
        if not user.is_authenticated:
            return False
        return self.created_by_id == user.pk or user.pk in self.organiser_user_ids()

    def can_edit(self, user) -> bool:
        """Its organisers and staff, while their account is active (EventQuerySet.editable_by)."""
        if not user.is_authenticated or not user.is_active:
            return False
        return user.is_staff or self.is_organised_by(user)

    def is_visible_to(self, user) -> bool:
        """Public, or editable by `user` (EventQuerySet.visible_to)."""
        return self.is_public or self.can_edit(user)

    def can_see_joining_link(self, user, *, registration=...) -> bool:
        """The online link: public if the organisers say so, else confirmed attendees and editors.

        Every surface applies this one rule: the page, emails, .ics attachments and feeds (public
        feeds never carry a private link; the personal feed does for the owner's confirmed places).
        `registration`: the user's active registration here (or None) when the caller has it.
        """
        if not self.is_online or not self.online_url:
            return False
        if self.online_url_is_public:
            return True
        if not user.is_authenticated:
            return False
        if self.can_edit(user):
            return True
        if registration is ...:
            return self.registrations.filter(user=user, state=Registration.State.CONFIRMED).exists()
        return registration is not None and registration.is_confirmed

    # --- registration ----------------------------------------------------------------------

    @property
    def registration_closes(self) -> datetime:
        return self.registration_closes_at or self.starts_at

    @property
    def registration_is_open(self) -> bool:
        """Published (not draft, postponed or cancelled) and before the closing time."""
        return self.status == self.Status.PUBLISHED and timezone.now() < self.registration_closes

    @property
    def confirmed_registrations(self) -> int:
        count = getattr(self, "confirmed_count", None)  # set by with_registration_counts()
        if count is None:
            count = self.registrations.filter(state=Registration.State.CONFIRMED).count()
        return count

    @property
    def is_hybrid(self) -> bool:
        return self.mode == self.Mode.HYBRID

    @property
    def confirmed_online(self) -> int:
        """Confirmed places online (a hybrid event's second pool; 0 for other events)."""
        if not self.is_hybrid:
            return 0
        count = getattr(self, "confirmed_online_count", None)  # with_registration_counts()
        if count is None:
            count = self.registrations.filter(
                state=Registration.State.CONFIRMED, attendance=Registration.Attendance.ONLINE
            ).count()
        return count

    def attendance_for(self, chosen: str | None) -> str:
        """The attendance of a new registration: chosen at a hybrid event, implied elsewhere."""
        if self.is_hybrid:
            return chosen or Registration.Attendance.ROOM
        if self.mode == self.Mode.ONLINE:
            return Registration.Attendance.ONLINE
        return Registration.Attendance.ROOM

    def capacity_for(self, attendance: str) -> int | None:
        """The limit of the pool `attendance` draws on: a hybrid event's room counts only the
        room, its online places only online; any other event has one pool (`capacity`)."""
        if self.is_hybrid and attendance == Registration.Attendance.ONLINE:
            return self.online_capacity
        return self.capacity

    @property
    def places_left(self) -> int | None:
        """Places left (in the room, for a hybrid event); None when there is no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_registrations + self.confirmed_online, 0)

    @property
    def online_places_left(self) -> int | None:
        """A hybrid event's online places left; None when not limited (or not hybrid)."""
        if not self.is_hybrid or self.online_capacity is None:
            return None
        return max(self.online_capacity - self.confirmed_online, 0)

    def capacity_problems(self) -> dict[str, ValidationError]:
        """Limits set on this (stored) event below the places already given in their pool.

        By field: `capacity` (the room, for a hybrid event; every place otherwise) and, for a
        hybrid event, `online_capacity`. The form asks before saving; `services.save_event` asks
        again with the event's row locked, the lock registration takes, so that no place given
        in between is lost.
        """
        if self.pk is None:
            return {}
        limits = [("capacity", Registration.Attendance.ROOM)]
        if self.mode == self.Mode.HYBRID:
            limits.append(("online_capacity", Registration.Attendance.ONLINE))
        confirmed = Registration.objects.filter(
            event_id=self.pk, state=Registration.State.CONFIRMED
        )
        problems = {}
        for field, attendance in limits:
            limit = getattr(self, field)
            if limit is None:
                continue
            pool = confirmed.filter(attendance=attendance) if self.is_hybrid else confirmed
            taken = pool.count()
            if limit < taken:
                problems[field] = ValidationError(
                    _(
                        "%(count)d people already have a place, so the capacity cannot be lower. "
                        "Cancel places from the attendee list first."
                    ),
                    code="below_confirmed",
                    params={"count": taken},
                )
        return problems

    @property
    def is_full(self) -> bool:
        """No place left (in the room, for a hybrid event)."""
        return self.capacity is not None and self.places_left == 0

    @property
    def is_online_full(self) -> bool:
        return self.online_places_left == 0

    @staticmethod
    def user_can_create(user) -> bool:
        """Members of the Organisers group and staff may create events."""
        return bool(user.is_authenticated and user.is_organiser)

    def can_duplicate(self, user) -> bool:
        """A copy is a new event: its maker must be allowed to edit this one and to create."""
        return self.can_edit(user) and self.user_can_create(user)

    # --- status transitions (services.py performs them; these say which are sensible) -------

    @property
    def can_be_published(self) -> bool:
        """A draft goes public; a postponed event is published again once it has a new date."""
        return self.status in (self.Status.DRAFT, self.Status.POSTPONED)

    @property
    def can_be_postponed(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_past

    @property
    def can_be_cancelled(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.POSTPONED) and not self.is_past

    @property
    def waitlisted_registrations(self) -> int:
        count = getattr(self, "waitlisted_count", None)  # set by with_attendance_counts()
        if count is None:
            count = self.registrations.filter(state=Registration.State.WAITLISTED).count()
        return count

    @property
    def has_active_registrations(self) -> bool:
        """Someone holds a place or a waitlist place."""
        return self.confirmed_registrations > 0 or self.waitlisted_registrations > 0

    @property
    def can_be_unpublished(self) -> bool:
        """A published, not yet past event back to draft, only while nobody has registered for
        it (nobody would be left holding a place at an event that vanished)."""
        if self.status != self.Status.PUBLISHED or self.is_past:
            return False
        return not self.has_active_registrations


class EventRoleQuerySet(models.QuerySet):
    def listed(self):
        """Roles that are shown and count: all but invitations not yet accepted."""
        return self.filter(status=EventRole.Status.ACCEPTED)

    def invited(self):
        """Invitations to organise, waiting for the invitee's answer."""
        return self.filter(status=EventRole.Status.PENDING)

    def addressed_to(self, user):
        """The invitations waiting for `user`'s answer, soonest event first."""
        return (
            self.invited()
            .filter(person__user=user)
            .select_related("event", "person", "invited_by")
            .order_by("event__starts_at", "pk")
        )


class ListedRoleManager(models.Manager.from_queryset(EventRoleQuerySet)):
    """The default manager, so `event.roles`, every prefetch and every lookup by EventRole.objects
    see listed roles only: an invitation nobody accepted must not list anyone, on any page, feed
    or permission, without each reader remembering to leave it out. `EventRole.with_invitations`
    sees them all (the organisers' form, the invitation page, the admin)."""

    def get_queryset(self):
        return super().get_queryset().filter(status=EventRole.Status.ACCEPTED)


class EventRole(models.Model):
    """A person's role at an event. An organiser role naming someone else's account is an
    invitation (PENDING) until that account accepts it (events.services.invite_co_organiser)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PENDING = "pending", _("Invited")

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        CHAIR = "chair", _("Chair")
        SPEAKER = "speaker", _("Speaker")
        PANELLIST = "panellist", _("Panellist")
        FACILITATOR = "facilitator", _("Facilitator")
        ARTIST = "artist", _("Artist")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roles")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="event_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    contribution_title = models.CharField(
        _("contribution title"),
        max_length=300,
        blank=True,
        help_text=_("e.g. Time Credits and their co-productive impact"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Rows from before invitations existed, and every role not naming another account, are
    # accepted; only services.save_event_people makes an invitation.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )

    objects = ListedRoleManager()
    with_invitations = EventRoleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("role at an event")
        verbose_name_plural = _("roles at events")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person", "role"],
                name="eventrole_unique_person_role",
                violation_error_message=_("This person already holds this role at this event."),
            )
        ]
        indexes = [models.Index(fields=["person", "role"], name="eventrole_person_role_idx")]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()}) at {self.event}"

    @property
    def is_invitation(self) -> bool:
        return self.status == self.Status.PENDING


class EventInvitationDecline(models.Model):
    """An invitation to co-organise `event` that `person` declined: that event's organisers
    cannot invite them again (services.save_event_people refuses the row), so a decline is not
    answered by another email. Kept apart from EventRole so that a role is only ever a role
    (listed, or waiting for an answer); staff can delete the record if the person changes
    their mind."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="+", verbose_name=_("event")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    declined_at = models.DateTimeField(_("declined at"), default=timezone.now)

    class Meta:
        verbose_name = _("declined invitation to co-organise")
        verbose_name_plural = _("declined invitations to co-organise")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"], name="eventinvitationdecline_unique_event_person"
            )
        ]

    def __str__(self):
        return f"{self.person} declined {self.event}"


def public_person_q() -> Q:
    """The rule "the public may see this person's page", as a Q on Person (selectors.public_people):
    listed at a public event, or named at no event at all (added by staff, e.g. with an
    affiliation). Someone an organiser named only on drafts, or only in an unanswered
    invitation, stays unknown."""
    listed = EventRole.objects.filter(public_q("event__"), person=OuterRef("pk"))
    named = EventRole.with_invitations.filter(person=OuterRef("pk"))
    return Exists(listed) | ~Exists(named)


# --- Registration and calendars ---------------------------------------------------------------


class Registration(models.Model):
    """A user's place (or place in the queue) at an event. Writes go through events.services."""

    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        ROOM = "room", _("In the room")
        ONLINE = "online", _("Online")

    ACTIVE_STATES = (State.CONFIRMED, State.WAITLISTED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("user"),
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    attendance = models.CharField(
        _("attending"), max_length=10, choices=Attendance.choices, default=Attendance.ROOM
    )
    # Seen by the event's organisers only (attendee page and CSV), never by anyone else.
    access_needs = models.TextField(_("access needs"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    promoted_at = models.DateTimeField(_("promoted from the waitlist at"), null=True, blank=True)
    # Set when the day-before reminder is sent: running the sender twice sends nothing twice.
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                condition=~Q(state="cancelled"),
                name="registration_one_active_per_user_event",
                violation_error_message=_("You are already registered for this event."),
            )
        ]
        indexes = [
            models.Index(fields=["event", "state", "created_at"], name="registration_queue_idx"),
        ]

    def __str__(self):
        return f"{self.user} at {self.event} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def is_confirmed(self) -> bool:
        return self.state == self.State.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.state == self.State.WAITLISTED

    def waitlist_position(self) -> int | None:
        """1 for the first person in the queue; None when not waitlisted."""
        if not self.is_waitlisted:
            return None
        ahead = Registration.objects.filter(event_id=self.event_id, state=self.State.WAITLISTED)
        if self.event.is_hybrid:  # the room and online places have a queue each
            ahead = ahead.filter(attendance=self.attendance)
        ahead = ahead.filter(
            Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        )
        return ahead.count() + 1


class CalendarToken(models.Model):
    """The secret in a user's personal feed URL. Regenerating replaces it; revoking disables it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self):
        return f"Calendar token of {self.user}"  # never the token itself

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return not self.revoked


class CalendarChange(models.Model):
    """One row: a counter and timestamp moved after every committed change a calendar shows.

    Feeds derive Last-Modified from it, so unpublishing or deleting an event (which max(updated_at)
    cannot see) still moves Last-Modified forward, in every process.
    """

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar change marker")
        verbose_name_plural = _("calendar change markers")

    def __str__(self):
        return f"v{self.version} at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class AttendeeMessage(models.Model):
    """The log of "Email attendees": who sent what, when, to how many."""

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("People with a place")
        WAITLISTED = "waitlisted", _("People on the waitlist")
        BOTH = "both", _("Both")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="attendee_messages", verbose_name=_("event")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    audience = models.CharField(_("to"), max_length=20, choices=Audience.choices)
    recipient_count = models.PositiveIntegerField(_("recipients"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message to attendees")
        verbose_name_plural = _("messages to attendees")
        indexes = [models.Index(fields=["event", "-created_at"], name="attendeemessage_event_idx")]

    def __str__(self):
        return self.subject

    @property
    def states(self) -> tuple[str, ...]:
        """The registration states this message goes to."""
        return {
            self.Audience.CONFIRMED: (Registration.State.CONFIRMED,),
            self.Audience.WAITLISTED: (Registration.State.WAITLISTED,),
            self.Audience.BOTH: Registration.ACTIVE_STATES,
        }[self.audience]
