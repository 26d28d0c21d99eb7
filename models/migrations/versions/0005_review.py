"""Review queue and web app: the item's settled hazard, review deadline and reason; users that
can be switched off; policies' report settings; indexes for the queue and the cases list.

Revision ID: 0005
Revises: 0004

"""
from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hazard', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('review_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_reason', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_items_review_queue', ['status', 'hazard', 'review_due'])
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_status_respond_by', ['status', 'respond_by', 'id'])
        batch_op.create_index('ix_cases_respond_by_id', ['respond_by', 'id'])
        batch_op.create_index('ix_cases_postcode', ['postcode'])
    with op.batch_alter_table('classifications', schema=None) as batch_op:
        batch_op.create_index('ix_classifications_item_latest', ['item_id', 'id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.create_table(
        'report_settings',
        sa.Column('policy', sa.String(length=64), nullable=False),
        sa.Column('homes', sa.Integer(), nullable=True),
        sa.Column('due_soon_days', sa.Integer(), nullable=False, server_default='3'),
        sa.Column('updated_by', sa.String(length=100), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('policy'),
    )
    _backfill_review_columns()


# Frozen as they were when this migration was written, so it never changes when the
# application does: the rules that send an item to review, in the chain's order, and the
# working days the built-in policies gave an officer to decide (stage 1's first deadline).
_REVIEW_RULES = ("proposed-exclusion", "anonymous-complaint", "low-ocr-confidence",
                 "low-confidence", "thread-mismatch", "unknown-case-escalation",
                 "escalation-refused")
_DAYS_TO_DECIDE = {"code-2024": 5, "lancaster": 5, "lumen": 5}


def _review_reason(hit_rules: list[str]) -> str:
    return next((rule for rule in _REVIEW_RULES if rule in hit_rules), "other")


def _review_due(received_at, days: int):
    """`days` working days (England and Wales) after the UK calendar day of receipt."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    import holidays

    if isinstance(received_at, str):  # SQLite hands raw SQL its text
        received_at = datetime.fromisoformat(received_at)
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    day = received_at.astimezone(ZoneInfo("Europe/London")).date()
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays.country_holidays(
                "GB", subdiv="ENG", years=day.year):
            days -= 1
    return day


def _backfill_review_columns() -> None:
    """Items triaged before this migration: hazard from their latest classification; those
    waiting for review get their reason and deadline as triage set them at the time."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT i.id, i.status, i.received_at, c.hazard, c.policy, c.rule_results "
        "FROM items i JOIN classifications c ON c.id = "
        "(SELECT max(c2.id) FROM classifications c2 WHERE c2.item_id = i.id)")).all()
    items = sa.table('items', sa.column('id', sa.Integer), sa.column('hazard', sa.String),
                     sa.column('review_due', sa.Date), sa.column('review_reason', sa.String))
    for item_id, status, received_at, hazard, policy_id, rule_results in rows:
        values: dict[str, object] = {"hazard": hazard}
        if status == "needs_review":
            results = rule_results if isinstance(rule_results, dict) else _json(rule_results)
            values["review_reason"] = _review_reason(
                [r.get("rule", "") for r in results.get("results", []) if r.get("hit")])
            if policy_id in _DAYS_TO_DECIDE and received_at is not None:
                values["review_due"] = _review_due(received_at, _DAYS_TO_DECIDE[policy_id])
        bind.execute(items.update().where(items.c.id == item_id).values(**values))


def _json(value: object) -> dict:
    import json

    try:
        loaded = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def downgrade() -> None:
    op.drop_table('report_settings')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('classifications', schema=None) as batch_op:
        batch_op.drop_index('ix_classifications_item_latest')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_postcode')
        batch_op.drop_index('ix_cases_respond_by_id')
        batch_op.drop_index('ix_cases_status_respond_by')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_review_queue')
        batch_op.drop_column('review_reason')
        batch_op.drop_column('review_due')
        batch_op.drop_column('hazard')

