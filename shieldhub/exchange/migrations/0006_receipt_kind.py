"""The message's kind on each receipt, for the inbox filtered by kind at scale.

`MessageRecipient.kind` is a copy of `Message.kind`, set when the receipt is recorded (send, reply,
approval, forward), like `sent_at` (migration 0005): a message's kind never changes once it is
written (corrections change the subject and body, a withdrawal the status). The inbox and search
filtered by kind, and their bounded count, then walk only the user's receipts of that kind through
`exch_recipient_kind_idx`, instead of every receipt of the user with its message fetched to test
the kind.

Order, as in 0005: the column is added (empty: on PostgreSQL a constant default costs no rewrite),
filled from the messages (one `UPDATE ... FROM` on PostgreSQL, a correlated subquery elsewhere), and
only then indexed (one index build instead of millions of index updates). On PostgreSQL the UPDATE
rewrites every receipt: plan for it on a large database (see ARCHITECTURE.md), and VACUUM ANALYZE the
table afterwards so that the new index serves index-only scans.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE exchange_messagerecipient AS r SET kind = m.kind FROM exchange_message AS m "
                "WHERE m.id = r.message_id AND r.kind = ''"
            )
        else:
            cursor.execute(
                "UPDATE exchange_messagerecipient SET kind = (SELECT m.kind FROM exchange_message AS m "
                "WHERE m.id = exchange_messagerecipient.message_id) WHERE kind = ''"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0005_receipt_sent_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="messagerecipient",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("alert", "Alert"),
                    ("rfi", "Request for information"),
                    ("information", "Information"),
                    ("operational", "Operational message"),
                    ("special_alert", "Special alert"),
                ],
                default="",
                editable=False,
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="messagerecipient",
            index=models.Index(fields=["user", "kind", "-sent_at", "-message"], name="exch_recipient_kind_idx"),
        ),
    ]
