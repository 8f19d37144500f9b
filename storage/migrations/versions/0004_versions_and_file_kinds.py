"""versions of grades and lesson details; the file kind of outbox messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grades") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(
            sa.Column("details_version", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("file_kind", sa.String(length=16), nullable=True))
    # Everything queued before this revision with a file was sent as a document.
    op.execute("UPDATE outbox_messages SET file_kind = 'document' WHERE document_file_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("file_kind")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_column("details_version")
    with op.batch_alter_table("grades") as batch:
        batch.drop_column("version")
