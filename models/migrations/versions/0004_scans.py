"""Scanned letters: each item's scan digest and page range, and its pages as read.

Revision ID: 0004
Revises: 0002

"""
from collections.abc import Sequence
from typing import Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('first_page', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_page', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_items_scan_sha256'), ['scan_sha256'], unique=False)

    op.create_table('item_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('source_page', sa.Integer(), nullable=True),
    sa.Column('text_source', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ocr_confidence', sa.Double(), nullable=True),
    sa.Column('rotation', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id', 'number')
    )
    with op.batch_alter_table('item_pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_pages_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('item_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_pages_item_id'))
    op.drop_table('item_pages')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_scan_sha256'))
        batch_op.drop_column('last_page')
        batch_op.drop_column('first_page')
        batch_op.drop_column('scan_sha256')
