"""Discussion factories and a bulk helper for long threads and big boards."""

from datetime import timedelta

import factory
from django.utils import timezone

from discussions.models import Board, Post, Thread
from discussions.rendering import render_markdown
from discussions.search import update_search_vectors
from tests.factories import EventFactory, UserFactory


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    event = factory.SubFactory(EventFactory)


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    board = factory.SubFactory(BoardFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    author = factory.SubFactory(UserFactory)
    last_poster = factory.SelfAttribute("author")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    number = factory.LazyAttribute(lambda p: p.thread.posts.count() + 1)
    author = factory.SubFactory(UserFactory)
    body_source = factory.Sequence(lambda n: f"Post body {n}")
    body_html = factory.LazyAttribute(lambda p: render_markdown(p.body_source))


def fill_thread(thread: Thread, count: int, *, authors, body="A reply about *co-production*."):
    """Give `thread` posts 1..count with bulk_create and set its counters (fast, for budgets)."""
    html = render_markdown(body)
    start = timezone.now() - timedelta(minutes=count)
    posts = [
        Post(
            thread=thread,
            number=n,
            author=authors[n % len(authors)],
            body_source=f"{body} {n}",
            body_html=html,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(1, count + 1)
    ]
    Post.objects.bulk_create(posts, batch_size=500)
    last = Post.objects.get(thread=thread, number=count)
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=count - 1,
        last_post=last,
        last_poster=last.author,
        last_activity_at=last.created_at,
    )
    update_search_vectors(thread_ids=[thread.pk])
    thread.refresh_from_db()
    return thread


def fill_board(board: Board, count: int, *, authors, themes=()):
    """`count` threads (one opening post each) on `board`, with bulk_create."""
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        [
            Thread(
                board=board,
                title=f"Bulk thread {n}",
                slug=f"bulk-thread-{n}",
                author=authors[n % len(authors)],
                last_poster=authors[(n + 1) % len(authors)],
                last_activity_at=now - timedelta(minutes=n),
                pinned=n % 50 == 0,
                reply_count=n % 7,
            )
            for n in range(count)
        ],
        batch_size=500,
    )
    html = render_markdown("Opening post")
    Post.objects.bulk_create(
        [
            Post(thread=t, number=1, author=t.author, body_source="Opening post", body_html=html)
            for t in threads
        ],
        batch_size=500,
    )
    if themes:
        through = Thread.themes.through
        through.objects.bulk_create(
            [through(thread=t, theme=theme) for t in threads for theme in themes], batch_size=500
        )
    return threads
