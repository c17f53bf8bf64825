"""visuals/panels.py on the record page: the gallery, and visuals pinned beside agenda items and
outcomes (through record/slots.py: record never imports visuals)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from record.models import AgendaItem, EventRecord, Outcome
from tests.factories import VisualFactory


def record_page(client, event):
    return client.get(reverse("record:event", kwargs={"slug": event.slug}))


@pytest.fixture
def recorded_event(drawn_event):
    EventRecord.objects.create(event=drawn_event, summary="We talked.", published_at=timezone.now())
    return drawn_event


def section(html: str, element_id: str) -> str:
    """The <li> with `element_id` (agenda item or outcome), up to the next one."""
    start = html.index(f'id="{element_id}"')
    ends = [html.find(mark, start + 1) for mark in ('id="agenda-item-', 'id="outcome-', "</ol>")]
    return html[start : min(end for end in ends if end > 0)]


@pytest.mark.django_db
def test_record_page_shows_the_gallery_responsive_and_lazy(client, recorded_event):
    drawing = VisualFactory(event=recorded_event, title="Ok so what's your policy?")
    VisualFactory(event=recorded_event, title="Draft", published_at=None, alt_text="")

    page = record_page(client, recorded_event).text

    assert "Drawings, photos and materials" in page
    assert drawing.get_absolute_url() in page
    assert "Draft" not in page
    img = re.search(r'<img [^>]*class="visual-tile__img"[^>]*>', page).group(0)
    assert 'loading="lazy"' in img
    assert f'width="{drawing.upload.width}" height="{drawing.upload.height}"' in img
    assert 'sizes="(min-width: 1200px) 245px' in img
    assert re.search(r'<source type="image/webp" srcset="[^"]+ 320w, ', page)


@pytest.mark.django_db
def test_pinned_visuals_show_beside_their_agenda_item_and_outcome(client, recorded_event):
    talk = AgendaItem.objects.create(
        event=recorded_event, starts_at="18:30", title="Talking Points"
    )
    other_item = AgendaItem.objects.create(event=recorded_event, starts_at="19:00", title="Tea")
    outcome = Outcome.objects.create(event=recorded_event, kind="action", title="Share it")
    other_outcome = Outcome.objects.create(event=recorded_event, kind="action", title="Other")
    on_talk = VisualFactory(event=recorded_event, title="The talk, drawn", agenda_item=talk)
    on_outcome = VisualFactory(event=recorded_event, title="The promise", outcome=outcome)
    VisualFactory(event=recorded_event, title="Unpinned")

    page = record_page(client, recorded_event).text

    beside_talk = section(page, f"agenda-item-{talk.pk}")
    assert on_talk.get_absolute_url() in beside_talk
    assert on_talk.alt_text in beside_talk
    assert 'loading="lazy"' in beside_talk
    assert "visual-pins" not in section(page, f"agenda-item-{other_item.pk}")
    beside_outcome = section(page, f"outcome-{outcome.pk}")
    assert on_outcome.get_absolute_url() in beside_outcome
    assert on_talk.get_absolute_url() not in beside_outcome
    assert "visual-pins" not in section(page, f"outcome-{other_outcome.pk}")


@pytest.mark.django_db
def test_pins_stay_off_the_event_page_and_the_series_outcomes(client, recorded_event):
    from tests.factories import SeriesFactory

    recorded_event.series = SeriesFactory()
    recorded_event.save()
    talk = AgendaItem.objects.create(event=recorded_event, starts_at="18:30", title="Talk")
    outcome = Outcome.objects.create(event=recorded_event, kind="action", title="Share it")
    VisualFactory(event=recorded_event, agenda_item=talk, outcome=outcome)

    event_page = client.get(recorded_event.get_absolute_url()).text
    series_page = client.get(
        reverse("record:series_outcomes", kwargs={"slug": recorded_event.series.slug})
    ).text
    assert "visual-pins" not in event_page
    assert "Share it" in series_page
    assert "visual-pins" not in series_page


@pytest.mark.django_db
def test_pins_beyond_the_gallerys_rows_are_still_shown(client, recorded_event, monkeypatch):
    from visuals import panels

    monkeypatch.setattr(panels, "PANEL_ROWS", 2)
    talk = AgendaItem.objects.create(event=recorded_event, starts_at="18:30", title="Talk")
    VisualFactory.create_batch(2, event=recorded_event)
    late = VisualFactory(event=recorded_event, title="Drawn last", agenda_item=talk)

    page = record_page(client, recorded_event).text

    assert late.get_absolute_url() in section(page, f"agenda-item-{talk.pk}")


def queries(client, event) -> int:
    cache.clear()  # count the misses of cached parts each time
    with CaptureQueriesContext(connection) as captured:
        response = record_page(client, event)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_record_page_queries_do_not_grow_with_visuals_and_pins(client, recorded_event, organiser):
    def add(count):
        for i in range(count):
            item = AgendaItem.objects.create(event=recorded_event, starts_at="18:30", title=f"A{i}")
            outcome = Outcome.objects.create(event=recorded_event, kind="action", title=f"O{i}")
            VisualFactory(event=recorded_event, agenda_item=item, outcome=outcome)
            VisualFactory(event=recorded_event)

    add(1)
    one = queries(client, recorded_event)
    add(14)
    assert queries(client, recorded_event) == one
    client.force_login(organiser)
    assert queries(client, recorded_event) <= one + 8  # the organiser's session and user rows
