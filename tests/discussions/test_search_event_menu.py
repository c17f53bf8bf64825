"""The search form's event menu stays small however many events have been discussed."""

from datetime import timedelta

from django.utils import timezone

from discussions import services
from discussions.forms import SearchForm
from discussions.models import Board, Thread
from tests.factories import EventFactory


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
