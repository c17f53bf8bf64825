import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from events import services
from events.models import Event, EventInvitationDecline
from tests.factories import (
    AffiliationFactory,
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)
from tests.forms import submit_form

pytestmark = pytest.mark.django_db

MODELS = [
    "events_theme",
    "events_series",
    "events_venue",
    "events_event",
    "events_eventrole",
    "events_registration",
    "people_user",
    "people_organisation",
    "people_person",
    "people_affiliation",
]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def data(db):
    theme, series = ThemeFactory(name="Core economy"), SeriesFactory(name="Policy Cafe")
    event = EventFactory(title="Policy Cafe relaunch", series=series, themes=[theme])
    role = EventRoleFactory(event=event, role="speaker")
    AffiliationFactory(person=role.person)
    services.register_attendee(event=event, user=UserFactory(display_name="Policy Fan"))
    return event


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_search_add_and_change_page_renders(admin_client, data, model):
    changelist = reverse(f"admin:{model}_changelist")
    listing = admin_client.get(changelist)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count >= 1
    assert admin_client.get(changelist, {"q": "Policy"}).status_code == 200
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == (
        403 if model == "events_registration" else 200
    )
    some = listing.context["cl"].result_list[0]
    assert admin_client.get(reverse(f"admin:{model}_change", args=[some.pk])).status_code == 200


def test_event_search_finds_by_title(admin_client, data):
    EventFactory(title="Round-table on the Social Services Bill")
    response = admin_client.get(reverse("admin:events_event_changelist"), {"q": "relaunch"})
    assert list(response.context["cl"].result_list) == [data]


@pytest.mark.parametrize(
    ("model", "term"), [("person", "Person"), ("theme", "Core"), ("organisation", "Org")]
)
def test_autocomplete_for_people_themes_and_hosts(admin_client, data, model, term):
    app = "people" if model in ("person", "organisation") else "events"
    field = {"person": "person", "theme": "themes", "organisation": "hosts"}[model]
    source = "eventrole" if model == "person" else "event"
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "events", "model_name": source, "field_name": field, "term": term},
    )
    assert response.status_code == 200, (app, response.content)
    assert response.json()["results"]


def test_adding_an_event_in_the_admin_records_its_creator(admin_client, data):
    page = admin_client.get(reverse("admin:events_event_add"))
    response = submit_form(
        admin_client,
        page,
        "#event_form",
        data={
            "title_en": "Morning with Cynnal Cymru",
            "kind": "workshop",
            "starts_at_0": "2031-05-06",
            "starts_at_1": "09:30",
            "ends_at_0": "2031-05-06",
            "ends_at_1": "12:00",
            # The venue is an autocomplete filled by JavaScript: an online event needs none.
            "mode": "online",
            "online_url": "https://meet.example.org/cynnal",
        },
        button="_save",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(title="Morning with Cynnal Cymru")
    assert (event.created_by, event.status) == (response.wsgi_request.user, "draft")


def run_action(client, action, events):
    """Tick `events` on the admin's event list, choose `action` and press Go."""
    page = client.get(reverse("admin:events_event_changelist"))
    return submit_form(
        client,
        page,
        "#changelist-form",
        data={"action": action, ACTION_CHECKBOX_NAME: [event.pk for event in events]},
        button="index",
    )


def _spy(monkeypatch, name):
    calls = []
    real = getattr(services, name)

    def spy(**kwargs):
        calls.append(kwargs["event"].pk)
        return real(**kwargs)

    monkeypatch.setattr(services, name, spy)
    return calls


def test_publish_and_postpone_actions_call_the_services_and_report_refusals(
    admin_client, monkeypatch
):
    draft = EventFactory(status="draft", title="Draft")
    live = EventFactory(title="Live")
    calls = _spy(monkeypatch, "publish_event")

    response = run_action(admin_client, "publish_selected", [draft, live])

    assert sorted(calls) == sorted([draft.pk, live.pk])
    assert [Event.objects.get(pk=e.pk).status for e in (draft, live)] == ["published", "published"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 event published.",
        "Live: Only a draft or a postponed event can be published; this one is published.",
    ]

    postponed = _spy(monkeypatch, "postpone_event")
    run_action(admin_client, "postpone_selected", [live])
    assert postponed == [live.pk]
    assert Event.objects.get(pk=live.pk).status == "postponed"


def test_cancel_action_asks_for_a_reason_first_then_calls_the_service(admin_client, monkeypatch):
    event = EventFactory(title="Cafe")
    calls = _spy(monkeypatch, "cancel_event")

    ask = run_action(admin_client, "cancel_selected", [event])
    assert ask.status_code == 200
    assert "Reason for cancelling" in ask.content.decode()
    assert (calls, Event.objects.get().status) == ([], "published")

    no_reason = submit_form(admin_client, ask, "#cancel-events-form", data={"reason": ""})
    assert no_reason.status_code == 200
    assert Event.objects.get().status == "published"

    submit_form(
        admin_client, no_reason, "#cancel-events-form", data={"reason": "Venue closed for repairs"}
    )
    event.refresh_from_db()
    assert calls == [event.pk]
    assert (event.status, event.cancellation_reason) == ("cancelled", "Venue closed for repairs")


def test_staff_can_delete_a_decline_so_the_person_can_be_invited_again(admin_client, data):
    decline = EventInvitationDecline.objects.create(event=data, person=PersonFactory(name="Bob"))
    changelist = reverse("admin:events_eventinvitationdecline_changelist")

    listing = admin_client.get(changelist, {"q": "Bob"})
    view = admin_client.get(
        reverse("admin:events_eventinvitationdecline_change", args=[decline.pk])
    )
    delete = reverse("admin:events_eventinvitationdecline_delete", args=[decline.pk])
    response = submit_form(admin_client, admin_client.get(delete), delete)

    assert listing.context["cl"].result_count == 1
    assert view.status_code == 200
    assert admin_client.get(reverse("admin:events_eventinvitationdecline_add")).status_code == 403
    assert response.status_code == 302
    assert not EventInvitationDecline.objects.exists()
