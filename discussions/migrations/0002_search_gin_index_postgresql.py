"""The GIN index behind discussion search, on PostgreSQL only (SQLite searches with icontains)."""

from django.db import migrations

INDEX = "discussions_post_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON discussions_post USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("discussions", "0001_discussions")]

    operations = [migrations.RunPython(create_index, drop_index)]
