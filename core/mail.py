"""One seam for every email the site sends.

Callers describe the message; this module decides how it leaves: as a background task
(`deliver_email`), so no request waits for a mail server. Nobody hears of a post or registration
that rolled back:

- with a backend that stores tasks in our database (production: `django_tasks_db`), the task row is
  written inside the caller's transaction, so it commits or rolls back with the write it reports on
  (no window where the write is saved but the mail is lost);
- with any other backend (the embedded profile and tests run tasks immediately) the task is
  enqueued once the transaction commits.
"""

import base64
from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_tasks import task

from core.text import single_line


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
        # One line: a line break in a header is refused (BadHeaderError), so a "\r" in an event's
        # or thread's title would stop every mail about it.
        subject=single_line(subject).strip(),
        body=text,
        to=list(to),
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def serialise_email(
    *,
    to: Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
) -> dict:
    """The keyword arguments of `build_email` as JSON-safe data (attachments in base64)."""
    return {
        "to": list(to),
        "subject": subject,
        "text": text,
        "html": html,
        "headers": dict(headers or {}),
        "attachments": [
            {
                "filename": filename,
                "content": base64.b64encode(
                    content.encode() if isinstance(content, str) else content
                ).decode("ascii"),
                "mimetype": mimetype,
            }
            for filename, content, mimetype in attachments
        ],
    }


def deserialise_email(data: dict) -> EmailMultiAlternatives:
    """The message `serialise_email` described."""
    return build_email(
        to=data["to"],
        subject=data["subject"],
        text=data["text"],
        html=data["html"],
        headers=data["headers"],
        attachments=[
            (item["filename"], base64.b64decode(item["content"]), item["mimetype"])
            for item in data["attachments"]
        ],
    )


@task()
def deliver_email(message: dict) -> None:
    """Background task: send one serialised message."""
    deserialise_email(message).send(fail_silently=False)


def _stores_tasks_in_database() -> bool:
    return type(deliver_email.get_backend()).__module__.startswith("django_tasks_db")


def send_email_on_commit(**kwargs) -> None:
    """Send one email (keyword arguments of `build_email`) once the current transaction commits."""
    message = serialise_email(**kwargs)
    deserialise_email(message)  # a malformed message fails here, in the caller, not in the worker
    if _stores_tasks_in_database():
        deliver_email.enqueue(message)
    else:
        transaction.on_commit(lambda: deliver_email.enqueue(message))
