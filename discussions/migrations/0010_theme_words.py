"""The search rows of posts on themes get their threads' theme words ("#12": discussions/
search.py THEME_WORD_SQL), so that a word on a theme is one GIN lookup. Added to the vectors as
they are (no text parsed again: 1,000,000 posts in about 30 s on the bench). SQLite keeps no
vectors."""

from django.db import migrations

# Every theme word of a row ("#" and digits; no parsed word holds "#").
THEME_WORDS = "ARRAY(SELECT w.lexeme FROM unnest(p.search_vector) w WHERE w.lexeme LIKE '#%%')"


def add_theme_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE discussions_postsearch p SET search_vector ="
        f" ts_delete(p.search_vector, {THEME_WORDS}) || t.words"
        " FROM (SELECT tt.thread_id, array_to_tsvector(array_agg('#' || tt.theme_id::text))"
        " AS words FROM discussions_thread_themes tt GROUP BY tt.thread_id) t"
        " WHERE t.thread_id = p.thread_id"
    )


def remove_theme_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"UPDATE discussions_postsearch p SET search_vector = ts_delete(p.search_vector,"
        f" {THEME_WORDS}) WHERE p.thread_id IN (SELECT thread_id FROM discussions_thread_themes)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0009_post_search"),
    ]

    operations = [migrations.RunPython(add_theme_words, remove_theme_words, elidable=False)]
