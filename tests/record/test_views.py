from django.core import mail
from django.urls import reverse

from record import services
from record.models import AgendaItem, EventRecord, Outcome, Priority
from tests.factories import EventRoleFactory, PersonFactory, ThemeFactory, UserFactory
from tests.forms import submit_form


def page(client, event):
    return client.get(reverse("events:detail", kwargs={"slug": event.slug}))


# --- before the event ------------------------------------------------------------------------


def test_attendee_submits_from_the_event_page_and_votes(client, organised_event, user):
    theme = ThemeFactory(name="Core economy")
    organised_event.themes.add(theme)
    client.force_login(user)
    response = page(client, organised_event)
    assert "You have 3 dots left." in response.text
    response = submit_form(
        client,
        response,
        form="#priority-form",
        data={"text": "Value the core economy", "kind": "priority", "theme": theme.pk},
        follow=True,
    )
    item = Priority.objects.get(event=organised_event)
    assert (item.text, item.author, item.theme) == ("Value the core economy", user, theme)
    response = submit_form(
        client, response, form=reverse("record:dot_add", kwargs={"pk": item.pk}), follow=True
    )
    item.refresh_from_db()
    assert item.dot_count == 1
    assert "You have 2 dots left." in response.text


def test_anonymous_visitors_are_asked_to_sign_in(client, organised_event):
    response = page(client, organised_event)
    assert "Sign in to bring a question or priority" in response.text
    url = reverse("record:priority_add", kwargs={"slug": organised_event.slug})
    assert client.post(url, {"text": "x", "kind": "priority"}).status_code == 302
    assert Priority.objects.count() == 0


def test_an_empty_priority_is_a_form_error(client, organised_event, user):
    client.force_login(user)
    response = submit_form(
        client, page(client, organised_event), form="#priority-form", data={"text": ""}
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert Priority.objects.count() == 0


def test_board_panel_invites_questions_before_the_event(client, organised_event):
    response = page(client, organised_event)
    assert "Were you there" not in response.text
    assert "something you would like to ask or raise before the event" in response.text


def test_organiser_promotes_an_item_to_the_agenda(client, organised_event, organiser, user):
    speaker = PersonFactory(name="Becky Booth")
    EventRoleFactory(event=organised_event, person=speaker, role="speaker")
    item = services.submit_priority(
        event=organised_event, author=user, text="Time Credits", kind="question"
    )
    services.add_dot(priority=item, user=user)
    client.force_login(organiser)
    response = client.get(reverse("record:priorities", kwargs={"slug": organised_event.slug}))
    promote = reverse("record:agenda_new", kwargs={"slug": organised_event.slug})
    assert f"{promote}?priority={item.pk}" in response.text
    response = client.get(f"{promote}?priority={item.pk}")
    response = submit_form(
        client,
        response,
        form="#record-form",
        data={"starts_at": "18:30", "presenters": [speaker.pk]},
        follow=True,
    )
    agenda_item = AgendaItem.objects.get()
    assert (agenda_item.title, list(agenda_item.priorities.all())) == ("Time Credits", [item])
    assert "Time Credits" in response.text
    assert "(1 dot)" in response.text


def test_people_who_do_not_organise_cannot_promote_hide_or_merge(client, organised_event, user):
    item = services.submit_priority(event=organised_event, author=user, text="A", kind="priority")
    client.force_login(UserFactory())
    for url in (
        reverse("record:agenda_new", kwargs={"slug": organised_event.slug}),
        reverse("record:priority_hide", kwargs={"pk": item.pk}),
        reverse("record:priority_merge", kwargs={"pk": item.pk}),
        reverse("record:dots_settings", kwargs={"slug": organised_event.slug}),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.is_shown


def test_organiser_hides_an_item_and_its_author_sees_why(client, organised_event, organiser, user):
    item = services.submit_priority(event=organised_event, author=user, text="A", kind="priority")
    client.force_login(organiser)
    response = client.get(reverse("record:priority_hide", kwargs={"pk": item.pk}))
    response = submit_form(
        client, response, form="#record-form", data={"reason": "Off topic tonight"}
    )
    assert response.status_code == 302
    client.force_login(user)
    assert "“A”: Off topic tonight" in page(client, organised_event).text


def test_organiser_merges_a_duplicate(client, organised_event, organiser, user):
    keep = services.submit_priority(event=organised_event, author=user, text="K", kind="priority")
    dup = services.submit_priority(event=organised_event, author=user, text="D", kind="priority")
    services.add_dot(priority=dup, user=user)
    client.force_login(organiser)
    response = client.get(reverse("record:priority_merge", kwargs={"pk": dup.pk}))
    submit_form(client, response, form="#record-form", data={"into": keep.pk})
    keep.refresh_from_db()
    assert keep.dot_count == 1


def test_move_a_dot_from_the_full_list(client, organised_event, user):
    a = services.submit_priority(event=organised_event, author=user, text="A", kind="priority")
    b = services.submit_priority(event=organised_event, author=user, text="B", kind="priority")
    services.add_dot(priority=a, user=user)
    client.force_login(user)
    response = client.get(reverse("record:priorities", kwargs={"slug": organised_event.slug}))
    submit_form(
        client,
        response,
        form=reverse("record:dot_move", kwargs={"pk": a.pk}),
        data={"target": b.pk},
    )
    assert list(Priority.objects.order_by("text").values_list("dot_count", flat=True)) == [0, 1]


# --- after the event -------------------------------------------------------------------------


def test_organiser_closes_the_event_with_outcomes(
    client, past_event, organiser, attend, django_capture_on_commit_callbacks
):
    attendee = UserFactory()
    attend(past_event, attendee)
    client.force_login(organiser)
    response = page(client, past_event)
    assert "Write the record" in response.text
    manage = reverse("record:manage", kwargs={"slug": past_event.slug})
    response = submit_form(
        client, client.get(manage), form="#summary-form", data={"summary": "We met."}, follow=True
    )
    for title, kind in [("Learn from Talking Points", "action"), ("Core economy", "passed_on")]:
        response = client.get(reverse("record:outcome_new", kwargs={"slug": past_event.slug}))
        response = submit_form(
            client,
            response,
            form="#record-form",
            data={"title": title, "kind": kind, "owner": "Welsh Government", "status": "open"},
        )
        assert response.status_code == 302
    response = client.get(reverse("record:publish", kwargs={"slug": past_event.slug}))
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(client, response, form="#record-form", follow=True)
    assert EventRecord.objects.get(event=past_event).is_published
    assert [m.to for m in mail.outbox] == [[attendee.email]]
    outcome = Outcome.objects.get(title="Core economy")
    response = client.get(reverse("record:outcome_status", kwargs={"pk": outcome.pk}))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit_form(
            client,
            response,
            form="#record-form",
            data={"status": "done", "note": "Raised with ministers"},
        )
    assert [m.subject for m in mail.outbox] == ["Done: Core economy"]
    response = page(client, past_event)
    assert "What came of it" in response.text
    assert "We met." in response.text


def test_not_taken_forward_needs_a_reason_on_the_form(client, past_event, organiser):
    services.save_summary(event=past_event, user=organiser, summary="S")
    outcome = services.save_outcome(event=past_event, user=organiser, kind="action", title="T")
    client.force_login(organiser)
    response = client.get(reverse("record:outcome_status", kwargs={"pk": outcome.pk}))
    response = submit_form(
        client, response, form="#record-form", data={"status": "not_taken_forward"}
    )
    assert response.status_code == 200
    assert "Say why it was not taken forward." in response.text
    outcome.refresh_from_db()
    assert outcome.status == "open"


def test_others_cannot_close_or_update(client, past_event, organiser):
    services.save_summary(event=past_event, user=organiser, summary="S")
    outcome = services.save_outcome(event=past_event, user=organiser, kind="action", title="T")
    client.force_login(UserFactory())
    for url in (
        reverse("record:manage", kwargs={"slug": past_event.slug}),
        reverse("record:publish", kwargs={"slug": past_event.slug}),
        reverse("record:outcome_new", kwargs={"slug": past_event.slug}),
        reverse("record:outcome_status", kwargs={"pk": outcome.pk}),
    ):
        assert client.post(url, {"status": "done", "summary": "x"}).status_code == 403
    assert not EventRecord.objects.get(event=past_event).is_published


def test_unpublished_record_is_not_public(client, past_event, organiser):
    services.save_summary(event=past_event, user=organiser, summary="S")
    url = reverse("record:event", kwargs={"slug": past_event.slug})
    assert client.get(url).status_code == 404
    client.force_login(organiser)
    assert client.get(url).status_code == 200


def test_calendar_entry_links_to_the_published_record(
    client, past_event, organiser, django_capture_on_commit_callbacks
):
    from icalendar import Calendar

    services.save_summary(event=past_event, user=organiser, summary="S")
    ics = reverse("events:event_ics", kwargs={"slug": past_event.slug})
    record_url = reverse("record:event", kwargs={"slug": past_event.slug})

    def description():
        calendar = Calendar.from_ical(client.get(ics).content)
        return str(next(iter(calendar.events))["DESCRIPTION"])

    assert record_url not in description()
    with django_capture_on_commit_callbacks(execute=True):  # the feed's change marker moves
        services.publish_record(event=past_event, user=organiser)
    assert f"Record and outcomes: http://127.0.0.1:8000{record_url}" in description()


def test_follow_and_unfollow_a_series(client, organised_event, user):
    from tests.factories import SeriesFactory

    organised_event.series = SeriesFactory(name="Policy Cafe")
    organised_event.save()
    client.force_login(user)
    response = page(client, organised_event)
    follow = reverse("record:follow_series", kwargs={"slug": organised_event.series.slug})
    response = submit_form(client, response, form=follow, follow=True)
    assert user.record_follows.get().active is True
    unfollow = reverse("record:unfollow_series", kwargs={"slug": organised_event.series.slug})
    response = submit_form(client, page(client, organised_event), form=unfollow)
    assert user.record_follows.get().active is False


def test_perspective_is_optional_and_self_chosen(client, user):
    client.force_login(user)
    response = client.get(reverse("record:profile"))
    submit_form(client, response, form="#record-form", data={"perspective": "carer"})
    assert user.record_profile.perspective == "carer"
    submit_form(
        client, client.get(reverse("record:profile")), form="#record-form", data={"perspective": ""}
    )
    user.record_profile.refresh_from_db()
    assert user.record_profile.perspective == ""


def test_pulse_form_for_attendees_only(client, past_event, attend):
    attendee = UserFactory()
    url = reverse("record:pulse", kwargs={"slug": past_event.slug})
    client.force_login(attendee)
    assert client.get(url).status_code == 403
    attend(past_event, attendee)
    assert "Did you feel heard?" in page(client, past_event).text
    submit_form(client, client.get(url), form="#record-form", data={"heard": "4", "change": "2"})
    assert attendee.pulse_responses.get().heard == 4


def test_organisers_preview_the_outcomes_before_publishing(client, past_event, organiser):
    services.save_summary(event=past_event, user=organiser, summary="S")
    services.save_outcome(event=past_event, user=organiser, kind="action", title="Draft outcome")
    client.force_login(organiser)
    response = client.get(reverse("record:event", kwargs={"slug": past_event.slug}))
    assert [o.title for o in response.context["outcomes"]] == ["Draft outcome"]
    assert "Not published yet" in response.text


def test_follow_a_theme_from_its_outcomes_page(client, user):
    theme = ThemeFactory(name="Core economy")
    client.force_login(user)
    url = reverse("record:theme_outcomes", kwargs={"slug": theme.slug})
    submit_form(
        client, client.get(url), form=reverse("record:follow_theme", kwargs={"slug": theme.slug})
    )
    assert list(user.record_follows.values_list("theme", "active")) == [(theme.pk, True)]
    assert "Stop following Core economy" in client.get(url).text


def test_a_draft_s_outcome_looks_missing_to_those_who_may_not_see_it(
    client, past_event, organiser, user
):
    from events.models import Event
    from tests.record.test_services import close_with_outcome

    outcome = close_with_outcome(past_event, organiser)
    Event.objects.filter(pk=past_event.pk).update(status=Event.Status.DRAFT)
    client.force_login(user)
    for pk in (outcome.pk, outcome.pk + 1000):
        url = reverse("record:outcome_status", kwargs={"pk": pk})
        assert client.get(url).status_code == 404
    client.force_login(organiser)
    url = reverse("record:outcome_status", kwargs={"pk": outcome.pk})
    assert client.get(url).status_code == 200


def test_control_characters_typed_into_the_record_are_cleaned_and_its_mail_still_goes(
    client, past_event, organiser, attend, django_capture_on_commit_callbacks
):
    attend(past_event, UserFactory())
    client.force_login(organiser)
    manage = reverse("record:manage", kwargs={"slug": past_event.slug})
    submit_form(client, client.get(manage), form="#summary-form", data={"summary": "We\x0bmet."})
    response = submit_form(
        client,
        client.get(reverse("record:outcome_new", kwargs={"slug": past_event.slug})),
        form="#record-form",
        data={"title": "Core\x0beconomy\r", "kind": "action", "owner": "Welsh\rGovernment"},
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_record(event=past_event, user=organiser)
    mail.outbox.clear()
    response = client.get(reverse("record:outcome_status", kwargs={"pk": outcome.pk}))
    with django_capture_on_commit_callbacks(execute=True):
        submit_form(
            client, response, form="#record-form", data={"status": "done", "note": "Raised\x0b."}
        )

    outcome.refresh_from_db()
    assert (outcome.title, outcome.owner) == ("Core economy", "Welsh Government")
    assert EventRecord.objects.get(event=past_event).summary == "Wemet."
    assert outcome.updates.latest("pk").note == "Raised."
    assert [m.subject for m in mail.outbox] == ["Done: Core economy"]


def test_control_characters_in_a_priority_are_cleaned(client, organised_event, user):
    client.force_login(user)
    submit_form(
        client,
        page(client, organised_event),
        form="#priority-form",
        data={"text": "Time\x0bcredits\r"},
    )

    assert list(Priority.objects.values_list("text", flat=True)) == ["Timecredits"]


def test_the_presenter_picker_offers_the_people_listed_not_those_only_invited(
    client, organised_event, organiser
):
    speaker = PersonFactory(name="Becky Booth")
    EventRoleFactory(event=organised_event, person=speaker, role="speaker")
    invitee = PersonFactory(name="Ivor Invited", user=UserFactory())
    EventRoleFactory(event=organised_event, person=invitee, role="organiser", status="pending")
    client.force_login(organiser)

    page = client.get(reverse("record:agenda_new", kwargs={"slug": organised_event.slug}))

    offered = [str(p) for p in page.context["form"].fields["presenters"].queryset]
    assert offered == sorted([speaker.name, organiser.public_name])
    assert "Ivor Invited" not in page.content.decode()
