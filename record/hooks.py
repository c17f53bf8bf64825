"""Where the record plugs into `events` without events importing it (called from AppConfig.ready):

- panels on the event page, through `events.panels.register_event_panel` (the slot convention);
- a line in the calendar entry's description linking to the published record, through
  `events.calendar.register_description_provider`;
- on the series, theme and organisation pages, links to their "you said, we did" page and Atom
  feed, through `events.panels.register_page_panel` (no query: the links are always there).
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _


def record_links(events) -> dict[int, list[str]]:
    """{event pk: ["Record and outcomes: <url>"]} for the events whose record is published.

    One query for the whole calendar: the published records are few next to the events, so it
    asks for all of them rather than sending thousands of ids in an IN list.
    """
    from record.models import EventRecord

    wanted = {event.pk: event for event in events}
    published = EventRecord.objects.published().values_list("event_id", flat=True)
    template = reverse("record:event", kwargs={"slug": "slug-placeholder-0"})
    site = settings.SITE_URL.rstrip("/")
    return {
        pk: [
            _("Record and outcomes: %(url)s")
            % {"url": site + template.replace("slug-placeholder-0", wanted[pk].slug)}
        ]
        for pk in published
        if pk in wanted
    }


def scope_links(request, obj) -> dict:
    """The outcome page and feed of a series, theme or organisation (kind from its model)."""
    kind = obj._meta.model_name
    return {
        "outcomes_url": reverse(f"record:{kind}_outcomes", kwargs={"slug": obj.slug}),
        "outcomes_feed_url": reverse(f"record:{kind}_feed", kwargs={"slug": obj.slug}),
    }


def record_changed(sender, instance=None, raw=False, **kwargs) -> None:
    from core import fragments
    from record.models import RECORD_MARKER, Follow, follows_marker

    if raw:
        return
    if isinstance(instance, Follow):
        fragments.move_marker_on_commit(follows_marker(instance.user_id))
    else:
        fragments.move_marker_on_commit(RECORD_MARKER)


def connect_markers() -> None:
    """The record panels' shared state (record/panels.py) is read again after every change."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in apps.get_app_config("record").get_models():
        uid = f"record-marker-{model._meta.label_lower}"
        post_save.connect(record_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(record_changed, sender=through, dispatch_uid=f"{uid}-{field.name}")


def connect() -> None:
    connect_markers()
    from events import calendar
    from events.panels import register_event_panel, register_event_prefetch, register_page_panel
    from record import panels

    calendar.register_description_provider(record_links)
    register_event_prefetch(panels.page_reads)
    register_event_panel(
        slot="main", template="record/_previously_panel.html", order=5, context=panels.previously
    )
    register_event_panel(
        slot="main", template="record/_agenda_panel.html", order=20, context=panels.agenda
    )
    register_event_panel(
        slot="main",
        template="record/_priorities_panel.html",
        order=30,
        context=panels.priorities,
        state=panels.priorities_state,
    )
    register_event_panel(
        slot="main", template="record/_record_panel.html", order=40, context=panels.record
    )
    register_event_panel(
        slot="aside",
        template="record/_follow_panel.html",
        order=50,
        context=panels.follow,
        state=panels.follow_state,
    )
    for page in ("series", "theme", "organisation"):
        register_page_panel(
            page=page, slot="head", template="record/_scope_feed_link.html", context=scope_links
        )
        register_page_panel(
            page=page, slot="actions", template="record/_scope_links.html", context=scope_links
        )
