"""Everything that leaves the site speaks its reader's language: the account's preferred language
(set at sign-up, on the account page, by the switch) governs every email and the personal feed."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from discussions import services as discussions
from discussions.models import Board
from events import services as events
from events.models import CalendarToken
from people.models import User
from tests.factories import EventFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    # The account language arrives with issue 16 (people 0003, landing now): until then, skip.
    pytest.mark.skipif(
        not hasattr(User, "preferred_language"), reason="needs User.preferred_language (issue 16)"
    ),
]


def welsh_url(name, **kwargs):
    with translation.override("cy"):
        return reverse(name, kwargs=kwargs or None)


def test_the_switch_changes_a_signed_in_members_language(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)
    client.get(reverse("switch_language", args=["cy"]) + "?next=/en/events/")
    user.refresh_from_db()
    assert user.preferred_language == "cy"


def test_registration_email_and_its_calendar_file_are_in_the_members_language(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(title="Caffi Polisi", capacity=5)
    welsh, english = UserFactory(preferred_language="cy"), UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        events.register_attendee(event=event, user=welsh)
        events.register_attendee(event=event, user=english)
    to_welsh, to_english = (
        next(m for m in mail.outbox if m.to == [u.email]) for u in (welsh, english)
    )

    assert to_welsh.subject == "Mae gennych le yn Caffi Polisi"
    assert "Rydych chi wedi cofrestru ar gyfer Caffi Polisi." in to_welsh.body
    assert welsh_url("events:detail", slug=event.slug) in to_welsh.body
    assert any(name in to_welsh.body for name in WELSH_MONTHS), to_welsh.body
    assert to_english.subject == "You have a place at Caffi Polisi"
    assert "/en/events/" in to_english.body

    (_name, content, mimetype) = to_welsh.attachments[0]
    assert mimetype == "text/calendar"
    vevent = Calendar.from_ical(content).events[0]
    assert "Manylion:" in str(vevent["DESCRIPTION"])


WELSH_MONTHS = [
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
]


def test_cancellation_notice_is_in_each_members_language(django_capture_on_commit_callbacks):
    organiser = UserFactory(groups=["Organisers"], is_staff=True)
    event = EventFactory(title="Bord gron")
    welsh, english = UserFactory(preferred_language="cy"), UserFactory(preferred_language="en")
    for user in (welsh, english):
        events.register_attendee(event=event, user=user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        events.cancel_event(event=event, user=organiser, reason_cy="Salwch")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[welsh.email] == "Wedi'i ganslo: Bord gron"
    assert subjects[english.email] == "Cancelled: Bord gron"


def test_new_post_notice_is_in_the_followers_language(django_capture_on_commit_callbacks):
    event = EventFactory(title="Caffi Polisi")
    author = UserFactory(preferred_language="cy", display_name="Siân")
    thread = discussions.start_thread(
        board=Board.objects.for_event(event), author=author, title="Beth nesaf?", body="Helo"
    )
    with django_capture_on_commit_callbacks(execute=True):
        discussions.post_reply(thread=thread, author=UserFactory(), body="Diolch")
    (message,) = mail.outbox
    assert "Darllen ac ateb:" in message.body
    assert welsh_url("discussions:post", pk=thread.posts.last().pk) in message.body
    html = message.alternatives[0][0]
    assert '<html lang="cy">' in html


def test_password_reset_email_is_in_the_accounts_language(client):
    user = UserFactory(preferred_language="cy")
    client.post(reverse("account_reset_password"), {"email": user.email})
    (message,) = mail.outbox
    assert "Rydych chi'n cael yr e-bost hwn" in message.body


def test_personal_feed_follows_the_accounts_language(client):
    user = UserFactory(preferred_language="cy", display_name="Nia")
    events.register_attendee(event=EventFactory(), user=user)
    token = CalendarToken.objects.create(user=user, token=CalendarToken.new_token())
    for path in (
        f"/calendar/{token.token}.ics",
        reverse("events:personal_feed", args=[token.token]),
    ):
        calendar = Calendar.from_ical(client.get(path).content)
        assert str(calendar["X-WR-CALNAME"]) == "Comin: fy nigwyddiadau (Nia)"
