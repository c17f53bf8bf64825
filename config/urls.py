from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.views import bench_trivial, healthz
from events.views.public import home

handler500 = "config.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("discussions.urls")),
    path("", include("record.urls")),
    path("", include("events.urls")),
]

if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/trivial/", bench_trivial, name="bench_trivial"))
