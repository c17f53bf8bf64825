"""Threads and posts carry the language they were written in: the writer's interface language.
Pages mark it with `lang`; search finds Welsh words (indexed word for word) and English stems."""

import pytest
from django.db import connection
from django.utils import translation

from discussions import services
from discussions.search import search_posts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_thread_and_reply_take_the_writers_interface_language(board, author, client):
    with translation.override("cy"):
        thread = services.start_thread(
            board=board, author=author, title="Beth nesaf?", body="Diolch am y sgwrs."
        )
    reply = services.post_reply(thread=thread, author=UserFactory(), body="Thanks, all.")
    opening = thread.posts.get(number=1)
    assert (thread.language, opening.language, reply.language) == ("cy", "cy", "en")

    html = client.get(thread.get_absolute_url()).content.decode()
    assert '<h1 lang="cy">Beth nesaf?</h1>' in html
    assert f'aria-labelledby="{opening.anchor}-heading" lang="cy"' in html
    assert f'aria-labelledby="{reply.anchor}-heading" lang="en"' in html


@pytest.mark.postgres
def test_search_finds_welsh_words_and_english_stems(board, author):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search needs PostgreSQL")
    with translation.override("cy"):
        welsh = services.start_thread(
            board=board, author=author, title="Cyd-gynhyrchu", body="Mae'r cymunedau yn arwain."
        )
    english = services.start_thread(
        board=board, author=author, title="Meetings", body="We held community meetings."
    )
    welsh_post, english_post = welsh.posts.get(), english.posts.get()

    assert list(search_posts("cymunedau")[:10]) == [welsh_post]
    assert list(search_posts("meeting")[:10]) == [english_post]  # stemmed: meetings
    assert list(search_posts("arwain")[:10]) == [welsh_post]
