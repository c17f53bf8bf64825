from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from config.views import bench_trivial, healthz
from core.views import serve_media
from events.views.public import home

handler500 = "config.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("discussions.urls")),
    path("", include("visuals.urls")),
    path("", include("events.urls")),
    # Only with SERVE_MEDIA and local storage (core/views.py): else the proxy or bucket serves it.
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", serve_media, name="media"),
]

if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/trivial/", bench_trivial, name="bench_trivial"))
