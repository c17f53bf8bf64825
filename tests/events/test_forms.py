from datetime import UTC, datetime

import pytest
from django.utils import timezone

from events.forms import EventForm, RoleFormSet, london_aware
from events.models import Event
from tests.events.conftest import FUTURE_YEAR, last_sunday, roles_data
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_local_times_are_read_as_europe_london_in_summer_and_winter(event_data):
    summer = EventForm(event_data())
    winter = EventForm(
        event_data(starts_at=f"{FUTURE_YEAR}-01-14T18:00", ends_at=f"{FUTURE_YEAR}-01-14T20:00")
    )
    assert summer.is_valid(), summer.errors
    assert winter.is_valid(), winter.errors
    assert summer.cleaned_data["starts_at"] == datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC)
    assert winter.cleaned_data["starts_at"] == datetime(FUTURE_YEAR, 1, 14, 18, 0, tzinfo=UTC)


def test_local_times_do_not_depend_on_the_servers_time_zone(event_data):
    with timezone.override("America/New_York"):
        form = EventForm(event_data())
        assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"] == datetime(FUTURE_YEAR, 7, 8, 17, 0, tzinfo=UTC)


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
def test_each_rule_is_an_error_on_its_field(event_data, overrides, field, message):
    form = EventForm(event_data(**overrides))
    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert "__all__" not in form.errors


def test_capacity_may_be_empty_and_online_events_need_no_venue(event_data):
    form = EventForm(
        event_data(capacity="", mode="online", venue="", online_url="https://meet.example.org/x")
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["capacity"] is None


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_time_skipped_when_the_clocks_go_forward_is_refused(event_data, field):
    spring = last_sunday(FUTURE_YEAR, 3)
    times = {"starts_at": f"{spring}T00:30", "ends_at": f"{spring}T03:00"}
    form = EventForm(event_data(**{**times, field: f"{spring}T01:30"}))
    assert not form.is_valid()
    [error] = form.errors[field]
    assert error == (
        f"Times from 01:00 to 01:59 on {spring:%A} {spring.day} March {FUTURE_YEAR} do not exist "
        "in the UK: the clocks go forward an hour. Choose a time outside that hour."
    )


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_time_that_happens_twice_when_the_clocks_go_back_is_refused(event_data, field):
    autumn = last_sunday(FUTURE_YEAR, 10)
    times = {"starts_at": f"{autumn}T00:15", "ends_at": f"{autumn}T03:00"}
    form = EventForm(event_data(**{**times, field: f"{autumn}T01:00"}))
    assert not form.is_valid()
    [error] = form.errors[field]
    assert error == (
        f"Times from 01:00 to 01:59 on {autumn:%A} {autumn.day} October {FUTURE_YEAR} happen "
        "twice in the UK: the clocks go back an hour. Choose a time outside that hour, so that "
        "every calendar agrees."
    )


def test_registration_closing_time_is_checked_for_clock_changes_too(event_data):
    autumn = last_sunday(FUTURE_YEAR, 10)
    form = EventForm(event_data(registration_closes_at=f"{autumn}T01:59"))
    assert not form.is_valid()
    assert "happen twice" in form.errors["registration_closes_at"][0]


def test_times_just_outside_a_clock_change_are_accepted(event_data):
    spring, autumn = last_sunday(FUTURE_YEAR, 3), last_sunday(FUTURE_YEAR, 10)
    for start, end in [
        (f"{spring}T00:59", f"{spring}T02:00"),
        (f"{autumn}T00:59", f"{autumn}T02:00"),
    ]:
        form = EventForm(event_data(starts_at=start, ends_at=end))
        assert form.is_valid(), form.errors
    # 00:59 BST to 02:00 GMT on the autumn day is 2 hours and 1 minute.
    assert (form.cleaned_data["ends_at"] - form.cleaned_data["starts_at"]).seconds == 121 * 60


def test_london_aware_detects_clock_changes_in_any_year_without_a_date_list():
    for year in (2027, 2035, 2042):
        spring, autumn = last_sunday(year, 3), last_sunday(year, 10)
        for day in (spring, autumn):
            with pytest.raises(Exception, match="01:00 to 01:59"):
                london_aware(datetime(day.year, day.month, day.day, 1, 45))
        assert london_aware(datetime(year, 6, 1, 1, 45)) == datetime(year, 6, 1, 0, 45, tzinfo=UTC)


def test_an_unparseable_time_is_a_form_error(event_data):
    form = EventForm(event_data(starts_at="next tuesday"))
    assert not form.is_valid()
    assert form.errors["starts_at"] == ["Enter a valid date/time."]


def test_themes_are_checkboxes_usable_without_javascript(event_data):
    theme = ThemeFactory(name="Core economy vs money economy")
    form = EventForm(event_data(themes=[str(theme.pk)]))
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["themes"]) == [theme]
    assert 'type="checkbox" name="themes"' in str(form["themes"])


# --- people and roles -----------------------------------------------------------------------


def _roles(rows, **kwargs):
    return RoleFormSet(roles_data(rows, **kwargs), instance=Event(), prefix="roles")


def test_rows_pick_an_existing_person_or_add_a_new_one_and_blank_rows_are_ignored():
    ruth = PersonFactory(name="Ruth")
    formset = _roles(
        [
            {"person": str(ruth.pk), "role": "speaker", "contribution_title": "Co-production"},
            {"new_person_name": "Becky Booth", "new_person_headline": "Spice", "role": "speaker"},
        ],
        extra_blank=3,
    )
    assert formset.is_valid(), formset.errors
    kept = list(formset.kept_forms())
    assert [f.person_key() for f in kept] == [
        (("person", ruth.pk), "Ruth"),
        (("new", "becky booth"), "Becky Booth"),
    ]


def test_the_same_person_in_the_same_role_twice_is_an_error_on_the_second_row():
    ruth = PersonFactory(name="Ruth")
    formset = _roles(
        [
            {"person": str(ruth.pk), "role": "speaker"},
            {"person": str(ruth.pk), "role": "chair"},
            {"person": str(ruth.pk), "role": "speaker"},
        ]
    )
    assert not formset.is_valid()
    assert formset.errors == [
        {},
        {},
        {"role": ["Ruth is already listed as speaker: give each person a role once."]},
    ]


def test_a_new_person_named_twice_in_the_same_role_is_an_error():
    formset = _roles(
        [
            {"new_person_name": "Chris Glynn", "role": "artist"},
            {"new_person_name": "chris glynn", "role": "artist"},
        ]
    )
    assert not formset.is_valid()
    assert formset.errors[1] == {
        "role": ["chris glynn is already listed as artist: give each person a role once."]
    }


def test_a_row_needs_exactly_one_of_existing_person_or_new_name():
    ruth = PersonFactory(name="Ruth")
    formset = _roles(
        [
            {"person": str(ruth.pk), "new_person_name": "Ruth again", "role": "chair"},
            {"role": "chair", "contribution_title": "Welcome"},
        ]
    )
    assert not formset.is_valid()
    assert formset.errors == [
        {"new_person_name": ["Choose a person already listed or add a new one, not both."]},
        {"person": ["Choose a person already listed, or add a new one by name."]},
    ]


def test_deleting_a_role_and_adding_it_back_in_one_save_is_not_a_duplicate():
    event = EventFactory()
    role = EventRoleFactory(event=event, role="speaker")
    data = roles_data(
        [
            {"id": str(role.pk), "person": str(role.person_id), "role": "speaker", "DELETE": "on"},
            {"person": str(role.person_id), "role": "speaker"},
        ],
        initial=1,
    )
    formset = RoleFormSet(data, instance=event, prefix="roles")
    assert formset.is_valid(), formset.errors


def test_the_people_list_is_fetched_once_for_all_rows(django_assert_num_queries):
    PersonFactory.create_batch(5)
    with django_assert_num_queries(1):
        formset = RoleFormSet(instance=Event(), prefix="roles")
        html = "".join(str(form["person"]) for form in formset)
    assert html.count("<option") == 3 * 6
