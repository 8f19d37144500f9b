"""accounts only their owner controls, positions' base role, adult students' consent

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('telegram_accounts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('revoked_at', storage.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('role', sa.Enum('teacher', 'curator', 'parent', 'student', 'deputy', 'secretary', 'admin', 'director', 'regional', name='role', native_enum=False, create_constraint=True, length=24), nullable=True)
        )
    op.create_table('parent_access_choices',
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.Column('decided_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_parent_access_choices_student_id_students'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('student_id', name=op.f('pk_parent_access_choices'))
    )


def downgrade() -> None:
    op.drop_table('parent_access_choices')
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_column('role')
    with op.batch_alter_table('telegram_accounts', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
