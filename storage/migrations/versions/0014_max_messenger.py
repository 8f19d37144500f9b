"""MAX: message ids and files of MAX, and which accounts get notifications

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 05:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('max_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mid', sa.String(length=128), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_max_messages')),
    sa.UniqueConstraint('mid', name=op.f('uq_max_messages_mid'))
    )
    op.create_index(op.f('ix_max_messages_created_at'), 'max_messages', ['created_at'], unique=False)
    op.create_table('max_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=255), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_max_files')),
    sa.UniqueConstraint('token', name=op.f('uq_max_files_token'))
    )
    with op.batch_alter_table('telegram_accounts') as batch:
        batch.add_column(sa.Column('notify', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('telegram_accounts') as batch:
        batch.drop_column('notify')
    op.drop_table('max_files')
    op.drop_index(op.f('ix_max_messages_created_at'), table_name='max_messages')
    op.drop_table('max_messages')
