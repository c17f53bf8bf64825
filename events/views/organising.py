"""The organiser workflow: create, edit, preview, publish, postpone, cancel, duplicate.

Thin views. Who may do what is decided by the model predicates (`Event.user_can_create`,
`Event.can_edit`, `Event.can_duplicate`) and applied by the two decorators below; the changes
themselves are made by `events.services`.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.i18n import marked
from events import selectors, services
from events.forms import (
    PEOPLE_FOUND_SHOWN,
    CancelEventForm,
    DuplicateEventForm,
    EventForm,
    InvitationAnswerForm,
    RoleFormSet,
    ScheduleNextForm,
    SeriesRuleForm,
    people_matching,
    person_choice_label,
)
from events.models import Event, EventRole, Series
from events.views.public import event_full_context

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


def _event_form_page(request, *, event, template_title, success_message, heading=None):
    form = EventForm(_posted(request), instance=event)
    roles = RoleFormSet(_posted(request), instance=event or Event(), prefix="roles")
    valid = request.method == "POST" and all([form.is_valid(), roles.is_valid()])
    if valid and form.schedule_is_accepted(user=request.user):
        try:
            event = services.save_event(
                event=form.instance,
                user=request.user,
                themes=form.cleaned_data["themes"],
                hosts=form.cleaned_data["hosts"],
                new_theme_names=form.themes_to_add(),
                people=roles.changed_rows(),
            )
        except services.InvitationsRefused as refused:  # someone who declined, named again
            roles.add_refusals(refused.rows)
            valid = False
        except ValidationError as refused:  # places given meanwhile; too many invitations
            form.add_error(None, refused)
            valid = False
        else:
            messages.success(request, success_message)
            if told := getattr(event, "attendees_told", 0):
                messages.info(request, _attendees_told_message(told))
            return redirect("events:preview", slug=event.slug)
    context = {
        "form": form,
        "roles": roles,
        "event": event,
        "page_title": template_title,  # <title>: text only
        "page_heading": heading,  # <h1>: may mark a title in the other language
    }
    # Asking to confirm the date is not an error: everything typed is valid and kept.
    status = 400 if form.is_bound and not valid else 200
    return render(request, "events/event_form.html", context, status=status)


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
        # Before the form changes the instance: the title as stored, marked when it falls back.
        heading=mark_safe(escape(_("Edit “%(title)s”")) % {"title": marked(event, "title")}),
        success_message=_("Changes saved."),
    )


@require_http_methods(["GET"])
@event_editor_required
def preview_event(request, event):
    """The event page as the public will see it, under a "not published" banner."""
    # The page's fetch shape, from the database: the organiser may have just changed it.
    event = selectors.event_for_page(event.slug, request.user, cached=False)
    return render(request, "events/event_preview.html", event_full_context(request, event))


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
def unpublish_event(request, event):
    """Take a published event nobody registered for back to draft, after confirmation."""
    return _confirm_or_do(
        request,
        event,
        action="unpublish",
        do=lambda: services.unpublish_event(event=event, user=request.user),
        done_message=_("Back to draft: only its organisers can see it now."),
        then=lambda result: reverse("events:preview", kwargs={"slug": result.slug}),
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
            event=event,
            user=request.user,
            reason_en=form.cleaned_data["reason_en"],
            reason_cy=form.cleaned_data["reason_cy"],
        ),
        done_message=_("Cancelled. The event page now shows it as cancelled with your reason."),
    )


@require_http_methods(["GET", "POST"])
@event_editor_required
def duplicate_event(request, event):
    """Copy the event as a new draft with the title and date asked for (the series' next date
    proposed); a date in the past or a clash asks for confirmation first."""
    if not event.can_duplicate(request.user):
        raise PermissionDenied(_("Only organisers can create events."))
    starts_at, ends_at = services.proposed_copy_times(event=event)
    form = DuplicateEventForm(
        _posted(request),
        initial={
            "title_en": event.title_en,
            "title_cy": event.title_cy,
            "starts_at": starts_at,
            "ends_at": ends_at,
        },
    )
    valid = form.is_valid()
    if valid and form.check_schedule(form.planned_copy(event), user=request.user):
        copy = services.duplicate_event(event=event, user=request.user, **form.cleaned_data)
        messages.success(request, _("Copied as a new draft. Check the details and save."))
        return redirect(_edit_url(copy))
    context = {"event": event, "form": form, "action": "duplicate"}
    status = 400 if form.is_bound and not valid else 200
    return render(request, "events/event_confirm.html", context, status=status)


@require_http_methods(["GET"])
@organiser_required
def organising(request):
    """The events this user may edit: upcoming ones (drafts too) soonest first, then past ones
    latest first, each with its confirmed and waitlisted counts."""
    now = timezone.now()
    events = (
        Event.objects.editable_by(request.user)
        .select_related("venue", "series")
        .with_attendance_counts()
    )
    upcoming = selectors.paginate(
        events.upcoming(now).chronological(), request.GET.get("page"), per_page=PAGE_SIZE
    )
    past = selectors.paginate(
        events.past(now).reverse_chronological(), request.GET.get("past_page"), per_page=PAGE_SIZE
    )
    return render(request, "events/organising.html", {"upcoming": upcoming, "past": past})


@require_http_methods(["GET", "POST"])
@organiser_required
def series_schedule(request, slug):
    """A series' rule (how it repeats) and "schedule the next N" drafts from its latest event."""
    series = get_object_or_404(Series, slug=slug)
    if not series.can_edit(request.user):
        raise PermissionDenied(_("Only the organisers of this series can change its dates."))
    action = request.POST.get("action") if request.method == "POST" else None
    rule = SeriesRuleForm(request.POST if action == "rule" else None, instance=series)
    schedule = ScheduleNextForm(request.POST if action == "schedule" else None)
    if action == "rule" and rule.is_valid():
        series = rule.save()
        messages.success(
            request,
            _("Saved. The series repeats: %(rule)s.")
            % {"rule": series.describe_rule() or _("never")},
        )
        return redirect("events:series_schedule", slug=series.slug)
    if action == "schedule" and schedule.is_valid():
        try:
            created = services.schedule_next_occurrences(
                series=series, user=request.user, count=schedule.cleaned_data["count"]
            )
        except services.TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("events:series_schedule", slug=series.slug)
        messages.success(
            request,
            ngettext(
                "%(count)d draft scheduled. Check it, then publish it.",
                "%(count)d drafts scheduled. Check each one, then publish it.",
                len(created),
            )
            % {"count": len(created)},
        )
        return redirect("events:organising")
    context = {
        "series": series,
        "rule_form": rule,
        "schedule_form": schedule,
        "latest": services.latest_scheduled_template(series=series),
        "next_dates": services.next_free_occurrences(series=series, count=3),
    }
    invalid = (action == "rule" and rule.errors) or (action == "schedule" and schedule.errors)
    return render(request, "events/series_schedule.html", context, status=400 if invalid else 200)


@require_http_methods(["GET"])
@organiser_required
def people_search(request):
    """People listed whose name contains `q`, as JSON: suggestions for the event form's person
    picker (the form works without it: a typed name is looked up on save)."""
    people = people_matching(request.GET.get("q", "")[:200], limit=PEOPLE_FOUND_SHOWN)
    results = [{"id": person.pk, "label": person_choice_label(person)} for person in people]
    return JsonResponse({"results": results})


@never_cache  # its address carries the invitation's signed token
@login_required
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """Accept or decline an invitation to co-organise, from the link in its email."""
    role = services.invitation_from_token(token, user=request.user)
    if role is None:  # unknown, expired, answered, or someone else's
        raise Http404
    form = InvitationAnswerForm(_posted(request))
    if form.is_valid():
        event = role.event
        if services.answer_invitation(role=role, user=request.user, accept=form.accepted):
            messages.success(
                request, _("You are now an organiser of “%(title)s”.") % {"title": event.title}
            )
            return redirect("events:edit", slug=event.slug)
        messages.info(request, _("You declined: you are not listed for that event."))
        return redirect("events:my_events")
    status = 400 if form.is_bound else 200
    return render(request, "events/invitation.html", {"role": role, "form": form}, status=status)
