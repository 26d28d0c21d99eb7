"""The officer's workspace: server-side sessions, log-in attempts, the access log, and what a
field edit changed.

Revision ID: 0012_workspace
Revises: 0007

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0012_workspace'
down_revision: Union[str, Sequence[str], None] = '0007'
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


def downgrade() -> None:
    with op.batch_alter_table('review_decisions') as batch:
        batch.drop_column('detail')
    op.drop_table('access_log')
    op.drop_table('login_attempts')
    op.drop_table('web_sessions')
