from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import CalendarToken


class CalendarTokenForm(forms.Form):
    """Create, regenerate or revoke the personal feed token; changes to a live one are confirmed."""

    ACTIONS = [
        ("create", _("Create my calendar address")),
        ("regenerate", _("Regenerate the address")),
        ("revoke", _("Turn off my calendar address")),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I understand that calendars using the current address will stop updating."),
        required=False,
    )

    def __init__(self, *args, token=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.token = token

    def clean(self):
        cleaned = super().clean()
        live = self.token is not None and self.token.is_active
        changes_live = live and cleaned.get("action") in ("regenerate", "revoke")
        if changes_live and not cleaned.get("confirm"):
            self.add_error("confirm", _("Please confirm: the current address will stop working."))
        return cleaned

    @transaction.atomic
    def apply(self, *, user) -> None:
        action = self.cleaned_data["action"]
        if action == "revoke":
            CalendarToken.objects.filter(user=user).update(revoked=True)
            return
        CalendarToken.objects.update_or_create(
            user=user,
            defaults={
                "token": CalendarToken.new_token(),
                "revoked": False,
                "created_at": timezone.now(),
            },
        )

    def success_message(self) -> str:
        return {
            "create": _("Your calendar address is ready."),
            "regenerate": _("You have a new calendar address; the old one no longer works."),
            "revoke": _("Your calendar address is turned off."),
        }[self.cleaned_data["action"]]
