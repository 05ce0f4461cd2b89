"""The message's send time on each receipt, for the inbox at scale.

`MessageRecipient.sent_at` is a copy of `Message.sent_at`, set when the receipt is recorded (send
time, or a moderator's approval). The inbox and the unread badge then walk one user's receipts
newest first through `exch_recipient_inbox_idx` (and, for unread ones,
`exch_recipient_unread_sent_idx`) and stop after a page, instead of joining every message the user
received (tens of thousands) and sorting them.

Order: the column is added, filled from the messages (one `UPDATE ... FROM` on PostgreSQL, a
correlated subquery on SQLite), and only then indexed (one index build instead of millions of
index updates). The partial index on unread receipts of migration 0004 (raw SQL, user and message)
is replaced by the declared `exch_recipient_unread_sent_idx`, which Django knows about and keeps
when SQLite rebuilds the table.
"""

from django.db import migrations, models

OLD_UNREAD_INDEX = "exch_recipient_unread_idx"
OLD_UNREAD_SQL = (
    f"CREATE INDEX IF NOT EXISTS {OLD_UNREAD_INDEX} ON exchange_messagerecipient (user_id, message_id) "
    "WHERE read_at IS NULL"
)


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE exchange_messagerecipient AS r SET sent_at = m.sent_at FROM exchange_message AS m "
                "WHERE m.id = r.message_id AND m.sent_at IS NOT NULL AND r.sent_at IS NULL"
            )
        else:
            cursor.execute(
                "UPDATE exchange_messagerecipient SET sent_at = (SELECT m.sent_at FROM exchange_message AS m "
                "WHERE m.id = exchange_messagerecipient.message_id) WHERE sent_at IS NULL"
            )
        cursor.execute(f"DROP INDEX IF EXISTS {OLD_UNREAD_INDEX}")


def unfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OLD_UNREAD_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0004_full_text_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="messagerecipient",
            name="sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="sent"),
        ),
        migrations.RunPython(backfill, unfill),
        migrations.AddIndex(
            model_name="messagerecipient",
            index=models.Index(fields=["user", "-sent_at", "-message"], name="exch_recipient_inbox_idx"),
        ),
        migrations.AddIndex(
            model_name="messagerecipient",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["user", "-sent_at", "-message"],
                name="exch_recipient_unread_sent_idx",
            ),
        ),
    ]
