"""Demo data for the record, from the seed post (../shared/seed-post.txt), so `make run` shows a
whole cycle:

- before the round-table (upcoming): the front line's priorities with dots, the top one promoted
  to the agenda as "What the front line told us";
- the Policy Cafe re-launch (a fortnight ago): its published record, with the priorities people
  brought, the outcomes on the core economy (in progress) and on learning from Scotland's Talking
  Points (done), notes with their credit, and a pulse;
- the next Policy Cafe (upcoming) therefore opens with "Previously".

Idempotent: an event that already has priorities or a record is left alone. Writes rows directly
(the services refuse priorities for a past event, which is exactly what a demo needs to show).
"""

from datetime import time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from discussions.models import Thread
from events.models import Event, Registration, Theme
from people.models import Person, User
from record.models import (
    AgendaItem,
    Ballot,
    Contribution,
    Dot,
    EventRecord,
    Outcome,
    OutcomeUpdate,
    Priority,
    Profile,
    PulseResponse,
)

ROUND_TABLE = "round-table-service-user-empowerment"
RELAUNCH = "policy-cafe-re-launch"

# (text, kind, theme slug, dots from the demo voters in order)
ROUND_TABLE_PRIORITIES = [
    (
        "The National Outcomes Framework should move from top-down, performance-based RBA "
        "to a bottom-up, relationship-centred approach.",
        Priority.Kind.PRIORITY,
        "relationship-centred-outcomes",
        [2, 2, 1, 2, 1],
    ),
    (
        "Can we learn from Scotland's Talking Points Personal Outcomes Approach, and from the "
        "challenges they faced putting it into practice?",
        Priority.Kind.QUESTION,
        "relationship-centred-outcomes",
        [1, 1, 1, 0, 1],
    ),
    (
        "Service users need a say in how 'empowerment' is measured, not just in the services.",
        Priority.Kind.PRIORITY,
        "how-citizens-can-wrest-power-from-governments",
        [0, 0, 1, 1, 1],
    ),
]
RELAUNCH_PRIORITIES = [
    (
        "Reassert the value of the core economy over the money economy.",
        Priority.Kind.PRIORITY,
        "core-economy-over-money-economy",
        [2, 1, 1, 2, 1],
    ),
    (
        "Is co-production just reinventing the wheel?",
        Priority.Kind.QUESTION,
        "co-production-or-reinventing-the-wheel",
        [1, 1, 0, 1, 0],
    ),
    (
        "How do we work with risk-averse cultures in public bodies?",
        Priority.Kind.QUESTION,
        "risk-averse-cultures",
        [0, 1, 2, 0, 1],
    ),
]
PERSPECTIVES = ["practitioner", "citizen", "researcher", "practitioner", "third_sector"]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _voters() -> list[User]:
    emails = [
        "attendee@example.org",
        "rhian.demo@example.org",
        "gareth.demo@example.org",
        "amira.demo@example.org",
        "huw.demo@example.org",
        "lowri.demo@example.org",
    ]
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [users[e] for e in emails if e in users][:5]


def _priorities(event: Event, specs, voters: list[User], created_at) -> list[Priority]:
    themes = {t.slug: t for t in Theme.objects.all()}
    items = []
    for index, (text, kind, theme, dots) in enumerate(specs):
        item = Priority.objects.create(
            event=event,
            author=voters[index % len(voters)],
            text=text,
            kind=kind,
            theme=themes.get(theme),
            created_at=created_at + timedelta(hours=index),
        )
        for voter, count in zip(voters, dots, strict=False):
            if not count:
                continue
            ballot, _created = Ballot.objects.get_or_create(event=event, user=voter)
            Dot.objects.create(ballot=ballot, priority=item, count=count)
            Ballot.objects.filter(pk=ballot.pk).update(dots_used=F("dots_used") + count)
            item.dot_count += count
        item.save(update_fields=["dot_count"])
        items.append(item)
    return items


def _round_table(event: Event, voters: list[User]) -> None:
    items = _priorities(event, ROUND_TABLE_PRIORITIES, voters, timezone.now() - timedelta(days=5))
    agenda = AgendaItem.objects.create(
        event=event,
        starts_at=time(10, 15),
        ends_at=time(11, 0),
        title="What the front line told us",
        description="Ruth passes on the priorities people on the front line raised beforehand.",
    )
    agenda.presenters.set(Person.objects.filter(slug="ruth-dineen"))
    agenda.themes.set(Theme.objects.filter(slug="relationship-centred-outcomes"))
    agenda.priorities.set(items[:2])


def _relaunch(event: Event, voters: list[User]) -> None:
    organiser = User.objects.filter(email="sophie@example.org").first()
    items = _priorities(event, RELAUNCH_PRIORITIES, voters, event.starts_at - timedelta(days=6))
    record = EventRecord.objects.for_event(event)
    record.summary = (
        "A packed room of practitioners and researchers, the converted and the sceptical. We "
        "asked whether co-production is the wheel reinvented or neo-liberal dogma, how citizens "
        "can take power rather than be consulted, and why public bodies find it hard to share "
        "control. The liveliest thread was the value of the core economy (the time, care and "
        "skills people give each other) next to the money economy: it opens the next cafe. "
        "Chris Glynn drew the responses as they came."
    )
    record.published_at = event.ends_at + timedelta(days=2)
    record.published_by = organiser
    record.credit_review_sent_at = event.ends_at + timedelta(days=1)
    record.save()
    themes = {t.slug: t for t in Theme.objects.all()}
    threads = list(Thread.objects.filter(board__event=event).order_by("pk")[:2])
    specs = [
        {
            "kind": Outcome.Kind.PASSED_ON,
            "title": "Take the core economy to the next Policy Cafe and to Welsh Government",
            "description": "Make the case for valuing the time, care and skills people give "
            "each other, with Time Credits as the worked example.",
            "owner": "Policy Cafe organisers, Cardiff University",
            "due_on": (event.starts_at + timedelta(days=60)).date(),
            "themes": ["core-economy-over-money-economy"],
            "priorities": [items[0]],
            "history": [
                ("open", "", 2),
                ("in_progress", "Booked as the theme of the next cafe; Spice will present.", 9),
            ],
        },
        {
            "kind": Outcome.Kind.ACTION,
            "title": "Learn from Scotland's Talking Points Personal Outcomes Approach",
            "description": "Invite Scottish colleagues to share the model and what was hard about "
            "putting a relationship-centred approach into practice.",
            "owner": "Ruth Dineen, Co-production Wales",
            "due_on": (event.starts_at + timedelta(days=30)).date(),
            "themes": ["relationship-centred-outcomes"],
            "priorities": [],
            "history": [
                ("open", "", 2),
                ("done", "An online seminar with colleagues from Scotland is arranged.", 10),
            ],
        },
        {
            "kind": Outcome.Kind.OPEN_QUESTION,
            "title": "Is co-production reinventing the wheel, or something new?",
            "description": "Left open on purpose: it continues on the board.",
            "owner": "",
            "due_on": None,
            "themes": ["co-production-or-reinventing-the-wheel"],
            "priorities": [items[1]],
            "history": [("open", "", 2)],
        },
    ]
    for spec in specs:
        history = spec.pop("history")
        theme_slugs, answered = spec.pop("themes"), spec.pop("priorities")
        last_status, _note, last_day = history[-1]
        outcome = Outcome.objects.create(
            event=event,
            status=last_status,
            status_changed_at=event.ends_at + timedelta(days=last_day),
            created_at=event.ends_at + timedelta(days=history[0][2]),
            **spec,
        )
        outcome.themes.set([themes[s] for s in theme_slugs if s in themes])
        outcome.priorities.set(answered)
        outcome.threads.set(threads)
        OutcomeUpdate.objects.bulk_create(
            OutcomeUpdate(
                outcome=outcome,
                status=status,
                note=note,
                created_at=event.ends_at + timedelta(days=day),
                created_by=organiser,
            )
            for status, note, day in history
        )
    becky = Person.objects.filter(slug="becky-booth").first()
    Contribution.objects.bulk_create(
        [
            Contribution(
                event=event,
                person=becky,
                text="Time Credits turn what people already give into something services can see.",
                credit=Contribution.Credit.NAMED,
                review_sent_at=event.ends_at + timedelta(days=1),
            ),
            Contribution(
                event=event,
                text="We keep being consulted; we want to be asked before the plan exists.",
                credit=Contribution.Credit.ANONYMISED,
            ),
            Contribution(
                event=event,
                text="Public bodies are not risk-averse by nature: they are punished for "
                "failures and never for missed chances.",
                credit=Contribution.Credit.NOT_ATTRIBUTED,
            ),
        ]
    )
    for voter, perspective, (heard, change) in zip(
        voters, PERSPECTIVES, [(5, 4), (4, 3), (4, 4), (5, 3), (3, 2)], strict=False
    ):
        Profile.objects.get_or_create(user=voter, defaults={"perspective": perspective})
        Registration.objects.get_or_create(
            event=event, user=voter, defaults={"state": Registration.State.CONFIRMED}
        )
        PulseResponse.objects.get_or_create(
            event=event, user=voter, defaults={"heard": heard, "change": change}
        )


@transaction.atomic
def load(*, stdout=None) -> None:
    voters = _voters()
    if not voters:
        _say(stdout, "Record demo skipped: load the events and discussions demos first.")
        return
    done = []
    round_table = Event.objects.filter(slug=ROUND_TABLE).first()
    if round_table and not round_table.priorities.exists():
        _round_table(round_table, voters)
        done.append(round_table.title)
    relaunch = Event.objects.filter(slug=RELAUNCH).first()
    if relaunch and not EventRecord.objects.filter(event=relaunch).exists():
        _relaunch(relaunch, voters)
        done.append(relaunch.title)
    _say(stdout, f"Record demo: {len(done)} events given priorities or a record.")
