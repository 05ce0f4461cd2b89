"""Full-text search of exchange messages: one index per database, none of it known to the models.

PostgreSQL
    * a text search configuration `shieldhub_search`: the `simple` parser and dictionary (no
      stemming, no stop words: messages are in English and French) behind the `unaccent`
      dictionary, so "precurseur" finds "précurseur". `unaccent` is a trusted extension
      (PostgreSQL 13+): a database owner may create it. Where it cannot be created the
      configuration is a plain copy of `simple` and search is accent-sensitive (a warning is logged;
      create the extension and run `shieldhub migrate exchange 0003` then `migrate` to rebuild).
    * a stored generated column `exchange_message.search_vector`: subject (weight A), body (B),
      tags and HS codes (C). PostgreSQL recomputes it on every insert and update (corrections).
    * a GIN index on that column;
    * a partial index on unread receipts (the unread badge polled by every open page, and the
      "unread" filter);
    * a covering index on messages (id, with the columns the access policy and the inbox filters
      read), so that counting a user's inbox joins index entries, not the wide message rows.

SQLite
    * an FTS5 table `exchange_message_fts` over subject, body, tags and HS codes, with the message
      table as external content (`content_rowid=id`) and `remove_diacritics 2`, kept in step by
      three triggers;
    * the same partial index on unread receipts.
    Beware: Django rebuilds a SQLite table for some schema changes (AlterField on Message, ...),
    which drops its triggers. A later migration that rebuilds `exchange_message` must run
    `sqlite_forwards` again (copy it); tests/exchange/test_search.py fails if the triggers are gone.

Queries: `shieldhub/exchange/search.py`.
"""

import logging

from django.db import DatabaseError, migrations

logger = logging.getLogger(__name__)

CONFIG = "shieldhub_search"
COLUMN = "search_vector"
GIN_INDEX = "exch_msg_search_gin"
UNREAD_INDEX = "exch_recipient_unread_idx"
COVERING_INDEX = "exch_msg_visibility_idx"
FTS_TABLE = "exchange_message_fts"
FTS_COLUMNS = "subject, body, tags, hs_codes"

UNREAD_SQL = (
    f"CREATE INDEX IF NOT EXISTS {UNREAD_INDEX} ON exchange_messagerecipient (user_id, message_id) "
    "WHERE read_at IS NULL"
)


def _weighted(expression, weight):
    return f"setweight(to_tsvector('{CONFIG}'::regconfig, {expression}), '{weight}')"


VECTOR_SQL = " || ".join(
    [
        _weighted("coalesce(subject, '')", "A"),
        _weighted("coalesce(body, '')", "B"),
        _weighted("coalesce(tags, '[]'::jsonb)", "C"),
        _weighted("coalesce(hs_codes, '[]'::jsonb)", "C"),
    ]
)


def postgresql_forwards(cursor):
    cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
    if cursor.fetchone() is None:
        cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple)")
        cursor.execute("SAVEPOINT gsh_unaccent")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        except DatabaseError:  # no privilege: search works, accent-sensitive
            cursor.execute("ROLLBACK TO SAVEPOINT gsh_unaccent")
            logger.warning("unaccent could not be created: exchange search will be accent-sensitive.")
        else:
            cursor.execute("RELEASE SAVEPOINT gsh_unaccent")
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
                "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple"
            )
    cursor.execute(
        f"ALTER TABLE exchange_message ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({VECTOR_SQL}) STORED"
    )
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON exchange_message USING gin ({COLUMN})")
    cursor.execute(UNREAD_SQL)
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {COVERING_INDEX} ON exchange_message (id) "
        "INCLUDE (status, sender_id, sent_at, kind, tlp, releasable_interpol, releasable_unodc)"
    )


def sqlite_forwards(cursor):
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({FTS_COLUMNS}, "
        "content='exchange_message', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    new = ", ".join(f"new.{c.strip()}" for c in FTS_COLUMNS.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in FTS_COLUMNS.split(","))
    cursor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON exchange_message BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, {FTS_COLUMNS}) VALUES (new.id, {new}); END"
    )
    cursor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON exchange_message BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {old}); END"
    )
    cursor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {FTS_COLUMNS} ON exchange_message BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {FTS_TABLE}(rowid, {FTS_COLUMNS}) VALUES (new.id, {new}); END"
    )
    # Index what is already there.
    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    cursor.execute(UNREAD_SQL)


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            postgresql_forwards(cursor)
        elif connection.vendor == "sqlite":
            sqlite_forwards(cursor)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {COVERING_INDEX}")
            cursor.execute(f"DROP INDEX IF EXISTS {UNREAD_INDEX}")
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            cursor.execute(f"ALTER TABLE exchange_message DROP COLUMN IF EXISTS {COLUMN}")
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DROP INDEX IF EXISTS {UNREAD_INDEX}")
            for suffix in ("ai", "ad", "au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_moderation_operations")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
