"""events/panels.py: apps above `events` add panels to the event page through its slots."""

import pytest
from django.urls import reverse

from events import panels
from tests.factories import EventFactory


@pytest.fixture
def restore_panels():
    saved = {slot: list(registered) for slot, registered in panels._panels.items()}
    yield
    panels._panels.update(saved)


def test_the_visuals_and_board_panels_are_registered_in_the_main_slot():
    assert [p.template for p in panels.event_panels("main")] == [
        "record/_previously_panel.html",
        "record/_agenda_panel.html",
        "record/_priorities_panel.html",
        "record/_record_panel.html",
        "visuals/_event_panel.html",
        "discussions/_event_board_panel.html",
    ]


def test_a_registered_panel_renders_with_its_context_and_hides_when_it_returns_none(
    client, db, restore_panels, tmp_path, settings
):
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "_panel.html").write_text(
        '<section id="probe-panel">{{ event.title }} / {{ greeting }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    shown = EventFactory(title="Policy Cafe")
    hidden = EventFactory(title="Round-table")
    panels.register_event_panel(
        slot="aside",
        template="probe/_panel.html",
        context=lambda request, event: {"greeting": "Shwmae"} if event == shown else None,
    )

    page = client.get(reverse("events:detail", args=[shown.slug])).content.decode()
    assert '<section id="probe-panel">Policy Cafe / Shwmae</section>' in page
    assert (
        "probe-panel"
        not in client.get(reverse("events:detail", args=[hidden.slug])).content.decode()
    )


def test_an_unknown_slot_is_refused():
    with pytest.raises(ValueError, match="Unknown event page slot"):
        panels.register_event_panel(slot="footer", template="x.html")
