"""Residents: imported cases (contact, reference key, row hash).

Revision ID: 0011_residents
Revises: 0007

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011_residents'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('ref_key', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('address', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('email', sa.String(length=320), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('contact_method', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('import_hash', sa.String(length=64), nullable=True))
        batch.create_index('ix_cases_ref_key', ['ref_key'])
    # Our own references are CMP-YYYY-NNNNN: their key is the same without the hyphens.
    op.execute("UPDATE cases SET ref_key = UPPER(REPLACE(ref, '-', ''))")


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_index('ix_cases_ref_key')
        for column in ('import_hash', 'contact_method', 'phone', 'email', 'address', 'ref_key'):
            batch.drop_column(column)
