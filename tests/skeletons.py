"""Helpers for tests of pages kept as skeletons (core/skeletons.py): readers, and pages read
with their CSRF token masked, so that a page from a skeleton compares byte for byte with a
plain render."""

import re

from django.test import Client, override_settings

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page_text(client, url, **extra) -> str:
    """The page at `url` (200), its CSRF token masked: it is masked afresh for every rendering."""
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return CSRF.sub('name="csrfmiddlewaretoken" value="…"', response.content.decode())


def plain_text(client, url) -> str:
    """The page rendered without any kept part."""
    with override_settings(SHARED_FRAGMENTS=False):
        return page_text(client, url)


def reader(user, **kwargs) -> Client:
    """A client signed in as `user` (a visitor when None)."""
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client
