from datetime import UTC, datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from discussions import search as search_module
from discussions import services
from discussions.search import theme_post_count
from tests.factories import EventFactory, ThemeFactory, UserFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


@pytest.fixture
def corpus(board, author, moderator):
    """Threads on two events and themes, with a hidden post that must never be found."""
    core, power = ThemeFactory(name="Core economy"), ThemeFactory(name="Power")
    other_board = services.Board.objects.for_event(EventFactory(title="Round table"))
    care = services.start_thread(
        board=board,
        author=author,
        title="Care and the core economy",
        body="Unpaid care holds the money economy up.",
        themes=[core],
    )
    services.post_reply(thread=care, author=UserFactory(), body="Volunteering is care too.")
    hidden = services.post_reply(thread=care, author=UserFactory(), body="Secret care <script>")
    services.hide_post(post=hidden, moderator=moderator, reason="Off topic")
    power_thread = services.start_thread(
        board=other_board,
        author=author,
        title="Wresting power from governments",
        body="Citizens organising together can change what care looks like.",
        themes=[power],
    )
    return {"care": care, "power": power_thread, "core": core, "power_theme": power}


def search(client, **params):
    return client.get(reverse("discussions:search"), params)


def test_search_finds_posts_and_titles_but_not_hidden_posts(client, corpus):
    response = search(client, q="care")

    found = {(p.thread.title, p.number) for p in response.context["page"]}
    assert found == {
        ("Care and the core economy", 1),
        ("Care and the core economy", 2),
        ("Wresting power from governments", 1),
    }
    assert "Secret" not in response.content.decode()


def test_search_by_title_words_finds_the_opening_post(client, corpus):
    response = search(client, q="governments")

    assert [(p.thread.title, p.number) for p in response.context["page"]] == [
        ("Wresting power from governments", 1)
    ]


@pytest.mark.parametrize("few_posts", [5_000, 0], ids=["threads-read-in-full", "newest-first"])
def test_search_filters_by_theme_and_event(client, corpus, board, monkeypatch, few_posts):
    """The same posts whether a theme's or an event's threads are read in full (few posts) or
    looked through newest first as the whole archive is (PostgreSQL)."""
    monkeypatch.setattr(search_module, "FEW_POSTS", few_posts)
    by_theme = search(client, q="care", theme=corpus["core"].slug)
    by_event = search(client, q="care", event=board.event.slug)
    theme_only = search(client, theme=corpus["power_theme"].slug)

    assert {p.thread for p in by_theme.context["page"]} == {corpus["care"]}
    assert {p.thread for p in by_event.context["page"]} == {corpus["care"]}
    assert [p.thread for p in theme_only.context["page"]] == [corpus["power"]]


def test_snippets_highlight_matches_and_escape_the_source(client, board, author):
    services.start_thread(
        board=board, author=author, title="Escaping", body="<b>bold</b> talk of co-production"
    )

    response = search(client, q="co-production")

    (post,) = response.context["page"]
    snippet = str(post.snippet)
    # SQLite shows the tag as text; PostgreSQL's headline drops it. Neither passes it as markup.
    assert "<b>" not in snippet
    assert "bold" in snippet
    assert "<mark>co" in snippet


def test_empty_search_invites_a_query(client, db):
    response = search(client)

    assert response.context["page"] is None
    assert "Search what people said" in response.content.decode()


def test_search_with_no_results_says_what_to_do(client, corpus):
    response = search(client, q="zebra")

    assert list(response.context["page"]) == []
    assert "Try fewer or different words" in response.content.decode()


@pytest.mark.postgres
@postgres_only
def test_postgres_search_ranks_and_highlights(client, board, author):
    services.start_thread(
        board=board,
        author=author,
        title="Risk",
        body="Risk averse cultures, risk everywhere: risk.",
    )
    services.start_thread(board=board, author=author, title="Other", body="One mention of risk.")

    response = search(client, q="risk")

    posts = list(response.context["page"])
    assert [p.thread.title for p in posts] == ["Risk", "Other"]
    assert posts[0].rank > posts[1].rank
    assert "<mark>Risk</mark>" in str(posts[0].snippet)


@pytest.mark.postgres
@postgres_only
def test_postgres_search_stems_words(client, board, author):
    services.start_thread(board=board, author=author, title="T", body="Organisers organised it.")

    response = search(client, q="organising")

    assert [p.body_source for p in response.context["page"]] == ["Organisers organised it."]


@pytest.mark.postgres
@postgres_only
def test_edits_update_the_search_vector(client, thread, author):
    services.edit_post(post=thread.posts.get(), editor=author, body="Now about allotments")

    assert list(search(client, q="allotments").context["page"]) == [thread.posts.get()]
    assert list(search(client, q="thoughts").context["page"]) == []


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize(
    ("sample", "way"),
    [(2, "scan"), (2, "window"), (2, "index"), (100, None)],
    ids=["sample-then-scan", "sample-then-window", "sample-then-index", "all-in-sample"],
)
def test_postgres_search_ranks_the_newest_matches(
    client, thread, author, moderator, settings, monkeypatch, sample, way
):
    """Beyond MAX_RANKED matches only the newest are ranked, however they are looked for (the
    newest posts read in full, then a window of ids read in full, or a window of ids and the
    GIN index, or the GIN index alone for the rest)."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    monkeypatch.setattr(search_module, "MAX_RANKED", 3)
    monkeypatch.setattr(search_module, "SAMPLE_POSTS", sample)
    step_costs, taken = search_module._step_costs, []

    def only_this_way(**kwargs):
        costs, window = step_costs(**kwargs)
        taken.append(way)
        return {w: 0 if w == way else 1 for w in costs}, window

    monkeypatch.setattr(search_module, "_step_costs", only_this_way)
    bodies = ["allotments", "no", "allotments", "no", "allotments, allotments", "no", "allotments"]
    posts = [services.post_reply(thread=thread, author=author, body=body) for body in bodies]
    hidden = services.post_reply(thread=thread, author=author, body="allotments")
    services.hide_post(post=hidden, moderator=moderator, reason="Off topic")

    response = search(client, q="allotments")

    # The newest three shown matches, best first, then newest first: the oldest is left out.
    assert list(response.context["page"]) == [posts[4], posts[6], posts[2]]
    assert "The newest 3 matching posts, best first." in response.content.decode()
    assert set(taken) == ({way} if way else set())


@pytest.mark.parametrize(
    ("share", "missing", "way"),
    [(0.08, 340, "scan"), (0.01, 480, "window"), (0.001, 498, "index"), (0, 500, "index")],
    ids=["common-word", "a-word-in-one-post-of-100", "rare-word", "none-in-the-sample"],
)
def test_search_looks_further_back_the_cheapest_way(share, missing, way):
    """In 1,000,000 posts, after the newest 2,000: a common word's matches are read in the next
    few thousand posts, a less common one's through a window of ids and the GIN index, a rare
    word's through the GIN index alone."""
    chosen, low = search_module._next_step(
        high=998_000, top=1_000_000, missing=missing, share=share
    )
    assert chosen == way
    assert low == (0 if way == "index" else 998_000 - int(1.5 * missing / share))


@pytest.mark.postgres
@postgres_only
def test_postgres_search_leaves_out_hidden_threads_and_counts_what_it_found(
    client, board, author, moderator
):
    shown = services.start_thread(board=board, author=author, title="Shown", body="Allotments.")
    hidden = services.start_thread(board=board, author=author, title="Hid", body="Allotments!")
    services.hide_thread(thread=hidden, moderator=moderator)

    response = search(client, q="allotments")

    assert list(response.context["page"]) == [shown.posts.get()]
    assert "1 post found" in response.content.decode()


@pytest.mark.postgres
@postgres_only
def test_postgres_a_themes_kept_count_of_posts_follows_committed_posts_and_themes(
    corpus, django_capture_on_commit_callbacks
):
    """How many posts a theme's threads hold (how a search on it reads them) is kept for every
    search by the theme's slug: a new post, a thread given the theme and a theme whose slug
    changes count at once."""
    core = corpus["core"]
    assert theme_post_count(core) == theme_post_count(core) == 3  # hidden posts counted too
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(thread=corpus["care"], author=UserFactory(), body="And more care.")
    assert theme_post_count(core) == 4
    with django_capture_on_commit_callbacks(execute=True):
        corpus["power"].themes.add(core)
    assert theme_post_count(core) == 5
    power = corpus["power_theme"]
    assert theme_post_count(power) == 1
    with django_capture_on_commit_callbacks(execute=True):
        core.slug, power.slug = "old-core", core.slug
        core.save()
        power.save()
    assert theme_post_count(power) == 1


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("few_posts", [5_000, 0], ids=["threads-read-in-full", "newest-first"])
def test_postgres_browsing_an_event_lists_its_newest_posts_and_says_when_limited(
    client, board, author, moderator, settings, monkeypatch, few_posts
):
    """Without words, an event's posts newest first; only the newest MAX_RANKED, which the page
    says, in English and in Welsh; a hidden thread's posts are not among them."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    monkeypatch.setattr(search_module, "MAX_RANKED", 2)
    monkeypatch.setattr(search_module, "FEW_POSTS", few_posts)
    monkeypatch.setattr(search_module, "SAMPLE_POSTS", 1)
    thread = services.start_thread(board=board, author=author, title="Care", body="First.")
    second = services.post_reply(thread=thread, author=author, body="Second.")
    hidden = services.start_thread(board=board, author=author, title="Hid", body="Hidden.")
    services.hide_thread(thread=hidden, moderator=moderator)
    elsewhere = services.Board.objects.for_event(EventFactory())
    services.start_thread(board=elsewhere, author=author, title="Other", body="Elsewhere.")
    third = services.post_reply(thread=thread, author=author, body="Third.")

    response = search(client, event=board.event.slug)
    with translation.override("cy"):
        welsh = client.get(reverse("discussions:search"), {"event": board.event.slug})

    assert list(response.context["page"]) == [third, second]
    assert "The newest 2 posts, newest first." in response.content.decode()
    assert "Y 2 neges ddiweddaraf, y fwyaf diweddar yn gyntaf." in welsh.content.decode()


def test_a_result_shows_its_thread_number_author_event_and_date_in_the_page_language(
    client, author, settings
):
    """Each result row: the thread's title in its own language linking to the post, the post's
    number after the first, its author ("A former member" once gone), the event's title (in
    lang="en" on a Welsh page when written in English only) and the date in the page's language."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    board = services.Board.objects.for_event(EventFactory(title="Policy cafe"))
    thread = services.start_thread(board=board, author=author, title="Allotments", body="Hello.")
    reply = services.post_reply(thread=thread, author=UserFactory(), body="Allotments & more.")
    when = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)
    services.Post.objects.filter(pk=reply.pk).update(author=None, created_at=when)
    with translation.override("cy"):
        url = reverse("discussions:search")
        post_url = reverse("discussions:post", kwargs={"pk": reply.pk})

    html = client.get(url, {"q": "allotments"}).content.decode()

    row = html.split(f'<a href="{post_url}"', 1)[1].split("</li>", 1)[0]
    assert row.startswith(' lang="en">Allotments</a>')
    assert '<span class="small text-body-secondary">#2</span>' in row
    assert 'Cyn-aelod · <span lang="en">Policy cafe</span> · ' in row
    assert '<time datetime="2026-01-13T12:00:00+00:00">13 Ion 2026</time>' in row
    assert "&amp; more" in row


@pytest.mark.postgres
@postgres_only
def test_postgres_snippets_show_the_first_match_marked_however_far_in(client, board, author):
    """A snippet is the text around the first matching word, cut between words, "…" where
    cut; a short post is shown whole."""
    body = "A long opening about other things entirely, " * 30 + "then the allotments & more."
    services.start_thread(board=board, author=author, title="Long", body=body)
    services.start_thread(board=board, author=author, title="Short", body="Allotments.")

    response = search(client, q="allotments")

    snippets = {p.thread.title: str(p.snippet) for p in response.context["page"]}
    assert snippets["Long"].startswith("…other things entirely, A long opening")
    assert snippets["Long"].endswith("entirely, then the <mark>allotments</mark> &amp; more.")
    assert snippets["Short"] == "<mark>Allotments</mark>."


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize(
    ("q", "body", "snippet"),
    [
        # Matched as PostgreSQL's english configuration matches: by English stems.
        ("community", "Communities, community-led and communal.", "<mark>Communities</mark>, "
         "<mark>community-led</mark> and communal."),
        ("organising", "Organisers organised it.",
         "<mark>Organisers</mark> <mark>organised</mark> it."),
        # A phrase's words, each part of a hyphenated one; stop words never.
        ("time credits", "The time credits, time-credits.", "The <mark>time</mark> "
         "<mark>credits</mark>, <mark>time-credits</mark>."),
        ("co-production", "Co-production and production.", "<mark>Co-production</mark> and "
         "<mark>production</mark>."),
        ("the budget", "The budget.", "The <mark>budget</mark>."),
        # Words left out ("-word") are not marked; Welsh words as typed.
        ("tai -cyngor", "Tai a chyngor.", "<mark>Tai</mark> a chyngor."),
        ("cymuned", "Mae'r cymuned yn gryf.", "Mae&#x27;r <mark>cymuned</mark> yn gryf."),
    ],
)  # fmt: skip
def test_postgres_snippets_mark_the_words_the_query_matched(
    client, board, author, q, body, snippet
):
    services.start_thread(board=board, author=author, title="Snippets", body=body)

    (post,) = search(client, q=q).context["page"]

    assert str(post.snippet) == snippet


@pytest.mark.parametrize("language", ["en", "cy"])
def test_result_dates_read_as_django_formats_them_in_every_month(author, board, language):
    """The result rows write "j M Y" themselves (search_results): the same text as
    date_format, for every month, in both languages."""
    from django.utils.formats import date_format

    from discussions.templatetags.discussions_tags import search_results

    thread = services.start_thread(board=board, author=author, title="Dates", body="Hello.")
    post = thread.posts.get()
    post.snippet = "Hello."
    for month in range(1, 13):
        post.created_at = datetime(2026, month, 9, 12, 0, tzinfo=UTC)
        with translation.override(language):
            expected = date_format(post.created_at, "j M Y")
            assert f">{expected}</time>" in search_results([post])


def test_result_dates_are_the_days_in_the_sites_time_zone(author, board, settings):
    """A post written at 23:30 UTC on a summer evening was written the next day in Wales."""
    from discussions.templatetags.discussions_tags import search_results

    settings.TIME_ZONE = "Europe/London"
    thread = services.start_thread(board=board, author=author, title="Late", body="Hello.")
    post = thread.posts.get()
    post.snippet = "Hello."
    post.created_at = datetime(2026, 7, 9, 23, 30, tzinfo=UTC)
    with translation.override("en"):
        row = search_results([post])
    assert '<time datetime="2026-07-10T00:30:00+01:00">10 Jul 2026</time>' in row


def test_a_filtered_search_follows_each_committed_change_of_its_threads(
    client, corpus, board, moderator, django_capture_on_commit_callbacks
):
    """A theme's or an event's readable threads are kept for every search on it (shared
    cache): a thread given the theme, a new thread and a hidden thread show at once."""

    def by_theme():
        return {
            p.thread for p in search(client, q="care", theme=corpus["core"].slug).context["page"]
        }

    def by_event():
        return {p.thread for p in search(client, q="care", event=board.event.slug).context["page"]}

    assert by_theme() == by_theme() == {corpus["care"]}  # the second from what was kept
    assert by_event() == by_event() == {corpus["care"]}
    with django_capture_on_commit_callbacks(execute=True):
        corpus["power"].themes.add(corpus["core"])
    assert by_theme() == {corpus["care"], corpus["power"]}
    with django_capture_on_commit_callbacks(execute=True):
        newer = services.start_thread(
            board=board, author=UserFactory(), title="More care", body="Care for carers."
        )
    assert by_event() == {corpus["care"], newer}
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_thread(thread=corpus["care"], moderator=moderator)
    assert by_theme() == {corpus["power"]}
    assert by_event() == {newer}


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("few_posts", [5_000, 0], ids=["threads-read-in-full", "newest-first"])
def test_postgres_a_theme_search_finds_exactly_its_readable_threads_posts(
    client, board, author, moderator, settings, monkeypatch, few_posts
):
    """On a theme: the posts anybody may read of its threads, and no other: not a hidden or
    withdrawn post, not a hidden thread's, not a thread's on an event back in draft, not a
    thread's off the theme; with words and without."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    monkeypatch.setattr(search_module, "FEW_POSTS", few_posts)
    monkeypatch.setattr(search_module, "SAMPLE_POSTS", 1)
    care, other = ThemeFactory(name="Care"), ThemeFactory(name="Other")
    drafted = EventFactory(title="Later a draft")
    on_theme = services.start_thread(
        board=board, author=author, title="Allotments", body="Allotments.", themes=[care, other]
    )
    reply = services.post_reply(thread=on_theme, author=author, body="More allotments.")
    hidden = services.post_reply(thread=on_theme, author=author, body="Hidden allotments.")
    services.hide_post(post=hidden, moderator=moderator, reason="Off topic")
    withdrawn = services.post_reply(thread=on_theme, author=author, body="Allotments, no.")
    services.withdraw_post(post=withdrawn, user=author)
    hidden_thread = services.start_thread(
        board=board, author=author, title="Hid", body="Allotments!", themes=[care]
    )
    services.hide_thread(thread=hidden_thread, moderator=moderator)
    services.start_thread(
        board=services.Board.objects.for_event(drafted),
        author=author,
        title="Draft",
        body="Allotments?",
        themes=[care],
    )
    drafted.status = drafted.Status.DRAFT
    drafted.save(update_fields=["status"])
    services.start_thread(board=board, author=author, title="Off", body="Allotments, off.")
    services.post_reply(thread=on_theme, author=author, body="Last word.")

    with_words = search(client, q="allotments", theme=care.slug).context["page"]
    without = search(client, theme=care.slug).context["page"]

    opening = on_theme.posts.get(number=1)
    assert {post.pk for post in with_words} == {opening.pk, reply.pk}
    assert [post.number for post in without] == [5, 2, 1]  # newest first


def lows_read_through_the_index(monkeypatch) -> list[int]:
    """The lowest id of each step the search takes through the GIN index, as it takes them."""
    lows, indexed = [], search_module.Candidates.indexed

    def spy(self, low, high, limit):
        lows.append(low)
        return indexed(self, low, high, limit)

    monkeypatch.setattr(search_module.Candidates, "indexed", spy)
    return lows


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("older", [3, 30], ids=["in-the-wider-window", "beyond-it"])
def test_postgres_search_finds_a_word_the_newest_posts_lack(
    client, thread, author, settings, monkeypatch, older
):
    """A word none of the newest posts hold (a Welsh word when they are all English): a window
    WIDENING times as large is looked through through the GIN index, then everything older;
    the newest matches are found either way, and the whole index is read only when the window
    held none."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    monkeypatch.setattr(search_module, "MAX_RANKED", 2)
    monkeypatch.setattr(search_module, "SAMPLE_POSTS", 2)
    # Older posts first, so that the window (2 x WIDENING ids) never reaches id 0, however few
    # posts the database has held (run first, the suite's ids are small).
    for _ in range(2 * search_module.WIDENING + 2):
        services.post_reply(thread=thread, author=author, body="Filler.")
    matches = [services.post_reply(thread=thread, author=author, body="Cymuned.") for _ in "abc"]
    for _ in range(older):
        services.post_reply(thread=thread, author=author, body="Community.")
    lows = lows_read_through_the_index(monkeypatch)

    response = search(client, q="cymuned")

    assert list(response.context["page"]) == [matches[2], matches[1]]
    assert (0 in lows) == (older > 2 * search_module.WIDENING)


@pytest.mark.postgres
@postgres_only
def test_postgres_a_word_an_events_newest_posts_lack_is_read_from_the_index_once(
    client, thread, author, settings, monkeypatch
):
    """On an event whose newest posts hold no match, the GIN index is read once for
    everything older (a window first, then the rest, read the word's entries twice)."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    monkeypatch.setattr(search_module, "FEW_POSTS", 0)
    monkeypatch.setattr(search_module, "MAX_RANKED", 2)
    monkeypatch.setattr(search_module, "SAMPLE_POSTS", 2)
    matches = [services.post_reply(thread=thread, author=author, body="Cymuned.") for _ in "ab"]
    for _ in range(40):
        services.post_reply(thread=thread, author=author, body="Community.")
    lows = lows_read_through_the_index(monkeypatch)

    response = search(client, q="cymuned", event=thread.board.event.slug)

    assert list(response.context["page"]) == [matches[1], matches[0]]
    assert lows == [0]


@pytest.mark.postgres
@postgres_only
def test_results_name_each_event_in_the_pages_language(client, author, settings):
    """A result's event is built from its columns without its model's constructor: its title
    in the page's language, else the other one marked with its language."""
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    both = EventFactory(title="Policy Cafe", title_cy="Caffi Polisi")
    english = EventFactory(title="Round table")
    for event in (both, english, both):
        board = services.Board.objects.for_event(event)
        services.start_thread(board=board, author=author, title="Allotments", body="Allotments.")

    def results(response) -> str:
        return response.content.decode().split('<ol class="search-results')[1].split("</ol>")[0]

    english_page = results(search(client, q="allotments"))
    with translation.override("cy"):
        welsh_page = results(client.get(reverse("discussions:search"), {"q": "allotments"}))

    assert english_page.count("Policy Cafe") == 2
    assert "Round table" in english_page
    assert welsh_page.count("Caffi Polisi") == 2
    assert '<span lang="en">Round table</span>' in welsh_page
