"""Residents and homes as records, their matches to items, items proposed as about an open
case, and imported cases (contact, reference key, row hash).

Revision ID: 0011_residents
Revises: 0010_hazard_lane

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011_residents'
down_revision: Union[str, Sequence[str], None] = '0010_hazard_lane'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'homes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('postcode', sa.String(length=10), nullable=False),
        sa.Column('address', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_homes_postcode', 'homes', ['postcode'])
    op.create_table(
        'residents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('email', sa.String(length=320), nullable=True),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('postcode', sa.String(length=10), nullable=True),
        sa.Column('address', sa.String(length=500), nullable=True),
        sa.Column('home_id', sa.Integer(), sa.ForeignKey('homes.id'), nullable=True),
        sa.Column('merged_into_id', sa.Integer(), sa.ForeignKey('residents.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('email', 'phone', 'postcode', 'home_id'):
        op.create_index(f'ix_residents_{column}', 'residents', [column])
    op.create_table(
        'resident_matches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('items.id'), nullable=False),
        sa.Column('resident_id', sa.Integer(), sa.ForeignKey('residents.id'), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    for column in ('item_id', 'resident_id', 'status'):
        op.create_index(f'ix_resident_matches_{column}', 'resident_matches', [column])
    op.create_table(
        'case_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), sa.ForeignKey('items.id'), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_links_item_id', 'case_links', ['item_id'])
    op.create_index('ix_case_links_case_id', 'case_links', ['case_id'])
    # Plain ADD COLUMN (a batch copy of a table would trip SQLite's foreign keys on rows
    # already referencing it); the foreign keys to residents are declared where ALTER can.
    postgres = op.get_bind().dialect.name != 'sqlite'
    for table in ('items', 'cases'):
        op.add_column(table, sa.Column('resident_id', sa.Integer(), nullable=True))
        op.create_index(f'ix_{table}_resident_id', table, ['resident_id'])
        if postgres:
            op.create_foreign_key(f'fk_{table}_resident_id', table, 'residents',
                                  ['resident_id'], ['id'])
    for name, kind in (('ref_key', sa.String(length=20)), ('address', sa.String(length=500)),
                       ('email', sa.String(length=320)), ('phone', sa.String(length=40)),
                       ('contact_method', sa.String(length=16)),
                       ('import_hash', sa.String(length=64))):
        op.add_column('cases', sa.Column(name, kind, nullable=True))
    op.create_index('ix_cases_ref_key', 'cases', ['ref_key'])
    op.add_column('items', sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('cases', sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))
    for table in ('cases', 'residents'):
        op.add_column(table, sa.Column('legal_hold', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column('residents', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'data_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('record_class', sa.String(length=40), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('dry_run', sa.Boolean(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # Our own references are CMP-YYYY-NNNNN: their key is the same without the hyphens.
    op.execute("UPDATE cases SET ref_key = UPPER(REPLACE(ref, '-', ''))")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name != 'sqlite'
    op.drop_index('ix_cases_ref_key', table_name='cases')
    for table in ('cases', 'items'):
        if postgres:
            op.drop_constraint(f'fk_{table}_resident_id', table, type_='foreignkey')
        op.drop_index(f'ix_{table}_resident_id', table_name=table)
    op.drop_table('data_audit')
    columns = {'items': ('resident_id', 'purged_at'),
               'cases': ('resident_id', 'legal_hold', 'purged_at', 'import_hash', 'contact_method', 'phone', 'email',
                         'address', 'ref_key')}
    for table, names in columns.items():
        for name in names:
            op.drop_column(table, name)
    for table in ('case_links', 'resident_matches', 'residents', 'homes'):
        op.drop_table(table)
