"""The event page from its skeleton (core/skeletons.py) is the page a plain render gives, for
every reader, whoever filled the skeleton first; a reader's own parts never reach another."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from discussions.models import Board, Thread
from events.models import Event, Registration
from events.services import cancel_registration, register_attendee
from record.models import EventRecord, Follow, Outcome, Priority
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    ThreadFactory,
    UserFactory,
)
from tests.forms import submit_form
from tests.skeletons import page_text, plain_text, reader

pytestmark = pytest.mark.django_db


def url_of(event) -> str:
    return reverse("events:detail", kwargs={"slug": event.slug})


def page(client, event, language="en") -> str:
    return page_text(client, url_of(event), HTTP_ACCEPT_LANGUAGE=language)


def plain(client, event) -> str:
    return plain_text(client, url_of(event))


def readers(users):
    return {name: reader(user) for name, user in users.items()}


@pytest.fixture
def rich_event():
    """An upcoming hybrid event in a series with themes, people, priorities and a board."""
    series = SeriesFactory(name="Policy Cafes")
    start = timezone.now() - timedelta(days=14)
    earlier = EventFactory(series=series, starts_at=start, ends_at=start + timedelta(hours=2))
    EventRecord.objects.create(event=earlier, summary="We met.", published_at=timezone.now())
    Outcome.objects.create(event=earlier, kind="action", title="Write to the council")
    event = EventFactory(
        series=series,
        themes=[ThemeFactory(name="Housing")],
        mode=Event.Mode.HYBRID,
        online_url="https://meet.example.org/cafe",
        capacity=2,
    )
    EventRoleFactory(event=event, person=PersonFactory(name="Ada Speaker"), role="speaker")
    Priority.objects.create(event=event, author=UserFactory(), text="Rents", dot_count=2)
    board = Board.objects.get_or_create(event=event)[0]
    thread = ThreadFactory(board=board, title="After the cafe")
    # "2 hours ago": a time that reads the same to the plain render and the shared one.
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=timezone.now() - timedelta(hours=2))
    return event


def test_every_reader_gets_the_page_a_plain_render_gives(rich_event):
    organiser = UserFactory(groups=["Organisers"])
    EventRoleFactory(
        event=rich_event, person=PersonFactory(user=organiser, name="Olwen"), role="organiser"
    )
    going, waiting, following = UserFactory(), UserFactory(), UserFactory()
    register_attendee(event=rich_event, user=going, attendance="in_person")
    register_attendee(event=rich_event, user=UserFactory(), attendance="in_person")
    register_attendee(event=rich_event, user=waiting, attendance="in_person")
    assert Registration.objects.get(user=waiting).state == Registration.State.WAITLISTED
    Follow.objects.create(user=following, event=rich_event, active=True)
    users = {
        "going": going,
        "visitor": None,
        "waiting": waiting,
        "following": following,
        "member": UserFactory(),
        "organiser": organiser,
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    expected = {name: plain(client, rich_event) for name, client in readers(users).items()}
    assert "You’re going" in expected["going"]
    assert "meet.example.org" in expected["going"]
    assert "Organiser tools" in expected["organiser"]
    cache.clear()
    for _round in range(2):  # the first reader of each audience fills the skeleton
        for name, client in readers(users).items():
            assert page(client, rich_event) == expected[name], name


def test_a_members_own_parts_never_reach_another_reader(rich_event):
    going = UserFactory()
    register_attendee(event=rich_event, user=going, attendance="online")
    cache.clear()
    first = page(reader(going), rich_event)  # fills the members' skeleton
    assert "You’re going" in first
    assert "meet.example.org/cafe" in first
    assert going.display_name in first or going.public_name in first or "Sign out" in first
    other = page(reader(UserFactory()), rich_event)
    visitor = page(reader(None), rich_event)
    for html in (other, visitor):
        assert "You’re going" not in html
        assert "meet.example.org/cafe" not in html
    assert "Sign in" in visitor


def test_the_page_changes_after_each_committed_write(
    rich_event, django_capture_on_commit_callbacks
):
    member = reader(UserFactory())
    assert "Rents" in page(member, rich_event)
    with django_capture_on_commit_callbacks(execute=True):
        rich_event.title = "Housing round-table"
        rich_event.save()
    assert "Housing round-table" in page(member, rich_event)
    theme = rich_event.themes.get()
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Homes"
        theme.save()
    assert ">Homes<" in page(member, rich_event)
    with django_capture_on_commit_callbacks(execute=True):
        ThreadFactory(board=rich_event.board, title="A new thread")
    assert "A new thread" in page(member, rich_event)
    with django_capture_on_commit_callbacks(execute=True):
        Priority.objects.create(event=rich_event, author=UserFactory(), text="Transport")
    assert "Transport" in page(member, rich_event)


def test_a_registration_shows_at_once_and_places_left_change(
    rich_event, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client = reader(user)
    before = page(client, rich_event)
    assert "You’re going" not in before
    assert "2 places left" in before
    with django_capture_on_commit_callbacks(execute=True):
        register_attendee(event=rich_event, user=user, attendance="in_person")
    after = page(client, rich_event)
    assert "You’re going" in after
    assert "1 place left" in after
    assert after == plain(client, rich_event)


def test_the_welsh_page_has_its_own_skeleton(rich_event):
    member = reader(UserFactory())
    english = page(member, rich_event)
    welsh = member.get(
        reverse("events:detail", kwargs={"slug": rich_event.slug}).replace("/en/", "/cy/", 1)
    )
    assert welsh.status_code == 200
    assert 'lang="cy"' in welsh.content.decode()[:300]
    assert 'lang="en"' in english[:300]


def test_a_member_served_from_the_skeleton_costs_a_few_queries(
    rich_event, django_assert_max_num_queries
):
    page(reader(UserFactory()), rich_event)  # fills the members' skeleton
    member = reader(UserFactory())
    page(member, rich_event)  # fills what is kept for this member (their row, follows, place)
    # The session (from the database in tests), and what this event's panels list for the
    # reader: the previous event's open outcomes, the priorities with their dots, the themes.
    with django_assert_max_num_queries(5):
        page(member, rich_event)


def test_a_covers_variants_show_once_the_worker_made_them(django_capture_on_commit_callbacks):
    from core.tasks import make_variants
    from tests.factories import stored_image

    cover = stored_image(variants=False)
    event = EventFactory(cover=cover, cover_alt="A drawing of the cafe")
    member = reader(UserFactory())
    assert ".webp" not in page(member, event)  # the original only, for now
    with django_capture_on_commit_callbacks(execute=True):
        make_variants.call(cover.pk)
    assert ".webp" in page(member, event)


def test_each_address_has_its_own_skeleton(rich_event):
    """The language links carry the address's query string: one reader's is not another's."""
    url = reverse("events:detail", kwargs={"slug": rich_event.slug})
    first = reader(UserFactory()).get(url + "?from=newsletter").content.decode()
    assert "from%3Dnewsletter" in first or "from=newsletter" in first
    second = reader(UserFactory()).get(url).content.decode()
    assert "newsletter" not in second


@pytest.fixture
def quiet_event():
    """An upcoming event in a series with places and nothing brought yet: its personal parts
    (registration, "You're going", follows, priorities, joining link) are kept per state."""
    return EventFactory(
        series=SeriesFactory(name="Policy Cafes"),
        mode=Event.Mode.HYBRID,
        online_url="https://meet.example.org/cafe",
        capacity=3,
    )


def test_kept_parts_are_each_readers_own(quiet_event):
    organiser = UserFactory(groups=["Organisers"])
    EventRoleFactory(event=quiet_event, person=PersonFactory(user=organiser), role="organiser")
    going, online, following = UserFactory(), UserFactory(), UserFactory()
    register_attendee(event=quiet_event, user=going, attendance="in_person")
    register_attendee(event=quiet_event, user=online, attendance="online")
    Follow.objects.create(user=following, series=quiet_event.series, active=True)
    users = {
        "member": UserFactory(),
        "going": going,
        "another member": UserFactory(),
        "online": online,
        "following": following,
        "visitor": None,
        "organiser": organiser,
        "yet another member": UserFactory(),
    }
    expected = {name: plain(client, quiet_event) for name, client in readers(users).items()}
    assert "You’re going" in expected["going"]
    assert "Stop following Policy Cafes" in expected["following"]
    assert "Follow Policy Cafes" in expected["member"]
    assert "You’re going" not in expected["member"]
    cache.clear()
    for _round in range(2):  # kept on the first reader of each state, then reused
        for name, client in readers(users).items():
            assert page(client, quiet_event) == expected[name], name


def test_a_kept_form_carries_each_readers_own_csrf_token(quiet_event):
    first = reader(UserFactory(), enforce_csrf_checks=True)
    assert first.get(url_of(quiet_event)).status_code == 200  # keeps the follow panel
    second_user = UserFactory()
    second = reader(second_user, enforce_csrf_checks=True)
    response = second.get(url_of(quiet_event))
    response = submit_form(
        second, response, reverse("record:follow_event", args=[quiet_event.slug])
    )
    assert response.status_code == 302
    assert Follow.objects.filter(user=second_user, event=quiet_event, active=True).exists()
    response = second.get(url_of(quiet_event))
    response = submit_form(second, response, "#registration-form", data={"attendance": "room"})
    assert response.status_code == 302
    assert Registration.objects.filter(user=second_user, event=quiet_event).exists()


def test_kept_parts_change_after_each_committed_write(
    quiet_event, django_capture_on_commit_callbacks
):
    user = UserFactory()
    member = reader(user)
    page(member, quiet_event)  # keeps the skeleton
    html = page(member, quiet_event)  # keeps this reader's parts
    assert "3 places left" in html
    assert "Nothing yet: be the first." in html
    with django_capture_on_commit_callbacks(execute=True):
        register_attendee(event=quiet_event, user=UserFactory(), attendance="in_person")
    assert "2 places left" in page(member, quiet_event)  # someone else took a place
    with django_capture_on_commit_callbacks(execute=True):
        Follow.objects.create(user=user, event=quiet_event, active=True)
    assert "Stop following this event" in page(member, quiet_event)
    with django_capture_on_commit_callbacks(execute=True):
        register_attendee(event=quiet_event, user=user, attendance="online")
    html = page(member, quiet_event)
    assert "You’re going" in html
    assert "meet.example.org/cafe" in html
    assert html == plain(member, quiet_event)
    with django_capture_on_commit_callbacks(execute=True):
        Priority.objects.create(event=quiet_event, author=UserFactory(), text="Bus fares")
    assert "Bus fares" in page(member, quiet_event)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration=Registration.objects.get(user=user))
    html = page(member, quiet_event)
    assert "You’re going" not in html
    assert html == plain(member, quiet_event)


def test_the_account_read_with_the_row_is_never_stale(
    quiet_event, django_capture_on_commit_callbacks
):
    """The member's account comes in the event row's round trip: a new password signs their
    other sessions out at once, as everywhere else (people/middleware.py)."""
    user = UserFactory()
    member = reader(user)
    page(member, quiet_event)
    assert "Sign out" in page(member, quiet_event)  # the account kept
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password("a-new-secret-2026")
        user.save()
    html = page(member, quiet_event)
    assert "Sign out" not in html
    assert "Sign in" in html


def test_what_a_process_learnt_of_a_slug_is_only_a_hint(django_capture_on_commit_callbacks):
    """The page names its reads from the row it read last time for the slug: a slug that now
    belongs to another event, in another series, shows that event and its own parts."""
    first = EventFactory(slug="policy-cafe", title="The first cafe", series=SeriesFactory())
    member = reader(UserFactory())
    page(member, first)
    assert "The first cafe" in page(member, first)
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    with django_capture_on_commit_callbacks(execute=True):
        second = EventFactory(
            slug="policy-cafe", title="The second cafe", series=SeriesFactory(name="Round tables")
        )
    html = page(member, second)
    assert "The second cafe" in html
    assert "Follow Round tables" in html
    assert html == plain(member, second)


def test_the_row_kept_without_its_roles_still_knows_who_may_do_what(
    quiet_event, django_capture_on_commit_callbacks
):
    """The page's row is kept with its people's accounts and roles, not their rows
    (`Event.role_accounts`): organisers get their tools, listed people may add visuals, an
    invitation not yet accepted gives nothing, and a role taken away is gone at once."""
    organiser, speaker, invited = (UserFactory(groups=["Organisers"]) for _ in range(3))
    role = EventRoleFactory(
        event=quiet_event, person=PersonFactory(user=organiser), role="organiser"
    )
    EventRoleFactory(event=quiet_event, person=PersonFactory(user=speaker), role="speaker")
    EventRoleFactory(
        event=quiet_event, person=PersonFactory(user=invited), role="organiser", status="pending"
    )
    clients = readers({"organiser": organiser, "speaker": speaker, "invited": invited})
    expected = {name: plain(client, quiet_event) for name, client in clients.items()}
    assert "Organiser tools" in expected["organiser"]
    assert "Organiser tools" not in expected["speaker"] + expected["invited"]
    assert "Add a drawing, photo or document" in expected["speaker"]
    assert "Add a drawing, photo or document" not in expected["invited"]
    cache.clear()
    for _round in range(2):  # the row is read from the shared cache from the first request on
        for name, client in clients.items():
            assert page(client, quiet_event) == expected[name], name
    with django_capture_on_commit_callbacks(execute=True):
        role.delete()
    html = page(clients["organiser"], quiet_event)
    assert "Organiser tools" not in html
    assert html == plain(clients["organiser"], quiet_event)
