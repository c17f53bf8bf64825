"""The one FilterSet of the event list, shared by the HTML page and its calendar feed."""

import re
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core import widgets as bilingual
from core.forms import FastSelect
from core.i18n import ShownText, marked
from events.models import ACCESS_FEATURES, Event, EventRole, Series, Theme, public_person_q
from people.models import Organisation, Person

# Dates outside this range are typing mistakes, and the far ends would overflow date arithmetic.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
RECENT_DAYS = 90
MENU_LIMIT = 40
# Filters naming a row kept in English and Welsh: their chips mark a name in the other language.
NAMED = {"theme", "series", "organisation"}
SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,220}")

WHEN_UPCOMING = "upcoming"
WHEN_PAST = "past"
WHEN_RECENT = "recent"
WHEN_ALL = "all"
# The list page offers the first two; feeds (and hand-written URLs) may use every one.
WHEN_SHOWN_CHOICES = [(WHEN_UPCOMING, _("Upcoming")), (WHEN_PAST, _("Past"))]
WHEN_CHOICES = [
    *WHEN_SHOWN_CHOICES,
    (WHEN_RECENT, _("Upcoming and the last 90 days")),
    (WHEN_ALL, _("All")),
]


class SlugChoiceField(forms.ModelChoiceField):
    """A model choice by slug that refuses malformed input before it reaches the database."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not SLUG_RE.fullmatch(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SlugChoiceField


class SlugMenu:
    """The rows of a small model as menu choices by slug, loaded on first use, once per request.

    Form fields deep-copy their choices; copies share this object (and its one query).
    """

    def __init__(self, model, empty_label):
        self.model, self.empty_label = model, empty_label

    def __deepcopy__(self, memo):
        return self

    @cached_property
    def objects(self) -> dict:
        rows = self.model._default_manager.only("slug", "name").order_by(ShownText("name"), "pk")
        return {row.slug: row for row in rows}

    @property
    def is_short(self) -> bool:
        """Short enough for a drop-down menu (longer ones are reached by links to the list)."""
        return len(self.objects) <= MENU_LIMIT

    def choices(self):
        return [("", self.empty_label), *((slug, o.name) for slug, o in self.objects.items())]

    def get(self, slug):
        return self.objects[slug]

    def find(self, slug):
        return self.objects.get(str(slug))


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("after"), cleaned.get("before")
        if after and before and after > before:
            self.add_error("before", _("The “to” date must not be earlier than the “from” date."))
        return cleaned


def _date_field_kwargs(label):
    return {
        "label": label,
        "method": "filter_noop",
        "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "validators": [
            MinValueValidator(EARLIEST_DATE, _("Give a date in or after 1900.")),
            MaxValueValidator(LATEST_DATE, _("Give a date before the year 3000.")),
        ],
    }


class EventFilter(django_filters.FilterSet):
    """Query parameters of /events/ (and its .ics feed): what, who, where, when, access."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. time credits")}),
    )
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=WHEN_CHOICES,
        method="filter_noop",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    # Choices are loaded once per request in __init__; the cleaned value is the Theme itself.
    theme = django_filters.TypedChoiceFilter(
        label=_("Theme"), method="filter_theme", choices=[], empty_value=None, widget=FastSelect
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of event"),
        choices=Event.Kind.choices,
        field_name="kind",
        empty_label=_("Any kind"),
        widget=FastSelect,
    )
    mode = django_filters.ChoiceFilter(
        label=_("Attendance"),
        choices=Event.Mode.choices,
        field_name="mode",
        empty_label=_("In person or online"),
        widget=FastSelect,
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=Event.Language.choices,
        method="filter_language",
        empty_label=_("Any language"),
        widget=FastSelect,
    )
    series = django_filters.TypedChoiceFilter(
        label=_("Series"), method="filter_series", choices=[], empty_value=None, widget=FastSelect
    )
    after = django_filters.DateFilter(**_date_field_kwargs(_("From")))
    before = django_filters.DateFilter(**_date_field_kwargs(_("To")))
    access = django_filters.MultipleChoiceFilter(
        label=_("Access"),
        choices=ACCESS_FEATURES,
        method="filter_access",
        widget=forms.CheckboxSelectMultiple,
    )
    # People and organisations are too many for a menu: their pages link here with the slug.
    person = SlugChoiceFilter(
        label=_("Person"),
        # Named only on drafts or in an unanswered invitation: unknown here, as on their page.
        queryset=Person.objects.filter(public_person_q()),
        to_field_name="slug",
        method="filter_person",
        widget=forms.HiddenInput,
    )
    organisation = SlugChoiceFilter(
        label=_("Host organisation"),
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        method="filter_organisation",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Event
        fields: list = []
        form = EventFilterForm

    def __init__(self, data=None, queryset=None, *, default_when=WHEN_UPCOMING, now=None, **kw):
        if default_when not in dict(WHEN_CHOICES):
            raise ValueError(default_when)
        self.raw_data = data if data is not None else {}
        # Always bound: no parameters means "the default view", never "everything".
        data = self.raw_data.copy()
        if not data.get("when"):
            data["when"] = default_when
        super().__init__(data, queryset, **kw)
        self.default_when = default_when
        self.now = now or timezone.now()
        self.theme_menu = SlugMenu(Theme, _("Any theme"))
        self.series_menu = SlugMenu(Series, _("Any series"))
        for name, menu in [("theme", self.theme_menu), ("series", self.series_menu)]:
            self.filters[name].extra["choices"] = menu.choices
            self.filters[name].extra["coerce"] = menu.get
            # Options whose name falls back to the other language say so (lang).
            self.filters[name].extra["widget"] = bilingual.Select(row=menu.find)
        self.form.fields["when"].widget.choices = WHEN_SHOWN_CHOICES

    # --- filtering -------------------------------------------------------------------------

    @property
    def qs(self):
        """Invalid parameters give no events (and a form error), never every event."""
        if not hasattr(self, "_qs"):
            self._qs = super().qs if self.is_valid() else self.queryset.none()
        return self._qs

    @property
    def effective_when(self) -> str:
        if self.is_valid():
            return self.form.cleaned_data.get("when") or self.default_when
        return self.default_when

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("after"):
            queryset = queryset.starting_on_or_after(data["after"])
        if data.get("before"):
            queryset = queryset.starting_on_or_before(data["before"])
        when = data.get("when") or self.default_when
        if when == WHEN_PAST:
            return queryset.past(self.now).reverse_chronological()
        if when == WHEN_RECENT:
            return queryset.upcoming(self.now - timedelta(days=RECENT_DAYS)).chronological()
        if when == WHEN_ALL:
            return queryset.chronological()
        return queryset.upcoming(self.now).chronological()

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset()

    def filter_text(self, queryset, name, value):
        # Every word, in either language's text (events/translation.py): a Welsh reader finds
        # an event written in English only, and the other way round.
        columns = [
            f"{field}_{code}"
            for field in ("title", "summary", "description")
            for code in ("en", "cy")
        ]
        for word in value.split()[:10]:
            found = Q()
            for column in columns:
                found |= Q(**{f"{column}__icontains": word})
            queryset = queryset.filter(found)
        return queryset

    def filter_theme(self, queryset, name, value):
        themes = Event.themes.through.objects.filter(event=OuterRef("pk"), theme=value)
        return queryset.filter(Exists(themes))

    def filter_language(self, queryset, name, value):
        """Events one can follow in `value`: held in it, bilingual, or interpreted."""
        return queryset.filter(Event.LANGUAGE_FILTERS[value])

    def filter_series(self, queryset, name, value):
        return queryset.filter(series=value)

    def filter_person(self, queryset, name, value):
        return queryset.filter(Exists(EventRole.objects.filter(event=OuterRef("pk"), person=value)))

    def filter_organisation(self, queryset, name, value):
        hosts = Event.hosts.through.objects.filter(event=OuterRef("pk"), organisation=value)
        return queryset.filter(Exists(hosts))

    def filter_access(self, queryset, name, value):
        for feature in value:
            queryset = queryset.with_access(feature)
        return queryset

    # --- presentation ----------------------------------------------------------------------

    def active_filters(self) -> list[dict]:
        """What narrows the list, each with the query string that removes it."""
        if not self.is_valid():
            return []
        data = self.form.cleaned_data
        labels = {
            "theme": str,
            "series": str,
            "kind": lambda v: Event.Kind(v).label,
            "mode": lambda v: Event.Mode(v).label,
            "language": lambda v: Event.Language(v).label,
            "person": str,
            "organisation": str,
            "q": lambda v: f"“{v}”",
            "after": lambda v: date_format(v, "j M Y"),
            "before": lambda v: date_format(v, "j M Y"),
        }
        active = []
        for name, display in labels.items():
            if data.get(name):
                value = display(data[name])
                active.append(
                    {
                        "label": self.filters[name].label,
                        "value": value,  # text only: it goes into an aria-label too
                        # On the chip, a name shown in the other language is marked (lang).
                        "shown": marked(data[name], "name") if name in NAMED else value,
                        "query": self._query_without(name),
                    }
                )
        access_labels = dict(ACCESS_FEATURES)
        for feature in data.get("access") or []:
            active.append(
                {
                    "label": self.filters["access"].label,
                    "value": access_labels[feature],
                    "query": self._query_without("access", feature),
                }
            )
        if self.raw_data.get("when") and data["when"] != self.default_when:
            active.append(
                {
                    "label": self.filters["when"].label,
                    "value": dict(WHEN_CHOICES)[data["when"]],
                    "query": self._query_without("when"),
                }
            )
        return active

    def _query_without(self, name, value=None) -> str:
        pairs = []
        for key in self.raw_data:
            if key == "page":
                continue
            values = (
                self.raw_data.getlist(key)
                if hasattr(self.raw_data, "getlist")
                else [self.raw_data[key]]
            )
            for item in values:
                if key == name and (value is None or item == value):
                    continue
                pairs.append((key, item))
        return urlencode(pairs)


def filter_events(params, *, feed=False, default_when: str | None = None, now=None) -> EventFilter:
    """Public events for these query parameters: `.qs`, with `.form` and `.errors`.

    The event list and its calendar feeds both call this, so one query string means one set of
    events. A feed (`feed=True`) starts from `Event.objects.in_feed()` (a cancelled event leaves
    once it is over), shows recent events when no `when` is given, and leaves the fetch shape to
    the calendar; the list shows upcoming events with what an event card needs.
    """
    if feed:
        queryset, default = Event.objects.in_feed(now), WHEN_RECENT
    else:
        queryset, default = Event.objects.public().with_listing_data(), WHEN_UPCOMING
    return EventFilter(params, queryset=queryset, default_when=default_when or default, now=now)
