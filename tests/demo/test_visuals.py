"""demo/visuals.py: the re-launch's graphic recordings, drawn by Pillow, with alt text."""

import io

import pytest
from django.core.files.storage import storages
from PIL import Image

from demo import events as events_demo
from demo import visuals as demo
from events.models import Event

pytestmark = pytest.mark.django_db


def test_the_relaunch_gets_four_published_drawings_with_alt_text_and_transcripts():
    events_demo.load()
    out = io.StringIO()

    assert demo.load(stdout=out) == 4

    event = Event.objects.get(slug=demo.EVENT_SLUG)
    visuals = list(event.visuals.in_order().select_related("upload", "credit_person"))
    assert [v.title for v in visuals] == [d["title"] for d in demo.DRAWINGS]
    for visual in visuals:
        assert visual.is_published
        assert visual.publish_problems() == {}
        assert visual.transcript.startswith("Heading: ")
        assert visual.credit == "Chris Glynn"
        assert (visual.upload.width, visual.upload.height) == (1800, 1200)
        assert sorted(visual.upload.variants, key=int) == ["320", "480", "768", "1024", "1600"]
        with storages["default"].open(visual.upload.variants["768"]["webp"]) as f:
            assert Image.open(f).size == (768, 512)
    assert event.cover_id == visuals[0].upload_id
    assert out.getvalue() == f"Drew 4 graphic recordings for {event.title}."


def test_loading_again_adds_nothing():
    events_demo.load()
    demo.load()

    assert demo.load() == 0
    assert Event.objects.get(slug=demo.EVENT_SLUG).visuals.count() == 4


def test_two_drawings_are_pinned_beside_the_outcomes_they_fed():
    from demo import record as record_demo

    events_demo.load()
    record_demo.load()
    demo.load()

    event = Event.objects.get(slug=demo.EVENT_SLUG)
    pinned = event.visuals.pinned().in_order().select_related("outcome")
    assert [(v.title, v.outcome.title[:22]) for v in pinned] == [
        ("Core economy vs money economy", "Take the core economy "),
        ("Co-production or reinventing the wheel?", "Is co-production reinv"),
    ]
