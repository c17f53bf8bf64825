"""Anonymous HTML pages come from the shared cache when ANONYMOUS_PAGE_CACHE_SECONDS is set."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

COUNTER = {"renders": 0}


def counting_page(request):
    COUNTER["renders"] += 1
    return HttpResponse(f"<p>render {COUNTER['renders']}</p>")


def address_page(request):
    COUNTER["renders"] += 1
    return HttpResponse(f'<link rel="canonical" href="{request.build_absolute_uri()}">')


def form_page(request):
    COUNTER["renders"] += 1
    return HttpResponse(f"<form>{get_token(request)}</form>")


urlpatterns = [
    path("test/page/", counting_page),
    path("test/form/", form_page),
    path("test/address/", address_page),
    *project_urlpatterns,
]

pytestmark = [pytest.mark.urls("tests.config.test_page_cache"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    COUNTER["renders"] = 0
    cache.clear()
    yield
    cache.clear()


def test_anonymous_visitors_share_one_rendering(client):
    first = client.get("/test/page/")
    second = client.get("/test/page/?page=2")
    third = client.get("/test/page/")
    assert first.content == third.content == b"<p>render 1</p>"
    assert second.content == b"<p>render 2</p>"  # another full path is another page
    assert COUNTER["renders"] == 2


def test_each_host_and_scheme_has_its_own_copy(client):
    # One request under another allowed host must not set the canonical address for others.
    other_host = client.get("/test/address/", HTTP_HOST="localhost")
    canonical = client.get("/test/address/", HTTP_HOST="127.0.0.1")
    secure = client.get("/test/address/", HTTP_HOST="127.0.0.1", secure=True)
    again = client.get("/test/address/", HTTP_HOST="127.0.0.1")
    assert other_host.content == b'<link rel="canonical" href="http://localhost/test/address/">'
    assert canonical.content == b'<link rel="canonical" href="http://127.0.0.1/test/address/">'
    assert secure.content == b'<link rel="canonical" href="https://127.0.0.1/test/address/">'
    assert again.content == canonical.content
    assert COUNTER["renders"] == 3


def test_a_host_outside_allowed_hosts_is_refused_not_cached(client):
    assert client.get("/test/address/", HTTP_HOST="evil.example").status_code == 400
    assert COUNTER["renders"] == 0


def test_signed_in_members_always_get_a_fresh_page(client, user):
    client.get("/test/page/")
    client.force_login(user)
    assert client.get("/test/page/").content == b"<p>render 2</p>"
    assert client.get("/test/page/").content == b"<p>render 3</p>"


def test_pages_with_a_csrf_token_are_never_shared(client):
    client.get("/test/form/")
    client.get("/test/form/")
    assert COUNTER["renders"] == 2


def test_writes_are_never_cached(client):
    client.post("/test/page/")
    client.post("/test/page/")
    assert COUNTER["renders"] == 2


def test_off_by_default(client, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    client.get("/test/page/")
    assert client.get("/test/page/").content == b"<p>render 2</p>"


def feed(request):
    COUNTER["renders"] += 1
    response = HttpResponse(b"BEGIN:VCALENDAR", content_type="text/calendar; charset=utf-8")
    response["ETag"] = '"v1"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


urlpatterns.insert(0, path("test/feed.ics", feed))


def test_calendar_files_are_left_to_their_own_path(client):
    # events/calendar_http.py answers calendar 304s itself (one place); no copy is kept here.
    assert client.get("/test/feed.ics").content == b"BEGIN:VCALENDAR"
    again = client.get("/test/feed.ics", HTTP_IF_NONE_MATCH='"v1"')
    assert again.status_code == 200
    assert COUNTER["renders"] == 2
