"""The monitoring workbook (XLSX): a cover sheet with the period and the definitions, then a
sheet per indicator with a line per teacher, group and discipline; headers frozen, the shares
coloured from red (low) to green (high), or the other way where less is better."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from core.i18n import _
from screens.monitoring import rule_name, span_text
from services.monitoring.indicators import Line, Monitoring, Rule
from services.monitoring.region import Region
from services.monitoring.span import Span

if TYPE_CHECKING:  # openpyxl (and numpy with it) is imported only to build a sheet
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

RED, YELLOW, GREEN = "F8696B", "FFEB84", "63BE7B"
PERCENT = "0%"


def _scale(sheet: Worksheet, column: int, rows: int, *, higher_is_better: bool) -> None:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.utils import get_column_letter

    if rows < 1:
        return
    low, high = (RED, GREEN) if higher_is_better else (GREEN, RED)
    letter = get_column_letter(column)
    sheet.conditional_formatting.add(
        f"{letter}2:{letter}{rows + 1}",
        ColorScaleRule(
            start_type="num", start_value=0, start_color=low,
            mid_type="num", mid_value=0.5, mid_color=YELLOW,
            end_type="num", end_value=1, end_color=high,
        ),
    )  # fmt: skip


def _header(sheet: Worksheet, titles: Sequence[str]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(titles))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 32
    for column in range(3, len(titles) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14


Lines = list[tuple[str, Line]]  # (what the line is of: "Teacher", …; the line)


def _lines(m: Monitoring) -> Lines:
    return (
        [(_("College"), m.college)]
        + [(_("Teacher"), line) for line in m.teachers]
        + [(_("Group"), line) for line in m.groups]
        + [(_("Discipline"), line) for line in m.disciplines]
    )


def _rule_sheet(book: Workbook, lines: Lines, rule: Rule) -> None:
    sheet = book.create_sheet(rule_name(rule)[:31])
    _header(
        sheet,
        [_("By"), _("Name"), _("On time"), _("Late"), _("Missing"), _("Due"), _("Not due yet")],
    )
    for by, line in lines:
        t = line.rules[rule]
        sheet.append(
            [by, line.name, t.share(t.on_time), t.share(t.late), t.share(t.missing), t.due,
             t.not_due]
        )  # fmt: skip
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=5):
        for cell in row:
            cell.number_format = PERCENT
    _scale(sheet, 3, len(lines), higher_is_better=True)
    _scale(sheet, 5, len(lines), higher_is_better=False)


def _share_sheet(
    book: Workbook,
    lines: Lines,
    title: str,
    headers: Sequence[str],
    values: Callable[[Line], list[float | int | None]],
    *,
    higher_is_better: bool,
    number_format: str = PERCENT,
) -> None:
    sheet = book.create_sheet(title[:31])
    _header(sheet, [_("By"), _("Name"), *headers])
    for by, line in lines:
        sheet.append([by, line.name, *values(line)])
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = number_format
    if number_format == PERCENT:
        _scale(sheet, 3, len(lines), higher_is_better=higher_is_better)


def _cover(book: Workbook, span: Span, name: str, lessons: int) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(_("About")[:31], 0)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    sheet.append([_("Monitoring of the electronic journal"), name])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_("Period"), span_text(span)])
    sheet.append([_("Lessons held"), lessons])
    sheet.append([])
    sheet.append([_("Definitions")])
    sheet["A5"].font = Font(bold=True)
    for term, meaning in definitions():
        sheet.append([term, meaning])


def definitions() -> list[tuple[str, str]]:
    return [
        (
            rule_name(Rule.R1),
            _(
                "Attendance and current grades of a lesson held, due not later than one "
                "working day after the lesson (R1); judged by the time the register was first "
                "marked done."
            ),
        ),
        (
            rule_name(Rule.R2),
            _("The topic of a lesson held, due on the lesson's day (R2); judged by the time "
              "the topic was first entered."),
        ),
        (
            rule_name(Rule.R3),
            _("An attestation sheet (a teacher's group or subgroup and discipline with a form of "
              "attestation in the period), due on the period's last day (R3); done when every "
              "student studying in it has a period grade, at the last one given."),
        ),
        (
            rule_name(Rule.R4),
            _("A document on an absence, decided by the curator not later than 2 working days "
              "after it was sent, or brought on paper (R4); judged by the time of the decision."),
        ),
        (
            rule_name(Rule.R5),
            _("A student enrolled by an order, given access (an invite) not later than 3 "
              "working days after the order (R5); judged by their first invite."),
        ),
        (
            rule_name(Rule.R6),
            _("A movement order, entered not later than 3 working days after it was decided "
              "(R6); judged by the time it was entered."),
        ),
        (
            rule_name(Rule.R7),
            _("The curriculum of the new intake year, entered by 1 September (R7)."),
        ),
        (
            rule_name(Rule.R8),
            _("A teacher's work programme and calendar-thematic plan (КТП) of a group and "
              "discipline for the academic year, by 2 September (R8); done when both have come; "
              "last year's documents do not count."),
        ),
        (
            rule_name(Rule.R9),
            _("The format of a distance lesson (mode, platform, time), due on the lesson's day "
              "(R9), for a lesson with a format and for every lesson of a group on a distance "
              "day the deputy director declared; an incomplete format is missing."),
        ),
        (
            _("Counted in the period"),
            _("R1, R2, R9: the lessons held in the period. R3–R8: the items whose deadline "
              "falls in the period. Each item is counted for the college and for its teacher, "
              "group and discipline where it has one."),
        ),
        (
            _("On time, late, missing"),
            _("Shares of the items due in the period: done by the deadline, done after it, "
              "not done; items whose deadline has not come are counted apart."),
        ),
        (
            _("Absences without a reason"),
            _("Absences (н) at the lessons of the period with no reason set, of all absences."),
        ),
        (
            _("Grades per student"),
            _("Current grades given at the lessons, per student present (on the register, not "
              "absent)."),
        ),
    ]  # fmt: skip


def to_xlsx(m: Monitoring) -> bytes:
    """The college's workbook: the college, then each teacher, group and discipline."""
    return workbook(m.span, m.college.name, m.college.lessons, _lines(m))


def region_to_xlsx(r: Region) -> bytes:
    """The region's workbook: the region, then each college (aggregates only)."""
    lines = [(_("Region"), r.total)] + [(_("College"), line) for line in r.colleges]
    return workbook(r.span, r.total.name, r.total.lessons, lines)


def workbook(span: Span, name: str, lessons: int, lines: Lines) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])  # the cover is made with its own name
    _cover(book, span, name, lessons)
    for rule in Rule:
        _rule_sheet(book, lines, rule)
    _share_sheet(
        book,
        lines,
        _("Absences without a reason"),
        [_("Share"), _("Without a reason"), _("Absences")],
        lambda line: [line.unexplained_share, line.unexplained, line.absent],
        higher_is_better=False,
    )
    _share_sheet(
        book,
        lines,
        _("Grades per student"),
        [_("Per student at a lesson"), _("Grades"), _("Students present")],
        lambda line: [line.grades_per_student, line.grades, line.present],
        higher_is_better=True,
        number_format="0.00",
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
