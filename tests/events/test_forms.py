from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.forms import EventForm, RoleFormSet, london_aware
from events.models import Event, EventRole, Registration
from tests.events.conftest import FUTURE_YEAR, last_sunday, person_row
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
)
from tests.forms import submit_form

pytestmark = pytest.mark.django_db

# Each test fills in the event page as an organiser would (tests.forms.submit_form): what the
# form reads is what the page renders, hidden inputs included.


def _saved(response) -> Event:
    assert response.status_code == 302, response.context["form"].errors
    return Event.objects.get()


def _errors(response):
    assert response.status_code == 400
    return response.context["form"].errors


def test_local_times_are_read_as_europe_london_in_summer_and_winter(submit_event_form):
    summer = _saved(submit_event_form())
    Event.objects.all().delete()
    winter = _saved(
        submit_event_form(
            starts_at=f"{FUTURE_YEAR}-01-14T18:00", ends_at=f"{FUTURE_YEAR}-01-14T20:00"
        )
    )
    assert summer.starts_at == datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC)
    assert winter.starts_at == datetime(FUTURE_YEAR, 1, 14, 18, 0, tzinfo=UTC)


def test_local_times_do_not_depend_on_the_servers_time_zone(submit_event_form):
    with timezone.override("America/New_York"):
        event = _saved(submit_event_form())
    assert event.starts_at == datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC)


def test_an_existing_event_is_shown_in_london_wall_clock_time():
    event = EventFactory(starts_at=datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC))
    with timezone.override("UTC"):
        html = str(EventForm(instance=event)["starts_at"])
    assert f'value="{FUTURE_YEAR}-07-08T18:00"' in html
    assert 'type="datetime-local"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"ends_at": f"{FUTURE_YEAR}-07-08T17:00"},
            "ends_at",
            "The event must end after it starts.",
        ),
        (
            {"ends_at": f"{FUTURE_YEAR}-07-08T18:00"},
            "ends_at",
            "The event must end after it starts.",
        ),
        ({"capacity": "0"}, "capacity", "Capacity must be at least 1, or empty for no limit."),
        ({"capacity": "-3"}, "capacity", "Capacity must be at least 1, or empty for no limit."),
        ({"venue": ""}, "venue", "Choose a venue for an in-person or hybrid event."),
        (
            {"mode": "online", "venue": ""},
            "online_url",
            "Give the online link for an online or hybrid event.",
        ),
        (
            {"mode": "hybrid", "venue": ""},
            "venue",
            "Choose a venue for an in-person or hybrid event.",
        ),
        (
            {"registration_closes_at": f"{FUTURE_YEAR}-07-08T18:30"},
            "registration_closes_at",
            "Registration must close at or before the start of the event.",
        ),
    ],
)
def test_each_rule_is_an_error_on_its_field(submit_event_form, overrides, field, message):
    errors = _errors(submit_event_form(**overrides))
    assert errors[field] == [message]
    assert "__all__" not in errors


def test_capacity_may_be_empty_and_online_events_need_no_venue(submit_event_form):
    event = _saved(
        submit_event_form(
            capacity="", mode="online", venue="", online_url="https://meet.example.org/x"
        )
    )
    assert (event.capacity, event.venue, event.mode) == (None, None, "online")


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_time_skipped_when_the_clocks_go_forward_is_refused(submit_event_form, field):
    spring = last_sunday(FUTURE_YEAR, 3)
    times = {"starts_at": f"{spring}T00:30", "ends_at": f"{spring}T03:00"}
    [error] = _errors(submit_event_form(**{**times, field: f"{spring}T01:30"}))[field]
    assert error == (
        f"Times from 01:00 to 01:59 on {spring:%A} {spring.day} March {FUTURE_YEAR} do not exist "
        "in the UK: the clocks go forward an hour. Choose a time outside that hour."
    )


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_time_that_happens_twice_when_the_clocks_go_back_is_refused(submit_event_form, field):
    autumn = last_sunday(FUTURE_YEAR, 10)
    times = {"starts_at": f"{autumn}T00:15", "ends_at": f"{autumn}T03:00"}
    [error] = _errors(submit_event_form(**{**times, field: f"{autumn}T01:00"}))[field]
    assert error == (
        f"Times from 01:00 to 01:59 on {autumn:%A} {autumn.day} October {FUTURE_YEAR} happen "
        "twice in the UK: the clocks go back an hour. Choose a time outside that hour, so that "
        "every calendar agrees."
    )


def test_registration_closing_time_is_checked_for_clock_changes_too(submit_event_form):
    autumn = last_sunday(FUTURE_YEAR, 10)
    errors = _errors(submit_event_form(registration_closes_at=f"{autumn}T01:59"))
    assert "happen twice" in errors["registration_closes_at"][0]


def test_times_just_outside_a_clock_change_are_accepted(submit_event_form):
    spring, autumn = last_sunday(FUTURE_YEAR, 3), last_sunday(FUTURE_YEAR, 10)
    for start, end in [
        (f"{spring}T00:59", f"{spring}T02:00"),
        (f"{autumn}T00:59", f"{autumn}T02:00"),
    ]:
        Event.objects.all().delete()
        event = _saved(submit_event_form(starts_at=start, ends_at=end))
    # 00:59 BST to 02:00 GMT on the autumn day is 2 hours and 1 minute.
    assert (event.ends_at - event.starts_at).seconds == 121 * 60


def test_london_aware_detects_clock_changes_in_any_year_without_a_date_list():
    for year in (2027, 2035, 2042):
        spring, autumn = last_sunday(year, 3), last_sunday(year, 10)
        for day in (spring, autumn):
            with pytest.raises(Exception, match="01:00 to 01:59"):
                london_aware(datetime(day.year, day.month, day.day, 1, 45))
        assert london_aware(datetime(year, 6, 1, 1, 45)) == datetime(year, 6, 1, 0, 45, tzinfo=UTC)


def test_an_unparseable_time_is_a_form_error(submit_event_form):
    errors = _errors(submit_event_form(starts_at="next tuesday"))
    assert errors["starts_at"] == ["Enter a valid date/time."]


def test_themes_are_checkboxes_usable_without_javascript(submit_event_form):
    theme = ThemeFactory(name="Core economy vs money economy")
    event = _saved(submit_event_form(themes=[str(theme.pk)]))
    assert list(event.themes.all()) == [theme]
    assert 'type="checkbox" name="themes"' in str(EventForm()["themes"])


# --- people and roles -----------------------------------------------------------------------


def _role_errors(response):
    assert response.status_code == 400
    return response.context["roles"].errors


def test_rows_pick_an_existing_person_or_add_a_new_one_and_blank_rows_are_ignored(
    submit_event_form,
):
    ruth = PersonFactory(name="Ruth")
    event = _saved(
        submit_event_form(
            people=[
                {"person_search": "Ruth", "role": "speaker", "contribution_title": "Co-production"},
                {
                    "new_person_name": "Becky Booth",
                    "new_person_headline": "Spice",
                    "role": "speaker",
                },
            ]
        )
    )
    assert [
        (r.person.name, r.person.headline, r.role, r.contribution_title)
        for r in event.roles.order_by("pk")
    ] == [
        ("Ruth", ruth.headline, "speaker", "Co-production"),
        ("Becky Booth", "Spice", "speaker", ""),
    ]


def test_the_same_person_in_the_same_role_twice_is_an_error_on_the_second_row(submit_event_form):
    PersonFactory(name="Ruth")
    response = submit_event_form(
        people=[
            {"person_search": "Ruth", "role": "speaker"},
            {"person_search": "Ruth", "role": "chair"},
            {"person_search": "Ruth", "role": "speaker"},
        ]
    )
    assert _role_errors(response) == [
        {},
        {},
        {"role": ["Ruth is already listed as speaker: give each person a role once."]},
    ]
    assert EventRole.objects.count() == 0


def test_a_new_person_named_twice_in_the_same_role_is_an_error(submit_event_form):
    response = submit_event_form(
        people=[
            {"new_person_name": "Chris Glynn", "role": "artist"},
            {"new_person_name": "chris glynn", "role": "artist"},
        ]
    )
    assert _role_errors(response)[1] == {
        "role": ["chris glynn is already listed as artist: give each person a role once."]
    }


def test_a_row_needs_exactly_one_of_existing_person_or_new_name(submit_event_form):
    PersonFactory(name="Ruth")
    response = submit_event_form(
        people=[
            {"person_search": "Ruth", "new_person_name": "Ruth again", "role": "chair"},
            {"role": "chair", "contribution_title": "Welcome"},
        ]
    )
    assert _role_errors(response) == [
        {"new_person_name": ["Choose a person already listed or add a new one, not both."]},
        {"person": ["Choose a person already listed, or add a new one by name."]},
        {},
    ]


def test_deleting_a_role_and_adding_it_back_in_one_save_is_not_a_duplicate(client, organiser):
    event = EventFactory(created_by=organiser)
    role = EventRoleFactory(event=event, role="speaker")
    client.force_login(organiser)
    page = client.get(reverse("events:edit", kwargs={"slug": event.slug}))

    response = submit_form(
        client,
        page,
        "#event-form",
        data={
            **person_row(0, DELETE="on"),
            **person_row(1, person_search=role.person.name, role="speaker"),
        },
    )

    assert response.status_code == 302, response.context["roles"].errors
    assert list(event.roles.values_list("person", "role")) == [(role.person_id, "speaker")]
    assert not EventRole.objects.filter(pk=role.pk).exists()


def test_rows_offer_only_their_own_person_whose_labels_take_one_query(
    django_assert_num_queries,
):
    event = EventFactory()
    for name in ("Ruth", "Mark Drakeford"):
        EventRoleFactory(event=event, person=PersonFactory(name=name, headline=""))
    PersonFactory.create_batch(5)
    with django_assert_num_queries(2):  # the rows, then their people's labels
        formset = RoleFormSet(instance=event, prefix="roles")
        html = "".join(str(form["person"]) for form in formset)
    # Saved rows: the empty choice and their own person; the three blank rows: the empty choice.
    assert html.count("<option") == 2 * 2 + 3
    assert [">Ruth</option>" in html, ">Mark Drakeford</option>" in html] == [True, True]


def test_without_javascript_a_typed_name_finds_the_person_or_offers_the_matches(
    submit_event_form, client
):
    ruth = PersonFactory(name="Ruth Evans", headline="Co-production Wales")
    PersonFactory(name="Ruth Jones")
    PersonFactory(name="Mark Drakeford")

    ambiguous = submit_event_form(
        people=[
            {"person_search": "ruth", "role": "speaker"},
            {"person_search": "drakeford", "role": "chair"},
            {"person_search": "Nobody", "role": "artist"},
        ]
    )

    assert _role_errors(ambiguous) == [
        {"person": ["Several people match “ruth”: choose one here."]},
        {},
        {
            "person_search": [
                "Nobody listed matches “Nobody”. Check the spelling, or add a new person."
            ]
        },
    ]
    saved = submit_form(
        client,
        ambiguous,
        "#event-form",
        data={"roles-0-person": ruth.pk, "roles-2-person_search": "", "roles-2-role": ""},
    )
    event = _saved(saved)
    assert [(r.person.name, r.role) for r in event.roles.order_by("pk")] == [
        ("Ruth Evans", "speaker"),
        ("Mark Drakeford", "chair"),
    ]


# --- venues, series and themes made from the event form -------------------------------------


def test_a_new_venue_with_its_access_and_coordinates_is_made_with_the_event(submit_event_form):
    from events.models import Venue

    event = _saved(
        submit_event_form(
            venue="",
            new_venue_name="Temple of Peace",
            new_venue_address="King Edward VII Avenue\nCardiff",
            new_venue_postcode="CF10 3AP",
            new_venue_access=["step_free_access", "hearing_loop"],
            new_venue_access_notes="Ramp at the side entrance.",
            new_venue_latitude="51.487500",
            new_venue_longitude="-3.182000",
        )
    )

    venue = Venue.objects.get(name="Temple of Peace")
    assert event.venue == venue
    assert (venue.address, venue.postcode, venue.access_notes) == (
        "King Edward VII Avenue\nCardiff",
        "CF10 3AP",
        "Ramp at the side entrance.",
    )
    assert [name for name, _label in venue.own_access_features()] == [
        "step_free_access",
        "hearing_loop",
    ]
    assert (str(venue.latitude), str(venue.longitude)) == ("51.487500", "-3.182000")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"new_venue_name": "Temple of Peace"}, "new_venue_name", "not both"),
        ({"venue": "", "new_venue_name": "glamorgan building"}, "new_venue_name", "is listed"),
        (
            {"venue": "", "new_venue_name": "Temple", "new_venue_latitude": "51.4"},
            "new_venue_longitude",
            "Give both coordinates, or neither.",
        ),
        ({"venue": "", "new_venue_postcode": "CF10 3AP"}, "new_venue_name", "Give the new venue"),
        ({"venue": ""}, "venue", "Choose a venue for an in-person or hybrid event."),
    ],
)
def test_a_new_venue_is_checked_and_everything_typed_is_kept(
    submit_event_form, changes, field, message
):
    response = submit_event_form(new_theme_names="Care at home", **changes)

    errors = _errors(response)
    assert message in errors[field][0]
    html = response.content.decode()
    assert "Care at home</textarea>" in html
    for name, value in changes.items():
        if value and name.startswith("new_venue"):
            assert f'value="{value}"' in html
    assert Event.objects.count() == 0


def test_a_new_series_and_new_themes_are_made_and_listed_ones_reused(submit_event_form, organiser):
    from events.models import Series, Theme

    listed = ThemeFactory(name="Core economy")
    event = _saved(
        submit_event_form(
            new_series_name="Policy Cafe",
            new_theme_names="core economy\nRisk-averse cultures\n\nRisk-averse cultures",
        )
    )

    assert (event.series.name, event.series.created_by) == ("Policy Cafe", organiser)
    assert sorted(t.name for t in event.themes.all()) == ["Core economy", "Risk-averse cultures"]
    assert event.themes.get(name="Core economy") == listed
    assert Theme.objects.count() == 2
    assert Series.objects.count() == 1


def test_a_new_series_named_like_a_listed_one_is_refused(submit_event_form):
    from tests.factories import SeriesFactory

    cafe = SeriesFactory(name="Policy Cafe")
    assert _errors(submit_event_form(new_series_name="policy cafe"))["new_series_name"] == [
        "A series with this name is listed: choose it."
    ]
    assert _errors(submit_event_form(series=cafe.pk, new_series_name="Other"))[
        "new_series_name"
    ] == ["Choose a series or add a new one, not both."]


# --- control characters (issue 10): typed text is cleaned by the forms, before any save --------


def test_control_characters_typed_into_the_event_and_its_people_are_cleaned(
    client, submit_event_form, organiser, django_capture_on_commit_callbacks
):
    event = _saved(
        submit_event_form(
            title_en="Policy\x0bCafe\rrelaunch",
            description_en="One\x0b evening\r\nof talk\rand tea",
            people=[
                {"new_person_name": "Ann\x0bJones\r", "role": "speaker"},
                {"new_person_name": "Bryn Evans", "role": "chair", "contribution_title": "A\rB"},
            ],
        )
    )
    Registration.objects.create(event=event, user=UserFactory(), state="confirmed")
    page = client.get(reverse("events:email_attendees", args=[event.slug]))
    preview = submit_form(
        client,
        page,
        "#email-attendees-form",
        data={"subject": "Room\rchange\x0b", "body": "Room\x0b2.01\r\nnow."},
    )
    assert preview.status_code == 200
    assert preview.context["full_subject"] == "[Policy Cafe relaunch] Room change"
    with django_capture_on_commit_callbacks(execute=True):
        submit_form(client, preview, "#send-message-form", button="action=send")

    assert (event.title_en, event.description_en) == (
        "Policy Cafe relaunch",
        "One evening\nof talk\nand tea",
    )
    roles = event.roles.select_related("person").order_by("order", "pk")
    assert [(r.person.name, r.contribution_title) for r in roles] == [
        ("Ann Jones", ""),
        ("Bryn Evans", "A B"),
    ]
    assert [(m.subject, "Room2.01\nnow." in m.body) for m in mail.outbox] == [
        ("[Policy Cafe relaunch] Room change", True)
    ]


def test_a_name_typed_with_control_characters_finds_what_is_listed(submit_event_form):
    SeriesFactory(name="Policy Cafes")
    ann = PersonFactory(name="Ann Jones")

    errors = _errors(
        submit_event_form(
            new_series_name="Policy\x0bCafes",
        )
    )
    saved = _saved(submit_event_form(people=[{"person_search": "Ann\x0bJones", "role": "speaker"}]))

    assert errors["new_series_name"] == ["A series with this name is listed: choose it."]
    assert [role.person for role in saved.roles.all()] == [ann]


def test_text_that_is_only_control_characters_is_an_empty_title(submit_event_form):
    errors = _errors(submit_event_form(title_en="\x01\x02"))

    assert errors["title_en"] == ["Give the event a title, in English or in Welsh."]
