from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number, param="page", drop="") -> str:
    """`?…` for page `number` of a list paged by `param`.

    Keeps the request's other parameters (filters, and the page of another list on the same page),
    less those named in `drop` (space-separated).
    """
    params = context.request.GET.copy()
    for name in drop.split():
        params.pop(name, None)
    params[param or "page"] = number
    return "?" + params.urlencode()


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current page, with ellipses (Paginator.ELLIPSIS) between runs."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
