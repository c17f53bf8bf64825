from django import forms
from django.utils.translation import gettext_lazy as _

from core import widgets as bilingual
from core.forms import ControlCharactersCleaned
from core.uploads import IMAGE, inspect_upload
from events.models import Event, Theme
from record.models import AgendaItem, Outcome
from visuals.models import Visual

PUBLISH = "publish"
DRAFT = "draft"


class VisualForm(ControlCharactersCleaned, forms.ModelForm):
    """Add (with a file) or edit a visual; "Publish" checks alt text and transcript."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("A JPEG, PNG or WebP image, or a PDF document."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )

    class Meta:
        model = Visual
        fields = [
            "file",
            "kind",
            "title",
            "alt_text",
            "has_words",
            "transcript",
            "caption",
            "credit_person",
            "credit_text",
            "licence",
            "themes",
            "agenda_item",
            "outcome",
        ]
        widgets = {
            "alt_text": forms.Textarea(attrs={"rows": 2}),
            "transcript": forms.Textarea(attrs={"rows": 8}),
            "themes": bilingual.CheckboxSelectMultiple,
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if self.instance.pk:
            del self.fields["file"]
        else:
            self.initial.setdefault("has_words", True)
        self.fields["credit_person"].queryset = event.listed_people()
        self.fields["credit_person"].empty_label = _("(someone else: use the free text below)")
        themes = Theme.objects.filter(events=event)
        self.fields["themes"].queryset = themes if themes.exists() else Theme.objects.all()
        self.fields["themes"].required = False
        # Pins: only this event's agenda items and outcomes; no field when it has none.
        for name, items in (
            ("agenda_item", AgendaItem.objects.filter(event=event)),
            ("outcome", Outcome.objects.filter(event=event).order_by("pk")),
        ):
            if items.exists():
                self.fields[name].queryset = items
                self.fields[name].empty_label = _("(not pinned)")
            else:
                del self.fields[name]
        if "agenda_item" in self.fields:
            self.fields["agenda_item"].label_from_instance = lambda item: (
                f"{item.starts_at:%H:%M} {item.title}"
            )

    def clean_file(self):
        # UploadRefused is a ValidationError: its message becomes the field's error.
        return inspect_upload(self.cleaned_data["file"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("credit_person") and cleaned.get("credit_text"):
            self.add_error(
                "credit_text", _("Credit a person from the event or write a credit, not both.")
            )
        return cleaned

    def is_image(self) -> bool:
        if self.instance.pk:
            return self.instance.is_image
        clean_file = self.cleaned_data.get("file")
        return clean_file is not None and clean_file.kind == IMAGE

    def check_publishable(self) -> None:
        """Add an error for each thing missing before publishing (after is_valid())."""
        visual = Visual(
            is_image=self.is_image(),
            alt_text=self.cleaned_data.get("alt_text", ""),
            has_words=self.cleaned_data.get("has_words", False),
            transcript=self.cleaned_data.get("transcript", ""),
        )
        for field, problem in visual.publish_problems().items():
            self.add_error(field, problem)

    def details(self) -> dict:
        """The plain values the services take."""
        names = [n for n in self.fields if n not in ("file", "themes")]
        return {name: self.cleaned_data[name] for name in names}


class DiscussForm(ControlCharactersCleaned, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("What would you like to say or ask about it?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
    )
