"""events/checks.py: `check --deploy` refuses a SITE_URL that does not name this site."""

import pytest

from events.checks import site_url_is_served_here


@pytest.mark.parametrize(
    ("site_url", "allowed", "ok"),
    [
        ("http://127.0.0.1:8000", ["commons.example.org"], False),  # the development default
        ("https://commons.example.org", ["commons.example.org"], True),
        ("https://commons.example.org/", [".example.org"], True),
        ("https://other.example.net", ["commons.example.org"], False),
        ("", ["commons.example.org"], False),
        ("commons.example.org", ["commons.example.org"], False),  # no scheme
        ("http://127.0.0.1:8005", ["127.0.0.1", "localhost"], True),  # make prod's local run
    ],
)
def test_site_url_must_name_a_host_this_site_serves(settings, site_url, allowed, ok):
    settings.SITE_URL, settings.ALLOWED_HOSTS = site_url, allowed
    errors = site_url_is_served_here()
    assert [e.id for e in errors] == ([] if ok else ["events.E001"])


def test_the_check_runs_with_deploy_only():
    from django.core.checks import registry

    assert site_url_is_served_here in registry.registry.get_checks(include_deployment_checks=True)
    assert site_url_is_served_here not in registry.registry.get_checks()
