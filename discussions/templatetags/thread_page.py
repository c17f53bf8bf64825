"""A thread page's posts: their main part and actions, holes where they differ between readers
(discussions/pages.py, core/skeletons.py)."""

from django import template
from django.utils.safestring import mark_safe

from discussions import pages

register = template.Library()


@register.simple_tag(takes_context=True)
def post_main(context, post):
    return mark_safe(pages.post_main(context, post))  # noqa: S308 -- autoescaped templates


@register.simple_tag(takes_context=True)
def post_actions(context, post):
    return mark_safe(pages.post_actions(context, post))  # noqa: S308 -- autoescaped template
