"""The main pages rendered in Welsh carry no English interface words.

Content is Welsh here (the factories get Welsh titles), so any English word left on a page is an
interface string that was not marked or not translated. Text inside an element with lang="en…"
is English on purpose (the "English" link of the language switch, product names) and is skipped.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from discussions import services as discussions
from discussions.models import Board
from events import services as events
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

# Common English words that are not also Welsh words ("a", "i", "is", "am", "at", "to", "hi",
# "man", "pan", "dim", "all" are Welsh too, so they are not here).
ENGLISH_WORDS = """
    the and of your you for with this that from are was were will have has not but or
    event events theme themes discussion discussions board thread threads post posts reply
    replies search filter filters home sign register registration registered calendar
    subscribe download copy copied next previous page pages show clear upcoming past cancel
    cancelled place places follow following email password account forgot remember edit
    when where what who new more back here please add online venue access organiser
    organisers organisation speaker speakers hosted host hosts series kind date time
    waitlist unsubscribe moderator moderators flag hide lock pin history withdraw close
    skip main content navigation menu results none today yes save draft publish preview
    postponed attendees attendee list people about find explore browse start join leave
    open closed any every only
"""
ENGLISH = frozenset(ENGLISH_WORDS.split())
# Welsh phrases that contain one of those words ("cod post" is the Welsh for postcode).
WELSH_PHRASES = re.compile(r"\bcod post\b", re.IGNORECASE)
ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
WORD = re.compile(r"[A-Za-zÀ-ÿŵŷŴŶ’']+")


class VisibleText(HTMLParser):
    """Collects text and labelling attributes outside <script>/<style> and outside lang="en"."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it excluded?
        self.chunks: list[str] = []

    @property
    def excluded(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        english = (attrs.get("lang") or "").lower().startswith("en")
        skip = english or tag in {"script", "style"}
        if not self.excluded and not skip:
            self.chunks += [value for name, value in attrs.items() if name in ATTRIBUTES and value]
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.chunks.append(attrs["value"])
            if tag == "meta" and attrs.get("name") == "description":
                self.chunks.append(attrs.get("content") or "")
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.excluded:
            self.chunks.append(data)


def english_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for chunk in parser.chunks:
        for word in WORD.findall(WELSH_PHRASES.sub("", chunk)):
            if word.lower().strip("'’") in ENGLISH:
                found.append(f"{word!r} in {' '.join(chunk.split())[:90]!r}")
    return found


@pytest.fixture
def welsh_site(db):
    """Welsh content everywhere: an event with people, a board with a thread and a reply."""
    organiser = UserFactory(display_name="Siân Trefnydd", groups=["Organisers"])
    member = UserFactory(display_name="Dafydd ap Gwilym")
    moderator = UserFactory(display_name="Nia Cymedrolwr", groups=["Moderators"])
    theme = ThemeFactory(name="Yr economi graidd", slug="economi-graidd")
    series = SeriesFactory(name="Caffi Polisi", slug="caffi-polisi")
    organisation = OrganisationFactory(name="Prifysgol Caerdydd", slug="prifysgol-caerdydd")
    venue = VenueFactory(name="Canolfan y Ddinas", address="Heol y Frenhines\nCaerdydd")
    event = EventFactory(
        title="Cyd-gynhyrchu yn y gymuned",
        language="cy",
        slug="cyd-gynhyrchu",
        summary="Sgwrs am gyd-gynhyrchu.",
        description="Dewch i drafod.",
        venue=venue,
        series=series,
        capacity=20,
        themes=[theme],
        hosts=[organisation],
    )
    person = PersonFactory(name="Siân Trefnydd", slug="sian", headline="Ymarferydd", user=organiser)
    EventRoleFactory(event=event, person=person, role="organiser")
    EventRoleFactory(event=event, person=PersonFactory(name="Gareth", slug="gareth", headline=""))
    events.register_attendee(event=event, user=member)
    board = Board.objects.for_event(event)
    thread = discussions.start_thread(
        board=board, author=member, title="Beth nesaf?", body="Diolch am y sgwrs.", themes=[theme]
    )
    post = discussions.post_reply(thread=thread, author=organiser, body="Cytuno'n llwyr.")
    draft = EventFactory(
        title="Drafft newydd",
        language="cy",
        summary="Cyfarfod i gynllunio.",
        venue=venue,
        status="draft",
        created_by=organiser,
    )
    EventRoleFactory(event=draft, person=person, role="organiser")
    return {
        "organiser": organiser,
        "member": member,
        "moderator": moderator,
        "event": event,
        "draft": draft,
        "theme": theme,
        "series": series,
        "organisation": organisation,
        "person": person,
        "thread": thread,
        "post": post,
        "subscription": member.discussion_subscriptions.get(thread=thread),
    }


def pages(site) -> list[tuple[str | None, str, str]]:
    """(who is signed in, url name, query or kwargs) for every main page."""
    event, thread, post = site["event"], site["thread"], site["post"]
    slug = {"slug": event.slug}
    return [
        (None, "home", {}),
        (None, "events:list", {}),
        (None, "events:list", "?q=dim-byd-o-gwbl"),
        (None, "events:list", "?when=past"),
        (None, "events:list", "?from=ddoe"),
        (None, "events:detail", slug),
        ("member", "events:detail", slug),
        ("organiser", "events:detail", slug),
        (None, "events:theme_list", {}),
        (None, "events:theme", {"slug": site["theme"].slug}),
        (None, "events:series", {"slug": site["series"].slug}),
        (None, "events:person", {"slug": site["person"].slug}),
        (None, "events:organisation", {"slug": site["organisation"].slug}),
        ("member", "events:my_events", {}),
        ("member", "events:calendar_settings", {}),
        ("member", "events:cancel_registration", slug),
        ("organiser", "events:create", {}),
        ("organiser", "events:edit", slug),
        ("organiser", "events:organising", {}),
        ("organiser", "events:attendees", slug),
        ("organiser", "events:preview", {"slug": site["draft"].slug}),
        ("organiser", "events:publish", {"slug": site["draft"].slug}),
        ("organiser", "events:postpone", slug),
        ("organiser", "events:cancel", slug),
        ("organiser", "events:duplicate", slug),
        (None, "discussions:search", {}),
        (None, "discussions:search", "?q=sgwrs"),
        (None, "discussions:board", {"event_slug": event.slug}),
        ("member", "discussions:board", {"event_slug": event.slug}),
        ("member", "discussions:thread_create", {"event_slug": event.slug}),
        (None, "discussions:thread", {"pk": thread.pk, "slug": thread.slug}),
        ("member", "discussions:thread", {"pk": thread.pk, "slug": thread.slug}),
        ("moderator", "discussions:thread", {"pk": thread.pk, "slug": thread.slug}),
        ("organiser", "discussions:post_edit", {"pk": post.pk}),
        ("organiser", "discussions:post_withdraw", {"pk": post.pk}),
        ("organiser", "discussions:post_history", {"pk": post.pk}),
        ("member", "discussions:post_flag", {"pk": post.pk}),
        ("moderator", "discussions:moderation", {}),
        ("organiser", "discussions:board_close", {"event_slug": event.slug}),
        (None, "account_login", {}),
        (None, "account_signup", {}),
        (None, "account_reset_password", {}),
        ("member", "account_logout", {}),
        ("member", "account_change_password", {}),
        ("member", "account_email", {}),
        ("member", "account_reauthenticate", {}),
        (None, "account_inactive", {}),
        (None, "account_confirm_email", {"key": "expired"}),
    ]


def welsh_page(client, site, who, name, args):
    if who:
        client.force_login(site[who])
    with translation.override("cy"):
        url = reverse(name, kwargs=args) if isinstance(args, dict) else reverse(name) + args
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="cy", follow=True)
    client.logout()
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="cy">' in html, url
    return url, html


def test_main_pages_in_welsh_have_no_english_interface_words(client, welsh_site):
    leftovers = {}
    for who, name, args in pages(welsh_site):
        url, html = welsh_page(client, welsh_site, who, name, args)
        if words := english_words(html):
            leftovers[f"{url} ({who or 'visitor'})"] = words
    assert leftovers == {}, "\n".join(f"{k}: {v}" for k, v in leftovers.items())


def test_unsubscribe_page_is_welsh(client, welsh_site):
    token = discussions.unsubscribe_token(welsh_site["subscription"])
    _url, html = welsh_page(client, welsh_site, None, "discussions:unsubscribe", {"token": token})
    assert english_words(html) == []


def test_email_opt_out_pages_are_welsh(client, welsh_site):
    from events import notices

    for kind in (notices.EmailKind.REMINDERS, notices.EmailKind.CHANGES):
        token = notices.opt_out_token(welsh_site["member"], kind)
        _url, html = welsh_page(client, welsh_site, None, "events:email_opt_out", {"token": token})
        assert english_words(html) == []


def test_the_checker_sees_english_outside_lang_en_only():
    html = (
        '<p>Digwyddiadau <span lang="en">Upcoming events</span></p>'
        '<button aria-label="Close">x</button><script>var events;</script>'
    )
    assert english_words(html) == ["'Close' in 'Close'"]
