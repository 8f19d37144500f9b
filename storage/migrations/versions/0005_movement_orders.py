"""movement orders: an order names its students; numbers unique per college and year

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("enrolment", "transfer", "expulsion", "academic_leave", "reinstatement", "graduation")
NEW_KINDS = (*OLD_KINDS, "next_course")


def _kind(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(
        *values, name="orderkind", native_enum=False, create_constraint=True, length=24
    )


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _kinds(old: Sequence[str], new: Sequence[str], batch: object) -> None:
    """SQLite rebuilds the table with the new CHECK; PostgreSQL swaps the constraint."""
    if _sqlite():
        batch.alter_column(  # type: ignore[attr-defined]
            "kind", existing_type=_kind(old), type_=_kind(new), existing_nullable=False
        )
        return
    batch.drop_constraint(op.f("ck_movement_orders_orderkind"), type_="check")  # type: ignore[attr-defined]
    listed = ", ".join(f"'{k}'" for k in new)
    batch.create_check_constraint("orderkind", f"kind IN ({listed})")  # type: ignore[attr-defined]


def upgrade() -> None:
    # Orders were never entered before this revision: the old one-student rows can go.
    op.execute("UPDATE group_enrolments SET order_id = NULL")
    op.execute("DELETE FROM movement_orders")
    with op.batch_alter_table("movement_orders", recreate="auto") as batch:
        batch.drop_constraint("fk_movement_orders_student_id_students", type_="foreignkey")
        batch.drop_constraint("fk_movement_orders_from_group_id_groups", type_="foreignkey")
        batch.drop_constraint("fk_movement_orders_to_group_id_groups", type_="foreignkey")
        batch.drop_column("student_id")
        batch.drop_column("from_group_id")
        batch.drop_column("to_group_id")
        _kinds(OLD_KINDS, NEW_KINDS, batch)
        batch.add_column(sa.Column("year", sa.Integer(), nullable=False))
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("applied_on", sa.Date(), nullable=True))
        batch.create_foreign_key(
            "fk_movement_orders_group_id_groups", "groups", ["group_id"], ["id"]
        )
        batch.create_unique_constraint(
            "uq_movement_orders_org_id_year_number", ["org_id", "year", "number"]
        )
    op.create_table(
        "order_students",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("from_group_id", sa.Integer(), nullable=True),
        sa.Column("to_group_id", sa.Integer(), nullable=True),
        sa.Column("to_subgroup_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["movement_orders.id"],
            name="fk_order_students_order_id_movement_orders",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name="fk_order_students_student_id_students"
        ),
        sa.ForeignKeyConstraint(
            ["from_group_id"], ["groups.id"], name="fk_order_students_from_group_id_groups"
        ),
        sa.ForeignKeyConstraint(
            ["to_group_id"], ["groups.id"], name="fk_order_students_to_group_id_groups"
        ),
        sa.ForeignKeyConstraint(
            ["to_subgroup_id"], ["subgroups.id"], name="fk_order_students_to_subgroup_id_subgroups"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_order_students"),
        sa.UniqueConstraint(
            "order_id", "student_id", name="uq_order_students_order_id_student_id"
        ),
    )
    op.create_index("ix_order_students_student_id", "order_students", ["student_id"])
    op.create_index("ix_group_enrolments_group", "group_enrolments", ["group_id", "since"])


def downgrade() -> None:
    op.drop_index("ix_group_enrolments_group", table_name="group_enrolments")
    op.drop_index("ix_order_students_student_id", table_name="order_students")
    op.drop_table("order_students")
    op.execute("UPDATE group_enrolments SET order_id = NULL")
    op.execute("DELETE FROM movement_orders")
    with op.batch_alter_table("movement_orders", recreate="auto") as batch:
        batch.drop_constraint("uq_movement_orders_org_id_year_number", type_="unique")
        batch.drop_constraint("fk_movement_orders_group_id_groups", type_="foreignkey")
        batch.drop_column("applied_on")
        batch.drop_column("group_id")
        batch.drop_column("year")
        _kinds(NEW_KINDS, OLD_KINDS, batch)
        batch.add_column(sa.Column("student_id", sa.Integer(), nullable=False))
        batch.add_column(sa.Column("from_group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("to_group_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_movement_orders_student_id_students", "students", ["student_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_movement_orders_from_group_id_groups", "groups", ["from_group_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_movement_orders_to_group_id_groups", "groups", ["to_group_id"], ["id"]
        )
