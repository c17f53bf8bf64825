"""Posts' words for search move to their own narrow table (discussions.models.PostSearch).

On PostgreSQL the shown posts' vectors are copied there as they are (1,000,000 posts: seconds,
no text parsed again) and GIN-indexed; the posts' column and its index go. SQLite keeps no
vectors (it searches with icontains)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

INDEX = "discussions_postsearch_vector_gin"
OLD_INDEX = "discussions_post_search_vector_gin"


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "INSERT INTO discussions_postsearch (post_id, thread_id, search_vector)"
        " SELECT id, thread_id, search_vector FROM discussions_post"
        " WHERE hidden_at IS NULL AND withdrawn_at IS NULL"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON discussions_postsearch USING gin (search_vector)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE discussions_post p SET search_vector = s.search_vector"
        " FROM discussions_postsearch s WHERE s.post_id = p.id"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON discussions_post USING gin (search_vector)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('discussions', '0008_post_themes'),
    ]

    operations = [
        migrations.CreateModel(
            name='PostSearch',
            fields=[
                ('post', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='discussions.post')),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('thread', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='discussions.thread')),
            ],
            options={
                'verbose_name': "post's words for search",
                'verbose_name_plural': "posts' words for search",
            },
        ),
        migrations.RunPython(fill, unfill),
        migrations.RemoveField(
            model_name='post',
            name='search_vector',
        ),
    ]
