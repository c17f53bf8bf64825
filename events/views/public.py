"""Public pages: home, the event list, an event, and the pages of themes, series, people, hosts."""

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import fragments, skeletons
from core.ratelimit import count_recent
from events import selectors, services
from events.forms_people import RemovalRequestForm
from events.models import Series, Theme
from events.signals import EVENTS_MARKER
from events.structured_data import event_json_ld
from people.middleware import pending_user_keys, session_hint
from people.models import Affiliation, Organisation

THEMES_PAGE_SIZE = 60


def _events_fragment(request, name, render_content):
    """`render_content()`, the same for every reader of this address, once per change of the
    events (selectors.events_version), language and query string (core/fragments.py)."""
    return fragments.shared_fragment(
        request,
        name,
        selectors.events_version(),
        [request.path, request.GET.urlencode()],
        render_content,
    )


def _events_page(request, template_name, name, context):
    """A page showing events that is the same for every reader of an address but for the
    base layout's personal parts: kept whole as a skeleton (core/skeletons.py) under the
    events' version; on a hit `context()` is not called (no FilterSet, no queries).

    One round trip on a hit: the events' version and the skeleton are read with the session
    and the member's account when this process knows whom the session names (a visitor's
    skeleton when there is no session)."""
    parts = [request.path, request.GET.urlencode()]
    with fragments.batch():
        if fragments.enabled():
            hint = session_hint(request)
            if hint is not None or request.session.session_key is None:
                audience = "visitor" if hint is None else "member"
                kinds, keys = hint[1:] if hint is not None else ([], [])
                fragments.prefetch(
                    kinds=[EVENTS_MARKER, *kinds],
                    keys=[
                        selectors.NEXT_END_KEY,
                        skeletons.kept_page_key(request, name, [*parts, audience]),
                        *keys,
                    ],
                )
        key = skeletons.kept_page_key(request, name, [*parts, skeletons.audience(request)])
        return skeletons.render_kept_page(
            request,
            template_name,
            name=name,
            key=key,
            version=selectors.events_version(),
            stored=fragments.get(key),
            context=context,
            personal=dict,
        )


def home(request):
    """The next upcoming events and the themes."""

    def context():
        def render_content():
            context = {"events": selectors.home_events(), "themes": selectors.home_themes()}
            return render_to_string("_home_content.html", context, request)

        content = _events_fragment(request, "events:home", render_content)
        return {"content": mark_safe(content)}  # our template's

    return _events_page(request, "home.html", "events:home-page", context)


def event_list(request):
    """Events matching the query string; invalid parameters show errors and no events.

    The content (filter form, cards, pagination) is the same for every reader of a query
    string: on a hit the FilterSet is not even built.
    """

    def render_listing():
        event_filter = selectors.filter_events(request.GET)
        page = selectors.paginate(event_filter.qs, request.GET.get("page"))
        context = {"filter": event_filter, "page_obj": page, "events": page.object_list}
        content = render_to_string("events/_event_list_content.html", context, request)
        return {"content": content, "past": event_filter.effective_when == "past"}

    def context():
        listing = _events_fragment(request, "events:list", render_listing)
        listing["content"] = mark_safe(listing["content"])  # rendered by our template above
        return {"listing": listing}

    return _events_page(request, "events/event_list.html", "events:list-page", context)


def event_page_context(request, event) -> dict:
    """What the event page shows but the reader's own parts (`event_personal_context`)."""
    url = request.build_absolute_uri(event.get_absolute_url())
    return {
        "event": event,
        # Callables: evaluated only where a shared part is rendered, not on a cache hit.
        "listed_event": event.listing_data,
        "canonical_url": url,
        # The shared parts of the page (`{% shared %}`) show nothing that changes with the
        # clock: the events marker alone is their version.
        "event_version": fragments.markers(EVENTS_MARKER),
        "series_events": selectors.other_events_in_series(event),
        "json_ld": lambda: event_json_ld(
            event.listing_data(), url=url, absolute=request.build_absolute_uri
        ),
    }


def event_detail(request, slug):
    """One event; drafts exist only for those who may edit them.

    The page is kept as a skeleton (core/skeletons.py) per audience: every reader gets the
    shared text and has only their own parts rendered (account links, registration, the panels
    that show their dots and follows, organiser tools).
    """
    page_keys = {}

    def page_key(parts: list) -> str:  # a digest: computed once per request
        if (found := page_keys.get(tuple(parts))) is None:
            found = page_keys[tuple(parts)] = skeletons.kept_page_key(request, "event", parts)
        return found

    with fragments.batch():  # each marker and kept value read once, most in one round trip
        # The session comes with the rest when this process knows whom it names; else first.
        hint = session_hint(request)
        if hint is None:
            account = pending_user_keys(request)  # reads the session
            reader_id = _session_user_id(request) if account else None
        else:
            reader_id = hint[0]
        # Everything the page will read, named from the row this process read last time for
        # the slug: the row, the member's account, their place and follows, the panels' reads
        # and the skeleton (a plain member's, or a visitor's), in one round trip. A hint only:
        # what changed since is read again below, with its own keys.
        learnt = selectors.learnt_page_event(slug)
        if learnt is not None and fragments.enabled():
            kinds, keys = selectors.event_page_reads(request, learnt, reader_id)
            audience = "visitor" if reader_id is None else "member"
            keys.append(page_key([learnt.pk, audience]))
            if hint is not None:
                kinds, keys = kinds + hint[1], keys + hint[2]
            elif account:
                kinds, keys = kinds + account[0], keys + [account[1]]
            kinds, keys = (
                kinds + selectors.PAGE_EVENT_MARKERS,
                keys + [selectors.page_event_key(slug)],
            )
            fragments.prefetch(kinds=kinds, keys=keys)
        if hint is not None:
            account = pending_user_keys(request)  # the session, read above with the rest
            if account is None or int(_session_user_id(request) or 0) != reader_id:
                reader_id = -1  # the session named someone else: their reads are read below
        also_read = (account[0], [account[1]]) if account else None

        def page_reads(event):
            user = request.user
            if (
                learnt is not None
                and _reads_basis(event) == _reads_basis(learnt)
                and reader_id == (user.pk if user.is_authenticated else None)
                and _parts(request, event)[1] in ("member", "visitor")
            ):
                return [], []  # read above, with the row
            kinds, keys = selectors.event_page_reads(request, event)
            keys.append(page_key(_parts(request, event)))
            return kinds, keys

        event = selectors.event_for_page(
            slug, request.user, page_reads=page_reads, also_read=also_read
        )
        if event.is_draft:
            # Seen by its editors alone, while they change it: not worth keeping.
            return render(request, "events/event_detail.html", event_full_context(request, event))
        selectors.learn_page_event(slug, event)
        key = page_key(_parts(request, event))
        return skeletons.render_kept_page(
            request,
            "events/event_detail.html",
            name="event",
            key=key,
            version=selectors.event_page_version(event),
            stored=fragments.get(key),
            context=lambda: event_page_context(request, event),
            personal=lambda: event_personal_context(request, event),
        )


def _reads_basis(event) -> tuple:
    """What the event page's reads are named from (`selectors.event_page_reads`)."""
    return (event.pk, event.series_id, event.starts_at, event.ends_at, event.status)


def _parts(request, event) -> list:
    """What tells the event page's skeletons apart besides the address: the event, the audience."""
    return [event.pk, skeletons.audience(request)]


def _session_user_id(request) -> int | None:
    try:
        return int(request.session.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None


def event_full_context(request, event) -> dict:
    """Everything the event page shows (the organisers' preview shows the same)."""
    return {**event_page_context(request, event), **event_personal_context(request, event)}


def event_personal_context(request, event) -> dict:
    """What the reader's own parts of the event page need (the holes of its skeleton)."""
    registration = selectors.reader_registration(request, event)  # panel and link share it
    return {
        "event": event,
        "event_version": fragments.markers(EVENTS_MARKER),
        "my_registration": registration,
        "show_joining_link": event.can_see_joining_link(request.user, registration=registration),
    }


# The reader's own parts of the event page, kept per what tells their outputs apart
# (core/skeletons.py `kept`); the page's version covers the event itself and the minute.
def _place(context):
    """The reader's place as the page shows it; None for a waitlisted reader (their position
    is theirs alone)."""
    registration = context["my_registration"]
    if registration is None:
        return "none"
    return ("confirmed", registration.attendance) if registration.is_confirmed else None


def _registration_state(context):
    event, user = context["event"], context["request"].user
    place = _place(context)
    if place is None:
        return None
    return (
        place,
        event.confirmed_count,
        event.confirmed_online_count,
        event.registration_is_open,
        user.is_authenticated,
        event.can_edit(user),
    )


def _going_state(context):
    place = _place(context)
    return None if place is None else (place, context["event"].registration_is_open)


def _toolbar_state(context):
    # An editor's toolbar depends on what they may do: theirs alone.
    return None if context["event"].can_edit(context["request"].user) else "none"


def _joining_link_state(context):
    return bool(context["show_joining_link"])


for _name, _state in (
    ("event:registration", _registration_state),
    ("event:going", _going_state),
    ("event:organiser-toolbar", _toolbar_state),
    ("event:joining-link", _joining_link_state),
):
    skeletons.register_node_state("events/event_detail.html", _name, _state)


def theme_list(request):
    """Every theme, with how many events are coming up."""
    page = selectors.paginate(
        selectors.themes_with_counts(), request.GET.get("page"), per_page=THEMES_PAGE_SIZE
    )
    return render(request, "events/theme_list.html", {"page_obj": page, "themes": page})


def _timeline_page(request, template, name, obj, queryset, **extra):
    timeline = selectors.event_timeline(
        queryset, when=request.GET.get("when"), page_number=request.GET.get("page")
    )
    context = {name: obj, "object": obj, "timeline": timeline, "page_obj": timeline.page, **extra}
    return render(request, template, context)


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    events = selectors.events_with_theme(theme)
    return _timeline_page(request, "events/theme_detail.html", "theme", theme, events)


def series_detail(request, slug):
    series = get_object_or_404(Series.objects.prefetch_related("hosts"), slug=slug)
    events = selectors.events_in_series(series)
    return _timeline_page(request, "events/series_detail.html", "series", series, events)


def person_detail(request, slug):
    affiliations = Affiliation.objects.select_related("organisation")
    queryset = selectors.public_people().prefetch_related(
        Prefetch("affiliations", queryset=affiliations)
    )
    person = get_object_or_404(queryset, slug=slug)
    events = selectors.events_with_person(person)
    return _timeline_page(request, "events/person_detail.html", "person", person, events)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    events = selectors.events_hosted_by(organisation)
    return _timeline_page(
        request, "events/organisation_detail.html", "organisation", organisation, events
    )


# A person page is public: this bounds the mail one address can make staff receive.
REMOVAL_REQUESTS_PER_HOUR = 5


@require_http_methods(["GET", "POST"])
def person_removal(request, slug):
    """Ask for a person's listing to be removed (staff and the events' creators are emailed)."""
    person = get_object_or_404(selectors.public_people(), slug=slug)
    form = RemovalRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if count_recent(
            f"events:removal-requests:{request.META.get('REMOTE_ADDR')}", period=3600
        ) > (REMOVAL_REQUESTS_PER_HOUR):
            form.add_error(None, _("Too many requests from here: please try again in an hour."))
        else:
            services.ask_to_remove_person(person=person, **form.cleaned_data)
            messages.success(
                request, _("Thank you: the site’s editors have your request and will answer you.")
            )
            return redirect(person)
    status = 400 if form.is_bound else 200
    return render(
        request, "events/person_removal.html", {"person": person, "form": form}, status=status
    )
