"""Organisers' forms: an event with its people and their roles, and the reason for cancelling."""

from datetime import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.fields import BaseTemporalField
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import widgets as bilingual
from core.forms import ControlCharactersCleaned
from core.params import parse_int
from events.clock import london_aware
from events.models import (
    ACCESS_FEATURE_NAMES,
    ACCESS_FEATURES,
    LONDON,
    Event,
    EventRole,
    Series,
    Venue,
    named_q,
)
from events.services import PersonRow
from people.models import Person

# --- Europe/London wall-clock times ---------------------------------------------------------


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


# --- when and where: a start in the past or a clash asks first ------------------------------

# The name of the second submit button that goes ahead despite the warnings. Its value is a
# signature of the time and place the person was warned about: change either and they are asked
# again; pressing Enter (the form's first button) never confirms.
CONFIRM_SCHEDULE = "confirm_schedule"
CLASHES_SHOWN = 5


def _when(moment) -> str:
    return date_format(timezone.localtime(moment, LONDON), "l j F Y, H:i")


def schedule_warnings(event: Event, *, user, check_past: bool = True) -> list[str]:
    """What a person should confirm before saving `event` at this time and place."""
    warnings = []
    if check_past and event.starts_in_the_past:
        warnings.append(
            gettext("It starts in the past: %(when)s (UK time).") % {"when": _when(event.starts_at)}
        )
    clashes = (
        Event.objects.visible_to(user)  # only events this person may see are named
        .clashing_with(event)
        .select_related("venue", "series")
        .chronological()[:CLASHES_SHOWN]
    )
    for other in clashes:
        params = {"title": other.title, "when": _when(other.starts_at)}
        if event.is_in_person and other.is_in_person and other.venue_id == event.venue_id:
            params["venue"] = other.venue.name
            message = gettext("“%(title)s” is at %(venue)s at the same time (%(when)s).")
        else:
            params["series"] = other.series.name
            message = gettext("“%(title)s” in the series %(series)s overlaps it (%(when)s).")
        warnings.append(message % params)
    return warnings


def schedule_signature(event: Event) -> str:
    values = (event.starts_at, event.ends_at, event.venue_id, event.series_id, event.mode)
    return salted_hmac("events.schedule", repr(values)).hexdigest()[:24]


class ScheduleConfirmation:
    """Ask before saving at a past time or on top of another event (a warning, then a second
    submit). Forms call `check_schedule` once they are valid."""

    schedule_warnings: list[str] = []
    schedule_signature = ""

    def check_schedule(self, event: Event, *, user, check_past=True) -> bool:
        """True when `event` may be saved: no warnings, or the person pressed "Save anyway"."""
        self.schedule_warnings = schedule_warnings(event, user=user, check_past=check_past)
        self.schedule_signature = schedule_signature(event)
        confirmed = self.data.get(CONFIRM_SCHEDULE) == self.schedule_signature
        return not self.schedule_warnings or confirmed


# --- the event ------------------------------------------------------------------------------

TEXTS_IN_BOTH_LANGUAGES = (
    "title_en",
    "title_cy",
    "summary_en",
    "summary_cy",
    "description_en",
    "description_cy",
    "access_notes_en",
    "access_notes_cy",
)


class EventForm(ControlCharactersCleaned, ScheduleConfirmation, forms.ModelForm):
    """An event as its organisers describe it. Times are Europe/London local times."""

    SCHEDULE_FIELDS = ("starts_at", "ends_at", "mode", "venue", "series")

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
    # Made with the event, in the same form, so nothing typed is lost on the way.
    new_series_name = forms.CharField(
        label=_("Or a new series"),
        max_length=200,
        required=False,
        help_text=_("Its dates can be set on the series page afterwards."),
    )
    new_theme_names = forms.CharField(
        label=_("New themes"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; a theme already listed is reused."),
    )
    new_venue_name = forms.CharField(
        label=_("Name of the new venue"), max_length=200, required=False
    )
    new_venue_address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_venue_postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    new_venue_access = forms.MultipleChoiceField(
        label=_("What the venue offers"),
        choices=ACCESS_FEATURES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_venue_access_notes = forms.CharField(
        label=_("Venue accessibility notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Entrances, lifts, parking, nearest station…"),
    )
    new_venue_latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
    )
    new_venue_longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text=_("Optional: both coordinates, or neither."),
    )

    class Meta:
        model = Event
        fields = [
            # Each text in English and Welsh (events/translation.py); either may be left empty.
            *TEXTS_IN_BOTH_LANGUAGES,
            "kind",
            "series",
            "themes",
            "hosts",
            "starts_at",
            "ends_at",
            "mode",
            "language",
            "interpretation",
            "venue",
            "online_url",
            "online_url_is_public",
            "capacity",
            "online_capacity",
            "registration_closes_at",
            "send_reminder",
            *ACCESS_FEATURE_NAMES,
        ]
        field_classes = {
            "starts_at": LondonDateTimeField,
            "ends_at": LondonDateTimeField,
            "registration_closes_at": LondonDateTimeField,
        }
        widgets = {
            "themes": bilingual.CheckboxSelectMultiple,
            "series": bilingual.Select,
            "venue": bilingual.Select,
            "hosts": bilingual.CheckboxSelectMultiple,
            "mode": forms.RadioSelect,
            "language": forms.RadioSelect,
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "title_cy": forms.TextInput(attrs={"lang": "cy"}),
            "summary_en": forms.TextInput(attrs={"lang": "en"}),
            "summary_cy": forms.TextInput(attrs={"lang": "cy"}),
            "description_en": forms.Textarea(attrs={"rows": 6, "lang": "en"}),
            "description_cy": forms.Textarea(attrs={"rows": 6, "lang": "cy"}),
            "access_notes_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "access_notes_cy": forms.Textarea(attrs={"rows": 3, "lang": "cy"}),
        }
        help_texts = {
            "starts_at": _("UK time (GMT or BST), as the clocks in Wales show it on the day."),
            "ends_at": _("UK time (GMT or BST)."),
            "registration_closes_at": _(
                "UK time. Leave empty to close registration when the event starts."
            ),
            "venue": _("Needed for an in-person or hybrid event."),
        }

    def clean_language(self):
        return self.cleaned_data.get("language") or (
            self.instance.language if self.instance.pk else Event.Language.ENGLISH
        )

    def _post_clean(self):
        super()._post_clean()  # the instance now holds what was typed
        # A capacity below the places already given (saving asks again under the row lock).
        for field, error in self.instance.capacity_problems().items():
            if not self.has_error(field):
                self.add_error(field, error)

    NEW_VENUE_FIELDS = (
        "new_venue_name",
        "new_venue_address",
        "new_venue_postcode",
        "new_venue_access",
        "new_venue_access_notes",
        "new_venue_latitude",
        "new_venue_longitude",
    )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("title_en") or cleaned.get("title_cy")):
            self.add_error("title_en", _("Give the event a title, in English or in Welsh."))
        self._clean_new_series(cleaned)
        self._clean_new_venue(cleaned)
        names = (cleaned.get("new_theme_names") or "").splitlines()
        cleaned["new_theme_names"] = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        return cleaned

    def _clean_new_series(self, cleaned):
        name = (cleaned.get("new_series_name") or "").strip()
        if not name:
            return
        if cleaned.get("series"):
            self.add_error("new_series_name", _("Choose a series or add a new one, not both."))
        elif Series.objects.filter(named_q(name)).exists():
            self.add_error("new_series_name", _("A series with this name is listed: choose it."))
        else:
            # Unsaved: services.save_event saves it with the event (it has no id before).
            cleaned["series"] = Series(name=name)

    def _clean_new_venue(self, cleaned):
        name = (cleaned.get("new_venue_name") or "").strip()
        others = [f for f in self.NEW_VENUE_FIELDS[1:] if cleaned.get(f) not in (None, "", [])]
        if not name:
            if others:
                self.add_error("new_venue_name", _("Give the new venue a name."))
            return
        latitude, longitude = cleaned.get("new_venue_latitude"), cleaned.get("new_venue_longitude")
        if (latitude is None) != (longitude is None):
            self.add_error("new_venue_longitude", _("Give both coordinates, or neither."))
        if cleaned.get("venue"):
            self.add_error("new_venue_name", _("Choose a venue or add a new one, not both."))
        elif Venue.objects.filter(named_q(name)).exists():
            self.add_error("new_venue_name", _("A venue with this name is listed: choose it."))
        elif not self.has_error("new_venue_longitude"):
            features = set(cleaned.get("new_venue_access") or [])
            cleaned["venue"] = Venue(
                name=name,
                address=cleaned.get("new_venue_address", "").strip(),
                postcode=cleaned.get("new_venue_postcode", "").strip(),
                access_notes=cleaned.get("new_venue_access_notes", "").strip(),
                latitude=latitude,
                longitude=longitude,
                **{feature: feature in features for feature in ACCESS_FEATURE_NAMES},
            )

    def themes_to_add(self) -> list[str]:
        """The names typed under "New themes", cleaned: one each, no blanks."""
        return self.cleaned_data.get("new_theme_names") or []

    def schedule_is_accepted(self, *, user) -> bool:
        """A new event, or a change of time or place, is checked; other edits are not."""
        changed = set(self.changed_data)
        if self.instance.pk and not changed.intersection(self.SCHEDULE_FIELDS):
            return True
        check_past = self.instance.pk is None or "starts_at" in changed
        return self.check_schedule(self.instance, user=user, check_past=check_past)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = Event.Mode.choices  # no empty radio button
        self.fields["language"].choices = Event.Language.choices
        # Optional: a request without it (an older form, an API-like post) keeps the default.
        self.fields["language"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("What"),
                # English and Welsh side by side on a wide screen, one above the other on a phone.
                Row(Column("title_en"), Column("title_cy"), css_class="bilingual-pair"),
                Row(Column("kind"), Column("series"), Column("new_series_name")),
                Row(Column("summary_en"), Column("summary_cy"), css_class="bilingual-pair"),
                Row(Column("description_en"), Column("description_cy"), css_class="bilingual-pair"),
                Row(Column("themes", "new_theme_names"), Column("hosts")),
            ),
            Fieldset(_("When"), Row(Column("starts_at"), Column("ends_at"))),
            Fieldset(
                _("Where"),
                "mode",
                "venue",
                # Without JavaScript too: a closed <details> around the new venue's fields.
                HTML(
                    format_lazy(
                        '<details class="new-venue mb-3"{open}><summary class="mb-2">{summary}'
                        "</summary>",
                        open="{% if form.new_venue_name.value or form.new_venue_name.errors %}"
                        " open{% endif %}",
                        summary=_("Not listed? Add a venue"),
                    )
                ),
                "new_venue_name",
                "new_venue_address",
                "new_venue_postcode",
                "new_venue_access",
                "new_venue_access_notes",
                Row(Column("new_venue_latitude"), Column("new_venue_longitude")),
                HTML("</details>"),
                "online_url",
                "online_url_is_public",
            ),
            Fieldset(_("Language"), "language", "interpretation"),
            Fieldset(
                _("Places"),
                Row(
                    Column("capacity"),
                    Column("online_capacity"),
                    Column("registration_closes_at"),
                ),
                "send_reminder",
            ),
            Fieldset(
                _("Access"),
                *ACCESS_FEATURE_NAMES,
                Row(
                    Column("access_notes_en"), Column("access_notes_cy"), css_class="bilingual-pair"
                ),
            ),
        )


# --- its people -----------------------------------------------------------------------------


def person_choice_label(person: Person) -> str:
    return f"{person.name} — {person.headline}" if person.headline else person.name


def people_matching(query: str, *, limit: int):
    """People listed whose name contains `query` (any case), by name: the person picker's search,
    with and without JavaScript."""
    query = (query or "").strip()
    if not query:
        return Person.objects.none()
    people = Person.objects.filter(name__icontains=query).only("pk", "name", "headline")
    return people.order_by("name", "pk")[:limit]


PEOPLE_FOUND_SHOWN = 20


class EventRoleForm(ControlCharactersCleaned, forms.ModelForm):
    """One person's role: someone already listed (found by name), or a new person.

    The select offers only the row's chosen person (or the people a search found), never the
    whole list, so the page stays small with thousands of people. Without JavaScript a name typed
    under "Find someone listed" is looked up on save; with it, suggestions come from the people
    search endpoint as one types.
    """

    person_search = forms.CharField(
        label=_("Find someone listed"),
        max_length=200,
        required=False,
        help_text=_("Type part of a name."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-person-search": ""}),
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.all(),
        required=False,
        label=_("Person already listed"),
        empty_label=_("— choose, or add a new person —"),
        widget=bilingual.Select(text_field="headline"),
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
            Row(Column("person_search"), Column("person")),
            Row(Column("new_person_name"), Column("new_person_headline")),
            Row(Column("role"), Column("contribution_title"), Column("order"), *last),
        )

    def clean_order(self):
        value = self.cleaned_data.get("order")
        return 0 if value is None else value

    def _find_person(self, cleaned):
        """No JavaScript: resolve the name typed under "Find someone listed" on save."""
        query = (cleaned.get("person_search") or "").strip()
        if not query or cleaned.get("person") or self.has_error("person"):
            return
        found = list(people_matching(query, limit=PEOPLE_FOUND_SHOWN + 1))
        exact = [p for p in found if p.name.casefold() == query.casefold()]
        if len(exact) == 1 or len(found) == 1:
            cleaned["person"] = exact[0] if exact else found[0]
            return
        if not found:
            self.add_error(
                "person_search",
                _("Nobody listed matches “%(query)s”. Check the spelling, or add a new person.")
                % {"query": query},
            )
            return
        self.fields["person"].choices = [("", self.fields["person"].empty_label)] + [
            (ModelChoiceIteratorValue(p.pk, p), person_choice_label(p))
            for p in found[:PEOPLE_FOUND_SHOWN]
        ]
        self.add_error(
            "person",
            _("Several people match “%(query)s”: choose one here.") % {"query": query},
        )

    def clean(self):
        cleaned = super().clean()
        self._find_person(cleaned)
        person, name = cleaned.get("person"), (cleaned.get("new_person_name") or "").strip()
        cleaned["new_person_name"] = name
        if self.has_error("person") or self.has_error("person_search"):
            return cleaned
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


class InvitationAnswerForm(forms.Form):
    """Accept or decline an invitation to co-organise (the button pressed is the answer)."""

    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["answer"] == "accept"


class BaseRoleFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        # Invitations not yet answered are rows too: the organisers see them, marked "invited".
        kwargs.setdefault(
            "queryset",
            EventRole.with_invitations.select_related("person").order_by("order", "pk"),
        )
        super().__init__(*args, **kwargs)

    @cached_property
    def forms(self):
        """The rows, each offering only its own person: one query for all rows' labels."""
        forms = BaseInlineFormSet.forms.func(self)
        chosen = {form: str(form["person"].value() or "") for form in forms}
        ids = {value for value in chosen.values() if parse_int(value) is not None}
        people = {
            str(p.pk): p for p in Person.objects.filter(pk__in=ids).only("pk", "name", "headline")
        }
        for form, value in chosen.items():
            empty = ("", form.fields["person"].empty_label)
            person = people.get(value)
            # The row goes with the value: a headline in the other language is marked (lang).
            mine = (
                [(ModelChoiceIteratorValue(value, person), person_choice_label(person))]
                if person
                else []
            )
            form.fields["person"].choices = [empty, *mine]
        return forms

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django checks a row's `id` against the default manager, which leaves invitations out:
        # every save of an event with an invitation pending was refused ("Select a valid
        # choice"). This event's rows, invitations included, are the valid ones.
        form.fields[self._pk_field.name].queryset = self.get_queryset()
        form.lay_out()

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["person"].choices = [("", form.fields["person"].empty_label)]
        return form

    def changed_rows(self) -> list[PersonRow]:
        """What the organiser changed in the who's who, as plain values for
        `services.save_event`: rows removed, then rows edited or added, in page order."""
        rows = [
            PersonRow(role=form.instance, delete=True)
            for form in self.deleted_forms
            if form.instance.pk
        ]
        for form in self.kept_forms():
            if form.has_changed():
                rows.append(
                    PersonRow(
                        role=form.save(commit=False),  # the row's values; nothing written
                        new_person_name=form.cleaned_data.get("new_person_name", ""),
                        new_person_headline=form.cleaned_data.get("new_person_headline", ""),
                    )
                )
        return rows

    def add_refusals(self, refused: list[tuple[EventRole, str]]) -> None:
        """Show each reason `services.save_event` refused a row for on that row's person."""
        for role, message in refused:
            for form in self.forms:
                if form.instance is role:
                    form.add_error("person", message)

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


# More people than any event lists; the cap also bounds the rows a POST can make the server
# build (Django's default would build 2,000 from a forged TOTAL_FORMS, about 28 s).
MAX_PEOPLE_PER_EVENT = 50

RoleFormSet = inlineformset_factory(
    Event,
    EventRole,
    form=EventRoleForm,
    formset=BaseRoleFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_PEOPLE_PER_EVENT,
    validate_max=True,
    absolute_max=MAX_PEOPLE_PER_EVENT,
)


class DuplicateEventForm(ControlCharactersCleaned, ScheduleConfirmation, forms.Form):
    """The copy's title and time; everything else is copied and can be edited afterwards."""

    title_en = forms.CharField(
        label=_("Title of the copy (English)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    title_cy = forms.CharField(
        label=_("Title of the copy (Welsh)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    starts_at = LondonDateTimeField(
        label=_("Starts at"), help_text=_("UK time (GMT or BST), as the clocks in Wales show it.")
    )
    ends_at = LondonDateTimeField(label=_("Ends at"), help_text=_("UK time (GMT or BST)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("title_en"), Column("title_cy"), css_class="bilingual-pair"),
            Row(Column("starts_at"), Column("ends_at")),
        )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("title_en") or cleaned.get("title_cy")):
            self.add_error("title_en", _("Give the copy a title, in English or in Welsh."))
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The event must end after it starts."))
        return cleaned

    def planned_copy(self, event: Event) -> Event:
        """An unsaved event standing for the copy, to check its time and place."""
        return Event(
            pk=None,
            title_en=self.cleaned_data["title_en"],
            title_cy=self.cleaned_data["title_cy"],
            starts_at=self.cleaned_data["starts_at"],
            ends_at=self.cleaned_data["ends_at"],
            venue_id=event.venue_id,
            series_id=event.series_id,
            mode=event.mode,
        )


# --- a series' dates ------------------------------------------------------------------------


class SeriesRuleForm(forms.ModelForm):
    """How a series repeats, in London wall-clock time."""

    class Meta:
        model = Series
        fields = [
            "repeat",
            "repeat_interval",
            "repeat_weekday",
            "repeat_week",
            "repeat_day",
            "start_time",
            "end_time",
            "repeat_from",
            "repeat_until",
            "repeat_count",
        ]
        widgets = {
            "repeat_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "repeat_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "repeat_weekday": _("For weekly dates, and monthly ones such as “second Monday”."),
            "repeat_week": _("For monthly dates on a weekday."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("repeat"), Column("repeat_interval")),
            Row(Column("repeat_week"), Column("repeat_weekday"), Column("repeat_day")),
            Row(Column("start_time"), Column("end_time")),
            Row(Column("repeat_from"), Column("repeat_until"), Column("repeat_count")),
        )


class ScheduleNextForm(forms.Form):
    count = forms.IntegerField(
        label=_("How many"),
        min_value=1,
        max_value=24,
        initial=3,
        help_text=_("Drafts for the next dates that have no event yet (at most 24)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class CancelEventForm(ControlCharactersCleaned, forms.Form):
    """The reason, in English, in Welsh or both, side by side: each attendee's email and each
    reader's page give it in their language where it is written."""

    reason_en = forms.CharField(
        label=_("Reason for cancelling (English)"),
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
        max_length=2000,
        required=False,
        help_text=_("Shown on the event page and sent to everyone registered."),
    )
    reason_cy = forms.CharField(
        label=_("Reason for cancelling (Welsh)"),
        widget=forms.Textarea(attrs={"rows": 3, "lang": "cy"}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("reason_en"), Column("reason_cy"), css_class="bilingual-pair")
        )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("reason_en", "").strip() or cleaned.get("reason_cy", "").strip()):
            self.add_error("reason_en", _("Say why the event is cancelled."))
        return cleaned
