"""The main pages rendered in Welsh carry no English interface words, and English content
shown on them (a text written in English only) is marked lang="en".

For the first check content is Welsh (`welsh_site`: the `_cy` columns), so any English word left
on a page is an interface string that was not marked or not translated. Text inside an element
with lang="en…" is English on purpose (the "English" link of the language switch, product names)
and is skipped. For the second, content is English only (`english_site`).
"""

import re
from datetime import time, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from discussions import services as discussions
from discussions.models import Board
from events import services as events
from events.models import Registration
from tests.factories import (
    EventFactory,
    EventRoleFactory,
    OrganisationFactory,
    PersonFactory,
    SeriesFactory,
    ThemeFactory,
    UserFactory,
    VenueFactory,
    VisualFactory,
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


# The content of a site in one language only: Welsh (the interface-words check) or English (the
# lang check: every English text a Welsh page shows falls back, and must say so).
WELSH_CONTENT = {
    "title": "Cyd-gynhyrchu yn y gymuned",
    "past_title": "Caffi Polisi: yr economi graidd",
    "summary": "Sgwrs am gyd-gynhyrchu.",
    "description": "Dewch i drafod.",
    "access": "Lifft i bob llawr.",
    "theme": "Yr economi graidd",
    "series": "Caffi Polisi",
    "venue": "Canolfan y Ddinas",
    "organisation": "Prifysgol Caerdydd",
    "headline": "Ymarferydd",
    "thread": "Beth nesaf?",
    "draft": "Drafft newydd",
}
ENGLISH_CONTENT = {
    "title": "Talking Points relaunch",
    "past_title": "Policy Cafe on the core economy",
    "summary": "Cheese, bread and wine.",
    "description": "Come and talk it through.",
    "access": "Lift to every floor.",
    "theme": "Risk-averse cultures",
    "series": "Policy Cafe evenings",
    "venue": "Temple of Peace",
    "organisation": "Cardiff University",
    "headline": "Practitioner in Swansea",
    "thread": "What comes next?",
    "draft": "A new draft",
}


def build_site(content: dict, language: str) -> dict:
    """An upcoming event with people and a board with a thread and a reply, a draft, and a past
    event with its published record (agenda, outcome) and a drawing: every text of ours is
    written in `language` only (its `_en` or `_cy` column, as a form in that language would)."""
    from record import services as record

    with translation.override(language):
        organiser = UserFactory(display_name="Siân Trefnydd", groups=["Organisers"])
        member = UserFactory(display_name="Dafydd ap Gwilym")
        moderator = UserFactory(display_name="Nia Cymedrolwr", groups=["Moderators"])
        theme = ThemeFactory(name=content["theme"], slug="thema")
        series = SeriesFactory(name=content["series"], slug="cyfres")
        organisation = OrganisationFactory(name=content["organisation"], slug="sefydliad")
        venue = VenueFactory(name=content["venue"], address="Heol y Frenhines\nCaerdydd")
        shared = {"venue": venue, "series": series, "themes": [theme], "hosts": [organisation]}
        event = EventFactory(
            title=content["title"],
            language=language,
            slug="digwyddiad",
            summary=content["summary"],
            description=content["description"],
            access_notes=content["access"],
            capacity=20,
            **shared,
        )
        person = PersonFactory(
            name="Siân Trefnydd", slug="sian", headline=content["headline"], user=organiser
        )
        EventRoleFactory(event=event, person=person, role="organiser")
        EventRoleFactory(
            event=event, person=PersonFactory(name="Gareth", slug="gareth", headline="")
        )
        events.register_attendee(event=event, user=member)
        board = Board.objects.for_event(event)
        thread = discussions.start_thread(
            board=board, author=member, title=content["thread"], body="Diolch.", themes=[theme]
        )
        post = discussions.post_reply(thread=thread, author=organiser, body="Cytuno'n llwyr.")
        draft = EventFactory(
            title=content["draft"],
            language=language,
            summary=content["summary"],
            venue=venue,
            status="draft",
            created_by=organiser,
        )
        EventRoleFactory(event=draft, person=person, role="organiser")
        start = timezone.now() - timedelta(days=2)
        past = EventFactory(
            title=content["past_title"],
            language=language,
            slug="digwyddiad-a-fu",
            summary=content["summary"],
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            **shared,
        )
        EventRoleFactory(event=past, person=person, role="organiser")
        Registration.objects.create(event=past, user=member, state="confirmed")
        record.save_agenda_item(
            event=past, user=organiser, starts_at=time(18), title="Croeso", themes=[theme]
        )
        outcome = record.save_outcome(
            event=past, user=organiser, kind="action", title="Adroddiad i'r Cyngor", themes=[theme]
        )
        record.save_summary(event=past, user=organiser, summary="Siaradon ni am fwyd.")
        record.publish_record(event=past, user=organiser)
        visual = VisualFactory(
            event=past,
            title="Map y sgwrs",
            alt_text="Map wedi'i dynnu â llaw.",
            transcript="Gwrandewch yn gyntaf.",
            outcome=outcome,
        )
        visual.themes.add(theme)
    return {
        "organiser": organiser,
        "member": member,
        "moderator": moderator,
        "event": event,
        "draft": draft,
        "past": past,
        "visual": visual,
        "outcome": outcome,
        "theme": theme,
        "series": series,
        "organisation": organisation,
        "person": person,
        "thread": thread,
        "post": post,
        "subscription": member.discussion_subscriptions.get(thread=thread),
    }


@pytest.fixture
def welsh_site(db):
    """Welsh content everywhere (the `_cy` columns alone)."""
    return build_site(WELSH_CONTENT, "cy")


@pytest.fixture
def english_site(db):
    """English content everywhere (the `_en` columns alone): Welsh pages fall back to it."""
    return build_site(ENGLISH_CONTENT, "en")


def pages(site) -> list[tuple[str | None, str, str]]:
    """(who is signed in, url name, query or kwargs) for every main page."""
    event, thread, post = site["event"], site["thread"], site["post"]
    slug = {"slug": event.slug}
    past = {"slug": site["past"].slug}
    visual = {"event_slug": site["past"].slug, "pk": site["visual"].pk}
    return [
        (None, "home", {}),
        (None, "events:list", {}),
        (None, "events:list", "?q=dim-byd-o-gwbl"),
        (None, "events:list", "?when=past"),
        (None, "events:list", "?from=ddoe"),
        (None, "events:list", "?theme=thema&series=cyfres&organisation=sefydliad"),
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
        (None, "record:priorities", slug),
        ("member", "record:priority_add", slug),
        (None, "record:event", past),
        ("organiser", "record:manage", past),
        ("organiser", "record:outcome_new", past),
        ("organiser", "record:outcome_edit", {**past, "pk": site["outcome"].pk}),
        ("organiser", "record:outcome_status", {"pk": site["outcome"].pk}),
        ("organiser", "record:agenda_new", slug),
        ("organiser", "record:note_new", past),
        ("member", "record:pulse", past),
        ("member", "record:profile", {}),
        (None, "record:series_outcomes", {"slug": site["series"].slug}),
        (None, "record:theme_outcomes", {"slug": site["theme"].slug}),
        (None, "record:organisation_outcomes", {"slug": site["organisation"].slug}),
        (None, "visuals:gallery", {"event_slug": past["slug"]}),
        (None, "visuals:detail", visual),
        ("organiser", "visuals:add", {"event_slug": past["slug"]}),
        ("organiser", "visuals:edit", visual),
        ("organiser", "visuals:delete", visual),
        ("member", "visuals:discuss", visual),
        ("moderator", "discussions:member_posts", {"pk": site["member"].pk}),
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


class TextLanguages(HTMLParser):
    """Each text of <body> with the language it is marked as (the nearest lang attribute)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # per open element: (tag, its language)
        self.texts: list[tuple[str, str]] = []  # (language, text)
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.in_body = True
        if tag in VisibleText.VOID:
            return
        inherited = self.stack[-1][1] if self.stack else ""
        self.stack.append((tag, (attrs.get("lang") or inherited).lower()))

    def handle_endtag(self, tag):
        # Pop back to the element closed (HTML allows some end tags to be left out).
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data):
        tag = self.stack[-1][0] if self.stack else ""
        if self.in_body and tag not in {"script", "style"} and data.strip():
            self.texts.append((self.stack[-1][1] if self.stack else "", " ".join(data.split())))


def unmarked(html: str, texts) -> list[str]:
    """Where one of `texts` is shown outside an element marked lang="en…"."""
    parser = TextLanguages()
    parser.feed(html)
    return [
        f"{text!r} in {chunk[:90]!r} (lang={language or 'none'})"
        for language, chunk in parser.texts
        for text in texts
        if text in chunk and not language.startswith("en")
    ]


def test_english_only_content_on_welsh_pages_is_marked_lang_en(client, english_site):
    """Every page of `pages()` in Welsh, for a site whose texts exist in English only: each of
    them falls back to English and must sit inside lang="en" (screen readers switch voice). The
    document's <title> and attributes cannot mark a part of their text, so only the body's text
    is checked."""
    texts = list(ENGLISH_CONTENT.values())
    leftovers = {}
    for who, name, args in pages(english_site):
        url, html = welsh_page(client, english_site, who, name, args)
        if found := unmarked(html, texts):
            leftovers[f"{url} ({who or 'visitor'})"] = found
    assert leftovers == {}, "\n".join(f"{k}: {v}" for k, v in leftovers.items())


def test_the_lang_checker_sees_text_outside_lang_en_only():
    html = (
        '<html lang="cy"><head><title>Policy Cafe</title></head><body>'
        '<h1>Trafodaeth: <span lang="en">Policy Cafe</span></h1><p lang="en"><b>Policy Cafe</b></p>'
        "<p>Rhan o Policy Cafe<br>ac eraill</p></body></html>"
    )
    assert unmarked(html, ["Policy Cafe"]) == ["'Policy Cafe' in 'Rhan o Policy Cafe' (lang=cy)"]


def test_the_checker_sees_english_outside_lang_en_only():
    html = (
        '<p>Digwyddiadau <span lang="en">Upcoming events</span></p>'
        '<button aria-label="Close">x</button><script>var events;</script>'
    )
    assert english_words(html) == ["'Close' in 'Close'"]
