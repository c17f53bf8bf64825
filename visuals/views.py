"""Thin views: parse, call one service or queryset, respond. Rules live on the models."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.uploads import UploadRefused
from events.models import Event, EventRole
from record.models import EventRecord
from visuals import services
from visuals.forms import PUBLISH, DiscussForm, VisualForm
from visuals.models import Visual, can_contribute

GALLERY_PAGE_SIZE = 24


def get_event(event_slug: str, user) -> Event:
    """The event if `user` may see it (drafts only to its editors), with its people."""
    roles = Prefetch("roles", queryset=EventRole.objects.select_related("person"))
    events = Event.objects.visible_to(user).prefetch_related(roles)
    return get_object_or_404(events, slug=event_slug)


def get_visual(event: Event, pk: int, user, *, pins=False) -> Visual:
    """A visual of `event` `user` may see: drafts only for the event's contributors."""
    visuals = event.visuals.visible_to(user, event).with_display_data()
    if pins:
        visuals = visuals.with_pins()
    visual = get_object_or_404(visuals, pk=pk)
    visual.event = event
    return visual


def gallery(request, event_slug):
    """All of an event's visuals and materials, drafts too for its contributors."""
    event = get_event(event_slug, request.user)
    visuals = event.visuals.visible_to(request.user, event).with_display_data().in_order()
    page = Paginator(visuals, GALLERY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "page_obj": page,
        "images": [v for v in page.object_list if v.is_image],
        "documents": [v for v in page.object_list if not v.is_image],
        "can_add_visuals": can_contribute(event, request.user),
    }
    return render(request, "visuals/gallery.html", context)


def detail(request, event_slug, pk):
    """One image or document: transcript, credit, licence, themes, its discussion."""
    event = get_event(event_slug, request.user)
    visual = get_visual(event, pk, request.user, pins=True)
    # Pins link into the record; an outcome is shown only once the record is public.
    record_url = None
    pinned = visual.agenda_item_id or visual.outcome_id
    if pinned and EventRecord.objects.published().filter(event=event).exists():
        record_url = reverse("record:event", kwargs={"slug": event.slug})
    neighbours = list(
        event.visuals.visible_to(request.user, event).in_order().values_list("pk", flat=True)
    )
    index = neighbours.index(visual.pk)
    context = {
        "event": event,
        "visual": visual,
        "themes": visual.themes.all(),
        "previous_pk": neighbours[index - 1] if index > 0 else None,
        "next_pk": neighbours[index + 1] if index + 1 < len(neighbours) else None,
        "position": index + 1,
        "total": len(neighbours),
        "can_edit": visual.can_edit(request.user),
        "can_choose_cover": event.can_edit(request.user) and visual.is_image,
        "canonical_url": request.build_absolute_uri(visual.get_absolute_url()),
        "record_url": record_url,
        # A thread a moderator hid is not named (nor offered anew) to who may not see it.
        "thread_hidden": visual.thread_id and not visual.thread.is_visible_to(request.user),
    }
    return render(request, "visuals/visual_detail.html", context)


def _save(request, form, save):
    """Run `save(publish)` for a valid form; map refusals back onto the form. A redirect or None."""
    publish = request.POST.get("action") == PUBLISH
    if not form.is_valid():
        return None
    if publish:
        form.check_publishable()
        if form.errors:
            return None
    try:
        visual = save(publish)
    except UploadRefused as refused:
        form.add_error("file" if "file" in form.fields else None, refused.messages)
        return None
    except ValidationError as invalid:
        form.add_error(None, invalid)
        return None
    if visual.is_published:
        messages.success(request, _("Published: it is on the event’s page."))
    else:
        messages.success(request, _("Saved as a draft: only the event’s contributors see it."))
    return redirect(visual)


@login_required
def add(request, event_slug):
    """Upload a drawing, photo, flip chart, slides or a paper to an event."""
    event = get_event(event_slug, request.user)
    if not can_contribute(event, request.user):
        raise PermissionDenied
    form = VisualForm(request.POST or None, request.FILES or None, event=event)
    if request.method == "POST":
        response = _save(
            request,
            form,
            lambda publish: services.add_visual(
                event=event,
                user=request.user,
                file=form.cleaned_data["file"],
                themes=form.cleaned_data["themes"],
                publish=publish,
                **form.details(),
            ),
        )
        if response:
            return response
    return render(request, "visuals/visual_form.html", {"event": event, "form": form})


@login_required
def edit(request, event_slug, pk):
    event = get_event(event_slug, request.user)
    visual = get_visual(event, pk, request.user)
    if not visual.can_edit(request.user):
        raise PermissionDenied
    form = VisualForm(request.POST or None, instance=visual, event=event)
    if request.method == "POST":
        response = _save(
            request,
            form,
            lambda publish: services.update_visual(
                visual=visual,
                user=request.user,
                themes=form.cleaned_data["themes"],
                publish=publish or None,
                **form.details(),
            ),
        )
        if response:
            return response
    context = {"event": event, "form": form, "visual": visual}
    return render(request, "visuals/visual_form.html", context)


@login_required
def delete(request, event_slug, pk):
    """Confirm, then remove a visual and its files."""
    event = get_event(event_slug, request.user)
    visual = get_visual(event, pk, request.user)
    if not visual.can_edit(request.user):
        raise PermissionDenied
    if request.method == "POST":
        services.delete_visual(visual=visual, user=request.user)
        messages.success(request, _("Removed “%(title)s”.") % {"title": visual.title})
        return redirect("visuals:gallery", event_slug=event.slug)
    return render(request, "visuals/visual_delete.html", {"event": event, "visual": visual})


@login_required
@require_POST
def unpublish(request, event_slug, pk):
    event = get_event(event_slug, request.user)
    visual = get_visual(event, pk, request.user)
    services.unpublish_visual(visual=visual, user=request.user)
    messages.success(request, _("Back to draft: only the event’s contributors see it now."))
    return redirect(visual)


@login_required
@require_POST
def cover(request, event_slug, pk):
    event = get_event(event_slug, request.user)
    visual = get_visual(event, pk, request.user)
    services.choose_cover(visual=visual, user=request.user)
    messages.success(request, _("This is now the event’s cover image."))
    return redirect(visual)


@login_required
def discuss(request, event_slug, pk):
    """Start the board thread about this visual (or go to the one already started)."""
    event = get_event(event_slug, request.user)
    visual = get_visual(event, pk, request.user)
    if not (visual.is_published and event.is_public):
        raise PermissionDenied
    if visual.thread_id:
        return redirect(visual.thread)
    initial = {"title": _("About “%(title)s”") % {"title": visual.title}}
    form = DiscussForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.discuss_visual(
                visual=visual, author=request.user, **form.cleaned_data
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            return redirect(thread)
    return render(request, "visuals/discuss.html", {"event": event, "visual": visual, "form": form})
