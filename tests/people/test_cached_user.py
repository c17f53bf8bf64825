"""A member's account row comes from the shared cache (people/middleware.py), never stale after
a committed change of the account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def user_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return sum('FROM "people_user"' in q["sql"] for q in captured.captured_queries)


def test_a_members_second_request_reads_no_account_row(client):
    client.force_login(UserFactory())
    assert user_queries(client, reverse("home")) == 1
    assert user_queries(client, reverse("home")) == 0


def test_a_changed_name_shows_on_the_next_request(client, django_capture_on_commit_callbacks):
    user = UserFactory(display_name="Ann")
    client.force_login(user)
    assert "Ann" in client.get(reverse("people:account")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = User.objects.get(pk=user.pk)
        fresh.display_name = "Annwen"
        fresh.save()
    assert "Annwen" in client.get(reverse("people:account")).content.decode()


def test_a_new_password_signs_other_sessions_out(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("people:account")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        fresh = User.objects.get(pk=user.pk)
        fresh.set_password("a quite different one")
        fresh.save()
    response = client.get(reverse("people:account"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_suspended_or_deleted_account_is_signed_out(client, django_capture_on_commit_callbacks):
    user, other = UserFactory(), UserFactory()
    client.force_login(user)
    assert client.get(reverse("people:account")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        fresh = User.objects.get(pk=user.pk)
        fresh.is_active = False
        fresh.save()
    assert client.get(reverse("people:account")).status_code == 302
    client.force_login(other)
    assert client.get(reverse("people:account")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.get(pk=other.pk).delete()
    assert client.get(reverse("people:account")).status_code == 302


def test_one_members_row_never_serves_another(client):
    first, second = UserFactory(display_name="First"), UserFactory(display_name="Second")
    client.force_login(first)
    client.get(reverse("people:account"))
    client.force_login(second)
    html = client.get(reverse("people:account")).content.decode()
    assert "Second" in html
    assert "First" not in html


def test_joining_a_group_shows_on_the_next_request(client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group

    user = UserFactory()
    client.force_login(user)
    assert "New event" not in client.get(reverse("home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.get(pk=user.pk).groups.add(Group.objects.get_or_create(name="Organisers")[0])
    assert "New event" in client.get(reverse("home")).content.decode()


def test_the_shared_account_links_sign_each_member_out_with_their_own_token(client):
    from django.test import Client

    from tests.forms import submit_form

    first = Client(enforce_csrf_checks=True)
    first.force_login(UserFactory())
    first.get(reverse("home"))  # keeps the plain members' account links
    second = Client(enforce_csrf_checks=True)
    second.force_login(UserFactory())
    page = second.get(reverse("events:list"))
    assert "My events" in page.content.decode()
    response = submit_form(second, page, reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in second.session
