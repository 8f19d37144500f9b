"""store integrity: unique keys where a duplicate is meaningless, indexes for lookups

Timetable lines (one per slot), calendar entries (one per kind and name in a scope) and
built-in positions (one per code) get unique keys; Telegram accounts by chat and certificates
by college and status get indexes. Exact duplicates already stored are removed first, keeping
the oldest row; memberships of a duplicate built-in position move to the one kept. Lessons of
a removed timetable line stay (their line becomes NULL, as when a line is deleted).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMETABLE_COLUMNS = (
    'org_id', 'period_id', 'group_id', 'subgroup_id', 'weekday', 'pair_no', 'parity',
    'discipline_id', 'teacher_id', 'room', 'hours',
)
CALENDAR_COLUMNS = ('org_id', 'kind', 'name', 'starts_on', 'ends_on', 'group_id')


def _same(columns: Sequence[str]) -> str:
    # NULL-safe equality of two rows, ``a`` and ``b``, written the same on both backends.
    return ' AND '.join(
        f'(a.{c} = b.{c} OR (a.{c} IS NULL AND b.{c} IS NULL))' for c in columns
    )


def _delete_exact_duplicates(table: str, columns: Sequence[str]) -> None:
    op.execute(
        f'DELETE FROM {table} WHERE id IN ('
        f'SELECT a.id FROM {table} a JOIN {table} b ON b.id < a.id AND {_same(columns)})'
    )


def upgrade() -> None:
    _delete_exact_duplicates('timetable_entries', TIMETABLE_COLUMNS)
    _delete_exact_duplicates('calendar_entries', CALENDAR_COLUMNS)
    # Built-in positions are kept in step with the code by their code: same code, same one.
    op.execute(
        'UPDATE memberships SET position_id = ('
        'SELECT MIN(b.id) FROM positions a JOIN positions b ON b.code = a.code '
        'AND b.org_id IS NULL WHERE a.id = memberships.position_id) '
        'WHERE position_id IN (SELECT id FROM positions WHERE org_id IS NULL)'
    )
    op.execute(
        'DELETE FROM positions WHERE org_id IS NULL AND id > ('
        'SELECT MIN(b.id) FROM positions b WHERE b.org_id IS NULL AND b.code = positions.code)'
    )

    with op.batch_alter_table('timetable_entries', schema=None) as batch_op:
        batch_op.create_index(
            'uq_timetable_entries_slot',
            ['period_id', 'group_id', 'subgroup_id', 'weekday', 'pair_no', 'parity'],
            unique=True,
        )
        batch_op.create_index(
            'uq_timetable_entries_group_slot',
            ['period_id', 'group_id', 'weekday', 'pair_no', 'parity'],
            unique=True,
            sqlite_where=sa.text('subgroup_id IS NULL'),
            postgresql_where=sa.text('subgroup_id IS NULL'),
        )
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.create_index(
            'uq_calendar_entries_name', ['org_id', 'kind', 'name', 'group_id'], unique=True
        )
        batch_op.create_index(
            'uq_calendar_entries_college_name',
            ['org_id', 'kind', 'name'],
            unique=True,
            sqlite_where=sa.text('group_id IS NULL'),
            postgresql_where=sa.text('group_id IS NULL'),
        )
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.create_index(
            'uq_positions_builtin_code',
            ['code'],
            unique=True,
            sqlite_where=sa.text('org_id IS NULL'),
            postgresql_where=sa.text('org_id IS NULL'),
        )
    with op.batch_alter_table('telegram_accounts', schema=None) as batch_op:
        batch_op.create_index(op.f('ix_telegram_accounts_chat_id'), ['chat_id'], unique=False)
    with op.batch_alter_table('absence_justifications', schema=None) as batch_op:
        batch_op.create_index(
            'ix_absence_justifications_org_status', ['org_id', 'status'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('absence_justifications', schema=None) as batch_op:
        batch_op.drop_index('ix_absence_justifications_org_status')
    with op.batch_alter_table('telegram_accounts', schema=None) as batch_op:
        batch_op.drop_index(op.f('ix_telegram_accounts_chat_id'))
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_index('uq_positions_builtin_code')
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_calendar_entries_college_name')
        batch_op.drop_index('uq_calendar_entries_name')
    with op.batch_alter_table('timetable_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_timetable_entries_group_slot')
        batch_op.drop_index('uq_timetable_entries_slot')
