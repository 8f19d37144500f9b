"""longer names

A part of a person's name may be up to 128 characters (double surnames, long patronymics),
as the import accepts.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTS = ("last_name", "first_name", "middle_name")


def upgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        for column in PARTS:
            batch_op.alter_column(
                column, existing_type=sa.String(64), type_=sa.String(128), existing_nullable=False
            )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        for column in PARTS:
            batch_op.alter_column(
                column, existing_type=sa.String(128), type_=sa.String(64), existing_nullable=False
            )
