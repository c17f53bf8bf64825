import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone, translation

from demo import events as demo
from events.models import Event, EventRole, Series, Theme, Venue
from people.models import Affiliation, Organisation, Person, User

pytestmark = pytest.mark.django_db

MODELS = [Event, EventRole, Theme, Series, Venue, Person, Organisation, Affiliation, User]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "event themes": Event.themes.through.objects.count(),
        "event hosts": Event.hosts.through.objects.count(),
    }


def test_loading_the_seed_twice_gives_the_same_data():
    demo.load()
    first = counts()
    demo.load()
    assert counts() == first
    assert first["Event"] == 5


def test_seed_has_the_policy_cafe_with_its_people_in_their_roles():
    demo.load()
    cafe = Event.objects.get(slug="policy-cafe-re-launch")
    assert cafe.series.name == "Policy Cafe"
    assert [org.name for org in cafe.hosts.all()] == ["Cardiff University"]
    roles = [
        (r.person.name, r.role, r.contribution_title)
        for r in cafe.roles.select_related("person").order_by("order")
    ]
    assert roles == [
        ("Sophie Hallett", "organiser", ""),
        ("Sara Knight", "organiser", ""),
        ("Mark Drakeford", "chair", "Helping the discussion along"),
        ("Ruth Dineen", "speaker", "The joys of co-production"),
        ("Becky Booth", "speaker", "Time Credits and their co-productive impact"),
        ("Chris Glynn", "artist", "Drawing responses"),
    ]
    round_table = Event.objects.get(slug="round-table-service-user-empowerment")
    assert round_table.kind == Event.Kind.ROUND_TABLE
    assert [org.name for org in round_table.hosts.all()] == ["Welsh Government"]
    assert set(Theme.objects.values_list("name", flat=True)) >= {
        "Co-production or reinventing the wheel?",
        "Co-production as neo-liberal dogma?",
        "How citizens can wrest power from governments",
        "Risk-averse cultures",
        "Core economy over money economy",
        "Relationship-centred outcomes",
    }


def test_seed_reads_in_welsh_on_welsh_pages(client):
    demo.load()
    with translation.override("cy"):
        cafe = Event.objects.select_related("series", "venue").get(slug="policy-cafe-re-launch")
        morning = Event.objects.get(slug="co-production-morning-with-cynnal-cymru")
        seminar = Event.objects.get(slug="talking-points-online")
        assert (cafe.title, cafe.series.name, cafe.venue.name) == (
            "Ail-lansio'r Caffi Polisi: cyd-gynhyrchu, ein ffordd ni o wneud pethau?",
            "Caffi Polisi",
            "Adeilad Morgannwg, Prifysgol Caerdydd",
        )
        assert morning.title == "Bore cyd-gynhyrchu gyda Cynnal Cymru"
        assert [org.name for org in cafe.hosts.all()] == ["Prifysgol Caerdydd"]
        hosts = client.get(Organisation.objects.get(slug="spice").get_absolute_url())
        assert "Yr economi graidd o flaen yr economi arian" in set(
            Theme.objects.values_list("name", flat=True)
        )
        # Written in English only: a Welsh page shows the English, marked as English.
        page = client.get(seminar.get_absolute_url()).content.decode()
    assert seminar.title_cy in (None, "")
    assert '<h1 lang="en">Spice</h1>' in hosts.content.decode()  # a name in English only
    assert (
        '<h1 id="event-title" class="event-title" lang="en">'
        "Talking Points: learning from Scotland&#x27;s Personal Outcomes Approach</h1>" in page
    )
    # In English, everything as before.
    with translation.override("en"):
        assert Event.objects.get(slug="policy-cafe-re-launch").title == (
            "Policy Cafe re-launch: co-production, the way we do things?"
        )


def test_seed_has_past_upcoming_and_online_events():
    demo.load()
    public = Event.objects.public()
    assert public.past().count() == 2
    assert public.upcoming().count() == 3
    assert set(public.exclude(mode="in_person").values_list("mode", flat=True)) == {
        "hybrid",
        "online",
    }
    venue = Venue.objects.get(slug="glamorgan-building-cardiff-university")
    assert venue.has_coordinates
    assert venue.step_free_access


def test_demo_accounts_can_sign_in_and_sophie_organises_the_cafe():
    demo.load()
    for email, password in demo.DEMO_PASSWORDS.items():
        assert authenticate(email=email, username=email, password=password) is not None, email
    sophie = User.objects.get(email="sophie@example.org")
    assert sophie.is_organiser
    assert not sophie.is_staff
    assert sophie.person.name == "Sophie Hallett"
    assert Event.objects.get(slug="policy-cafe-re-launch").can_edit(sophie)
    assert User.objects.get(email="admin@example.org").is_staff
    attendee = User.objects.get(email="attendee@example.org")
    assert not attendee.is_organiser


def test_synthetic_events_are_deterministic_and_reloading_adds_only_what_is_missing():
    demo.load_synthetic(count=60)
    first = counts()
    titles = list(Event.objects.order_by("slug").values_list("slug", "title", "kind"))
    assert demo.load_synthetic(count=60)["created"] == 0
    assert counts() == first
    assert demo.load_synthetic(count=80)["created"] == 20
    assert (
        list(
            Event.objects.filter(slug__in=[s for s, _t, _k in titles])
            .order_by("slug")
            .values_list("slug", "title", "kind")
        )
        == titles
    )


def test_synthetic_events_are_varied():
    demo.load_synthetic(count=300)
    events = Event.objects.all()
    now = timezone.now()
    assert events.filter(ends_at__lt=now).exists()
    assert events.filter(ends_at__gte=now).exists()
    assert set(events.values_list("mode", flat=True)) == set(Event.Mode.values)
    assert len(set(events.values_list("kind", flat=True))) == len(Event.Kind.values)
    assert events.filter(status="cancelled").exists()
    assert EventRole.objects.count() == 3 * events.count()
    assert not Event.objects.filter(mode="online", venue__isnull=False).exists()


def test_load_demo_command_prints_the_demo_passwords():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "sophie@example.org / commons-organiser" in out.getvalue()
    assert Event.objects.count() == 5
