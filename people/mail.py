"""One seam for every email the site sends.

Callers describe the message; this module decides how it leaves. Messages are sent only after
the surrounding transaction commits: nobody hears of a post or registration that rolled back.
"""

from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction


def build_email(
    *,
    to: Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ").strip(), body=text, to=list(to), headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_email_on_commit(**kwargs) -> None:
    """Send one email (keyword arguments of `build_email`) once the current transaction commits."""
    message = build_email(**kwargs)
    transaction.on_commit(lambda: message.send(fail_silently=False))
