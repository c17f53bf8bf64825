"""The registration form of the event page: where a hybrid event's attendee joins, and any
access needs (for the organisers' eyes only)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import ControlCharactersCleaned
from events.models import Event, Registration


class RegistrationForm(ControlCharactersCleaned, forms.Form):
    attendance = forms.ChoiceField(
        label=gettext_lazy("How will you join?"), widget=forms.RadioSelect, required=True
    )
    access_needs = forms.CharField(
        label=gettext_lazy("Access needs (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Anything that would help you take part. Only the organisers see it."
        ),
    )

    def __init__(self, *args, event: Event, **kwargs):
        kwargs.setdefault("auto_id", "registration_%s")  # unique beside the page's other forms
        super().__init__(*args, **kwargs)
        self.event = event
        if event.is_hybrid:
            self.fields["attendance"].choices = [
                (
                    Registration.Attendance.ROOM,
                    self._choice_label(_("In the room"), event.places_left),
                ),
                (
                    Registration.Attendance.ONLINE,
                    self._choice_label(_("Online"), event.online_places_left),
                ),
            ]
        else:
            del self.fields["attendance"]

    @staticmethod
    def _choice_label(name: str, places_left: int | None) -> str:
        if places_left is None:
            return name
        if places_left == 0:
            return _("%(name)s (full: you join the waitlist)") % {"name": name}
        return _("%(name)s (%(count)d left)") % {"name": name, "count": places_left}
