"""The one FilterSet of the event list, shared by /events/ and its calendar feeds.

Minimal stand-in written on the calendar branch; the pages branch owns this file and its version
replaces this one on merge (same parameters and semantics).
"""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import ACCESS_FEATURES, Event, Series, Theme
from people.models import Organisation, Person

RECENT_DAYS = 90
WHEN_CHOICES = [
    ("upcoming", _("Upcoming")),
    ("recent", _("Upcoming and the last 90 days")),
    ("past", _("Past")),
    ("all", _("All")),
]


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.all(), to_field_name="slug", field_name="themes"
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Event.Kind.choices)
    series = django_filters.ModelChoiceFilter(
        label=_("Series"), queryset=Series.objects.all(), to_field_name="slug"
    )
    person = django_filters.ModelChoiceFilter(
        label=_("Person"),
        queryset=Person.objects.all(),
        to_field_name="slug",
        method="filter_person",
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        field_name="hosts",
    )
    mode = django_filters.ChoiceFilter(label=_("Attendance"), choices=Event.Mode.choices)
    after = django_filters.DateFilter(
        label=_("From"), method="filter_after", widget=forms.DateInput(attrs={"type": "date"})
    )
    before = django_filters.DateFilter(
        label=_("Until"), method="filter_before", widget=forms.DateInput(attrs={"type": "date"})
    )
    when = django_filters.ChoiceFilter(label=_("When"), choices=WHEN_CHOICES, method="filter_when")
    access = django_filters.MultipleChoiceFilter(
        label=_("Access"), choices=ACCESS_FEATURES, method="filter_access"
    )

    class Meta:
        model = Event
        fields = []

    def __init__(self, data=None, queryset=None, *, default_when="upcoming", **kwargs):
        self.default_when = default_when
        super().__init__(data, queryset=queryset, **kwargs)

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            qs = super().qs
            if not self.form.cleaned_data.get("when"):
                qs = self.filter_when(qs, "when", self.default_when)
            self._qs = qs.distinct()
        return self._qs

    def filter_q(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
            )
        return queryset

    def filter_person(self, queryset, name, value):
        return queryset.filter(roles__person=value)

    def filter_after(self, queryset, name, value):
        return queryset.starting_on_or_after(value)

    def filter_before(self, queryset, name, value):
        return queryset.starting_on_or_before(value)

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.upcoming(now)
        if value == "past":
            return queryset.past(now)
        if value == "recent":
            return queryset.filter(ends_at__gte=now - timedelta(days=RECENT_DAYS))
        return queryset

    def filter_access(self, queryset, name, value):
        for feature in value:
            queryset = queryset.with_access(feature)
        return queryset


class InvalidFilter(ValueError):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def filter_events(params, *, default_when="upcoming", queryset=None):
    """The events matching `params` (a QueryDict); raises InvalidFilter for bad parameters."""
    filterset = EventFilter(
        params,
        queryset=queryset if queryset is not None else Event.objects.published(),
        default_when=default_when,
    )
    if not filterset.is_valid():
        raise InvalidFilter(filterset.errors)
    return filterset.qs
