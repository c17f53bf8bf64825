"""Branded error pages with DEBUG off (as in production): 404, 403, CSRF failure, 500."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.urls")]


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False


def test_a_missing_page_is_our_404_with_ways_on(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "We can’t find that page" in page
    assert f'href="{reverse("events:list")}"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert 'class="site-header"' in page


def test_a_forbidden_page_is_our_403(client, user):
    client.force_login(user)

    response = client.get(reverse("events:create"))

    assert response.status_code == 403
    assert "You can’t do that here" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_our_explanation():
    response = Client(enforce_csrf_checks=True).post(
        reverse("account_login"), {"login": "a@example.org", "password": "x"}
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form could not be sent" in page
    assert "cookies" in page


def test_a_server_error_is_our_500_page():
    response = Client(raise_request_exception=False).get("/test/other-failure/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "not a database problem" not in page  # nothing of the exception leaks


def test_a_nul_in_the_address_is_our_400_in_the_readers_language(client):
    response = client.get("/cy/discussions/", {"event": "\x00"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ni ellir darllen y cyfeiriad hwnnw" in page
    assert '<meta name="robots" content="noindex">' in page
