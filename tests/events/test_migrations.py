"""The migration to texts in two languages keeps every text written before it (both databases)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("events", "0010_reminder_choice_on_the_account"),
    ("people", "0003_member_language_and_email_preferences"),
]
AFTER = [
    ("events", "0011_texts_in_english_and_welsh"),
    ("people", "0004_texts_in_english_and_welsh"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_texts_written_before_move_into_the_column_of_their_language():
    old = migrate(BEFORE)
    start = datetime(2031, 3, 12, 18, tzinfo=UTC)
    times = {"starts_at": start, "ends_at": start.replace(hour=20)}
    old_event = old.get_model("events", "Event")
    english = old_event.objects.create(
        title="Policy Cafe", slug="policy-cafe", summary="Cheese.", language="en", **times
    )
    welsh = old_event.objects.create(
        title="Caffi Polisi", slug="caffi-polisi", description="Caws.", language="cy", **times
    )
    theme = old.get_model("events", "Theme").objects.create(name="Risk", slug="risk")
    person = old.get_model("people", "Person").objects.create(
        name="Ruth Dineen", slug="ruth-dineen", headline="Founder"
    )
    try:
        new = migrate(AFTER)
        event_model = new.get_model("events", "Event")
        rows = {
            row.pk: (row.title_en, row.title_cy, row.summary_en, row.description_cy)
            for row in event_model.objects.all()
        }
        assert rows == {
            english.pk: ("Policy Cafe", None, "Cheese.", None),
            welsh.pk: (None, "Caffi Polisi", None, "Caws."),
        }
        assert new.get_model("events", "Theme").objects.get(pk=theme.pk).name_en == "Risk"
        assert new.get_model("people", "Person").objects.get(pk=person.pk).headline_en == "Founder"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_organisation_names_written_before_become_their_english_names():
    old = migrate([("people", "0004_texts_in_english_and_welsh")])
    organisation = old.get_model("people", "Organisation").objects.create(
        name="Welsh Government", slug="welsh-government"
    )
    try:
        new = migrate([("people", "0005_organisation_names_in_english_and_welsh")])
        row = new.get_model("people", "Organisation").objects.get(pk=organisation.pk)
        assert (row.name_en, row.name_cy) == ("Welsh Government", None)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_access_notes_written_before_move_into_the_column_of_the_events_language():
    old = migrate([("events", "0013_themes_series_venues_in_shown_name_order")])
    start = datetime(2031, 3, 12, 18, tzinfo=UTC)
    times = {"starts_at": start, "ends_at": start.replace(hour=20)}
    old_event = old.get_model("events", "Event")
    english = old_event.objects.create(slug="cafe", access_notes="Lift.", language="en", **times)
    welsh = old_event.objects.create(slug="caffi", access_notes="Lifft.", language="cy", **times)
    try:
        new = migrate([("events", "0014_event_access_notes_in_english_and_welsh")])
        rows = {
            row.pk: (row.access_notes_en, row.access_notes_cy)
            for row in new.get_model("events", "Event").objects.all()
        }
        assert rows == {english.pk: ("Lift.", None), welsh.pk: (None, "Lifft.")}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_cancellation_reasons_given_before_move_into_the_column_of_the_events_language():
    old = migrate([("events", "0014_event_access_notes_in_english_and_welsh")])
    start = datetime(2031, 3, 12, 18, tzinfo=UTC)
    times = {"starts_at": start, "ends_at": start.replace(hour=20), "status": "cancelled"}
    old_event = old.get_model("events", "Event")
    english = old_event.objects.create(slug="cafe", cancellation_reason="Snow.", **times)
    welsh = old_event.objects.create(
        slug="caffi", cancellation_reason="Eira.", language="cy", **times
    )
    try:
        new = migrate([("events", "0015_cancellation_reasons_in_english_and_welsh")])
        rows = {
            row.pk: (row.cancellation_reason_en, row.cancellation_reason_cy)
            for row in new.get_model("events", "Event").objects.all()
        }
        assert rows == {english.pk: ("Snow.", None), welsh.pk: (None, "Eira.")}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
