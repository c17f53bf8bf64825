"""allauth's forms in our words: sentence case, a label on every field, saying what it is for.

Kept apart from people/forms.py: allauth builds its sign-up form on ACCOUNT_SIGNUP_FORM_CLASS
(people.forms.SignupForm), so importing allauth's forms from there would be circular.
"""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


def _relabel(form, labels: dict, help_texts: dict | None = None) -> None:
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            # allauth renders placeholders instead of labels; ours shows the label.
            form.fields[name].widget.attrs.pop("placeholder", None)
    for name, text in (help_texts or {}).items():
        if name in form.fields:
            form.fields[name].help_text = text


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "login": _("Email address"),
                "password": _("Password"),
                "remember": _("Keep me signed in on this device"),
            },
        )


class AllauthSignupForm(allauth_forms.SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {"email": _("Email address"), "password1": _("Password")},
            {
                "email": _("We send your registrations here. Nobody else sees it."),
                "password1": _("At least 8 characters; a phrase of a few words is good."),
            },
        )


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": _("Email address")})


class ConfirmLoginCodeForm(allauth_forms.ConfirmLoginCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"code": _("Sign-in code")})


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": _("Email address")})


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": _("New password"), "password2": _("New password again")})


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "oldpassword": _("Current password"),
                "password1": _("New password"),
                "password2": _("New password again"),
            },
        )
