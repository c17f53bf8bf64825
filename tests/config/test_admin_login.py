"""The admin's sign-in is the members' sign-in (allauth), with its lockout (issue 10, item 3)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.forms import submit_form

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # UserFactory's


def sign_in_page_for_admin(client):
    """Open the admin as a visitor does and follow it to whatever sign-in page it sends you."""
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 200
    return response


def test_the_admin_sign_in_sends_you_to_the_members_page_with_next(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/events/event/"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("account_login")
    assert target.query == "next=/admin/events/event/"
    # An address elsewhere is not followed after signing in.
    away = client.get(reverse("admin:login"), {"next": "https://evil.example/"})
    assert urlsplit(away["Location"]).query == "next=/admin/"


def test_a_password_posted_to_the_admin_sign_in_is_never_read(client, staff):
    response = client.post(
        reverse("admin:login"), {"username": staff.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_admin_sign_in_as_they_lock_members(client, staff):
    page = sign_in_page_for_admin(client)
    for _ in range(5):
        page = submit_form(
            client, page, "#login-form", data={"login": staff.email, "password": "wrong guess"}
        )
        assert page.status_code == 200
    assert "_auth_user_id" not in client.session

    locked = submit_form(
        client, page, "#login-form", data={"login": staff.email, "password": PASSWORD}
    )

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in locked.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_staff_sign_in_through_it_and_reach_the_admin(client, staff):
    page = sign_in_page_for_admin(client)
    response = submit_form(
        client, page, "#login-form", data={"login": staff.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:login")).status_code == 302  # already in: on to the admin


def test_a_signed_in_member_who_is_not_staff_gets_403_not_a_loop(client, user):
    client.force_login(user)
    assert client.get(reverse("admin:login"), {"next": "/admin/"}).status_code == 403
