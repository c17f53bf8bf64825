from django import forms
from django.utils.translation import gettext_lazy as _

from people.models import User


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS): the name others will see."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("Shown beside your posts and to the organisers of events you register for."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name"]

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.preferred_language = _interface_language(request)
        user.save(update_fields=["display_name", "preferred_language"])


def _interface_language(request) -> str:
    from django.conf import settings
    from django.utils import translation

    current = translation.get_language() or ""
    codes = [code for code, _name in settings.LANGUAGES]
    return current if current in codes else ""


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "preferred_language",
            "email_change_notices",
            "email_reminders",
            "email_follow_notices",
            "email_mentions",
            "email_digest",
        ]
        labels = {"display_name": _("Your name")}
        widgets = {"email_digest": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["preferred_language"].choices = [
            ("", _("The language of the page I am on")),
            *self.fields["preferred_language"].choices[1:],
        ]
        self.fields["email_digest"].choices = User.Digest.choices


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account, registrations and calendar link go for good"),
        help_text=_("Your posts stay, shown as by a former member. This cannot be undone."),
    )
