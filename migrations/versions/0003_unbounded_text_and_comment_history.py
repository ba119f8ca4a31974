"""unbounded text on MariaDB, and the comment history

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 11:20:00.000000

MariaDB's ``TEXT`` holds 64 KiB, where PostgreSQL's and SQLite's hold any
length: a 100 KB email or meta key went into those and was refused by
MariaDB. Every such column becomes ``LONGTEXT`` there (one ``ALTER TABLE``
a table); on the other backends the columns are already unbounded.

``comment_history`` keeps what a comment was before a later import of its
source changed it, or no longer had it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The TEXT columns of revision 0001 on MariaDB, by table; those listed
# second are NOT NULL.
_TEXT_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    'extras': (('anchor',), ('name',)),
    'sources': (
        ('version', 'wp_namespace', 'namespaces', 'title', 'link', 'pub_date', 'language',
         'generator', 'base_site_url', 'base_blog_url', 'child_order'),
        ('name',),
    ),
    'import_issues': (('file', 'record_key'), ('reason',)),
    'terms': (('term_id', 'taxonomy', 'slug', 'parent', 'name', 'dsq_forum',
               'dsq_is_default'), ()),
    'threads': (
        ('title', 'link', 'pub_date', 'creator', 'guid', 'guid_is_permalink',
         'created_at_raw', 'created_at_local', 'modified_at_raw', 'modified_at_local',
         'comment_status', 'ping_status', 'slug', 'status', 'post_parent', 'menu_order',
         'post_type', 'post_password', 'is_sticky', 'attachment_url', 'dsq_forum',
         'dsq_category', 'dsq_is_closed', 'dsq_is_deleted', 'dsq_ip_address',
         'dsq_author_name', 'dsq_author_email', 'dsq_author_username',
         'dsq_author_is_anonymous', 'child_order'),
        (),
    ),
    'users': (('login', 'email', 'display_name', 'first_name', 'last_name',
               'dsq_username'), ()),
    'comments': (
        ('parent', 'wp_type', 'wp_approved', 'dsq_is_approved', 'dsq_is_deleted',
         'dsq_is_spam', 'dsq_is_flagged', 'dsq_is_highlighted', 'dsq_is_anonymous',
         'dsq_identifier', 'author_name', 'author_email', 'author_url', 'author_ip',
         'wp_user_id', 'dsq_username', 'created_at_raw', 'created_at_local'),
        (),
    ),
    'term_meta': ((), ('meta_key',)),
    'thread_meta': ((), ('meta_key',)),
    'thread_terms': (('domain', 'nicename', 'name'), ()),
    'comment_meta': ((), ('meta_key',)),
}


def _modify_text_columns(column_type: str) -> None:
    for table, (nullable, required) in _TEXT_COLUMNS.items():
        clauses = [f'MODIFY `{name}` {column_type} NULL' for name in nullable]
        clauses += [f'MODIFY `{name}` {column_type} NOT NULL' for name in required]
        op.execute(f'ALTER TABLE `{table}` ' + ', '.join(clauses))


def _long_text() -> sa.types.TypeEngine:
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    if op.get_context().dialect.name in ('mysql', 'mariadb'):
        _modify_text_columns('LONGTEXT')
    op.create_table('comment_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('change', sa.String(16).with_variant(
        mysql.VARCHAR(16, charset="utf8mb4", collation="utf8mb4_nopad_bin"), "mysql", "mariadb"),
        nullable=False),
    sa.Column('fields', _long_text(), nullable=True),
    sa.Column('previous', _long_text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_history_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_comment_history_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_history')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('comment_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_history_comment_id'), ['comment_id'], unique=False)


def downgrade() -> None:
    # Its index goes with it (MariaDB refuses to drop an index a foreign key
    # needs, before the table).
    op.drop_table('comment_history')
    if op.get_context().dialect.name in ('mysql', 'mariadb'):
        _modify_text_columns('TEXT')
