"""The search page around its title and content, kept once per language and audience
(discussions/search_page.py): every page is the page a plain render gives, for every reader and
query string, whoever's search filled it first; the reader's words are never taken for the
kept page's stand-in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from discussions import search_page, services
from discussions.models import Board, Thread
from tests.factories import EventFactory, ThemeFactory, UserFactory
from tests.skeletons import page_text as get
from tests.skeletons import plain_text as plain
from tests.skeletons import reader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(search_page, "_kept", {})


@pytest.fixture
def readers(db):
    return {
        "visitor": None,
        "member": UserFactory(display_name="Mari Member"),
        "unverified": UserFactory(display_name="Nia New", verified_email=False),
        "moderator": UserFactory(display_name="Mo Moderator", groups=["Moderators"]),
        "staff": UserFactory(display_name="Staff", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def queries(author):
    theme = ThemeFactory(name="Time credits")
    event = EventFactory(title="Care cafe")
    services.start_thread(
        board=Board.objects.for_event(event),
        author=author,
        title="Care & money",
        body="Care, money and the core economy.",
        themes=[theme],
    )
    # Days ago, not seconds: the recent conversations say how long ago, and the pages compared
    # are rendered seconds apart.
    Thread.objects.update(last_activity_at=timezone.now() - timedelta(days=3))
    return [
        "",
        "?q=care",
        f"?q=care&theme={theme.slug}&event={event.slug}",
        "?q=%22care%22+%3Cb%3E%26amp%3B+money&page=2",
        "?q=g%C5%B5yl+%C3%A2+caf%C3%A9",
        f"?q={search_page.QUERY_STAND_IN}",  # the reader's words are theirs
        f"?q=%3F{search_page.QUERY_STAND_IN}&x=%3F",
    ]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_reader_gets_the_search_page_a_plain_render_gives(readers, queries, language):
    with translation.override(language):
        path = reverse("discussions:search")
    urls = [path + query for query in queries]
    expected = {
        (name, url): plain(reader(user), url) for name, user in readers.items() for url in urls
    }
    assert f": {search_page.QUERY_STAND_IN} · " in expected[("member", urls[5])]  # the title
    for first in ("visitor", "member", "staff"):
        search_page._kept.clear()
        order = [first, *(name for name in readers if name != first)]
        for name in order:
            client = reader(readers[name])
            for url in urls:
                assert get(client, url) == expected[(name, url)], (first, name, url)
    assert len(search_page._kept) == 3  # visitors', plain members' and staff's own links
