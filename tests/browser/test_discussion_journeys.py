"""Journeys through an event's follow-up board: start, reply, quote, email, moderate, keep text."""

import re
import time

import pytest
from playwright.sync_api import expect

from discussions import services
from discussions.models import Board, Subscription
from tests.browser.support import check_page, follow, messages
from tests.factories import EventFactory, ThemeFactory, ThreadFactory, UserFactory, fill_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = "Time credits helped our group value unpaid care. Did anyone else measure that?"
REPLY = "We counted hours too, but people said the stories mattered more than the numbers."


def start_thread(*, title, author, body):
    board = Board.objects.for_event(EventFactory())
    return services.start_thread(board=board, author=author, title=title, body=body)


def board_url(event):
    return f"/events/{event.slug}/board/"


def test_reply_quoting_a_post_emails_its_author_who_follows_the_link_and_unsubscribes(
    new_context, new_page, sign_in_as, mailoutbox
):
    theme = ThemeFactory(name="Core economy vs money economy")
    event = EventFactory(title="Policy Cafe: the core economy", themes=[theme])
    alys = UserFactory(display_name="Alys Evans", email="alys@example.org")
    bryn = UserFactory(display_name="Bryn Thomas", email="bryn@example.org")
    alys_page = new_page()
    sign_in_as(alys, alys_page.context)

    # Alys opens the empty board and starts a thread.
    alys_page.goto(board_url(event))
    expect(alys_page.get_by_text("No threads yet.")).to_be_visible()
    check_page(alys_page, "empty board")
    follow(alys_page.get_by_role("link", name="Start a thread"))
    check_page(alys_page, "new thread form")
    alys_page.get_by_label("Title").fill("Measuring the core economy")
    # The event's themes are offered, none ticked: Alys chooses the one her thread is about.
    expect(alys_page.get_by_label("Core economy vs money economy")).not_to_be_checked()
    alys_page.get_by_label("Core economy vs money economy").check()
    alys_page.get_by_label("Opening post").fill(OPENING)
    alys_page.get_by_role("button", name="Start thread").click()
    expect(alys_page.get_by_role("heading", level=1)).to_have_text("Measuring the core economy")
    expect(messages(alys_page)).to_contain_text("Your thread is started")

    # Bryn replies to Alys's post, quoting it.
    bryn_page = new_page(new_context())
    sign_in_as(bryn, bryn_page.context)
    bryn_page.goto(board_url(event))
    check_page(bryn_page, "board with a thread", shot="board")
    bryn_page.get_by_role("link", name="Measuring the core economy").click()
    bryn_page.get_by_role("link", name="Reply to this post").first.click()
    expect(bryn_page.get_by_text("Replying to #1 by Alys Evans")).to_be_visible()
    expect(bryn_page.locator("blockquote")).to_contain_text("Time credits helped")
    bryn_page.get_by_label("Your reply").fill(REPLY)
    bryn_page.get_by_role("button", name="Post reply").click()
    expect(messages(bryn_page)).to_contain_text("Your reply is posted")
    reply = bryn_page.locator("li.post").filter(has_text=REPLY)
    expect(reply.get_by_role("link", name="In reply to #1")).to_be_visible()
    check_page(bryn_page, "thread with a reply", shot="thread")

    # Alys's email names the reply and links straight to it.
    to_alys = [m for m in mailoutbox if m.to == ["alys@example.org"]]
    assert len(to_alys) == 1, [(m.to, m.subject) for m in mailoutbox]
    email = to_alys[0]
    assert email.subject == "[Policy Cafe: the core economy] Measuring the core economy"
    assert REPLY in email.body
    permalink = re.search(r"Read and reply: (\S+)", email.body).group(1)
    alys_page.goto(permalink)
    anchor = alys_page.url.rsplit("#", 1)[-1]
    expect(alys_page.locator(f"[id='{anchor}']")).to_contain_text(REPLY)
    expect(alys_page.locator(f"[id='{anchor}']")).to_be_in_viewport()

    # One click from the email, one confirmation: no more emails for this thread.
    unsubscribe = re.search(r"Unsubscribe with one click: (\S+)", email.body).group(1)
    assert email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    alys_page.goto(unsubscribe)
    expect(alys_page.get_by_role("heading", level=1)).to_have_text("Stop these emails?")
    check_page(alys_page, "unsubscribe page")
    alys_page.get_by_role("button", name="Unsubscribe").click()
    expect(alys_page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert not Subscription.objects.get(user=alys, thread__isnull=False).active

    mailoutbox.clear()
    bryn_page.get_by_label("Your reply").fill("One more thought, on volunteering.")
    bryn_page.get_by_role("button", name="Post reply").click()
    expect(messages(bryn_page)).to_contain_text("Your reply is posted")
    assert [m.to for m in mailoutbox] == []


def test_moderator_hides_a_flagged_post_and_locks_the_thread(new_context, new_page, sign_in_as):
    moderator = UserFactory(groups=["Moderators"], display_name="Mo Derator")
    author, reader = UserFactory(display_name="Rhys Price"), UserFactory(display_name="Cai Hughes")
    thread = start_thread(title="Who pays for co-production?", author=author, body="Opening words.")
    services.post_reply(thread=thread, author=author, body="Buy cheap pills")

    # A reader flags the spam.
    reader_page = new_page()
    sign_in_as(reader, reader_page.context)
    reader_page.goto(thread.get_absolute_url())
    follow(
        reader_page.locator("li.post")
        .filter(has_text="Buy cheap pills")
        .get_by_role("link", name="Flag")
    )
    check_page(reader_page, "flag form")
    reader_page.get_by_label(re.compile("spam", re.I)).check()
    reader_page.get_by_role("button", name="Send the flag").click()
    expect(messages(reader_page)).to_be_visible()

    # The moderator works through the queue, then locks the thread.
    mod_page = new_page(new_context())
    sign_in_as(moderator, mod_page.context)
    mod_page.goto("/moderation/")
    check_page(mod_page, "moderation queue")
    expect(mod_page.get_by_role("link", name=re.compile("^Moderation 1"))).to_be_visible()
    flag = mod_page.locator("li.flag").filter(has_text="Buy cheap pills")
    flag.get_by_label(re.compile("why", re.I)).fill("Advertising is not welcome on the boards.")
    flag.get_by_role("button", name="Hide the post and resolve").click()
    expect(messages(mod_page)).to_be_visible()
    expect(mod_page.get_by_text("No open flags.")).to_be_visible()
    mod_page.goto(thread.get_absolute_url())
    mod_page.get_by_role("button", name="Lock", exact=True).click()
    expect(messages(mod_page)).to_contain_text("The thread is locked")
    check_page(mod_page, "locked thread (moderator)")

    # Everyone else: the post is hidden and there is no reply form any more.
    reader_page.goto(thread.get_absolute_url())
    expect(reader_page.get_by_text("This post is hidden by a moderator.")).to_be_visible()
    expect(reader_page.get_by_text("Buy cheap pills")).to_have_count(0)
    expect(reader_page.get_by_text("Locked", exact=True)).to_be_visible()
    expect(reader_page.get_by_label("Your reply")).to_have_count(0)
    expect(reader_page.get_by_role("button", name="Post reply")).to_have_count(0)
    expect(reader_page.get_by_role("link", name="Reply to this post")).to_have_count(0)
    check_page(reader_page, "locked thread (reader)")

    # The author sees that the post is hidden, and why; nobody else sees the reason.
    author_page = new_page(new_context())
    sign_in_as(author, author_page.context)
    author_page.goto(thread.get_absolute_url())
    expect(author_page.get_by_text("Advertising is not welcome on the boards.")).to_be_visible()
    check_page(author_page, "hidden post (author)", shot="hidden-post-author")
    expect(reader_page.get_by_text("Advertising is not welcome")).to_have_count(0)


def test_long_reply_survives_the_rate_limit_and_a_thread_survives_a_missing_title(
    page, sign_in_as, settings
):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 1
    writer = UserFactory(display_name="Nia Morgan")
    thread = start_thread(title="Lessons from the round table", author=UserFactory(), body="Hi.")
    sign_in_as(writer)
    page.goto(thread.get_absolute_url())
    # The limit counts posts per clock minute: keep both posts inside one minute.
    while time.time() % 60 > 45:
        time.sleep(0.5)
    page.get_by_label("Your reply").fill("A first, short reply.")
    page.get_by_role("button", name="Post reply").click()
    expect(messages(page)).to_contain_text("Your reply is posted")

    long_text = "\n\n".join(
        f"Paragraph {n}: what we learnt about sharing power, with *emphasis* and a "
        f"[link](https://example.org/{n}), in words typed by hand." * 3
        for n in range(1, 13)
    )
    reply_box = page.get_by_label("Your reply")
    reply_box.fill(long_text)
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("You are posting very fast")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_value(long_text)
    check_page(page, "thread with a refused reply")

    # Starting a thread without a title: told what is missing, nothing typed is lost.
    board = thread.board
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    page.goto(board_url(board.event))
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Opening post").fill(long_text)
    page.get_by_role("button", name="Start thread").click()
    title = page.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    error_id = title.get_attribute("aria-describedby")
    assert error_id, "the title's error is not tied to the field"
    expect(page.get_by_label("Opening post")).to_have_value(long_text)
    check_page(page, "thread form with an error")


def test_long_thread_reads_comfortably_and_pages_on_a_phone(page):
    authors = [
        UserFactory(display_name=name) for name in ("Ffion Rees", "Huw Jenkins", "Lowri Ellis")
    ]
    thread = ThreadFactory(title="A year of the Policy Cafe", author=authors[0])
    fill_thread(
        thread,
        45,
        authors=authors,
        body="What stays with me is how people who never meet in policy rooms found a common "
        "language once the tea was poured, and how hard it was to carry that back to work. " * 3,
    )
    page.goto(thread.get_absolute_url())
    posts = page.locator("li.post")
    expect(posts).to_have_count(20)
    typography = posts.first.locator(".post-body").evaluate(
        """el => {
            const style = getComputedStyle(el);
            const context = document.createElement('canvas').getContext('2d');
            context.font = style.font;
            const text = el.innerText;
            const charWidth = context.measureText(text).width / text.length;
            return {charsPerLine: el.getBoundingClientRect().width / charWidth,
                    fontSize: parseFloat(style.fontSize), lineHeight: parseFloat(style.lineHeight)};
        }"""
    )
    # A comfortable measure (at most ~90 characters a line) and generous leading.
    assert typography["charsPerLine"] <= 90, typography
    assert typography["lineHeight"] >= 1.5 * typography["fontSize"], typography
    check_page(page, "long thread, page 1", shot="thread-long")

    pages = page.get_by_role("navigation", name="Pages of this thread", exact=True)
    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(posts.first.locator(".post-meta")).to_contain_text("#21")
    check_page(page, "long thread, page 2")


def test_a_visitor_searches_the_discussions_by_word_theme_and_event(page):
    """The search form as a person uses it: words typed, a theme and then an event chosen from
    the menus (kept for every reader), each search narrowing what is found and keeping what was
    chosen."""
    growing = ThemeFactory(name="Growing food")
    ThemeFactory(name="Time credits")
    cafe = EventFactory(title="Policy Cafe: food and care")
    workshop = EventFactory(title="Workshop: allotments in Wrexham")
    author = UserFactory(display_name="Alys Evans")
    for event, title, themes in [
        (cafe, "Allotments on the estate", [growing]),
        (workshop, "Allotments and the council", [growing]),
        (workshop, "Allotments and time banking", []),
    ]:
        services.start_thread(
            board=Board.objects.for_event(event),
            author=author,
            title=title,
            body="Who looks after the allotments in winter?",
            themes=themes,
        )

    page.goto("/discussions/")
    check_page(page, "discussion search, recent conversations")
    page.get_by_label("Search discussions").fill("allotments")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("3 posts found")

    page.get_by_label("Theme").select_option(label="Growing food")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("2 posts found")
    expect(page.get_by_label("Search discussions")).to_have_value("allotments")
    expect(page.get_by_label("Theme")).to_have_value(growing.slug)

    page.get_by_label("Event").select_option(label="Workshop: allotments in Wrexham")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 post found")
    results = page.locator("ol.search-results")
    expect(results).to_contain_text("Allotments and the council")
    expect(results).not_to_contain_text("Allotments on the estate")
    expect(page.get_by_label("Event")).to_have_value(workshop.slug)
    check_page(page, "discussion search by theme and event")
