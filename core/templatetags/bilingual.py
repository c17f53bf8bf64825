"""Texts kept in English and Welsh, marked with their own language when it is not the page's.

    <h1{{ event|content_lang:"title" }}>{{ event.title }}</h1>   (an element of the template's)
    {% trans_field theme "name" %}                                  (the text, in a <span lang>)
    {% trans_field event "title" as t %}{% blocktranslate %}On {{ t }}{% endblocktranslate %}
    {% in_language thread.title thread.language %}                  (a text of known language)

A Welsh page showing an event written only in English gets `lang="en"` on that text, so screen
readers switch voice and the Welsh-page checks (tests/locale) know it is content, not interface.
"""

from django import template
from django.utils.html import format_html

from core.i18n import interface_language, marked, other_language

register = template.Library()


@register.filter
def content_lang(obj, field: str) -> str:
    """` lang="en"` when `obj.<field>` shows its text in another language than the page's."""
    other = other_language(obj, field)
    return format_html(' lang="{}"', other) if other else ""


@register.simple_tag
def trans_field(obj, field: str) -> str:
    """`obj.<field>`, escaped, inside `<span lang="…">` when shown in the other language.

    With `as name` it can go into a translated sentence: `{{ name }}` keeps its span."""
    return marked(obj, field)


@register.simple_tag
def in_language(text, language: str) -> str:
    """`text`, escaped, inside `<span lang="…">` when `language` (a thread's or a post's own,
    say) is not the page's."""
    if language and text and language != interface_language():
        return format_html('<span lang="{}">{}</span>', language, text)
    return format_html("{}", text)
