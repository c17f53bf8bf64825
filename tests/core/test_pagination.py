"""The pagination written in Python (`{% pagination %}`, core/templatetags/pagination.py) is
the text `{% include "_pagination.html" %}` renders, byte for byte, in every state."""

import pytest
from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from core.templatetags.pagination import pagination

CASES = [
    # (items, page, query string, options)
    (5, 1, {}, {}),  # one page: no navigation
    (200, 1, {"q": "care"}, {}),
    (200, 3, {"q": "a&b <c>", "theme": "housing"}, {}),
    (200, 10, {"q": "care", "page": "10"}, {}),
    (1000, 25, {"q": "care"}, {}),  # ellipses on both sides
    (60, 2, {"q": "care"}, {}),
    (200, 4, {"q": "care", "other": "2"}, {"param": "other", "label": "Other <pages>"}),
    (200, 5, {"q": "care", "when": "past"}, {"drop": "when q", "fragment": "#results"}),
]


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize(("items", "number", "query", "options"), CASES)
def test_pagination_is_the_partials_text(language, items, number, query, options):
    request = RequestFactory().get("/discussions/", query)
    page = Paginator(list(range(items)), 20).get_page(number)
    names = {"param": "page_param", "label": "label", "fragment": "fragment", "drop": "drop"}
    with translation.override(language):
        expected = render_to_string(
            "_pagination.html",
            {"page_obj": page, **{names[k]: v for k, v in options.items()}},
            request,
        )
        written = pagination(RequestContext(request), page, **options)
        through_the_tag = Template("{% load pagination %}{% pagination page %}").render(
            RequestContext(request, {"page": page})
        )
    assert written == expected
    if not options:
        assert through_the_tag == expected
