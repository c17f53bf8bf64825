"""allauth, speaking each account's language."""

from allauth.account.adapter import DefaultAccountAdapter

from core.i18n import in_language_of
from people.models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Password resets and the like, in the account's language (the page's for strangers)."""
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        if user is None:
            return super().send_mail(template_prefix, email, context)
        with in_language_of(user):
            return super().send_mail(template_prefix, email, context)
