"""Co-organisers are invited, not assigned (issue 10, item 5): an organiser role naming someone
else's account lists them, and gives them rights, only once they accept the emailed invitation."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from discussions.models import Board
from events.models import Event, EventInvitationDecline, EventRole
from events.views.calendars import personal_events
from tests.events.conftest import person_row
from tests.factories import EventFactory, EventRoleFactory, PersonFactory, UserFactory
from tests.forms import submit_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_at_commit(monkeypatch):
    # Invitations and requests are mailed once the transaction commits; a test's transaction
    # never commits, so here the mail leaves at once.
    monkeypatch.setattr("django.db.transaction.on_commit", lambda callback, *a, **k: callback())


@pytest.fixture
def bob(db):
    """An account holder with a public person, who organises nothing yet and reads Welsh."""
    user = UserFactory(display_name="Bob Jones", preferred_language="cy")
    PersonFactory(user=user, name="Bob Jones")
    return user


def name_as_organiser(client, organiser, event, name="Bob Jones"):
    """The organiser finds `name` under "Find someone listed" in a blank row, as organiser."""
    client.force_login(organiser)
    page = client.get(reverse("events:edit", kwargs={"slug": event.slug}))
    blank = event.roles.count()
    data = person_row(blank, person_search=name, role="organiser")
    response = submit_form(client, page, "#event-form", data=data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return response


def invitation_link(message) -> str:
    return urlsplit(re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)).path


def test_a_named_co_organiser_is_invited_and_has_nothing_until_they_accept(
    client, organiser, organised_event, bob
):
    name_as_organiser(client, organiser, organised_event)

    role = EventRole.with_invitations.get(event=organised_event, person__user=bob)
    assert role.status == EventRole.Status.PENDING
    assert role.invited_by == organiser
    # No rights, no listing, no feed, no moderation.
    event = Event.objects.get(pk=organised_event.pk)
    assert not event.is_organised_by(bob)
    assert not event.can_edit(bob)
    assert list(Event.objects.organised_by(bob)) == []
    assert list(Event.objects.editable_by(bob)) == []
    assert list(personal_events(bob)) == []
    assert not Board.objects.for_event(event).can_moderate(bob)
    client.force_login(bob)
    edit = reverse("events:edit", kwargs={"slug": event.slug})
    assert client.get(edit).status_code == 403
    page = client.get(event.get_absolute_url())
    assert "Bob Jones" not in page.content.decode()
    # Bob's only role is the invitation: he has no public page yet.
    assert (
        client.get(reverse("events:person", kwargs={"slug": role.person.slug})).status_code == 404
    )
    # The organisers see the invitation on the form.
    client.force_login(organiser)
    form_page = client.get(edit).content.decode()
    assert "Invited: listed as organiser once they accept" in form_page

    # The invitation went to Bob, in Welsh.
    [invitation] = mail.outbox
    assert invitation.to == [bob.email]
    assert invitation.subject.startswith("A fyddwch chi’n cyd-drefnu")
    assert "/cy/invitations/" in invitation.body

    client.force_login(bob)
    answer = client.get(invitation_link(invitation))
    response = submit_form(client, answer, "#invitation-form", button="answer=accept")

    assert response.status_code == 302
    role.refresh_from_db()
    assert role.status == EventRole.Status.ACCEPTED
    fresh = Event.objects.get(pk=event.pk)
    assert fresh.is_organised_by(bob)
    assert fresh.can_edit(bob)
    assert list(Event.objects.organised_by(bob)) == [fresh]
    assert list(personal_events(bob)) == [fresh]
    assert "Bob Jones" in client.get(fresh.get_absolute_url()).content.decode()
    assert client.get(invitation_link(invitation)).status_code == 404  # answered


def test_declining_removes_the_invitation(client, organiser, organised_event, bob):
    name_as_organiser(client, organiser, organised_event)
    client.force_login(bob)
    answer = client.get(invitation_link(mail.outbox[0]))
    submit_form(client, answer, "#invitation-form", button="answer=decline")
    assert not EventRole.with_invitations.filter(person__user=bob).exists()
    assert EventInvitationDecline.objects.filter(event=organised_event, person=bob.person).exists()


def test_an_invitation_link_works_only_for_its_invitee(client, organiser, organised_event, bob):
    name_as_organiser(client, organiser, organised_event)
    link = invitation_link(mail.outbox[0])
    client.force_login(UserFactory())
    assert client.get(link).status_code == 404
    client.logout()
    assert client.get(link).status_code == 302  # to sign in
    client.force_login(bob)
    assert client.get(link[:-5] + "xxxx/").status_code == 404


def test_the_creator_and_existing_organisers_are_never_pending(client, organiser, bob):
    event = EventFactory(created_by=organiser, status=Event.Status.DRAFT)
    EventRoleFactory(event=event, person=bob.person, role="organiser")  # before invitations
    PersonFactory(user=organiser, name="Olwen Organiser")
    name_as_organiser(client, organiser, event, name="Olwen Organiser")

    statuses = dict(EventRole.with_invitations.values_list("person__user", "status"))
    assert statuses == {bob.pk: "accepted", organiser.pk: "accepted"}
    assert mail.outbox == []
    assert Event.objects.get(pk=event.pk).can_edit(bob)


def test_people_an_organiser_adds_are_public_only_on_published_events(client, organiser):
    event = EventFactory(created_by=organiser, status=Event.Status.DRAFT)
    client.force_login(organiser)
    page = client.get(reverse("events:edit", kwargs={"slug": event.slug}))
    data = person_row(0, new_person_name="Nia Newcomer", role="speaker")
    submit_form(client, page, "#event-form", data=data)
    nia = EventRole.objects.get(event=event).person
    url = reverse("events:person", kwargs={"slug": nia.slug})
    client.logout()

    assert client.get(url).status_code == 404
    assert client.get(reverse("events:person_feed", kwargs={"slug": nia.slug})).status_code == 404
    listed = client.get(reverse("events:list"), {"person": nia.slug})
    assert "Nia Newcomer" not in listed.content.decode()

    Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)
    assert client.get(url).status_code == 200


def test_a_person_page_links_to_a_removal_request_that_reaches_staff_and_the_creator(
    client, staff, organiser
):
    event = EventFactory(created_by=organiser)
    person = EventRoleFactory(event=event, person=PersonFactory(name="Gwen Hughes")).person
    page = client.get(reverse("events:person", kwargs={"slug": person.slug}))
    removal = reverse("events:person_removal", kwargs={"slug": person.slug})
    assert f'href="{removal}"' in page.content.decode()

    form_page = client.get(removal)
    response = submit_form(
        client,
        form_page,
        "#removal-form",
        data={"email": "gwen@example.org", "message": "Please take my name off."},
        follow=True,
    )

    assert "the site’s editors have your request" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, organiser.email])
    assert all("Please take my name off." in m.body for m in mail.outbox)
    assert {m.extra_headers["Reply-To"] for m in mail.outbox} == {"gwen@example.org"}


def test_removal_requests_are_limited_per_address(client, staff):
    person = EventRoleFactory(person=PersonFactory(name="Gwen Hughes")).person
    removal = reverse("events:person_removal", kwargs={"slug": person.slug})
    for _ in range(6):
        response = submit_form(
            client,
            client.get(removal),
            "#removal-form",
            data={"email": "x@example.org", "message": "Remove"},
        )
    assert response.status_code == 400
    assert len(mail.outbox) == 5


# --- leftovers: where the invitee answers, one email per invitation, who the pickers offer ------


def test_a_pending_invitation_waits_on_my_events_with_accept_and_decline(
    client, organiser, organised_event, bob
):
    name_as_organiser(client, organiser, organised_event)
    other = EventFactory(title="Caffi Polisi", created_by=organiser)
    name_as_organiser(client, organiser, other)
    client.force_login(bob)

    page = client.get(reverse("events:my_events"))
    accepted = submit_form(
        client, page, f"#invitation-{organised_event.pk}", button="answer=accept"
    )
    page = client.get(reverse("events:my_events"))
    declined = submit_form(client, page, f"#invitation-{other.pk}", button="answer=decline")

    assert accepted["Location"] == reverse("events:edit", kwargs={"slug": organised_event.slug})
    assert declined["Location"] == reverse("events:my_events")
    assert list(
        EventRole.with_invitations.filter(person__user=bob).values_list("event", "status")
    ) == [(organised_event.pk, "accepted")]
    assert (
        "Invitations to co-organise" not in client.get(reverse("events:my_events")).content.decode()
    )


def test_naming_the_same_person_again_sends_no_second_invitation(
    client, organiser, organised_event, bob
):
    name_as_organiser(client, organiser, organised_event)
    client.force_login(organiser)
    edit = reverse("events:edit", kwargs={"slug": organised_event.slug})
    pending = EventRole.with_invitations.get(person__user=bob)
    forms = client.get(edit).context["roles"].forms
    index = next(i for i, form in enumerate(forms) if form.instance.pk == pending.pk)
    blank = organised_event.roles.count() + 1  # listed roles, then Bob's invitation

    again = submit_form(
        client,
        client.get(edit),
        "#event-form",
        data=person_row(blank, person_search="Bob Jones", role="organiser"),
    )
    removed_and_added = submit_form(
        client,
        client.get(edit),
        "#event-form",
        data={
            f"roles-{index}-DELETE": "on",
            **person_row(blank, person_search="Bob Jones", role="organiser"),
        },
    )

    assert again.status_code == 400
    assert "Bob Jones is already listed as organiser" in again.content.decode()
    assert removed_and_added.status_code == 302
    assert EventRole.with_invitations.filter(person__user=bob, status="pending").count() == 1
    assert [m.to for m in mail.outbox] == [[bob.email]]
    client.force_login(bob)
    assert client.get(invitation_link(mail.outbox[0])).status_code == 200  # still the one


def test_an_event_with_an_invitation_pending_can_be_edited(client, organiser, organised_event, bob):
    # Its row's id was checked against the listed roles only: every save was refused (400).
    name_as_organiser(client, organiser, organised_event)
    edit = reverse("events:edit", kwargs={"slug": organised_event.slug})

    renamed = submit_form(
        client, client.get(edit), "#event-form", data={"title_en": "Policy Cafe, again"}
    )

    assert renamed.status_code == 302
    organised_event.refresh_from_db()
    assert organised_event.title_en == "Policy Cafe, again"
    assert EventRole.with_invitations.get(person__user=bob).status == "pending"
    assert len(mail.outbox) == 1


# --- a decline is remembered; invitations are limited per organiser ---------------------------


def decline(client, bob, message):
    client.force_login(bob)
    answer = client.get(invitation_link(message))
    submit_form(client, answer, "#invitation-form", button="answer=decline")


def test_someone_who_declined_is_not_invited_to_the_same_event_again(
    client, organiser, organised_event, bob
):
    name_as_organiser(client, organiser, organised_event)
    decline(client, bob, mail.outbox[0])  # in Welsh, Bob's language
    client.force_login(organiser)
    blank = organised_event.roles.count()

    with translation.override("en"):
        page = client.get(reverse("events:edit", kwargs={"slug": organised_event.slug}))
        response = submit_form(
            client,
            page,
            "#event-form",
            data={
                "title_en": "Policy Cafe, again",
                **person_row(blank, person_search="Bob Jones", role="organiser"),
            },
        )

    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("en"):
        today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"Bob Jones declined to co-organise this event on {today}." in html
    assert response.context["roles"].forms[blank].errors["person"] == [
        f"Bob Jones declined to co-organise this event on {today}."
    ]
    assert 'value="Policy Cafe, again"' in html  # what the organiser typed is kept
    organised_event.refresh_from_db()
    assert organised_event.title_en != "Policy Cafe, again"  # and nothing was saved
    assert not EventRole.with_invitations.filter(person__user=bob).exists()
    assert len(mail.outbox) == 1  # the first invitation only

    # In Welsh too.
    with translation.override("cy"):
        welsh = client.get(reverse("events:edit", kwargs={"slug": organised_event.slug}))
        response = submit_form(
            client,
            welsh,
            "#event-form",
            data=person_row(blank, person_search="Bob Jones", role="organiser"),
        )
    assert response.status_code == 400
    assert "Gwrthododd Bob Jones gyd-drefnu’r digwyddiad hwn ar " in response.content.decode()

    # The decline is for that event: another event's organiser may still ask.
    other = EventFactory(title="Caffi Polisi", created_by=organiser)
    name_as_organiser(client, organiser, other)
    assert len(mail.outbox) == 2
    assert EventRole.with_invitations.get(person__user=bob).event == other


def test_an_organiser_may_send_only_so_many_invitations_a_day(
    client, organiser, organised_event, bob, settings, event_data
):
    settings.EVENTS_INVITATIONS_PER_DAY = 1
    carys = UserFactory(display_name="Carys Evans")
    PersonFactory(user=carys, name="Carys Evans")
    name_as_organiser(client, organiser, organised_event)  # the one for today
    edit = reverse("events:edit", kwargs={"slug": organised_event.slug})
    blank = organised_event.roles.count() + 1  # listed roles, then Bob's invitation
    events_before, people_before = Event.objects.count(), EventRole.with_invitations.count()

    edited = submit_form(
        client,
        client.get(edit),
        "#event-form",
        data={
            "title_en": "Policy Cafe, again",
            **person_row(blank, person_search="Carys Evans", role="organiser"),
        },
    )
    created = submit_form(
        client,
        client.get(reverse("events:create")),
        "#event-form",
        data={
            **event_data(title_en="Caffi Polisi"),
            **person_row(0, person_search="Carys Evans", role="organiser"),
        },
    )

    limit = "more invitations to co-organise than one organiser may send in 24 hours (1)"
    for response in (edited, created):
        assert response.status_code == 400
        assert limit in response.content.decode()
    assert 'value="Policy Cafe, again"' in edited.content.decode()
    assert 'value="Caffi Polisi"' in created.content.decode()
    # Nothing saved, not half of it: no new event, no title, no role, no mail.
    organised_event.refresh_from_db()
    assert organised_event.title_en != "Policy Cafe, again"
    assert Event.objects.count() == events_before
    assert not Event.objects.filter(title_en="Caffi Polisi").exists()
    assert EventRole.with_invitations.count() == people_before
    assert [m.to for m in mail.outbox] == [[bob.email]]
    # Saving without a new invitation still works.
    renamed = submit_form(
        client, client.get(edit), "#event-form", data={"title_en": "Policy Cafe, again"}
    )
    assert renamed.status_code == 302
