"""The online link of an online or hybrid event: confirmed attendees and organisers only.

Every public surface (the page with its JSON-LD and Open Graph tags, the event's .ics, the public
feeds) leaves a private link out; a confirmed attendee finds it on the page, in the personal feed
and in the confirmation email's .ics.
"""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from events.models import CalendarToken, Event, Registration
from events.services import register_attendee
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, ThemeFactory, UserFactory

LINK = "https://meet.example.org/secret-room-8841"

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[Event.Mode.ONLINE, Event.Mode.HYBRID])
def online_event(request):
    venue = {} if request.param == Event.Mode.HYBRID else {"venue": None}
    return EventFactory(
        mode=request.param, online_url=LINK, capacity=1, themes=[ThemeFactory()], **venue
    )


def page_html(client, event) -> str:
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def open_graph(html: str) -> str:
    return " ".join(re.findall(r'<meta property="og:[^"]+" content="([^"]*)"', html))


def public_feed_bodies(client, event) -> dict[str, bytes]:
    theme = event.themes.get()
    urls = {
        "event .ics": reverse("events:event_ics", kwargs={"slug": event.slug}),
        "all events": reverse("events:feed"),
        "theme feed": reverse("events:theme_feed", kwargs={"slug": theme.slug}),
        "online filter": reverse("events:feed") + "?mode=" + event.mode,
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        calendar = Calendar.from_ical(response.content)
        assert [str(c["UID"]) for c in calendar.events] == [f"event-{event.pk}@127.0.0.1"], name
        bodies[name] = response.content.replace(b"\r\n ", b"")  # unfolded (RFC 5545 3.1)
    return bodies


def personal_feed(client, user) -> Calendar:
    token = CalendarToken.objects.create(user=user, token=CalendarToken.new_token())
    response = client.get(reverse("events:personal_feed", kwargs={"token": token.token}))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def test_private_link_is_on_no_public_surface(client, online_event):
    html = page_html(client, online_event)
    assert LINK not in html
    assert "meet.example.org" not in json.dumps(json_ld(html))
    assert "meet.example.org" not in open_graph(html)
    location = json_ld(html)["location"]
    virtual = location[-1] if isinstance(location, list) else location
    page_url = "http://testserver" + online_event.get_absolute_url()
    assert virtual == {"@type": "VirtualLocation", "url": page_url}
    assert "The joining link is shown here, and emailed, to people with a confirmed place." in html
    for name, body in public_feed_bodies(client, online_event).items():
        assert b"meet.example.org" not in body, name


def test_signed_in_visitor_and_waitlisted_attendee_do_not_see_it(client, online_event):
    register_attendee(event=online_event, user=UserFactory())  # takes the one place
    waitlisted = UserFactory()
    assert register_attendee(event=online_event, user=waitlisted).is_waitlisted
    for viewer in (UserFactory(), waitlisted):
        client.force_login(viewer)
        assert LINK not in page_html(client, online_event)
    feed = personal_feed(client, waitlisted)
    [component] = feed.events
    assert str(component["STATUS"]) == "TENTATIVE"
    assert "CONFERENCE" not in component
    assert b"meet.example.org" not in feed.to_ical().replace(b"\r\n ", b"")


def test_confirmed_attendee_finds_it_on_the_page_in_the_personal_feed_and_the_mail_ics(
    client, online_event, django_capture_on_commit_callbacks
):
    attendee = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert register_attendee(event=online_event, user=attendee).is_confirmed
    client.force_login(attendee)
    assert f'href="{LINK}"' in page_html(client, online_event)

    [component] = personal_feed(client, attendee).events
    assert str(component["CONFERENCE"]) == LINK
    assert f"Join online: {LINK}" in str(component["DESCRIPTION"])

    [message] = mail.outbox
    assert LINK in message.body
    [(filename, content, mimetype)] = message.attachments
    [attached] = Calendar.from_ical(content).events
    assert str(attached["CONFERENCE"]) == LINK


def test_organisers_see_it_on_the_page_and_in_their_feed(client, organiser, online_event):
    EventRoleFactory(event=online_event, person=PersonFactory(user=organiser), role="organiser")
    client.force_login(organiser)
    assert f'href="{LINK}"' in page_html(client, online_event)
    [component] = personal_feed(client, organiser).events
    assert str(component["CONFERENCE"]) == LINK


def test_link_marked_public_is_on_the_page_and_in_public_feeds(client, online_event):
    Event.objects.filter(pk=online_event.pk).update(online_url_is_public=True)
    html = page_html(client, online_event)
    assert f'href="{LINK}"' in html
    assert LINK in json.dumps(json_ld(html))
    for name, body in public_feed_bodies(client, online_event).items():
        assert f"CONFERENCE;FEATURE=VIDEO;LABEL=Join;VALUE=URI:{LINK}".encode() in body, name


def test_can_see_joining_link_is_one_rule(online_event, organiser):
    confirmed, waitlisted, stranger = UserFactory(), UserFactory(), UserFactory()
    register_attendee(event=online_event, user=confirmed)
    register_attendee(event=online_event, user=waitlisted)
    EventRoleFactory(event=online_event, person=PersonFactory(user=organiser), role="organiser")
    from django.contrib.auth.models import AnonymousUser

    seen = {
        name: online_event.can_see_joining_link(user)
        for name, user in [
            ("anonymous", AnonymousUser()),
            ("stranger", stranger),
            ("waitlisted", waitlisted),
            ("confirmed", confirmed),
            ("organiser", organiser),
        ]
    }
    assert seen == {
        "anonymous": False,
        "stranger": False,
        "waitlisted": False,
        "confirmed": True,
        "organiser": True,
    }
    assert Registration.objects.get(user=waitlisted).is_waitlisted
