"""distance days declared by the deputy director (R9)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:46:41.406729
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('distance_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('platform', sa.String(length=255), nullable=False),
    sa.Column('declared_by', sa.Integer(), nullable=True),
    sa.Column('announcement_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_distance_days_announcement_id_announcements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declared_by'], ['people.id'], name=op.f('fk_distance_days_declared_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_distance_days_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_distance_days_org_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distance_days'))
    )
    with op.batch_alter_table('distance_days', schema=None) as batch_op:
        batch_op.create_index('ix_distance_days_org_days', ['org_id', 'first_day', 'last_day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('distance_days', schema=None) as batch_op:
        batch_op.drop_index('ix_distance_days_org_days')

    op.drop_table('distance_days')
