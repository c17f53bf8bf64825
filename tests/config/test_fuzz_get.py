"""Every GET parameter of every route, fuzzed, never makes a 5xx (issue 10, "Must show").

Routes come from the URL resolver (the admin and the Welsh copies of the same views aside); their
path parameters are filled from a small world built with the factories. Which query parameters a
route reads is found by asking it: one probe request per route and identity records every name
the view looks up in `request.GET` (forms, filters, paginators and hand-read values alike). Each
of those is then sent with each hostile value, as a visitor and as a signed-in member who
organises the event and moderates (so the organising and moderation pages read their parameters
too). The suite runs this on SQLite and on PostgreSQL.
"""

import re
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from discussions import services as discussions
from discussions.models import Board, Suspension
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)

HOSTILE_VALUES = [
    "²",  # a Unicode digit: str.isdigit() says yes, int() says no
    "٣٤",  # Arabic-Indic digits: int() says yes
    "\x00",  # PostgreSQL refuses NUL in text
    "a\x01\x0b\r\n\x7fb",  # control characters
    "x" * 4000,  # very long
    "-1",
    "9" * 40,  # beyond every integer column
    "1.5e3",
]
PROBE = "fuzz_probe"


def _routes(patterns=None, prefix=""):
    """(route text, pattern) for every route; regex and path converters kept as written."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _fuzzed_routes():
    """(route, its view's dotted name) for every route but the admin's and the Welsh copies."""
    for route, pattern in _routes():
        if route.startswith(("admin/", "cy/", "^media")):
            continue
        yield route, pattern.lookup_str


@pytest.fixture
def world(db):
    """One of everything a path parameter can name, organised and moderated by `member`."""
    member = UserFactory(groups=["Organisers", "Moderators"])
    theme, series, organisation = ThemeFactory(), SeriesFactory(), OrganisationFactory()
    event = EventFactory(
        themes=[theme],
        hosts=[organisation],
        series=series,
        starts_at=timezone.now() - timedelta(days=2),
    )
    person = PersonFactory(user=member, name=member.public_name)
    EventRoleFactory(event=event, person=person, role="organiser")
    board = Board.objects.for_event(event)
    author = UserFactory()
    thread = discussions.start_thread(board=board, author=author, title="Fuzzed", body="Hello")
    post = discussions.post_reply(thread=thread, author=author, body="A reply")
    flag = discussions.flag_post(post=post, reporter=UserFactory(), reason="spam")
    suspension = Suspension.objects.create(
        user=author, reason="r", ends_at=timezone.now() + timedelta(days=1), created_by=member
    )
    slugs = {
        "events": event.slug,
        "themes": theme.slug,
        "series": series.slug,
        "people": person.slug,
        "organisations": organisation.slug,
        "threads": thread.slug,
    }
    pks = {
        "threads": thread.pk,
        "posts": post.pk,
        "flags": flag.pk,
        "members": author.pk,
        "suspensions": suspension.pk,
    }
    return {"member": member, "event": event, "slugs": slugs, "pks": pks}


_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def _path_for(route: str, world) -> str:
    """The route with its parameters filled from `world` (by the segment before each)."""

    def fill(match):
        before = [s for s in route[: match.start()].split("/") if s and s != "en"]
        segment = before[-1] if before else ""
        segment = {"event": "events", "theme": "themes", "series": "series"}.get(segment, segment)
        name, converter = match["name"] or match["group"], match["converter"] or ""
        if name == "event_slug":
            return world["slugs"]["events"]
        if name == "slug":
            if route[: match.start()].endswith("-"):  # threads/<pk>-<slug>
                return world["slugs"]["threads"]
            return world["slugs"].get(segment, world["event"].slug)
        if name in {"pk", "id"}:
            return str(world["pks"].get(segment.split("-")[0], 1))
        if converter.startswith("choice_"):
            return converter.removeprefix("choice_").split("_")[0]
        return "x1"

    path = _PARAMETER.sub(fill, route).replace("^", "").replace("$", "")
    return "/" + path


@pytest.fixture
def names_read(monkeypatch):
    """Every name looked up in any QueryDict while the fixture is active."""
    seen: set[str] = set()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            if isinstance(key, str):
                seen.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, recording)
    return seen


def test_no_get_parameter_on_any_route_makes_a_server_error(client, world, names_read):
    client.raise_request_exception = False  # a 500 is what we count, not an exception
    failures, requests, fuzzed = [], 0, set()
    for identity in ("visitor", "member"):
        if identity == "member":
            client.force_login(world["member"])
        for route, view in _fuzzed_routes():
            path = _path_for(route, world)
            names_read.clear()
            client.get(path, {PROBE: "1"})
            # One view behind several routes (the calendar feeds of a theme, a series, a person
            # ...) parses its parameters once: each is fuzzed once per view and identity.
            params = {name for name in names_read if (identity, view, name) not in fuzzed}
            fuzzed |= {(identity, view, name) for name in params}
            for name in sorted(params - {PROBE}):
                for value in HOSTILE_VALUES:
                    response = client.get(path, {name: value})
                    requests += 1
                    if response.status_code >= 500:
                        failures.append((identity, path, name, value[:20], response.status_code))
    assert requests > 400  # the probe found the parameters (a broken probe would find none)
    assert failures == []
