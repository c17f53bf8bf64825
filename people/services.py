"""Account-wide operations: a member's data export, account deletion, email confirmation.

`people` knows nothing of the apps above it, yet a member's data lives in all of them. Each app
adds its part from its `AppConfig.ready()`:

    register_export_section("registrations", lambda user: [...])   # JSON-ready data
    register_deletion_step(cancel_my_registrations)                 # runs before the row goes

Deletion keeps what others rely on (posts stay, shown as by "a former member") and removes what is
personal: the account row (name, email, password, preferences), and through it every row that
cascades from it (registrations, calendar tokens, follows, flags, email addresses).
"""

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

_export_sections: dict[str, Callable] = {}
_deletion_steps: list[Callable] = []

ACCOUNT_FIELDS = (
    "email",
    "display_name",
    "preferred_language",
    "email_change_notices",
    "email_reminders",
    "email_follow_notices",
    "email_mentions",
    "email_digest",
)


def register_export_section(name: str, build: Callable) -> None:
    """Add `name` to every member's export; `build(user)` returns JSON-ready data."""
    _export_sections[name] = build


def register_deletion_step(step: Callable) -> None:
    """Run `step(user)` inside the deletion's transaction, before the account row is deleted."""
    if step not in _deletion_steps:
        _deletion_steps.append(step)


def export_member_data(*, user) -> dict:
    """Everything the account page shows, and what the member did, as one JSON-ready dict."""
    account = {field: getattr(user, field) for field in ACCOUNT_FIELDS}
    account["date_joined"] = user.date_joined.isoformat()
    account["emails"] = [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in user.emailaddress_set.order_by("-primary", "email")
    ]
    data = {"exported_at": timezone.now().isoformat(), "account": account}
    for name, build in sorted(_export_sections.items()):
        data[name] = build(user)
    return data


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete a member's account for good (see the module docstring for what stays)."""
    for step in _deletion_steps:
        step(user)
    user.delete()


# One confirmation link per member per this many seconds (allauth's own page has the same limit).
VERIFICATION_RESEND_SECONDS = 180


def send_verification_link(*, request, user) -> bool | None:
    """Mail `user` a new link confirming their address (allauth's, in their language).

    True: sent. False: one was sent within VERIFICATION_RESEND_SECONDS (nothing sent). None: the
    address is already confirmed. An account made without allauth (the admin, a script) gets its
    EmailAddress row here.
    """
    from allauth.account.models import EmailAddress

    if user.has_verified_email:
        return None
    key = f"people:verification-sent:{user.pk}"
    # get, then set (not add): with the cache away, add answers False and nobody could confirm.
    if cache.get(key):
        return False
    cache.set(key, 1, VERIFICATION_RESEND_SECONDS)
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    address.send_confirmation(request)
    return True
