import re

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from events.models import Event, EventRole
from people.models import Person
from tests.events.conftest import FUTURE_YEAR, last_sunday, roles_data
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "non_organiser",
    "organiser_of_another_event",
    "this_events_organiser",
    "staff",
]


@pytest.fixture
def people(organiser, staff, user):
    other = UserFactory(groups=["Organisers"])
    EventRoleFactory(person=PersonFactory(user=other), role="organiser")
    return {
        "anonymous": None,
        "non_organiser": user,
        "organiser_of_another_event": other,
        "this_events_organiser": organiser,
        "staff": staff,
    }


def _login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _edit_data(event, event_data, **overrides):
    """The edit form as submitted unchanged except for `overrides`, keeping the organiser row."""
    role = event.roles.get()
    data = event_data(venue=str(event.venue_id), **overrides)
    data.update(
        roles_data(
            [{"id": str(role.pk), "person": str(role.person_id), "role": role.role}],
            initial=1,
            extra_blank=3,
        )
    )
    return data


# --- the permission matrix -----------------------------------------------------------------

# action: (status the event starts in, expected outcome for a permitted user)
ACTIONS = {
    "edit": "published",
    "publish": "postponed",
    "postpone": "published",
    "cancel": "published",
    "duplicate": "published",
}
ALLOWED = {"this_events_organiser", "staff"}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix_for_changes_to_an_event(
    client, people, organised_event, event_data, action, actor
):
    Event.objects.filter(pk=organised_event.pk).update(status=ACTIONS[action])
    event = Event.objects.get(pk=organised_event.pk)
    url = reverse(f"events:{action}", kwargs={"slug": event.slug})
    data = {
        "edit": lambda: _edit_data(event, event_data, title="Renamed by someone"),
        "cancel": lambda: {"reason": "Not enough people signed up."},
    }.get(action, dict)()
    before = (Event.objects.count(), event.status, event.title)

    response = _login(client, people[actor]).post(url, data)

    after = Event.objects.get(pk=event.pk)
    if actor == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={url}"
    elif actor not in ALLOWED:
        assert response.status_code == 403
        assert "You can’t do that here" in response.content.decode()
    if actor not in ALLOWED:
        assert (Event.objects.count(), after.status, after.title) == before
        return
    assert response.status_code == 302
    count = before[0]
    expected = {
        "edit": (count, event.status, "Renamed by someone"),
        "publish": (count, "published", event.title),
        "postpone": (count, "postponed", event.title),
        "cancel": (count, "cancelled", event.title),
        "duplicate": (count + 1, "published", event.title),
    }[action]
    assert (Event.objects.count(), after.status, after.title) == expected


@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix_for_creating_an_event(client, people, event_data, actor):
    url = reverse("events:create")
    data = {**event_data(), **roles_data([], extra_blank=3)}

    response = _login(client, people[actor]).post(url, data)

    created = Event.objects.filter(title="Policy Cafe relaunch")
    if actor == "anonymous":
        assert response.url == f"{reverse('account_login')}?next={url}"
        assert not created.exists()
    elif actor == "non_organiser":
        assert response.status_code == 403
        assert not created.exists()
    else:
        assert response.status_code == 302
        created = created.get()
        assert (created.title, created.status, created.created_by) == (
            "Policy Cafe relaunch",
            "draft",
            people[actor],
        )


@pytest.mark.parametrize("name", ["edit", "preview", "publish", "postpone", "cancel", "duplicate"])
def test_a_draft_is_404_for_signed_in_people_who_cannot_edit_it(client, people, name):
    draft = EventFactory(status="draft", created_by=people["this_events_organiser"])
    url = reverse(f"events:{name}", kwargs={"slug": draft.slug})
    for actor in ("non_organiser", "organiser_of_another_event"):
        client.force_login(people[actor])
        assert client.get(url).status_code == 404
        if name != "preview":
            assert client.post(url, {"reason": "x"}).status_code == 404
    assert Event.objects.get(pk=draft.pk).status == "draft"
    assert Event.objects.count() == 2  # the draft and the other organiser's event
    client.logout()
    assert client.get(url).url == f"{reverse('account_login')}?next={url}"


def test_state_changes_refuse_get_and_need_post(client, organiser, organised_event):
    client.force_login(organiser)
    for name in ("publish", "postpone", "cancel", "duplicate"):
        url = reverse(f"events:{name}", kwargs={"slug": organised_event.slug})
        response = client.get(url)
        assert response.status_code == 200
        assert 'method="post"' in response.content.decode()
    assert (Event.objects.count(), Event.objects.get().status) == (1, "published")
    response = client.delete(reverse("events:cancel", kwargs={"slug": organised_event.slug}))
    assert response.status_code == 405


def test_every_state_change_needs_a_csrf_token(organiser, organised_event):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    url = reverse("events:postpone", kwargs={"slug": organised_event.slug})

    assert client.post(url).status_code == 403
    assert Event.objects.get().status == "published"

    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert Event.objects.get().status == "postponed"


def test_a_refused_transition_is_a_message_not_an_error(client, organiser, organised_event):
    client.force_login(organiser)
    sequence = Event.objects.get().sequence
    url = reverse("events:publish", kwargs={"slug": organised_event.slug})
    response = client.post(url)
    assert response.status_code == 302
    assert _messages(response) == [
        "Only a draft or a postponed event can be published; this one is published."
    ]
    assert Event.objects.get().sequence == sequence


# --- the whole flow ---------------------------------------------------------------------------


def test_an_organiser_creates_previews_publishes_postpones_and_cancels_an_event(
    client, organiser, event_data
):
    ruth = PersonFactory(name="Ruth", headline="Co-production Wales")
    mark = PersonFactory(name="Mark Drakeford")
    client.force_login(organiser)

    form_page = client.get(reverse("events:create"))
    assert form_page.status_code == 200
    assert form_page.content.decode().count('name="roles-') >= 3 * 6  # blank rows, no JS needed

    rows = [
        {"person": str(ruth.pk), "role": "speaker", "contribution_title": "What co-production is"},
        {
            "new_person_name": "Becky Booth",
            "new_person_headline": "Spice",
            "role": "speaker",
            "contribution_title": "Time Credits and their co-productive impact",
        },
        {"person": str(mark.pk), "role": "chair"},
    ]
    response = client.post(
        reverse("events:create"), {**event_data(), **roles_data(rows, extra_blank=3)}
    )

    event = Event.objects.get()
    preview_url = reverse("events:preview", kwargs={"slug": event.slug})
    assert response.url == preview_url
    assert _messages(response) == ["Draft saved. Check the preview, then publish it."]
    assert (event.status, event.slug, event.created_by) == (
        "draft",
        "policy-cafe-relaunch",
        organiser,
    )
    becky = Person.objects.get(name="Becky Booth")
    assert becky.headline == "Spice"
    assert [(r.person, r.role, r.contribution_title) for r in event.roles.order_by("pk")] == [
        (ruth, "speaker", "What co-production is"),
        (becky, "speaker", "Time Credits and their co-productive impact"),
        (mark, "chair", ""),
    ]

    preview = client.get(preview_url).content.decode()
    assert "Preview — not published" in preview
    assert "Becky Booth</a>" in preview
    assert reverse("events:publish", kwargs={"slug": event.slug}) in preview

    response = client.post(reverse("events:publish", kwargs={"slug": event.slug}))
    assert _messages(response) == ["Published: the event is now public."]
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("published", 1)
    assert response.url == reverse("events:detail", kwargs={"slug": event.slug})
    assert "Preview — not published" not in client.get(preview_url).content.decode()

    client.post(reverse("events:postpone", kwargs={"slug": event.slug}))
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("postponed", 2)

    cancel_url = reverse("events:cancel", kwargs={"slug": event.slug})
    assert "Reason for cancelling" in client.get(cancel_url).content.decode()
    no_reason = client.post(cancel_url, {"reason": "  "})
    assert no_reason.status_code == 400
    assert "This field is required." in no_reason.content.decode()
    assert Event.objects.get().status == "postponed"

    response = client.post(cancel_url, {"reason": "The speakers are snowed in."})
    event.refresh_from_db()
    assert (event.status, event.sequence, event.cancellation_reason) == (
        "cancelled",
        3,
        "The speakers are snowed in.",
    )
    assert _messages(response) == [
        "Cancelled. The event page now shows it as cancelled with your reason."
    ]


def test_duplicating_through_the_page_gives_a_draft_with_the_same_people(
    client, organiser, organised_event
):
    EventRoleFactory(event=organised_event, role="speaker", contribution_title="Time Credits")
    client.force_login(organiser)

    response = client.post(reverse("events:duplicate", kwargs={"slug": organised_event.slug}))

    copy = Event.objects.exclude(pk=organised_event.pk).get()
    assert response.url == reverse("events:edit", kwargs={"slug": copy.slug})
    assert copy.status == "draft"

    def roles(event):
        return list(
            event.roles.order_by("order", "pk").values_list("person", "role", "contribution_title")
        )

    assert roles(copy) == roles(organised_event)
    assert len(roles(copy)) == 2
    assert (
        "4 weeks later"
        in client.get(
            reverse("events:duplicate", kwargs={"slug": organised_event.slug})
        ).content.decode()
    )


def test_editing_keeps_people_removes_deleted_rows_and_adds_new_ones(
    client, organiser, organised_event, event_data
):
    speaker = EventRoleFactory(event=organised_event, role="speaker", order=1)
    organiser_role = organised_event.roles.get(role="organiser")
    client.force_login(organiser)
    edit_url = reverse("events:edit", kwargs={"slug": organised_event.slug})
    assert client.get(edit_url).status_code == 200

    rows = [
        {
            "id": str(organiser_role.pk),
            "person": str(organiser_role.person_id),
            "role": "organiser",
        },
        {
            "id": str(speaker.pk),
            "person": str(speaker.person_id),
            "role": "speaker",
            "DELETE": "on",
        },
        {"new_person_name": "Chris Glynn", "role": "artist", "contribution_title": "Drawing"},
    ]
    data = {
        **event_data(venue=str(organised_event.venue_id), title="Policy Cafe: spring"),
        **roles_data(rows, initial=2, extra_blank=1),
    }
    response = client.post(edit_url, data)

    assert response.status_code == 302
    assert _messages(response) == ["Changes saved."]
    event = Event.objects.get()
    assert event.title == "Policy Cafe: spring"
    assert event.slug == organised_event.slug  # published: its address does not move
    assert [(r.person.name, r.role) for r in event.roles.order_by("pk")] == [
        (organiser_role.person.name, "organiser"),
        ("Chris Glynn", "artist"),
    ]
    assert not EventRole.objects.filter(pk=speaker.pk).exists()


# --- every rule: a form error, nothing saved ----------------------------------------------------

SPRING, AUTUMN = last_sunday(FUTURE_YEAR, 3), last_sunday(FUTURE_YEAR, 10)


@pytest.mark.parametrize(
    ("overrides", "rows", "message"),
    [
        ({"ends_at": f"{FUTURE_YEAR}-07-08T17:59"}, [], "The event must end after it starts."),
        ({"capacity": "0"}, [], "Capacity must be at least 1, or empty for no limit."),
        ({"venue": ""}, [], "Choose a venue for an in-person or hybrid event."),
        (
            {"registration_closes_at": f"{FUTURE_YEAR}-07-08T19:00"},
            [],
            "Registration must close at or before the start of the event.",
        ),
        (
            {"starts_at": f"{SPRING}T01:30", "ends_at": f"{SPRING}T04:00"},
            [],
            "do not exist in the UK",
        ),
        (
            {"starts_at": f"{AUTUMN}T01:30", "ends_at": f"{AUTUMN}T04:00"},
            [],
            "happen twice in the UK",
        ),
        (
            {},
            [{"person": "RUTH", "role": "speaker"}, {"person": "RUTH", "role": "speaker"}],
            "Ruth is already listed as speaker: give each person a role once.",
        ),
    ],
)
def test_each_rule_is_a_form_error_and_nothing_is_saved(
    client, organiser, event_data, overrides, rows, message
):
    ruth = PersonFactory(name="Ruth")
    rows = [{k: str(ruth.pk) if v == "RUTH" else v for k, v in row.items()} for row in rows]
    rows.append({"new_person_name": "Someone New", "role": "chair"})
    client.force_login(organiser)

    response = client.post(
        reverse("events:create"), {**event_data(**overrides), **roles_data(rows, extra_blank=2)}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Nothing was saved yet" in html
    assert (Event.objects.count(), Person.objects.count(), EventRole.objects.count()) == (0, 1, 0)


# --- the toolbar, the dashboard, the 403 page -------------------------------------------------


def _toolbar(rf, event, user):
    request = rf.get("/")
    request.user = user
    return render_to_string(
        "events/_organiser_toolbar.html", {"event": event, "user": user}, request=request
    )


def _buttons(html):
    return [label.strip() for label in re.findall(r'class="btn [^"]*"[^>]*>([^<]+)<', html)]


def test_the_toolbar_shows_only_what_makes_sense_to_those_who_may_edit(rf, people, organised_event):
    own = _toolbar(rf, organised_event, people["this_events_organiser"])
    assert _buttons(own) == ["Edit", "Preview", "Postpone…", "Cancel event…", "Duplicate…"]
    organised_event.status = "draft"
    assert _buttons(_toolbar(rf, organised_event, people["staff"])) == [
        "Edit",
        "Preview",
        "Publish",
        "Duplicate…",
    ]
    for actor in ("non_organiser", "organiser_of_another_event"):
        assert _toolbar(rf, organised_event, people[actor]).strip() == ""
    from django.contrib.auth.models import AnonymousUser

    assert _toolbar(rf, organised_event, AnonymousUser()).strip() == ""


def test_nav_offers_new_event_to_organisers_only(client, organiser, user):
    client.force_login(user)
    assert reverse("events:create") not in client.get(reverse("home")).content.decode()
    client.force_login(organiser)
    assert reverse("events:create") in client.get(reverse("home")).content.decode()


def test_the_dashboard_lists_exactly_the_events_i_can_edit_drafts_first(
    client, organiser, organised_event
):
    mine_draft = EventFactory(status="draft", created_by=organiser, title="My draft")
    EventFactory(title="Someone else's")
    EventFactory(status="draft", title="Someone else's draft")
    client.force_login(organiser)

    response = client.get(reverse("events:organising"))

    assert list(response.context["events"]) == [mine_draft, organised_event]


@pytest.mark.parametrize("count", [1, 3, 30])
def test_the_dashboard_uses_a_fixed_number_of_queries(
    client, organiser, count, django_assert_max_num_queries
):
    for _ in range(count):
        EventFactory(created_by=organiser)
    client.force_login(organiser)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("events:organising"))
    assert len(response.context["events"]) == min(count, 20)


def test_the_dashboard_is_for_organisers(client, user):
    client.force_login(user)
    assert client.get(reverse("events:organising")).status_code == 403


def test_the_preview_shows_the_event_as_the_public_will_see_it(client, organiser):
    from datetime import UTC, datetime

    from tests.factories import OrganisationFactory, SeriesFactory, ThemeFactory

    draft = EventFactory(
        title="Policy Cafe relaunch",
        status="draft",
        created_by=organiser,
        starts_at=datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC),
        ends_at=datetime(FUTURE_YEAR, 7, 8, 19, 0, tzinfo=UTC),
        series=SeriesFactory(name="Policy Cafe"),
        themes=[ThemeFactory(name="Core economy vs money economy")],
        hosts=[OrganisationFactory(name="Cardiff University")],
        hearing_loop=True,
        mode="hybrid",
        online_url="https://meet.example.org/cafe",
    )
    EventRoleFactory(
        event=draft,
        person=PersonFactory(name="Becky Booth", headline="Spice"),
        contribution_title="Time Credits and their co-productive impact",
    )
    client.force_login(organiser)

    html = client.get(reverse("events:preview", kwargs={"slug": draft.slug})).content.decode()

    for text in (
        "Preview — not published",
        "Policy Cafe relaunch",
        f"{datetime(FUTURE_YEAR, 7, 8):%A} 8 July {FUTURE_YEAR}, 18:00",
        "Cardiff University",
        "Core economy vs money economy",
        "Hearing loop",
        "https://meet.example.org/cafe",
        "Becky Booth</a>",
        "“Time Credits and their co-productive impact”",
    ):
        assert text in html, text
    assert "Postpone" not in html
    assert html.count("Preview — not published") == 1


def test_the_duplicate_confirmation_names_the_new_date(client, organiser):
    from datetime import UTC, datetime

    event = EventFactory(created_by=organiser, starts_at=datetime(2031, 10, 8, 17, 0, tzinfo=UTC))
    event.ends_at = event.starts_at.replace(hour=19)
    event.save()
    client.force_login(organiser)
    html = client.get(reverse("events:duplicate", kwargs={"slug": event.slug})).content.decode()
    assert "The copy will start on <strong>Wednesday 5 November 2031, 18:00</strong>" in html


def test_only_saved_rows_offer_delete(client, organiser, organised_event):
    client.force_login(organiser)
    html = client.get(
        reverse("events:edit", kwargs={"slug": organised_event.slug})
    ).content.decode()
    assert 'name="roles-0-DELETE"' in html
    assert 'name="roles-1-DELETE"' not in html
    assert 'name="roles-3-person"' in html  # the saved row and three blank ones


def test_add_another_person_is_an_enhancement_over_three_blank_rows(client, organiser):
    client.force_login(organiser)
    html = client.get(reverse("events:create")).content.decode()
    assert html.count('<legend class="h6">Person ') == 4  # three rows and the template row
    assert '<template id="role-row-template">' in html
    assert 'name="roles-__prefix__-person"' in html
    assert "data-add-role-row hidden" in html
    assert "js/role-rows.js" in html


@pytest.mark.parametrize("count", [1, 5, 40])
def test_the_event_form_uses_a_fixed_number_of_queries(
    client, organiser, organised_event, count, django_assert_max_num_queries
):
    for _ in range(count):
        EventRoleFactory(event=organised_event, role="speaker")
    client.force_login(organiser)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("events:edit", kwargs={"slug": organised_event.slug}))
    assert len(response.context["roles"].forms) == count + 1 + 3


def _capacity_change(client, organiser, event, event_data, capacity):
    client.force_login(organiser)
    return client.post(
        reverse("events:edit", kwargs={"slug": event.slug}),
        _edit_data(event, event_data, title=event.title, capacity=capacity),
    )


def test_more_places_go_to_the_waitlist_at_once(client, organiser, organised_event, event_data):
    from events.models import Registration
    from events.services import register_attendee

    Event.objects.filter(pk=organised_event.pk).update(capacity=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    for attendee in (first, second, third):
        register_attendee(event=organised_event, user=attendee)

    response = _capacity_change(client, organiser, organised_event, event_data, "2")

    assert response.status_code == 302
    states = dict(Registration.objects.values_list("user", "state"))
    assert states == {first.pk: "confirmed", second.pk: "confirmed", third.pk: "waitlisted"}


def test_capacity_cannot_drop_below_the_places_already_given(
    client, organiser, organised_event, event_data
):
    from events.services import register_attendee

    for _ in range(3):
        register_attendee(event=organised_event, user=UserFactory())

    response = _capacity_change(client, organiser, organised_event, event_data, "2")

    assert response.status_code == 400
    assert response.context["form"].errors["capacity"] == [
        "3 people already have a place, so the capacity cannot be lower. "
        "Cancel places from the attendee list first."
    ]
    assert Event.objects.get(pk=organised_event.pk).capacity is None


def test_form_layouts_name_only_fields_that_exist(client, settings, organiser, organised_event):
    settings.CRISPY_FAIL_SILENTLY = False  # a layout naming a missing field raises, not logs
    client.force_login(organiser)
    for url in (
        reverse("events:create"),
        reverse("events:edit", kwargs={"slug": organised_event.slug}),
        reverse("events:cancel", kwargs={"slug": organised_event.slug}),
    ):
        assert client.get(url).status_code == 200


def test_an_empty_post_is_a_form_error_not_a_blank_form(client, organiser, organised_event):
    client.force_login(organiser)
    create = client.post(reverse("events:create"))
    cancel = client.post(reverse("events:cancel", kwargs={"slug": organised_event.slug}))
    assert (create.status_code, cancel.status_code) == (400, 400)
    assert create.context["form"].errors["title"] == ["This field is required."]
    assert cancel.context["form"].errors["reason"] == ["This field is required."]
    assert (Event.objects.count(), Event.objects.get().status) == (1, "published")
