"""Pages of the record: parse, call a service or selector, respond."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.params import parse_int
from events.models import Event, Series, Theme
from people.models import Organisation
from record import selectors, services
from record.forms import (
    AgendaItemForm,
    ContributionForm,
    DotsForm,
    HideForm,
    MergeForm,
    MoveDotForm,
    OutcomeForm,
    PriorityForm,
    ProfileForm,
    PulseForm,
    StatusForm,
    SummaryForm,
)
from record.models import (
    DEFAULT_DOTS,
    AgendaItem,
    Contribution,
    EventRecord,
    Follow,
    Outcome,
    Priority,
    Profile,
    PulseResponse,
    can_organise,
    can_submit,
)


def _event(request, slug) -> Event:
    return get_object_or_404(Event.objects.visible_to(request.user), slug=slug)


def _organised_event(request, slug) -> Event:
    event = _event(request, slug)
    if not can_organise(request.user, event):
        raise PermissionDenied
    return event


def _priority(request, pk) -> Priority:
    priority = get_object_or_404(Priority.objects.select_related("event"), pk=pk)
    if not priority.event.is_visible_to(request.user):
        raise Http404
    return priority


def _back_to_priorities(event):
    return redirect(reverse("events:detail", kwargs={"slug": event.slug}) + "#priorities")


def _refused(request, error) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- before: questions, priorities, dots --------------------------------------------------------


@login_required
def priority_add(request, slug):
    """Submit a question or priority (the form also sits in the event page's panel)."""
    event = _event(request, slug)
    if not can_submit(request.user, event):
        raise PermissionDenied
    form = PriorityForm(request.POST or None, event=event, auto_id="id_priority_%s")
    if request.method == "POST" and form.is_valid():
        services.submit_priority(event=event, author=request.user, **form.cleaned_data)
        messages.success(request, _("Thank you: your item is on the list. Add your dots."))
        return _back_to_priorities(event)
    return render(request, "record/priority_form.html", {"event": event, "form": form})


def priorities(request, slug):
    """Every question and priority of an event, with the organisers' tools."""
    event = _event(request, slug)
    board = selectors.priority_board(event, request.user)
    record = EventRecord.objects.filter(event=event).first()
    allowance = record.dots_per_person if record else DEFAULT_DOTS
    context = {
        **board,
        "event": event,
        "can_submit": can_submit(request.user, event),
        "can_organise": can_organise(request.user, event),
        "allowance": allowance,
        "dots_left": allowance - board["my_dots_used"],
        "hidden": (
            list(Priority.objects.filter(event=event, hidden_at__isnull=False))
            if can_organise(request.user, event)
            else []
        ),
    }
    return render(request, "record/priorities.html", context)


@login_required
@require_POST
def dot(request, pk, action):
    priority = _priority(request, pk)
    verb = services.add_dot if action == "add" else services.remove_dot
    try:
        verb(priority=priority, user=request.user)
    except services.Refused as error:
        _refused(request, error)
    return _back(request, priority.event)


@login_required
@require_POST
def dot_move(request, pk):
    priority = _priority(request, pk)
    form = MoveDotForm(request.POST, priority=priority)
    if not form.is_valid():
        messages.error(request, _("Choose where to move your dot."))
        return _back(request, priority.event)
    try:
        services.move_dot(source=priority, target=form.cleaned_data["target"], user=request.user)
    except services.Refused as error:
        _refused(request, error)
    return _back(request, priority.event)


def _back(request, event):
    """Back to the page the form was on (the event page or the full list)."""
    if request.POST.get("next") == "list":
        return redirect("record:priorities", slug=event.slug)
    return _back_to_priorities(event)


@login_required
def priority_hide(request, pk):
    priority = _priority(request, pk)
    if not can_organise(request.user, priority.event):
        raise PermissionDenied
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.hide_priority(
            priority=priority, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Hidden. Its author sees your reason."))
        return redirect("record:priorities", slug=priority.event.slug)
    context = {"event": priority.event, "priority": priority, "form": form}
    return render(request, "record/priority_hide.html", context)


@login_required
@require_POST
def priority_unhide(request, pk):
    priority = _priority(request, pk)
    services.unhide_priority(priority=priority, user=request.user)
    messages.success(request, _("Shown again."))
    return redirect("record:priorities", slug=priority.event.slug)


@login_required
def priority_merge(request, pk):
    priority = _priority(request, pk)
    if not can_organise(request.user, priority.event):
        raise PermissionDenied
    form = MergeForm(request.POST or None, priority=priority)
    if request.method == "POST" and form.is_valid():
        try:
            services.merge_priorities(
                duplicate=priority, into=form.cleaned_data["into"], user=request.user
            )
            messages.success(request, _("Merged: the dots went with it."))
        except services.Refused as error:
            _refused(request, error)
        return redirect("record:priorities", slug=priority.event.slug)
    context = {"event": priority.event, "priority": priority, "form": form}
    return render(request, "record/priority_merge.html", context)


@login_required
def dots_settings(request, slug):
    event = _organised_event(request, slug)
    record = EventRecord.objects.for_event(event)
    form = DotsForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        services.set_dot_allowance(
            event=event, user=request.user, dots=form.cleaned_data["dots_per_person"]
        )
        messages.success(request, _("Saved."))
        return redirect("record:priorities", slug=event.slug)
    return render(request, "record/dots_settings.html", {"event": event, "form": form})


# --- the agenda -----------------------------------------------------------------------------------


@login_required
def agenda_item(request, slug, pk=None):
    """Add (or edit) an agenda item; ?priority=<id> promotes that item into a new one."""
    event = _organised_event(request, slug)
    item = get_object_or_404(AgendaItem, pk=pk, event=event) if pk else None
    initial = {}
    promoted = parse_int(request.GET.get("priority"))
    if item is None and promoted is not None:
        priority = Priority.objects.shown().filter(event=event, pk=promoted).first()
        if priority:
            initial = {
                "title": priority.text,
                "priorities": [priority],
                "themes": [priority.theme] if priority.theme else [],
            }
    form = AgendaItemForm(request.POST or None, instance=item, initial=initial, event=event)
    if request.method == "POST" and form.is_valid():
        services.save_agenda_item(event=event, user=request.user, item=item, **form.cleaned_data)
        messages.success(request, _("The agenda is updated."))
        return redirect(reverse("events:detail", kwargs={"slug": event.slug}) + "#agenda")
    context = {"event": event, "form": form, "item": item}
    return render(request, "record/agenda_item_form.html", context)


@login_required
def agenda_item_delete(request, slug, pk):
    event = _organised_event(request, slug)
    item = get_object_or_404(AgendaItem, pk=pk, event=event)
    if request.method == "POST":
        services.delete_agenda_item(item=item, user=request.user)
        messages.success(request, _("The item is off the agenda."))
        return redirect(reverse("events:detail", kwargs={"slug": event.slug}) + "#agenda")
    return render(request, "record/agenda_item_delete.html", {"event": event, "item": item})


# --- after: writing the record --------------------------------------------------------------------


def _closable_event(request, slug) -> Event:
    event = _event(request, slug)
    if not services.can_close(request.user, event):
        raise PermissionDenied
    return event


@login_required
def manage(request, slug):
    """The organisers' page: summary, outcomes, notes, then publish."""
    event = _closable_event(request, slug)
    record = EventRecord.objects.for_event(event)
    form = SummaryForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        services.save_summary(event=event, user=request.user, summary=form.cleaned_data["summary"])
        messages.success(request, _("Summary saved."))
        return redirect("record:manage", slug=event.slug)
    context = {
        "event": event,
        "record": record,
        "form": form,
        "outcomes": list(event.outcomes.prefetch_related("themes").order_by("pk")),
        "contributions": list(event.contributions.select_related("person")),
        "agenda_items": list(event.agenda_items.all()),
        # Apps above record show things beside its agenda items and outcomes (record/slots.py).
        "show_item_panels": True,
        "to_ask": services.people_to_ask(event).count(),
    }
    return render(request, "record/manage.html", context)


@login_required
def outcome_form(request, slug, pk=None):
    event = _closable_event(request, slug)
    outcome = get_object_or_404(Outcome, pk=pk, event=event) if pk else None
    form = OutcomeForm(request.POST or None, instance=outcome, event=event)
    if request.method == "POST" and form.is_valid():
        services.save_outcome(event=event, user=request.user, outcome=outcome, **form.cleaned_data)
        messages.success(request, _("Outcome saved."))
        return redirect("record:manage", slug=event.slug)
    context = {"event": event, "form": form, "outcome": outcome}
    return render(request, "record/outcome_form.html", context)


@login_required
def outcome_status(request, pk):
    outcome = get_object_or_404(Outcome.objects.select_related("event"), pk=pk)
    event = outcome.event
    if not event.is_visible_to(request.user):
        raise Http404  # a draft's outcome looks missing, as the draft does (not 403)
    if not services.can_close(request.user, event):
        raise PermissionDenied
    form = StatusForm(request.POST or None, initial={"status": outcome.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_outcome_status(outcome=outcome, user=request.user, **form.cleaned_data)
            messages.success(request, _("Status updated; everyone following was told."))
            return redirect("record:manage", slug=event.slug)
        except services.Refused as error:
            form.add_error(None, error)
    context = {"event": event, "outcome": outcome, "form": form}
    return render(request, "record/outcome_status.html", context)


@login_required
def contribution_form(request, slug):
    event = _closable_event(request, slug)
    form = ContributionForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        services.save_contribution(event=event, user=request.user, **form.cleaned_data)
        messages.success(request, _("Note saved."))
        return redirect("record:manage", slug=event.slug)
    return render(request, "record/contribution_form.html", {"event": event, "form": form})


@login_required
@require_POST
def ask_named(request, slug):
    event = _closable_event(request, slug)
    asked = services.ask_people_named(event=event, user=request.user)
    messages.success(request, _("%(n)s people were emailed.") % {"n": asked})
    return redirect("record:manage", slug=event.slug)


@login_required
def publish(request, slug):
    event = _closable_event(request, slug)
    record = EventRecord.objects.for_event(event)
    if request.method == "POST":
        try:
            services.publish_record(event=event, user=request.user)
            messages.success(request, _("The record is published."))
            return redirect("record:event", slug=event.slug)
        except services.Refused as error:
            _refused(request, error)
            return redirect("record:manage", slug=event.slug)
    return render(request, "record/publish.html", {"event": event, "record": record})


def credit(request, token):
    """The person quoted switches their credit to anonymised (signed link, no sign-in)."""
    try:
        contribution = services.contribution_from_token(token)
    except Contribution.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        services.anonymise_credit(contribution=contribution)
        messages.success(request, _("Done: you will not be named."))
    context = {"contribution": contribution, "token": token, "event": contribution.event}
    return render(request, "record/credit.html", context)


# --- you said, we did -----------------------------------------------------------------------------


def event_record(request, slug):
    """An event's record: summary, notes, outcomes with their history, the pulse."""
    event = _event(request, slug)
    record = EventRecord.objects.filter(event=event).first()
    organiser = can_organise(request.user, event)
    if (record is None or not record.is_published) and not organiser:
        raise Http404
    context = {
        "event": event,
        "record": record,
        "scope": event,
        "scope_kind": "event",
        "contributions": list(event.contributions.select_related("person")),
        "agenda_items": list(event.agenda_items.all()),
        # Apps above record show things beside its agenda items and outcomes (record/slots.py).
        "show_item_panels": True,
        "pulse": selectors.pulse_summary(event),
        "priority_groups": selectors.priority_breakdown(event),
        "can_organise": organiser,
        **selectors.outcome_list(event, request.GET, request.GET.get("page"), drafts=organiser),
    }
    return render(request, "record/event_record.html", context)


SCOPES = {
    "series": (Series, "events:series"),
    "theme": (Theme, "events:theme"),
    "organisation": (Organisation, "events:organisation"),
}


def scope_outcomes(request, kind, slug):
    """You said, we did: the outcomes of a series', theme's or host organisation's events."""
    model, url_name = SCOPES[kind]
    scope = get_object_or_404(model, slug=slug)
    following = None  # organisations are not followed (their events are, through series/themes)
    if kind in FOLLOW_TARGETS and request.user.is_authenticated:
        following = Follow.objects.filter(user=request.user, active=True, **{kind: scope}).exists()
    context = {
        "scope": scope,
        "scope_kind": kind,
        "following": following,
        "scope_url": reverse(url_name, kwargs={"slug": slug}),
        **selectors.outcome_list(scope, request.GET, request.GET.get("page")),
    }
    return render(request, "record/scope_outcomes.html", context)


# --- voice ----------------------------------------------------------------------------------------


@login_required
def pulse(request, slug):
    event = _event(request, slug)
    if not services.can_answer_pulse(request.user, event):
        raise PermissionDenied
    existing = PulseResponse.objects.filter(event=event, user=request.user).first()
    form = PulseForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        services.answer_pulse(event=event, user=request.user, **form.cleaned_data)
        messages.success(request, _("Thank you for telling us."))
        return redirect("events:detail", slug=event.slug)
    return render(request, "record/pulse.html", {"event": event, "form": form})


@login_required
def profile(request):
    """A member's perspective (optional, self-chosen)."""
    instance = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("record:profile")
    return render(request, "record/profile.html", {"form": form})


# --- following ------------------------------------------------------------------------------------


FOLLOW_TARGETS = {"event": Event, "series": Series, "theme": Theme}


@login_required
@require_POST
def follow(request, kind, slug, action):
    model = FOLLOW_TARGETS[kind]
    queryset = Event.objects.visible_to(request.user) if model is Event else model.objects
    target = get_object_or_404(queryset, slug=slug)
    services.set_follow(user=request.user, target=target, active=action == "follow")
    if action == "follow":
        messages.success(request, _("You will get an email when its outcomes move on."))
    else:
        messages.success(request, _("You will get no more emails about its outcomes."))
    return redirect(target.get_absolute_url())


@never_cache  # its address carries the member's signed token
@csrf_exempt  # RFC 8058: mail clients POST without a CSRF token; the signed token protects it.
def unsubscribe(request, token):
    try:
        data = services.follow_from_token(token)
    except ValueError:
        raise Http404 from None
    if request.method == "POST":
        services.set_follow(user=data["user"], target=data["target"], active=False)
        return render(request, "record/unsubscribed.html", data)
    return render(request, "record/unsubscribe.html", {**data, "token": token})
