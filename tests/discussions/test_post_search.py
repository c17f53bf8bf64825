"""Shown posts' words live in their own narrow table (PostSearch), which search reads.

Kept in step on every way a post changes (written, edited, hidden, shown again, withdrawn, saved
outside the services), mended in bulk by `update_search_vectors`, and filled by the migration
from the posts' own vectors (PostgreSQL: SQLite searches with icontains and keeps no rows)."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from discussions import services
from discussions.models import Post, PostSearch
from discussions.search import update_search_vectors

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)
pytestmark = [pytest.mark.postgres, postgres_only]


def words(thread) -> dict[int, str]:
    """{post number: its search vector as text} of the thread's PostSearch rows."""
    numbers = dict(Post.objects.filter(thread=thread).values_list("pk", "number"))
    found = PostSearch.objects.filter(post_id__in=numbers).values_list("post_id", "search_vector")
    return {numbers[post_id]: str(vector) for post_id, vector in found}


def found(client, q) -> list[int]:
    response = client.get(reverse("discussions:search"), {"q": q})
    return [post.pk for post in response.context["page"]]


@pytest.fixture
def reply(thread, author, settings):
    settings.DISCUSSIONS_POSTS_PER_MINUTE = 0
    return services.post_reply(thread=thread, author=author, body="Allotments need water.")


def test_a_new_thread_and_reply_have_their_words(thread, reply):
    rows = words(thread)

    assert set(rows) == {1, 2}
    assert "'allot':" in rows[2]
    assert "'water':" in rows[2]
    # The opening post carries its thread's title, weighted A; a reply has no title.
    assert re.search(r"':[0-9,]*[0-9]+A", rows[1])
    assert not re.search(r"[0-9]A", rows[2])
    assert PostSearch.objects.get(post=reply).thread_id == thread.pk


def test_an_edit_replaces_the_words(client, thread, reply, author):
    services.edit_post(post=reply, editor=author, body="Orchards need sun.")

    assert "'orchard':" in words(thread)[2]
    assert "'allot'" not in words(thread)[2]
    assert found(client, "orchards") == [reply.pk]
    assert found(client, "allotments") == []


def test_a_hidden_post_leaves_search_and_comes_back_when_shown(client, thread, reply, moderator):
    services.hide_post(post=reply, moderator=moderator, reason="Off topic")

    assert 2 not in words(thread)
    assert found(client, "allotments") == []

    services.restore_post(post=reply, moderator=moderator)

    assert "'allot':" in words(thread)[2]
    assert found(client, "allotments") == [reply.pk]


def test_a_withdrawn_post_leaves_search(client, thread, reply, author):
    services.withdraw_post(post=reply, user=author)

    assert 2 not in words(thread)
    assert found(client, "allotments") == []


def test_a_post_saved_outside_the_services_follows(client, thread, reply):
    """The admin saves every field: the row follows whatever changed."""
    reply.hidden_at = timezone.now()
    reply.save()
    assert 2 not in words(thread)

    reply.hidden_at = None
    reply.body_source = "Beehives on the roof."
    reply.save()
    assert "'beehiv':" in words(thread)[2]
    assert found(client, "beehives") == [reply.pk]


def test_bulk_writes_are_mended_by_update_search_vectors(thread, reply, moderator):
    PostSearch.objects.filter(post__thread=thread).delete()
    Post.objects.filter(pk=reply.pk).update(hidden_at=timezone.now())

    update_search_vectors(thread_ids=[thread.pk])
    assert set(words(thread)) == {1}

    Post.objects.filter(pk=reply.pk).update(hidden_at=None)
    update_search_vectors()
    assert set(words(thread)) == {1, 2}


BEFORE = [("discussions", "0008_post_themes")]
AFTER = [("discussions", "0009_post_search")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_shown_posts_vectors_and_back(thread, reply):
    hidden = Post.objects.create(
        thread=thread, number=3, body_source="Secret beehives", hidden_at=timezone.now()
    )
    update_search_vectors()
    expected = words(thread)
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, search_vector::text FROM discussions_post")
            before = dict(cursor.fetchall())
            # The hidden post had a vector too: the column held every post's.
            cursor.execute(
                "UPDATE discussions_post SET search_vector = to_tsvector('english', body_source)"
                " WHERE id = %s",
                [hidden.pk],
            )
        assert before[reply.pk] == expected[2]

        migrate(AFTER)

        assert words(thread) == expected
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s", ["discussions_post"]
            )
            assert not any("search_vector" in row[0] for row in cursor.fetchall())
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [PostSearch._meta.db_table]
            )
            assert any("gin (search_vector)" in row[0] for row in cursor.fetchall())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
