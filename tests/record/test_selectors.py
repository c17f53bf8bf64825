import pytest
from django.urls import reverse
from django.utils import timezone

from record import selectors
from record.models import (
    Ballot,
    Dot,
    EventRecord,
    Outcome,
    OutcomeUpdate,
    Priority,
    Profile,
    PulseResponse,
)
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)


@pytest.fixture
def scoped_outcomes(db):
    """`make(n)`: n public outcomes, each with a theme and two history entries, on two events of
    one series, hosted by one organisation and on one theme (bulk, so 1,000 is quick)."""

    def make(n):
        series, theme, host = SeriesFactory(), ThemeFactory(), OrganisationFactory()
        events = [EventFactory(series=series, themes=[theme], hosts=[host]) for _ in range(2)]
        for event in events:
            EventRecord.objects.create(event=event, summary="S", published_at=timezone.now())
        outcomes = Outcome.objects.bulk_create(
            Outcome(
                event=events[i % 2],
                kind=Outcome.Kind.values[i % 5],
                status=Outcome.Status.values[i % 4],
                title=f"Outcome {i}",
                owner="Welsh Government",
            )
            for i in range(n)
        )
        Outcome.themes.through.objects.bulk_create(
            Outcome.themes.through(outcome_id=o.pk, theme_id=theme.pk) for o in outcomes
        )
        OutcomeUpdate.objects.bulk_create(
            OutcomeUpdate(outcome=o, status=status)
            for o in outcomes
            for status in ("open", o.status)
        )
        return {"event": events[0], "series": series, "theme": theme, "organisation": host}

    return make


SCOPE_URLS = {
    "event": "record:event",
    "series": "record:series_outcomes",
    "theme": "record:theme_outcomes",
    "organisation": "record:organisation_outcomes",
    "series_feed": "record:series_feed",
    "theme_feed": "record:theme_feed",
    "organisation_feed": "record:organisation_feed",
}


@pytest.mark.parametrize("count", [10, 1000])
@pytest.mark.parametrize("page", sorted(SCOPE_URLS))
def test_outcome_pages_and_feeds_keep_a_flat_query_budget(
    client, scoped_outcomes, django_assert_max_num_queries, count, page
):
    scopes = scoped_outcomes(count)
    scope = scopes[page.removesuffix("_feed")]
    url = reverse(SCOPE_URLS[page], kwargs={"slug": scope.slug})
    # The event's record page: 13 with its agenda and the visuals' gallery (record/slots.py).
    with django_assert_max_num_queries(13 if page == "event" else 12):
        response = client.get(url, {"status": "open"} if "feed" not in page else {})
    assert response.status_code == 200


def test_outcome_list_counts_by_status_and_filters(client, scoped_outcomes):
    scopes = scoped_outcomes(30)
    url = reverse("record:series_outcomes", kwargs={"slug": scopes["series"].slug})
    response = client.get(url, {"kind": "action"})
    counts = [(value, n) for value, _label, n in response.context["status_counts"]]
    assert counts == [("open", 8), ("in_progress", 8), ("done", 7), ("not_taken_forward", 7)]
    assert {o.kind for o in response.context["outcomes"]} == {"action"}
    assert len(response.context["outcomes"]) == 6
    assert list(client.get(url, {"status": "nonsense"}).context["outcomes"]) == []


def test_outcome_lists_are_paginated(client, scoped_outcomes):
    scopes = scoped_outcomes(45)
    url = reverse("record:theme_outcomes", kwargs={"slug": scopes["theme"].slug})
    assert len(client.get(url).context["outcomes"]) == 20
    assert len(client.get(url, {"page": 3}).context["outcomes"]) == 5


def test_atom_feed_carries_outcome_updates(client, scoped_outcomes):
    import xml.etree.ElementTree as ET

    scopes = scoped_outcomes(3)
    response = client.get(reverse("record:series_feed", kwargs={"slug": scopes["series"].slug}))
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = sorted(e.text for e in ET.fromstring(response.content).findall("a:entry/a:title", ns))
    assert titles == sorted(
        [
            "Open: Outcome 0",
            "Open: Outcome 0",
            "Open: Outcome 1",
            "In progress: Outcome 1",
            "Open: Outcome 2",
            "Done: Outcome 2",
        ]
    )


# --- the five-person threshold --------------------------------------------------------------


def answer(event, perspective, heard, n):
    for _ in range(n):
        user = UserFactory()
        if perspective:
            Profile.objects.create(user=user, perspective=perspective)
        PulseResponse.objects.create(event=event, user=user, heard=heard, change=3)


def test_pulse_breakdown_shows_only_groups_of_five_or_more(db):
    event = EventFactory()
    answer(event, "carer", 5, 5)
    answer(event, "researcher", 1, 4)
    answer(event, "", 3, 2)
    summary = selectors.pulse_summary(event)
    assert summary["overall"]["n"] == 11
    assert summary["groups"] == [{"label": "Carer", "n": 5, "heard": 5, "change": 3}]
    assert summary["withheld"] == 6


def test_a_group_of_four_is_never_shown(db):
    event = EventFactory()
    answer(event, "policy", 2, 4)
    assert selectors.pulse_summary(event)["groups"] == []


def test_priority_breakdown_by_perspective_needs_five_voters(db):
    event = EventFactory()
    author = UserFactory()
    item = Priority.objects.create(event=event, author=author, text="Core economy")
    for perspective, n in (("practitioner", 5), ("manager", 4)):
        for _ in range(n):
            user = UserFactory()
            Profile.objects.create(user=user, perspective=perspective)
            ballot = Ballot.objects.create(event=event, user=user, dots_used=2)
            Dot.objects.create(ballot=ballot, priority=item, count=2)
    assert selectors.priority_breakdown(event) == [
        {"label": "Front-line practitioner", "n": 5, "items": [("Core economy", 10)]}
    ]
