"""The large bench archive's discussion step (demo/large.py): threads on their event's themes,
a share of them written in Welsh, so that the search bench's theme and Welsh queries find posts."""

import random

import pytest
from django.db import connection

from demo.large import WELSH_FILLER, WELSH_WORDS, theme_and_translate_discussions
from discussions import services
from discussions.models import Board, Post, Thread
from discussions.search import search_posts
from tests.factories import EventFactory, ThemeFactory, UserFactory


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench archive is PostgreSQL")
@pytest.mark.django_db(transaction=True)  # the step ends with a VACUUM
def test_threads_get_their_events_themes_and_a_share_are_welsh_and_found_in_welsh():
    theme = ThemeFactory(name="Housing")
    author = UserFactory()
    threads = []
    for n in range(4):
        board = Board.objects.for_event(EventFactory(themes=[theme]))
        thread = services.start_thread(board=board, author=author, title=f"T{n}", body="Hello.")
        threads.append(thread)

    theme_and_translate_discussions(random.Random(1), welsh_share=0.5)

    assert set(Thread.objects.filter(themes=theme)) == set(threads)
    welsh = Thread.objects.filter(language="cy")
    assert welsh.count() == 2
    assert set(Post.objects.filter(language="cy").values_list("thread", flat=True)) == set(
        welsh.values_list("pk", flat=True)
    )
    for post in Post.objects.filter(language="cy"):  # indexed word for word, as Welsh is
        word = next(w for w in post.body_source.split() if w in WELSH_WORDS + WELSH_FILLER[-14:])
        assert post in list(search_posts(word)[:20])
