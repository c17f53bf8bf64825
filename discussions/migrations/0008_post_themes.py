"""Posts on their threads' themes (discussions.models.PostTheme), filled for the posts there are."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO discussions_posttheme (theme_id, post_id) SELECT tt.theme_id, p.id"
        " FROM discussions_post p JOIN discussions_thread_themes tt ON tt.thread_id = p.thread_id"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('discussions', '0007_thread_and_post_language'),
        ('events', '0016_declined_invitations'),
    ]

    operations = [
        migrations.CreateModel(
            name='PostTheme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='discussions.post')),
                ('theme', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.theme')),
            ],
            options={
                'verbose_name': 'post on a theme',
                'verbose_name_plural': 'posts on a theme',
                'constraints': [models.UniqueConstraint(fields=('theme', 'post'), name='post_theme_unique')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
