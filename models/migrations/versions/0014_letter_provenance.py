"""A letter's own date kept with its fields (the time limit is judged from it when plausible,
and an officer's later decision must not lose it), and each scanned page's OCR blocks (text,
side, confidence, box), so the item page can say which block each field came from.

Revision ID: 0014_letter_provenance
Revises: 0013_web_speed

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0014_letter_provenance'
down_revision: Union[str, Sequence[str], None] = '0013_web_speed'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('extracted_fields') as batch:
        batch.add_column(sa.Column('written_on', sa.Date(), nullable=True))
    with op.batch_alter_table('item_pages') as batch:
        batch.add_column(sa.Column('blocks', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('item_pages') as batch:
        batch.drop_column('blocks')
    with op.batch_alter_table('extracted_fields') as batch:
        batch.drop_column('written_on')
