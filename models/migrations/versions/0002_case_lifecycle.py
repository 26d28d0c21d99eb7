"""Case lifecycle: the current stage's acknowledgement, extension, response and refusal on
cases; drafted letters; records of items that open no case.

Revision ID: 0002
Revises: 0001

"""
from collections.abc import Sequence
from typing import Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('officer', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('extension_days', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('responded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('remedy', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('refused_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('earlier_officers', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))

    op.create_table('case_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_to', sa.String(length=320), nullable=True),
    sa.Column('send_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_drafts_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_drafts_item_id'), ['item_id'], unique=False)

    op.create_table('intake_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('policy', sa.String(length=64), nullable=False),
    sa.Column('received', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id')
    )
    with op.batch_alter_table('intake_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_records_kind'), ['kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intake_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_records_kind'))
    op.drop_table('intake_records')
    with op.batch_alter_table('case_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_drafts_item_id'))
        batch_op.drop_index(batch_op.f('ix_case_drafts_case_id'))
    op.drop_table('case_drafts')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for column in ('earlier_officers', 'refused_reason', 'remedy', 'outcome',
                       'responded_on', 'extension_days', 'acknowledged_on', 'officer',
                       'received_on'):
            batch_op.drop_column(column)
