"""The organiser workflow: create, edit, preview, publish, postpone, cancel, duplicate.

Thin views. Who may do what is decided by the model predicates (`Event.user_can_create`,
`Event.can_edit`, `Event.can_duplicate`) and applied by the two decorators below; the changes
themselves are made by `events.services`.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from events import selectors, services
from events.forms import CancelEventForm, EventForm, RoleFormSet
from events.models import Event, EventRole
from events.views.public import event_page_context

PAGE_SIZE = 20


def organiser_required(view):
    """Anonymous: to the sign-in page. Signed in but not an organiser: 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not Event.user_can_create(request.user):
            raise PermissionDenied(_("Only organisers can create events."))
        return view(request, *args, **kwargs)

    return wrapper


def event_editor_required(view):
    """Pass the event named by `slug` to the view if the user may edit it.

    Anonymous: to the sign-in page. A draft the user may not see: 404. Otherwise: 403.
    """

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        roles = EventRole.objects.select_related("person").order_by("order", "pk")
        event = get_object_or_404(
            Event.objects.visible_to(user).prefetch_related(Prefetch("roles", queryset=roles)),
            slug=slug,
        )
        if not event.can_edit(user):
            raise PermissionDenied(_("Only this event's organisers can change it."))
        return view(request, event, *args, **kwargs)

    return wrapper


def _posted(request):
    """The submitted data of a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _event_form_page(request, *, event, template_title, success_message):
    form = EventForm(_posted(request), instance=event)
    roles = RoleFormSet(_posted(request), instance=event or Event(), prefix="roles")
    if request.method == "POST" and all([form.is_valid(), roles.is_valid()]):
        event = services.save_event(form=form, roles=roles, user=request.user)
        messages.success(request, success_message)
        if told := getattr(event, "attendees_told", 0):
            messages.info(request, _attendees_told_message(told))
        return redirect("events:preview", slug=event.slug)
    context = {"form": form, "roles": roles, "event": event, "page_title": template_title}
    return render(request, "events/event_form.html", context, status=400 if form.is_bound else 200)


def _attendees_told_message(count: int) -> str:
    return ngettext(
        "We emailed the %(count)d person registered about what changed.",
        "We emailed the %(count)d people registered about what changed.",
        count,
    ) % {"count": count}


@require_http_methods(["GET", "POST"])
@organiser_required
def create_event(request):
    """A new event, saved as a draft with its people."""
    return _event_form_page(
        request,
        event=None,
        template_title=_("New event"),
        success_message=_("Draft saved. Check the preview, then publish it."),
    )


@require_http_methods(["GET", "POST"])
@event_editor_required
def edit_event(request, event):
    """Change an event and its people."""
    return _event_form_page(
        request,
        event=event,
        template_title=_("Edit “%(title)s”") % {"title": event.title},
        success_message=_("Changes saved."),
    )


@require_http_methods(["GET"])
@event_editor_required
def preview_event(request, event):
    """The event page as the public will see it, under a "not published" banner."""
    event = selectors.event_for_page(event.slug, request.user)  # the page's fetch shape
    return render(request, "events/event_preview.html", event_page_context(request, event))


def _confirm_or_do(
    request, event, *, action, do, done_message, form=None, then=Event.get_absolute_url
):
    """GET: the confirmation page. POST: the change, then `then(result)` with a message."""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            result = do()
        except services.TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect(event.get_absolute_url())
        messages.success(request, done_message)
        return redirect(then(result))
    context = {"event": event, "form": form, "action": action}
    if action == "duplicate":
        context["interval_weeks"] = services.DUPLICATE_INTERVAL.days // 7
        context["copy_starts_at"] = services.same_local_time_later(event.starts_at)
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "events/event_confirm.html", context, status=status)


def _edit_url(event: Event) -> str:
    return reverse("events:edit", kwargs={"slug": event.slug})


@require_http_methods(["GET", "POST"])
@event_editor_required
def publish_event(request, event):
    """Make the event public (a draft, or a postponed event with its new date)."""
    return _confirm_or_do(
        request,
        event,
        action="publish",
        do=lambda: services.publish_event(event=event, user=request.user),
        done_message=_("Published: the event is now public."),
    )


@require_http_methods(["GET", "POST"])
@event_editor_required
def postpone_event(request, event):
    """Mark the event as postponed, after confirmation."""
    return _confirm_or_do(
        request,
        event,
        action="postpone",
        do=lambda: services.postpone_event(event=event, user=request.user),
        done_message=_("Postponed. Edit the date and publish again when it is settled."),
    )


@require_http_methods(["GET", "POST"])
@event_editor_required
def cancel_event(request, event):
    """Cancel the event with a reason, after confirmation."""
    form = CancelEventForm(_posted(request))
    return _confirm_or_do(
        request,
        event,
        action="cancel",
        form=form,
        do=lambda: services.cancel_event(
            event=event, user=request.user, reason=form.cleaned_data["reason"]
        ),
        done_message=_("Cancelled. The event page now shows it as cancelled with your reason."),
    )


@require_http_methods(["GET", "POST"])
@event_editor_required
def duplicate_event(request, event):
    """Copy the event as a new draft four weeks later, after confirmation."""
    if not event.can_duplicate(request.user):
        raise PermissionDenied(_("Only organisers can create events."))
    return _confirm_or_do(
        request,
        event,
        action="duplicate",
        do=lambda: services.duplicate_event(event=event, user=request.user),
        done_message=_("Copied as a new draft four weeks later. Check the details and save."),
        then=_edit_url,
    )


@require_http_methods(["GET"])
@organiser_required
def organising(request):
    """The events this user may edit, drafts first, then the latest."""
    drafts_first = Case(When(status=Event.Status.DRAFT, then=Value(0)), default=Value(1))
    events = (
        Event.objects.editable_by(request.user)
        .select_related("venue", "series")
        .order_by(drafts_first, "-starts_at", "-pk")
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/organising.html", {"page": page, "events": page.object_list})
