"""The calendar template hooks: <link rel=alternate> tags and "Add to calendar" controls."""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def render(template, path="/", **context):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return render_to_string(template, {"request": request, **context}, request=request)


def test_link_tag_for_the_list_keeps_the_query_but_not_the_page():
    html = render(
        "events/_calendar_link_tag.html", path="/events/?theme=arts&page=2&kind=cafe", feed="list"
    )
    assert html.strip() == (
        '<link rel="alternate" type="text/calendar" title="Calendar of these events" '
        f'href="http://testserver{reverse("events:feed")}?theme=arts&amp;kind=cafe">'
    )


@pytest.mark.parametrize(
    ("feed", "factory", "title"),
    [
        ("theme", ThemeFactory, "Commons: events on Arts"),
        ("series", SeriesFactory, "Commons: events in Arts"),
        ("person", PersonFactory, "Commons: events with Arts"),
        ("organisation", OrganisationFactory, "Commons: events hosted by Arts"),
    ],
)
def test_link_tag_for_path_feeds(feed, factory, title):
    obj = factory(name="Arts")
    html = render("events/_calendar_link_tag.html", feed=feed, obj=obj)
    path = reverse(f"events:{feed}_feed", args=[obj.slug])
    assert html.strip() == (
        f'<link rel="alternate" type="text/calendar" title="{title}" '
        f'href="http://testserver{path}">'
    )


def test_add_to_calendar_for_a_feed_offers_webcal_google_outlook_and_the_address():
    theme = ThemeFactory(name="Arts")
    html = render("events/_add_to_calendar.html", feed="theme", obj=theme)
    https = f"http://testserver{reverse('events:theme_feed', args=[theme.slug])}"
    webcal = https.replace("http://", "webcal://")
    assert f'href="{webcal}"' in html
    assert f"https://calendar.google.com/calendar/r?cid={quote(webcal, safe='')}" in html
    assert "https://outlook.live.com/calendar/0/addfromweb?url=" + quote(https, safe="") in html
    assert f'value="{https}" readonly' in html
    assert '<label class="form-label small" for="calendar-url-theme">' in html
    assert "<script>" not in html
    assert "style=" not in html


def test_add_to_calendar_for_an_event_offers_download_and_single_event_links():
    event = EventFactory(title="Policy Cafe")
    html = render("events/_add_to_calendar.html", feed="event", obj=event)
    ics = reverse("events:event_ics", args=[event.slug])
    assert f'href="http://testserver{ics}" download' in html
    assert (
        "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;text=Policy+Cafe" in html
    )
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in html


def test_event_page_carries_the_link_tag_and_controls(client):
    event = EventFactory()
    html = client.get(event.get_absolute_url()).content.decode()
    assert (
        f'<link rel="alternate" type="text/calendar" title="Commons: {event.title}" '
        f'href="http://testserver{reverse("events:event_ics", args=[event.slug])}">'
    ) in html
    assert "Add to calendar" in html


def test_draft_events_offer_no_calendar_links():
    draft = EventFactory(status="draft")
    assert render("events/_calendar_link_tag.html", feed="event", obj=draft).strip() == ""
    assert render("events/_add_to_calendar.html", feed="event", obj=draft).strip() == ""
