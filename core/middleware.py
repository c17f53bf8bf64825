"""Requests no view should see."""

from django.core.exceptions import BadRequest


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is a 400 (issue 10).

    No text a person types holds NUL, and PostgreSQL refuses it in any text value: `?event=%00`
    on the discussion search was a 500 there (SQLite took it). One check here spares every view
    and form from knowing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL in the request address")
        return self.get_response(request)
