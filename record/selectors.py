"""Reads of the record: outcome lists by scope, "Previously", the priorities board, breakdowns."""

from collections import defaultdict
from statistics import mean

from django.core.paginator import Paginator
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from events.models import Event, Series, Theme
from people.models import Organisation
from record.filters import OutcomeFilter
from record.models import (
    BREAKDOWN_MIN_GROUP,
    AgendaItem,
    Dot,
    Outcome,
    OutcomeUpdate,
    Priority,
    Profile,
    PulseResponse,
)

OUTCOMES_PAGE_SIZE = 20
PREVIOUSLY_LIMIT = 5
FEED_LIMIT = 50


def outcomes_in_scope(scope, *, drafts=False) -> "OutcomeQuerySet":  # noqa: F821
    """Public outcomes of one event, or of a series', theme's or host organisation's events.

    `drafts`: an event's outcomes before its record is published (for its organisers' preview).
    """
    if isinstance(scope, Event):
        return (Outcome.objects.all() if drafts else Outcome.objects.public()).filter(event=scope)
    qs = Outcome.objects.public()
    if isinstance(scope, Series):
        return qs.filter(event__series=scope)
    if isinstance(scope, Theme):
        # An outcome counts for a theme it carries, or that its event carries.
        return qs.filter(
            Q(pk__in=Outcome.objects.filter(themes=scope).values("pk"))
            | Q(event__in=Event.objects.filter(themes=scope).values("pk"))
        )
    if isinstance(scope, Organisation):
        return qs.filter(event__hosts=scope)
    raise TypeError(scope)


def outcome_list(scope, params, page_number, *, drafts=False) -> dict:
    """One page of a scope's outcomes (filtered) with the counts by status of the whole scope.

    Three queries whatever the size: counts, the page's rows with events, their themes and their
    histories (prefetches), plus the paginator's count.
    """
    base = outcomes_in_scope(scope, drafts=drafts)
    counts = base.status_counts()
    outcome_filter = OutcomeFilter(params, queryset=base)
    qs = outcome_filter.qs if outcome_filter.is_valid() else base.none()
    page = Paginator(
        qs.with_listing_data().order_by("-status_changed_at", "-pk"), OUTCOMES_PAGE_SIZE
    )
    page = page.get_page(page_number)
    return {
        "filter": outcome_filter,
        "page_obj": page,
        "outcomes": page.object_list,
        "status_counts": [(value, label, counts[value]) for value, label in Outcome.Status.choices],
        "total": sum(counts.values()),
    }


def recent_updates(scope, limit=FEED_LIMIT):
    """The latest history entries of a scope's public outcomes (for its Atom feed)."""
    outcomes = outcomes_in_scope(scope).values("pk")
    return list(
        OutcomeUpdate.objects.filter(outcome__in=outcomes)
        .select_related("outcome__event")
        .order_by("-created_at", "-pk")[:limit]
    )


def previous_in_series(event: Event):
    """The series' public event before this one (not cancelled), or None."""
    if event.series_id is None:
        return None
    return (
        Event.objects.public()
        .filter(series_id=event.series_id, starts_at__lt=event.starts_at)
        .exclude(pk=event.pk)
        .exclude(status=Event.Status.CANCELLED)
        .order_by("-starts_at", "-pk")
    )


def previously(event: Event) -> dict | None:
    """The open outcomes and unanswered priorities of the series' event before this one.

    One query when the previous event left nothing open (the common case): the lists are
    fetched only when its row says they exist.
    """
    candidates = previous_in_series(event)
    if candidates is None:
        return None
    open_outcomes = Outcome.objects.public().still_open().filter(event=OuterRef("pk"))
    unanswered = Priority.objects.unanswered().filter(event=OuterRef("pk"))
    previous = candidates.annotate(
        has_open=Exists(open_outcomes), has_unanswered=Exists(unanswered)
    ).first()
    if previous is None or not (previous.has_open or previous.has_unanswered):
        return None
    outcomes = priorities = []
    if previous.has_open:
        outcomes = list(
            Outcome.objects.public()
            .still_open()
            .filter(event=previous)
            .select_related("event")  # each links to the record page by its event's slug
            .order_by("due_on", "pk")[:PREVIOUSLY_LIMIT]
        )
    if previous.has_unanswered:
        priorities = list(
            Priority.objects.unanswered().filter(event=previous).by_dots()[:PREVIOUSLY_LIMIT]
        )
    return {"previous": previous, "open_outcomes": outcomes, "unanswered": priorities}


def agenda(event: Event) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(event=event).prefetch_related(
            "presenters",
            "themes",
            Prefetch("priorities", queryset=Priority.objects.order_by("-dot_count", "pk")),
        )
    )


def priority_board(event: Event, user, *, limit=None) -> dict:
    """The shown items by dots with the viewer's dots on each, and the viewer's hidden items.

    One query: the viewer's hidden items come in the same list, and their dots on each item
    as a subquery.
    """
    shown = Q(hidden_at__isnull=True, merged_into__isnull=True)
    qs = Priority.objects.filter(event=event).select_related("theme")
    if user.is_authenticated:
        mine = Dot.objects.filter(priority=OuterRef("pk"), ballot__user=user).values("count")
        qs = qs.filter(shown | Q(author=user, hidden_at__isnull=False)).annotate(
            my_dots=Coalesce(Subquery(mine[:1]), 0)
        )
    else:
        qs = qs.filter(shown).annotate(my_dots=Value(0))
    rows = list(qs.by_dots())
    items = [item for item in rows if item.is_shown]
    return {
        "items": items[:limit] if limit else items,
        "item_count": len(items),
        "hidden_mine": [item for item in rows if item.is_hidden],
        "my_dots_used": sum(item.my_dots for item in items),
    }


def _perspectives(user_ids) -> dict[int, str]:
    return dict(
        Profile.objects.filter(user_id__in=user_ids)
        .exclude(perspective="")
        .values_list("user_id", "perspective")
    )


def pulse_summary(event: Event) -> dict:
    """Averages over everyone, and by perspective for groups of BREAKDOWN_MIN_GROUP or more.

    Smaller groups are never shown on their own (with four people, an average is close to a
    quote); they count only in the overall figures and in `withheld`.
    """
    rows = list(PulseResponse.objects.filter(event=event).values_list("user_id", "heard", "change"))
    overall = PulseResponse.objects.filter(event=event).aggregate(
        n=Count("pk"), heard=Avg("heard"), change=Avg("change")
    )
    perspectives = _perspectives([row[0] for row in rows])
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for user_id, heard, change in rows:
        groups[perspectives.get(user_id, "")].append((heard, change))
    labels = dict(Profile.Perspective.choices)
    shown = [
        {
            "label": label,
            "n": len(answers),
            "heard": mean(a[0] for a in answers),
            "change": mean(a[1] for a in answers),
        }
        for value, label in labels.items()
        if len(answers := groups.get(value, [])) >= BREAKDOWN_MIN_GROUP
    ]
    withheld = len(rows) - sum(group["n"] for group in shown)
    return {"overall": overall, "groups": shown, "withheld": withheld}


def priority_breakdown(event: Event, *, top=3) -> list[dict]:
    """Per perspective with BREAKDOWN_MIN_GROUP or more voters: the items it put most dots on."""
    rows = list(
        Dot.objects.filter(ballot__event=event, priority__hidden_at__isnull=True)
        .values("ballot__user_id", "priority_id")
        .annotate(n=Sum("count"))
    )
    perspectives = _perspectives({row["ballot__user_id"] for row in rows})
    voters: dict[str, set[int]] = defaultdict(set)
    dots: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        perspective = perspectives.get(row["ballot__user_id"])
        if not perspective:
            continue
        voters[perspective].add(row["ballot__user_id"])
        dots[perspective][row["priority_id"]] += row["n"]
    shown = [p for p in Profile.Perspective.values if len(voters[p]) >= BREAKDOWN_MIN_GROUP]
    wanted = {pk for p in shown for pk in dots[p]}
    texts = dict(Priority.objects.filter(pk__in=wanted).values_list("pk", "text"))
    labels = dict(Profile.Perspective.choices)
    return [
        {
            "label": labels[p],
            "n": len(voters[p]),
            "items": [
                (texts[pk], n)
                for pk, n in sorted(dots[p].items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            ],
        }
        for p in shown
    ]
