"""The language an event is held in: on its page, in feeds, and as the `language` filter."""

import pytest
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from events.filters import filter_events
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    return {
        "welsh": EventFactory(title_en="", title_cy="Caffi", language="cy"),
        "english": EventFactory(title="Cafe", language="en"),
        "bilingual": EventFactory(title="Round-table", language="bilingual"),
        "interpreted": EventFactory(title="Seminar", language="en", interpretation=True),
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("cy", {"welsh", "bilingual", "interpreted"}),
        ("en", {"english", "bilingual", "interpreted"}),
        ("bilingual", {"bilingual"}),
        ("", {"welsh", "english", "bilingual", "interpreted"}),
    ],
)
def test_language_filter_finds_events_one_can_follow_in_that_language(events, language, expected):
    found = set(filter_events({"language": language}).qs)
    assert found == {events[name] for name in expected}


def test_unknown_language_is_a_form_error_not_every_event(events):
    event_filter = filter_events({"language": "fr"})
    assert list(event_filter.qs) == []
    assert "language" in event_filter.errors


def test_event_page_says_its_language_in_the_readers_language(client, events):
    event = events["interpreted"]
    english = client.get(event.get_absolute_url()).content.decode()
    assert "<dd>English; simultaneous interpretation offered</dd>" in english
    with translation.override("cy"):
        url = events["bilingual"].get_absolute_url()
    welsh = client.get(url).content.decode()
    assert "<dt>Iaith</dt>" in welsh
    assert "<dd>Dwyieithog (Cymraeg a Saesneg)</dd>" in welsh


def test_list_filtered_by_language_and_its_welsh_feed(client, events):
    with translation.override("cy"):
        page_url = reverse("events:list") + "?language=cy"
        feed_url = reverse("events:feed") + "?language=cy"
    html = client.get(page_url).content.decode()
    assert "3 digwyddiad" in html
    calendar = Calendar.from_ical(client.get(feed_url).content)
    assert str(calendar["X-WR-CALNAME"]) == "Comin: digwyddiadau yn yr iaith: Cymraeg"
    summaries = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in calendar.events}
    assert set(summaries) == {"Caffi", "Round-table", "Seminar"}
    assert "Iaith: Cymraeg" in summaries["Caffi"]
    assert "Manylion: http://127.0.0.1:8000/cy/events/" in summaries["Caffi"]
    assert "Iaith: Saesneg; cyfieithu ar y pryd ar gael" in summaries["Seminar"]


def test_event_text_in_the_other_language_is_marked_with_lang(client, events):
    with translation.override("cy"):
        english_on_welsh_page = client.get(events["english"].get_absolute_url()).content.decode()
        welsh_on_welsh_page = client.get(events["welsh"].get_absolute_url()).content.decode()
        bilingual = client.get(events["bilingual"].get_absolute_url()).content.decode()
    assert '<h1 id="event-title" class="event-title" lang="en">Cafe</h1>' in english_on_welsh_page
    assert '<h1 id="event-title" class="event-title">Caffi</h1>' in welsh_on_welsh_page
    # The language of the text, not of the event: a bilingual event written in English only.
    assert '<h1 id="event-title" class="event-title" lang="en">Round-table</h1>' in bilingual
