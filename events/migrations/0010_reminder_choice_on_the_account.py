"""Reminder opt-outs become the account's own choice (User.email_reminders)."""

from django.db import migrations


def opt_outs_to_accounts(apps, schema_editor):
    ReminderOptOut = apps.get_model("events", "ReminderOptOut")
    User = apps.get_model("people", "User")
    User.objects.filter(pk__in=ReminderOptOut.objects.values("user")).update(email_reminders=False)


def accounts_to_opt_outs(apps, schema_editor):
    ReminderOptOut = apps.get_model("events", "ReminderOptOut")
    User = apps.get_model("people", "User")
    ReminderOptOut.objects.bulk_create(
        ReminderOptOut(user_id=pk)
        for pk in User.objects.filter(email_reminders=False).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_event_language"),
        ("people", "0003_member_language_and_email_preferences"),
    ]

    operations = [
        migrations.RunPython(opt_outs_to_accounts, accounts_to_opt_outs),
        migrations.DeleteModel(name="ReminderOptOut"),
    ]
