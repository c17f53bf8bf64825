"""Adding, publishing, removing visuals; the event's cover; starting a discussion about one."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.services import discard_upload, store_upload
from core.uploads import IMAGE, CleanFile
from events.models import Event
from visuals.models import Visual, can_contribute


def upload_scope(event: Event) -> str:
    """The quota scope shared by all of an event's uploads (visuals and board images)."""
    return f"event:{event.pk}"


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _check_publishable(visual: Visual) -> None:
    problems = visual.publish_problems()
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def add_visual(
    *, event: Event, user, file: CleanFile, themes=(), publish: bool = False, **details
) -> Visual:
    """Keep `file` as a visual of `event` (published at once if `publish`)."""
    _require(can_contribute(event, user))
    # The event row is the lock for its storage total: parallel uploads cannot both pass it.
    Event.objects.select_for_update().filter(pk=event.pk).first()
    visual = Visual(event=event, is_image=file.kind == IMAGE, uploaded_by=user, **details)
    if publish:
        _check_publishable(visual)
        visual.published_at = timezone.now()
    last = event.visuals.order_by("-order").values_list("order", flat=True)
    visual.order = (last.first() or 0) + 1
    visual.upload = store_upload(file=file, user=user, scope=upload_scope(event))
    visual.save()
    visual.themes.set(themes)
    _refresh_cover(event)
    return visual


@transaction.atomic
def update_visual(*, visual: Visual, user, themes=(), publish: bool | None = None, **details):
    """Change a visual's words; `publish` True/False publishes or withdraws it, None keeps it."""
    _require(visual.can_edit(user))
    for name, value in details.items():
        setattr(visual, name, value)
    if publish or (publish is None and visual.is_published):
        _check_publishable(visual)
        visual.published_at = visual.published_at or timezone.now()
    elif publish is False:
        visual.published_at = None
    visual.save()
    visual.themes.set(themes)
    _refresh_cover(visual.event)
    return visual


def publish_visual(*, visual: Visual, user) -> Visual:
    return update_visual(visual=visual, user=user, themes=list(visual.themes.all()), publish=True)


def unpublish_visual(*, visual: Visual, user) -> Visual:
    return update_visual(visual=visual, user=user, themes=list(visual.themes.all()), publish=False)


@transaction.atomic
def delete_visual(*, visual: Visual, user) -> None:
    """Remove a visual and its files (after commit); the cover moves on if it was this one."""
    _require(visual.can_edit(user))
    event = visual.event
    upload = visual.upload
    visual.delete()
    discard_upload(upload=upload)
    _refresh_cover(event)


@transaction.atomic
def choose_cover(*, visual: Visual, user) -> Event:
    """Make a published image the event's cover (organisers only)."""
    event = visual.event
    _require(event.can_edit(user) and visual.is_published and visual.is_image)
    event.cover_id, event.cover_alt = visual.upload_id, visual.alt_text
    event.save(update_fields=["cover", "cover_alt", "updated_at"])
    return event


def _refresh_cover(event: Event) -> None:
    """Keep the cover a published image of this event: the chosen one, else the first."""
    images = event.visuals.published().images().in_order()
    current = images.filter(upload_id=event.cover_id).first() if event.cover_id else None
    chosen = current or images.first()
    cover_id = chosen.upload_id if chosen else None
    cover_alt = chosen.alt_text if chosen else ""
    if (event.cover_id, event.cover_alt) != (cover_id, cover_alt):
        Event.objects.filter(pk=event.pk).update(cover_id=cover_id, cover_alt=cover_alt)
        event.cover_id, event.cover_alt = cover_id, cover_alt


@transaction.atomic
def discuss_visual(*, visual: Visual, author, title: str, body: str):
    """Start a thread about `visual` on its event's board, linked to it (one per visual)."""
    from discussions.models import Board
    from discussions.services import start_thread

    _require(visual.is_published and visual.event.is_public)
    locked = Visual.objects.select_for_update().get(pk=visual.pk)
    if locked.thread_id:
        return locked.thread
    board = Board.objects.for_event(visual.event)
    # Absolute: the post renderer keeps only http(s) links.
    link = f"[{visual.title}]({settings.SITE_URL}{visual.get_absolute_url()})"
    thread = start_thread(
        board=board,
        author=author,
        title=title,
        body=f"{body.strip()}\n\n→ {link}",
        themes=list(visual.themes.all()),
    )
    Visual.objects.filter(pk=visual.pk).update(thread=thread)
    visual.thread = thread
    return thread
