"""Addresses per language (core/i18n.py, config/urls.py): /en/ and /cy/, the switch, the links
for other languages, redirects from the old addresses, and feeds that stay where they were."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from discussions import services as discussions
from discussions.models import Board
from events import services as events
from events.models import CalendarToken
from tests.factories import EventFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def url_in(code, name, **kwargs):
    with translation.override(code):
        return reverse(name, kwargs=kwargs or None)


def test_every_page_has_an_address_per_language(client):
    assert url_in("en", "events:list") == "/en/events/"
    assert url_in("cy", "events:list") == "/cy/events/"
    english = client.get("/en/events/").content.decode()
    welsh = client.get("/cy/events/").content.decode()
    assert '<html lang="en">' in english
    assert '<html lang="cy">' in welsh
    assert "Upcoming events" in english
    assert "Digwyddiadau i ddod" in welsh


def test_page_names_its_canonical_address_and_the_other_language(client):
    html = client.get("/cy/events/?theme=risk").content.decode()
    links = set(
        re.findall(
            r'<link rel="(canonical|alternate)"(?: hreflang="([\w-]+)")? href="([^"]+)"', html
        )
    )
    assert ("canonical", "", "http://testserver/cy/events/?theme=risk") in links
    assert ("alternate", "cy", "http://testserver/cy/events/?theme=risk") in links
    assert ("alternate", "en", "http://testserver/en/events/?theme=risk") in links
    assert ("alternate", "x-default", "http://testserver/en/events/?theme=risk") in links


def test_switch_is_on_every_page_and_keeps_the_page_and_its_filters(client):
    html = client.get("/en/events/?theme=risk&when=past").content.decode()
    switch = re.search(r'<nav class="language-switch[^"]*"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert 'lang="en" aria-current="true"' in switch
    (href,) = re.findall(r'<a href="([^"]+)" lang="cy" hreflang="cy">Cymraeg</a>', switch)
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response["Location"] == "/cy/events/?theme=risk&when=past"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_switch_refuses_to_send_you_elsewhere(client):
    response = client.get(reverse("switch_language", args=["cy"]) + "?next=https://evil.example/")
    assert response["Location"] == "/"
    response = client.get(reverse("switch_language", args=["fr"]) + "?next=/en/events/")
    assert response["Location"] == "/en/events/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_first_visit_follows_the_browser_and_then_the_remembered_choice(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="cy,en;q=0.5")["Location"] == "/cy/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")["Location"] == "/en/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB")["Location"] == "/cy/"


def test_old_unprefixed_addresses_redirect_with_their_query(client):
    event = EventFactory(slug="policy-cafe")
    response = client.get("/events/?theme=risk")
    assert (response.status_code, response["Location"]) == (302, "/en/events/?theme=risk")
    response = client.get(f"/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE="cy")
    assert (response.status_code, response["Location"]) == (302, "/cy/events/policy-cafe/")


def test_subscribed_feed_addresses_answer_without_a_redirect(client):
    theme = ThemeFactory(slug="risk")
    event = EventFactory(slug="policy-cafe", themes=[theme])
    for path in (
        "/events/calendar.ics",
        "/events/calendar.ics?theme=risk",
        f"/events/{event.slug}/calendar.ics",
        "/themes/risk/calendar.ics",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert Calendar.from_ical(response.content).events


def test_personal_feed_and_one_click_unsubscribe_keep_their_old_addresses(client):
    user = UserFactory()
    event = EventFactory()
    events.register_attendee(event=event, user=user)
    token = CalendarToken.objects.create(user=user, token=CalendarToken.new_token())
    response = client.get(f"/calendar/{token.token}.ics")
    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).events) == 1

    thread = discussions.start_thread(
        board=Board.objects.for_event(event), author=user, title="Next?", body="Hello"
    )
    subscription = user.discussion_subscriptions.get(thread=thread)
    unsubscribe_token = discussions.unsubscribe_token(subscription)
    response = client.post(f"/unsubscribe/{unsubscribe_token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.active is False


def test_welsh_feed_address_gives_a_welsh_calendar(client):
    EventFactory()
    calendar = Calendar.from_ical(client.get(url_in("cy", "events:feed")).content)
    assert str(calendar["X-WR-CALNAME"]) == "Comin: digwyddiadau"


@pytest.mark.parametrize("language", ["en", "cy"])
def test_marking_a_list_marks_each_text_as_marked_does(language):
    """`marking(model, field)` reads the page's language once for a list: the same text and
    `lang` mark as `marked` for texts in both languages, in either alone, with markup, and for
    an object whose page-language text was not read (deferred)."""
    from core.i18n import marked, marking
    from events.models import Event

    events = [
        EventFactory(title_en="Both <b>", title_cy="Y ddau <b>"),
        EventFactory(title_en="English only", title_cy=""),
        EventFactory(title_en="", title_cy="Cymraeg yn unig"),
    ]
    deferred = Event.objects.only("pk", f"title_{'cy' if language == 'en' else 'en'}")
    with translation.override(language):
        mark = marking(Event, "title")
        assert [mark(event) for event in events] == [marked(event, "title") for event in events]
        assert mark(deferred.get(pk=events[0].pk)) == marked(events[0], "title")
        assert str(mark(events[0])) == (
            "Both &lt;b&gt;" if language == "en" else "Y ddau &lt;b&gt;"
        )
