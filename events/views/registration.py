"""Registration, "My events" and the organisers' attendee lists (thin: parse, call, respond)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events.forms_registration import RegistrationForm
from events.models import Event, Registration
from events.services import (
    RegistrationClosed,
    cancel_registration,
    invitations_for,
    register_attendee,
)
from events.views.organising import event_editor_required

MY_EVENTS_PAGE_SIZE = 20
ATTENDEES_PAGE_SIZE = 50


@require_POST
def register(request, slug):
    """Register the signed-in user (or put them on the waitlist) with the panel's form."""
    event = get_object_or_404(Event.objects.public().with_registration_counts(), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_absolute_url())
    form = RegistrationForm(request.POST, event=event)
    if not form.is_valid():
        context = {"event": event, "registration_form": form}
        return render(request, "events/register.html", context, status=400)
    try:
        registration = register_attendee(
            event=event,
            user=request.user,
            attendance=form.cleaned_data.get("attendance"),
            access_needs=form.cleaned_data["access_needs"],
        )
    except RegistrationClosed as error:
        messages.error(request, str(error))
    else:
        if registration.is_confirmed:
            messages.success(request, _("You are registered. We have emailed you the details."))
        else:
            messages.info(
                request,
                _("The event is full: you are number %(n)s on the waitlist.")
                % {"n": registration.waitlist_position()},
            )
    return redirect(event)


@require_http_methods(["GET", "HEAD", "POST"])
def cancel_registration_view(request, slug):
    """Give up the signed-in user's place or waitlist place, after a confirmation page."""
    event = get_object_or_404(Event.objects.public(), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_absolute_url())
    back_to_my_events = request.POST.get("next", request.GET.get("next")) == "my_events"
    if request.method != "POST":
        registration = (
            Registration.objects.filter(
                event=event, user=request.user, state__in=Registration.ACTIVE_STATES
            )
            .select_related("event")
            .first()
        )
        if registration is None:
            messages.info(request, _("You have no place or waitlist place at this event."))
            return redirect(event)
        context = {"event": event, "registration": registration, "next": back_to_my_events}
        return render(request, "events/registration_cancel_confirm.html", context)
    cancel_registration(event=event, user=request.user)
    messages.success(request, _("Your registration is cancelled."))
    if back_to_my_events:
        return redirect("events:my_events")
    return redirect(event)


@login_required
@require_safe
def my_events(request):
    """The signed-in user's registrations: an upcoming and a past tab, each paginated; above
    them, invitations to co-organise waiting for an answer."""
    base = (
        Registration.objects.filter(user=request.user, state__in=Registration.ACTIVE_STATES)
        .select_related("event", "event__venue")
        .order_by()
    )
    now = timezone.now()
    upcoming = base.filter(event__ends_at__gte=now).order_by("event__starts_at", "pk")
    past = base.filter(event__ends_at__lt=now).order_by("-event__starts_at", "-pk")
    tab = "past" if request.GET.get("show") == "past" else "upcoming"
    shown = past if tab == "past" else upcoming
    context = {
        "tab": tab,
        "cancellable": tab == "upcoming",
        "upcoming_count": upcoming.count(),
        "past_count": past.count(),
        "page_obj": Paginator(shown, MY_EVENTS_PAGE_SIZE).get_page(request.GET.get("page")),
        "invitations": invitations_for(request.user),
    }
    return render(request, "events/my_events.html", context)


def _attendees(event):
    return (
        event.registrations.filter(state__in=Registration.ACTIVE_STATES)
        .select_related("user")
        .order_by("state", "created_at", "pk")  # "confirmed" sorts before "waitlisted"
    )


@require_safe
@event_editor_required
def attendees(request, event):
    """Organisers' list of who is coming and who is waiting."""
    page = Paginator(_attendees(event), ATTENDEES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/attendees.html", {"event": event, "page_obj": page})


def csv_safe(value) -> str:
    """Defuse spreadsheet formulas: cells starting with = + - @ (or tab/CR) get a leading '."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_safe
@event_editor_required
def attendees_csv(request, event):
    """The attendee list as CSV for the organisers: names, email addresses, state, where they
    join, waitlist position (per queue), access needs, times. Every text cell is formula-safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Name"),
            _("Email"),
            _("State"),
            _("Attending"),
            _("Waitlist position"),
            _("Access needs"),
            _("Registered at"),
        ]
    )
    positions: dict[str, int] = {}  # a hybrid event has a queue for the room and one online
    for registration in _attendees(event):
        queue = registration.attendance if event.is_hybrid else ""
        if registration.is_waitlisted:
            positions[queue] = positions.get(queue, 0) + 1
        writer.writerow(
            [
                csv_safe(registration.user.public_name),
                csv_safe(registration.user.email),
                csv_safe(registration.get_state_display()),
                csv_safe(registration.get_attendance_display()),
                positions[queue] if registration.is_waitlisted else "",
                csv_safe(registration.access_needs),
                timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return response
