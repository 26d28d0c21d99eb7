"""The officer's workspace: server-side sessions, log-in attempts, the access log, what a
field edit changed, who holds an item in the queue, and searching every item (SQLite FTS5 / PostgreSQL full-text search).

Revision ID: 0012_workspace
Revises: 0011_residents

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0012_workspace'
down_revision: Union[str, Sequence[str], None] = '0011_residents'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'web_sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_why', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_web_sessions_username', 'web_sessions', ['username', 'revoked_at'])
    op.create_table(
        'login_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_attempts_username_at', 'login_attempts', ['username', 'at'])
    op.create_index('ix_login_attempts_address_at', 'login_attempts', ['address', 'at'])
    op.create_table(
        'access_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('target_kind', sa.String(length=16), nullable=False),
        sa.Column('target', sa.String(length=40), nullable=False),
        sa.Column('path', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_access_log_target', 'access_log', ['target_kind', 'target', 'at'])
    op.create_index('ix_access_log_username_at', 'access_log', ['username', 'at'])
    with op.batch_alter_table('review_decisions') as batch:
        batch.add_column(sa.Column('detail', sa.JSON(), nullable=True))
    op.create_index('ix_items_received_at_id', 'items', ['received_at', 'id'])
    op.create_table(
        'item_claims',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('officer', sa.String(length=100), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('assigned_by', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['items.id']),
        sa.PrimaryKeyConstraint('item_id'),
    )
    op.create_index('ix_item_claims_officer', 'item_claims', ['officer'])
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_search()
    else:
        _postgres_search()


# What an item is found by: its subject and text, and the people, addresses and email its
# fields name. PostgreSQL indexes the same expressions the app's search uses (review/search.py).
ITEM_WORDS = "coalesce(subject, '') || ' ' || coalesce(text, '')"
FIELD_WORDS = ("coalesce(name, '') || ' ' || coalesce(representative, '') || ' ' || "
               "coalesce(email, '') || ' ' || coalesce(address, '')")
POSTCODE_KEY = "replace(upper(coalesce(postcode, '')), ' ', '')"


def _postgres_search() -> None:
    op.execute(f"CREATE INDEX ix_items_search ON items USING gin "
               f"(to_tsvector('simple', {ITEM_WORDS}))")
    op.execute(f"CREATE INDEX ix_extracted_fields_search ON extracted_fields USING gin "
               f"(to_tsvector('simple', {FIELD_WORDS}))")
    op.execute(f"CREATE INDEX ix_extracted_fields_postcode_key ON extracted_fields "
               f"(({POSTCODE_KEY}) text_pattern_ops)")


def _sqlite_search() -> None:
    """An FTS5 table keyed by item id, kept by triggers as items and fields change."""
    people = ("coalesce(new.name, '') || ' ' || coalesce(new.representative, '') || ' ' || "
              "coalesce(new.email, '') || ' ' || coalesce(new.address, '')")
    op.execute("CREATE VIRTUAL TABLE item_search USING fts5(subject, body, people, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    op.execute("CREATE TRIGGER item_search_insert AFTER INSERT ON items BEGIN "
               "INSERT INTO item_search (rowid, subject, body, people) VALUES (new.id, "
               "coalesce(new.subject, ''), coalesce(new.text, ''), ''); END")
    op.execute("CREATE TRIGGER item_search_update AFTER UPDATE OF subject, text ON items "
               "BEGIN UPDATE item_search SET subject = coalesce(new.subject, ''), "
               "body = coalesce(new.text, '') WHERE rowid = new.id; END")
    op.execute("CREATE TRIGGER item_search_delete AFTER DELETE ON items BEGIN "
               "DELETE FROM item_search WHERE rowid = old.id; END")
    for when in ("INSERT", "UPDATE"):
        op.execute(f"CREATE TRIGGER item_search_fields_{when.lower()} AFTER {when} ON "
                   f"extracted_fields BEGIN UPDATE item_search SET people = {people} "
                   f"WHERE rowid = new.item_id; END")
    op.execute(f"INSERT INTO item_search (rowid, subject, body, people) SELECT items.id, "
               f"coalesce(items.subject, ''), coalesce(items.text, ''), "
               f"{people.replace('new.', 'f.')} FROM items LEFT JOIN extracted_fields f "
               f"ON f.item_id = items.id")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ("item_search_insert", "item_search_update", "item_search_delete",
                        "item_search_fields_insert", "item_search_fields_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS item_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_items_search")
        op.execute("DROP INDEX IF EXISTS ix_extracted_fields_search")
        op.execute("DROP INDEX IF EXISTS ix_extracted_fields_postcode_key")
    op.drop_table('item_claims')
    op.drop_index('ix_items_received_at_id', table_name='items')
    with op.batch_alter_table('review_decisions') as batch:
        batch.drop_column('detail')
    op.drop_table('access_log')
    op.drop_table('login_attempts')
    op.drop_table('web_sessions')
