"""Calendar files and feeds over HTTP: contents, validators, privacy and query budgets."""

import logging
import re
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from events import calendar as ical
from events import calendar_http, services
from events.models import CalendarChange, CalendarToken, Event, Registration
from events.selectors import filter_events
from tests.events.conftest import parse_ics, uid_of, uids
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def later(days=0, hours=0):
    return (timezone.now() + timedelta(days=days, hours=hours)).replace(microsecond=0)


def event_at(days, **fields):
    start = later(days=days)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


# --- contents ------------------------------------------------------------------------------


def test_event_download_is_an_attachment_with_a_readable_filename(client, event):
    response = client.get(reverse("events:event_ics", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert uids(parse_ics(response)) == {uid_of(event)}


def test_draft_event_download_is_404(client):
    draft = EventFactory(status=Event.Status.DRAFT)
    response = client.get(reverse("events:event_ics", kwargs={"slug": draft.slug}))
    assert response.status_code == 404


def test_feed_holds_upcoming_recent_and_cancelled_until_over_but_no_drafts(client):
    upcoming = event_at(5)
    recent = event_at(-30)
    old = event_at(-100)
    cancelled = event_at(6, status=Event.Status.CANCELLED)
    cancelled_over = event_at(-3, status=Event.Status.CANCELLED)
    postponed = event_at(7, status=Event.Status.POSTPONED)
    event_at(8, status=Event.Status.DRAFT)
    response = client.get(reverse("events:feed"))
    calendar = parse_ics(response)
    assert uids(calendar) == {uid_of(e) for e in (upcoming, recent, cancelled, postponed)}
    assert uid_of(old) not in uids(calendar)
    assert uid_of(cancelled_over) not in uids(calendar)
    by_uid = {str(c["UID"]): c for c in calendar.events}
    assert str(by_uid[uid_of(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(by_uid[uid_of(cancelled)]["SUMMARY"]) == f"Cancelled: {cancelled.title}"
    assert str(by_uid[uid_of(postponed)]["STATUS"]) == "TENTATIVE"
    assert str(calendar["X-WR-CALNAME"]) == "Commons: events"
    assert "Content-Disposition" not in response


def test_feed_with_when_upcoming_leaves_out_recent_events(client):
    upcoming, recent = event_at(5), event_at(-30)
    calendar = parse_ics(client.get(reverse("events:feed"), {"when": "upcoming"}))
    assert uids(calendar) == {uid_of(upcoming)}
    assert uid_of(recent) not in uids(calendar)


@pytest.mark.parametrize(
    "query",
    ["theme=no-such-theme", "after=yesterday", "kind=party", "when=someday", "access=teleport"],
)
def test_feed_with_invalid_parameters_is_400_with_plain_text(client, query):
    response = client.get(reverse("events:feed") + "?" + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("This calendar feed does not understand its query")
    assert query.split("=")[0] in response.content.decode()


def test_unpublished_event_leaves_the_feed(client):
    event = event_at(5)
    assert uids(parse_ics(client.get(reverse("events:feed")))) == {uid_of(event)}
    event = Event.objects.get(pk=event.pk)
    event.status = Event.Status.DRAFT
    event.save()
    assert uids(parse_ics(client.get(reverse("events:feed")))) == set()


@pytest.mark.parametrize(
    ("kind", "factory", "field"),
    [
        ("theme", ThemeFactory, "themes"),
        ("series", SeriesFactory, "series"),
        ("organisation", OrganisationFactory, "hosts"),
    ],
)
def test_path_feeds_hold_their_events_and_are_named_for_them(client, kind, factory, field):
    obj = factory(name="Risk-averse cultures")
    inside = event_at(5, **({field: obj} if field == "series" else {field: [obj]}))
    event_at(6)
    response = client.get(reverse(f"events:{kind}_feed", kwargs={"slug": obj.slug}))
    calendar = parse_ics(response)
    assert uids(calendar) == {uid_of(inside)}
    preposition = {"theme": "on", "series": "in", "organisation": "hosted by"}[kind]
    assert str(calendar["NAME"]) == f"Commons: events {preposition} Risk-averse cultures"
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"])


def test_person_feed_holds_the_events_they_take_part_in(client):
    person = PersonFactory(name="Ann Jones")
    inside = event_at(5)
    EventRoleFactory(event=inside, person=person, role="speaker")
    event_at(6)
    calendar = parse_ics(client.get(reverse("events:person_feed", kwargs={"slug": person.slug})))
    assert uids(calendar) == {uid_of(inside)}
    assert str(calendar["NAME"]) == "Commons: events with Ann Jones"


@pytest.mark.parametrize("kind", ["theme", "series", "person", "organisation"])
def test_path_feed_for_unknown_slug_is_404(client, kind):
    response = client.get(reverse(f"events:{kind}_feed", kwargs={"slug": "nobody-knows"}))
    assert response.status_code == 404


def _listed_slugs(html: str) -> set[str]:
    pattern = 'href="' + re.escape(reverse("events:list")) + r'([\w-]+)/"'
    return set(re.findall(pattern, html))


@pytest.mark.parametrize(
    "query",
    [
        "when=upcoming",
        "when=upcoming&theme=arts",
        "when=past&kind=workshop",
        "when=past&mode=online",
        "when=past&q=cafe&series=policy-cafe",
        "when=upcoming&organisation=org-a&after=2000-01-01",
    ],
)
def test_feed_and_event_list_give_the_same_events_for_the_same_query(client, query):
    arts = ThemeFactory(name="Arts", slug="arts")
    series = SeriesFactory(name="Policy Cafe", slug="policy-cafe")
    org = OrganisationFactory(name="Org A", slug="org-a")
    event_at(3, themes=[arts], title="Arts cafe", series=series)
    event_at(4, kind=Event.Kind.WORKSHOP, hosts=[org])
    event_at(-5, mode=Event.Mode.ONLINE, venue=None, online_url="https://x.org")
    event_at(-6, kind=Event.Kind.WORKSHOP, title="Old cafe", series=series)
    event_at(9, themes=[arts], hosts=[org], title="Another cafe")
    event_at(10, status=Event.Status.DRAFT, themes=[arts])
    feed = parse_ics(client.get(reverse("events:feed") + "?" + query))
    page = client.get(reverse("events:list") + "?" + query)
    listed = Event.objects.filter(slug__in=_listed_slugs(page.content.decode()))
    selected = filter_events(QueryDict(query), default_when="upcoming").qs
    assert uids(feed) == {uid_of(e) for e in listed} == {uid_of(e) for e in selected}
    assert uids(feed)  # every combination selects something


def test_list_feed_is_named_for_its_filter(client):
    ThemeFactory(name="Risk-averse cultures", slug="risk")
    calendar = parse_ics(client.get(reverse("events:feed"), {"theme": "risk"}))
    assert str(calendar["NAME"]) == "Commons: events on Risk-averse cultures"


# --- HTTP validators -----------------------------------------------------------------------


def test_feed_headers_etag_stable_and_cache_control(client, event):
    first = client.get(reverse("events:feed"))
    second = client.get(reverse("events:feed"))
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', first["ETag"])
    assert first["Cache-Control"] == "public, max-age=3600"
    assert "X-Robots-Tag" not in first


@pytest.mark.parametrize(
    ("url_name", "kwargs"), [("events:feed", {}), ("events:theme_feed", {"slug": "theme"})]
)
def test_unknown_query_parameters_do_not_change_the_feed_etag(
    client, event, url_name, kwargs, monkeypatch
):
    # A random cache-buster must not make a new ETag (and a rebuilt feed) on every request.
    if kwargs:
        theme = ThemeFactory(slug=kwargs["slug"])
        event.themes.add(theme)
    url = reverse(url_name, kwargs=kwargs)
    plain = client.get(url, {"when": "all"})
    busted = client.get(url, {"when": "all", "_": "1764498000", "utm_source": "x"})
    assert busted["ETag"] == plain["ETag"]
    assert busted.content == plain.content
    # A known parameter still makes another file.
    assert client.get(url, {"when": "upcoming"})["ETag"] != plain["ETag"]
    monkeypatch.setattr("events.calendar.assemble", None)  # a 304 builds nothing
    again = client.get(url, {"when": "all", "_": "other"}, HTTP_IF_NONE_MATCH=plain["ETag"])
    assert again.status_code == 304


def test_if_none_match_gives_304_without_building(client, event, monkeypatch):
    url = reverse("events:feed")
    etag = client.get(url)["ETag"]

    def refuse(*args, **kwargs):
        raise AssertionError("the calendar was built")

    monkeypatch.setattr("events.calendar.event_entry", refuse)
    monkeypatch.setattr("events.calendar.assemble", refuse)
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


@pytest.mark.parametrize(
    "header",
    ["W/{etag}", '"other", W/{etag}', '{etag}, W/"other"', "*"],
)
def test_weak_and_listed_etags_compare_weakly_and_give_304(client, event, header):
    # A compressing proxy forwards our strong ETag as W/"…" (RFC 9110 §13.1.2: weak comparison).
    url = reverse("events:feed")
    etag = client.get(url)["ETag"]
    response = client.get(url, HTTP_IF_NONE_MATCH=header.format(etag=etag))
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_a_weak_etag_of_other_content_gives_200(client, event):
    url = reverse("events:feed")
    etag = client.get(url)["ETag"]
    response = client.get(url, HTTP_IF_NONE_MATCH='W/"' + "0" * 40 + '"')
    assert response.status_code == 200
    assert response["ETag"] == etag


def test_if_none_match_with_an_old_etag_gives_the_new_body(client, event):
    url = reverse("events:feed")
    old = client.get(url)["ETag"]
    event = Event.objects.get(pk=event.pk)
    event.title = "Renamed"
    event.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert response["ETag"] != old
    assert [str(e["SUMMARY"]) for e in parse_ics(response).events] == ["Renamed"]


def _age_everything(seconds=3600):
    then = timezone.now() - timedelta(seconds=seconds)
    Event.objects.update(updated_at=then)
    CalendarChange.objects.update_or_create(pk=1, defaults={"version": 1, "changed_at": then})


def test_if_modified_since_gives_304_without_building(client, event, monkeypatch):
    _age_everything()
    url = reverse("events:feed")
    last_modified = client.get(url)["Last-Modified"]
    monkeypatch.setattr("events.calendar_http.assemble_body", lambda *a, **k: 1 / 0)
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 304
    assert response["Last-Modified"] == last_modified


def test_304_costs_two_queries(client, event, django_assert_num_queries):
    url = reverse("events:feed")
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(2):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("change", ["unpublish", "delete"])
def test_last_modified_moves_forward_when_an_event_leaves(
    client, change, django_capture_on_commit_callbacks, monkeypatch
):
    staying, leaving = event_at(5), event_at(6)
    _age_everything()
    url = reverse("events:feed")
    before = client.get(url)
    leaving = Event.objects.get(pk=leaving.pk)
    with django_capture_on_commit_callbacks(execute=True):
        if change == "delete":
            leaving.delete()
        else:
            leaving.status = Event.Status.DRAFT
            leaving.save()
    # Last-Modified is only sent once its second is over; step the clock past it.
    monkeypatch.setattr(calendar_http, "now", lambda: timezone.now() + timedelta(seconds=2))
    after = client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert uids(parse_ics(after)) == {uid_of(staying)}
    from django.utils.http import parse_http_date

    assert parse_http_date(after["Last-Modified"]) > parse_http_date(before["Last-Modified"])


def test_last_modified_is_held_back_within_the_second_of_a_change(client, event, monkeypatch):
    # Within the second of a change: another change in this second would get the same date.
    event.refresh_from_db()
    monkeypatch.setattr(calendar_http, "now", lambda: event.updated_at.replace(microsecond=999_999))
    response = client.get(reverse("events:feed"))
    assert "Last-Modified" not in response
    assert response["ETag"]


def test_feed_is_never_compressed(client, make_events):
    make_events(30)
    response = client.get(reverse("events:feed"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert len(parse_ics(response).events) == 30


# --- personal feeds ------------------------------------------------------------------------


@pytest.fixture
def token(user):
    return CalendarToken.objects.create(user=user, token=CalendarToken.new_token())


def personal_url(token_value):
    return reverse("events:personal_feed", kwargs={"token": token_value})


def test_personal_feed_has_my_registrations_waitlist_tentative_and_events_i_organise(
    client, user, token
):
    confirmed, waitlisted, cancelled_reg, organised, other = (event_at(d) for d in (3, 4, 5, 6, 7))
    Registration.objects.create(event=confirmed, user=user, state="confirmed")
    Registration.objects.create(event=waitlisted, user=user, state="waitlisted")
    Registration.objects.create(event=cancelled_reg, user=user, state="cancelled")
    EventRoleFactory(event=organised, person=PersonFactory(user=user), role="organiser")
    Registration.objects.create(event=other, user=UserFactory(), state="confirmed")
    response = client.get(personal_url(token.token))
    calendar = parse_ics(response)
    statuses = {str(c["UID"]): str(c["STATUS"]) for c in calendar.events}
    assert statuses == {
        uid_of(confirmed): "CONFIRMED",
        uid_of(waitlisted): "TENTATIVE",
        uid_of(organised): "CONFIRMED",
    }
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert b"@example.org" not in response.content


def test_personal_feed_never_shows_drafts(client, user, token):
    draft = event_at(3, status=Event.Status.DRAFT)
    EventRoleFactory(event=draft, person=PersonFactory(user=user), role="organiser")
    assert uids(parse_ics(client.get(personal_url(token.token)))) == set()


def test_someone_elses_token_shows_only_their_events(client, user, token):
    mine, theirs = event_at(3), event_at(4)
    other = UserFactory()
    other_token = CalendarToken.objects.create(user=other, token=CalendarToken.new_token())
    Registration.objects.create(event=mine, user=user, state="confirmed")
    Registration.objects.create(event=theirs, user=other, state="confirmed")
    assert uids(parse_ics(client.get(personal_url(other_token.token)))) == {uid_of(theirs)}
    assert uids(parse_ics(client.get(personal_url(token.token)))) == {uid_of(mine)}


@pytest.mark.parametrize("variant", ["wrong", "revoked", "rotated", "inactive user", "nested"])
def test_bad_tokens_are_404_and_never_logged(client, user, token, variant, caplog):
    value = token.token
    if variant == "wrong":
        value = CalendarToken.new_token()
    elif variant == "revoked":
        token.revoked = True
        token.save()
    elif variant == "rotated":
        CalendarToken.objects.filter(pk=token.pk).update(token=CalendarToken.new_token())
    elif variant == "inactive user":
        user.is_active = False
        user.save()
    else:
        value = value + "/extra"
    with caplog.at_level(logging.DEBUG):
        response = client.get(personal_url(value))
    assert response.status_code == 404
    assert value not in caplog.text
    assert token.token not in caplog.text


def test_resolver_404_under_calendar_is_not_logged(client, caplog):
    with caplog.at_level(logging.DEBUG):
        response = client.get("/calendar/secret-token-value")
    assert response.status_code == 404
    assert "secret-token-value" not in caplog.text


def test_request_error_records_lose_the_token_and_the_request():
    from django.test import RequestFactory

    from core.logging import RedactCalendarTokens

    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
        ("/calendar/s3cret.ics",), None,
    )  # fmt: skip
    record.request = RequestFactory().get("/calendar/s3cret.ics")
    RedactCalendarTokens().filter(record)
    assert record.getMessage() == "Internal Server Error: /calendar/<redacted>.ics"
    assert not hasattr(record, "request")


def test_personal_feed_304_on_if_none_match(client, user, token):
    Registration.objects.create(event=event_at(3), user=user, state="confirmed")
    etag = client.get(personal_url(token.token))["ETag"]
    response = client.get(personal_url(token.token), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["Cache-Control"] == "private, max-age=3600"


# --- query budgets -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30, 300])
def test_feed_builds_with_a_fixed_number_of_queries(
    client, make_events, count, django_assert_max_num_queries
):
    make_events(count)
    # aggregate, marker, versions; then for what is not kept: events, themes, roles, and the
    # lines apps above events add to descriptions (record: its link)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("events:feed"))
    assert len(parse_ics(response).events) == count


@pytest.mark.parametrize("count", [1, 30, 300])
def test_personal_feed_builds_with_a_fixed_number_of_queries(
    client, make_events, user, token, count, django_assert_max_num_queries
):
    events = make_events(count)
    Registration.objects.bulk_create(
        Registration(event=e, user=user, state="confirmed") for e in events
    )
    # 8, plus 1 for the lines apps above events add to descriptions (record: its link)
    with django_assert_max_num_queries(9):
        response = client.get(personal_url(token.token))
    assert len(parse_ics(response).events) == count


@pytest.mark.parametrize("count", [1, 30])
def test_theme_feed_builds_with_a_fixed_number_of_queries(
    client, make_events, count, django_assert_max_num_queries
):
    event = make_events(count)[0]
    theme = event.themes.get()
    # The feed's 6, the theme, the filter's theme lookup, and description providers (record).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("events:theme_feed", kwargs={"slug": theme.slug}))
    assert len(parse_ics(response).events) == count


def test_feeds_answer_head_requests_with_headers_only(client, event):
    get = client.get(reverse("events:feed"))
    head = client.head(reverse("events:feed"))
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"] == "text/calendar; charset=utf-8"


def test_feeds_refuse_post(client, event):
    assert client.post(reverse("events:feed")).status_code == 405


# --- one path: fingerprint -> validators -> assembled body ------------------------------------


@pytest.fixture
def serialised(monkeypatch):
    """The ids of the events whose VEVENT was serialised (not taken from the kept entries)."""
    calls = []
    real = ical.event_entry

    def counting(event, **options):
        calls.append(event.pk)
        return real(event, **options)

    monkeypatch.setattr(ical, "event_entry", counting)
    return calls


def test_unchanged_feed_is_assembled_without_serialising_and_one_change_serialises_one(
    client, make_events, serialised
):
    events = make_events(30)
    url = reverse("events:feed")
    first = client.get(url)
    assert len(serialised) == 30
    again = client.get(url)
    assert again.content == first.content
    assert len(serialised) == 30
    changed = Event.objects.get(pk=events[7].pk)
    changed.title = "Renamed cafe"
    changed.save()
    after = client.get(url)
    assert serialised[30:] == [changed.pk]
    summaries = [str(c["SUMMARY"]) for c in parse_ics(after).events]
    assert summaries[7].startswith("Renamed cafe")
    assert after["ETag"] != first["ETag"]


def test_assembled_feed_is_byte_for_byte_a_full_serialisation(client, settings, make_events):
    make_events(5)
    EventFactory(mode=Event.Mode.ONLINE, venue=None, online_url="https://meet.example/x")
    EventFactory(status=Event.Status.CANCELLED, cancellation_reason="Snow.")
    client.get(reverse("events:feed"))  # keeps the entries
    kept = client.get(reverse("events:feed")).content
    events = Event.objects.in_feed().with_calendar_data().chronological()
    whole = ical.feed_calendar(events, name="Commons: events", site_url=settings.SITE_URL)
    assert kept == whole.to_ical()


def test_personal_feed_is_byte_for_byte_a_full_serialisation(client, settings, user, token):
    online = {"mode": Event.Mode.ONLINE, "venue": None, "online_url": "https://meet.example/p"}
    confirmed, waitlisted = event_at(3, **online), event_at(4, **online)
    Registration.objects.create(event=confirmed, user=user, state="confirmed")
    Registration.objects.create(event=waitlisted, user=user, state="waitlisted")
    public = client.get(reverse("events:feed")).content  # keeps the public entries first
    client.get(personal_url(token.token))
    kept = client.get(personal_url(token.token)).content
    events = Event.objects.filter(pk__in=[confirmed.pk, waitlisted.pk]).with_calendar_data()
    whole = ical.personal_calendar(
        events.chronological(),
        waitlisted_ids={waitlisted.pk},
        joining_link_ids={confirmed.pk},
        name=f"Commons: my events ({user.public_name})",
        site_url=settings.SITE_URL,
    )
    assert kept == whole.to_ical()
    assert b"meet.example/p" in kept  # the owner's confirmed place carries the link
    assert b"meet.example/p" not in public  # kept entries never cross between the two


def test_a_304_fetches_no_event(client, event, monkeypatch):
    url = reverse("events:feed")
    etag = client.get(url)["ETag"]
    monkeypatch.setattr(calendar_http, "assemble_body", lambda file: 1 / 0)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def _venue_moves(event):
    event.venue.address = "1 Park Place"
    event.venue.save()


def _person_renamed(event):
    role = EventRoleFactory(event=event, person=PersonFactory(name="Ruth Dinen"), role="speaker")
    return role.person


@pytest.mark.parametrize(
    "change",
    ["venue", "person", "role", "theme", "unpublish", "delete", "cancel"],
)
def test_every_change_a_feed_shows_gives_a_new_etag(client, change):
    theme = ThemeFactory(name="Arts")
    event = event_at(5, themes=[theme])
    person = PersonFactory(name="Ruth Dinen")
    role = EventRoleFactory(event=event, person=person, role="speaker")
    event_at(6)
    url = reverse("events:feed")
    before = client.get(url)
    event = Event.objects.get(pk=event.pk)
    if change == "venue":
        event.venue.address = "1 Park Place"
        event.venue.save()
    elif change == "person":
        person.name = "Ruth Dineen"
        person.save()
    elif change == "role":
        role.contribution_title = "Welcome"
        role.save()
    elif change == "theme":
        theme.name = "Arts and health"
        theme.save()
    elif change == "unpublish":
        event.status = Event.Status.DRAFT
        event.save()
    elif change == "delete":
        event.delete()
    else:
        event.status = Event.Status.CANCELLED
        event.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content


def test_a_registration_leaves_public_feeds_unchanged_and_moves_the_personal_one(
    client, user, token
):
    event = event_at(5)
    public = client.get(reverse("events:feed"))
    Registration.objects.create(event=event, user=user, state="waitlisted")
    mine = client.get(personal_url(token.token))
    assert client.get(reverse("events:feed"), HTTP_IF_NONE_MATCH=public["ETag"]).status_code == 304
    services.promote_from_waitlist(event=event)  # no capacity limit: the place comes free
    promoted = client.get(personal_url(token.token), HTTP_IF_NONE_MATCH=mine["ETag"])
    assert promoted.status_code == 200
    (before,), (after,) = parse_ics(mine).events, parse_ics(promoted).events
    assert str(before["SUMMARY"]).startswith("Waitlist: ")
    assert (str(after["STATUS"]), str(after["SUMMARY"])) == ("CONFIRMED", event.title)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1


def test_a_fresh_worker_takes_kept_entries_from_the_shared_cache(
    client, settings, tmp_path, make_events, serialised
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    make_events(3)
    first = client.get(reverse("events:feed"))
    calendar_http.ENTRIES.clear()  # another process: its own memo is empty
    again = client.get(reverse("events:feed"))
    assert again.content == first.content
    assert len(serialised) == 3


def test_the_memo_keeps_at_most_its_limit(monkeypatch):
    store = calendar_http.EntryStore(max_entries=8)
    store.set_many({f"k{i}": b"x" for i in range(20)})
    assert len(store.memo) <= 8
    assert "k19" in store.memo


# --- CORS ----------------------------------------------------------------------------------


def test_public_files_may_be_read_by_other_sites(client, event):
    for url in (
        reverse("events:feed"),
        reverse("events:event_ics", kwargs={"slug": event.slug}),
        reverse("events:theme_feed", kwargs={"slug": ThemeFactory().slug}),
    ):
        response = client.get(url)
        assert response["Access-Control-Allow-Origin"] == "*"
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert not_modified.status_code == 304
        assert not_modified["Access-Control-Allow-Origin"] == "*"


def test_the_personal_feed_is_never_shared_with_other_sites(client, user, token):
    response = client.get(personal_url(token.token))
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
