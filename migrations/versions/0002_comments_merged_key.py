"""comments.merged_key, merged_parent_key: another export's comment merged into a row

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 11:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(length: int) -> sa.types.TypeEngine:
    """An identity column, as 0001 makes them."""
    variant = mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_nopad_bin")
    return sa.String(length).with_variant(variant, "mysql", "mariadb")


def upgrade() -> None:
    # Rebuilt on SQLite (an ALTER there leaves the column on the CREATE
    # statement's last line), so that a migrated store's schema is the one
    # a new store is created with.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_key', _key(255), nullable=True))
        batch_op.add_column(sa.Column('merged_parent_key', _key(255), nullable=True))
        batch_op.create_index('ix_comments_merged_key', ['merged_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_merged_key')
        batch_op.drop_column('merged_parent_key')
        batch_op.drop_column('merged_key')
