"""The hazard lane (Awaab's Law): hazard records and their append-only events; the
adjustments a writer asked for, with the item's fields; how a drafted letter honours them.

Revision ID: 0010_hazard_lane
Revises: 0007

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010_hazard_lane'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'hazards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('address', sa.String(length=500), nullable=True),
        sa.Column('postcode', sa.String(length=10), nullable=True),
        sa.Column('proposed_severity', sa.String(length=16), nullable=False),
        sa.Column('severity', sa.String(length=16), nullable=False),
        sa.Column('severity_confirmed', sa.Boolean(), nullable=False),
        sa.Column('signs', sa.JSON(), nullable=False),
        sa.Column('vulnerability', sa.JSON(), nullable=False),
        sa.Column('adjustments', sa.JSON(), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('aware_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('investigated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('investigated_by', sa.String(length=100), nullable=True),
        sa.Column('found', sa.Boolean(), nullable=True),
        sa.Column('summary_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('made_safe_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accommodation_offered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('preventative_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('item_id', 'type'),
    )
    op.create_index('ix_hazards_item_id', 'hazards', ['item_id'])
    op.create_index('ix_hazards_status', 'hazards', ['status'])
    op.create_index('ix_hazards_status_priority', 'hazards', ['status', 'priority', 'aware_at'])
    op.create_table(
        'hazard_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hazard_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['hazard_id'], ['hazards.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_hazard_events_hazard_id', 'hazard_events', ['hazard_id'])
    with op.batch_alter_table('extracted_fields') as batch:
        batch.add_column(sa.Column('adjustments', sa.JSON(), nullable=True))
    with op.batch_alter_table('case_drafts') as batch:
        batch.add_column(sa.Column('large_print', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('send_by', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('hazard_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_drafts') as batch:
        batch.drop_column('hazard_id')
        batch.drop_column('send_by')
        batch.drop_column('large_print')
    with op.batch_alter_table('extracted_fields') as batch:
        batch.drop_column('adjustments')
    op.drop_index('ix_hazard_events_hazard_id', table_name='hazard_events')
    op.drop_table('hazard_events')
    op.drop_index('ix_hazards_status_priority', table_name='hazards')
    op.drop_index('ix_hazards_status', table_name='hazards')
    op.drop_index('ix_hazards_item_id', table_name='hazards')
    op.drop_table('hazards')
