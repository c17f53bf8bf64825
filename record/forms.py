from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from core import widgets as bilingual
from core.forms import ControlCharactersCleaned
from discussions.models import Thread
from events.models import Theme
from people.models import Person
from record.models import (
    MAX_DOTS,
    AgendaItem,
    Contribution,
    EventRecord,
    Outcome,
    Priority,
    Profile,
    PulseResponse,
)


class PriorityForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["kind", "text", "theme"]
        labels = {"kind": _("This is a"), "text": _("Your question or priority")}
        help_texts = {"text": _("One short sentence. Others can add their dots to it.")}
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 2}),
            "theme": bilingual.Select,
        }

    def __init__(self, *args, event, themes=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["theme"]
        field.queryset = Theme.objects.filter(events=event)
        field.required = False
        field.empty_label = _("No particular theme")
        if themes is not None:
            # The event page's themes (a callable: no query until the menu is rendered, and the
            # page keeps the rendered fields shared). Each value carries its theme, so a name
            # shown in the other language is marked (bilingual.Select).
            field.choices = lambda: [
                ("", field.empty_label),
                *((ModelChoiceIteratorValue(t.pk, t), t.name) for t in themes()),
            ]


class HideForm(ControlCharactersCleaned, forms.Form):
    reason = forms.CharField(
        label=_("Reason shown to the author"),
        max_length=300,
        help_text=_("e.g. Off topic for this event: try the board of the housing workshop."),
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Priority.objects.none())

    def __init__(self, *args, priority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Priority.objects.shown().filter(event_id=priority.event_id).exclude(pk=priority.pk)
        )


class MoveDotForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Move one dot to"), queryset=Priority.objects.none())

    def __init__(self, *args, priority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Priority.objects.shown().filter(event_id=priority.event_id).exclude(pk=priority.pk)
        )


class DotsForm(forms.ModelForm):
    class Meta:
        model = EventRecord
        fields = ["dots_per_person"]
        widgets = {"dots_per_person": forms.NumberInput(attrs={"min": 1, "max": MAX_DOTS})}


class AgendaItemForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = [
            "starts_at",
            "ends_at",
            "title",
            "description",
            "presenters",
            "themes",
            "priorities",
        ]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "presenters": forms.CheckboxSelectMultiple,
            "themes": bilingual.CheckboxSelectMultiple,
            "priorities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenters"].queryset = event.listed_people()
        self.fields["presenters"].help_text = _("The people of this event.")
        self.fields["themes"].queryset = Theme.objects.filter(events=event)  # by the names shown
        self.fields["priorities"].queryset = Priority.objects.shown().filter(event=event)
        self.fields["priorities"].label_from_instance = priority_label

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("An item must end after it starts."))
        return cleaned


def priority_label(priority: Priority) -> str:
    return _("%(text)s (%(n)s dots)") % {"text": priority.text, "n": priority.dot_count}


class SummaryForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = EventRecord
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].required = True


class OutcomeForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = Outcome
        fields = [
            "kind",
            "title",
            "description",
            "owner",
            "due_on",
            "themes",
            "priorities",
            "threads",
            "status",
            "status_reason",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "status_reason": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "themes": bilingual.CheckboxSelectMultiple,
            "priorities": forms.CheckboxSelectMultiple,
            "threads": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.all()
        self.fields["priorities"].queryset = Priority.objects.shown().filter(event=event)
        self.fields["priorities"].label_from_instance = priority_label
        self.fields["threads"].queryset = Thread.objects.filter(
            board__event=event, hidden=False
        ).order_by("title")
        if self.instance.pk:  # status moves through its own form, which keeps the history
            del self.fields["status"]
            del self.fields["status_reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Outcome.Status.NOT_TAKEN_FORWARD and not cleaned.get(
            "status_reason"
        ):
            self.add_error("status_reason", _("Say why it was not taken forward."))
        return cleaned


class StatusForm(ControlCharactersCleaned, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Outcome.Status.choices)
    note = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when it is not taken forward: say why."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Outcome.Status.NOT_TAKEN_FORWARD and not cleaned.get("note"):
            self.add_error("note", _("Say why it was not taken forward."))
        return cleaned


class ContributionForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["text", "person", "credit"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "credit": forms.RadioSelect}
        help_texts = {
            "credit": _(
                "Named people are emailed before the record is published and may switch to "
                "anonymised."
            )
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.order_by("name")
        self.fields["person"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("credit") == Contribution.Credit.NAMED and not cleaned.get("person"):
            self.add_error("person", _("Choose who is named, or choose another credit."))
        return cleaned


class PulseForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = PulseResponse
        fields = ["heard", "change", "comment"]
        widgets = {
            "heard": forms.RadioSelect,
            "change": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 3}),
        }


class ProfileForm(ControlCharactersCleaned, forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["perspective"]
