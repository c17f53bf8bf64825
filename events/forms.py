"""Organisers' forms: an event with its people and their roles, and the reason for cancelling."""

from datetime import UTC, datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.models import ACCESS_FEATURE_NAMES, LONDON, Event, EventRole, Registration
from people.models import Person

# --- Europe/London wall-clock times ---------------------------------------------------------


def _is_clock_change(naive: datetime) -> bool:
    """True when London skips or repeats this wall-clock time (fold 0 and 1 disagree)."""
    return (
        naive.replace(tzinfo=LONDON, fold=0).utcoffset()
        != naive.replace(tzinfo=LONDON, fold=1).utcoffset()
    )


def _clock_change_window(naive: datetime) -> tuple[datetime, datetime]:
    """The first and last minute of the skipped or repeated stretch around `naive`."""
    step = timedelta(minutes=1)
    first = last = naive.replace(second=0, microsecond=0)
    for _minute in range(24 * 60):  # bounded: a clock change lasts an hour or so
        if not _is_clock_change(first - step):
            break
        first -= step
    for _minute in range(24 * 60):
        if not _is_clock_change(last + step):
            break
        last += step
    return first, last


def london_aware(naive: datetime) -> datetime:
    """Read `naive` as a Europe/London wall-clock time.

    A time the clocks skip (spring forward) or pass twice (fall back) is refused, so that no
    calendar can disagree about when the event happens.
    """
    if not _is_clock_change(naive):
        # In UTC: aware datetimes sharing one tzinfo compare and subtract by wall-clock time.
        return naive.replace(tzinfo=LONDON).astimezone(UTC)
    first, last = _clock_change_window(naive)
    params = {
        "first": first.strftime("%H:%M"),
        "last": last.strftime("%H:%M"),
        "date": date_format(naive.date(), "l j F Y"),
    }
    earlier = naive.replace(tzinfo=LONDON, fold=0)
    skipped = earlier.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != naive
    if skipped:
        raise ValidationError(
            _(
                "Times from %(first)s to %(last)s on %(date)s do not exist in the UK: the clocks "
                "go forward an hour. Choose a time outside that hour."
            ),
            code="nonexistent_time",
            params=params,
        )
    raise ValidationError(
        _(
            "Times from %(first)s to %(last)s on %(date)s happen twice in the UK: the clocks go "
            "back an hour. Choose a time outside that hour, so that every calendar agrees."
        ),
        code="ambiguous_time",
        params=params,
    )


class LondonDateTimeField(forms.DateTimeField):
    """A date and time entered and shown as Europe/London wall-clock time, whatever the server."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(LONDON).replace(tzinfo=None)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            naive = value
        else:
            text = str(value).strip()
            try:
                naive = parse_datetime(text)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if naive is None:
                # The other accepted input formats (forms.BaseTemporalField tries each in turn).
                naive = BaseTemporalField.to_python(self, text)
        if timezone.is_aware(naive):
            return naive
        return london_aware(naive)


# --- the event ------------------------------------------------------------------------------


class EventForm(forms.ModelForm):
    """An event as its organisers describe it. Times are Europe/London local times."""

    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for no limit. For a hybrid event: places in the room."),
        error_messages={"min_value": _("Capacity must be at least 1, or empty for no limit.")},
    )
    online_capacity = forms.IntegerField(
        label=_("Online places"),
        required=False,
        min_value=1,
        help_text=_("Hybrid events only. Leave empty for no limit online."),
        error_messages={"min_value": _("Online places must be at least 1, or empty.")},
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Needed for an online or hybrid event."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "summary",
            "description",
            "series",
            "themes",
            "hosts",
            "starts_at",
            "ends_at",
            "mode",
            "venue",
            "online_url",
            "online_url_is_public",
            "capacity",
            "online_capacity",
            "registration_closes_at",
            "send_reminder",
            *ACCESS_FEATURE_NAMES,
            "access_notes",
        ]
        field_classes = {
            "starts_at": LondonDateTimeField,
            "ends_at": LondonDateTimeField,
            "registration_closes_at": LondonDateTimeField,
        }
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "hosts": forms.CheckboxSelectMultiple,
            "mode": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 6}),
            "access_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "starts_at": _("UK time (GMT or BST), as the clocks in Wales show it on the day."),
            "ends_at": _("UK time (GMT or BST)."),
            "registration_closes_at": _(
                "UK time. Leave empty to close registration when the event starts."
            ),
            "venue": _("Needed for an in-person or hybrid event."),
        }

    def _places_taken(self, attendance: str) -> int:
        """Confirmed places in the pool a limit applies to (a hybrid event's room or online)."""
        confirmed = self.instance.registrations.filter(state=Registration.State.CONFIRMED)
        if self.cleaned_data.get("mode") == Event.Mode.HYBRID:
            confirmed = confirmed.filter(attendance=attendance)
        return confirmed.count()

    def _check_not_below_taken(self, limit, attendance: str):
        if limit is None or not self.instance.pk:
            return limit
        taken = self._places_taken(attendance)
        if limit < taken:
            raise ValidationError(
                _(
                    "%(count)d people already have a place, so the capacity cannot be lower. "
                    "Cancel places from the attendee list first."
                ),
                code="below_confirmed",
                params={"count": taken},
            )
        return limit

    def clean_capacity(self):
        return self._check_not_below_taken(
            self.cleaned_data.get("capacity"), Registration.Attendance.ROOM
        )

    def clean_online_capacity(self):
        online = self.cleaned_data.get("online_capacity")
        if self.cleaned_data.get("mode") != Event.Mode.HYBRID:
            return online  # kept, unused, in case the event becomes hybrid again
        return self._check_not_below_taken(online, Registration.Attendance.ONLINE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = Event.Mode.choices  # no empty radio button
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("What"),
                "title",
                Row(Column("kind"), Column("series")),
                "summary",
                "description",
                Row(Column("themes"), Column("hosts")),
            ),
            Fieldset(_("When"), Row(Column("starts_at"), Column("ends_at"))),
            Fieldset(_("Where"), "mode", "venue", "online_url", "online_url_is_public"),
            Fieldset(
                _("Places"),
                Row(
                    Column("capacity"),
                    Column("online_capacity"),
                    Column("registration_closes_at"),
                ),
                "send_reminder",
            ),
            Fieldset(_("Access"), *ACCESS_FEATURE_NAMES, "access_notes"),
        )


# --- its people -----------------------------------------------------------------------------


def person_choice_label(person: Person) -> str:
    return f"{person.name} — {person.headline}" if person.headline else person.name


class EventRoleForm(forms.ModelForm):
    """One person's role: someone already listed, or a new person added by name."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.all(),
        required=False,
        label=_("Person already listed"),
        empty_label=_("— choose, or add a new person —"),
    )
    new_person_name = forms.CharField(
        label=_("Or add a new person: name"), max_length=200, required=False
    )
    new_person_headline = forms.CharField(
        label=_("New person's headline"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. UK National Teaching Fellow"),
    )
    order = forms.IntegerField(
        label=_("Order"),
        required=False,
        min_value=0,
        max_value=32767,
        help_text=_("Optional; rows keep this order when empty."),
    )

    class Meta:
        model = EventRole
        fields = ["person", "role", "contribution_title", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.lay_out()

    def lay_out(self):
        """The row's layout; saved rows have a Delete box (added by the formset after __init__)."""
        last = [Column("DELETE")] if "DELETE" in self.fields else []
        # The row's hidden `id` and `event` inputs are in no column: without them a saved row
        # cannot be matched on submit, so every edit of an event with people failed.
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("person"), Column("new_person_name"), Column("new_person_headline")),
            Row(Column("role"), Column("contribution_title"), Column("order"), *last),
        )

    def clean_order(self):
        value = self.cleaned_data.get("order")
        return 0 if value is None else value

    def clean(self):
        cleaned = super().clean()
        person, name = cleaned.get("person"), (cleaned.get("new_person_name") or "").strip()
        cleaned["new_person_name"] = name
        if person and name:
            self.add_error(
                "new_person_name",
                _("Choose a person already listed or add a new one, not both."),
            )
        elif not person and not name:
            self.add_error("person", _("Choose a person already listed, or add a new one by name."))
        return cleaned

    def validate_unique(self):
        # A person holding a role twice is checked across all rows by RoleFormSet.clean, where
        # rows being deleted in the same save are known; a per-row database check is not.
        pass

    def person_key(self):
        """Who this row names: an existing person, or a new one by name."""
        person = self.cleaned_data.get("person")
        if person is not None:
            return ("person", person.pk), person.name
        name = self.cleaned_data.get("new_person_name", "")
        return ("new", name.casefold()), name


class BaseRoleFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "queryset", EventRole.objects.select_related("person").order_by("order", "pk")
        )
        super().__init__(*args, **kwargs)
        # One query for the people list, shared by every row (not one per row).
        self.person_choices = [
            ("", _("— choose, or add a new person —")),
            *(
                (p.pk, person_choice_label(p))
                for p in Person.objects.only("pk", "name", "headline").order_by("name", "pk")
            ),
        ]

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["person"].choices = self.person_choices
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.lay_out()

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["person"].choices = self.person_choices
        return form

    def kept_forms(self):
        """The rows that name someone and are not being deleted."""
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            yield form

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.kept_forms():
            key, name = form.person_key()
            role = form.cleaned_data["role"]
            if (key, role) in seen:
                form.add_error(
                    "role",
                    _("%(name)s is already listed as %(role)s: give each person a role once.")
                    % {"name": name, "role": EventRole.Role(role).label.lower()},
                )
            seen.add((key, role))


RoleFormSet = inlineformset_factory(
    Event,
    EventRole,
    form=EventRoleForm,
    formset=BaseRoleFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
)


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Shown on the event page and sent to everyone registered."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
