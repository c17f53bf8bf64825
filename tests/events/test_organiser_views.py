import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import LONDON, Event, EventRole
from people.models import Person
from tests.events.conftest import FUTURE_YEAR, last_sunday, person_row
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory
from tests.forms import form_data, submit_form

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


def edit_event(client, user, event, **changes):
    """`user` opens the event's edit page and saves it with `changes` typed in."""
    client.force_login(user)
    page = client.get(reverse("events:edit", kwargs={"slug": event.slug}))
    assert page.status_code == 200
    return submit_form(client, page, "#event-form", data=changes)


PAGE_FORMS = {
    # action: (the form on its page, what the person changes)
    "edit": ("#event-form", {"title_en": "Renamed by someone"}),
    "publish": ("#confirm-form", {}),
    "postpone": ("#confirm-form", {}),
    "cancel": ("#confirm-form", {"reason_en": "Not enough people signed up."}),
    "duplicate": ("#confirm-form", {}),
}


def _as_rendered_for(user, url, action):
    """What the action's page submits when `user` (who may see it) fills it in."""
    client = Client()
    client.force_login(user)
    selector, changes = PAGE_FORMS[action]
    data = form_data(client.get(url), selector)
    data.update({name: [value] for name, value in changes.items()})
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
def test_permission_matrix_for_changes_to_an_event(client, people, organised_event, action, actor):
    Event.objects.filter(pk=organised_event.pk).update(status=ACTIONS[action])
    event = Event.objects.get(pk=organised_event.pk)
    url = reverse(f"events:{action}", kwargs={"slug": event.slug})
    before = (Event.objects.count(), event.status, event.title)

    if actor in ALLOWED:
        client.force_login(people[actor])
        selector, changes = PAGE_FORMS[action]
        response = submit_form(client, client.get(url), selector, data=changes)
    else:
        # Someone without the page replays what it submits for its organiser.
        data = _as_rendered_for(people["staff"], url, action)
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
    if actor in ("anonymous", "non_organiser"):
        data = _as_rendered_for(people["staff"], url, "edit")
        data.update({name: [value] for name, value in event_data().items()})
        response = _login(client, people[actor]).post(url, data)
    else:
        client.force_login(people[actor])
        response = submit_form(client, client.get(url), "#event-form", data=event_data())

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

    assert (
        submit_form(client, client.get(url), "#confirm-form").status_code == 302
    )  # with the page's token
    assert Event.objects.get().status == "postponed"


def test_a_refused_transition_is_a_message_not_an_error(client, organiser, organised_event):
    client.force_login(organiser)
    sequence = Event.objects.get().sequence
    url = reverse("events:publish", kwargs={"slug": organised_event.slug})
    response = submit_form(
        client, client.get(url), "#confirm-form"
    )  # a page opened before someone published
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

    response = submit_form(
        client,
        form_page,
        "#event-form",
        data={
            **event_data(),
            **person_row(
                0, person_search="Ruth", role="speaker", contribution_title="What co-production is"
            ),
            **person_row(
                1,
                new_person_name="Becky Booth",
                new_person_headline="Spice",
                role="speaker",
                contribution_title="Time Credits and their co-productive impact",
            ),
            **person_row(2, person_search="Mark Drakeford", role="chair"),
        },
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

    publish_url = reverse("events:publish", kwargs={"slug": event.slug})
    response = submit_form(client, client.get(preview_url), publish_url)
    assert _messages(response) == ["Published: the event is now public."]
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("published", 1)
    assert response.url == reverse("events:detail", kwargs={"slug": event.slug})
    assert "Preview — not published" not in client.get(preview_url).content.decode()

    postpone_url = reverse("events:postpone", kwargs={"slug": event.slug})
    submit_form(client, client.get(postpone_url), "#confirm-form")
    event.refresh_from_db()
    assert (event.status, event.sequence) == ("postponed", 2)

    cancel_url = reverse("events:cancel", kwargs={"slug": event.slug})
    cancel_page = client.get(cancel_url)
    assert "Reason for cancelling" in cancel_page.content.decode()
    no_reason = submit_form(
        client, cancel_page, "#confirm-form", data={"reason_en": "  ", "reason_cy": ""}
    )
    assert no_reason.status_code == 400
    assert "Say why the event is cancelled." in no_reason.content.decode()
    assert Event.objects.get().status == "postponed"

    response = submit_form(
        client, no_reason, "#confirm-form", data={"reason_en": "The speakers are snowed in."}
    )
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
    page = client.get(reverse("events:duplicate", kwargs={"slug": organised_event.slug}))

    response = submit_form(client, page, "#confirm-form")

    copy = Event.objects.exclude(pk=organised_event.pk).get()
    assert response.url == reverse("events:edit", kwargs={"slug": copy.slug})
    assert copy.status == "draft"

    def roles(event):
        return list(
            event.roles.order_by("order", "pk").values_list("person", "role", "contribution_title")
        )

    assert roles(copy) == roles(organised_event)
    assert len(roles(copy)) == 2
    assert (copy.title, copy.starts_at) == (
        organised_event.title,
        services.same_local_time_later(organised_event.starts_at),
    )


def test_editing_keeps_people_removes_deleted_rows_and_adds_new_ones(
    client, organiser, organised_event
):
    speaker = EventRoleFactory(event=organised_event, role="speaker", order=1)
    organiser_role = organised_event.roles.get(role="organiser")

    response = edit_event(
        client,
        organiser,
        organised_event,
        title_en="Policy Cafe: spring",
        **person_row(1, DELETE="on"),
        **person_row(2, new_person_name="Chris Glynn", role="artist", contribution_title="Drawing"),
    )

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
            [
                {"person_search": "Ruth", "role": "speaker"},
                {"person_search": "Ruth", "role": "speaker"},
            ],
            "Ruth is already listed as speaker: give each person a role once.",
        ),
    ],
)
def test_each_rule_is_a_form_error_and_nothing_is_saved(
    submit_event_form, overrides, rows, message
):
    PersonFactory(name="Ruth")
    rows.append({"new_person_name": "Someone New", "role": "chair"})

    response = submit_event_form(people=rows, **overrides)

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
    assert _buttons(own) == [
        "Edit",
        "Preview",
        "Unpublish…",
        "Postpone…",
        "Cancel event…",
        "Duplicate…",
    ]
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


def test_the_dashboard_splits_my_upcoming_and_past_events_with_their_counts(
    client, organiser, organised_event
):
    from events.services import register_attendee

    now = timezone.now().replace(second=0, microsecond=0)
    soon_draft = EventFactory(
        status="draft", created_by=organiser, title="My draft", starts_at=now + timedelta(days=2)
    )
    last_month = EventFactory(
        created_by=organiser, starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=29)
    )
    last_year = EventFactory(
        created_by=organiser, starts_at=now - timedelta(days=365), ends_at=now - timedelta(days=364)
    )
    EventFactory(title="Someone else's")
    EventFactory(status="draft", title="Someone else's draft")
    Event.objects.filter(pk=organised_event.pk).update(capacity=1)
    register_attendee(event=organised_event, user=UserFactory())
    register_attendee(event=organised_event, user=UserFactory())
    client.force_login(organiser)

    response = client.get(reverse("events:organising"))

    upcoming, past = response.context["upcoming"], response.context["past"]
    assert list(upcoming) == [soon_draft, organised_event]
    assert list(past) == [last_month, last_year]
    assert [(e.confirmed_count, e.waitlisted_count) for e in upcoming] == [(0, 0), (1, 1)]
    html = response.content.decode()
    assert "1 confirmed of 1" in html
    assert "1 on the waitlist" in html
    for name in ("edit", "attendees", "duplicate"):
        assert reverse(f"events:{name}", kwargs={"slug": organised_event.slug}) in html
    # Unpublish is offered only where nobody has registered, for a published event.
    assert reverse("events:unpublish", kwargs={"slug": organised_event.slug}) not in html
    assert reverse("events:unpublish", kwargs={"slug": soon_draft.slug}) not in html


@pytest.mark.parametrize("count", [1, 3, 30])
def test_the_dashboard_uses_a_fixed_number_of_queries(
    client, organiser, count, django_assert_max_num_queries
):
    past = timezone.now() - timedelta(days=10)
    for _ in range(count):
        EventFactory(created_by=organiser)
        EventFactory(created_by=organiser, starts_at=past, ends_at=past + timedelta(hours=2))
    client.force_login(organiser)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("events:organising"))
    assert len(response.context["upcoming"]) == len(response.context["past"]) == min(count, 20)


def test_unpublishing_asks_first_and_takes_an_unregistered_event_back_to_draft(
    client, organiser, organised_event
):
    client.force_login(organiser)
    dashboard = client.get(reverse("events:organising"))
    url = reverse("events:unpublish", kwargs={"slug": organised_event.slug})
    assert url in dashboard.content.decode()

    confirm = client.get(url)
    before = Event.objects.get(pk=organised_event.pk)
    assert before.status == "published"
    response = submit_form(client, confirm, "#confirm-form")

    event = Event.objects.get(pk=organised_event.pk)
    assert (event.status, event.slug, event.sequence) == (
        "draft",
        organised_event.slug,
        before.sequence + 1,
    )
    assert response.url == reverse("events:preview", kwargs={"slug": event.slug})
    assert _messages(response) == ["Back to draft: only its organisers can see it now."]
    assert client.logout() is None
    assert client.get(event.get_absolute_url()).status_code == 404


def test_an_event_someone_registered_for_cannot_be_unpublished(client, organiser, organised_event):
    from events.services import register_attendee

    client.force_login(organiser)
    confirm = client.get(reverse("events:unpublish", kwargs={"slug": organised_event.slug}))
    register_attendee(event=organised_event, user=UserFactory())  # meanwhile, someone registers

    response = submit_form(client, confirm, "#confirm-form")

    assert Event.objects.get(pk=organised_event.pk).status == "published"
    assert _messages(response) == [
        "Only a published event that nobody has registered for can go back to draft. "
        "Postpone or cancel it instead."
    ]


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


def test_duplicate_proposes_four_weeks_later_at_the_same_london_time(client, organiser):
    event = EventFactory(
        created_by=organiser,
        starts_at=datetime(2031, 10, 8, 17, 0, tzinfo=UTC),
        ends_at=datetime(2031, 10, 8, 19, 0, tzinfo=UTC),
    )
    client.force_login(organiser)
    page = client.get(reverse("events:duplicate", kwargs={"slug": event.slug}))
    # 18:00 BST on 8 October; the copy is after the clocks go back: 18:00 GMT on 5 November.
    assert form_data(page, "#confirm-form") | {"csrfmiddlewaretoken": None} == {
        "csrfmiddlewaretoken": None,
        "title_en": [event.title],
        "title_cy": [""],
        "starts_at": ["2031-11-05T18:00"],
        "ends_at": ["2031-11-05T20:00"],
    }


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
    # 13 for the form, 1 for the menu's count of open flags an organiser may handle.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("events:edit", kwargs={"slug": organised_event.slug}))
    assert len(response.context["roles"].forms) == count + 1 + 3


def _capacity_change(client, organiser, event, capacity):
    return edit_event(client, organiser, event, capacity=capacity)


def test_more_places_go_to_the_waitlist_at_once(client, organiser, organised_event):
    from events.models import Registration
    from events.services import register_attendee

    Event.objects.filter(pk=organised_event.pk).update(capacity=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    for attendee in (first, second, third):
        register_attendee(event=organised_event, user=attendee)

    response = _capacity_change(client, organiser, organised_event, "2")

    assert response.status_code == 302
    states = dict(Registration.objects.values_list("user", "state"))
    assert states == {first.pk: "confirmed", second.pk: "confirmed", third.pk: "waitlisted"}


def test_capacity_cannot_drop_below_the_places_already_given(client, organiser, organised_event):
    from events.services import register_attendee

    for _ in range(3):
        register_attendee(event=organised_event, user=UserFactory())

    response = _capacity_change(client, organiser, organised_event, "2")

    assert response.status_code == 400
    assert response.context["form"].errors["capacity"] == [
        "3 people already have a place, so the capacity cannot be lower. "
        "Cancel places from the attendee list first."
    ]
    assert Event.objects.get(pk=organised_event.pk).capacity is None


def test_a_place_given_after_the_form_was_checked_still_stops_a_lower_capacity(
    client, organiser, organised_event, monkeypatch
):
    # The race of issue 10: capacity 4 -> 3 checked against 3 places, then a 4th is given
    # before the save. The count is taken again under the row lock registration takes.
    from events.forms import EventForm
    from events.models import Registration
    from events.services import register_attendee

    Event.objects.filter(pk=organised_event.pk).update(capacity=4)
    for _ in range(3):
        register_attendee(event=organised_event, user=UserFactory())
    checked = EventForm.schedule_is_accepted

    def a_registration_slips_in(form, **kwargs):
        register_attendee(event=organised_event, user=UserFactory())
        return checked(form, **kwargs)

    monkeypatch.setattr(EventForm, "schedule_is_accepted", a_registration_slips_in)
    response = _capacity_change(client, organiser, organised_event, "3")

    assert response.status_code == 400
    assert response.context["form"].errors["capacity"] == [
        "4 people already have a place, so the capacity cannot be lower. "
        "Cancel places from the attendee list first."
    ]
    assert Event.objects.get(pk=organised_event.pk).capacity == 4
    confirmed = Registration.objects.filter(event=organised_event, state="confirmed")
    assert confirmed.count() == 4


def test_a_forged_number_of_people_rows_is_a_quick_form_error(client, organiser, organised_event):
    # roles-TOTAL_FORMS=2000 used to build 2,000 rows (28 s); the formset is capped at 50.
    import time

    client.force_login(organiser)
    page = client.get(reverse("events:edit", kwargs={"slug": organised_event.slug}))
    assert 'name="roles-MAX_NUM_FORMS" value="50"' in page.text
    started = time.perf_counter()
    response = submit_form(client, page, "#event-form", data={"roles-TOTAL_FORMS": "2000"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert response.context["roles"].non_form_errors() == ["Please submit at most 50 forms."]
    assert len(response.context["roles"].forms) <= 50
    assert elapsed < 10  # 28 s before the cap; the rows built are the bound that matters
    assert EventRole.objects.filter(event=organised_event).count() == 1


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
    assert create.context["form"].errors["title_en"] == [
        "Give the event a title, in English or in Welsh."
    ]
    assert cancel.context["form"].errors["reason_en"] == ["Say why the event is cancelled."]
    assert (Event.objects.count(), Event.objects.get().status) == (1, "published")


# --- safer scheduling: a past start or a clash asks first -----------------------------------


def test_a_start_in_the_past_is_a_warning_then_a_second_submit_saves_it(submit_event_form, client):
    yesterday = (timezone.localtime(timezone.now(), LONDON) - timedelta(days=1)).date()

    warned = submit_event_form(starts_at=f"{yesterday}T18:00", ends_at=f"{yesterday}T20:00")

    assert warned.status_code == 200
    assert warned.context["form"].schedule_warnings == [
        f"It starts in the past: {yesterday:%A} {yesterday.day} {yesterday:%B %Y}, 18:00 (UK time)."
    ]
    assert "Nothing was saved yet. Change the date" in warned.content.decode()
    assert Event.objects.count() == 0
    # Pressing Enter (the first button, "Save draft") asks again; "Save anyway" saves.
    assert submit_form(client, warned, "#event-form").status_code == 200
    saved = submit_form(client, warned, "#event-form", button="confirm_schedule")
    assert saved.status_code == 302
    assert Event.objects.get().local_starts_at.date() == yesterday


def test_an_overlap_at_the_same_venue_names_the_other_event(submit_event_form, client, venue):
    other = EventFactory(
        title="Round-table on care",
        venue=venue,
        starts_at=datetime(FUTURE_YEAR, 7, 8, 18, 0, tzinfo=UTC),  # 19:00 in London
        ends_at=datetime(FUTURE_YEAR, 7, 8, 20, 0, tzinfo=UTC),
    )
    EventFactory(
        venue=venue, status="cancelled", starts_at=other.starts_at, ends_at=other.ends_at
    )  # a cancelled event frees the room

    warned = submit_event_form()  # 18:00 to 20:00 London time

    when = f"{datetime(FUTURE_YEAR, 7, 8):%A} 8 July {FUTURE_YEAR}, 19:00"
    assert warned.context["form"].schedule_warnings == [
        f"“Round-table on care” is at Glamorgan Building at the same time ({when})."
    ]
    assert Event.objects.count() == 2
    saved = submit_form(client, warned, "#event-form", button="confirm_schedule")
    assert saved.status_code == 302
    assert Event.objects.count() == 3


def test_an_overlap_in_the_same_series_warns_even_elsewhere(submit_event_form, client):
    from tests.factories import SeriesFactory, VenueFactory

    cafe = SeriesFactory(name="Policy Cafe")
    EventFactory(
        title="Policy Cafe in Swansea",
        series=cafe,
        venue=VenueFactory(),
        starts_at=datetime(FUTURE_YEAR, 7, 8, 16, 0, tzinfo=UTC),
        ends_at=datetime(FUTURE_YEAR, 7, 8, 17, 30, tzinfo=UTC),
    )

    warned = submit_event_form(series=cafe.pk)

    [warning] = warned.context["form"].schedule_warnings
    assert warning.startswith("“Policy Cafe in Swansea” in the series Policy Cafe overlaps it")
    # Confirming one time and place does not confirm another: a new clash asks again.
    moved = submit_form(
        client,
        warned,
        "#event-form",
        data={"starts_at": f"{FUTURE_YEAR}-07-08T17:15"},
        button="confirm_schedule",
    )
    assert moved.status_code == 200
    assert Event.objects.count() == 1


def test_no_warning_without_a_clash_and_none_for_edits_that_keep_the_time(
    client, organiser, organised_event
):
    past = (timezone.now() - timedelta(days=3)).replace(second=0, microsecond=0)
    Event.objects.filter(pk=organised_event.pk).update(
        starts_at=past, ends_at=past + timedelta(hours=2)
    )
    EventFactory(venue=organised_event.venue, starts_at=past, ends_at=past + timedelta(hours=1))

    response = edit_event(client, organiser, organised_event, summary_en="What we talked about.")

    assert response.status_code == 302
    assert Event.objects.get(pk=organised_event.pk).summary == "What we talked about."


def test_other_organisers_drafts_are_not_named_in_warnings(submit_event_form, venue):
    EventFactory(
        title="Someone's secret draft",
        status="draft",
        venue=venue,
        starts_at=datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC),
        ends_at=datetime(FUTURE_YEAR, 7, 8, 19, 0, tzinfo=UTC),
    )
    assert submit_event_form().status_code == 302


def test_duplicate_asks_for_title_and_date_and_warns_about_a_clash(client, organiser):
    from tests.factories import SeriesFactory

    cafe = SeriesFactory(name="Policy Cafe")
    first = EventFactory(
        title="Policy Cafe: March",
        series=cafe,
        created_by=organiser,
        starts_at=datetime(FUTURE_YEAR, 3, 9, 18, 0, tzinfo=UTC),
        ends_at=datetime(FUTURE_YEAR, 3, 9, 20, 0, tzinfo=UTC),
    )
    latest = EventFactory(
        title="Policy Cafe: April",
        series=cafe,
        starts_at=datetime(FUTURE_YEAR, 4, 13, 17, 0, tzinfo=UTC),  # 18:00 BST
        ends_at=datetime(FUTURE_YEAR, 4, 13, 19, 0, tzinfo=UTC),
    )
    client.force_login(organiser)
    page = client.get(reverse("events:duplicate", kwargs={"slug": first.slug}))

    # The series' next date: four weeks after its latest event, same London time.
    assert form_data(page, "#confirm-form")["starts_at"] == [f"{FUTURE_YEAR}-05-11T18:00"]
    clash = submit_form(
        client,
        page,
        "#confirm-form",
        data={
            "title_en": "Policy Cafe: April again",
            "starts_at": f"{FUTURE_YEAR}-04-13T18:30",
            "ends_at": f"{FUTURE_YEAR}-04-13T19:30",
        },
    )
    assert clash.status_code == 200
    assert clash.context["form"].schedule_warnings[0].startswith("“Policy Cafe: April” in the")
    assert Event.objects.count() == 2

    response = submit_form(client, clash, "#confirm-form", button="confirm_schedule")

    copy = Event.objects.get(title="Policy Cafe: April again")
    assert response.url == reverse("events:edit", kwargs={"slug": copy.slug})
    assert (copy.status, copy.series, copy.local_starts_at.hour, copy.created_by) == (
        "draft",
        cafe,
        18,
        organiser,
    )
    assert latest.title == "Policy Cafe: April"


# --- a series' dates: the rule and "schedule the next N" -------------------------------------


def test_an_organiser_gives_a_series_its_rule_then_schedules_the_next_dates(client, organiser):
    from tests.factories import SeriesFactory

    cafe = SeriesFactory(name="Policy Cafe", created_by=organiser)
    EventFactory(
        series=cafe,
        created_by=organiser,
        title="Policy Cafe",
        starts_at=datetime(FUTURE_YEAR, 1, 8, 18, 0, tzinfo=UTC),
        ends_at=datetime(FUTURE_YEAR, 1, 8, 20, 0, tzinfo=UTC),
    )
    client.force_login(organiser)
    series_page = client.get(cafe.get_absolute_url()).content.decode()
    url = reverse("events:series_schedule", kwargs={"slug": cafe.slug})
    assert url in series_page

    page = client.get(url)
    saved = submit_form(
        client,
        page,
        "#series-rule",
        data={
            "repeat": "monthly_weekday",
            "repeat_week": "2",
            "repeat_weekday": "0",
            "start_time": "18:00",
            "end_time": "20:00",
            "repeat_from": f"{FUTURE_YEAR}-01-01",
            "repeat_count": "12",
        },
        follow=True,
    )
    assert _messages(saved) == [
        "Saved. The series repeats: The second Monday of each month, 18:00 to 20:00 (UK time)."
    ]
    next_dates = saved.context["next_dates"]
    assert len(next_dates) == 3
    assert all(s.astimezone(LONDON).strftime("%a %H:%M") == "Mon 18:00" for s, _e in next_dates)

    response = submit_form(client, saved, "#series-schedule", data={"count": "2"})

    assert response.url == reverse("events:organising")
    drafts = list(Event.objects.filter(series=cafe, status="draft").chronological())
    assert [(e.starts_at, e.ends_at) for e in drafts] == next_dates[:2]
    assert _messages(response) == ["2 drafts scheduled. Check each one, then publish it."]


def test_an_incomplete_rule_is_a_form_error(client, organiser):
    from tests.factories import SeriesFactory

    cafe = SeriesFactory(created_by=organiser)
    client.force_login(organiser)
    url = reverse("events:series_schedule", kwargs={"slug": cafe.slug})

    response = submit_form(client, client.get(url), "#series-rule", data={"repeat": "weekly"})

    assert response.status_code == 400
    assert set(response.context["rule_form"].errors) == {
        "repeat_from",
        "start_time",
        "end_time",
        "repeat_weekday",
    }
    cafe.refresh_from_db()
    assert cafe.repeat == ""


def test_only_the_series_organisers_and_staff_may_change_its_dates(client, people):
    from tests.factories import SeriesFactory

    cafe = SeriesFactory(created_by=people["this_events_organiser"])
    url = reverse("events:series_schedule", kwargs={"slug": cafe.slug})
    expected = {
        "non_organiser": 403,
        "organiser_of_another_event": 403,
        "this_events_organiser": 200,
        "staff": 200,
    }
    for actor, status in expected.items():
        client.force_login(people[actor])
        assert client.get(url).status_code == status, actor


# --- the person picker scales: a search endpoint, not a list of everyone -----------------------


def test_people_search_suggests_people_by_name_for_organisers(client, organiser, user):
    ruth = PersonFactory(name="Ruth Evans", headline="Co-production Wales")
    PersonFactory(name="Mark Drakeford", headline="")
    url = reverse("events:people_search")

    assert client.get(url, {"q": "ruth"}).url.startswith(reverse("account_login"))
    client.force_login(user)
    assert client.get(url, {"q": "ruth"}).status_code == 403
    client.force_login(organiser)
    assert client.get(url, {"q": "RUTH"}).json() == {
        "results": [{"id": ruth.pk, "label": "Ruth Evans — Co-production Wales"}]
    }
    assert client.get(url, {"q": "  "}).json() == {"results": []}
    assert client.get(url).json() == {"results": []}


@pytest.mark.parametrize("count", [1, 3, 30])
def test_people_search_uses_a_fixed_number_of_queries(
    client, organiser, count, django_assert_max_num_queries
):
    PersonFactory.create_batch(count, name="Policy Fan")
    client.force_login(organiser)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("events:people_search"), {"q": "fan"})
    assert len(response.json()["results"]) == min(count, 20)


def test_the_event_form_does_not_grow_with_the_number_of_people(client, organiser, organised_event):
    PersonFactory.create_batch(3)
    client.force_login(organiser)
    url = reverse("events:edit", kwargs={"slug": organised_event.slug})
    few = len(client.get(url).content)
    PersonFactory.create_batch(300, name="Someone with a long name, listed")

    html = client.get(url).content.decode()

    assert "Someone with a long name" not in html
    assert len(html.encode()) - few < 200  # only the csrf token and the like vary
