"""The search page's form, kept rendered without words or choices (discussions_tags.search_form):
every page gets the form a plain render gives, with its own words and choices."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from discussions.forms import SearchForm
from discussions.models import Board, Thread
from discussions.services import start_thread
from tests.factories import EventFactory, ThemeFactory
from tests.skeletons import page_text, plain_text


@pytest.fixture
def menus(author, monkeypatch):
    """A theme named in English only and one in both languages; one event in the menu and an
    older one it leaves out."""
    monkeypatch.setattr(SearchForm, "EVENT_MENU_SIZE", 1)
    themes = [ThemeFactory(name="Time credits"), ThemeFactory(name_en="Housing", name_cy="Tai")]
    events = []
    for title in ("Older cafe", "Recent cafe"):
        event = EventFactory(title=title)
        board = Board.objects.for_event(event)
        start_thread(board=board, author=author, title=f"On {title}", body="Care & money.")
        events.append(event)
    # Days ago, not seconds: the recent conversations say how long ago, and the pages compared
    # are rendered seconds apart (on a busy machine, "a second ago" against "2 seconds ago").
    Thread.objects.update(last_activity_at=timezone.now() - timedelta(days=3))
    return {"themes": themes, "recent": events[1], "older": events[0]}


def queries(menus):
    theme, recent, older = menus["themes"][1], menus["recent"], menus["older"]
    return [
        {},
        {"q": ""},
        {"q": "care"},
        {"q": '  "care" <b>&amp; money'},
        {"theme": theme.slug},
        {"q": "care", "theme": theme.slug, "event": recent.slug},
        {"event": older.slug},
        {"q": "money", "event": older.slug, "page": "2"},
        {"q": "care", "theme": "no-such-theme"},  # an error: rendered as usual
        {"q": "x" * 201},
    ]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_search_page_gets_the_form_a_plain_render_gives(client, menus, language):
    with translation.override(language):
        url = reverse("discussions:search")
    for query in queries(menus):
        address = url + "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else url
        expected = plain_text(client, address)
        assert page_text(client, address) == expected, query  # the form kept
        assert page_text(client, address) == expected, query  # and used


def test_the_kept_form_shows_each_readers_words_and_choices(client, menus):
    url = reverse("discussions:search")
    theme, recent = menus["themes"][0], menus["recent"]
    page_text(client, url + "?q=first")

    html = page_text(client, f"{url}?q=%3Csecond%3E&theme={theme.slug}&event={recent.slug}")

    assert 'value="&lt;second&gt;"' in html
    assert "first" not in html
    assert f'<option value="{theme.slug}" selected>' in html
    assert f'<option value="{recent.slug}" selected>' in html
    assert html.count(" selected") == 2
