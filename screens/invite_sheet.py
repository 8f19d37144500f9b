"""Invite sheets as files: CSV for any spreadsheet, XLSX to print."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from core.i18n import _
from core.sheets import safe_row
from screens.vocabulary import role_name
from services.people.invite_sheet import InviteRow


def roles_text(row: InviteRow) -> str:
    return ", ".join(sorted(role_name(role) for role in row.roles))


def headers(other: bool = False) -> list[str]:
    """The columns; a last one, the same code's link in MAX, when the journal runs there too
    (a Telegram-only sheet keeps its columns)."""
    found = [_("ID"), _("Full name"), _("Roles"), _("Groups"), _("Personal link"), _("Valid until")]
    return [*found, _("Link in MAX")] if other else found


def _other(rows: Sequence[InviteRow]) -> bool:
    return any(row.other_link for row in rows)


def _cells(row: InviteRow, other: bool = False) -> list[object]:
    """A row's cells, none of them readable as a formula (core/sheets.py)."""
    cells = [row.external_id, row.full_name, roles_text(row), row.groups, row.link, row.expires]
    return safe_row([*cells, row.other_link] if other else cells)


def to_csv(rows: Sequence[InviteRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    other = _other(rows)
    writer.writerow(safe_row(headers(other)))
    for row in rows:
        writer.writerow(_cells(row, other))
    # BOM so that Excel opens Cyrillic CSV correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[InviteRow]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.title = _("Invites")[:31]
    other = _other(rows)
    for column, width in zip("ABCDEFG", (10, 36, 24, 16, 70, 18, 70), strict=False):
        sheet.column_dimensions[column].width = width  # before any row, in write-only mode
    sheet.append(safe_row(headers(other)))
    for row in rows:
        sheet.append(_cells(row, other))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
