from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from config.views import admin_login, bench_trivial, healthz
from core.i18n import switch_language
from core.views import serve_media
from discussions.urls import unprefixed_urlpatterns as discussions_unprefixed
from events.urls import unprefixed_urlpatterns as events_unprefixed
from events.views.public import home

handler500 = "config.views.server_error"

# Pages live under /cy/ and /en/ (core/i18n.py); an old address without a prefix is redirected
# there by LocaleMiddleware. Feeds people subscribed to, and the one-click unsubscribe links in
# sent mail, keep answering at their old addresses too (events_unprefixed, discussions_unprefixed).
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before the admin's own: its sign-in goes through allauth's page and lockout.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("language/<str:code>/", switch_language, name="switch_language"),
    # Only with SERVE_MEDIA and local storage (core/views.py): else the proxy or bucket serves it.
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", serve_media, name="media"),
    *events_unprefixed,
    *discussions_unprefixed,
    # The most read pages first, allauth's many patterns last: a failed include costs Django a
    # copy of every pattern it tried. No app's address matches another app's pattern
    # (tests/test_urls.py), so the order changes nothing else.
    *i18n_patterns(
        path("", home, name="home"),
        path("", include("events.urls")),
        path("", include("discussions.urls")),
        path("", include("record.urls")),
        path("", include("visuals.urls")),
        path("", include("people.urls")),
        path("accounts/", include("allauth.urls")),
    ),
]

if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/trivial/", bench_trivial, name="bench_trivial"))
