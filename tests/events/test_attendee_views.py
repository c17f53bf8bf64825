"""events/attendee_views.py: "Email attendees" (write, preview, send, log) and change notices
sent when an organiser saves the event form (submitted as the page renders it)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import AttendeeMessage, Event, Registration
from events.services import cancel_registration, register_attendee
from tests.factories import UserFactory, VenueFactory
from tests.forms import form_data, submit_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended(organised_event):
    """The organiser's event (capacity 1): Ann has the place, Ben waits, Cy gave up his."""
    Event.objects.filter(pk=organised_event.pk).update(capacity=1, title="Policy Cafe")
    event = Event.objects.get(pk=organised_event.pk)
    ann, ben, cy = (UserFactory(email=f"{n}@example.org") for n in ("ann", "ben", "cy"))
    for user in (ann, ben, cy):
        register_attendee(event=event, user=user)
    cancel_registration(event=event, user=cy)
    mail.outbox.clear()
    return event


def edit_url(event):
    return reverse("events:edit", kwargs={"slug": event.slug})


def email_url(event):
    return reverse("events:email_attendees", kwargs={"slug": event.slug})


def test_organiser_previews_then_sends_and_the_log_shows_it(
    client, organiser, attended, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    page = client.get(email_url(attended))
    assert form_data(page, "#email-attendees-form")["audience"] == ["confirmed"]
    assert "People with a place (1)" in page.content.decode()
    assert "No messages have been sent yet." in page.content.decode()
    assert "a reminder by email 24 hours before the start. 0 reminders sent so far." in (
        page.content.decode()
    )

    preview = submit_form(
        client,
        page,
        "#email-attendees-form",
        data={"audience": "both", "subject": "Bring a mug", "body": "We go paper-cup free."},
        button="action=preview",
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "It will go to 2 people: Both." in html
    assert "[Policy Cafe] Bring a mug" in html
    assert "We go paper-cup free." in html
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        sent = submit_form(client, preview, "#send-message-form", button="action=send", follow=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "ben@example.org"]
    assert {m.extra_headers["Reply-To"] for m in mail.outbox} == {organiser.email}
    html = sent.content.decode()
    assert "Your message is on its way to 2 people." in html
    assert list(AttendeeMessage.objects.values_list("subject", "audience", "recipient_count")) == [
        ("Bring a mug", "both", 2)
    ]
    assert "Bring a mug" in html.split('id="attendee-message-log"')[1]


def test_change_the_message_from_the_preview_keeps_what_was_written(client, organiser, attended):
    client.force_login(organiser)
    preview = submit_form(
        client,
        client.get(email_url(attended)),
        "#email-attendees-form",
        data={"subject": "Draft", "body": "Words."},
        button="action=preview",
    )
    back = submit_form(client, preview, "#send-message-form", button="action=edit")
    assert back.status_code == 200
    kept = form_data(back, "#email-attendees-form")
    assert (kept["subject"], kept["body"]) == (["Draft"], ["Words."])
    assert mail.outbox == []
    assert not AttendeeMessage.objects.exists()


def test_an_empty_group_or_missing_subject_is_a_form_error(client, organiser, attended):
    Registration.objects.filter(state="waitlisted").update(state="cancelled")
    client.force_login(organiser)
    response = submit_form(
        client,
        client.get(email_url(attended)),
        "#email-attendees-form",
        data={"audience": "waitlisted", "subject": "", "body": "Hello"},
        button="action=preview",
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "audience": ["Nobody is registered in this group."],
        "subject": ["This field is required."],
    }


def test_only_the_events_editors_reach_the_page(client, attended):
    url = email_url(attended)
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("count", [1, 3, 30])
def test_the_log_page_query_budget_does_not_grow(
    client, organiser, attended, count, django_assert_max_num_queries
):
    AttendeeMessage.objects.bulk_create(
        AttendeeMessage(
            event=attended,
            sender=organiser,
            subject=f"S{i}",
            body="B",
            audience="both",
            recipient_count=2,
        )
        for i in range(count)
    )
    client.force_login(organiser)
    with django_assert_max_num_queries(12):
        response = client.get(email_url(attended))
    assert response.content.decode().count("<tr>") == min(count, 20) + 1


# --- change notices from the event form ----------------------------------------------------


def test_saving_a_new_venue_and_time_tells_attendees_with_the_updated_ics(
    client, organiser, attended, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    # At ten in the morning, whenever the suite runs: an hour later ends on the same day (one
    # starting at 21:00 ended past midnight, which the notice writes with its date).
    ten = timezone.localtime(attended.starts_at).replace(hour=10)
    Event.objects.filter(pk=attended.pk).update(starts_at=ten, ends_at=ten + timedelta(hours=2))
    attended.refresh_from_db()
    new_venue = VenueFactory(name="Temple of Peace")
    page = client.get(edit_url(attended))
    start = attended.local_starts_at + timedelta(hours=1)
    end = attended.local_ends_at + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            client,
            page,
            edit_url(attended),
            data={
                "venue": new_venue.pk,
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
            },
        )
    assert response.status_code == 302
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert "We emailed the 2 people registered about what changed." in told
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "ben@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Changed: Policy Cafe"
    assert "Where: " in message.body
    assert "-> Temple of Peace, Park Place, Cardiff, CF10 3AT" in (message.body)
    assert f"{start:%H:%M}–{end:%H:%M}" in message.body
    [(filename, content, mimetype)] = message.attachments
    [component] = Calendar.from_ical(content).events
    assert component["SEQUENCE"] > attended.sequence
    assert component.decoded("DTSTART") == start


def test_saving_only_the_description_tells_nobody(
    client, organiser, attended, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    page = client.get(edit_url(attended))
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            client, page, edit_url(attended), data={"description_en": "Now with Welsh cakes."}
        )
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_event_form_offers_the_reminder_and_public_link_switches(client, organiser, attended):
    client.force_login(organiser)
    page = client.get(edit_url(attended))
    data = form_data(page, edit_url(attended))
    assert data["send_reminder"] == ["on"]  # on by default
    assert "online_url_is_public" not in data  # off by default
    submit_form(
        client,
        page,
        edit_url(attended),
        data={"send_reminder": None, "online_url_is_public": "on"},
    )
    event = Event.objects.get(pk=attended.pk)
    assert (event.send_reminder, event.online_url_is_public) == (False, True)


@pytest.mark.parametrize(
    "url_name", ["events:attendees", "events:attendees_csv", "events:email_attendees"]
)
def test_a_draft_s_organiser_pages_look_missing_to_those_who_may_not_see_it(
    client, organised_event, url_name
):
    # 404 as for a slug that does not exist (a 403 would say a draft is there).
    Event.objects.filter(pk=organised_event.pk).update(status=Event.Status.DRAFT)
    other_organiser = UserFactory(groups=["Organisers"])
    for user in (UserFactory(), other_organiser):
        client.force_login(user)
        for slug in (organised_event.slug, "no-such-event"):
            url = reverse(url_name, kwargs={"slug": slug})
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url).status_code in (404, 405), (user, url)
