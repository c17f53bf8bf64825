"""Event, theme, series and venue texts in English and Welsh (events/translation.py)."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from events import services
from events.models import Event
from events.selectors import filter_events
from tests.events.conftest import parse_ics
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
    VenueFactory,
)
from tests.forms import submit_form

pytestmark = pytest.mark.django_db


def in_welsh(url_name, **kwargs) -> str:
    with translation.override("cy"):
        return reverse(url_name, kwargs=kwargs or None)


def in_english(url_name, **kwargs) -> str:
    with translation.override("en"):
        return reverse(url_name, kwargs=kwargs or None)


# --- reading: the page's language, else the other one ---------------------------------------


def test_each_language_reads_its_own_column_and_falls_back_to_the_other():
    both = EventFactory(title_en="Policy Cafe", title_cy="Caffi Polisi")
    english_only = EventFactory(title_en="Talking Points", title_cy="")
    welsh_only = EventFactory(title_en="", title_cy="Bore gyda Cynnal Cymru")
    with translation.override("cy"):
        welsh = [Event.objects.get(pk=e.pk).title for e in (both, english_only, welsh_only)]
    with translation.override("en"):
        english = [Event.objects.get(pk=e.pk).title for e in (both, english_only, welsh_only)]
    assert welsh == ["Caffi Polisi", "Talking Points", "Bore gyda Cynnal Cymru"]
    assert english == ["Policy Cafe", "Talking Points", "Bore gyda Cynnal Cymru"]


def test_the_slug_is_made_from_the_english_title_whatever_the_page_or_the_welsh_one_alone():
    with translation.override("cy"):
        both = EventFactory(title_en="Policy Cafe", title_cy="Caffi Polisi", title="x")
        welsh_only = EventFactory(title_en="", title_cy="Caffi Polisi", title="x")
        theme = ThemeFactory(name_en="Risk-averse cultures", name_cy="Diwylliannau sy'n osgoi risg")
    assert (both.slug, welsh_only.slug, theme.slug) == (
        "policy-cafe",
        "caffi-polisi",
        "risk-averse-cultures",
    )


def test_a_new_welsh_title_raises_the_calendar_sequence():
    event = EventFactory(title_en="Policy Cafe")
    event = Event.objects.get(pk=event.pk)
    event.title_cy = "Caffi Polisi"
    event.save()
    assert Event.objects.get(pk=event.pk).sequence == event.sequence == 1


# --- the lang attribute where a text is shown in the other language ------------------------


def test_welsh_page_marks_english_only_texts_with_lang_en_and_leaves_welsh_unmarked(client):
    theme = ThemeFactory(name_en="Risk-averse cultures", name_cy="")
    series = SeriesFactory(name_en="Policy Cafe", name_cy="Caffi Polisi")
    venue = VenueFactory(name_en="Temple of Peace", name_cy="")
    event = EventFactory(
        title_en="Policy Cafe relaunch",
        title_cy="Ail-lansio'r Caffi Polisi",
        summary_en="Cheese, bread and wine.",
        summary_cy="",
        series=series,
        venue=venue,
        themes=[theme],
    )
    html = client.get(in_welsh("events:detail", slug=event.slug)).content.decode()
    assert '<h1 id="event-title" class="event-title">Ail-lansio&#x27;r Caffi Polisi</h1>' in html
    assert '<p class="lead event-summary" lang="en">Cheese, bread and wine.</p>' in html
    assert 'lang="en">Risk-averse cultures</a>' in html
    assert '<p class="event-header__where"><span lang="en">Temple of Peace</span></p>' in html
    assert '<li class="breadcrumb-item"><a href="' in html
    assert f'href="{series.get_absolute_url()}">Caffi Polisi</a>' in html


def test_english_page_marks_welsh_only_texts_with_lang_cy(client):
    event = EventFactory(title_en="", title_cy="Bore gyda Cynnal Cymru", summary_en="")
    html = client.get(in_english("events:detail", slug=event.slug)).content.decode()
    card = client.get(in_english("events:list")).content.decode()
    assert 'class="event-title" lang="cy">Bore gyda Cynnal Cymru</h1>' in html
    assert 'lang="cy">Bore gyda Cynnal Cymru</a>' in card


def test_theme_and_series_pages_mark_their_fallback_texts(client):
    theme = ThemeFactory(name_en="Risk-averse cultures", description_en="Why it is hard.")
    series = SeriesFactory(name_en="Policy Cafe", name_cy="Caffi Polisi", description_en="Cheese.")
    theme_page = client.get(in_welsh("events:theme", slug=theme.slug)).content.decode()
    series_page = client.get(in_welsh("events:series", slug=series.slug)).content.decode()
    assert '<h1 lang="en">Risk-averse cultures</h1>' in theme_page
    assert '<div class="entity-header__text" lang="en"><p>Why it is hard.</p></div>' in theme_page
    assert "<h1>Caffi Polisi</h1>" in series_page
    assert '<div class="entity-header__text" lang="en"><p>Cheese.</p></div>' in series_page


# --- the organiser's form: both languages side by side -------------------------------------


def test_organiser_adds_a_welsh_title_and_welsh_readers_see_it(client, organiser, organised_event):
    client.force_login(organiser)
    page = client.get(in_english("events:edit", slug=organised_event.slug))
    english_title = organised_event.title
    response = submit_form(
        client,
        page,
        "#event-form",
        data={"title_cy": "Caffi Polisi: yr economi graidd", "summary_cy": "Sgwrs agored."},
    )
    assert response.status_code == 302
    event = Event.objects.get(pk=organised_event.pk)
    assert (event.title_en, event.title_cy, event.slug) == (
        english_title,
        "Caffi Polisi: yr economi graidd",
        organised_event.slug,
    )
    welsh = client.get(in_welsh("events:detail", slug=event.slug)).content.decode()
    english = client.get(in_english("events:detail", slug=event.slug)).content.decode()
    assert 'class="event-title">Caffi Polisi: yr economi graidd</h1>' in welsh
    assert '<p class="lead event-summary">Sgwrs agored.</p>' in welsh
    assert f'class="event-title">{english_title}</h1>' in english


def test_organiser_writes_access_notes_in_both_languages_side_by_side(
    client, organiser, organised_event, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    page = client.get(in_welsh("events:edit", slug=organised_event.slug))
    assert '<textarea name="access_notes_cy" cols="40" rows="3" lang="cy"' in page.content.decode()
    response = submit_form(
        client,
        page,
        "#event-form",
        data={"access_notes_en": "Lift to the first floor.", "access_notes_cy": ""},
    )
    assert response.status_code == 302
    welsh = client.get(in_welsh("events:detail", slug=organised_event.slug)).content.decode()
    assert '<div class="access-notes" lang="en"><p>Lift to the first floor.</p></div>' in welsh
    page = client.get(in_welsh("events:edit", slug=organised_event.slug))
    with django_capture_on_commit_callbacks(execute=True):  # the page's shared parts renew
        response = submit_form(
            client, page, "#event-form", data={"access_notes_cy": "Lifft i'r llawr cyntaf."}
        )
    assert response.status_code == 302
    welsh = client.get(in_welsh("events:detail", slug=organised_event.slug)).content.decode()
    english = client.get(in_english("events:detail", slug=organised_event.slug)).content.decode()
    assert '<div class="access-notes"><p>Lifft i&#x27;r llawr cyntaf.</p></div>' in welsh
    assert '<div class="access-notes"><p>Lift to the first floor.</p></div>' in english


def test_cancellation_reason_given_in_both_languages_reaches_each_reader_in_theirs(
    client, organiser, organised_event, django_capture_on_commit_callbacks
):
    welsh, english = UserFactory(preferred_language="cy"), UserFactory(preferred_language="en")
    for member in (welsh, english):
        services.register_attendee(event=organised_event, user=member)
    mail.outbox.clear()
    client.force_login(organiser)
    page = client.get(in_welsh("events:cancel", slug=organised_event.slug))
    assert '<textarea name="reason_cy" cols="40" rows="3" lang="cy"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            client,
            page,
            "#confirm-form",
            data={"reason_en": "The room flooded.", "reason_cy": "Llifogydd yn yr ystafell."},
        )
    assert response.status_code == 302
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Llifogydd yn yr ystafell." in bodies[welsh.email]
    assert "The room flooded." not in bodies[welsh.email]
    assert "The room flooded." in bodies[english.email]
    welsh_page = client.get(in_welsh("events:detail", slug=organised_event.slug)).content.decode()
    assert "<div><p>Llifogydd yn yr ystafell.</p></div>" in welsh_page


def test_a_cancellation_reason_in_english_only_is_marked_on_welsh_pages(client, organiser):
    event = EventFactory(title_en="Policy Cafe")
    EventRoleFactory(event=event, person=PersonFactory(user=organiser), role="organiser")
    services.cancel_event(event=event, user=organiser, reason_en="The room flooded.")
    html = client.get(in_welsh("events:detail", slug=event.slug)).content.decode()
    assert '<div lang="en"><p>The room flooded.</p></div>' in html


def test_form_needs_a_title_in_one_language_at_least(client, organiser, organised_event):
    client.force_login(organiser)
    page = client.get(in_english("events:edit", slug=organised_event.slug))
    response = submit_form(client, page, "#event-form", data={"title_en": "", "title_cy": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["title_en"] == [
        "Give the event a title, in English or in Welsh."
    ]
    welsh_only = submit_form(
        client, page, "#event-form", data={"title_en": "", "title_cy": "Caffi Polisi"}
    )
    assert welsh_only.status_code == 302
    with translation.override("en"):
        assert Event.objects.get(pk=organised_event.pk).title == "Caffi Polisi"


def test_form_shows_english_and_welsh_fields_labelled_in_the_page_language(
    client, organiser, organised_event
):
    client.force_login(organiser)
    html = client.get(in_welsh("events:edit", slug=organised_event.slug)).content.decode()
    assert "Teitl (Saesneg)" in html
    assert "Teitl (Cymraeg)" in html
    assert '<input type="text" name="title_cy" lang="cy"' in html


def test_duplicate_keeps_both_titles_unless_new_ones_are_given(client, organiser, organised_event):
    organised_event.title_cy = "Caffi Polisi"
    organised_event.save()
    client.force_login(organiser)
    page = client.get(in_english("events:duplicate", slug=organised_event.slug))
    response = submit_form(client, page, "#confirm-form", data={"title_en": "Policy Cafe II"})
    assert response.status_code == 302
    copy = Event.objects.exclude(pk=organised_event.pk).get()
    assert (copy.title_en, copy.title_cy) == ("Policy Cafe II", "Caffi Polisi")


# --- the text filter: both languages -------------------------------------------------------


@pytest.mark.parametrize("page_language", ["en", "cy"])
def test_text_filter_finds_words_in_either_language(page_language):
    cafe = EventFactory(title_en="Policy Cafe", title_cy="Caffi Polisi", summary_en="")
    welsh_only = EventFactory(title_en="", title_cy="Bore gyda Cynnal Cymru", summary_en="")
    EventFactory(title_en="Something else", summary_en="", summary_cy="")
    with translation.override(page_language):
        assert list(filter_events({"q": "caffi"}).qs) == [cafe]
        assert list(filter_events({"q": "policy"}).qs) == [cafe]
        assert list(filter_events({"q": "cynnal bore"}).qs) == [welsh_only]


# --- calendars: the page's language --------------------------------------------------------


def test_welsh_feed_has_welsh_summaries_and_english_feed_english_ones(client):
    event = EventFactory(title_en="Policy Cafe", title_cy="Caffi Polisi")
    english_only = EventFactory(title_en="Talking Points", title_cy="")
    # English first: its entries are kept, and the Welsh feed must not be served from them.
    english = parse_ics(client.get(in_english("events:feed")))
    welsh = parse_ics(client.get(in_welsh("events:feed")))
    assert sorted(str(e["SUMMARY"]) for e in english.events) == ["Policy Cafe", "Talking Points"]
    assert sorted(str(e["SUMMARY"]) for e in welsh.events) == ["Caffi Polisi", "Talking Points"]
    single = parse_ics(client.get(in_welsh("events:event_ics", slug=event.slug)))
    assert [str(e["SUMMARY"]) for e in single.events] == ["Caffi Polisi"]
    assert english_only.title_cy == ""


def test_link_previews_and_structured_data_speak_the_page_language(client):
    event = EventFactory(title_en="Policy Cafe", title_cy="Caffi Polisi", summary_cy="Sgwrs.")
    html = client.get(in_welsh("events:detail", slug=event.slug)).content.decode()
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block)
    assert (data["name"], data["description"]) == ("Caffi Polisi", "Sgwrs.")
    assert '<meta property="og:title" content="Caffi Polisi">' in html


def test_registration_and_organiser_pages_mark_a_title_in_the_other_language(
    client, organiser, organised_event
):
    client.force_login(organiser)
    title = organised_event.title_en
    cancel = client.get(in_welsh("events:cancel", slug=organised_event.slug)).content.decode()
    attendees = client.get(in_welsh("events:attendees", slug=organised_event.slug))
    mine = client.get(in_welsh("events:organising")).content.decode()
    assert f'<h1 lang="en">{title}</h1>' in cancel
    assert f'<span lang="en">{title}</span>' in attendees.content.decode()
    assert f'lang="en">{title}</a>' in mine


# --- order: by the names each language shows -----------------------------------------------

# name_en, name_cy: an English reader sees Arts, Bwyd, Welfare, Zebra crossings; a Welsh one
# Bwyd, Croesfannau sebra, Welfare, Y celfyddydau. Sorting by the page's column alone would put
# the name missing in it ("") first: Welfare first in Welsh, Bwyd first in English.
NAMES = [
    ("Zebra crossings", "Croesfannau sebra"),
    ("Welfare", ""),
    ("Arts", "Y celfyddydau"),
    ("", "Bwyd"),
]
SHOWN = {
    "en": ["Arts", "Bwyd", "Welfare", "Zebra crossings"],
    "cy": ["Bwyd", "Croesfannau sebra", "Welfare", "Y celfyddydau"],
}


def names_in(html: str, start: str, end: str) -> list[str]:
    """The names of SHOWN found between `start` and the next `end`, in page order."""
    part = html[html.index(start) :]
    part = part[: part.index(end)]
    names = {name for shown in SHOWN.values() for name in shown}
    found = {n: re.search(f">{n}[< ]", part) for n in names}
    return sorted((n for n in names if found[n]), key=lambda n: found[n].start())


@pytest.fixture
def named_rows():
    themes = [ThemeFactory(name_en=en, name_cy=cy) for en, cy in NAMES]
    series = [SeriesFactory(name_en=en, name_cy=cy) for en, cy in NAMES]
    event = EventFactory(title_en="Policy Cafe", themes=themes, series=series[0])
    return {"event": event}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_theme_and_series_lists_follow_the_names_the_reader_sees(client, named_rows, language):
    def get(url_name, **kwargs):
        with translation.override(language):
            url = reverse(url_name, kwargs=kwargs or None)
        return client.get(url).content.decode()

    event_page = get("events:detail", slug=named_rows["event"].slug)
    listing = get("events:list")
    theme_index = get("events:theme_list")
    home = get("home")
    assert names_in(event_page, 'aria-labelledby="event-themes"', "</section>") == SHOWN[language]
    assert names_in(listing, '<select name="theme"', "</select>") == SHOWN[language]
    assert names_in(listing, '<select name="series"', "</select>") == SHOWN[language]
    assert names_in(listing, 'class="event-card', "</article>") == SHOWN[language]
    assert names_in(theme_index, 'class="theme-grid"', "</ul>") == SHOWN[language]
    assert names_in(home, 'aria-labelledby="home-themes"', "</section>") == SHOWN[language]


def test_cached_home_and_list_keep_each_language_in_its_own_order(client, named_rows):
    """Home's theme chips and the list's menus are shared fragments (core/fragments.py): each
    language is rendered and kept on its own, whichever language filled the cache first."""
    pages = {}
    for language in ["en", "cy", "en", "cy"]:  # the second round is served from the cache
        with translation.override(language):
            home, listing = reverse("home"), reverse("events:list")
        pages.setdefault(language, []).append(
            (
                names_in(client.get(home).content.decode(), 'id="home-themes"', "</section>"),
                names_in(client.get(listing).content.decode(), '<select name="theme"', "</select>"),
            )
        )
    assert pages == {
        "en": [(SHOWN["en"], SHOWN["en"])] * 2,
        "cy": [(SHOWN["cy"], SHOWN["cy"])] * 2,
    }
