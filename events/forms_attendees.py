"""Organisers' message to the people registered for an event."""

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.forms import ControlCharactersCleaned
from events.models import AttendeeMessage, Event, Registration


class AttendeeMessageForm(ControlCharactersCleaned, forms.ModelForm):
    """Subject, message and audience; each audience choice says how many people it reaches."""

    class Meta:
        model = AttendeeMessage
        fields = ["audience", "subject", "body"]
        widgets = {
            "audience": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people who take messages from organisers (their account's choice) count.
        takes_messages = Q(user__email_change_notices=True)
        counts = event.registrations.aggregate(
            confirmed=Count("pk", filter=Q(state=Registration.State.CONFIRMED) & takes_messages),
            waitlisted=Count("pk", filter=Q(state=Registration.State.WAITLISTED) & takes_messages),
            declined=Count("pk", filter=Q(state__in=Registration.ACTIVE_STATES) & ~takes_messages),
        )
        self.declined_count = counts["declined"]
        self.counts = {
            AttendeeMessage.Audience.CONFIRMED: counts["confirmed"],
            AttendeeMessage.Audience.WAITLISTED: counts["waitlisted"],
            AttendeeMessage.Audience.BOTH: counts["confirmed"] + counts["waitlisted"],
        }
        self.fields["audience"].choices = [
            (value, _("%(group)s (%(count)d)") % {"group": label, "count": self.counts[value]})
            for value, label in AttendeeMessage.Audience.choices
        ]
        self.fields["audience"].initial = AttendeeMessage.Audience.CONFIRMED
        help_text = _(
            "Plain text. Each person gets their own copy, addressed to them; replies come to you."
        )
        if self.declined_count:
            help_text += " " + ngettext(
                "%(count)d person registered has chosen not to get messages from organisers.",
                "%(count)d people registered have chosen not to get messages from organisers.",
                self.declined_count,
            ) % {"count": self.declined_count}
        self.fields["body"].help_text = help_text
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_audience(self):
        audience = self.cleaned_data["audience"]
        if not self.counts[audience]:
            raise forms.ValidationError(
                _("Nobody is registered in this group."), code="no_recipients"
            )
        return audience

    @property
    def recipient_count(self) -> int:
        return self.counts[self.cleaned_data["audience"]]
