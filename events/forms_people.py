"""The form of a public person page: asking for a listing to be removed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ControlCharactersCleaned


class RemovalRequestForm(ControlCharactersCleaned, forms.Form):
    """Someone named on a person page asks for the listing to be removed."""

    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("So that we can answer you. Only the site's editors see it."),
    )
    message = forms.CharField(
        label=_("What should we remove, and why?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
