"""Calendar files and feeds (public, filtered, personal) and the personal feed settings page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponseBadRequest, HttpResponseNotFound, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.i18n import in_language_of
from events import calendar as ical
from events import selectors
from events.calendar_http import CalendarFile, Places, calendar_response
from events.forms_calendar import CalendarTokenForm
from events.models import CalendarToken, Event, Registration, Series, Theme
from people.models import Organisation


def _filtered_feed(request, params: QueryDict, *, key: str):
    filterset = selectors.filter_events(params, feed=True)
    if not filterset.is_valid():
        lines = [f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()]
        return HttpResponseBadRequest(
            _("This calendar feed does not understand its query:") + "\n" + "\n".join(lines),
            content_type="text/plain; charset=utf-8",
        )
    name = ical.filter_feed_name(filterset.form.cleaned_data)
    query = _sorted_query(params, known=filterset.filters.keys())
    file = CalendarFile(queryset=filterset.qs, key=key + "?" + query, name=name)
    return calendar_response(request, file)


def _sorted_query(params: QueryDict, *, known) -> str:
    """The feed's filter parameters in a fixed order. Parameters the filter does not know
    (a client's cache-buster, tracking tags) do not change the events, so they must not make a
    new ETag: a random one would otherwise defeat every client's and proxy's 304."""
    pairs = sorted((key, value) for key in params if key in known for value in params.getlist(key))
    return urlencode(pairs)


@require_safe
def event_ics(request, slug):
    """One event as a .ics download."""
    event = get_object_or_404(Event.objects.public(), slug=slug)
    file = CalendarFile(
        queryset=Event.objects.filter(pk=event.pk),
        key=f"event:{event.pk}",
        name=None,  # a single-event file: no calendar name (see ical.event_calendar)
        filename=f"{slug}.ics",
    )
    return calendar_response(request, file)


@require_safe
def feed(request):
    """/events/calendar.ics: the events of /events/ for the same query string."""
    return _filtered_feed(request, request.GET, key="list")


def _path_feed(request, model, param, slug):
    get_object_or_404(model, slug=slug)
    params = request.GET.copy()
    params[param] = slug
    return _filtered_feed(request, params, key=param)


@require_safe
def theme_feed(request, slug):
    return _path_feed(request, Theme, "theme", slug)


@require_safe
def series_feed(request, slug):
    return _path_feed(request, Series, "series", slug)


@require_safe
def person_feed(request, slug):
    return _path_feed(request, selectors.public_people(), "person", slug)


@require_safe
def organisation_feed(request, slug):
    return _path_feed(request, Organisation, "organisation", slug)


def personal_events(user):
    """Events in `user`'s feed: their registrations (active) and the events they organise."""
    registered = Registration.objects.filter(
        user=user, state__in=Registration.ACTIVE_STATES
    ).values("event_id")
    organised = Event.objects.organised_by(user).values("pk")
    return Event.objects.in_feed().filter(Q(pk__in=registered) | Q(pk__in=organised))


def personal_feed_not_found(request, *args, **kwargs):
    """404 that Django does not log: its log line would carry the token in the path."""
    response = HttpResponseNotFound(_("No such calendar."), content_type="text/plain")
    response._has_been_logged = True
    return response


@require_safe
def personal_feed(request, token):
    """/calendar/<token>.ics: a user's own feed. Unknown or revoked token: 404 (never logged)."""
    owner = (
        CalendarToken.objects.filter(token=token, revoked=False, user__is_active=True)
        .select_related("user")
        .first()
    )
    if owner is None:
        return personal_feed_not_found(request)
    user = owner.user
    with in_language_of(user):  # the owner's language, whatever the address (old ones too)
        file = CalendarFile(
            queryset=personal_events(user),
            key=f"personal:{user.pk}",
            name=_("Commons: my events (%(name)s)") % {"name": user.public_name},
            places=Places.of(user),
        )
        return calendar_response(request, file)


@never_cache  # it shows the secret feed address: private, no-store
@login_required
def calendar_settings(request):
    """Show, create, regenerate (rotate) or revoke the personal feed address."""
    token = CalendarToken.objects.filter(user=request.user).first()
    form = CalendarTokenForm(request.POST or None, token=token)
    if request.method == "POST" and form.is_valid():
        form.apply(user=request.user)
        messages.success(request, form.success_message())
        return redirect("events:calendar_settings")
    active = token if token is not None and token.is_active else None
    return render(
        request,
        "events/calendar_settings.html",
        {"token": active, "has_token": token is not None, "form": form},
    )
