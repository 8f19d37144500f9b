"""Invite sheets as files: CSV for any spreadsheet, XLSX to print."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from core.i18n import _
from core.sheets import safe_row
from screens.vocabulary import role_name
from services.people.invite_sheet import InviteRow


def roles_text(row: InviteRow) -> str:
    return ", ".join(sorted(role_name(role) for role in row.roles))


def headers() -> list[str]:
    return [_("ID"), _("Full name"), _("Roles"), _("Groups"), _("Personal link"), _("Valid until")]


def _cells(row: InviteRow) -> list[object]:
    """A row's cells, none of them readable as a formula (core/sheets.py)."""
    return safe_row(
        [row.external_id, row.full_name, roles_text(row), row.groups, row.link, row.expires]
    )


def to_csv(rows: Sequence[InviteRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(headers()))
    for row in rows:
        writer.writerow(_cells(row))
    # BOM so that Excel opens Cyrillic CSV correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[InviteRow]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.title = _("Invites")[:31]
    for column, width in zip("ABCDEF", (10, 36, 24, 16, 70, 18), strict=True):
        sheet.column_dimensions[column].width = width  # before any row, in write-only mode
    sheet.append(safe_row(headers()))
    for row in rows:
        sheet.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
