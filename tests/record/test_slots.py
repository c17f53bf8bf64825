"""record/slots.py: apps above record show things on the record page without record importing
them (the visuals gallery and pins are the working example: tests/visuals/test_panels.py)."""

import pytest

from record import slots


def test_visuals_fill_the_record_page():
    assert [p.template for p in slots.record_panels("main")] == ["visuals/_event_panel.html"]
    assert [p.template for p in slots.item_panels("agenda_item")] == ["visuals/_pinned.html"]
    assert [p.template for p in slots.item_panels("outcome")] == ["visuals/_pinned.html"]


def test_unknown_slots_and_item_kinds_are_refused():
    with pytest.raises(ValueError, match="Unknown record page slot"):
        slots.register_record_panel(slot="footer", template="x.html")
    with pytest.raises(ValueError, match="Unknown record item kind"):
        slots.register_item_panel(kind="priority", template="x.html", context=dict)
    with pytest.raises(ValueError, match="Unknown record page slot"):
        slots.record_panels("footer")
    with pytest.raises(ValueError, match="Unknown record item kind"):
        slots.item_panels("priority")
