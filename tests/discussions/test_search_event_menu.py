"""The search form's menus: the event menu stays small however many events have been discussed;
both are kept for every reader of a language until what they show changes."""

import re
from datetime import timedelta
from html import unescape

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from discussions import services
from discussions.forms import SearchForm, chosen_event_key
from discussions.models import Board, Thread
from events.models import Event
from tests.factories import EventFactory, ThemeFactory


def discussed_event(title, author, days_ago):
    event = EventFactory(title=title)
    thread = services.start_thread(
        board=Board.objects.for_event(event), author=author, title=f"On {title}", body="Hello."
    )
    Thread.objects.filter(pk=thread.pk).update(
        last_activity_at=timezone.now() - timedelta(days=days_ago)
    )
    return event


def menu(form):
    return [label for _value, label in form.fields["event"].widget.choices]


def test_event_menu_lists_only_the_most_recently_discussed_events(author, monkeypatch):
    monkeypatch.setattr(SearchForm, "EVENT_MENU_SIZE", 2)
    discussed_event("Old cafe", author, days_ago=300)
    discussed_event("Spring cafe", author, days_ago=20)
    discussed_event("Autumn cafe", author, days_ago=1)
    assert sorted(menu(SearchForm())[1:]) == ["Autumn cafe", "Spring cafe"]


def test_an_older_chosen_event_is_offered_and_accepted(author, monkeypatch):
    monkeypatch.setattr(SearchForm, "EVENT_MENU_SIZE", 1)
    old = discussed_event("Old cafe", author, days_ago=300)
    discussed_event("Autumn cafe", author, days_ago=1)
    form = SearchForm({"event": old.slug})
    assert form.is_valid()
    assert form.cleaned_data["event"] == old
    assert sorted(menu(form)[1:]) == ["Autumn cafe", "Old cafe"]


def test_an_older_event_one_reader_chose_is_not_kept_for_the_next(author, monkeypatch):
    monkeypatch.setattr(SearchForm, "EVENT_MENU_SIZE", 1)
    old = discussed_event("Old cafe", author, days_ago=300)
    discussed_event("Autumn cafe", author, days_ago=1)

    assert menu(SearchForm({"event": old.slug}))[1:] == ["Autumn cafe", "Old cafe"]
    assert menu(SearchForm())[1:] == ["Autumn cafe"]


def options(client, url, name):
    """(value, label, lang) of each option of the page's <select name=`name`>, empty one aside."""
    html = client.get(url).content.decode()
    select = html.split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]
    found = re.findall(r'<option value="([^"]+)"([^>]*)>([^<]*)</option>', select)
    return [(value, unescape(label), _lang(attrs)) for value, attrs, label in found]


def _lang(attrs):
    match = re.search(r'lang="([^"]+)"', attrs)
    return match[1] if match else None


def test_the_menus_follow_a_new_discussion_a_hidden_thread_and_renamed_events_and_themes(
    client, author, moderator, django_capture_on_commit_callbacks
):
    """Both menus are kept for every reader until a board, thread or post changes anywhere, or
    an event or a theme does: each committed change shows on the next page."""
    url = reverse("discussions:search")
    theme = ThemeFactory(name="Time credits")
    spring = discussed_event("Spring cafe", author, days_ago=2)
    autumn_board = Board.objects.for_event(EventFactory(title="Autumn cafe"))
    assert [label for _v, label, _l in options(client, url, "event")] == ["Spring cafe"]

    with django_capture_on_commit_callbacks(execute=True):
        services.start_thread(board=autumn_board, author=author, title="Autumn", body="Hello.")
    assert [label for _v, label, _l in options(client, url, "event")] == [
        "Autumn cafe",
        "Spring cafe",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_thread(thread=Thread.objects.get(board__event=spring), moderator=moderator)
    assert [label for _v, label, _l in options(client, url, "event")] == ["Autumn cafe"]
    with django_capture_on_commit_callbacks(execute=True):
        autumn_board.event.title = "Harvest cafe"
        autumn_board.event.save()
        theme.name = "Time banking"
        theme.save()
    assert options(client, url, "event") == [(autumn_board.event.slug, "Harvest cafe", None)]
    assert options(client, url, "theme") == [(theme.slug, "Time banking", None)]


def test_kept_menus_cost_no_query(client, author, django_assert_num_queries):
    ThemeFactory(name="Time credits")
    discussed_event("Spring cafe", author, days_ago=2)
    SearchForm()
    with django_assert_num_queries(0):
        form = SearchForm()
    assert (menu(form)[1:], themes(form)[1:]) == (["Spring cafe"], ["Time credits"])


def themes(form):
    return [label for _value, label in form.fields["theme"].widget.choices]


def test_a_chosen_theme_is_known_from_the_kept_menus(author, django_assert_num_queries):
    """A search on a theme asks no query for it (its id is kept with the menus); a slug the
    menu does not hold is still refused."""
    theme = ThemeFactory(name="Time credits")
    SearchForm()
    with django_assert_num_queries(0):
        form = SearchForm({"theme": theme.slug})
        assert form.is_valid()
    assert form.cleaned_data["theme"].pk == theme.pk
    assert "theme" in SearchForm({"theme": "no-such-theme"}).errors


def test_kept_menus_mark_labels_in_the_other_language_per_page_language(client, author):
    """A Welsh page shows an English-only name in lang="en" (and a Welsh one without it), an
    English page neither: the menus are kept per language."""
    english_only = ThemeFactory(name="Time credits")
    both = ThemeFactory(name_en="Housing", name_cy="Tai")
    event = discussed_event("Policy cafe", author, days_ago=1)
    with translation.override("cy"):
        welsh = reverse("discussions:search")
    english = reverse("discussions:search")

    for _twice in range(2):  # built, then kept
        assert sorted(options(client, welsh, "theme")) == sorted(
            [(english_only.slug, "Time credits", "en"), (both.slug, "Tai", None)]
        )
        assert options(client, welsh, "event") == [(event.slug, "Policy cafe", "en")]
        assert sorted(options(client, english, "theme")) == sorted(
            [(english_only.slug, "Time credits", None), (both.slug, "Housing", None)]
        )
        assert options(client, english, "event") == [(event.slug, "Policy cafe", None)]


def test_an_older_chosen_event_keeps_its_language_mark(client, author, monkeypatch):
    monkeypatch.setattr(SearchForm, "EVENT_MENU_SIZE", 1)
    old = discussed_event("Old cafe", author, days_ago=300)
    recent = discussed_event("Autumn cafe", author, days_ago=1)
    with translation.override("cy"):
        url = reverse("discussions:search") + f"?event={old.slug}"

    assert options(client, url, "event") == [
        (recent.slug, "Autumn cafe", "en"),
        (old.slug, "Old cafe", "en"),
    ]


def test_an_older_chosen_event_is_kept_and_follows_its_committed_changes(
    author, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """A chosen event the menu does not list is read once for every search on it (shared
    cache): a new title shows at once, and an event no longer public is refused at once."""
    monkeypatch.setattr(SearchForm, "EVENT_MENU_SIZE", 1)
    old = discussed_event("Old cafe", author, days_ago=300)
    discussed_event("Autumn cafe", author, days_ago=1)
    assert SearchForm({"event": old.slug}).is_valid()

    with django_assert_num_queries(0):
        form = SearchForm({"event": old.slug})
        assert form.is_valid()
    assert form.cleaned_data["event"] == old
    with django_capture_on_commit_callbacks(execute=True):
        old.title = "Vintage cafe"
        old.save()
    assert menu(SearchForm({"event": old.slug}))[1:] == ["Autumn cafe", "Vintage cafe"]
    with django_capture_on_commit_callbacks(execute=True):
        old.status = Event.Status.DRAFT
        old.save()
    assert "event" in SearchForm({"event": old.slug}).errors


def test_an_address_naming_no_event_is_refused_every_time_and_not_kept(author, monkeypatch):
    monkeypatch.setattr(SearchForm, "EVENT_MENU_SIZE", 1)
    discussed_event("Autumn cafe", author, days_ago=1)

    assert "event" in SearchForm({"event": "not-yet"}).errors
    assert cache.get(chosen_event_key("not-yet")) is None
    later = EventFactory(title="Not yet", slug="not-yet")
    services.start_thread(
        board=Board.objects.for_event(later), author=author, title="On it", body="Hello."
    )
    assert SearchForm({"event": "not-yet"}).is_valid()
