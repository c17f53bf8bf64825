from django import template

register = template.Library()


@register.filter
def editable_by(event, user) -> bool:
    """`{% if event|editable_by:user %}`: Event.can_edit, the one way templates ask it."""
    return event.can_edit(user)


@register.filter
def duplicable_by(event, user) -> bool:
    return event.can_duplicate(user)


@register.filter
def series_editable_by(series, user) -> bool:
    """`{% if series|series_editable_by:user %}`: Series.can_edit in templates."""
    return series.can_edit(user)
