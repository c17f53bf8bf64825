"""core/fragments.py: change markers in the cache and fragments kept under them."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import translation

from core import fragments


def rendering(text):
    calls = []

    def render():
        calls.append(1)
        return text

    return render, calls


@pytest.fixture
def request_():
    return RequestFactory().get("/en/events/")


def test_a_fragment_is_rendered_once_per_marker_and_again_after_the_marker_moves(request_):
    render, calls = rendering("<p>one</p>")
    version = fragments.markers("things")
    assert fragments.shared_fragment(request_, "t", version, [], render) == "<p>one</p>"
    assert fragments.shared_fragment(request_, "t", version, [], render) == "<p>one</p>"
    assert len(calls) == 1

    fragments.move_marker("things")
    new_version = fragments.markers("things")
    assert new_version != version
    fragments.shared_fragment(request_, "t", new_version, [], render)
    assert len(calls) == 2


@pytest.mark.django_db
def test_markers_move_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    before = fragments.markers("things")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fragments.move_marker_on_commit("things")
        assert fragments.markers("things") == before
    assert len(callbacks) == 1
    assert fragments.markers("things") != before


def test_a_lost_marker_is_replaced_by_a_new_one():
    before = fragments.markers("things")
    cache.delete(fragments.MARKER_PREFIX + "things")
    assert fragments.markers("things") not in ("", before)


def test_fragments_are_kept_apart_by_language_host_and_parts(request_):
    version = fragments.markers("things")
    seen = []

    def render():
        seen.append(translation.get_language())
        return f"{translation.get_language()} {len(seen)}"

    english = fragments.shared_fragment(request_, "t", version, ["a"], render)
    with translation.override("cy"):
        welsh = fragments.shared_fragment(request_, "t", version, ["a"], render)
    other_part = fragments.shared_fragment(request_, "t", version, ["b"], render)
    other_host = RequestFactory().get("/en/events/", HTTP_HOST="localhost")
    other_site = fragments.shared_fragment(other_host, "t", version, ["a"], render)
    assert [english, welsh, other_part, other_site] == ["en 1", "cy 2", "en 3", "en 4"]


def test_a_fragment_holding_a_csrf_token_is_never_stored(request_):
    form = '<form><input type="hidden" name="csrfmiddlewaretoken" value="secret"></form>'
    render, calls = rendering({"content": form})
    version = fragments.markers("things")
    fragments.shared_fragment(request_, "t", version, [], render)
    fragments.shared_fragment(request_, "t", version, [], render)
    assert len(calls) == 2


def test_without_a_shared_cache_every_fragment_is_rendered_afresh(request_, settings):
    settings.SHARED_FRAGMENTS = False
    render, calls = rendering("x")
    fragments.shared_fragment(request_, "t", "v", [], render)
    fragments.shared_fragment(request_, "t", "v", [], render)
    assert len(calls) == 2


def test_a_csrf_stand_in_is_stored_and_each_reader_gets_their_own_token(request_):
    field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{fragments.CSRF_STAND_IN}">'
    assert fragments.storable("t", field)
    assert not fragments.storable("t", field + field.replace(fragments.CSRF_STAND_IN, "abc"))
    first, second = RequestFactory().get("/"), RequestFactory().get("/")
    one, two = fragments.with_csrf_token(first, field), fragments.with_csrf_token(second, field)
    assert fragments.CSRF_STAND_IN not in one + two
    assert one != two  # two readers, two tokens


def test_a_value_kept_with_its_tokens_is_current_only_under_the_same_tokens():
    tokens, stored = fragments.markers_and_value(["things"], "kept")
    assert stored is None
    cache.set("kept", (tokens, "value"))
    again, stored = fragments.markers_and_value(["things"], "kept")
    assert again == tokens
    assert fragments.current(again, stored) == "value"
    fragments.move_marker("things")
    moved, stored = fragments.markers_and_value(["things"], "kept")
    assert fragments.current(moved, stored) is None


def test_a_token_from_the_kept_pages_is_one_django_accepts_and_never_repeats():
    """`csrf_token` masks the request's secret as Django's `get_token` does, faster: Django
    unmasks each to the secret, no two are alike, and the cookie is renewed as get_token does."""
    from django.middleware.csrf import (
        _check_token_format,
        _get_new_csrf_string,
        _unmask_cipher_token,
    )

    request = RequestFactory().get("/")
    secret = request.META["CSRF_COOKIE"] = _get_new_csrf_string()
    tokens = {fragments.csrf_token(request) for _ in range(500)}
    assert len(tokens) == 500
    for token in tokens:
        _check_token_format(token)
        assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_a_request_without_a_csrf_secret_gets_a_new_one_as_from_django():
    request = RequestFactory().get("/")
    token = fragments.csrf_token(request)
    from django.middleware.csrf import _unmask_cipher_token

    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
