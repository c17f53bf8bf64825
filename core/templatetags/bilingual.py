"""Texts kept in English and Welsh, marked with their own language when it is not the page's.

    <h1{{ event|content_lang:"title" }}>{{ event.title }}</h1>   (an element of the template's)
    {% trans_field theme "name" %}                                  (the text, in a <span lang>)

A Welsh page showing an event written only in English gets `lang="en"` on that text, so screen
readers switch voice and the Welsh-page checks (tests/locale) know it is content, not interface.
"""

from django import template
from django.utils.html import format_html

from core.i18n import interface_language, text_language

register = template.Library()


def _other_language(obj, field: str) -> str | None:
    shown = text_language(obj, field) if obj is not None else None
    return shown if shown and shown != interface_language() else None


@register.filter
def content_lang(obj, field: str) -> str:
    """` lang="en"` when `obj.<field>` shows its text in another language than the page's."""
    other = _other_language(obj, field)
    return format_html(' lang="{}"', other) if other else ""


@register.simple_tag
def trans_field(obj, field: str) -> str:
    """`obj.<field>`, escaped, inside `<span lang="…">` when shown in the other language."""
    text = getattr(obj, field, "") if obj is not None else ""
    other = _other_language(obj, field)
    if other and text:
        return format_html('<span lang="{}">{}</span>', other, text)
    return format_html("{}", text)
