"""Indexes that keep the review app's pages fast at 100,000 cases (bench/web.py): the items
list's newest-first order, cases acknowledged late or soon, an item's open cases at its
postcode, and on PostgreSQL the words of an item and of its fields kept as stored tsvector
columns (a search checks them row by row when a word is common, through the GIN index when
it is rare), and trigram indexes for finding a case reference or an email address by any
fragment (when the server has pg_trgm).

Revision ID: 0013_web_speed
Revises: 0012_workspace

"""
from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = '0013_web_speed'
down_revision: Union[str, Sequence[str], None] = '0012_workspace'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The same expressions migration 0012 indexed, now stored (review/search.py reads the columns).
ITEM_WORDS = "coalesce(subject, '') || ' ' || coalesce(text, '')"
FIELD_WORDS = ("coalesce(name, '') || ' ' || coalesce(representative, '') || ' ' || "
               "coalesce(email, '') || ' ' || coalesce(address, '')")
OPEN_UNACKNOWLEDGED = "status = 'open' AND acknowledged_on IS NULL"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_cases_open_acknowledge_by ON cases (acknowledge_by) "
               f"WHERE {OPEN_UNACKNOWLEDGED}")
    op.create_index('ix_cases_status_postcode_id', 'cases', ['status', 'postcode', 'id'])
    if op.get_bind().dialect.name == 'sqlite':
        return  # SQLite reads (received_at, id) backwards for newest first; FTS5 searches
    # The items list's filters on the item itself are read from the index too.
    op.execute("CREATE INDEX ix_items_newest ON items (received_at DESC NULLS LAST, id DESC) "
               "INCLUDE (status, source, hazard)")
    for table, words in (("items", ITEM_WORDS), ("extracted_fields", FIELD_WORDS)):
        op.execute(f"ALTER TABLE {table} ADD COLUMN search_words tsvector GENERATED ALWAYS AS "
                   f"(to_tsvector('simple', {words})) STORED")
        op.execute(f"CREATE INDEX ix_{table}_words ON {table} USING gin (search_words)")
    op.execute("DROP INDEX IF EXISTS ix_items_search")
    op.execute("DROP INDEX IF EXISTS ix_extracted_fields_search")
    if _trigrams_available():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_cases_ref_trigrams ON cases USING gin (ref gin_trgm_ops)")
        op.execute("CREATE INDEX ix_extracted_fields_email_trigrams ON extracted_fields "
                   "USING gin (lower(email) gin_trgm_ops)")


def _trigrams_available() -> bool:
    """pg_trgm ships with PostgreSQL's contrib package and any database owner may enable it;
    without it a fragment search still works, by a scan."""
    bind = op.get_bind()
    return bool(bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar()
        and bind.exec_driver_sql(
            "SELECT has_database_privilege(current_database(), 'CREATE')").scalar())


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_cases_open_acknowledge_by")
    op.drop_index('ix_cases_status_postcode_id', table_name='cases')
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute("DROP INDEX IF EXISTS ix_cases_ref_trigrams")
    op.execute("DROP INDEX IF EXISTS ix_extracted_fields_email_trigrams")
    op.execute("DROP INDEX IF EXISTS ix_items_newest")
    for table, words in (("items", ITEM_WORDS), ("extracted_fields", FIELD_WORDS)):
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_words")
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin "
                   f"(to_tsvector('simple', {words}))")
