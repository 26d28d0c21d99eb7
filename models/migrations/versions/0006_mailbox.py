"""Mailbox ledger for exactly-once intake: the message's size (to resynchronise after a
UIDVALIDITY change without refetching) and when it was settled in the mailbox.

Revision ID: 0006
Revises: 0005

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_mailbox_messages_pending',
                              ['account', 'folder', 'uidvalidity', 'status'])


def downgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_mailbox_messages_pending')
        batch_op.drop_column('settled_at')
        batch_op.drop_column('size')
