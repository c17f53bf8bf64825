"""Posts carry their thread's themes (PostTheme): search on a theme walks them newest first.

Kept in step on every way a thread's themes or posts change: a thread started on themes, a
reply, the thread's themes set, removed or cleared (from either side), a theme deleted, posts
written in bulk (`sync_post_themes`)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from discussions import search as search_module
from discussions import services
from discussions.models import Post, PostTheme, sync_post_themes
from tests.factories import ThemeFactory


def rows(thread) -> set[tuple[int, int]]:
    """(post number, theme id) of the thread's PostTheme rows."""
    numbers = dict(Post.objects.filter(thread=thread).values_list("pk", "number"))
    found = PostTheme.objects.filter(post_id__in=numbers).values_list("post_id", "theme_id")
    return {(numbers[post_id], theme_id) for post_id, theme_id in found}


@pytest.fixture
def care(db):
    return ThemeFactory(name="Care")


@pytest.fixture
def power(db):
    return ThemeFactory(name="Power")


@pytest.fixture
def on_care(board, author, care, settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    thread = services.start_thread(
        board=board, author=author, title="Care", body="Opening.", themes=[care]
    )
    services.post_reply(thread=thread, author=author, body="A reply.")
    return thread


def test_a_thread_started_on_themes_and_its_replies_are_on_them(board, author, care, power):
    thread = services.start_thread(
        board=board, author=author, title="Both", body="Opening.", themes=[care, power]
    )
    services.post_reply(thread=thread, author=author, body="A reply.")

    assert rows(thread) == {(1, care.pk), (1, power.pk), (2, care.pk), (2, power.pk)}


def test_a_thread_without_themes_has_no_rows(thread, author):
    services.post_reply(thread=thread, author=author, body="A reply.")

    assert rows(thread) == set()


def test_changing_a_threads_themes_moves_every_post(on_care, care, power):
    on_care.themes.add(power)
    assert rows(on_care) == {(1, care.pk), (2, care.pk), (1, power.pk), (2, power.pk)}

    on_care.themes.remove(care)
    assert rows(on_care) == {(1, power.pk), (2, power.pk)}

    on_care.themes.set([care])
    assert rows(on_care) == {(1, care.pk), (2, care.pk)}

    on_care.themes.clear()
    assert rows(on_care) == set()


def test_changing_a_themes_threads_moves_their_posts(on_care, care, power):
    power.threads.add(on_care)
    assert rows(on_care) == {(1, care.pk), (2, care.pk), (1, power.pk), (2, power.pk)}

    care.threads.remove(on_care)
    assert rows(on_care) == {(1, power.pk), (2, power.pk)}

    power.threads.clear()
    assert rows(on_care) == set()


def test_a_deleted_theme_or_post_takes_its_rows(on_care, care, power):
    on_care.themes.add(power)
    on_care.posts.get(number=2).delete()
    care.delete()

    assert rows(on_care) == {(1, power.pk)}


def test_sync_post_themes_mends_rows_written_in_bulk(on_care, thread, care, power):
    PostTheme.objects.all().delete()
    thread.themes.through.objects.bulk_create([thread.themes.through(thread=thread, theme=power)])
    assert rows(on_care) == rows(thread) == set()

    sync_post_themes(thread_ids=[thread.pk])
    assert rows(thread) == {(1, power.pk)}
    assert rows(on_care) == set()

    sync_post_themes()
    assert rows(on_care) == {(1, care.pk), (2, care.pk)}
    assert rows(thread) == {(1, power.pk)}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgres_a_theme_search_walks_the_themes_own_posts(
    client, on_care, thread, author, care, monkeypatch
):
    """The newest posts read are the theme's (not the newest posts, of which the theme keeps
    a share), and a thread given the theme after its posts were written is found on it."""
    monkeypatch.setattr(search_module, "FEW_POSTS", 0)
    monkeypatch.setattr(search_module, "SAMPLE_POSTS", 3)
    monkeypatch.setattr(search_module, "MAX_RANKED", 2)
    services.post_reply(thread=on_care, author=author, body="Allotments on care.")
    later = services.start_thread(
        board=on_care.board, author=author, title="Later", body="Allotments, later."
    )
    for _ in range(5):  # the newest posts: off the theme, with the word
        services.post_reply(thread=thread, author=author, body="Allotments off the theme.")
    later.themes.add(care)
    steps = []

    def spy(way):
        original = getattr(search_module.Candidates, way)

        def spied(self, low, high, limit):
            steps.append(way)
            return original(self, low, high, limit)

        monkeypatch.setattr(search_module.Candidates, way, spied)

    spy("scanned")
    spy("indexed")

    response = client.get(reverse("discussions:search"), {"q": "allotments", "theme": care.slug})

    found = [post.body_source for post in response.context["page"]]
    assert found == ["Allotments, later.", "Allotments on care."]
    # Both found among the theme's newest posts; the newest posts (off the theme) held none,
    # and had they been read instead, a wider window would have been looked through.
    assert steps == []


@pytest.mark.parametrize(("share", "way"), [(0.008, "scan"), (0.002, "index"), (0.0001, "index")])
def test_a_theme_walks_its_own_posts_for_a_common_word(share, way):
    """On a theme holding a tenth of 1,000,000 posts, after its newest: a word in one of its
    posts of 12 is found by reading the theme's next posts (the GIN index would fetch all of
    the theme's thousands of matches); rarer words (one post of 50, or of 1,000) through the
    GIN index, the word's entries ANDed with the theme's word: only the theme's matches are
    fetched, and no window of ids is needed."""
    chosen, low = search_module._next_step(
        high=990_000, top=1_000_000, missing=190, share=share, part=0.1
    )
    assert chosen == way


def test_sync_post_themes_takes_many_threads_in_chunks(on_care, thread, care, monkeypatch):
    """However many threads are named, each statement names at most SYNC_CHUNK of them."""
    from discussions import models

    monkeypatch.setattr(models, "SYNC_CHUNK", 1)
    thread.themes.through.objects.bulk_create([thread.themes.through(thread=thread, theme=care)])
    PostTheme.objects.all().delete()

    sync_post_themes(thread_ids=[on_care.pk, thread.pk])

    assert rows(on_care) == {(1, care.pk), (2, care.pk)}
    assert rows(thread) == {(1, care.pk)}


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


def found_through_the_index(theme, q="allotments") -> set[int]:
    """Post numbers a search on `theme` finds through the GIN index (the words and the
    theme's word ANDed: discussions/search.py `Candidates.indexed`)."""
    candidates = search_module.Candidates(q, None, theme=theme)
    ids = [pk for pk, _rank, _readable in candidates.indexed(0, 2**31 - 1, 100)]
    return set(Post.objects.filter(pk__in=ids).values_list("number", flat=True))


@pytest.fixture
def allotments(on_care, author):
    services.post_reply(thread=on_care, author=author, body="Allotments on care.")
    return on_care


@pytest.mark.postgres
@postgres_only
def test_postgres_a_threads_theme_words_follow_its_themes(allotments, care, power, author):
    """A thread's posts carry its themes' words in their search rows: given, taken away, set
    or cleared from either side, a theme deleted, a reply written: the GIN index finds them
    on the theme at once, and on no other."""
    assert found_through_the_index(care) == {3}
    assert found_through_the_index(power) == set()
    allotments.themes.add(power)
    assert found_through_the_index(power) == {3}
    allotments.themes.remove(care)
    assert found_through_the_index(care) == set()
    care.threads.add(allotments)
    services.post_reply(thread=allotments, author=author, body="More allotments.")
    assert found_through_the_index(care) == found_through_the_index(power) == {3, 4}
    power.threads.remove(allotments)
    assert found_through_the_index(power) == set()
    care.threads.clear()
    assert found_through_the_index(care) == set()
    allotments.themes.set([care, power])
    allotments.themes.clear()
    assert found_through_the_index(care) == found_through_the_index(power) == set()
    allotments.themes.set([power])
    power_id = power.pk
    power.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM discussions_postsearch WHERE search_vector @@ %s::tsquery",
            [search_module.theme_word(power_id)],
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.postgres
@postgres_only
def test_postgres_no_query_reaches_a_theme_word(allotments, care):
    """A query without words finds nothing on a theme (not every post on it), and a typed
    "#12" is the number 12, not the theme's word."""
    assert found_through_the_index(care, "?!") == set()
    assert found_through_the_index(care, f"#{care.pk}") == set()
    assert found_through_the_index(care, f"allotments #{care.pk}") == set()


@pytest.mark.postgres
@postgres_only
def test_postgres_bulk_theme_words_mend_every_thread(allotments, care, power):
    """`update_theme_words()` (the bench archive's bulk step) gives every post its thread's
    theme words, whatever its row held."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE discussions_postsearch SET search_vector = 'allotments'::tsvector")
    allotments.themes.through.objects.create(thread=allotments, theme=power)  # no signal sent
    assert found_through_the_index(care) == set()

    search_module.update_theme_words()

    assert found_through_the_index(care) == found_through_the_index(power) == {1, 2, 3}


def theme_words(thread) -> dict[int, set[str]]:
    """The theme words in the search rows of the thread's posts, by post number."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.number, ARRAY(SELECT w.lexeme FROM unnest(s.search_vector) w"
            " WHERE w.lexeme LIKE '#%%') FROM discussions_postsearch s"
            " JOIN discussions_post p ON p.id = s.post_id WHERE p.thread_id = %s",
            [thread.pk],
        )
        return {number: set(words) for number, words in cursor.fetchall()}


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgres_the_migration_adds_theme_words_and_takes_them_back(on_care, care, power):
    on_care.themes.add(power)
    expected = {number: {f"#{care.pk}", f"#{power.pk}"} for number in (1, 2)}
    assert theme_words(on_care) == expected
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("discussions", "0009_post_search")])
        assert theme_words(on_care) == {1: set(), 2: set()}

        executor = MigrationExecutor(connection)
        executor.migrate([("discussions", "0010_theme_words")])
        assert theme_words(on_care) == expected
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
