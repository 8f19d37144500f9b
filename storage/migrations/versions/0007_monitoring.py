"""monitoring: the colleges a regional specialist monitors

``down_revision`` is 0003 for now; it follows whatever revision precedes it once merged.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 23:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('regional_scopes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_regional_scopes_org_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_regional_scopes_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regional_scopes')),
    sa.UniqueConstraint('person_id', 'org_id', name=op.f('uq_regional_scopes_person_id_org_id'))
    )
    with op.batch_alter_table('regional_scopes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regional_scopes_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('regional_scopes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regional_scopes_person_id'))
    op.drop_table('regional_scopes')
