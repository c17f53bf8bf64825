"""Every app's addresses reach that app's views, whatever the order of the includes in
config/urls.py (the most read pages come first: a failed include is costly to Django)."""

import importlib
import re

import pytest
from django.urls import URLResolver, resolve

APPS = {
    "events": ("events.urls", ""),
    "discussions": ("discussions.urls", ""),
    "record": ("record.urls", ""),
    "visuals": ("visuals.urls", ""),
    "people": ("people.urls", ""),
    "allauth": ("allauth.urls", "accounts/"),
}
SAMPLES = {"slug": "some-slug", "int": "12", "str": "token", "path": "a/b"}


def routes(patterns, prefix="", converters=None):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        known = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route, known)
        else:
            yield route, known


def sample_value(kind: str, name: str, converters) -> str:
    if kind in SAMPLES:
        return SAMPLES[kind]
    # A converter of our own (a few words): its first word.
    return converters[name].regex.strip("()").split("|")[0]


def sample_address(route: str, converters) -> str:
    address = re.sub(
        r"<(\w+):(\w+)>", lambda m: sample_value(m.group(1), m.group(2), converters), route
    )
    return address.lstrip("^").rstrip("$").replace("\\", "")


ADDRESSES = [
    (app, sample_address(prefix + route, converters))
    for app, (module, prefix) in APPS.items()
    for route, converters in routes(importlib.import_module(module).urlpatterns)
    if "(?P" not in route and "[" not in route  # a regular expression: no sample to give
]


@pytest.mark.parametrize(("app", "address"), ADDRESSES)
def test_an_apps_address_reaches_its_own_view(app, address):
    match = resolve("/en/" + address)
    assert match.func.__module__.split(".")[0] == app, (address, match.func.__module__)
