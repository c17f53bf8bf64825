"""Posts carry their thread's themes (PostTheme): search on a theme walks them newest first.

Kept in step on every way a thread's themes or posts change: a thread started on themes, a
reply, the thread's themes set, removed or cleared (from either side), a theme deleted, posts
written in bulk (`sync_post_themes`)."""

import pytest
from django.db import connection
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


@pytest.mark.parametrize(("share", "way"), [(0.008, "scan"), (0.002, "window"), (0.0001, "index")])
def test_a_theme_walks_its_own_posts_for_a_common_word(share, way):
    """On a theme holding a tenth of 1,000,000 posts, after its newest: a word in one of its
    posts of 12 is found by reading the theme's next posts (through the GIN index, every
    match on every theme would be fetched to keep a tenth); rarer words through the GIN index."""
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
