from django.core.management import call_command
from django.urls import reverse

from record.models import AgendaItem, EventRecord, Outcome, Priority


def test_demo_shows_a_whole_cycle_and_loads_twice(client, db):
    call_command("load_demo", stdout=None)
    call_command("load_demo", stdout=None)
    relaunch = EventRecord.objects.published().get().event
    assert relaunch.slug == "policy-cafe-re-launch"
    assert sorted(Outcome.objects.filter(event=relaunch).values_list("kind", "status")) == [
        ("action", "done"),
        ("open_question", "open"),
        ("passed_on", "in_progress"),
    ]
    round_table = AgendaItem.objects.get().event
    assert round_table.slug == "round-table-service-user-empowerment"
    assert Priority.objects.filter(event=round_table).count() == 3
    next_cafe = client.get(reverse("events:detail", kwargs={"slug": "policy-cafe-core-economy"}))
    assert "Previously" in next_cafe.text
    assert "Take the core economy to the next Policy Cafe" in next_cafe.text
