"""The project's URLs plus views that fail the way a dead database makes them fail."""

from django.db import InterfaceError, OperationalError
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

handler500 = "config.views.server_error"


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def connection_closed(request):
    raise InterfaceError("connection already closed")


def other_failure(request):
    raise ValueError("not a database problem")


urlpatterns = [
    path("test/database-gone/", database_gone),
    path("test/connection-closed/", connection_closed),
    path("test/other-failure/", other_failure),
    *project_urlpatterns,
]
