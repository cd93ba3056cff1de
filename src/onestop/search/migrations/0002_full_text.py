"""The full-text structures of the database in use, over SearchEntry's token columns.

Tokens are segmented and normalised in Python (pythainlp) and stored space-separated, so both
engines only split on spaces and never re-interpret Thai:

* SQLite: a contentless FTS5 table (the text lives once, in SearchEntry), filled by triggers.
  Triggers, rather than service code, keep the index exact for every write path (bulk_create,
  QuerySet.delete, test flushes), inside the writer's transaction. Each token is stored
  qualified by its index name, so an index's postings never mix with another's and a query
  needs no extra condition (an index token ANDed to every query doubled the ranking cost).
  The `ascii` tokenizer splits at spaces and ASCII punctuation only (and keeps `.` for decimal
  numbers), so Thai tokens pass unchanged. A later migration that rebuilds search_searchentry
  (SQLite copies the table) must create the triggers again and refill search_fts.
* PostgreSQL: a generated tsvector column with a GIN index. It is built from the tokens as a
  tsvector literal (weights A title, B text, C compound parts, D tags) rather than through
  to_tsvector(): PostgreSQL's parser follows the database locale, and some locales split Thai
  words at tone marks. The result is what the 'simple' configuration gives (no stemming, no
  stop words), whatever the locale. Tags get a "#" that no word can contain, so queries need
  no weight labels to keep words and tags apart: a query with weight labels makes PostgreSQL
  re-check every row the GIN index returns (three times slower on common words).
"""

from django.db import migrations

# The FTS5 table is contentless: it holds each token qualified by its index (the hex of the
# index name, then "z"), so a query for one index never reads another's postings.
_QUALIFIED = "CASE WHEN {row}.{column} = '' THEN '' ELSE lower(hex({row}.index_name)) || 'z' || replace({row}.{column}, ' ', ' ' || lower(hex({row}.index_name)) || 'z') END"
_COLUMNS = ("title_tokens", "text_tokens", "part_tokens", "tag_tokens")


def _values(row):
    return ", ".join(_QUALIFIED.format(row=row, column=column) for column in _COLUMNS)


_FTS_INSERT = f"""INSERT INTO search_fts (rowid, {", ".join(_COLUMNS)})
           VALUES (new.id, {_values("new")});"""
_FTS_DELETE = f"""INSERT INTO search_fts (search_fts, rowid, {", ".join(_COLUMNS)})
           VALUES ('delete', old.id, {_values("old")});"""

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
           title_tokens, text_tokens, part_tokens, tag_tokens,
           content='', tokenize="ascii tokenchars '.'"
       )""",
    f"""CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_searchentry BEGIN
           {_FTS_INSERT}
       END""",
    f"""CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_searchentry BEGIN
           {_FTS_DELETE}
       END""",
    f"""CREATE TRIGGER search_entry_fts_update
       AFTER UPDATE OF index_name, title_tokens, text_tokens, part_tokens, tag_tokens
       ON search_searchentry BEGIN
           {_FTS_DELETE}
           {_FTS_INSERT}
       END""",
    f"""INSERT INTO search_fts (rowid, {", ".join(_COLUMNS)})
        SELECT id, {_values("search_searchentry")} FROM search_searchentry""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    r"""CREATE OR REPLACE FUNCTION search_weighted_tsvector(
           tokens text, weight "char", prefix text DEFAULT ''
       )
       RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
           SELECT setweight(coalesce(string_agg(
               '''' || replace(replace(prefix || token, '\', '\\'), '''', '''''') || ''':'
                   || least(position, 16383),
               ' ')::tsvector, ''::tsvector), weight)
           FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS t(token, position)
           WHERE token <> ''
       $$""",
    """ALTER TABLE search_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
           search_weighted_tsvector(title_tokens, 'A')
           || search_weighted_tsvector(text_tokens, 'B')
           || search_weighted_tsvector(part_tokens, 'C')
           || search_weighted_tsvector(tag_tokens, 'D', '#')
       ) STORED""",
    "CREATE INDEX search_entry_document ON search_searchentry USING gin (document)",
    # Counting the documents that match a common word: the planner expects a sequential scan
    # to be cheaper than the GIN index, not knowing that it evaluates @@ on every row (four
    # times slower). The function's own setting steers only its query.
    """CREATE OR REPLACE FUNCTION search_count(
           wanted_index text, query tsquery, amount_min numeric, amount_max numeric
       )
       RETURNS bigint LANGUAGE sql STABLE SET enable_seqscan = off AS $$
           SELECT count(*) FROM search_searchentry
           WHERE document @@ query AND index_name = wanted_index
             AND (amount_min IS NULL OR amount >= amount_min)
             AND (amount_max IS NULL OR amount <= amount_max)
       $$""",
]
POSTGRES_BACKWARD = [
    "DROP FUNCTION IF EXISTS search_count(text, tsquery, numeric, numeric)",
    "DROP INDEX IF EXISTS search_entry_document",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS document",
    'DROP FUNCTION IF EXISTS search_weighted_tsvector(text, "char", text)',
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
