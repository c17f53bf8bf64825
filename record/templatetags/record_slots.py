"""`{% record_panels "main" %}` and `{% item_panels "outcome" outcome %}`: record/slots.py."""

from django import template
from django.utils.safestring import mark_safe

from record import slots

register = template.Library()


def _render(context, panel, extra) -> str:
    with context.push(**extra):
        return context.template.engine.get_template(panel.template).render(context)


@register.simple_tag(takes_context=True)
def record_panels(context, slot):
    """Render the panels registered for `slot` of the record page."""
    event, request = context["event"], context.get("request")
    rendered = []
    for panel in slots.record_panels(slot):
        extra = panel.context(request, event) if panel.context else {}
        if extra is not None:
            rendered.append(_render(context, panel, {"event": event, **extra}))
    return mark_safe("".join(rendered))  # noqa: S308 -- each panel is an autoescaped template


@register.simple_tag(takes_context=True)
def item_panels(context, kind, item):
    """Render what the apps above keep beside `item` (an agenda item or an outcome).

    Only on a page that asks for them (`show_item_panels` in its context: the record page), so
    the same partials elsewhere (the event page's agenda, the outcome lists) cost nothing. Each
    panel's callable runs once per page; its answers are kept on the request.
    """
    if not context.get("show_item_panels"):
        return ""
    event, request = context["event"], context.get("request")
    memo = request.__dict__.setdefault("_record_item_panels", {}) if request else {}
    rendered = []
    for panel in slots.item_panels(kind):
        key = (panel.template, kind, event.pk)
        if key not in memo:
            memo[key] = panel.context(request, event) if panel.context else {}
        extra = memo[key].get(item.pk)
        if extra is not None:
            rendered.append(_render(context, panel, {"item": item, **extra}))
    return mark_safe("".join(rendered))  # noqa: S308 -- each panel is an autoescaped template
