"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 03:17:40.894111
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(length: int) -> sa.types.TypeEngine:
    """An identity column: binary, no-pad utf8mb4 on MariaDB so keys compare
    byte for byte."""
    variant = mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_nopad_bin")
    return sa.String(length).with_variant(variant, "mysql", "mariadb")


def _long_text() -> sa.types.TypeEngine:
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table('extras',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', _key(16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', _key(16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('value', _long_text(), nullable=False),
    sa.Column('anchor', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extras')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('extras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extras_owner'), ['owner', 'owner_id'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', _key(16), nullable=False),
    sa.Column('site', _key(255), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('sha256', _key(64), nullable=True),
    sa.Column('version', sa.Text(), nullable=True),
    sa.Column('wp_namespace', sa.Text(), nullable=True),
    sa.Column('namespaces', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('description', _long_text(), nullable=True),
    sa.Column('pub_date', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('generator', sa.Text(), nullable=True),
    sa.Column('base_site_url', sa.Text(), nullable=True),
    sa.Column('base_blog_url', sa.Text(), nullable=True),
    sa.Column('child_order', sa.Text(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_sha256'), ['sha256'], unique=False)

    op.create_table('import_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('severity', _key(16), nullable=False),
    sa.Column('code', _key(64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('file', sa.Text(), nullable=True),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('column', sa.Integer(), nullable=True),
    sa.Column('record_key', sa.Text(), nullable=True),
    sa.Column('fragment', _long_text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_import_issues_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_issues')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('import_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_issues_source_id'), ['source_id'], unique=False)

    op.create_table('terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', _key(255), nullable=False),
    sa.Column('origin', _key(16), nullable=False),
    sa.Column('key', _key(255), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', _key(32), nullable=False),
    sa.Column('term_id', sa.Text(), nullable=True),
    sa.Column('taxonomy', sa.Text(), nullable=True),
    sa.Column('slug', sa.Text(), nullable=True),
    sa.Column('parent', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('description', _long_text(), nullable=True),
    sa.Column('dsq_forum', sa.Text(), nullable=True),
    sa.Column('dsq_is_default', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_terms_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms')),
    sa.UniqueConstraint('site', 'origin', 'key', name=op.f('uq_terms_site')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', _key(255), nullable=False),
    sa.Column('origin', _key(16), nullable=False),
    sa.Column('key', _key(255), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('wp_post_id', _key(255), nullable=True),
    sa.Column('dsq_id', _key(64), nullable=True),
    sa.Column('identifier', _key(255), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('pub_date', sa.Text(), nullable=True),
    sa.Column('creator', sa.Text(), nullable=True),
    sa.Column('guid', sa.Text(), nullable=True),
    sa.Column('guid_is_permalink', sa.Text(), nullable=True),
    sa.Column('description', _long_text(), nullable=True),
    sa.Column('content', _long_text(), nullable=True),
    sa.Column('excerpt', _long_text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('created_at_raw', sa.Text(), nullable=True),
    sa.Column('created_at_local', sa.Text(), nullable=True),
    sa.Column('modified_at_raw', sa.Text(), nullable=True),
    sa.Column('modified_at_local', sa.Text(), nullable=True),
    sa.Column('comment_status', sa.Text(), nullable=True),
    sa.Column('ping_status', sa.Text(), nullable=True),
    sa.Column('slug', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('post_parent', sa.Text(), nullable=True),
    sa.Column('menu_order', sa.Text(), nullable=True),
    sa.Column('post_type', sa.Text(), nullable=True),
    sa.Column('post_password', sa.Text(), nullable=True),
    sa.Column('is_sticky', sa.Text(), nullable=True),
    sa.Column('attachment_url', sa.Text(), nullable=True),
    sa.Column('dsq_forum', sa.Text(), nullable=True),
    sa.Column('dsq_category', sa.Text(), nullable=True),
    sa.Column('dsq_is_closed', sa.Text(), nullable=True),
    sa.Column('dsq_is_deleted', sa.Text(), nullable=True),
    sa.Column('dsq_ip_address', sa.Text(), nullable=True),
    sa.Column('dsq_author_name', sa.Text(), nullable=True),
    sa.Column('dsq_author_email', sa.Text(), nullable=True),
    sa.Column('dsq_author_username', sa.Text(), nullable=True),
    sa.Column('dsq_author_is_anonymous', sa.Text(), nullable=True),
    sa.Column('child_order', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_threads_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads')),
    sa.UniqueConstraint('site', 'origin', 'key', name=op.f('uq_threads_site')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_threads_identifier'), ['identifier'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', _key(255), nullable=False),
    sa.Column('origin', _key(16), nullable=False),
    sa.Column('key', _key(255), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('wp_id', _key(255), nullable=True),
    sa.Column('login', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('first_name', sa.Text(), nullable=True),
    sa.Column('last_name', sa.Text(), nullable=True),
    sa.Column('dsq_username', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_users_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('site', 'origin', 'key', name=op.f('uq_users_site')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', _key(255), nullable=False),
    sa.Column('origin', _key(16), nullable=False),
    sa.Column('key', _key(255), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('thread_key', _key(255), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('parent', sa.Text(), nullable=True),
    sa.Column('parent_key', _key(255), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('wp_id', _key(255), nullable=True),
    sa.Column('dsq_id', _key(64), nullable=True),
    sa.Column('type', _key(64), nullable=False),
    sa.Column('wp_type', sa.Text(), nullable=True),
    sa.Column('status', _key(64), nullable=False),
    sa.Column('wp_approved', sa.Text(), nullable=True),
    sa.Column('dsq_is_approved', sa.Text(), nullable=True),
    sa.Column('dsq_is_deleted', sa.Text(), nullable=True),
    sa.Column('dsq_is_spam', sa.Text(), nullable=True),
    sa.Column('dsq_is_flagged', sa.Text(), nullable=True),
    sa.Column('dsq_is_highlighted', sa.Text(), nullable=True),
    sa.Column('dsq_is_anonymous', sa.Text(), nullable=True),
    sa.Column('dsq_identifier', sa.Text(), nullable=True),
    sa.Column('author_name', sa.Text(), nullable=True),
    sa.Column('author_email', sa.Text(), nullable=True),
    sa.Column('author_url', sa.Text(), nullable=True),
    sa.Column('author_ip', sa.Text(), nullable=True),
    sa.Column('wp_user_id', sa.Text(), nullable=True),
    sa.Column('dsq_username', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('created_at_raw', sa.Text(), nullable=True),
    sa.Column('created_at_local', sa.Text(), nullable=True),
    sa.Column('content', _long_text(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_comments_source_id_sources')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_comments_thread_id_threads')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments')),
    sa.UniqueConstraint('site', 'origin', 'key', name=op.f('uq_comments_site')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_dsq_id', ['dsq_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_thread_id'), ['thread_id', 'position'], unique=False)

    op.create_table('term_meta',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('meta_key', sa.Text(), nullable=False),
    sa.Column('meta_value', _long_text(), nullable=True),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_term_meta_term_id_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_meta')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('term_meta', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_meta_term_id'), ['term_id'], unique=False)

    op.create_table('thread_meta',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('meta_key', sa.Text(), nullable=False),
    sa.Column('meta_value', _long_text(), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_meta_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_meta')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('thread_meta', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_meta_thread_id'), ['thread_id'], unique=False)

    op.create_table('thread_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('domain', sa.Text(), nullable=True),
    sa.Column('nicename', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_terms_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thread_terms')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('thread_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_terms_thread_id'), ['thread_id'], unique=False)

    op.create_table('comment_meta',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('meta_key', sa.Text(), nullable=False),
    sa.Column('meta_value', _long_text(), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_meta_comment_id_comments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_meta')),
    mysql_charset='utf8mb4',
    mysql_collate='utf8mb4_nopad_bin',
    mysql_engine='InnoDB'
    )
    with op.batch_alter_table('comment_meta', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_meta_comment_id'), ['comment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('comment_meta', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_meta_comment_id'))

    op.drop_table('comment_meta')
    with op.batch_alter_table('thread_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_terms_thread_id'))

    op.drop_table('thread_terms')
    with op.batch_alter_table('thread_meta', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_meta_thread_id'))

    op.drop_table('thread_meta')
    with op.batch_alter_table('term_meta', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_term_meta_term_id'))

    op.drop_table('term_meta')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_thread_id'))
        batch_op.drop_index(batch_op.f('ix_comments_parent_id'))
        batch_op.drop_index('ix_comments_dsq_id')

    op.drop_table('comments')
    op.drop_table('users')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_threads_identifier'))

    op.drop_table('threads')
    op.drop_table('terms')
    with op.batch_alter_table('import_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_issues_source_id'))

    op.drop_table('import_issues')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_sha256'))

    op.drop_table('sources')
    with op.batch_alter_table('extras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extras_owner'))

    op.drop_table('extras')
