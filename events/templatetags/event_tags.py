import json
from functools import partial
from urllib.parse import urlsplit

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import Resolver404, resolve
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import fragments, skeletons
from events.models import Event, EventRole
from events.panels import event_panels as registered_panels
from events.panels import page_panels as registered_page_panels

register = template.Library()

# The characters that could end or confuse a <script> element, as JSON escapes (as json_script).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(value):
    """`value` as a JSON-LD data block: a non-executable <script type="application/ld+json">."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag
def event_when(event, *, short=False):
    """The event's date and time in Europe/London, e.g. "Thursday 12 March 2026, 18:00–20:00"."""
    start, end = event.local_starts_at, event.local_ends_at
    day_format = "D j M Y" if short else "l j F Y"
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s") % {
            "day": date_format(start, day_format),
            "start": time_format(start, "H:i"),
            "end": time_format(end, "H:i"),
        }
    return _("%(start)s – %(end)s") % {
        "start": date_format(start, day_format + ", H:i"),
        "end": date_format(end, day_format + ", H:i"),
    }


ROLE_PLURALS = {
    EventRole.Role.ORGANISER: gettext_lazy("Organisers"),
    EventRole.Role.CHAIR: gettext_lazy("Chairs"),
    EventRole.Role.SPEAKER: gettext_lazy("Speakers"),
    EventRole.Role.PANELLIST: gettext_lazy("Panellists"),
    EventRole.Role.FACILITATOR: gettext_lazy("Facilitators"),
    EventRole.Role.ARTIST: gettext_lazy("Artists"),
}


@register.filter
def role_heading(roles):
    """The heading of a who's-who group: "Speaker" for one person, "Speakers" for several."""
    first = roles[0]
    if len(roles) > 1:
        return ROLE_PLURALS.get(first.role, first.get_role_display())
    return first.get_role_display()


@register.simple_tag(takes_context=True)
def event_panels(context, slot):
    """Render the panels registered for `slot` of the event page (see events/panels.py)."""
    event = context["event"]
    request = context.get("request")
    engine = context.template.engine
    rendered = []
    for panel in registered_panels(slot):
        if panel.shared:
            # The same for every reader, on its own version: a hole kept per version, so the
            # page's skeleton does not depend on it (its key is known sooner: one round trip).
            render = partial(_render_shared_panel, panel, context, event, request, engine)
        else:
            # May show the reader's own things: a hole in the page's skeleton (core/skeletons.py).
            render = partial(render_event_panel, panel, context, event, request, engine)
        rendered.append(skeletons.hole("event-panel", (slot, panel.template), render))
    return mark_safe("".join(rendered))  # noqa: S308 -- each panel is an autoescaped template


def _render_shared_panel(panel, context, event, request, engine, *, kept=False) -> str:
    render = partial(render_event_panel, panel, context, event, request, engine)
    version = panel.shared(request, event) if request else None
    if not version:
        return render()
    name = f"panel:{panel.template}"
    shared = partial(fragments.shared_fragment, request, name, version, [event.pk], render)
    return skeletons.kept(("shared", version), shared) if kept else shared()


def render_event_panel(panel, context, event, request, engine, *, kept=False) -> str:
    extra = panel.context(request, event) if panel.context else {}
    if extra is None:
        return ""

    def render():
        with context.push(event=event, **extra):
            return engine.get_template(panel.template).render(context)

    if kept and panel.state:
        return skeletons.kept(panel.state(request, event, extra), render)
    return render()


def _fill_event_panel(context, slot, template_name) -> str:
    """A panel hole of an event page's skeleton, for this reader (kept per its state)."""
    panel = next(panel for panel in registered_panels(slot) if panel.template == template_name)
    event, engine = context["event"], context.template.engine
    fill = _render_shared_panel if panel.shared else render_event_panel
    return fill(panel, context, event, context["request"], engine, kept=True)


skeletons.register_filler("event-panel", _fill_event_panel)


@register.simple_tag(takes_context=True)
def page_panels(context, page, slot, obj):
    """Render the panels registered for `slot` of a series, theme or organisation page `obj`."""
    request = context.get("request")
    engine = context.template.engine
    rendered = []
    for panel in registered_page_panels(page, slot):
        extra = panel.context(request, obj) if panel.context else {}
        if extra is None:
            continue
        with context.push(page_kind=page, page_object=obj, **extra):
            rendered.append(engine.get_template(panel.template).render(context))
    return mark_safe("".join(rendered))  # noqa: S308 -- each panel is an autoescaped template


@register.simple_tag
def signin_purpose(request) -> str:
    """Why the sign-in page is asking, from where the person is going next (`?next=`)."""
    target = (request.GET.get("next") or request.POST.get("next") or "") if request else ""
    try:
        match = resolve(urlsplit(target).path) if target.startswith("/") else None
    except Resolver404:
        match = None
    if match and match.namespace == "events" and match.url_name in {"detail", "register"}:
        title = (
            Event.objects.public()
            .filter(slug=match.kwargs.get("slug"))
            .values_list("title", flat=True)
            .first()
        )
        if title:
            return _("Sign in to register for %(title)s.") % {"title": title}
    if match and match.namespace == "discussions":
        return _("Sign in to take part in the discussion.")
    return _("Sign in to register for events, keep them in your calendar and join the discussions.")
