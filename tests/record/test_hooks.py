"""record/hooks.py: what the record adds to events' pages without events importing it."""

import pytest
from django.urls import reverse
from django.utils import translation

from events import panels
from tests.factories import OrganisationFactory, SeriesFactory, ThemeFactory

SCOPES = {
    "series": ("events:series", SeriesFactory),
    "theme": ("events:theme", ThemeFactory),
    "organisation": ("events:organisation", OrganisationFactory),
}


@pytest.mark.parametrize("kind", SCOPES)
@pytest.mark.parametrize("language", ["en", "cy"])
def test_scope_pages_link_to_their_outcomes_and_feed(client, db, kind, language):
    url_name, factory = SCOPES[kind]
    scope = factory()
    with translation.override(language):
        page = client.get(reverse(url_name, kwargs={"slug": scope.slug})).text
        outcomes = reverse(f"record:{kind}_outcomes", kwargs={"slug": scope.slug})
        feed = reverse(f"record:{kind}_feed", kwargs={"slug": scope.slug})
    assert f'href="{outcomes}"' in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert page.count(f'href="{feed}"') == 2  # the <head> link for feed readers, and the button
    label = "Dywedoch chi, gwnaethon ni" if language == "cy" else "You said, we did"
    assert f'href="{outcomes}" class="btn btn-sm btn-outline-primary">{label}</a>' in page


def test_the_record_fills_the_scope_pages_slots():
    for page in ("series", "theme", "organisation"):
        assert [p.template for p in panels.page_panels(page, "actions")] == [
            "record/_scope_links.html"
        ]
        assert [p.template for p in panels.page_panels(page, "head")] == [
            "record/_scope_feed_link.html"
        ]


def test_an_unknown_page_or_slot_is_refused():
    with pytest.raises(ValueError, match="Unknown page"):
        panels.register_page_panel(page="venue", slot="head", template="x.html")
    with pytest.raises(ValueError, match="Unknown series page slot"):
        panels.register_page_panel(page="series", slot="main", template="x.html")
