"""The curator's group overview (text) and the monthly group statement (XLSX to print)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.i18n import _
from screens.markup import Markup, bold, format_html, join
from screens.monitoring import ask_dates as how_to_type
from screens.monitoring import span_text
from services.monitoring.group_overview import GroupOverview, StudentOverview
from storage.models import Group

if TYPE_CHECKING:  # openpyxl (and numpy with it) is imported only to build a sheet
    from openpyxl.worksheet.worksheet import Worksheet

STUDENTS_SHOWN = 40


def average(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def choose_group(groups: Sequence[Group]) -> str:
    if not groups:
        return _("You are not a curator of any group now.")
    return join([bold(_("My group")), _("Choose the group:")])


def choose_period(group: Group) -> str:
    return join([format_html(_("<b>{group}</b>"), group=group.name), _("Choose the period:")])


def ask_dates(group: Group) -> str:
    return join(
        [
            format_html(_("<b>{group}</b>"), group=group.name),
            how_to_type(),
        ]
    )


def _student(s: StudentOverview) -> Markup:
    line = format_html(
        _("{name}: missed {hours} h (valid {valid}, unexcused {unexcused}, "
          "not explained {unexplained}), average {average}"),
        name=s.name,
        hours=s.absent_hours,
        valid=s.valid_hours,
        unexcused=s.unexcused_hours,
        unexplained=s.unexplained_hours,
        average=average(s.average),
    )  # fmt: skip
    if s.failing:
        line += format_html(_("; failing: {disciplines}"), disciplines=", ".join(s.failing))
    if s.missing:
        line += format_html(_("; no period grade: {disciplines}"), disciplines=", ".join(s.missing))
    if s.risks:
        return format_html("⚠️ {}", line)
    return line


def overview(o: GroupOverview) -> str:
    lines: list[str] = [
        format_html(_("<b>{group}</b> · {span}"), group=o.group, span=span_text(o.span))
    ]
    at_risk = [s for s in o.students if s.risks]
    if at_risk:
        lines.append(bold(_("At risk")))
    for n, s in enumerate(o.students[:STUDENTS_SHOWN]):
        if n == len(at_risk) and at_risk:
            lines.append(bold(_("Others")))
        lines.append(_student(s))
    if len(o.students) > STUDENTS_SHOWN:
        more = len(o.students) - STUDENTS_SHOWN
        lines.append(format_html(_("…and {count} more."), count=more))
    if not o.students:
        lines.append(_("No students in the group."))
    return join(lines)


def statement_caption(o: GroupOverview) -> str:
    return format_html(_("Group statement {group} · {span}"), group=o.group, span=span_text(o.span))


def statement_name(o: GroupOverview) -> str:
    return f"statement-{o.group}-{o.span.first:%Y%m}.xlsx"


def _title(sheet: Worksheet, text: str, width: int) -> None:
    from openpyxl.styles import Font

    sheet.append([text])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet["A1"].font = Font(bold=True, size=12)


def to_xlsx(o: GroupOverview) -> bytes:
    """Two sheets to print, landscape, one page wide: attendance (hours missed by reason) and
    progress (average current grade per discipline, failing and missing period grades)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])
    heading = format_html(
        _("Group {group} · {span}"), group=o.group, span=span_text(o.span)
    ).unescape()

    sheet = book.create_sheet(_("Attendance")[:31])
    headers = [_("No."), _("Student"), _("Hours missed"), _("Valid reason"), _("Unexcused"),
               _("Not explained")]  # fmt: skip
    _title(sheet, heading, len(headers))
    sheet.append(headers)
    for n, s in enumerate(_in_order(o), 1):
        sheet.append([n, s.name, s.absent_hours, s.valid_hours, s.unexcused_hours,
                      s.unexplained_hours])  # fmt: skip
    _layout(sheet, len(headers))

    sheet = book.create_sheet(_("Progress")[:31])
    disciplines = list(o.disciplines.items())
    headers = [_("No."), _("Student"), *(name for _d, name in disciplines), _("Average"),
               _("Failing period grades"), _("Missing period grades")]  # fmt: skip
    _title(sheet, heading, len(headers))
    sheet.append(headers)
    for n, s in enumerate(_in_order(o), 1):
        averages = [round(s.averages[d], 2) if d in s.averages else None for d, _n in disciplines]
        sheet.append([n, s.name, *averages,
                      None if s.average is None else round(s.average, 2),
                      ", ".join(s.failing), ", ".join(s.missing)])  # fmt: skip
    _layout(sheet, len(headers))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _in_order(o: GroupOverview) -> list[StudentOverview]:
    """The statement lists the students in name order, as the register does."""
    return sorted(o.students, key=lambda s: s.name.casefold().replace("ё", "е"))


def _layout(sheet: Worksheet, columns: int) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 34
    for column in range(3, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "2:2"
