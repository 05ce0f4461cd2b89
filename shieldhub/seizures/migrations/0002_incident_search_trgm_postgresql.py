"""PostgreSQL-only: a trigram GIN index on Incident.search_text, so that the free-text filter's
word-by-word `LIKE '%word%'` uses an index rather than scanning every record (no model change,
so nothing for SQLite). pg_trgm is a trusted extension; if it cannot be created the migration goes
on without the index (search still works, only slower)."""

import logging

from django.db import DatabaseError, migrations

logger = logging.getLogger(__name__)

TRIGRAM_INDEX = "seiz_inc_search_trgm"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT gsh_seiz_trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            cursor.execute("ROLLBACK TO SAVEPOINT gsh_seiz_trgm")
            logger.warning("pg_trgm could not be created: seizure search will not use a trigram index.")
            return
        cursor.execute("RELEASE SAVEPOINT gsh_seiz_trgm")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON seizures_incident USING gin (search_text gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("seizures", "0001_seizures_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
