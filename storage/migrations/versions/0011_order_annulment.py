"""a movement order annulled before its effective date

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('movement_orders', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('annulled_at', storage.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column('annulled_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_movement_orders_annulled_by_people'), 'people', ['annulled_by'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('movement_orders', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_movement_orders_annulled_by_people'), type_='foreignkey'
        )
        batch_op.drop_column('annulled_by')
        batch_op.drop_column('annulled_at')
